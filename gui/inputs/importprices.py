"""File → Import hourly prices (a part of MainWindow): a CSV becomes the project's prices. The
dialog asks what clock the file's timestamps are on, the site's standard time, and settles what
a file may leave open: its decimal mark, and whether a time given twice is averaged."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QWidget,
)

from core.io.priceimport import (
    DEFAULT_SITE_UTC_OFFSET_HOURS,
    MAX_UTC_OFFSET_HOURS,
    NO_CHOICES,
    FileClock,
    ImportChoices,
    PriceImportError,
    import_price_csv,
)
from gui.document import ProjectDocument
from gui.settings import (
    IMPORT_CLOCK,
    IMPORT_DECIMAL,
    IMPORT_FILE_OFFSET,
    IMPORT_SITE_OFFSET,
    IMPORT_ZONE,
    LAST_FOLDER,
)

CLOCKS = (
    ("as_written", "Local clock time, as written"),
    ("utc", "UTC"),
    ("offset", "A fixed offset from UTC"),
    ("zone", "A time zone (daylight saving included)"),
)
DECIMALS = (
    (None, "As the file's values show (refuse if they do not)"),
    ("point", "Point: 1234.5 (a comma separates thousands)"),
    ("comma", "Comma: 1234,5 (a point separates thousands)"),
)


def _hours_from_utc() -> QDoubleSpinBox:
    """An offset from UTC in half hours, within the world's zones."""
    box = QDoubleSpinBox()
    box.setRange(-MAX_UTC_OFFSET_HOURS, MAX_UTC_OFFSET_HOURS)
    box.setSingleStep(0.5)
    box.setDecimals(1)
    box.setSuffix(" h from UTC")
    return box


def _choices(items: tuple[tuple[str | None, str], ...], tip: str) -> QComboBox:
    """A drop-down of (key, label) items, the key as each item's data."""
    box = QComboBox()
    for key, label in items:
        box.addItem(label, key)
    box.setToolTip(tip)
    return box


class FileClockDialog(QDialog):
    """What the file's timestamps without a zone are in, and the site's standard time."""

    def __init__(self, file_name: str, settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(f"Import {file_name}")
        form = QFormLayout(self)
        note = QLabel(
            "Timestamps that carry a zone (2023-01-01T06:00Z, …−06:00) are read by it. For the "
            "others, say what clock they are on: prices are moved to the site's local "
            "standard time, the hours the model runs on."
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.kind = _choices(
            CLOCKS,
            "As written: the local wall clock, the repeated fall-back hour averaged and the "
            "missing spring-forward hour filled (ERCOT's public files). UTC or a fixed offset: "
            "a market's settlement clock. A time zone: its wall clock with daylight saving.",
        )
        form.addRow("Timestamps are in", self.kind)
        self.offset = _hours_from_utc()
        form.addRow("File's offset", self.offset)
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItems(sorted(zoneinfo.available_timezones()))
        self.zone.setToolTip(
            "An IANA time zone name, e.g. America/Chicago (ERCOT), America/New_York"
        )
        form.addRow("File's time zone", self.zone)
        self.site = _hours_from_utc()
        self.site.setToolTip("The site's standard time (no daylight saving): US Central is −6")
        form.addRow("Site's standard time", self.site)
        self.decimal = _choices(
            DECIMALS,
            "How the file writes decimals. Left to the file, values such as 20.5 or 20,5 decide "
            "it; a file that mixes both, or has only ambiguous values such as 9,999 (9.999 or "
            "9999?), is refused with the line.",
        )
        form.addRow("Decimal mark", self.decimal)
        self.average = QCheckBox("Average a time given twice with different prices")
        self.average.setToolTip(
            "Off: such times are refused (two price nodes in one file?), except in a "
            "daylight-saving fall-back hour of a local clock, which is always averaged."
        )
        form.addRow(self.average)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._enable)
        self.kind.setCurrentIndex(max(self.kind.findData(IMPORT_CLOCK.read(settings)), 0))
        self.offset.setValue(IMPORT_FILE_OFFSET.read(settings))
        self.zone.setCurrentText(IMPORT_ZONE.read(settings))
        self.site.setValue(IMPORT_SITE_OFFSET.read(settings))
        self.decimal.setCurrentIndex(max(self.decimal.findData(IMPORT_DECIMAL.read(settings)), 0))
        self._enable()

    def _enable(self, *_: object) -> None:
        kind = self.kind.currentData()
        self.offset.setEnabled(kind == "offset")
        self.zone.setEnabled(kind == "zone")

    def file_clock(self) -> FileClock:
        kind = self.kind.currentData()
        if kind == "utc":
            return "UTC"
        if kind == "offset":
            return self.offset.value()
        if kind == "zone":
            return self.zone.currentText().strip()
        return None

    def choices(self) -> ImportChoices:
        return ImportChoices(
            decimal=self.decimal.currentData(), average_duplicates=self.average.isChecked()
        )

    def remember(self) -> None:
        IMPORT_CLOCK.write(self.settings, self.kind.currentData())
        IMPORT_FILE_OFFSET.write(self.settings, self.offset.value())
        IMPORT_ZONE.write(self.settings, self.zone.currentText().strip())
        IMPORT_SITE_OFFSET.write(self.settings, self.site.value())
        IMPORT_DECIMAL.write(self.settings, self.decimal.currentData() or "")


class PriceImport:
    """Reads the CSV, reports every problem in the problems dialog, applies it as one undo step.
    Handed what it uses: the window its dialogs belong to, the settings, the open document,
    and how the window shows problems and a status message."""

    def __init__(
        self,
        window: QWidget,
        settings: QSettings,
        document: Callable[[], ProjectDocument],
        show_problems: Callable[[str, str, list[str]], None],
        status: Callable[[str], None],
    ) -> None:
        self.window, self.settings, self.document = window, settings, document
        self.show_problems, self.status = show_problems, status

    def import_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Import hourly prices",
            LAST_FOLDER.read(self.settings),
            "CSV files (*.csv *.txt);;All files (*)",
        )
        if not path:
            return
        clock = FileClockDialog(Path(path).name, self.settings, self.window)
        if clock.exec() != QDialog.DialogCode.Accepted:
            return
        clock.remember()
        self.import_csv(Path(path), clock.file_clock(), clock.site.value(), clock.choices())

    def import_csv(
        self,
        path: Path,
        file_clock: FileClock = None,
        utc_offset_hours: float = DEFAULT_SITE_UTC_OFFSET_HOURS,
        choices: ImportChoices = NO_CHOICES,
    ) -> bool:
        try:
            series, report = import_price_csv(
                path, utc_offset_hours=utc_offset_hours, file_clock=file_clock, choices=choices
            )
        except PriceImportError as exc:
            self.show_problems("Cannot import prices", str(path), exc.problems)
            return False
        doc = self.document()
        problems = doc.set_value(
            "site.energy.price_source",
            series.model_dump(mode="json"),
            f"Import prices from {path.name}",
        )
        doc.end_edit()
        if problems:
            self.show_problems("Cannot use these prices", str(path), problems)
            return False
        LAST_FOLDER.write(self.settings, str(path.parent))
        self.status(f"Imported {path.name}: " + "; ".join(report[:3]))
        return True
