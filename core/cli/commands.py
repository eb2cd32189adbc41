"""The ``minepivot`` commands without a window: run, hashprice, example, import-prices, export,
risk, layout and bench. ``gui.main`` is the one dispatcher that parses the command line (these
commands, the app and its diagnostic flags) and runs them with ``run``.

Bad input exits with code 2 and a message naming the field; never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from core.cli.report import print_report, strategy_summaries
from core.engine.columns import MONTHLY_COLUMNS
from core.engine.evaluation import ProjectResult, evaluate
from core.engine.goalseek import goal_seek
from core.engine.market.bitcoin import hashprice_usd_per_ph_day, subsidy_at_height, subsidy_on
from core.io.atomicfile import atomic_write_bytes, cannot_write, output_problem
from core.io.example import example_project
from core.io.priceimport import (
    DEFAULT_SITE_UTC_OFFSET_HOURS,
    ImportChoices,
    PriceImportError,
    check_file_clock,
    check_utc_offset,
    import_price_csv,
    parse_file_clock,
)
from core.io.projectfile import ProjectFileError, load_project, project_bytes
from core.model.format import money, pct
from core.model.project import Market, Project

EXIT_BAD_INPUT = 2
COMMANDS = (
    "run",
    "hashprice",
    "example",
    "import-prices",
    "export",
    "risk",
    "layout",
    "report",
    "bench",
)


class UserError(Exception):
    """Bad input from the command line: printed as is, exit code 2."""


def print_json(obj: Any, indent: int | None = None) -> None:
    """JSON as the standard defines it: NaN and Infinity are not JSON, and a result that is
    not finite is a MinePivot bug, reported as such rather than printed."""
    try:
        text = json.dumps(obj, indent=indent, allow_nan=False)
    except ValueError:
        raise UserError(
            "a result is not a finite number; this is a bug in MinePivot, please report it "
            "with the project file"
        ) from None
    print(text)


def check_output(output: str | Path, inputs: Mapping[str, str | Path], writes: str | None) -> Path:
    """``output`` as a path, or a UserError naming it and the input it would replace (or the
    project file it would overwrite with something else); see ``core.io.atomicfile``."""
    problem = output_problem(Path(output), {k: Path(v) for k, v in inputs.items()}, writes)
    if problem:
        raise UserError(problem)
    return Path(output)


# Text cells a spreadsheet would take for a formula (OWASP's CSV-injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell that opens in Excel as the text it is: one that starts like a formula gets
    a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cmd_run(args: argparse.Namespace) -> int:
    if args.monthly:
        check_output(args.monthly, {"project": args.project}, "a monthly CSV table")
    project = load_project(args.project)
    result = evaluate(project)
    seeks = None if args.no_goal_seek else [goal_seek(project, s) for s in project.strategies]
    rows = strategy_summaries(result, seeks)
    if args.monthly:
        _write_monthly_csv(result, Path(args.monthly))
    if args.json:
        print_json({"project": project.name, "strategies": rows}, indent=2)
        return 0
    print_report(project.name, result, rows, seeks is not None)
    return 0


def _write_monthly_csv(result: ProjectResult, path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["strategy", "month", *MONTHLY_COLUMNS])
    for s in result.strategies:
        for m, label in enumerate(result.months):
            writer.writerow(
                [
                    csv_text(s.name),
                    csv_text(label),
                    *(repr(float(s.monthly[c][m])) for c in MONTHLY_COLUMNS),
                ]
            )
    _write_output(path, buf.getvalue().encode("utf-8"))


def _save(project: Project, path: Path) -> None:
    _write_output(path, project_bytes(project))  # its size named if the disk is full


def _write_output(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise UserError(cannot_write(path, exc, len(data))) from None


def _cmd_hashprice(args: argparse.Namespace) -> int:
    for name, value in (("--btc-price", args.btc_price), ("--difficulty", args.difficulty)):
        if not math.isfinite(value) or value <= 0:
            raise UserError(f"{name} must be a finite number > 0, got {value:g}")
    if not math.isfinite(args.fees_per_block) or args.fees_per_block < 0:
        raise UserError(
            f"--fees-per-block must be a finite number ≥ 0, got {args.fees_per_block:g}"
        )
    if args.subsidy is not None:
        if not math.isfinite(args.subsidy) or args.subsidy < 0:
            raise UserError(f"--subsidy must be a finite number ≥ 0, got {args.subsidy:g}")
        subsidy = args.subsidy
    elif args.date is not None:
        subsidy = _subsidy_on_date(args.date)
    else:
        subsidy = subsidy_at_height(840_000)
    usd = float(
        hashprice_usd_per_ph_day(args.btc_price, args.difficulty, subsidy, args.fees_per_block)
    )
    btc = usd / args.btc_price
    if not (math.isfinite(usd) and math.isfinite(btc)):
        raise UserError(
            f"--btc-price {args.btc_price:g} with --difficulty {args.difficulty:g} (and "
            f"{subsidy + args.fees_per_block:g} BTC per block) gives a hashprice beyond "
            "the largest number a computer holds (about 1.8e308); check the two values"
        )
    if args.json:
        print_json({"usd_per_ph_day": usd, "btc_per_ph_day": btc, "subsidy_btc": subsidy})
    else:
        print(
            f"hashprice: {usd:,.2f} USD per PH/s per day  ({btc:.8f} BTC)  "
            f"[subsidy {subsidy:g} BTC + fees {args.fees_per_block:g} BTC per block]"
        )
    return 0


def _subsidy_on_date(text: str) -> float:
    """Subsidy on a date: known halvings before 2024-04-20, then the 600 s projection."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--date must be YYYY-MM-DD, got {text!r}") from None
    known = [
        (date(2012, 11, 28), 25.0),
        (date(2016, 7, 9), 12.5),
        (date(2020, 5, 11), 6.25),
        (date(2024, 4, 20), 3.125),
    ]
    if day < date(2012, 11, 28):
        return 50.0
    if day < known[-1][0]:
        return [s for d, s in known if d <= day][-1]
    market = Market(as_of="2024-04-20", btc_price_usd=1.0, difficulty=1.0, block_height=840_000)
    return subsidy_on(market, day)


