"""The Floor plan tab: one strategy's plan of one hangar, edited by hand or auto-layout.

Every edit is one undoable project change that also sets the linked blocks' counts, so the
charts follow the plan. While items are dragged only the moved ones are re-checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.engine.blocks.kinds import is_ai, mines
from core.model.plan import (
    KIND_LABELS,
    MINER_KINDS,
    TEMPLATE_LABELS,
    TEMPLATES,
    FloorPlan,
    Hangar,
    PlanItem,
)
from core.model.project import Project, Strategy
from core.plan.checks import review_plan
from core.plan.geometry import RULE_TITLES, PlanGeometry, Violation
from core.plan.layout import (
    FT2_PER_M2,
    PlanContext,
    PlanSummary,
    apply_plan_counts,
)
from gui.document import ProjectDocument
from gui.plan.edits import ItemEdits
from gui.plan.hangars import HangarActions
from gui.plan.props import ItemProperties
from gui.plan.scene import ItemGraphic, PlanScene
from gui.plan.view import ITEM_MIME, PlanView
from gui.widgets.numbers import fixed, general


class Palette(QListWidget):
    """Items to drag onto the plan (or double-click to add one in the middle of the view)."""

    def __init__(self) -> None:
        super().__init__()
        self.setDragEnabled(True)
        for key, label in TEMPLATE_LABELS.items():
            t = TEMPLATES[key]
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label}: {t['length_m']} × {t['depth_m']} m; drag onto the plan")
            self.addItem(item)

    def mimeTypes(self) -> list[str]:
        return [ITEM_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        if items:
            data.setData(ITEM_MIME, items[0].data(Qt.ItemDataRole.UserRole).encode())
        return data


class PlanEditor(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc: ProjectDocument | None = None
        self.ask_path: Callable[[str, str], Path | None] | None = None
        self.active = False
        self.built = False
        self.strategy_name: str | None = None
        self.hangar_name: str | None = None
        self.violations: list[Violation] = []
        self.others: list[Violation] = []  # capacity and facility: a drag does not move them
        self.plan_geometry: PlanGeometry | None = None
        self.summary: PlanSummary | None = None
        self._select_after: list[int] | None = None
        self._dirty: dict[int, ItemGraphic] = {}
        self._paste_shift = 0.0
        self._ctx: PlanContext | None = None
        self.edits = ItemEdits(self, self)
        self.hangars = HangarActions(self, self.edits)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)

    # ------------------------------------------------------------------ building
    def set_document(self, doc: ProjectDocument) -> None:
        if self.doc is not None:
            try:
                self.doc.project_changed.disconnect(self._project_changed)
            except (RuntimeError, TypeError):
                pass  # the old document is already gone
        self.doc = doc
        doc.project_changed.connect(self._project_changed)
        self.strategy_name = self.hangar_name = None
        if self.active:
            self.refresh(fit=True)

    def set_active(self, active: bool) -> None:
        self.active = active
        if active and not self.built:
            self._build()
        if active:
            self.refresh(fit=self.hangar_name is None)

    def _build(self) -> None:
        self.built = True
        self.scene = PlanScene(self)
        self.scene.on_drag = self.edits.dragged
        self.scene.model_label = self._model_label
        self.view = PlanView(self.scene)
        self.view.on_drop = self.edits.drop
        self.view.viewport().installEventFilter(self.edits)
        self.scene.selectionChanged.connect(self._selection_changed)
        # A tool bar, not a row of buttons: what does not fit a laptop's width goes into its
        # » menu instead of widening the window.
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.strategy = QComboBox()
        self.strategy.setToolTip("Whose plan: each strategy lays out the hangars its own way")
        self.strategy.activated.connect(lambda _: self._choose())
        self.hangar = QComboBox()
        self.hangar.setToolTip("Which site hangar")
        self.hangar.activated.connect(lambda _: self._choose())
        for combo in (self.strategy, self.hangar):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
        bar.addWidget(QLabel("Strategy "))
        bar.addWidget(self.strategy)
        bar.addWidget(QLabel("  Hangar "))
        bar.addWidget(self.hangar)
        for text, slot, tip in (
            ("Add hangar…", self.hangars.add_hangar, "A new hangar on the site"),
            ("Edit hangar…", self.hangars.edit_hangar, "Size, doors and aisle clearances"),
            ("Delete hangar", self.hangars.delete_hangar, "Remove the hangar and its plans"),
            ("Auto-layout…", self.hangars.auto_layout_dialog, "Fill the hangar or an area"),
            ("Fit", lambda: self.view.fit(), "Show the whole hangar (F)"),
            ("PNG…", lambda: self.hangars.export_dialog(".png"), "Save the plan as a picture"),
            ("SVG…", lambda: self.hangars.export_dialog(".svg"), "Save the plan as a drawing"),
        ):
            action = bar.addAction(text)
            action.setToolTip(tip)
            action.triggered.connect(slot)
        self.heat = QCheckBox("Heat map")
        self.heat.setToolTip("Colour items by IT kW, blue (low) to red (the plan's highest)")
        self.heat.toggled.connect(self.scene.set_heat_map)
        bar.addWidget(self.heat)
        left = QWidget()
        left.setFixedWidth(210)  # selecting an item must not move the plan under the cursor
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Palette (drag onto the plan)"))
        self.item_palette = Palette()
        self.item_palette.itemDoubleClicked.connect(self.edits.palette_double_clicked)
        ll.addWidget(self.item_palette, 1)
        self.props = ItemProperties()
        self.props.changed.connect(self.edits.set_properties)
        ll.addWidget(self.props)
        right = QWidget()
        right.setFixedWidth(250)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.capacity = QLabel()
        self.capacity.setWordWrap(True)
        self.capacity.setTextFormat(Qt.TextFormat.RichText)
        rl.addWidget(self.capacity)
        self.violation_title = QLabel()
        rl.addWidget(self.violation_title)
        self.violation_list = QListWidget()
        self.violation_list.setWordWrap(True)
        self.violation_list.setToolTip("Click a violation to select its items")
        self.violation_list.currentRowChanged.connect(self._violation_clicked)
        rl.addWidget(self.violation_list, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.view)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 700, 240])
        self._box.addWidget(bar)
        self._box.addWidget(split, 1)
        self._actions()

    def _actions(self) -> None:
        e = self.edits

        def duplicate() -> None:
            e.copy_selected()
            e.paste()

        table: tuple[
            tuple[str, list[str | QKeySequence.StandardKey], Callable[[], object]], ...
        ] = (
            ("Rotate 90°", ["R"], e.rotate_selected),
            ("Delete", [QKeySequence.StandardKey.Delete, "Backspace"], e.delete_selected),
            ("Copy", [QKeySequence.StandardKey.Copy], e.copy_selected),
            ("Paste", [QKeySequence.StandardKey.Paste], e.paste),
            ("Duplicate", ["Ctrl+D"], duplicate),
            ("Select all", [QKeySequence.StandardKey.SelectAll], e.select_all),
            ("Fit", ["F"], lambda: self.view.fit()),
            ("Zoom in", ["+", "="], lambda: self.view.zoom(1.25)),
            ("Zoom out", ["-"], lambda: self.view.zoom(0.8)),
            ("Nudge left", ["Left"], lambda: e.nudge(-1, 0)),
            ("Nudge right", ["Right"], lambda: e.nudge(1, 0)),
            ("Nudge up", ["Up"], lambda: e.nudge(0, -1)),
            ("Nudge down", ["Down"], lambda: e.nudge(0, 1)),
        )
        for text, keys, slot in table:
            act = QAction(text, self.view)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.view.addAction(act)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    # ------------------------------------------------------------------ model access
    @property
    def project(self) -> Project:
        assert self.doc is not None
        return self.doc.project

    def widget(self) -> QWidget:
        """The widget the actions' dialogs belong to."""
        return self

    def current_strategy(self) -> Strategy | None:
        return next((s for s in self.project.strategies if s.name == self.strategy_name), None)

    def current_hangar(self) -> Hangar | None:
        return next((h for h in self.project.site.hangars if h.name == self.hangar_name), None)

    def current_items(self) -> list[PlanItem]:
        s = self.current_strategy()
        plan = next((p for p in s.plans if p.hangar == self.hangar_name), None) if s else None
        return list(plan.items) if plan else []

    def linkable_blocks(self) -> dict[str, list[str]]:
        s = self.current_strategy()
        blocks = s.blocks if s else []
        mining = [b.name for b in blocks if mines(b)]
        ai = [b.name for b in blocks if is_ai(b)]
        return {"asic_rack": mining, "container": mining, "gpu_rack": ai}

    def _model_label(self, index: int, item: PlanItem) -> str:
        ctx = self._ctx
        if ctx is None or item.kind not in ("asic_rack", "container", "gpu_rack"):
            return ""
        link = f"counts towards {item.block}" if ctx.linked_block(item) else "not counted"
        unit = "miners" if item.kind in MINER_KINDS else "servers"
        return f"{fixed(item.units)} {unit} ({ctx.model_of(item) or 'no model'}); {link}"

    # ------------------------------------------------------------------ editing
    def commit(self, items: list[PlanItem], text: str, select: list[int] | None = None) -> None:
        """Replace this hangar's plan in this strategy as one undoable step."""
        strategy = self.current_strategy()
        if strategy is None or self.hangar_name is None:
            return
        plans = [p for p in strategy.plans if p.hangar != self.hangar_name]
        if items:
            plans.append(FloorPlan(hangar=self.hangar_name, items=items))
            plans.sort(key=lambda p: [h.name for h in self.project.site.hangars].index(p.hangar))
        new = strategy.model_copy(update={"plans": plans})
        strategies = [new if s.name == strategy.name else s for s in self.project.strategies]
        self._select_after = select
        assert self.doc is not None
        self.doc.apply(
            apply_plan_counts(self.project.model_copy(update={"strategies": strategies})), text
        )

    # ------------------------------------------------------------------ showing
    def _project_changed(self, _project: Project) -> None:
        if self.active:
            self.refresh()

    def _choose(self) -> None:
        self.strategy_name = self.strategy.currentText() or None
        self.hangar_name = self.hangar.currentText() or None
        self.refresh(fit=True)

    def choose(self, strategy: str, hangar: str) -> None:
        """Show this strategy's plan of this hangar (tests, and the violations' owners)."""
        self.strategy_name, self.hangar_name = strategy, hangar
        self.refresh(fit=True)

    def refresh(self, fit: bool = False) -> None:
        if not self.built or self.doc is None:
            return
        project = self.project
        names = [s.name for s in project.strategies]
        hangars = [h.name for h in project.site.hangars]
        if self.strategy_name not in names:
            with_plans = [s.name for s in project.strategies if s.plans]
            self.strategy_name = (with_plans or names)[0]
        if self.hangar_name not in hangars:
            self.hangar_name = hangars[0] if hangars else None
            fit = True
        for box, values, current in (
            (self.strategy, names, self.strategy_name),
            (self.hangar, hangars, self.hangar_name),
        ):
            box.blockSignals(True)
            if [box.itemText(i) for i in range(box.count())] != values:
                box.clear()
                box.addItems(values)
            box.setCurrentIndex(values.index(current) if current in values else -1)
            box.blockSignals(False)
        hangar = self.current_hangar()
        strategy = self.current_strategy()
        if hangar is None or strategy is None:
            self.scene.clear_plan()
            self.capacity.setText("No hangars yet: <b>Add hangar…</b> to draw the site.")
            self.violation_title.setText("")
            self.violation_list.clear()
            return
        if self.scene.hangar != hangar:
            self.scene.set_hangar(hangar, project.site.aisles)
        plan = FloorPlan(hangar=hangar.name, items=self.current_items())
        ctx = self._ctx = PlanContext.of(project, strategy)  # item tooltips use it too
        review = review_plan(project, strategy, plan, ctx)
        self.summary, self.plan_geometry = review.summary, review.geometry
        self.violations, self.others = review.placement, review.others
        self.scene.set_items(list(plan.items), self.summary)
        self.show_violations()
        self._show_capacity(project, strategy, review.summaries)
        if self._select_after is not None:
            self.scene.select(self._select_after)
            self._select_after = None
        self._selection_changed()
        if fit:
            self.view.fit()

    def all_violations(self) -> list[Violation]:
        return self.violations + self.others

    def show_violations(self) -> None:
        found = self.all_violations()
        self.scene.set_violations({i for v in found for i in v.items})
        self.violation_title.setText(
            f"<b>{len(found)} violation(s)</b>" if found else "<b>No violations</b>"
        )
        self.violation_list.blockSignals(True)
        self.violation_list.clear()
        for v in found[:2000]:
            entry = QListWidgetItem(f"{RULE_TITLES[v.rule]}: {v.message}")
            entry.setData(Qt.ItemDataRole.UserRole, list(v.items))
            self.violation_list.addItem(entry)
        if len(found) > 2000:
            self.violation_list.addItem(f"… and {fixed(len(found) - 2000)} more")
        self.violation_list.blockSignals(False)

    def _violation_clicked(self, row: int) -> None:
        entry = self.violation_list.item(row)
        items = entry.data(Qt.ItemDataRole.UserRole) if entry else None
        if items:
            self.scene.select(items)
            self.view.centerOn(self.scene.graphics[items[0]])

    def _selection_changed(self) -> None:
        items = self.current_items()
        chosen = [items[k] for k in self.edits.selected() if k < len(items)]
        self.props.show_items(chosen, self.linkable_blocks())

    def _show_capacity(
        self, project: Project, strategy: Strategy, summaries: dict[str, PlanSummary]
    ) -> None:
        s = self.summary
        assert s is not None
        total = sum(x.facility_kw for x in summaries.values()) / 1000
        limit = project.site.interconnect_mw
        over = "color:#c0392b" if total > limit else ""
        cat = PlanContext.of(project, strategy).catalog
        names = {
            **{k: m.name for k, m in cat.asics.items()},
            **{k: m.name for k, m in cat.gpu_servers.items()},
        }
        holds = "<br>".join(f"{fixed(n)} × {names.get(m, m)}" for m, n in s.counts.items()) or "—"
        kinds = (
            ", ".join(f"{fixed(n)} {KIND_LABELS[k]}" for k, n in s.items_by_kind.items()) or "empty"
        )
        balance = s.cooling_balance_kw
        short = "color:#c0392b" if balance < 0 else ""
        per_mw = "—" if s.ft2_per_mw is None else f"{fixed(s.ft2_per_mw)} ft² per MW IT"
        cover = f"; items cover {s.occupied_m2 / s.floor_m2:.0%}" if s.floor_m2 else ""
        self.capacity.setText(
            f"<b>{s.hangar}</b> ({strategy.name})<br>"
            f"{kinds}<br>{holds}<br><br>"
            f"IT load <b>{fixed(s.it_mw, 2)} MW</b><br>"
            f"Facility (IT × PUE) <b>{fixed(s.facility_mw, 2)} MW</b><br>"
            f"<span style='{over}'>All hangars: {fixed(total, 2)} of {general(limit)} MW "
            "interconnect "
            f"({total / limit:.0%})</span><br>"
            f"CDU cooling {fixed(s.cooling_kw)} kW for {fixed(s.heat_load_kw)} kW liquid heat "
            f"(<span style='{short}'>{'+' if balance >= 0 else ''}{fixed(balance)} kW</span>)<br>"
            f"Transformers {fixed(s.transformer_mva, 1)} MVA<br>"
            f"Floor {fixed(s.floor_m2)} m² ({fixed(s.floor_m2 * FT2_PER_M2)} ft²), {per_mw}{cover}"
        )
