"""Invariants that must hold for any inputs (hypothesis)."""

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine.energy import simulate_strategy
from core.engine.evaluation import evaluate
from core.engine.market.context import market_context
from core.model.catalog import bundled_catalog, catalog_for
from core.model.project import TimeOfUsePrice
from tests.core.helpers import miner, tiny_project

prices = st.floats(-50.0, 400.0, allow_nan=False)
models = st.sampled_from(sorted(bundled_catalog().asics))
matrices = st.lists(st.lists(prices, min_size=24, max_size=24), min_size=12, max_size=12)


@settings(max_examples=40, deadline=None)
@given(
    models,
    st.integers(1, 2000),
    prices,
    st.floats(0.1, 200.0),
    st.floats(20_000, 300_000),
    st.floats(0.0, 5.0),
    st.booleans(),
)
def test_higher_power_price_never_raises_mining_npv(
    model, count, price, rise, btc, pool_fee, fixed
):
    energy = (
        {"contract": "fixed_block", "fixed_block_mw": 1.0, "fixed_price_usd_per_mwh": price}
        if fixed
        else {}
    )

    def npv(p):
        e = energy | ({"fixed_price_usd_per_mwh": p} if fixed else {})
        project = tiny_project(
            [miner(asic_model=model, asic_count=count, pool_fee_pct=pool_fee)],
            price=p,
            energy=e,
            market={"btc_price_usd": btc},
            finance={"tax_rate_pct": 21.0, "discount_rate_pct_per_year": 10.0, "horizon_years": 2},
        )
        return evaluate(project).strategies[0].kpis.npv_usd

    assert npv(price + rise) <= npv(price) + 1e-6 * max(1.0, abs(npv(price)))


@settings(max_examples=40, deadline=None)
@given(models, st.integers(1, 500), matrices, st.floats(0.0, 30.0))
def test_curtailment_never_loses_money_under_index_pricing(model, count, matrix, adder):
    project = tiny_project(
        [miner(asic_model=model, asic_count=count)],
        energy={
            "price_source": TimeOfUsePrice(matrix_usd_per_mwh=matrix),
            "tnd_adder_usd_per_mwh": adder,
        },
    )
    ctx, cat = market_context(project), catalog_for(project)
    s = project.strategies[0]
    smart = simulate_strategy(project, s, ctx, cat)
    always = simulate_strategy(project, s, ctx, cat, curtail=False)
    margin = smart.revenue_mining_usd - smart.energy_cost_usd
    forced = always.revenue_mining_usd - always.energy_cost_usd
    assert np.all(margin >= forced - 1e-9 * np.maximum(1.0, np.abs(forced)))


@settings(max_examples=30, deadline=None)
@given(models, st.integers(1, 500), prices, st.dates(date(2026, 1, 2), date(2027, 12, 31)))
def test_a_halving_never_raises_mining_revenue(model, count, price, halving):
    def revenue(when):
        p = tiny_project(
            [miner(asic_model=model, asic_count=count)],
            price=price,
            finance={"horizon_years": 2},
            market={"next_halving_date": when},
        )
        return evaluate(p).strategies[0].monthly["revenue_mining_usd"]

    with_halving, without = revenue(halving.isoformat()), revenue("2040-01-01")
    assert np.all(with_halving <= without + 1e-9)
    month = (halving.year - 2026) * 12 + halving.month - 1
    if halving.day > 1 or month > 0:
        assert with_halving[month:].sum() < without[month:].sum() or without[month:].sum() == 0


@settings(max_examples=25, deadline=None)
@given(
    models,
    st.integers(100, 5000),
    matrices,
    st.floats(0.0, 8.0),
    st.floats(0.0, 20.0),
    st.floats(0.0, 10_000.0),
    st.integers(0, 200),
    st.floats(0.0, 1e6),
    st.booleans(),
)
def test_auto_retirement_never_lowers_npv_below_never(
    model, count, matrix, growth, enrolled, rate, called, fixed_opex, open_site
):
    def project(retire):
        p = tiny_project(
            [miner(asic_model=model, asic_count=count, asic_unit_price_usd=1500.0, retire=retire)],
            energy={"price_source": TimeOfUsePrice(matrix_usd_per_mwh=matrix)},
            market={"difficulty_growth_pct_per_month": growth},
            dr={
                "enrolled_mw": enrolled,
                "capacity_usd_per_mw_month": rate,
                "event_hours_per_year": called,
            },
            site={"fixed_opex_usd_per_year": fixed_opex},
            finance={"tax_rate_pct": 21.0, "discount_rate_pct_per_year": 10.0, "horizon_years": 2},
        )
        s = p.strategies[0].model_copy(update={"keep_site_open": open_site})
        return p.model_copy(update={"strategies": [s]})

    never = evaluate(project("never")).strategies[0]
    auto = evaluate(project("auto")).strategies[0]
    assert auto.kpis.npv_usd >= never.kpis.npv_usd - 1e-6 * max(1.0, abs(never.kpis.npv_usd))
    # Capacity income never exceeds the rate on the enrolled MW, whatever runs.
    for s in (never, auto):
        assert np.all(s.monthly["dr_capacity_usd"] <= rate * enrolled * (1 + 1e-12) + 1e-9)


@settings(max_examples=25, deadline=None)
@given(models, st.integers(1, 5000), st.floats(1.0, 50.0), st.floats(0.0, 10_000.0))
def test_a_fleet_that_never_runs_earns_no_demand_response(model, count, enrolled, rate):
    # $5,000/MWh every hour is above any miner's break-even at these prices: nothing runs.
    p = tiny_project(
        [miner(asic_model=model, asic_count=count)],
        price=5000.0,
        dr={"enrolled_mw": enrolled, "capacity_usd_per_mw_month": rate},
    )
    m = evaluate(p).strategies[0].monthly
    assert m["mining_energy_mwh"].sum() == 0
    assert m["dr_capacity_usd"].sum() == 0
