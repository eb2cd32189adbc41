"""The workbook's input cells: which of them its formulas read (``FormulaLog``: every formula
written is logged with where it sits, so the export can tell live inputs from those no formula
reads), and the style they wear (``named_input_style``).

XlsxWriter writes cell formats, not named styles: every cell format refers to the "Normal"
style. Here the styles part gains one named style, "Input" (Excel's built-in style 20: orange
fill, blue-grey text, grey border), and the input formats refer to it, so Excel's Cell Styles
gallery shows an input cell as "Input" and a reader can restyle or find all inputs by it. The
styles part is written while the workbook closes; the two writer steps that list named styles
are extended for that one call (under a lock: the extension is on XlsxWriter's class)."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from xlsxwriter import styles
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import CellFormulaTuple

_REF = re.compile(
    r"(?:'([^']+)'|([A-Za-z_][\w.]*))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"
)


def _store(ws):
    """A worksheet's formula writer without XlsxWriter's per-formula rewriting: the workbook's
    formulas are the export's own and use none of the functions it rewrites (dynamic arrays,
    future functions; a test holds every formula to that), so a formula needs only its "="
    stripped. Its checks are ~30 regular-expression passes a formula, and the workbook has
    ~40,000 formulas."""
    table, check = ws.table, ws._check_dimensions

    def store(row, col, formula, cell_format=None, value=0):
        if check(row, col):
            return -1
        table[row][col] = CellFormulaTuple(formula[1:], cell_format, value)
        return 0

    return store


def _column(letters: str) -> int:
    """0-based index of a column's letters (XlsxWriter's own parser)."""
    return xl_cell_to_rowcol(f"{letters}1")[1]


class FormulaLog:
    """Every formula the workbook gets, where it sits, and its defined names: enough to tell
    which cells any formula reads, directly or through a cell that is itself read."""

    def __init__(self, wb) -> None:
        self.formulas: list[tuple[str, int, int, str]] = []  # sheet, row, column, formula
        self.names: dict[str, str] = {}
        add_sheet, define = wb.add_worksheet, wb.define_name

        def add_worksheet(*args, **kwargs):
            ws = add_sheet(*args, **kwargs)
            write = _store(ws)

            def write_formula(row, col, formula, *rest, **more):
                self.formulas.append((ws.name, row, col, formula))
                return write(row, col, formula, *rest, **more)

            ws.write_formula = write_formula
            return ws

        def define_name(name, formula):
            self.names[name] = formula
            return define(name, formula)

        wb.add_worksheet, wb.define_name = add_worksheet, define_name

    def _refs(self, formula: str) -> set[tuple[str, int, int]]:
        out: set[tuple[str, int, int]] = set()
        for match in _REF.findall(formula):
            out |= self._cells(match)
        return out

    @functools.cache  # noqa: B019 (one log per export, dropped with it)
    def _cells(self, match: tuple[str, ...]) -> frozenset[tuple[str, int, int]]:
        quoted, plain, c0, r0, c1, r1 = match
        sheet = quoted or plain
        a, b = _column(c0), _column(c1 or c0)
        lo, hi = int(r0) - 1, int(r1 or r0) - 1
        return frozenset((sheet, r, c) for r in range(lo, hi + 1) for c in range(a, b + 1))

    def live_cells(self, sheet: str) -> set[tuple[int, int]]:
        """(row, column) of every cell on ``sheet`` that a formula on another sheet reads,
        directly, through a defined name or through formula cells of ``sheet`` so read."""
        at = {(s, r, c): f for s, r, c, f in self.formulas if s == sheet}
        prefix = f"{sheet}!"
        # The names that refer to ``sheet`` (the Prices columns' do not, for Inputs).
        named = {name: self._refs(ref) for name, ref in self.names.items()}
        named = {name: refs for name, refs in named.items() if any(c[0] == sheet for c in refs)}
        any_name = (
            re.compile(
                r"\b(" + "|".join(map(re.escape, sorted(named, key=len, reverse=True))) + r")\b"
            )
            if named
            else None
        )

        # References to ``sheet`` only (the ones that matter here): a pattern that starts
        # with the sheet's name is far quicker than the general one on long formulas.
        on_sheet = re.compile(
            r"(?:'" + re.escape(sheet) + r"'|(?<![\w.'])" + re.escape(sheet) + r")!"
            r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"
        )

        def reads(formula: str) -> set[tuple[str, int, int]]:
            out: set[tuple[str, int, int]] = set()
            if prefix in formula:
                for c0, r0, c1, r1 in on_sheet.findall(formula):
                    out |= self._cells(("", sheet, c0, r0, c1, r1))
            if any_name is not None and any(name in formula for name in named):
                for name in set(any_name.findall(formula)):
                    out |= named[name]
            return out

        live: set[tuple[str, int, int]] = set()
        todo = [f for s, _r, _c, f in self.formulas if s != sheet]
        seen: set[str] = set()
        while todo:
            formula = todo.pop()
            if formula in seen:
                continue
            seen.add(formula)
            for cell in reads(formula):
                if cell[0] == sheet and cell not in live:
                    live.add(cell)
                    if cell in at:
                        todo.append(at[cell])
        return {(r, c) for _s, r, c in live}


INPUT_BUILTIN_ID = 20  # Excel's built-in "Input" style
_lock = threading.Lock()


@contextmanager
def named_input_style(input_formats: list) -> Iterator[None]:
    """While the workbook closes inside this block, ``input_formats`` belong to a named
    "Input" style whose look is the first format's font, fill and border."""
    cls = styles.Styles
    write_xfs, write_styles = cls._write_cell_style_xfs, cls._write_cell_styles

    def cell_style_xfs(self) -> None:
        # XlsxWriter's list, with the Input style's xf after its own one or two.
        count = 2 if self.has_hyperlink else 1
        self._xml_start_tag("cellStyleXfs", [("count", count + 1)])
        self._write_xf(self.xf_formats[0], styles.XFormatType.STYLE)
        if self.has_hyperlink:
            self._write_style_xf(True, self.hyperlink_font_id)
        look = input_formats[0]
        self._xml_empty_tag(
            "xf",
            [
                ("numFmtId", 0),
                ("fontId", look.font_index),
                ("fillId", look.fill_index),
                ("borderId", look.border_index),
                ("applyNumberFormat", 0),
                ("applyAlignment", 0),
                ("applyProtection", 0),
            ],
        )
        self._xml_end_tag("cellStyleXfs")
        for f in input_formats:  # read by the cell formats, written next
            f.xf_id = count

    def cell_styles(self) -> None:
        count = 2 if self.has_hyperlink else 1
        self._xml_start_tag("cellStyles", [("count", count + 1)])
        if self.has_hyperlink:
            self._write_cell_style("Hyperlink", 1, 8)
        self._write_cell_style("Input", count, INPUT_BUILTIN_ID)
        self._write_cell_style()
        self._xml_end_tag("cellStyles")

    with _lock:
        cls._write_cell_style_xfs, cls._write_cell_styles = cell_style_xfs, cell_styles
        try:
            yield
        finally:
            cls._write_cell_style_xfs, cls._write_cell_styles = write_xfs, write_styles
