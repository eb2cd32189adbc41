"""Operating economics a CFO would sign, worked by hand (the unit miner of
tests/core/engine/test_engine_hand.py: one S21, 3.5 kW, break-even $149.68/MWh)."""

import numpy as np
import pytest

from core.engine.energy import simulate_strategy
from core.engine.evaluation import evaluate
from core.engine.market.context import market_context
from core.model.catalog import catalog_for
from core.model.project import TimeOfUsePrice
from tests.core.helpers import miner, tiny_project


def _energy(project):
    ctx = market_context(project)
    return simulate_strategy(project, project.strategies[0], ctx, catalog_for(project))


def _half_day(low: float, high: float) -> TimeOfUsePrice:
    """low for 00:00–11:59, high for 12:00–23:59, every month."""
    return TimeOfUsePrice(matrix_usd_per_mwh=[[low] * 12 + [high] * 12] * 12)


# ----------------------------------------------------------------------------- demand response
def test_capacity_is_earned_on_a_fleet_that_runs_half_the_hours():
    # 2,000 miners = 7 MW. $20 before noon (runs), $500 after (500 > 149.68: curtailed), so the
    # fleet runs 12 h a day. 5 MW enrolled at $6,000/MW-month, no calls: each running hour
    # earns on min(5, 7) = 5 MW, each idle hour on nothing. Any month: 6,000 × 5 × ½ = 15,000.
    # Check the test: capacity ≤ rate × min(enrolled, average running MW)
    # = 6,000 × min(5, 3.5) = 21,000.
    p = tiny_project(
        [miner(asic_count=2000)],
        energy={"price_source": _half_day(20.0, 500.0)},
        dr={"enrolled_mw": 5.0, "capacity_usd_per_mw_month": 6000.0, "event_hours_per_year": 0},
    )
    e = _energy(p)
    assert np.allclose(e.dr_capacity_usd, 15_000.0, rtol=1e-12)
    hours = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744])
    np.testing.assert_allclose(e.mining_energy_mwh, 7.0 * hours / 2, rtol=1e-12)
    average_mw = e.mining_energy_mwh / hours
    assert np.all(e.dr_capacity_usd <= 6000.0 * np.minimum(5.0, average_mw) + 1e-9)


def test_a_fleet_that_never_runs_earns_no_capacity():
    # $500 all day: above the $149.68 break-even in every hour, so nothing runs or is paid.
    p = tiny_project(
        [miner(asic_count=2000)],
        price=500.0,
        dr={"enrolled_mw": 5.0, "capacity_usd_per_mw_month": 6000.0},
    )
    e = _energy(p)
    assert e.mining_energy_mwh.sum() == 0 and e.dr_capacity_usd.sum() == 0


def test_capacity_stops_when_the_fleet_leaves_and_is_capped_by_its_load():
    # 7 MW running every hour ($20 flat), 10 MW enrolled: paid on the 7 MW that can be shed,
    # 6,000 × 7 = 42,000 a month, until the fleet leaves at month 4; then nothing.
    p = tiny_project(
        [miner(asic_count=2000, end_month=4)],
        price=20.0,
        dr={"enrolled_mw": 10.0, "capacity_usd_per_mw_month": 6000.0},
    )
    m = evaluate(p).strategies[0].monthly
    np.testing.assert_allclose(m["dr_capacity_usd"][:4], 42_000.0, rtol=1e-12)
    assert m["dr_capacity_usd"][4:].sum() == 0
    assert m["mining_energy_mwh"][4:].sum() == 0


def test_example_keep_mining_earns_no_capacity_once_its_fleet_stops_running():
    # The example's finding: from 2032 the S21 fleet never runs (hashprice below its power
    # cost), so it must earn no demand-response capacity there.
    from core.io.example import example_project

    m = evaluate(example_project()).by_name("Keep mining").monthly
    idle = m["mining_energy_mwh"] == 0
    assert idle.any()
    assert m["dr_capacity_usd"][idle].sum() == pytest.approx(0.0, abs=1e-6)