def _cmd_example(args: argparse.Namespace) -> int:
    _save(example_project(), Path(args.output))
    print(f"wrote {args.output}")
    return 0


def _cmd_import_prices(args: argparse.Namespace) -> int:
    problem = check_utc_offset(args.utc_offset)
    if problem:
        raise UserError(f"--utc-offset: {problem}")
    clock = parse_file_clock(args.file_clock)
    problem = check_file_clock(clock)
    if problem:
        raise UserError(f"--file-clock: {problem}")
    check_output(args.output, {"project": args.project, "price file": args.csv}, None)
    project = load_project(args.project)
    series, report = import_price_csv(
        args.csv,
        utc_offset_hours=args.utc_offset,
        progress=_import_progress(Path(args.csv)),
        file_clock=clock,
        choices=ImportChoices(decimal=args.decimal, average_duplicates=args.average_duplicates),
    )
    for line in report:
        print(f"note: {line}", file=sys.stderr)
    energy = project.site.energy.model_copy(update={"price_source": series})
    project = project.model_copy(
        update={"site": project.site.model_copy(update={"energy": energy})}
    )
    _save(project, Path(args.output))
    n = len(series.years_usd_per_mwh)
    print(f"wrote {args.output}: {n} year(s) of hourly prices from {series.first_year}")
    return 0


def _import_progress(path: Path) -> Callable[[float], None] | None:
    """Progress on standard error for files that take more than a moment (over 20 MB)."""
    try:
        if path.stat().st_size < 20_000_000:
            return None
    except OSError:
        return None
    shown = [-1]

    def report(share: float) -> None:
        tenth = int(share * 10)
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"reading {path.name}: {tenth * 10} %", file=sys.stderr, flush=True)

    return report


