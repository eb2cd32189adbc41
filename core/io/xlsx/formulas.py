"""Which cells a workbook's formulas read: every formula written is logged with where it sits,
so the export can tell live inputs from those no formula reads."""

from __future__ import annotations

import re

from xlsxwriter.utility import xl_cell_to_rowcol

_REF = re.compile(
    r"(?:'([^']+)'|([A-Za-z_][\w.]*))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"
)


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
            write = ws.write_formula

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
        out = set()
        for quoted, plain, c0, r0, c1, r1 in _REF.findall(formula):
            sheet = quoted or plain
            a, b = _column(c0), _column(c1 or c0)
            lo, hi = int(r0) - 1, int(r1 or r0) - 1
            out |= {(sheet, r, c) for r in range(lo, hi + 1) for c in range(a, b + 1)}
        return out

    def live_cells(self, sheet: str) -> set[tuple[int, int]]:
        """(row, column) of every cell on ``sheet`` that a formula on another sheet reads,
        directly, through a defined name or through formula cells of ``sheet`` so read."""
        at = {(s, r, c): f for s, r, c, f in self.formulas if s == sheet}
        prefix = f"{sheet}!"
        named = {name: self._refs(ref) for name, ref in self.names.items()}

        def reads(formula: str) -> set[tuple[str, int, int]]:
            out = self._refs(formula) if prefix in formula else set()
            for name, cells in named.items():
                if name in formula and re.search(rf"\b{re.escape(name)}\b", formula):
                    out |= cells
            return out

        live: set[tuple[str, int, int]] = set()
        todo = [f for s, _r, _c, f in self.formulas if s != sheet]
        while todo:
            for cell in reads(todo.pop()):
                if cell[0] == sheet and cell not in live:
                    live.add(cell)
                    if cell in at:
                        todo.append(at[cell])
        return {(r, c) for _s, r, c in live}