# ----------------------------------------------------------------------------- retirement
def _declining_fleet(**kw):
    """A 7 MW fleet whose hashprice falls 6 % a month (difficulty growth), on a time-of-use
    price, with DR enrolment and a 4CP charge, owned miners worth $2,000 each, O&M, fixed
    site opex, 21 % tax and a 10 % discount rate over two years: running it on costs more
    and more, and its resale value falls every month it is kept."""
    return tiny_project(
        [miner(asic_count=2000, asic_unit_price_usd=2000.0, om_usd_per_mw_month=3000.0, **kw)],
        energy={"price_source": _half_day(30.0, 90.0), "fourcp_usd_per_kw_year": 40.0},
        market={"difficulty_growth_pct_per_month": 6.0},
        dr={"enrolled_mw": 3.0, "capacity_usd_per_mw_month": 5000.0, "event_hours_per_year": 20},
        site={"fixed_opex_usd_per_year": 240_000.0},
        finance={"horizon_years": 2, "discount_rate_pct_per_year": 10.0, "tax_rate_pct": 21.0},
    )


def _npv_retired_at(project, month):
    s = project.strategies[0]
    block = s.blocks[0].model_copy(update={"retire": month})
    fixed = project.model_copy(update={"strategies": [s.model_copy(update={"blocks": [block]})]})
    return evaluate(fixed).strategies[0].kpis.npv_usd


def test_auto_retirement_is_the_best_month_found_by_brute_force():
    # Every month 0–23 and "never", each evaluated in full: auto must pick the best (the
    # earliest among equals) and report that NPV.
    project = _declining_fleet(retire="auto")
    brute = {m: _npv_retired_at(project, m) for m in range(24)} | {
        "never": _npv_retired_at(project, "never")
    }
    best = max(brute.values())
    expected = next(m for m, v in brute.items() if v >= best - 1.0)
    result = evaluate(project)
    (chosen,) = result.strategies[0].retirements
    assert chosen.month == (None if expected == "never" else expected)
    assert 0 < chosen.month < 23  # the test means something: neither never nor at once
    assert result.strategies[0].kpis.npv_usd == pytest.approx(best, rel=1e-12)
    assert chosen.npv_gain_usd == pytest.approx(best - brute["never"], rel=1e-9)
    assert result.project.strategies[0].blocks[0].retire == chosen.month


@pytest.mark.parametrize("owned", [True, False])
def test_every_candidate_month_of_the_scan_is_the_full_evaluation(owned):
    # The scan's NPV of each candidate month equals a full evaluation with that month; a
    # bought fleet has a tax basis, deducted at once (100 % bonus) unless sold in its month.
    from core.engine.cashflow import cash_flow_table
    from core.engine.finance.returns import discount_factors
    from core.engine.market.context import market_context
    from core.engine.retirement import _candidate_fcf

    project = _declining_fleet(retire="never", existing_fleet=owned)
    ctx, cat = market_context(project), catalog_for(project)
    s = project.strategies[0]

    def run(strategy):
        e = simulate_strategy(project, strategy, ctx, cat)
        return (e, *cash_flow_table(project, strategy, e, ctx, cat))

    gone = s.model_copy(update={"blocks": [s.blocks[0].model_copy(update={"retire": 0})]})
    months = np.arange(0, 25)
    fcf = _candidate_fcf(project, s, 0, months, ctx, cat, run(s), run(gone))
    scanned = fcf @ discount_factors(10.0, 24)
    for r in months:
        full = _npv_retired_at(project, int(r) if r < 24 else "never")
        assert scanned[r] == pytest.approx(full, rel=1e-10, abs=1e-6), r


def test_retired_fleet_is_sold_and_stops_paying():
    # Retired at month 5: no revenue, energy, O&M or DR from month 5; the miners are sold at
    # 5 for 4,000,000 × (1 − 5/36) (ASIC life 3 years, no tax basis: all gain) × the
    # hashprice then over month 0's: difficulty +6 % a month at a flat BTC price, so
    # 1.06^−5; and with no other block the site closes, so the $20,000 a month of fixed opex
    # stops too.
    m = evaluate(_declining_fleet(retire=5)).strategies[0].monthly
    assert m["revenue_mining_usd"][5:].sum() == 0 and m["revenue_mining_usd"][:5].min() > 0
    assert m["dr_capacity_usd"][5:].sum() == 0 and m["energy_cost_usd"][5:].sum() == 0
    assert m["hashprice_usd_per_ph_day"][5] / m["hashprice_usd_per_ph_day"][0] == pytest.approx(
        1.06**-5, rel=1e-12
    )
    assert m["salvage_usd"][5] == pytest.approx(4_000_000 * (1 - 5 / 36) * 1.06**-5, rel=1e-12)
    np.testing.assert_allclose(m["opex_usd"][5:], 0.0)
    assert m["opex_usd"][0] == pytest.approx(20_000 + 7.0 * 3000.0, rel=1e-12)