def _cmd_export(args: argparse.Namespace) -> int:
    from core.io.xlsx.export import ExportError, export_workbook

    check_output(args.output, {"project": args.project}, "a workbook")
    project = load_project(args.project)
    analysis = None
    if args.risk:
        from core.risk.montecarlo import RiskError
        from core.risk.sensitivity import analyse

        try:
            analysis = analyse(project)
        except RiskError as exc:
            raise UserError(str(exc)) from None
    try:
        path = export_workbook(project, args.output, risk=analysis)
    except ExportError as exc:
        raise UserError(str(exc)) from None
    print(f"wrote {path}")
    return 0


def _cmd_risk(args: argparse.Namespace) -> int:
    from core.risk.montecarlo import RiskError, run_monte_carlo

    project = load_project(args.project)
    if args.paths is not None and not 100 <= args.paths <= 200_000:
        raise UserError(f"--paths must be 100 to 200,000, got {args.paths}")
    if args.seed is not None and not 0 <= args.seed < 2**32:
        raise UserError(f"--seed must be 0 to 4,294,967,295, got {args.seed}")
    try:
        result = run_monte_carlo(project, n_paths=args.paths, seed=args.seed)
    except RiskError as exc:
        raise UserError(str(exc)) from None
    rows = result.summary()
    if args.json:
        print_json({"paths": result.paths, "seed": result.risk.seed, "strategies": rows})
        return 0
    years = result.risk.payback_within_years
    print(f"{result.paths:,} paths, seed {result.risk.seed}; net present value")
    head = (
        "strategy",
        "P10",
        "P50",
        "P90",
        "mean",
        "P(NPV<0)",
        f"P(payback≤{years}y)",
        "P(signed)",
    )
    width = max(len(head[0]), *(len(r["strategy"]) for r in rows))
    print(f"{head[0]:<{width}}  " + "  ".join(f"{h:>12}" for h in head[1:]))
    for r in rows:
        cells = [
            money(r["p10_npv_usd"]),
            money(r["p50_npv_usd"]),
            money(r["p90_npv_usd"]),
            money(r["mean_npv_usd"]),
            pct(r["probability_npv_below_zero"]),
            pct(r["probability_payback_within"]),
            "—" if r["probability_signed"] is None else pct(r["probability_signed"]),
        ]
        print(f"{r['strategy']:<{width}}  " + "  ".join(f"{c:>12}" for c in cells))
    financed = [r for r in rows if r["p50_equity_npv_usd"] is not None]
    if financed:
        print("\nequity (financed strategies; NPV at the cost of equity)")
        equity = ("NPV P10", "NPV P50", "NPV P90", "IRR P10", "IRR P50", "IRR P90", "P(DSCR<1)")
        print(f"{'strategy':<{width}}  " + "  ".join(f"{h:>12}" for h in equity))
        for r in financed:
            cells = [
                *(money(r[f"p{q}_equity_npv_usd"]) for q in (10, 50, 90)),
                *(pct(r[f"p{q}_equity_irr"]) for q in (10, 50, 90)),
                pct(r["probability_min_dscr_below_1"]),
            ]
            print(f"{r['strategy']:<{width}}  " + "  ".join(f"{c:>12}" for c in cells))
    return 0


def print_figures(figures: dict[str, float], as_json: bool) -> int:
    """The ``bench`` report: one figure a line, or a JSON object."""
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        for k, v in figures.items():
            print(f"{k:<24} {v:10.2f}")
    return 0


