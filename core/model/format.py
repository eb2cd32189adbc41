"""How numbers read wherever MinePivot shows them (cards, tables, tooltips, command line): one
formatter for money, percentages, months and quantities with a unit. Negative numbers carry a
real minus sign (U+2212) in front of the currency: "−$102.9 M"."""

from __future__ import annotations

MINUS = "\u2212"
NONE = "—"  # no value (the note beside it says why)


def _signed(x: float, text: str) -> str:
    return f"{MINUS}{text}" if x < 0 else text


def money(usd: float | None) -> str:
    """US dollars: "$1.23 B", "−$102.9 M", "$85,000"."""
    if usd is None:
        return NONE
    a = abs(usd)
    if a >= 1e9:
        return _signed(usd, f"${a / 1e9:,.2f} B")
    if a >= 1e5:
        return _signed(usd, f"${a / 1e6:,.1f} M")
    text = f"${a:,.0f}"
    return text if text == "$0" else _signed(usd, text)


def money_change(usd: float) -> str:
    """An increment: "+$51.7 M", "−$7.7 M"."""
    text = money(usd)
    return text if usd < 0 or text == "$0" else "+" + text


def irr_text(rate: float | None, note: str) -> str:
    """An IRR for a card, table or report: "n/m" without an investment, marked "(cost)" where
    the flows start with a receipt (then it is what the money costs, not what it earns)."""
    text = pct(rate, note=note)
    return text + " (cost)" if cost_of_funds(note) else text


def millions(usd: float, decimals: int = 1) -> str:
    """US dollars as a number of millions for a table headed "USD million": "−12.3"; a value
    that rounds to nothing reads "0.0" without a sign."""
    text = f"{abs(usd) / 1e6:,.{decimals}f}"
    return _signed(usd, text) if text.strip("0.,") else text


def pct(fraction: float | None, decimals: int = 1, note: str = "") -> str:
    """A fraction as a percentage: 0.1724 → "17.2 %", −0.045 → "−4.5 %"; without one, "n/m"
    where its ``note`` says there is no investment, else "—"."""
    if fraction is None:
        return NOT_MEANINGFUL if not_meaningful(note) else NONE
    text = f"{abs(fraction) * 100:.{decimals}f} %"
    return _signed(fraction, text) if text.strip("0. %") else text


NOT_MEANINGFUL = "n/m"


def not_meaningful(note: str) -> bool:
    """True where a KPI's note says it means nothing (no investment to recover)."""
    return note.startswith(NOT_MEANINGFUL)


def no_payback(note: str) -> str:
    """What stands for a missing payback: "n/m" (nothing to recover) or "never"."""
    return NOT_MEANINGFUL if not_meaningful(note) else "never"


def cost_of_funds(note: str) -> bool:
    """True where an IRR's note says the rate is a cost (NPV rises with it), not a return."""
    return "cost of funds" in note


def months(m: int | None, note: str = "") -> str:
    """A payback period: "71 mo (5.9 y)", "immediate", "never"; "n/m" where its ``note``
    says there is nothing to recover."""
    if m is None:
        return no_payback(note)
    if m == 0:
        return "immediate"
    return f"{m} mo ({m / 12:.1f} y)"


def quantity(value: float | None, unit: str) -> str:
    """A solved value with its unit; dollars per BTC as money: "$61,250", "41.20 USD/MWh"."""
    if value is None:
        return NONE
    if unit == "USD/BTC":
        return _signed(value, f"${abs(value):,.0f}")
    return _signed(value, f"{abs(value):,.2f} {unit}".rstrip())


_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{k}" for k in range(1, 10))}
_RESERVED |= {f"LPT{k}" for k in range(1, 10)}


def file_stem(name: str, fallback: str = "MinePivot project") -> str:
    """A file name (without suffix) from a title that Windows, macOS and Linux all accept:
    ``< > : " / \\ | ? *`` and control characters become "-", no trailing dot or space, not a
    reserved device name (CON, NUL, COM1, …), at most 120 characters."""
    out = "".join("-" if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in name)
    out = " ".join(out.split())[:120].rstrip(" .")
    if not out:
        return fallback
    return f"{out}_" if out.split(".")[0].upper() in _RESERVED else out


def as_sentence(text: str) -> str:
    """A message as a sentence: its first letter raised, a full stop at the end."""
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
