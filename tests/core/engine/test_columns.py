"""The monthly table holds exactly the columns ``MONTHLY_COLUMNS`` names, in its order, so the
CSV, the workbook's row labels and the chart legends describe every column the engine makes."""

import numpy as np

from core.engine.columns import MONTHLY_COLUMNS, REVENUE_COLUMNS
from core.engine.evaluation import evaluate
from core.io.example import example_project


def test_every_strategy_has_the_listed_columns_in_order():
    result = evaluate(example_project())
    for s in result.strategies:
        assert list(s.monthly) == list(MONTHLY_COLUMNS)


def test_the_revenue_streams_add_up_to_the_total():
    for s in evaluate(example_project()).strategies:
        streams = sum(s.monthly[c] for c in REVENUE_COLUMNS)
        np.testing.assert_allclose(streams, s.monthly["revenue_total_usd"], rtol=0, atol=1e-6)


def test_labels_and_legend_names_are_unique():
    labels = [c.label for c in MONTHLY_COLUMNS.values()]
    shorts = [c.short for c in MONTHLY_COLUMNS.values()]
    assert len(set(labels)) == len(labels) and len(set(shorts)) == len(shorts)
