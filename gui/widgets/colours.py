"""Strategy colours that stay with their strategy: a strategy keeps its palette slot while
others are added, duplicated, deleted or moved, and keeps it through a rename."""

from __future__ import annotations

PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
]


# With the colour, a line style per slot: strategies stay apart when a page is printed in grey.
LINE_STYLES = ("solid", "dash", "dot", "dashdot", "dashdotdot")


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


class StrategyColours:
    """Palette slots by strategy name. New names take the lowest slot no present strategy
    holds; a deleted strategy's slot is kept for it (an undone delete brings the colour back)
    until a new strategy needs it. Call ``follow`` with the names after every change."""

    def __init__(self, names: list[str] | tuple[str, ...] = ()) -> None:
        self._slot: dict[str, int] = {}
        self._names: list[str] = []
        self.follow(list(names))

    def follow(self, names: list[str]) -> None:
        before, self._names = self._names, list(names)
        if len(before) == len(names):
            changed = [k for k, (a, b) in enumerate(zip(before, names, strict=True)) if a != b]
            if len(changed) == 1 and before[changed[0]] in self._slot:  # one renamed
                self._slot[names[changed[0]]] = self._slot.pop(before[changed[0]])
        taken: set[int] = set()
        fresh = []
        for name in names:
            slot = self._slot.get(name)
            if slot is None or slot in taken:
                fresh.append(name)
            else:
                taken.add(slot)
        present = set(names)
        for name in fresh:
            free = next(i for i in range(len(taken) + 1) if i not in taken)
            for gone in [n for n, s in self._slot.items() if s == free and n not in present]:
                del self._slot[gone]  # a deleted strategy's slot goes to a new one
            self._slot[name] = free
            taken.add(free)

    def __call__(self, name: str) -> str:
        """The strategy's colour (an unknown name takes the next free slot)."""
        return PALETTE[self._slot_of(name) % len(PALETTE)]

    def line(self, name: str) -> str:
        """The strategy's line style, one of LINE_STYLES."""
        return LINE_STYLES[self._slot_of(name) % len(LINE_STYLES)]

    def _slot_of(self, name: str) -> int:
        if name not in self._slot:
            self.follow([*self._names, name])
        return self._slot[name]
