"""The board report's pages as HTML: the decision (page one), the summary by strategy with its
warnings and notes, the floor plans and every input with its unit, meaning and source. Figures
in the system locale's separators (``gui.widgets.numbers``)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument

from core.engine.evaluation import ProjectResult, StrategyResult
from core.io.buildinfo import build_info
from core.model import block_labels
from core.model import labels as spec
from core.model.catalog import catalog_for
from core.model.paths import get_attr_path
from core.model.project import Project
from core.plan.checks import review_plans
from core.risk.sensitivity import RiskAnalysis
from gui.widgets.numbers import (
    fixed,
    format_number,
    general,
    general_change,
    irr_text,
    localise_warning,
    money,
    money_change,
    months,
    pct,
)

INPUT_GROUPS = (
    ("Site", "site.", spec.SITE),
    ("Contract and grid charges", "site.energy.", spec.ENERGY),
    ("Demand response", "site.demand_response.", spec.DEMAND_RESPONSE),
    ("Bitcoin market", "market.", spec.MARKET),
    ("Finance", "finance.", spec.FINANCE),
)


# A floor plan's picture at most this wide and tall: the document lays out at 96 units an
# inch, so a landscape A4 or Letter page holds about 1,000 × 700 inside its margins.
PLAN_MAX_WIDTH, PLAN_MAX_HEIGHT = 990, 640


def executive_page(
    project: Project, r: ProjectResult, risk: RiskAnalysis, ran: str, cumulative: str
) -> str:
    """Page one: the reading in neutral words, each strategy's NPV as signed and weighted
    with its spread over the risk run's paths, the cumulative cash chart, and the three
    inputs that move the leading strategy's NPV most."""
    best = max(r.strategies, key=lambda s: s.kpis.probability_weighted_npv_usd)
    mc = risk.monte_carlo
    rows = []
    for s in r.strategies:
        k = s.kpis
        spread = next((x for x in mc.strategies if x.name == s.name), None)
        cells = [money(spread.percentile(q)) for q in (10, 50, 90)] if spread else ["—"] * 3
        below = f"{fixed((spread.npv_usd < 0).mean() * 100)} %" if spread else "—"
        signed = spread.probability_signed if spread else None
        rows.append(
            [
                s.name,
                money(k.npv_usd),
                money(k.probability_weighted_npv_usd),
                irr_text(k.irr, k.irr_note),
                months(k.payback_months, k.payback_note),
                *cells,
                below,
                "—" if signed is None else f"{fixed(signed * 100)} %",
            ]
        )
    table = _table(
        [
            "Strategy",
            "NPV as signed",
            "NPV weighted",
            "IRR",
            "Payback",
            "P10 NPV",
            "P50 NPV",
            "P90 NPV",
            "P(NPV < 0)",
            "P(signed)",
        ],
        rows,
    )
    base = risk.tornado.base_npv_usd.get(best.name)
    movers = ""
    if base is not None:
        bars = sorted(risk.tornado.bars, key=lambda b: -b.swing_usd(best.name))[:3]

        def nb(text: str) -> str:  # a figure never split over two lines
            return f"<nobr>{_e(text)}</nobr>"

        def moved(pct_: float) -> str:
            return f"{general_change(pct_)}\u00a0%"

        items = "".join(
            f"<li>{_e(b.label)}, {nb(moved(b.low_pct))} / {nb(moved(b.high_pct))}:<br>NPV "
            f"{nb(money_change(b.npv_low_usd[best.name] - base))} / "
            f"{nb(money_change(b.npv_high_usd[best.name] - base))}</li>"
            for b in bars
        )
        movers = f"<h2>What moves {_e(best.name)}'s NPV most</h2><ul>{items}</ul>" if items else ""
    note = (
        f"Spread over {fixed(mc.paths)} Monte Carlo paths (seed {mc.risk.seed}); IRR and payback "
        "as entered; P(signed): the share of paths whose AI contract is signed. " + ran
    )
    return (
        f"<h1>{_e(project.name)}: the decision</h1>"
        f"<h2>Recommendation</h2><p>{_e(reading(r))}</p>"
        + table
        + f"<p class='note'>{_e(note)}</p>"
        # The chart and what moves NPV side by side: page one holds them both.
        + "<table style='border:none'><tr>"
        f"<td style='border:none'><img src='{cumulative}' width='540' height='304'></td>"
        f"<td style='border:none; vertical-align: top; padding-left: 12px'>{movers}</td>"
        "</tr></table>"
    )


