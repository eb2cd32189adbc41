"""A hosting contract in the workbook: its fees and recharged power are rows of the revenue
total, its O&M and build-out are formulas, and LibreOffice recalculates the app's figures."""

import numpy as np
import openpyxl
import pytest

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.io.xlsx.export import export_workbook
from core.model.project import HostingBlock
from tests.core.io.test_xlsx import fcf_row, kpi_table, needs_soffice, recalculate


@needs_soffice
def test_hosting_recalculates_as_the_app(tmp_path):
    # Keep mining hosts 4,000 client S21s cost-plus with a 10 % profit share, $0.3 M/MW of
    # build-out and O&M; Hybrid hosts 2,000 at $0.08/kWh, firm.
    project = example_project()
    strategies = list(project.strategies)
    hosted = {
        0: HostingBlock(
            name="Client A",
            asic_model="s21",
            asic_count=4000,
            pricing="cost_plus",
            margin_usd_per_kwh=0.015,
            profit_share_pct=10.0,
            infrastructure_usd_per_mw=300_000.0,
            om_usd_per_mw_month=2_000.0,
        ),
        2: HostingBlock(name="Client B", asic_model="s21", asic_count=2000, curtailable=False),
    }
    for k, block in hosted.items():
        s = strategies[k]
        strategies[k] = s.model_copy(update={"blocks": [*s.blocks, block]})
    project = project.model_copy(update={"strategies": strategies})
    path = tmp_path / "hosting.xlsx"
    export_workbook(project, path)
    result = evaluate(project)
    assert result.strategies[0].monthly["revenue_hosting_usd"].sum() > 0
    wb = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    labels = [r[0] for r in wb["Keep mining"].iter_rows(values_only=True)]
    assert "Hosting revenue (third-party miners)" in labels
    for s in result.strategies:
        np.testing.assert_allclose(fcf_row(wb[s.name]), s.fcf, rtol=1e-9, atol=1e-3)
        assert kpi_table(wb)["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)


# Each hosting contract kind beside the site's own fleets, with DR enrolled (40 MW, calls on
# the highest-price hours) and the 2028 halving inside the horizon:
# - Keep mining: Client A, cost-plus and curtailable, passes its capacity income to the
#   client; Client B, $0.055/kWh and curtailable, keeps it. B's rate does not halve, so the
#   order a DR call keeps the blocks in changes at the halving.
# - Hybrid: Client C, $0.07/kWh, firm; Client D, cost-plus, firm.
HOSTED_INPUTS = (
    "strategies[0].blocks[1].margin_usd_per_kwh",
    "strategies[0].blocks[1].profit_share_pct",
    "strategies[0].blocks[1].pool_fee_pct",
    "strategies[0].blocks[2].hosting_usd_per_kwh",
    "strategies[0].blocks[2].pue",
    "strategies[0].blocks[2].asic_count",
    "strategies[2].blocks[3].hosting_usd_per_kwh",
    "strategies[2].blocks[4].margin_usd_per_kwh",
    "strategies[2].blocks[4].profit_share_pct",
    "strategies[2].blocks[4].pue",
    "market.btc_price_usd",
    "site.demand_response.enrolled_mw",
    "site.demand_response.capacity_usd_per_mw_month",
    "site.energy.tnd_adder_usd_per_mwh",
    "site.energy.price_source.spikes.price_usd_per_mwh",
    "site.energy.escalator_pct_per_year",
)
# What a hosting contract moves, compared line by line as well as through NPV.
HOSTED_LINES = (
    "revenue_mining_usd",
    "revenue_hosting_usd",
    "power_passthrough_usd",
    "dr_capacity_usd",
    "revenue_total_usd",
    "energy_cost_usd",
    "energy_mwh",
    "curtailed_mwh",
    "demand_charge_usd",
    "fourcp_charge_usd",
)


def _hosted_project():
    from tests.core.io.test_xlsx_live import _base_project

    project = _base_project()
    added = {
        0: [
            HostingBlock(
                name="Client A",
                asic_model="s19j_pro",
                asic_count=1500,
                pricing="cost_plus",
                margin_usd_per_kwh=0.012,
                profit_share_pct=15.0,
                dr_income="passed",
            ),
            HostingBlock(
                name="Client B", asic_model="s21", asic_count=1200, hosting_usd_per_kwh=0.055
            ),
        ],
        2: [
            HostingBlock(
                name="Client C",
                asic_model="s21",
                asic_count=800,
                curtailable=False,
                hosting_usd_per_kwh=0.07,
            ),
            HostingBlock(
                name="Client D",
                asic_model="s19j_pro",
                asic_count=900,
                curtailable=False,
                pricing="cost_plus",
                margin_usd_per_kwh=0.01,
                profit_share_pct=20.0,
            ),
        ],
    }
    strategies = list(project.strategies)
    for k, blocks in added.items():
        strategies[k] = strategies[k].model_copy(
            update={"blocks": [*strategies[k].blocks, *blocks]}
        )
    return project.model_copy(update={"strategies": strategies})


@needs_soffice
def test_hosting_contracts_are_live(tmp_path):
    from tests.core.io.test_xlsx_live import _same, typed_variants, worst_differences

    project = _hosted_project()
    base = tmp_path / "hosted.xlsx"
    export_workbook(project, base)
    # Formulas, not the engine's values: the fees read the contract's inputs.
    keep = openpyxl.load_workbook(base)["Keep mining"]
    label = "Client B: hosting fee (the rate × the kWh its machines drew)"
    fee = next(r for r in keep.iter_rows() if r[0].value == label)
    assert fee[5].value.startswith("=Inputs!$B$")  # the rate's cell × the kWh drawn
    variants = typed_variants(project, base, HOSTED_INPUTS)
    cases = [("as exported", base, project), *variants]
    assert evaluate(project).strategies[2].monthly["power_passthrough_usd"].sum() > 0
    table = worst_differences(cases, tmp_path, HOSTED_LINES)
    bad = [(p, w) for p, w in table if not w <= 1e-9]
    assert not bad, f"hosting inputs whose recalculation differs from the app: {bad}"
    exported = evaluate(project)
    still = [path for path, _, changed in variants if _same(evaluate(changed), exported)]
    assert not still, f"inputs that move nothing: {still}"


@needs_soffice
def test_a_call_after_the_halving_keeps_the_blocks_in_that_parts_order(tmp_path):
    # Power at $20/MWh but for April's 18:00 ($40) and 19:00 ($39): the year's 50 DR calls
    # are April's thirty 18:00 hours and twenty 19:00 hours, so some fall after the April 2028
    # halving. Client B's $0.063/kWh is $60/MWh (÷ PUE 1.05): below the S21 fleet's value in
    # that month before the halving (about $73/MWh), above it after (about $37, which no
    # longer covers $40 + $4). So a call keeps the fleet ahead of B before the halving and B
    # alone after it: the workbook must cut by each part's order, as the app does hour by hour.
    from tests.core.io.test_xlsx import recalculate_all
    from tests.core.io.test_xlsx_live import _total, typed_variants

    project = _hosted_project()
    matrix = [[20.0] * 24 for _ in range(12)]
    matrix[3][18], matrix[3][19] = 40.0, 39.0
    energy = project.site.energy
    source = energy.price_source.model_copy(
        update={
            "matrix_usd_per_mwh": matrix,
            "spikes": energy.price_source.spikes.model_copy(update={"hours_per_year": 0}),
        }
    )
    energy = energy.model_copy(update={"price_source": source})
    keep = project.strategies[0]
    blocks = list(keep.blocks)
    blocks[0] = blocks[0].model_copy(update={"retire": "never"})  # it mines past the halving
    blocks[2] = blocks[2].model_copy(update={"hosting_usd_per_kwh": 0.063})
    strategies = [keep.model_copy(update={"blocks": blocks}), *project.strategies[1:]]
    project = project.model_copy(
        update={
            "site": project.site.model_copy(update={"energy": energy}),
            "strategies": strategies,
        }
    )
    base = tmp_path / "april.xlsx"
    export_workbook(project, base)
    cached = openpyxl.load_workbook(base, data_only=True)
    rows = {r[0]: r for r in cached["Keep mining"].iter_rows(values_only=True) if r[0]}
    market = {r[0]: r for r in cached["Market"].iter_rows(values_only=True) if r[0]}
    halving = [k for k, v in enumerate(market["Hours after a halving in the month"][5:]) if v]
    assert halving, "no halving in the horizon"
    m = 5 + halving[0]
    before = rows["Client B: share kept running in a DR call (before any halving)"][m]
    after = rows["Client B: share kept running in a DR call (after a halving)"][m]
    assert before < after == 1.0  # the fleet is ahead of B only before the halving
    assert rows["Client B: called hours it would run, before the cut (after a halving)"][m] > 0
    variants = typed_variants(project, base, ("strategies[0].blocks[2].hosting_usd_per_kwh",))
    cases = [(base, project)] + [(copy, p) for _, copy, p in variants]
    for out, (_, p) in zip(recalculate_all([c for c, _ in cases], tmp_path), cases, strict=True):
        wb = openpyxl.load_workbook(out, data_only=True)
        s = evaluate(p).strategies[0]
        assert kpi_table(wb)["NPV"][s.name] == pytest.approx(s.kpis.npv_usd, rel=1e-9)
        for key in ("revenue_hosting_usd", "dr_capacity_usd", "energy_cost_usd"):
            assert _total(wb[s.name], key) == pytest.approx(
                float(s.monthly[key].sum()), rel=1e-9, abs=1e-3
            )


@needs_soffice
def test_a_fixed_block_with_hosting_and_calls_by_load_recalculates_as_the_app(tmp_path):
    # The hosted project on a 60 MW block at $38/MWh, DR calls on the highest-load hours:
    # the block's SUMPRODUCTs take each group's hours not called at the full load and those
    # called at the cut load. As exported, and with the BTC price and the block typed +10 %.
    from tests.core.io.test_xlsx import recalculate_all
    from tests.core.io.test_xlsx_live import _rel, _total, typed_variants

    project = _hosted_project()
    dr = project.site.demand_response.model_copy(update={"events_on": "highest_load"})
    energy = project.site.energy.model_copy(
        update={"contract": "fixed_block", "fixed_block_mw": 60.0, "fixed_price_usd_per_mwh": 38.0}
    )
    site = project.site.model_copy(update={"demand_response": dr, "energy": energy})
    project = project.model_copy(update={"site": site})
    base = tmp_path / "fixed_by_load.xlsx"
    export_workbook(project, base)
    paths = ("market.btc_price_usd", "site.energy.fixed_block_mw")
    cases = [(base, project)] + [(c, p) for _, c, p in typed_variants(project, base, paths)]
    for out, (_, p) in zip(recalculate_all([c for c, _ in cases], tmp_path), cases, strict=True):
        wb = openpyxl.load_workbook(out, data_only=True)
        kpis = kpi_table(wb)
        for s in evaluate(p).strategies:
            assert _rel(kpis["NPV"][s.name], s.kpis.npv_usd) <= 1e-9
            for key in ("energy_cost_usd", "power_credits_usd", "dr_capacity_usd"):
                want = float(s.monthly[key].sum())
                assert abs(_total(wb[s.name], key) - want) <= 1e-9 * max(abs(want), 1.0)
        assert wb["Summary"]["B6"].value == "all pass"
