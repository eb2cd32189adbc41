"""The Compare tab's debt charts: one line per strategy that borrows, DSCR only where debt is
serviced, each strategy's covenant."""

import numpy as np

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.model.project import Financing
from gui.dashboard.debtchart import DebtCharts


def test_debt_charts_show_the_strategies_that_borrow(qtbot):
    # Given 60 % LTC on every strategy, only Convert to AI and Hybrid have capex to borrow
    # against; their DSCR lines have gaps before repayment and their covenant at 1.25×.
    project = example_project()
    fin = Financing(ltc_pct=60.0, target_dscr=1.25)
    project = project.model_copy(
        update={"strategies": [s.model_copy(update={"financing": fin}) for s in project.strategies]}
    )
    charts = DebtCharts()
    qtbot.addWidget(charts)
    result = evaluate(project)
    charts.update_result(result)
    assert set(charts.balance.curves) == {"Convert to AI", "Hybrid"}
    _, y = charts.dscr.curves["Convert to AI"].getData()
    assert np.isnan(y[0]) and np.nanmin(y) > 1.25
    assert [line.value() for line in charts.dscr.covenants] == [1.25, 1.25]
    assert not charts.isHidden()
    # Financing removed: the lines go, and the empty charts are hidden.
    charts.update_result(evaluate(example_project()))
    assert not charts.balance.curves and not charts.dscr.covenants
    assert charts.isHidden()
