"""Where demand-response calls fall: the year's highest-price hours (when a fleet may be
curtailed anyway) or, month by month as many, the hours the fleets would otherwise run with
the most load (``events_on = "highest_load"``), worked by hand on the unit miner."""

import numpy as np
import pytest

from core.engine.energy import called_hours, simulate_strategy
from core.engine.market.context import market_context
from core.model.catalog import catalog_for
from tests.core.engine.test_economics import _half_day, _two_fleets
from tests.core.helpers import miner, tiny_project

JAN_RUNNING_HOURS = 31 * 12


def _fleet(events_on):
    # 2,000 miners = 7 MW; $20 before noon (runs), $500 after (above the $149.68 break-even:
    # curtailed). 24 called hours a year with all 7 MW enrolled at $6,000/MW-month.
    return tiny_project(
        [miner(asic_count=2000)],
        energy={"price_source": _half_day(20.0, 500.0)},
        dr={
            "enrolled_mw": 7.0,
            "capacity_usd_per_mw_month": 6000.0,
            "event_hours_per_year": 24,
            "events_on": events_on,
        },
    )


def _run(project):
    ctx, cat = market_context(project), catalog_for(project)
    s = project.strategies[0]
    return called_hours(project, s, ctx, cat), simulate_strategy(project, s, ctx, cat)


def test_price_calls_cost_nothing_and_load_calls_cost_the_hours_they_take():
    # Price rule: the 24 highest prices are $500 hours, all tied, so the earliest: 1 and 2
    # January, 12:00–23:59. The fleet is curtailed then anyway: nothing is lost, and the
    # capacity is earned on all 372 running hours of January: 6,000 × 7 × 372 / 744.
    # Load rule: January keeps its 24 calls, on the hours the fleet runs (7 MW, tied; same
    # $20 price), so the earliest: 1 and 2 January, 00:00–11:59. Each cuts the whole fleet:
    # January's mining revenue and energy fall by 24/372, capacity to 348 hours.
    price_hours, by_price = _run(_fleet("highest_price"))
    load_hours, by_load = _run(_fleet("highest_load"))
    assert price_hours.tolist() == [*range(12, 24), *range(36, 48)]
    assert load_hours.tolist() == [*range(0, 12), *range(24, 36)]
    jan_price, jan_load = by_price.revenue_mining_usd[0], by_load.revenue_mining_usd[0]
    assert jan_load == pytest.approx(jan_price * (JAN_RUNNING_HOURS - 24) / JAN_RUNNING_HOURS)
    assert by_price.mining_energy_mwh[0] == pytest.approx(7.0 * JAN_RUNNING_HOURS)
    assert by_load.mining_energy_mwh[0] == pytest.approx(7.0 * (JAN_RUNNING_HOURS - 24))
    assert by_price.dr_capacity_usd[0] == pytest.approx(6000 * 7 * 372 / 744, rel=1e-12)
    assert by_load.dr_capacity_usd[0] == pytest.approx(6000 * 7 * 348 / 744, rel=1e-12)
    # Every other month is untouched by either rule.
    np.testing.assert_allclose(by_load.revenue_mining_usd[1:], by_price.revenue_mining_usd[1:])


def test_load_calls_keep_each_months_count_and_go_where_the_fleets_run():
    # Two fleets on 300 calls a year: every month has as many calls under both rules, and
    # under the load rule each call hour has at least as much load running before the call
    # as any hour of its month left uncalled.
    project = _two_fleets("highest_load")
    ctx, cat = market_context(project), catalog_for(project)
    s = project.strategies[0]
    hours = called_hours(project, s, ctx, cat)
    month = ctx.tl.hour_month
    np.testing.assert_array_equal(
        np.bincount(month[hours], minlength=24), np.bincount(month[ctx.dr_hours], minlength=24)
    )
    assert not np.array_equal(hours, ctx.dr_hours)
    dr = project.site.demand_response.model_copy(update={"enrolled_mw": 0.0})  # no cut
    uncut = project.model_copy(
        update={"site": project.site.model_copy(update={"demand_response": dr})}
    )
    before = simulate_strategy(uncut, s, ctx, cat)
    load = sum(
        np.pad(run.frac * run.facility_mw, (run.first, ctx.tl.n_hours - run.stop))
        for _, run in before.hourly.mining
    )
    called = np.zeros(ctx.tl.n_hours, dtype=bool)
    called[hours] = True
    for m in np.unique(month[hours]):
        inside = month == m
        assert load[called & inside].min() >= load[~called & inside].max() - 1e-9
