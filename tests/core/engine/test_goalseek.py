"""Goal seek against break-evens worked out by hand.

The unit miner (test_engine_hand.py) earns 0.5238690 USD an hour at $100,000/BTC: 4,589.092 a
year, and draws 3.5 kW: 30.66 MWh a year. The site has $1,000 a year of fixed opex; no tax, no
discounting, one year, flat $40/MWh.
"""

import pytest

from core.engine.evaluation import evaluate
from core.engine.goalseek import breakeven_btc, breakeven_power, goal_seek, required_ai_price
from core.model.project import AiBlock
from tests.core.helpers import miner, tiny_project

YEAR_REVENUE = 1e15 * 86400 * 3.125 * 100_000 / (1e14 * 2**32) * 0.2 * 365  # 4,589.092


def _project(blocks, **kw):
    return tiny_project(blocks, price=40.0, site={"fixed_opex_usd_per_year": 1000.0}, **kw)


def test_breakeven_power_price():
    # NPV = 4,589.092 − 30.66 p − 1,000 = 0  →  p = 3,589.092 / 30.66 = 117.0611 $/MWh
    # (below the 149.68 at which the miner would stop, so it runs every hour).
    p = _project([miner()])
    solved = breakeven_power(p, p.strategies[0])
    assert solved.value == pytest.approx((YEAR_REVENUE - 1000) / 30.66, rel=1e-5)
    assert solved.unit == "USD/MWh"


def test_breakeven_btc_price():
    # Revenue scales with the BTC price: 4,589.092 × P / 100,000 = 30.66 × 40 + 1,000 = 2,226.4
    # → P = 48,514.6 (the miner still covers $40/MWh there, so it runs every hour).
    p = _project([miner()])
    solved = breakeven_btc(p, p.strategies[0])
    assert solved.value == pytest.approx(2226.4 / YEAR_REVENUE * 100_000, rel=1e-5)


def test_required_colocation_price_for_target_irr():
    # 1 MW IT, tenant draws all of it at PUE 1 (power not passed through): 8,760 MWh × $40 =
    # 350,400. Retrofit $1 M in month 0, 15-year life, no residual: worth 1 M × (1 − 12/180) =
    # 933,333.33 at the horizon. With the site's $1,000 opex, a 0 % target IRR needs
    #   12 × 1,000 kW × x = 1,000,000 + 350,400 + 1,000 − 933,333.33  →  x = 34.8390 $/kW-month.
    ai = AiBlock(
        it_mw=1.0,
        colo_usd_per_kw_month=100.0,
        pue=1.0,
        it_load_factor_pct=100.0,
        power_passthrough=False,
        retrofit_usd_per_mw=1e6,
    )
    p = _project([ai], finance={"target_irr_pct_per_year": 0.0})
    solved = required_ai_price(p, p.strategies[0])
    assert solved.value == pytest.approx(
        (1e6 + 350_400 + 1000 - 1e6 * (1 - 12 / 180)) / 12_000, rel=1e-6
    )
    assert solved.unit == "USD/kW-month"
    # And at that price the IRR is indeed the target (0 %).
    priced = p.model_copy(
        update={
            "strategies": [
                p.strategies[0].model_copy(
                    update={
                        "blocks": [ai.model_copy(update={"colo_usd_per_kw_month": solved.value})]
                    }
                )
            ]
        }
    )
    assert evaluate(priced).strategies[0].kpis.npv_usd == pytest.approx(0.0, abs=1e-3)


def test_answers_that_do_not_exist_say_why():
    ai = AiBlock(it_mw=1.0, colo_usd_per_kw_month=100.0)
    p = _project([ai])
    g = goal_seek(p, p.strategies[0])
    assert g.breakeven_btc.value is None and "no mining" in g.breakeven_btc.note
    assert g.breakeven_power.value is None
    m = _project([miner()])
    assert goal_seek(m, m.strategies[0]).required_ai_price.note == "strategy has no AI block"


def test_interconnect_overload_is_warned():
    # 40,000 S21 × 3.5 kW × PUE 1 = 140 MW on a 100 MW interconnect.
    p = tiny_project([miner(asic_count=40_000)], site={"interconnect_mw": 100.0})
    (warning,) = evaluate(p).strategies[0].warnings
    assert "it can draw 140.0 MW, above the 100.0 MW interconnect" in warning
