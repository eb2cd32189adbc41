"""The one-row shortcuts give the same bits as the general code: the loss-limited tax, the
30 % interest limit and the debt schedule each have a path for a single row (the monthly
table's, on Python floats) beside the one for many rows (the Monte Carlo's). A row computed
alone must equal the same row computed among others, to the last bit."""

import numpy as np
import pytest

from core.engine.debt import debt_paths, deductible_interest
from core.engine.evaluation import evaluate
from core.engine.finance.tax import tax_with_loss_limit
from core.io.example import example_project
from core.model.project import Financing


def _rows(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1e6, (3, n)) * (rng.random((3, n)) < 0.7)
    x[:, : n // 4] -= 4e6  # early losses, carried into later years
    return x


@pytest.mark.parametrize("n", [1, 11, 12, 120, 127])
def test_the_loss_limited_tax_of_one_row_is_that_row_among_others(n):
    x = _rows(n, n)
    many = tax_with_loss_limit(x, 21.0, 80.0)
    for k in range(3):
        assert np.array_equal(tax_with_loss_limit(x[k], 21.0, 80.0), many[k])
        assert np.array_equal(tax_with_loss_limit(x[k : k + 1], 21.0, 80.0)[0], many[k])


def test_the_interest_limit_of_one_row_is_that_row_among_others():
    interest = np.abs(_rows(1, 120)) / 20
    ebitda = _rows(2, 120)
    many = deductible_interest(interest, ebitda)
    for k in range(3):
        alone = deductible_interest(interest[k : k + 1], ebitda[k : k + 1])
        assert np.array_equal(alone[0], many[k])


# Loans sized on cost with a level schedule (with a sweep, the month-by-month loop). DSCR
# sizing and sculpting are left out: their present values are matrix products, whose last bit
# depends on how many rows BLAS is given (7e-9 USD on a $100 M loan), shortcut or not.
@pytest.mark.parametrize(
    "financing",
    [
        Financing(),
        Financing(repayment="straight_line", dsra_months=3),
        Financing(cash_sweep_pct=50.0, tenor_months=84),
    ],
)
def test_the_debt_schedule_of_one_path_is_that_path_among_others(financing):
    project = example_project()
    strategy = project.strategies[1].model_copy(update={"financing": financing})
    project = project.model_copy(update={"strategies": [project.strategies[0], strategy]})
    result = evaluate(project)
    t = result.strategies[1].monthly
    keys = ("ebitda_usd", "tax_usd", "taxable_income_usd", "fcf_usd")
    one = {k: t[k][None, :] for k in keys}
    scale = np.array([[1.0], [0.9], [1.1]])  # other paths beside it: higher and lower EBITDA
    three = {k: t[k][None, :] * scale for k in keys}
    three = {k: np.vstack([t[k][None, :], v[1:]]) for k, v in three.items()}
    operated = result.project.strategies[1]
    alone = debt_paths(result.project, operated, t["capex_usd"], **one)
    among = debt_paths(result.project, operated, t["capex_usd"], **three)
    for k, v in alone.items():
        assert np.array_equal(v[0], among[k][0]), k