def test_the_site_can_stay_open_after_its_last_block():
    project = _declining_fleet(retire=5)
    s = project.strategies[0].model_copy(update={"keep_site_open": True})
    m = evaluate(project.model_copy(update={"strategies": [s]})).strategies[0].monthly
    np.testing.assert_allclose(m["opex_usd"][5:], 20_000.0, rtol=1e-12)


def test_a_fleet_never_retires_after_its_end_month():
    # end_month 8: auto may choose 0–8; month 8 is simply its end.
    result = evaluate(_declining_fleet(retire="auto", end_month=8))
    (chosen,) = result.strategies[0].retirements
    assert chosen.month is None or chosen.month <= 8
    assert result.strategies[0].monthly["revenue_mining_usd"][8:].sum() == 0


def _two_fleets(events_on="highest_price", **energy):
    """An S21 fleet losing 30 % a year and an M60S fleet (less efficient than a new S21, more
    than one a year old: their order changes between the years), a colocation tenant, DR
    calls on 300 hours a year with 4 MW enrolled (less than the fleets), a demand charge and
    4CP."""
    from core.model.project import AiBlock

    blocks = [
        miner(name="Old", asic_count=1500, derate_pct_per_year=30.0),
        miner(name="New", asic_model="m60s", asic_count=1000),
        AiBlock(name="AI", it_mw=2.0, colo_usd_per_kw_month=100.0, conversion_months=4),
    ]
    return tiny_project(
        blocks,
        energy={
            "price_source": _half_day(30.0, 90.0),
            "fourcp_usd_per_kw_year": 40.0,
            "demand_charge_usd_per_kw_month": 5.0,
        }
        | energy,
        market={"difficulty_growth_pct_per_month": 3.0},
        dr={
            "enrolled_mw": 4.0,
            "capacity_usd_per_mw_month": 5000.0,
            "event_hours_per_year": 300,
            "events_on": events_on,
        },
        finance={"horizon_years": 2},
    )


@pytest.mark.parametrize(
    ("energy", "events_on"),
    [
        ({}, "highest_price"),
        (
            {"contract": "fixed_block", "fixed_block_mw": 6.0, "fixed_price_usd_per_mwh": 45.0},
            "highest_price",
        ),
        ({}, "highest_load"),  # the calls follow the load, month by month
    ],
)
def test_the_spliced_run_of_a_retired_fleet_is_its_simulation(energy, events_on):
    # The scan never simulates the month it chooses: it splices the run with the fleet on
    # (before the month) and without it (from the month). Every monthly sum, the 4CP peaks
    # and every hour of both fleets must equal simulating the retirement.
    from core.engine.retirement import spliced

    project = _two_fleets(events_on, **energy)
    ctx, cat = market_context(project), catalog_for(project)
    s = project.strategies[0]

    def retired(j, r):
        blocks = list(s.blocks)
        blocks[j] = blocks[j].model_copy(update={"retire": r})
        return s.model_copy(update={"blocks": blocks})

    for j, lo in ((0, 0), (1, 0)):
        a = simulate_strategy(project, s, ctx, cat)
        b = simulate_strategy(project, retired(j, lo), ctx, cat)
        for r in (lo, 5, 13, 23):
            got = spliced(project, ctx, s, j, r, a, b)
            want = simulate_strategy(project, retired(j, r), ctx, cat)
            for name in vars(want):
                if name not in ("hourly", "block_revenue_usd"):
                    np.testing.assert_allclose(
                        getattr(got, name), getattr(want, name), rtol=1e-12, atol=1e-9
                    )
            for year in range(2):
                span = (year * 8760, (year + 1) * 8760)
                for g, w in zip(got.hourly.window(*span), want.hourly.window(*span), strict=True):
                    assert g.keys() == w.keys()
                    for key in w:
                        np.testing.assert_array_equal(g[key], w[key])


