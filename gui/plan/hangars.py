"""The floor-plan editor's hangar, auto-layout and export actions: an object handed the editor
through ``PlanHost`` and the item edits (for the block a new item feeds)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox

from core.model.plan import TEMPLATE_LABELS, FloorPlan, Hangar, LayoutRules, new_item
from core.plan.autolayout import auto_layout, layout_with_cdus
from core.plan.layout import PlanContext, apply_plan_counts, footprint, summarise
from gui.plan.dialogs import AutoLayoutDialog, HangarDialog
from gui.plan.edits import ItemEdits
from gui.plan.export import plan_title
from gui.plan.host import PlanHost
from gui.plan.view import export_scene


class HangarActions:
    """Site hangars (add, edit, rename, delete), auto-layout and PNG/SVG export."""

    def __init__(self, host: PlanHost, edits: ItemEdits) -> None:
        self.host, self.edits = host, edits

    def _set_site(
        self, hangars: list[Hangar], rules: LayoutRules, renamed: dict[str, str], text: str
    ) -> None:
        """New hangars and rules; plans follow renamed hangars and go with deleted ones."""
        project = self.host.project
        names = {h.name for h in hangars}
        strategies = []
        for s in project.strategies:
            plans = [
                p.model_copy(update={"hangar": renamed.get(p.hangar, p.hangar)}) for p in s.plans
            ]
            plans = [p for p in plans if p.hangar in names]
            strategies.append(s.model_copy(update={"plans": plans}) if plans != s.plans else s)
        site = project.site.model_copy(update={"hangars": hangars, "aisles": rules})
        doc = self.host.doc
        assert doc is not None
        doc.apply(
            apply_plan_counts(project.model_copy(update={"site": site, "strategies": strategies})),
            text,
        )

    def add_hangar(self) -> None:
        hangars = list(self.host.project.site.hangars)
        taken = [h.name for h in hangars]
        n = len(hangars) + 1
        while f"Hangar {n}" in taken:
            n += 1
        start = Hangar(name=f"Hangar {n}", length_m=100.0, width_m=30.0)
        dialog = HangarDialog(start, self.host.project.site.aisles, taken, self.host.widget())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        hangar, rules = dialog.values()
        self.host.hangar_name = hangar.name
        self._set_site([*hangars, hangar], rules, {}, f"Add {hangar.name}")

    def edit_hangar(self) -> None:
        hangar = self.host.current_hangar()
        if hangar is None:
            self.add_hangar()
            return
        hangars = list(self.host.project.site.hangars)
        taken = [h.name for h in hangars if h.name != hangar.name]
        dialog = HangarDialog(hangar, self.host.project.site.aisles, taken, self.host.widget())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        new, rules = dialog.values()
        self.host.hangar_name = new.name
        renamed = {hangar.name: new.name} if new.name != hangar.name else {}
        hangars = [new if h.name == hangar.name else h for h in hangars]
        self._set_site(hangars, rules, renamed, f"Edit {new.name}")

    def delete_hangar(self) -> None:
        hangar = self.host.current_hangar()
        if hangar is None:
            return
        hangars = [h for h in self.host.project.site.hangars if h.name != hangar.name]
        self.host.hangar_name = None
        self._set_site(hangars, self.host.project.site.aisles, {}, f"Delete {hangar.name}")

    def auto_layout_dialog(self) -> None:
        hangar = self.host.current_hangar()
        if hangar is None:
            QMessageBox.information(self.host.widget(), "Auto-layout", "Add a hangar first.")
            return
        items = self.host.current_items()
        chosen = self.edits.selected()
        area = (0.0, 0.0, hangar.length_m, hangar.width_m)
        if len(chosen) > 1:  # the selection's bounds
            rects = [footprint(items[k]) for k in chosen]
            area = (
                min(r[0] for r in rects),
                min(r[1] for r in rects),
                max(r[2] for r in rects),
                max(r[3] for r in rects),
            )
        kinds = ("asic_rack", "container", "gpu_rack")
        defaults = {k: self.edits.default_block(k) for k in kinds}
        dialog = AutoLayoutDialog(
            hangar,
            self.host.linkable_blocks(),
            area,
            template=self._fitting_template(),
            parent=self.host.widget(),
            defaults=defaults,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        key, changes, area, replace, with_cdus = dialog.choice()
        self.fill(key, changes, area, replace, with_cdus)

    def _fitting_template(self) -> str:
        """What the hangar is for: the kind it holds most of already; an empty hangar of a
        strategy with AI blocks takes direct-liquid GPU racks (H100 HGX), else ASIC shelving."""
        kinds = Counter(
            i.kind for i in self.host.current_items() if i.kind in ("asic_rack", "gpu_rack")
        )
        if kinds:
            return "gpu_rack_liquid" if kinds.most_common(1)[0][0] == "gpu_rack" else "asic_rack"
        return "gpu_rack_liquid" if self.host.linkable_blocks()["gpu_rack"] else "asic_rack"

    def fill(
        self, key: str, changes: dict, area: tuple, replace: bool = True, with_cdus: bool = False
    ) -> int:
        """Auto-layout ``area`` with palette item ``key`` (and, ``with_cdus``, the CDUs the
        racks' liquid heat needs); returns how many were placed."""
        hangar = self.host.current_hangar()
        if hangar is None:
            return 0
        items = self.host.current_items()
        x0, y0, x1, y1 = area

        def inside(item) -> bool:
            fx0, fy0, fx1, fy1 = footprint(item)
            return fx0 >= x0 - 1e-6 and fy0 >= y0 - 1e-6 and fx1 <= x1 + 1e-6 and fy1 <= y1 + 1e-6

        keep = [i for i in items if not (replace and inside(i))]
        template = new_item(key, **changes)
        rules = self.host.project.site.aisles
        text = f"Auto-layout {{}} × {TEMPLATE_LABELS[key]}"
        if with_cdus:
            strategy = self.host.current_strategy()
            assert strategy is not None  # a plan on show belongs to a strategy
            ctx = PlanContext.of(self.host.project, strategy)

            def heat(racks: list) -> float:
                return summarise(FloorPlan(hangar=hangar.name, items=racks), "", ctx).heat_load_kw

            racks, cdus = layout_with_cdus(hangar, template, rules, heat, area, keep)
            placed = [*racks, *cdus]
            text += f" and {len(cdus)} CDU(s)"
            count = len(racks)
        else:
            placed = auto_layout(hangar, template, rules, area, keep)
            count = len(placed)
        self.host.commit(
            [*keep, *placed],
            text.format(count),
            select=list(range(len(keep), len(keep) + len(placed))),
        )
        return count

    def export_dialog(self, suffix: str) -> None:
        if self.host.ask_path is None or self.host.current_hangar() is None:
            return
        path = self.host.ask_path(f"{self.host.strategy_name} {self.host.hangar_name} plan", suffix)
        if path:
            try:
                self.export(path)
            except OSError as exc:
                QMessageBox.warning(
                    self.host.widget(), "Export plan", f"The plan was not saved: {exc}"
                )

    def export(self, path: Path) -> Path:
        s = self.host.summary
        title = plan_title(
            self.host.strategy_name or "",
            self.host.hangar_name or "",
            s.it_mw if s else 0.0,
            len(self.host.all_violations()),
        )
        return export_scene(self.host.scene, path, title)
