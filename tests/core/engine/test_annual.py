"""The annual statement: lines add up to their subtotals year by year, and the totals are the
monthly table's sums (worked from the table's own columns, not from the statement's code)."""

import numpy as np
import pytest

from core.engine.columns import annual_statement
from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.model.project import Financing


@pytest.fixture(scope="module")
def result():
    base = example_project()
    convert = base.strategies[1].model_copy(update={"financing": Financing()})
    return evaluate(base.model_copy(update={"strategies": [base.strategies[0], convert]}))


def test_lines_add_up_to_each_subtotal(result):
    for s in result.strategies:
        st = annual_statement(s.monthly, result.months)
        assert len(st.years) == 10 and st.years[0] == "Year 1 (2027-01 to 2027-12)"
        # EBITDA = revenue − costs; FCF = EBITDA − capex + sales + TV − tax; equity = FCF +
        # debt flows: each subtotal is the one above plus the lines between them.
        running = np.zeros(st.values_usd.shape[1])
        for label, kind, row in zip(st.labels, st.kinds, st.values_usd, strict=True):
            if kind == "total":
                np.testing.assert_allclose(running, row, rtol=1e-9, atol=1e-3, err_msg=label)
                running = row.copy()
            else:
                running = running + row
        np.testing.assert_allclose(st.values_usd[:, -1], st.values_usd[:, :-1].sum(axis=1))


def test_totals_are_the_monthly_sums(result):
    convert = result.strategies[1]
    st = annual_statement(convert.monthly, result.months)
    row = dict(zip(st.labels, st.values_usd, strict=True))
    m = convert.monthly
    assert row["Free cash flow"][-1] == pytest.approx(m["fcf_usd"].sum())
    assert row["Capex"][0] == pytest.approx(-m["capex_usd"][:12].sum())
    assert row["Equity cash flow"][-1] == pytest.approx(m["equity_fcf_usd"].sum())
    assert (
        row["Debt drawn"][-1] == pytest.approx(m["debt_draw_usd"].sum())
        and row["Debt drawn"][-1] > 0
    )
    keep = annual_statement(result.strategies[0].monthly, result.months)
    assert "Debt drawn" not in keep.labels and "Equity cash flow" in keep.labels


def test_tsv_pastes_as_numbers(result):
    st = annual_statement(result.strategies[1].monthly, result.months)
    lines = st.tsv().splitlines()
    assert lines[0].split("\t")[:2] == ["USD", "Year 1 (2027-01 to 2027-12)"]
    capex = next(line for line in lines if line.startswith("Capex\t")).split("\t")
    assert float(capex[1]) < 0 and "\u2212" not in capex[1]
    assert len(capex) == 12  # label, 10 years, total


def test_a_book_value_sale_is_shown_once_as_terminal_value(result):
    # Book value: the horizon-end sale is the terminal value, not also an asset sale.
    convert = result.strategies[1]
    st = annual_statement(convert.monthly, result.months)
    row = dict(zip(st.labels, st.values_usd, strict=True))
    m = convert.monthly
    assert m["terminal_value_usd"].sum() > 0
    assert row["Terminal value"][-1] == pytest.approx(m["terminal_value_usd"].sum())
    assert row.get("Asset sales", np.zeros(11))[-1] == pytest.approx(
        m["salvage_usd"].sum() - m["terminal_value_usd"].sum(), abs=1e-3
    )