def test_a_called_hour_cuts_the_fleet_worth_least_in_that_hour():
    # Two fleets of about 1 MW each at a flat $40, DR called in every hour with A's 1.0004 MW
    # enrolled: capacity 2.0014 MW − 1.0004 enrolled = 1.001 MW may run. Fleet A (S19j Pro,
    # 100 TH/s at 3,050 W) earns less per MWh than fleet B (S21, 200 TH/s at 3,500 W), so A
    # is cut and B runs in every called hour: B's revenue is its full-run revenue, A's nothing.
    a = miner(name="A", asic_model="s19j_pro", asic_count=328)  # 328 × 3,050 W = 1.0004 MW
    b = miner(name="B", asic_count=286)  # 286 × 3,500 W = 1.001 MW
    dr = {"enrolled_mw": 1.0004, "capacity_usd_per_mw_month": 0.0, "event_hours_per_year": 8760}
    project = tiny_project([a, b], dr=dr)
    alone = _energy(tiny_project([b])).revenue_mining_usd
    e = _energy(project)
    np.testing.assert_allclose(e.revenue_mining_usd, alone, rtol=1e-12)
    load, _, _ = e.hourly.window(0, 8760)
    assert load["A"].max() == pytest.approx(0.0, abs=1e-9)
    assert load["B"].min() == pytest.approx(1.001, rel=1e-12)


# ----------------------------------------------------------------------------- interconnect
def test_colocation_counts_contracted_it_capacity_at_its_pue():
    # 90 MW of IT at PUE 1.3 may be drawn in full at any hour: 117 MW on a 100 MW
    # interconnect, whatever the 80 % load factor says about energy. 70 MW IT: 91 MW, fine.
    from core.model.project import AiBlock

    def warnings(it_mw):
        ai = AiBlock(it_mw=it_mw, colo_usd_per_kw_month=140.0, pue=1.3, it_load_factor_pct=80.0)
        p = tiny_project([ai], site={"interconnect_mw": 100.0})
        return evaluate(p).strategies[0].warnings

    (warning,) = warnings(90.0)
    assert "it can draw 117.0 MW, above the 100.0 MW interconnect, in 12 month(s)" in warning
    assert warnings(70.0) == []


def test_gpu_servers_count_at_their_maximum_power():
    # 8,000 HGX H100 servers × 10.2 kW max × PUE 1.3 = 106.08 MW > 100 (typical draw would
    # give less: the check must use what can be drawn).
    from core.model.project import AiBlock

    ai = AiBlock(business_model="gpu_cloud", server_count=8000, gpu_hour_usd=2.0, pue=1.3)
    p = tiny_project([ai], site={"interconnect_mw": 100.0})
    (warning,) = evaluate(p).strategies[0].warnings
    assert "it can draw 106.1 MW" in warning


# ----------------------------------------------------------------------------- grid charges
def test_a_pass_through_tenant_pays_its_demand_charge_and_4cp_share():
    # 10 MW IT at PUE 1.2 and a 100 % load factor = 12 MW, live from month 0, power passed
    # through; $8/kW-month demand charge and $60/kW-year 4CP. Demand: 12,000 kW × 8 = 96,000
    # a month; 4CP: 12,000 × 60 / 12 = 60,000 a month. Both pass through, as the energy does:
    # the landlord's grid cost nets to zero. With power included the landlord pays them.
    from core.model.project import AiBlock

    def monthly(passthrough):
        ai = AiBlock(
            it_mw=10.0,
            colo_usd_per_kw_month=150.0,
            pue=1.2,
            it_load_factor_pct=100.0,
            power_passthrough=passthrough,
        )
        p = tiny_project(
            [ai],
            energy={"demand_charge_usd_per_kw_month": 8.0, "fourcp_usd_per_kw_year": 60.0},
        )
        return evaluate(p).strategies[0].monthly

    m = monthly(True)
    np.testing.assert_allclose(m["demand_charge_usd"], 96_000.0, rtol=1e-12)
    np.testing.assert_allclose(m["fourcp_charge_usd"], 60_000.0, rtol=1e-12)
    grid = m["energy_cost_usd"] + m["demand_charge_usd"] + m["fourcp_charge_usd"]
    np.testing.assert_allclose(grid, m["power_passthrough_usd"], rtol=1e-12)
    included = monthly(False)
    assert included["power_passthrough_usd"].sum() == 0
    np.testing.assert_allclose(included["demand_charge_usd"], 96_000.0, rtol=1e-12)


