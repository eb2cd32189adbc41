"""Each block kind answers for its blocks (core.engine.blocks): the registry, and each kind's
power, months, share in place, assets and continuing-value term, worked out by hand from the
catalog (Antminer S21: 3,500 W, 200 TH/s, $3,400; HGX H100: 10.2 kW max, 7.5 kW typical,
8 GPUs, $295,000)."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.blocks.kinds import (
    KINDS,
    facility_mw,
    is_ai,
    is_colocation,
    is_hosted,
    kind_of,
    live_mask,
    mines,
    operating_months,
    own_fleet,
    owns_gpus,
)
from core.model.catalog import bundled_catalog
from core.model.project import AiBlock, HostingBlock, MiningBlock

CAT = bundled_catalog()
FLEET = MiningBlock(name="Fleet", asic_model="s21", asic_count=1000, pue=1.05, start_month=2)
RACKS = HostingBlock(name="Client", asic_model="s21", asic_count=1000, pue=1.05)
COLO = AiBlock(
    name="Colo",
    it_mw=10.0,
    pue=1.3,
    start_month=1,
    conversion_months=5,
    lease_term_months=12,
    renewal_probability_pct=40.0,
    retrofit_usd_per_mw=6e6,
)
CLOUD = AiBlock(
    name="Cloud",
    business_model="gpu_cloud",
    server_count=100,
    pue=1.2,
    start_month=0,
    conversion_months=6,
    gpu_end_of_life="run_off",
)


def test_every_block_has_one_kind_and_the_questions_follow_it():
    assert [k.name for k in KINDS] == ["mining", "hosting", "colocation", "gpu_cloud"]
    assert [kind_of(b).name for b in (FLEET, RACKS, COLO, CLOUD)] == [k.name for k in KINDS]
    assert [mines(b) for b in (FLEET, RACKS, COLO, CLOUD)] == [True, True, False, False]
    assert [own_fleet(b) for b in (FLEET, RACKS, COLO, CLOUD)] == [True, False, False, False]
    assert [is_hosted(b) for b in (FLEET, RACKS, COLO, CLOUD)] == [False, True, False, False]
    assert [is_ai(b) for b in (FLEET, RACKS, COLO, CLOUD)] == [False, False, True, True]
    assert [is_colocation(b) for b in (COLO, CLOUD)] == [True, False]
    assert [owns_gpus(b) for b in (COLO, CLOUD)] == [False, True]


def test_facility_megawatts_by_kind():
    # Miners: 1,000 × 3,500 W × PUE 1.05 = 3.675 MW. Colocation: 10 MW × 1.3 = 13 MW.
    # GPU cloud at maximum power: 100 × 10.2 kW × 1.2 = 1.224 MW.
    assert facility_mw(FLEET, CAT) == pytest.approx(3.675)
    assert facility_mw(RACKS, CAT) == pytest.approx(3.675)
    assert facility_mw(COLO, CAT) == pytest.approx(13.0)
    assert facility_mw(CLOUD, CAT) == pytest.approx(1.224)
    # O&M is on facility MW for miners, on IT MW for AI (GPU cloud: 100 × 7.5 kW = 0.75 MW).
    assert kind_of(COLO).om_mw(COLO, CAT) == 10.0
    assert kind_of(CLOUD).om_mw(CLOUD, CAT) == pytest.approx(0.75)


def test_months_and_share_in_place():
    n = 24
    assert operating_months(FLEET, n) == (2, 24)
    assert operating_months(FLEET.model_copy(update={"retire": 10}), n) == (2, 10)
    # Colocation goes live at 1 + 5 = 6; its 12-month lease ends at 18, renewed at 40 %.
    share = kind_of(COLO).in_place(COLO, n, 60)
    assert share.tolist() == [0.0] * 6 + [1.0] * 12 + [0.4] * 6
    assert live_mask(COLO, n, 60).tolist() == [False] * 6 + [True] * 18  # live, renewed or not
    # GPU servers live at 6 and, with a 12-month life, run off at 18.
    cloud = kind_of(CLOUD).in_place(CLOUD, n, 12)
    assert cloud.tolist() == [0.0] * 6 + [1.0] * 12 + [0.0] * 6
    assert live_mask(CLOUD, n, 12).tolist() == [False] * 6 + [True] * 12 + [False] * 6


def test_assets_by_kind():
    n, life = 24, 12
    # Own fleet: 1,000 × $3,400 = $3.4 M of ASICs, bought at its start, never sold (None).
    (asics,) = kind_of(FLEET).assets(0, FLEET, CAT, n, life)
    assert (asics.part, asics.value_usd, asics.in_service_month, asics.sale_month) == (
        "asic",
        3.4e6,
        2,
        None,
    )
    # Hosted racks are the client's: no asset.
    assert kind_of(RACKS).assets(1, RACKS, CAT, n, life) == []
    # Colocation: the retrofit, 10 MW × $6 M = $60 M, in service at go-live (month 6).
    (retrofit,) = kind_of(COLO).assets(2, COLO, CAT, n, life)
    assert (retrofit.part, retrofit.capex_usd, retrofit.in_service_month) == ("retrofit", 6e7, 6)
    # GPU cloud (no retrofit set): 100 servers × $295,000 at go-live, sold when they run off.
    (servers,) = kind_of(CLOUD).assets(3, CLOUD, CAT, n, life)
    assert (servers.capex_usd, servers.in_service_month, servers.sale_month) == (2.95e7, 6, 18)


def test_terms_after_the_horizon():
    n, life = 24, 12
    assert kind_of(FLEET).after_horizon(FLEET, n, life) == (None, 0.0)  # runs on
    retired = FLEET.model_copy(update={"end_month": 30})
    assert kind_of(FLEET).after_horizon(retired, n, life) == (6, 0.0)  # 30 − 24 more months
    # The lease ended at 18: nothing more of it, then 40 % for ever.
    assert kind_of(COLO).after_horizon(COLO, n, life) == (0, 0.4)
    # Servers that run off at 6 + 12 = 18: −6 months past the horizon, i.e. none.
    assert kind_of(CLOUD).after_horizon(CLOUD, n, life) == (-6, 0.0)
    replaced = CLOUD.model_copy(update={"gpu_end_of_life": "replace"})
    assert kind_of(CLOUD).after_horizon(replaced, n, life) == (None, 0.0)


def test_hourly_kinds_and_monthly_kinds_are_told_apart_by_their_methods():
    # A kind whose machines mine runs hour by hour; an AI kind adds its revenue by month.
    for kind in KINDS:
        assert hasattr(kind, "run") == kind.mines
        assert hasattr(kind, "revenue") == (not kind.mines)
    assert np.isclose(kind_of(CLOUD).price(CLOUD), 0.0)  # no GPU-hour price set: earns nothing
