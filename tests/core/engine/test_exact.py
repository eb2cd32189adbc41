"""Powers and dot products with the same bits on every CPU: accurate against exact rational
arithmetic, and the engine calls none of numpy's CPU-dispatched power, exp or log kernels."""

import ast
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine.finance.returns import discount_factors, irr, npv
from core.engine.market.exact import dot, power_table, powers

ENGINE = Path(__file__).resolve().parents[3] / "core" / "engine"
ULP = 2.0**-52


@settings(max_examples=60, deadline=None)
@given(
    # Monthly factors of 0.8 to 1.25 (−93 % to +1,355 % a year) stay normal floats to k = 1,500.
    base=st.floats(min_value=0.8, max_value=1.25, allow_nan=False),
    n=st.integers(min_value=1, max_value=1_500),
)
def test_power_table_is_within_about_k_roundings_of_the_exact_power(base, n):
    # Squaring doubles a relative error and adds a rounding, so b ** 2^i is within 2^i
    # roundings; each doubling of the table adds one more.
    table = power_table(base, n)
    exact = Fraction(base)
    for k in sorted({0, 1, 2, 3, n // 3, n // 2, n - 1} & set(range(n))):
        want = exact**k
        bound = (k + 2 * k.bit_length()) * ULP
        assert abs(Fraction(table[k]) - want) <= Fraction(bound) * want, (k, table[k])


def test_discount_factors_match_numpy_financial_and_a_hand_value():
    # 12 % a year is 0.9489 % a month; month 12's factor is 1 / 1.12 exactly in reals.
    df = discount_factors(12.0, 121)
    assert df[0] == 1.0
    assert df[12] == pytest.approx(1 / 1.12, rel=1e-15)
    assert df[120] == pytest.approx(1 / 1.12**10, rel=1e-14)
    flows = np.r_[-1000.0, np.full(120, 15.0)]
    r_m = 1.12 ** (1 / 12) - 1
    assert npv(12.0, flows) == pytest.approx(npf.npv(r_m, flows), rel=1e-13)


def test_powers_of_negative_and_mixed_exponents():
    assert powers(1.05, np.array([[0, 1], [2, -1]])).tolist() == [
        [1.0, 1.05],
        [1.05 * 1.05, 1 / 1.05],
    ]
    assert powers(3.0, []).shape == (0,)


def test_dot_of_a_matrix_and_a_vector_is_each_row_s_sum():
    m = np.arange(6.0).reshape(2, 3)
    assert dot(m, np.array([1.0, 10.0, 100.0])).tolist() == [210.0, 543.0]


def test_irr_still_agrees_with_numpy_financial():
    flows = np.r_[-5_000.0, np.full(59, 120.0), 800.0]
    assert irr(flows).monthly == pytest.approx(npf.irr(flows), rel=1e-10)


DISPATCHED = {"power", "float_power", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p"}


def test_the_engine_calls_no_cpu_dispatched_power_exp_or_log():
    # Before: finance.py discounted with np.exp(np.log1p(...)) and np.power, whose AVX-512
    # kernels round differently from the others. (An array ** array is the same kernel: the
    # engine's powers go through core.engine.market.exact; see test_determinism for the whole run.)
    found = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "np"
                and node.attr in DISPATCHED
            ):
                found.append(f"{path.relative_to(ENGINE)}:{node.lineno} np.{node.attr}")
    assert found == []
