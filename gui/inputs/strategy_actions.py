"""What the Strategies panel's buttons do to the project: add, duplicate, rename, delete and
reorder strategies and their blocks. Each action builds the new strategy list and hands it to
``apply`` (the panel's), which validates it and makes it one undoable step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import QInputDialog, QWidget

from core.model.business import COLO_USD_PER_KW_MONTH
from core.model.project import AiBlock, HostingBlock, MiningBlock, Strategy
from gui.document import ProjectDocument


def unique_name(base: str, taken: list[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"


class Apply(Protocol):
    def __call__(
        self,
        strategies: list[Strategy],
        text: str,
        select: int | None = None,
        select_block: int | None = None,
        renamed: dict[str, str] | None = None,
    ) -> None: ...


class StrategyActions:
    """The strategy and block actions, handed what they use: the document, the selection (the
    selected strategy's index and block row), where a new strategy list goes (``apply``), where
    a refusal is said (``say``) and the widget a dialog belongs to."""

    def __init__(
        self,
        doc: ProjectDocument,
        selection: Callable[[], tuple[int, int]],
        apply: Apply,
        say: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        self.doc, self._selection, self._apply, self._say = doc, selection, apply, say
        self._parent = parent

    @property
    def index(self) -> int:
        return self._selection()[0]

    @property
    def block_row(self) -> int:
        return self._selection()[1]

    @property
    def strategy(self) -> Strategy:
        return self.doc.project.strategies[min(self.index, len(self.doc.project.strategies) - 1)]

    def add_strategy(self) -> None:
        names = [s.name for s in self.doc.project.strategies]
        new = Strategy(name=unique_name("New strategy", names))
        self._apply([*self.doc.project.strategies, new], "Add strategy", len(names))

    def duplicate_strategy(self) -> None:
        s = self.strategy
        names = [x.name for x in self.doc.project.strategies]
        copy = s.model_copy(update={"name": unique_name(f"{s.name} copy", names)})
        items = list(self.doc.project.strategies)
        items.insert(self.index + 1, copy)
        self._apply(items, f"Duplicate {s.name}", self.index + 1)

    def rename_strategy(self, new_name: str | None = None) -> None:
        s = self.strategy
        if new_name is None:
            new_name, ok = QInputDialog.getText(
                self._parent, "Rename strategy", "Name:", text=s.name
            )
            if not ok:
                return
        new_name = new_name.strip()
        if not new_name or new_name == s.name:
            return
        items = []
        for x in self.doc.project.strategies:
            update: dict[str, Any] = {}
            if x is s:
                update["name"] = new_name
            if x.fallback_strategy == s.name:
                update["fallback_strategy"] = new_name
            items.append(x.model_copy(update=update) if update else x)
        self._apply(items, f"Rename {s.name} to {new_name}", self.index, renamed={s.name: new_name})

    def delete_strategy(self) -> None:
        if len(self.doc.project.strategies) <= 1:
            self._say("A project needs at least one strategy.")
            return
        s = self.strategy
        items = [
            x.model_copy(update={"fallback_strategy": None}) if x.fallback_strategy == s.name else x
            for x in self.doc.project.strategies
            if x is not s
        ]
        self._apply(items, f"Delete {s.name}", max(self.index - 1, 0))

    def move_strategy(self, step: int) -> None:
        i, items = self.index, list(self.doc.project.strategies)
        j = i + step
        if 0 <= j < len(items):
            items[i], items[j] = items[j], items[i]
            self._apply(items, "Reorder strategies", j)

    # ------------------------------------------------------------------ block actions
    def _with_blocks(self, blocks: list[MiningBlock | AiBlock], text: str, select: int) -> None:
        items = list(self.doc.project.strategies)
        items[self.index] = self.strategy.model_copy(update={"blocks": blocks})
        self._apply(items, text, self.index, select)

    def _add_block(
        self, make: Callable[[str], MiningBlock | AiBlock], name: str, text: str
    ) -> None:
        """Append ``make(unique name)`` to the strategy's blocks and select it."""
        blocks = list(self.strategy.blocks)
        blocks.append(make(unique_name(name, [b.name for b in blocks])))
        self._with_blocks(blocks, text, len(blocks) - 1)

    def add_mining(self) -> None:
        self._add_block(
            lambda name: MiningBlock(name=name, asic_model="s21", asic_count=1000),
            "Mining",
            "Add mining block",
        )

    def add_hosting(self) -> None:
        self._add_block(
            lambda name: HostingBlock(name=name, asic_model="s21", asic_count=1000),
            "Hosting",
            "Add hosting block",
        )

    def add_ai(self) -> None:
        self._add_block(
            lambda name: AiBlock(
                name=name,
                it_mw=10.0,
                colo_usd_per_kw_month=COLO_USD_PER_KW_MONTH,
                retrofit_usd_per_mw=6.5e6,
                conversion_months=12,
            ),
            "AI hosting",
            "Add AI block",
        )

    def duplicate_block(self) -> None:
        j, blocks = self.block_row, list(self.strategy.blocks)
        if 0 <= j < len(blocks):
            copy = blocks[j].model_copy(
                update={"name": unique_name(f"{blocks[j].name} copy", [b.name for b in blocks])}
            )
            blocks.insert(j + 1, copy)
            self._with_blocks(blocks, "Duplicate block", j + 1)

    def delete_block(self) -> None:
        j, blocks = self.block_row, list(self.strategy.blocks)
        if 0 <= j < len(blocks):
            del blocks[j]
            self._with_blocks(blocks, "Delete block", max(j - 1, 0))

    def move_block(self, step: int) -> None:
        j, blocks = self.block_row, list(self.strategy.blocks)
        k = j + step
        if 0 <= j < len(blocks) and 0 <= k < len(blocks):
            blocks[j], blocks[k] = blocks[k], blocks[j]
            self._with_blocks(blocks, "Reorder blocks", k)