def test_4cp_is_billed_over_the_year_after_the_summer_that_set_it():
    # The unit miner (3.5 kW) runs year 1 only (end month 12) of a two-year horizon, at the
    # $60/kW-year 4CP: year 1's summer peaks set 3.5 × 60 / 12 = 17.50 a month, billed over
    # year 2, after the miner has gone. Year 1 itself, whose previous summer the model does
    # not have, is billed on its own peaks.
    p = tiny_project(
        [miner(end_month=12)],
        energy={"fourcp_usd_per_kw_year": 60.0},
        finance={"horizon_years": 2},
    )
    m = evaluate(p).strategies[0].monthly
    np.testing.assert_allclose(m["fourcp_charge_usd"], 17.5, rtol=1e-12)
    assert m["mining_energy_mwh"][12:].sum() == 0


def test_straight_line_resale_only_ages_the_miners():
    # The switch kept for older files: 4,000,000 × (1 − 5/36), whatever hashprice did.
    p = _declining_fleet(retire=5)
    p = p.model_copy(
        update={"finance": p.finance.model_copy(update={"asic_resale": "straight_line"})}
    )
    m = evaluate(p).strategies[0].monthly
    assert m["salvage_usd"][5] == pytest.approx(4_000_000 * (1 - 5 / 36), rel=1e-12)


# ----------------------------------------------------------------------------- terminal value
def test_terminal_value_is_disclosed_and_can_be_left_out():
    # 1 MW IT colocation at $100/kW-month, no costs, over one year at 0 % discount, with a
    # $12 M retrofit (facility class, 15-year life, residual set to 0 %): held at the horizon
    # it sells for 12 M × (1 − 12/180) = 11.2 M, which is the terminal value.
    # Revenue 12 × 100,000 = 1.2 M, so NPV = −12 + 1.2 + 11.2 = 0.4 M and the
    # terminal value is 11.2 / 0.4 = 2,800 % of it. Without a terminal value: 1.2 − 12.
    from core.model.project import AiBlock

    def project(terminal):
        ai = AiBlock(it_mw=1.0, colo_usd_per_kw_month=100.0, pue=1.0, retrofit_usd_per_mw=12e6)
        p = tiny_project([ai])
        fin = p.finance.model_copy(
            update={
                "terminal_value": terminal,
                "residual_value_pct": p.finance.residual_value_pct.model_copy(
                    update={"facility": 0.0}
                ),
            }
        )
        return p.model_copy(update={"finance": fin})

    k = evaluate(project("book_value")).strategies[0].kpis
    assert k.terminal_value_pv_usd == pytest.approx(12e6 * (1 - 12 / 180), rel=1e-12)
    assert k.npv_usd == pytest.approx(-12e6 + 1.2e6 + 11.2e6, rel=1e-12)
    assert k.terminal_value_share_of_npv == pytest.approx(11.2 / 0.4, rel=1e-9)
    none = evaluate(project("none")).strategies[0].kpis
    assert none.npv_usd == pytest.approx(-12e6 + 1.2e6, rel=1e-12)
    assert none.terminal_value_pv_usd == 0 and none.terminal_value_share_of_npv is None


# ----------------------------------------------------------------------------- leases
def _lease(**kw):
    from core.model.project import AiBlock

    ai = AiBlock(
        it_mw=1.0,
        colo_usd_per_kw_month=100.0,
        pue=1.0,
        it_load_factor_pct=100.0,
        om_usd_per_mw_month=2_000.0,
        lease_term_months=12,
        **kw,
    )
    return evaluate(tiny_project([ai], finance={"horizon_years": 2})).strategies[0].monthly