def summary_page(project: Project, r: ProjectResult, provenance: str) -> str:
    info = build_info()
    site = project.site
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f"<h1 style='page-break-before: always'>{_e(project.name)}</h1>"
        f"<p>{_e(site.name)}, {_e(site.location)}: {fixed(site.interconnect_mw)} MW "
        f"interconnect; {project.finance.horizon_years}-year horizon from "
        f"{_e(r.months[0])}; discount rate "
        f"{general(project.finance.discount_rate_pct_per_year)} % a year.</p>"
        f"<p class='note'>MinePivot {_e(info.version)}, exported {when}; "
        f"{_e(provenance)}</p>"
    )
    cols = [
        "Strategy",
        "NPV",
        "IRR",
        "Payback",
        "Peak\nfunding",
        "Terminal\nvalue",
        "vs baseline:\nNPV",
        "IRR",
        "Payback",
        "Equity\nIRR",
        "Min\nDSCR",
        "Owed\nat end",
    ]
    rows = []
    for s in r.strategies:
        k, inc = s.kpis, s.incremental
        financed = bool(s.monthly["debt_draw_usd"].any())
        rows.append(
            [
                s.name,
                money(k.npv_usd),
                irr_text(k.irr, k.irr_note),
                months(k.payback_months, k.payback_note),
                money(k.peak_funding_usd),
                f"{pct(k.terminal_value_share_of_npv, 0)} of NPV",
                _increment_text(inc),
                irr_text(inc.irr, inc.irr_note) if inc else "",
                months(inc.payback_months, inc.payback_note) if inc else "",
                irr_text(k.equity_irr, k.equity_irr_note) if financed else "not financed",
                f"{fixed(k.min_dscr, 2)}×" if financed and k.min_dscr is not None else "",
                money(k.balloon_usd) if financed else "",
            ]
        )
    return (
        head
        + "<h2>Results by strategy</h2>"
        + _table(cols, rows)
        + "<p class='note'>n/m: no investment to recover (cumulative cash flow never below "
        f"zero), or an IRR above {fixed(1000)} % a year (too little money at risk for a rate to "
        "mean anything). Incremental figures are the strategy's monthly free cash flow minus the "
        "baseline's. Min DSCR: over every repayment month. Owed at end: debt still owed when "
        "the horizon ends (a balloon), repaid then from the terminal value.</p>"
        + _warnings(r)
        + f"<h2>Reading</h2><p>{_e(reading(r))}</p>"
        + _notes(project)
    )


def _increment_text(inc) -> str:
    """The NPV over the baseline; where the contract is uncertain, weighted and as signed."""
    if inc is None:
        return "baseline"
    if inc.weighted_npv_usd is None:
        return money_change(inc.npv_usd)
    return f"{money_change(inc.weighted_npv_usd)} weighted\n{money_change(inc.npv_usd)} signed"


def _warnings(r: ProjectResult) -> str:
    """Every strategy's warnings, as the cards give them: what a reader must weigh first."""
    items = [w for s in r.strategies for w in s.warnings]
    if not items:
        return ""
    return (
        "<h2>Warnings</h2><ul>"
        + "".join(f"<li>{_e(localise_warning(w))}</li>" for w in items)
        + "</ul>"
    )


def _notes(project: Project) -> str:
    """The project's and each strategy's notes, line breaks kept."""
    noted = [("Project", project.notes)] + [(s.name, s.notes) for s in project.strategies]
    parts = [
        f"<p><b>{_e(who)}.</b> {_e(text).replace(chr(10), '<br>')}</p>"
        for who, text in noted
        if text.strip()
    ]
    return "<h2>Notes</h2>" + "".join(parts) if parts else ""


def reading(r: ProjectResult) -> str:
    """A neutral paragraph: the highest NPV, its payback, and how much of it rests on the
    terminal value or on a contract not yet signed."""
    best: StrategyResult = max(r.strategies, key=lambda s: s.kpis.probability_weighted_npv_usd)
    k = best.kpis
    parts = [
        f"{best.name} has the highest probability-weighted NPV, "
        f"{money(k.probability_weighted_npv_usd)} (NPV {money(k.npv_usd)}), with a payback of "
        f"{months(k.payback_months, k.payback_note)}."
    ]
    if k.terminal_value_share_of_npv:
        parts.append(
            f"{pct(k.terminal_value_share_of_npv, 0)} of its NPV is the terminal value at the "
            "horizon end."
        )
    if k.contract_probability_pct < 100:
        parts.append(
            f"Its AI contract is taken as {general(k.contract_probability_pct)} % likely; "
            f"otherwise the site runs as {k.fallback_strategy or 'its fallback'}."
        )
    others = sorted(
        (s for s in r.strategies if s is not best),
        key=lambda s: -s.kpis.probability_weighted_npv_usd,
    )
    if others:
        runner = others[0]
        parts.append(f"Next is {runner.name} at {money(runner.kpis.probability_weighted_npv_usd)}.")
    return " ".join(parts)


