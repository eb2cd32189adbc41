"""Prices as written in a CSV: decimal points or decimal commas, decided from the whole file.

A price such as ``20.5`` or ``20,5`` says which mark the file uses for decimals; ``9,999`` and
``9.999`` do not (each is a decimal, or a whole number with a thousands separator), nor does
``20``. Without ``decimal``, each value is read by its own mark and the file must show one mark
only: values of both marks, or only ambiguous ones, are refused with their line and readings.
``decimal="point"`` or ``"comma"`` settles it: the other mark is then a thousands separator
(``9,999`` is 9999 with decimal points), in groups of three digits only. Nothing else passes:
no underscores (``12_50``), spaces inside a number or currency words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

Decimal = Literal["point", "comma"]
DECIMALS: tuple[Decimal, ...] = ("point", "comma")
_MARK = {"point": ".", "comma": ","}
_EXP = r"(?:[eE][+-]?[0-9]+)?"
_PLAIN = {
    d: re.compile(rf"[+-]?(?:[0-9]+(?:{re.escape(m)}[0-9]*)?|{re.escape(m)}[0-9]+){_EXP}")
    for d, m in _MARK.items()
}
# The other mark as a thousands separator: 1,234,567.5 (point) or 1.234.567,5 (comma).
_GROUPED = {
    "point": re.compile(r"[+-]?[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]*)?"),
    "comma": re.compile(r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]*)?"),
}
# Reads either way: one mark, 1 to 3 digits before it (no leading zero) and 3 after.
_EITHER = re.compile(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}")
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _value(text: str, decimal: Decimal, grouped: bool) -> float | None:
    if _PLAIN[decimal].fullmatch(text):
        return float(text.replace(",", "."))
    if grouped and _GROUPED[decimal].fullmatch(text):
        other = "," if decimal == "point" else "."
        return float(text.replace(other, "").replace(",", "."))
    return None


def _shown(number: float) -> str:
    return f"{number:.10g}"


@dataclass
class Evidence:
    """The first line written with each mark, and with each ambiguous one."""

    line: dict[Decimal, int] = field(default_factory=dict)
    text: dict[Decimal, str] = field(default_factory=dict)
    either: dict[Decimal, tuple[int, str]] = field(default_factory=dict)
    either_count: dict[Decimal, int] = field(default_factory=lambda: {"point": 0, "comma": 0})


class PriceReader:
    """Reads each price as it comes (``read``) and keeps what the file shows of its decimal
    mark; ``problems`` then says what the whole file does not settle."""

    def __init__(self, decimal: Decimal | None = None):
        self.decimal = decimal
        self.seen = Evidence()

    def read(self, raw: str, line: int) -> tuple[float | None, str | None]:
        """(value, problem): the value under the file's mark when it is known, else under the
        value's own mark (checked against the whole file by ``problems``)."""
        text = raw.strip().replace("$", "")
        if not text:
            return None, f"line {line}: price is empty"
        if text.lower() in _NOT_FINITE:
            return None, f"line {line}: price {_short(raw)} is not a finite number"
        if self.decimal is not None:
            value = _value(text, self.decimal, grouped=True)
            if value is None:
                return None, (
                    f"line {line}: price {_short(raw)} is not a number with decimal "
                    f"{self.decimal}s (--decimal {self.decimal})"
                )
            return self._finite(value, raw, line)
        readings = {d: _value(text, d, grouped=False) for d in DECIMALS}
        ok = [d for d in DECIMALS if readings[d] is not None]
        if not ok:
            hint = (
                " (thousands separators are read only with the file's decimal mark named: "
                "--decimal point or --decimal comma)"
                if "," in text or "." in text
                else ""
            )
            return None, f"line {line}: price {_short(raw)} is not a number{hint}"
        if len(ok) == 1:
            mark = ok[0]
            if _EITHER.fullmatch(text):
                self.seen.either.setdefault(mark, (line, raw.strip()))
                self.seen.either_count[mark] += 1
            else:
                self.seen.line.setdefault(mark, line)
                self.seen.text.setdefault(mark, raw.strip())
        value = readings[ok[0]]
        assert value is not None
        return self._finite(value, raw, line)

    @staticmethod
    def _finite(value: float, raw: str, line: int) -> tuple[float | None, str | None]:
        if not math.isfinite(value):
            return None, f"line {line}: price {_short(raw)} is not a finite number"
        return value, None

    def settled(self) -> Decimal | None:
        """The file's decimal mark: named, or shown by an unambiguous value."""
        if self.decimal is not None:
            return self.decimal
        marks = [d for d in DECIMALS if d in self.seen.line]
        return marks[0] if len(marks) == 1 else None

    def problems(self) -> list[str]:
        """What the whole file leaves unsettled: both marks, or only ambiguous values."""
        if self.decimal is not None:
            return []
        seen = self.seen
        if len(seen.line) == 2:
            return [
                f"line {seen.line['point']}: {seen.text['point']!r} has a decimal point, but "
                f"line {seen.line['comma']}: {seen.text['comma']!r} has a decimal comma; a file "
                "uses one (fix the file, or name its mark: --decimal point or --decimal comma)"
            ]
        mark = self.settled()
        out = []
        for d in DECIMALS:
            if d == mark or d not in seen.either:
                continue
            line, text = seen.either[d]
            more = seen.either_count[d] - 1
            whole = text.replace(_MARK[d], "")
            readings = (
                f"{_shown(float(text.replace(',', '.')))} with a decimal {d}, or {whole} with a "
                f"thousands separator"
            )
            if mark is None:
                why = "and nothing else in the file says which"
            else:
                why = (
                    f"in a file whose decimals are {mark}s (line {seen.line[mark]}: "
                    f"{seen.text[mark]!r})"
                )
            out.append(
                f"line {line}: price {text!r} reads as {readings}, {why}"
                + (f" ({more:,} more such value(s))" if more else "")
                + "; name the file's decimal mark: --decimal point or --decimal comma"
            )
        return out

    def summary(self) -> str | None:
        """The import summary's line on the mark, where the file had decimals."""
        mark = self.settled()
        if mark is None:
            return None
        how = "as named" if self.decimal is not None else "as its values show"
        return f"decimal {mark}s ({how})"


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "…")
