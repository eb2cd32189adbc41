"""Numbers on screen and in the report in the system locale's separators ("60,000" and "1.5"
in English; "60.000" and "1,5" in German; "60 000" and "1,5" in French, with a narrow no-break
space), while project files, the command line and the workbook stay locale-free.

Two ways in:
- the fields' own: ``format_number`` and ``parse_number``, for what a person reads and types;
- the model's figures: ``money``, ``pct``, ``months``, … are ``core.model.format``'s, with their
  separators put in the locale's (``localise``). The wording ("$1.23 B", "−$7.7 M", "17.2 %")
  stays the model's, so a figure reads the same on a card, in a table and in the report.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import ParamSpec

from PySide6.QtCore import QLocale

from core.model import format as plain

# Spaces a locale may group thousands with (French: a narrow no-break space), and a person may
# type: none of them is part of a number.
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")


def separators() -> tuple[str, str]:
    """The system locale's (thousands, decimal) separators: "," and "." in English, "." and ","
    in German, a narrow no-break space and "," in French."""
    locale = QLocale()
    return locale.groupSeparator(), locale.decimalPoint()


# A figure as core.model.format writes it: digits grouped by "," in threes, then "." and
# decimals; or digits, "." and decimals. A comma not followed by three digits (a list: "10, 50")
# and a full stop that ends a sentence are not part of a figure.
_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+")


def localise(text: str) -> str:
    """``text`` with each figure's "," and "." in the locale's separators: "$1,234.5 M" reads
    "$1.234,5 M" in German. Text without figures, and an English locale, are left as they are.
    For figures and sentences built from them, not for free text (a version "6.11.3")."""
    group, decimal = separators()
    if (group, decimal) == (",", "."):
        return text
    table = {ord(","): group, ord("."): decimal}
    return _FIGURE.sub(lambda m: m.group().translate(table), text)


def localise_warning(text: str) -> str:
    """A warning as the engine words it, "Strategy: what is wrong": the figures after the
    strategy's name in the locale's separators, the name as the user typed it."""
    name, colon, rest = text.partition(": ")
    return f"{name}{colon}{localise(rest)}" if colon else localise(text)


P = ParamSpec("P")


def _shown(rule: Callable[P, str]) -> Callable[P, str]:
    @functools.wraps(rule)
    def figure(*args: P.args, **kwargs: P.kwargs) -> str:
        return localise(rule(*args, **kwargs))

    return figure


money = _shown(plain.money)
money_change = _shown(plain.money_change)
millions = _shown(plain.millions)
pct = _shown(plain.pct)
irr_text = _shown(plain.irr_text)
months = _shown(plain.months)
quantity = _shown(plain.quantity)


def fixed(value: float, decimals: int = 0) -> str:
    """A number with ``decimals`` places and thousands grouped, in the locale's separators:
    fixed(1234.5, 1) is "1,234.5" ("1.234,5" in German)."""
    return localise(f"{value:,.{decimals}f}")


def general(value: float) -> str:
    """A number in as few digits as it needs (Python's "g"), in the locale's decimal mark: an
    input shown in a sentence, "62.5" ("62,5" in German)."""
    return localise(f"{value:g}")


def general_change(value: float) -> str:
    """``general`` with its sign, a real minus: a tornado's step, "+10", "−10"."""
    return general(value).replace("-", plain.MINUS) if value < 0 else "+" + general(value)


def _plain(value: float) -> str:
    """Up to 10 significant digits with "," thousands and "." decimals, never an exponent:
    1.6e14 reads "160,000,000,000,000", 0.1 + 0.2 reads "0.3"."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    decimals = max(9 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_number(value: float | int | None, grouped: bool = True) -> str:
    """A number as a finance user reads it, in the system locale's separators ("60,000";
    "60.000" in German). ``grouped=False``: no thousands separator (a seed, a year)."""
    if value is None:
        return ""
    text = f"{value:,}" if isinstance(value, int) else _plain(value)
    if not grouped:
        text = text.replace(",", "")
    group, decimal = separators()
    return text.translate({ord(","): group, ord("."): decimal})


def parse_number(text: str, integer: bool) -> float | int:
    """Parse what a person types in the system locale: its thousands separators and spaces, a
    leading $, a trailing %; its decimal mark ("." in English, "," in German or French)."""
    group, decimal = separators()
    cleaned = text.strip().replace("$", "").rstrip("%")
    for space in (*_SPACES, group):
        cleaned = cleaned.replace(space, "")
    if decimal != ".":
        cleaned = cleaned.replace(decimal, ".")
    if integer:
        value = float(cleaned)
        if not value.is_integer():
            raise ValueError(f"must be a whole number, got {text.strip()!r}")
        return int(value)
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {text.strip()!r}")
    return value
