"""Excel's built-in "Input" cell style, named, for the workbook's input cells.

XlsxWriter writes cell formats, not named styles: every cell format refers to the "Normal"
style. Here the styles part gains one named style, "Input" (Excel's built-in style 20: orange
fill, blue-grey text, grey border), and the input formats refer to it, so Excel's Cell Styles
gallery shows an input cell as "Input" and a reader can restyle or find all inputs by it. The
styles part is written while the workbook closes; the two writer steps that list named styles
are extended for that one call (under a lock: the extension is on XlsxWriter's class).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from xlsxwriter import styles

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