def plans_page(project: Project, folder: Path, text: QTextDocument) -> str:
    from gui.plan.export import render_plan_png

    cat = catalog_for(project)
    names = {k: m.name for k, m in cat.asics.items()} | {
        k: m.name for k, m in cat.gpu_servers.items()
    }
    parts: list[str] = []
    for s in project.strategies:
        for review in review_plans(project, s):
            path = folder / f"plan-{len(parts)}.png"
            render_plan_png(review, s.name, path)
            name = f"plan{len(parts)}"
            image = QImage(str(path))
            text.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
            # As large as the page holds (racks legible): its width, or its height for a
            # tall hangar, less the line above it.
            aspect = image.height() / max(image.width(), 1)
            width = min(PLAN_MAX_WIDTH, PLAN_MAX_HEIGHT / max(aspect, 1e-6))
            counts = ", ".join(
                f"{fixed(c)} × {names.get(m, m)}" for m, c in review.summary.counts.items()
            )
            # Each plan on a page of its own, its caption with it (never alone at a page foot).
            page = " style='page-break-before: always'" if parts else ""
            parts.append(
                f"<p{page}><b>{_e(s.name)}: {_e(review.plan.hangar)}</b> "
                f"({_e(counts or 'empty')}; "
                f"{len(review.violations)} violation(s))</p><img src='{name}' width='{width:.0f}'>"
            )
    if not parts:
        return ""
    return "<h2 style='page-break-before: always'>Floor plans</h2>" + "".join(parts)


def assumptions_page(project: Project) -> str:
    catalog = catalog_for(project)
    groups: list[tuple[str, list[list[str]]]] = []
    for group, prefix, specs in INPUT_GROUPS:
        groups.append((group, [_input_row(project, prefix + str(s[0]), *s[1:]) for s in specs]))
    for i, strategy in enumerate(project.strategies):
        rows = []
        for j, block in enumerate(strategy.blocks):
            prefix = f"strategies[{i}].blocks[{j}]."
            rows += [
                _input_row(project, prefix + s[0], f"{block.name}: {s[1]}", *s[2:])
                for s in block_labels.block_rows(block, catalog)
            ]
        groups.append((f"Strategy: {strategy.name}", rows))
    # A heading a group (kept with its table's first rows), the columns' names on each page.
    cols = ["Input", "Value", "Unit", "Meaning and source"]
    return (
        "<h2 style='page-break-before: always'>Assumptions</h2>"
        "<p class='note'>Every input as entered, with its unit, meaning and source.</p>"
        + "".join(
            f"<h3>{_e(group)}</h3>" + _table(cols, rows, False, text_cols=3)
            for group, rows in groups
            if rows
        )
    )


def _input_row(
    project: Project, path: str, label: str, unit: str, tip: str, opts: dict | None = None
) -> list[str]:
    """One input as a person reads it: "Yes", "S-curve", "Antminer S21 (…)", "26,500", not
    True, s_curve, s21, 26500."""
    opts = opts or {}
    try:
        value = get_attr_path(project, path)
    except (AttributeError, IndexError, KeyError, TypeError):
        value = None
    labels = {v: k for k, v in opts.get("choices", []) if isinstance(v, str | None)}
    if isinstance(value, bool):
        shown = "Yes" if value else "No"
    elif isinstance(value, str | None) and value in labels:
        shown = str(labels[value])
    elif isinstance(value, int | float):
        shown = format_number(value, opts.get("grouped", True))
    elif isinstance(value, list | tuple):
        shown = "; ".join(format_number(v) if isinstance(v, int | float) else str(v) for v in value)
    else:
        shown = "" if value is None else str(value)
    return [_e(label), _e(shown), _e(unit), _e(tip)]


# A cell's figures never wrap ("68 mo (5.7 y)" on one line; a cell of two figures gives each its
# line). An inline style replaces the cell's border from the style sheet, so it says it again.
ONE_LINE = "white-space: nowrap; border: 1px solid #777"


def _table(cols: list[str], rows: list[list[str]], escape: bool = True, text_cols: int = 1) -> str:
    """An HTML table: the first ``text_cols`` columns and the last (when text_cols > 1) read
    as text, left-aligned; the others as numbers, right-aligned."""
    # A heading breaks where it says ("\n"), never inside a word of a narrow column.
    head = "".join(
        f"<th style='{ONE_LINE}'>{'<br>'.join(_e(x) for x in c.split(chr(10)))}</th>" for c in cols
    )

    def cell(k: int, c: str) -> str:
        shown = "<br>".join(_e(line) for line in c.split("\n")) if escape else c
        if k == 0:
            return f"<td style='{ONE_LINE}'>{shown}</td>"
        if k < text_cols or (text_cols > 1 and k == len(cols) - 1):
            return f"<td>{shown}</td>"
        return f"<td class='n' style='{ONE_LINE}'>{shown}</td>"

    body = "".join(
        "<tr>" + "".join(cell(k, c) for k, c in enumerate(row)) + "</tr>" for row in rows
    )
    return (
        f"<table cellspacing='0' cellpadding='3' width='100%'><thead><tr>{head}</tr></thead>"
        f"{body}</table>"
    )


def _e(text: object) -> str:
    return html.escape(str(text))
