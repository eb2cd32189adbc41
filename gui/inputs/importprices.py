"""File → Import hourly prices (a part of MainWindow): a CSV becomes the project's prices."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from core.io.priceimport import PriceImportError, import_price_csv


class PriceImport:
    """Reads the CSV, reports every problem in the problems dialog, applies it as one undo step."""

    def import_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import hourly prices",
            self._last_folder(),
            "CSV files (*.csv *.txt);;All files (*)",
        )
        if path:
            self.import_csv(Path(path))

    def import_csv(self, path: Path) -> bool:
        try:
            series, report = import_price_csv(path)
        except PriceImportError as exc:
            self.show_problems("Cannot import prices", str(path), exc.problems)
            return False
        problems = self.doc.set_value(
            "site.energy.price_source",
            series.model_dump(mode="json"),
            f"Import prices from {path.name}",
        )
        self.doc.end_edit()
        if problems:
            self.show_problems("Cannot use these prices", str(path), problems)
            return False
        self.settings.setValue("files/last_folder", str(path.parent))
        self.statusBar().showMessage(f"Imported {path.name}: " + "; ".join(report[:3]))
        return True
