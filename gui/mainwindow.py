"""The main window: input panels on the left, KPI cards, live charts and the compare table on
the right; files, undo/redo, recent files and settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.io.atomicfile import cannot_write, output_problem
from core.io.example import example_project
from core.io.preflight import compute_problems
from core.io.projectfile import ProjectFileError, load_project, save_project
from core.model.format import as_sentence, file_stem
from core.model.project import Project
from core.resources import example_project_path
from core.tasks import TaskState
from gui.dashboard.debtchart import DebtCharts
from gui.dashboard.kpis import CompareTable, KpiCards
from gui.dashboard.results import ResultsView
from gui.dashboard.view import Dashboard
from gui.dialogs import AboutDialog, ProblemsDialog
from gui.document import ProjectDocument
from gui.inputs.equipment import EquipmentPanel
from gui.inputs.importprices import PriceImport
from gui.inputs.panels import (
    DemandResponsePanel,
    FinancePanel,
    MarketPanel,
    SitePanel,
    scrolling,
)
from gui.inputs.strategies import StrategiesPanel
from gui.plan.editor import PlanEditor
from gui.risk.panel import RiskInputsPanel
from gui.risk.view import RiskView
from gui.settings import LAST_FOLDER, RECENT_FILES, WINDOW_GEOMETRY
from gui.widgets.fields import Field
from gui.worker import run_with_progress

MAX_RECENT = 8
FILE_FILTER = "MinePivot projects (*.minepivot);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(
        self,
        project: Project | None = None,
        path: Path | None = None,
        settings: QSettings | None = None,
    ):
        super().__init__()
        self.settings = settings or QSettings()
        self.setAcceptDrops(True)
        self.problems_dialog: ProblemsDialog | None = None
        self.error_box: QMessageBox | None = None
        self.about_dialog: QDialog | None = None
        # The open project: always one (opening another replaces it in ``set_document``).
        self.doc = ProjectDocument(project or example_project(), path)
        self.prices = PriceImport(
            self,
            self.settings,
            lambda: self.doc,
            self.show_problems,
            lambda text: self.statusBar().showMessage(text),
        )
        self._build_ui()
        self._build_menus()
        self.set_document(self.doc)
        geometry = WINDOW_GEOMETRY.read(self.settings)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Clamp the window (the saved geometry or the default) to the screen's available
        area: a size saved on a large monitor must not open past a laptop's edges."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        width, height = min(self.width(), area.width()), min(self.height(), area.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        if not area.contains(frame):
            x = min(max(frame.x(), area.x()), area.right() - width + 1)
            y = min(max(frame.y(), area.y()), area.bottom() - height + 1)
            self.move(x, y)

    # ------------------------------------------------------------------ layout
    def _build_ui(self) -> None:
        self.inputs = QTabWidget()
        self.inputs.setMinimumWidth(460)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(4, 4, 4, 4)
        self.cards = KpiCards()
        rl.addWidget(self.cards)
        self.views = QTabWidget()
        self.dashboard = Dashboard(self.ask_export_path)
        self.statusBar()  # made now, so the layout does not change when the first message comes
        self.invalid_label = QLabel()
        self.invalid_label.setStyleSheet("color: #c62828; font-weight: bold; padding: 0 6px;")
        self.invalid_label.hide()
        self.statusBar().addPermanentWidget(self.invalid_label)
        self.dashboard.status.connect(self._show_status)
        self.views.addTab(self.dashboard, "Dashboard")
        self.compare = CompareTable()
        self.debt_charts = DebtCharts()
        for chart in (self.debt_charts.balance, self.debt_charts.dscr):
            chart.ask_path = self.ask_export_path
        compare_page = QSplitter(Qt.Orientation.Vertical)
        compare_page.addWidget(self.compare)
        compare_page.addWidget(self.debt_charts)
        compare_page.setSizes([500, 300])
        self.views.setTabToolTip(
            self.views.addTab(compare_page, "Compare"),
            "Every KPI side by side; the debt balance and DSCR of the strategies that borrow",
        )
        self.results_view = ResultsView()
        self.views.setTabToolTip(
            self.views.addTab(self.results_view, "Results"),
            "Each strategy's annual cash flows: revenue by stream, costs, EBITDA, capex, tax, "
            "FCF, debt service and equity cash flow (copies to Excel)",
        )
        self.risk_view = RiskView()
        self.risk_view.ask_path = self.ask_export_path
        self.views.setTabToolTip(
            self.views.addTab(self.risk_view, "Risk"),
            "Tornado, Monte Carlo, break-evens and the hybrid split",
        )
        self.plan_editor = PlanEditor()
        self.plan_editor.ask_path = self.ask_export_path
        self.views.setTabToolTip(
            self.views.addTab(self.plan_editor, "Floor plan"),
            "Hangar layouts: the equipment counts, capacity checks and auto-layout",
        )
        self.views.currentChanged.connect(self._view_changed)
        rl.addWidget(self.views, 1)
        split = QSplitter()
        split.addWidget(self.inputs)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([470, 970])
        self.setCentralWidget(split)

    def _view_changed(self, index: int) -> None:
        shown = self.views.widget(index)
        self.risk_view.set_active(shown is self.risk_view)
        self.plan_editor.set_active(shown is self.plan_editor)

    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("&File")
        self._action(
            m,
            "&New",
            self.new_project,
            QKeySequence.StandardKey.New,
            "Start from the example inputs",
        )
        self._action(m, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = m.addMenu("Open &recent")
        self._action(m, "&Save", self.save, QKeySequence.StandardKey.Save)
        self._action(m, "Save &as…", self.save_as, QKeySequence("Ctrl+Shift+S"))
        m.addSeparator()
        self._action(
            m,
            "&Import hourly prices (CSV)…",
            self.prices.import_csv_dialog,
            tip="timestamp, $/MWh rows; one or more whole years",
        )
        self.export_action = self._action(
            m,
            "&Export to Excel…",
            self.export_dialog,
            QKeySequence("Ctrl+E"),
            "A workbook for the board: live formulas, charts, inputs and sources",
        )
        self._action(
            m,
            "Export &report…",
            self.report_dialog,
            QKeySequence("Ctrl+Shift+E"),
            "The board report as a PDF: KPIs, a reading, charts, floor plans and assumptions",
        )
        m.addSeparator()
        self._action(m, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        e = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action(
            e, "&Undo", lambda: self.doc.undo_stack.undo(), QKeySequence.StandardKey.Undo
        )
        self.redo_action = self._action(
            e, "&Redo", lambda: self.doc.undo_stack.redo(), QKeySequence("Ctrl+Shift+Z")
        )
        v = self.menuBar().addMenu("&View")
        for chart in self.dashboard.charts:
            sub = v.addMenu(chart.title)
            self._action(sub, "Reset view", chart.reset_view)
            self._action(sub, "Export PNG…", lambda c=chart: c.ask_export("png"))
            self._action(sub, "Export SVG…", lambda c=chart: c.ask_export("svg"))
        self._action(v, "Recompute now", lambda: self.doc.recompute(), QKeySequence("F5"))
        self._action(v, "Run risk analysis", self.show_risk, QKeySequence("F9"))
        h = self.menuBar().addMenu("&Help")
        self._action(h, "&About MinePivot", self.show_about, tip="Version, build and catalog date")
        self._action(h, "About &Qt", QApplication.aboutQt)
        self._refresh_recent()

    # ------------------------------------------------------------------ document
    def set_document(self, doc: ProjectDocument) -> None:
        old = self.doc
        self.doc = doc
        doc.setParent(self)
        while self.inputs.count():
            w = self.inputs.widget(0)
            self.inputs.removeTab(0)
            if w is not None:
                w.deleteLater()
        self.site_panel = SitePanel(doc, self.prices.import_csv_dialog)
        self.dr_panel = DemandResponsePanel(doc)
        self.market_panel = MarketPanel(doc)
        self.strategies_panel = StrategiesPanel(doc)
        self.finance_panel = FinancePanel(doc)
        self.risk_panel = RiskInputsPanel(doc)
        for title, tip, panel in (
            (
                "Energy",
                "Site & energy: interconnect, power price, contract, grid charges",
                self.site_panel,
            ),
            ("DR", "Demand response", self.dr_panel),
            ("Market", "Bitcoin market", self.market_panel),
            ("Strategies", "Strategies and their mining and AI blocks", self.strategies_panel),
            ("Equipment", "ASIC and GPU catalog with sources", EquipmentPanel(doc)),
            ("Finance", "Project, horizon, rates, depreciation", self.finance_panel),
            ("Risk", "Monte Carlo spreads, tornado inputs, split sweep", self.risk_panel),
        ):
            self.inputs.setTabToolTip(self.inputs.addTab(scrolling(panel), title), tip)
        self.strategies_panel.strategy_selected.connect(self.dashboard.show_strategy)
        # The chart the user watches first (the dashboard's cumulative chart), then the numbers.
        self.dashboard.set_document(doc)
        self.cards.colours = doc.colours
        self.debt_charts.set_colours(doc.colours)
        doc.result_ready.connect(self.cards.update_result)
        doc.result_ready.connect(self.compare.update_result)
        doc.result_ready.connect(self.results_view.update_result)
        doc.result_ready.connect(self.debt_charts.update_result)
        doc.goal_seek_ready.connect(self.compare.update_goal_seek)
        self.risk_view.set_document(doc)
        self.plan_editor.set_document(doc)
        doc.error.connect(self._on_error)
        doc.notice.connect(self.statusBar().showMessage)
        doc.invalid_changed.connect(self._show_invalid)
        self._show_invalid(doc.invalid)
        # Bound methods, not lambdas: Qt drops them with the window (a modified document
        # outliving it at exit would otherwise call into a deleted window).
        doc.undo_stack.cleanChanged.connect(self._title_changed)
        doc.project_changed.connect(self._title_changed)
        doc.path_changed.connect(self._title_changed)
        doc.undo_stack.undoTextChanged.connect(self._undo_text)
        doc.undo_stack.redoTextChanged.connect(self._redo_text)
        self._undo_text(doc.undo_stack.undoText())
        self._redo_text(doc.undo_stack.redoText())
        doc.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        doc.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self._update_title()
        if old is not doc:
            old.shutdown()
            old.deleteLater()

    def _title_changed(self, _: object = None) -> None:
        self._update_title()

    def _update_title(self) -> None:
        name = self.doc.path.name if self.doc.path else "unsaved"
        self.setWindowTitle(f"{self.doc.project.name} — {name}[*] — MinePivot")
        self.setWindowModified(self.doc.is_modified())

    # ------------------------------------------------------------------ results
    def busy(self) -> bool:
        """True while a recompute or a chart update is still to come."""
        return self.doc.recompute_pending() or self.dashboard.updating()

    def _undo_text(self, text: str) -> None:
        """The menu says what will be undone: "Undo BTC price"."""
        self.undo_action.setText("&Undo " + text.replace("&", "&&") if text else "&Undo")

    def _redo_text(self, text: str) -> None:
        self.redo_action.setText("&Redo " + text.replace("&", "&&") if text else "&Redo")

    def tab_names(self) -> str:
        """The results and inputs tabs, as "--tab" takes them."""
        names = [
            w.tabText(i).replace("&", "")
            for w in (self.views, self.inputs)
            for i in range(w.count())
        ]
        return ", ".join(names)

    def show_tab(self, name: str) -> bool:
        """Bring the results or inputs tab called ``name`` (any case) to the front."""
        for widget in (self.views, self.inputs):
            for i in range(widget.count()):
                if widget.tabText(i).replace("&", "").lower() == name.strip().lower():
                    widget.setCurrentIndex(i)
                    return True
        return False

    def _show_invalid(self, invalid: dict[str, str]) -> None:
        """While a field holds a refused value the charts and cards show the last valid
        inputs' results: say so where it stays visible, with each field's message."""
        label = self.invalid_label
        if not invalid:
            label.hide()
            return
        count = f" ({len(invalid)} fields)" if len(invalid) > 1 else ""
        label.setText(f"Inputs invalid{count} \u2014 showing the last valid results")
        label.setToolTip("\n".join(f"{path}: {message}" for path, message in invalid.items()))
        label.show()

    def _on_error(self, message: str) -> None:
        self.show_error(message)

    def _show_status(self, message: str) -> None:
        """The results' status ("Ready" or their warnings), unless an error is still shown: a
        chart update that lands after a failure must not hide it."""
        box = self.error_box
        if self.doc.invalid and message == "Ready":
            message = ""  # not ready: the permanent note says the results are the last valid
        if box is None or not box.isVisible():
            self.statusBar().showMessage(message)

    def show_error(self, message: str) -> None:
        """Errors from recomputes and workers: status bar plus a box that does not block."""
        self.statusBar().showMessage(message)
        self.error_box = QMessageBox(
            QMessageBox.Icon.Warning, "MinePivot", message, QMessageBox.StandardButton.Ok, self
        )
        self.error_box.open()

    # ------------------------------------------------------------------ files
    def ask_unsaved(self) -> QMessageBox.StandardButton:
        return QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.doc.project.name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or unchanged).
        A valid value still being typed is committed first, so the question covers it."""
        for field in self.findChildren(Field):
            field.commit_typed()
        if not self.doc.is_modified():
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_project(self) -> None:
        if self.maybe_save():
            project = example_project().model_copy(update={"name": "Untitled project"})
            self.set_document(ProjectDocument(project))

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", self._last_folder(), FILE_FILTER
        )
        if path:
            self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open a project file; on any problem list them all and keep the current project."""
        if ask and not self.maybe_save():
            return False
        try:
            project = load_project(path)
        except ProjectFileError as exc:
            self.show_problems("Cannot open project", exc.source, exc.problems, exc.summary)
            return False
        problems = compute_problems(project)
        if problems:
            self.show_problems("Cannot open project", str(path), problems)
            return False
        self.set_document(ProjectDocument(project, Path(path)))
        self.opened(Path(path))
        return True

    def opened(self, path: Path) -> None:
        """A project file is open: remember it (recent files, last folder) and say so."""
        self._remember(path)
        self.statusBar().showMessage(f"Opened {path}")

    def show_risk(self) -> None:
        """F9: show the Risk tab and run it for the inputs as they are now."""
        self.views.setCurrentWidget(self.risk_view)
        self.risk_view.run_now()

    def show_about(self) -> None:
        self.about_dialog = AboutDialog(self)
        self.about_dialog.open()

    def show_problems(
        self, title: str, source: str, problems: list[str], summary: str | None = None
    ) -> None:
        self.problems_dialog = ProblemsDialog(title, source, problems, self, summary)
        self.problems_dialog.open()

    def settle_inputs(self, verb: str) -> bool:
        """Before a save, an export or a report: commit what is typed in a field and valid.
        Where a field holds a refused value, ask whether to ``verb`` the last valid inputs
        (the field is put back) or go back to it. True: go on."""
        refused = [f for f in self.findChildren(Field) if not f.commit_typed()]
        if not refused:
            return True
        if not self.ask_refused(refused, verb):
            refused[0].editor.setFocus()
            return False
        for field in refused:
            field.revert()
        return True

    def ask_refused(self, refused: list[Field], verb: str) -> bool:
        """Ask: go on with the last valid inputs, or go back to the refused fields?"""
        valid = "; ".join(f"{f.name} {f.committed_text()}" for f in refused)
        typed = "; ".join(f"{f.name} {f.typed_text()!r}" for f in refused)
        which = "These values were" if len(refused) > 1 else "This value was"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Inputs not applied",
            f"{which} refused and not applied: {typed}.\n\n"
            f"{verb} the last valid inputs ({valid}) or go back?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        go_on = box.addButton(f"{verb} the last valid inputs", QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.exec()
        return box.clickedButton() is go_on

    def save(self) -> bool:
        if not self.settle_inputs("Save"):
            return False
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        if not self.settle_inputs("Save"):
            return False
        start = str(Path(self._last_folder()) / f"{file_stem(self.doc.project.name)}.minepivot")
        path, _ = QFileDialog.getSaveFileName(self, "Save project", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".minepivot"):
            path += ".minepivot"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            save_project(self.doc.project, path)
        except OSError as exc:
            QMessageBox.critical(
                self,
                "Save failed",
                f"{as_sentence(cannot_write(path, exc))}\nThe project is still open, unsaved.",
            )
            return False
        self.doc.set_path(Path(path))
        self.doc.undo_stack.setClean()
        self._remember(Path(path))
        self.statusBar().showMessage(f"Saved {path}")
        return True

    def export_dialog(self) -> None:
        start = str(Path(self._last_folder()) / f"{file_stem(self.doc.project.name)}.xlsx")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export to Excel", start, "Excel workbook (*.xlsx)"
        )
        if path:
            self.export_xlsx(Path(path if path.endswith(".xlsx") else path + ".xlsx"))

    def report_dialog(self) -> None:
        start = str(Path(self._last_folder()) / f"{file_stem(self.doc.project.name)}.pdf")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export report", start, "PDF, landscape A4 (*.pdf);;PDF, landscape Letter (*.pdf)"
        )
        if path:
            paper = "letter" if "Letter" in chosen else "a4"
            self.export_report(Path(path if path.endswith(".pdf") else path + ".pdf"), paper)

    def export_report(self, path: Path, paper: str = "a4") -> bool:
        """Write the board report; on failure say why (an existing file is left as it was)."""
        from gui.report.board import write_report

        if self._refused_output(path, "Report failed", "a PDF report"):
            return False
        if not self.settle_inputs("Report on"):
            return False
        self.doc.flush()
        try:
            write_report(self, path, paper)
        except (OSError, ValueError) as exc:
            reason = cannot_write(path, exc) if isinstance(exc, OSError) else f"{path}: {exc}"
            QMessageBox.critical(
                self,
                "Report failed",
                f"{as_sentence(reason)}\nAny file already at that path was left as it was.",
            )
            return False
        LAST_FOLDER.write(self.settings, str(path.parent))
        self.statusBar().showMessage(f"Wrote the report {path}")
        return True

    def export_xlsx(self, path: Path) -> bool:
        """Write the workbook; on failure say why. The project is never changed by an export."""
        from core.io.xlsx.export import ExportError, export_workbook

        if self._refused_output(path, "Export failed", "a workbook"):
            return False
        if not self.settle_inputs("Export"):
            return False
        self.doc.flush()
        doc, risk = self.doc, self.risk_view.current_bundle()
        unsaved = doc.is_modified() or doc.path is None

        def job(state: TaskState) -> Path:
            return export_workbook(
                doc.project,
                path,
                doc.result,
                doc.last_goal_seek,
                risk=risk,
                unsaved=unsaved,
                state=state,
            )

        try:
            _, cancelled = run_with_progress(self, "Exporting the workbook", job)
        except ExportError as exc:
            QMessageBox.critical(
                self, "Export failed", f"{exc}\nAny file already at that path was left as it was."
            )
            return False
        if cancelled:
            self.statusBar().showMessage(
                f"Export cancelled: {path.name} was not written (any file there is as it was)"
            )
            return False
        LAST_FOLDER.write(self.settings, str(path.parent))
        self.statusBar().showMessage(f"Exported {path}")
        return True

    def _refused_output(self, path: Path, title: str, writes: str) -> bool:
        """Say so and return True when ``path`` is the open project's file (or another
        project): an export never writes over one."""
        inputs = {} if self.doc.path is None else {"project": self.doc.path}
        problem = output_problem(path, inputs, writes)
        if problem:
            QMessageBox.critical(self, title, as_sentence(problem))
        return problem is not None

    def ask_export_path(self, title: str, suffix: str) -> Path | None:
        start = str(Path(self._last_folder()) / f"{file_stem(title)}.{suffix}")
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {title}", start, f"{suffix.upper()} (*.{suffix})"
        )
        return Path(path) if path else None

    # ------------------------------------------------------------------ settings
    def _last_folder(self) -> str:
        return LAST_FOLDER.read(self.settings)

    def recent_files(self) -> list[str]:
        return RECENT_FILES.read(self.settings)

    def _remember(self, path: Path) -> None:
        recent = [str(path.resolve())] + [
            p for p in self.recent_files() if p != str(path.resolve())
        ]
        RECENT_FILES.write(self.settings, recent[:MAX_RECENT])
        LAST_FOLDER.write(self.settings, str(path.resolve().parent))
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_files():
            self._action(self.recent_menu, p, lambda _=False, p=p: self.open_path(Path(p)))
        self._action(
            self.recent_menu, "Example project", lambda: self.open_path(example_project_path())
        )

    # ------------------------------------------------------------------ window events
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        WINDOW_GEOMETRY.write(self.settings, self.saveGeometry())
        self.doc.shutdown()
        self.risk_view.shutdown()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.toLocalFile().endswith(".minepivot") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith(".minepivot"):
                self.open_path(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return
