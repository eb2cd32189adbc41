"""Strategy colours stay with their strategy when others are added, deleted, moved or renamed,
in the charts and on the cards."""

from __future__ import annotations

from gui.widgets.colours import PALETTE, StrategyColours


def test_colours_follow_their_strategy():
    c = StrategyColours(["Keep", "Convert", "Hybrid"])
    first = {n: c(n) for n in ("Keep", "Convert", "Hybrid")}
    assert list(first.values()) == PALETTE[:3]
    c.follow(["Keep", "Keep copy", "Convert", "Hybrid"])  # a duplicate inserted second
    assert {n: c(n) for n in first} == first
    assert c("Keep copy") == PALETTE[3]
    c.follow(["Hybrid", "Keep copy", "Convert", "Keep"])  # moved
    assert {n: c(n) for n in first} == first
    c.follow(["Hybrid", "Keep copy", "Convert"])  # deleted, then the delete undone
    c.follow(["Hybrid", "Keep copy", "Convert", "Keep"])
    assert c("Keep") == first["Keep"]
    c.follow(["Hybrid", "Keep copy", "Converted", "Keep"])  # renamed
    assert c("Converted") == first["Convert"]
    c.follow(["Hybrid", "Keep copy", "Converted"])
    c.follow(["Hybrid", "Keep copy", "Converted", "New"])  # a new one takes the freed slot
    assert c("New") == first["Keep"]
    assert len({c(n) for n in ("Hybrid", "Keep copy", "Converted", "New")}) == 4


def test_window_keeps_colours_when_a_strategy_is_inserted(qtbot, window):
    doc = window.doc
    names = [s.name for s in doc.project.strategies]
    before = {n: doc.colours(n) for n in names}
    curve_pen = window.dashboard.cumulative.curves[names[1]].opts["pen"].color().name()
    window.strategies_panel.list.setCurrentRow(0)
    window.strategies_panel.strategy_actions.duplicate_strategy()  # inserted after the first
    doc.recompute()
    assert {n: doc.colours(n) for n in names} == before
    assert window.dashboard.cumulative.curves[names[1]].opts["pen"].color().name() == curve_pen
    cards = {card.name.text().split("<b>")[1].split("<")[0]: card for card in window.cards.cards}
    assert before[names[1]] in cards[names[1]].name.text()


def test_each_strategy_has_its_own_line_style_for_grey_print(qtbot, window):
    # Told apart without colour: solid, dash, dot, dash-dot; a weighted curve is its
    # strategy's style, thin.
    from gui.widgets.chart import PEN_STYLES

    doc, chart = window.doc, window.dashboard.cumulative
    names = [s.name for s in doc.project.strategies]
    styles = [chart.curves[n].opts["pen"].style() for n in names]
    assert len(set(styles)) == len(names)
    assert styles[0] == PEN_STYLES[doc.colours.line(names[0])]
    weighted = chart.weighted[names[1]].opts["pen"]
    assert weighted.style() == styles[1] and weighted.widthF() < 1