def test_a_lease_that_ends_without_renewal_stops_revenue_load_and_om():
    # 1 MW at $100/kW-month: 100,000 a month for the 12 months of the lease, then nothing:
    # no revenue, no energy (1 MW × $40 × hours before), no O&M (2,000 a month before).
    m = _lease()
    np.testing.assert_allclose(m["revenue_colocation_usd"][:12], 100_000.0, rtol=1e-12)
    assert m["revenue_colocation_usd"][12:].sum() == 0
    assert m["energy_cost_usd"][0] == pytest.approx(744 * 40.0, rel=1e-12)
    assert m["energy_cost_usd"][12:].sum() == 0 and m["opex_usd"][12:].sum() == 0


def test_a_renewal_continues_as_its_expectation():
    # Renewed with 60 % probability at $120: 0.6 × 1,000 kW × 120 = 72,000 a month after the
    # lease, load and O&M at 60 %: energy 0.6 × 744 × $40 in January of year two, O&M 1,200.
    m = _lease(renewal_probability_pct=60.0, renewal_usd_per_kw_month=120.0)
    np.testing.assert_allclose(m["revenue_colocation_usd"][12:], 72_000.0, rtol=1e-12)
    assert m["energy_cost_usd"][12] == pytest.approx(0.6 * 744 * 40.0, rel=1e-12)
    assert m["opex_usd"][12] == pytest.approx(1_200.0, rel=1e-12)


def _halving_fleet(retire, halving: str, years: int = 2):
    # 2,000 miners at $2,000 (ASIC life 3 years), flat BTC price, no difficulty growth and no
    # fees: hashprice is a constant × the subsidy, 3.125 BTC until the halving, 1.5625 after.
    return tiny_project(
        [miner(asic_count=2000, asic_unit_price_usd=2000.0, retire=retire)],
        market={"next_halving_date": halving},
        finance={"horizon_years": years},
    )


def test_a_fleet_sold_before_a_known_halving_fetches_what_the_months_ahead_are_worth():
    # Halving on 2026-07-01 (month 6). The buyer prices the mean hashprice of the 12 months
    # from the sale over the same mean from month 0: F(0) = (6 × 3.125 + 6 × 1.5625) / 12.
    # Sold in month 5: (1 × 3.125 + 11 × 1.5625) / 12 = 20.3125 / 12 → index 20.3125 / 28.125
    # = 0.7222; in month 7: 12 × 1.5625 / 12 → 18.75 / 28.125 = 0.6667. So the two differ by
    # the age factor (31/36 against 29/36) and those means only, not 2 : 1 as at spot.
    for month, age, window in ((5, 31 / 36, 20.3125), (7, 29 / 36, 18.75)):
        m = evaluate(_halving_fleet(month, "2026-07-01")).strategies[0].monthly
        want = 4_000_000 * age * window / 28.125
        assert m["salvage_usd"][month] == pytest.approx(want, rel=1e-12), month
    spot = _halving_fleet(5, "2026-07-01")
    spot = spot.model_copy(
        update={"finance": spot.finance.model_copy(update={"asic_resale": "hashprice"})}
    )
    m = evaluate(spot).strategies[0].monthly
    assert m["salvage_usd"][5] == pytest.approx(4_000_000 * 31 / 36, rel=1e-12)


def test_miners_held_to_the_horizon_end_are_valued_on_the_months_after_it():
    # One year, held to the end (book value), the halving three months after it (2027-04-01).
    # Sold in month 11 at 4,000,000 × (1 − 12/36): the 12 months from month 11 are months
    # 11–14 at 3.125 and 15–22 at 1.5625, so the index is (4 × 3.125 + 8 × 1.5625) / (12 ×
    # 3.125) = 25 / 37.5 = 2/3 (months 12–22 are the market's projection past the horizon).
    m = evaluate(_halving_fleet("never", "2027-04-01", years=1)).strategies[0].monthly
    assert m["salvage_usd"][11] == pytest.approx(4_000_000 * (24 / 36) * (2 / 3), rel=1e-12)