def add_commands(sub: Any) -> dict[str, argparse.ArgumentParser]:
    """Add every command to an argparse sub-parser group; returns their parsers by name.
    ``layout``, ``report`` and ``bench`` get their handler from the front end that draws and
    measures the desktop app (``gui.main``)."""
    r = sub.add_parser("run", help="KPIs of every strategy of a project")
    r.add_argument("project")
    r.add_argument("--json", action="store_true", help="print a JSON object")
    r.add_argument("--monthly", metavar="OUT.csv", help="write every monthly table as CSV")
    r.add_argument("--no-goal-seek", action="store_true", help="skip break-evens (faster)")
    r.set_defaults(func=_cmd_run)
    h = sub.add_parser("hashprice", help="hashprice from BTC price, difficulty and fees")
    h.add_argument("--btc-price", type=float, required=True, metavar="USD")
    h.add_argument("--difficulty", type=float, required=True, metavar="D")
    h.add_argument("--fees-per-block", type=float, required=True, metavar="BTC")
    g = h.add_mutually_exclusive_group()
    g.add_argument("--subsidy", type=float, metavar="BTC", help="block subsidy (default 3.125)")
    g.add_argument("--date", metavar="YYYY-MM-DD", help="take the subsidy in force on this date")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=_cmd_hashprice)
    e = sub.add_parser("example", help="write the example project")
    e.add_argument("-o", "--output", required=True, metavar="FILE")
    e.set_defaults(func=_cmd_example)
    i = sub.add_parser("import-prices", help="put an hourly price CSV into a project")
    i.add_argument("project")
    i.add_argument("csv")
    i.add_argument("-o", "--output", required=True, metavar="FILE")
    i.add_argument(
        "--utc-offset",
        type=float,
        default=DEFAULT_SITE_UTC_OFFSET_HOURS,
        metavar="HOURS",
        help="the site's local standard time, hours from UTC (default -6, US Central)",
    )
    i.add_argument(
        "--file-clock",
        default="as-written",
        metavar="CLOCK",
        help="what timestamps without a zone are in: as-written (local clock, the default), "
        "UTC, hours from UTC (-5) or a time zone (America/Chicago, daylight saving included)",
    )
    i.add_argument(
        "--decimal",
        choices=("point", "comma"),
        help="the file's decimal mark, where its values do not settle it (the other mark is "
        "then a thousands separator)",
    )
    i.add_argument(
        "--average-duplicates",
        action="store_true",
        help="average a time given twice with different prices (refused by default outside "
        "a daylight-saving fall-back hour)",
    )
    i.set_defaults(func=_cmd_import_prices)
    x = sub.add_parser("export", help="write the board workbook (Excel, live formulas)")
    x.add_argument("project")
    x.add_argument("-o", "--output", required=True, metavar="OUT.xlsx")
    x.add_argument("--risk", action="store_true", help="add the Risk sheet (about 2 s more)")
    x.set_defaults(func=_cmd_export)
    k = sub.add_parser("risk", help="Monte Carlo: NPV percentiles and probabilities")
    k.add_argument("project")
    k.add_argument("--paths", type=int, metavar="N", help="paths (default: the project's)")
    k.add_argument("--seed", type=int, metavar="S", help="random seed (default: the project's)")
    k.add_argument("--json", action="store_true", help="print a JSON object")
    k.set_defaults(func=_cmd_risk)
    lay = sub.add_parser("layout", help="floor plans: counts, loads and violations")
    lay.add_argument("project")
    lay.add_argument("--strategy", metavar="NAME", help="only this strategy's plans")
    lay.add_argument("--hangar", metavar="NAME", help="only this hangar's plans")
    lay.add_argument("--json", action="store_true", help="print a JSON object")
    lay.add_argument(
        "--png",
        metavar="OUT.png",
        help="draw the plan (several plans: one file each, named after them)",
    )

    rep = sub.add_parser("report", help="the board report as a PDF")
    rep.add_argument("project")
    rep.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    rep.add_argument(
        "--paper", choices=("a4", "letter"), default="a4", help="landscape A4 (default) or Letter"
    )
    rep.add_argument("--risk", action="store_true", help="add the Risk charts (about 2 s more)")

    b = sub.add_parser("bench", help="benchmark figures (medians, ms)")
    b.add_argument("--json", action="store_true")
    return {"layout": lay, "bench": b, "report": rep}


def run(args: argparse.Namespace) -> int:
    """Run the parsed command: its exit code, or 2 with one clear message for bad input."""
    try:
        return int(args.func(args))
    except ProjectFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except PriceImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT
