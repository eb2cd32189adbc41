"""The Inputs sheet of the board workbook: every input with its value, unit, project-file path,
meaning and source; the cells the formulas read are named and styled as inputs, and what
MinePivot set (the workbook's shape, a block's catalog price) is marked as such."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name

from core.engine.blocks.kinds import is_hosted, mines, owns_gpus
from core.engine.blocks.mining import mining_end
from core.engine.finance.returns import IRR_CEILING, IRR_GUESS_MONTHLY
from core.io.xlsx.prices import MATRIX_COL
from core.model import block_labels
from core.model import labels as spec
from core.model.catalog import Catalog
from core.model.paths import get_attr_path, has_path
from core.model.project import HourlySeriesPrice, Project, TimeOfUsePrice
from core.plan.layout import plan_counts

FIXED_NOTE = "Set in MinePivot: re-export to change. "
# Set apart whatever the formulas read: the workbook's shape follows them (its months, its
# price series), so a change here would not be honoured.
STRUCTURAL = {"finance.horizon_years", "finance.start_month", "price.kind", "price.source"}
NAMES = {
    "finance.discount_rate_pct_per_year": "DiscountRate",
    "finance.tax_rate_pct": "TaxRate",
    "finance.terminal_growth_pct_per_year": "TerminalGrowth",
    "finance.cost_of_equity_pct_per_year": "CostOfEquity",
    "site.fixed_opex_usd_per_year": "FixedOpex",
    "site.opex_escalator_pct_per_year": "OpexEscalator",
}

TIP_COL = 4  # the Inputs sheet: label, value, unit, Field (the project-file path), meaning
TIP_WIDTH = 80  # its width, in characters
TIP_CHARS_PER_LINE = 100  # italic text a line of it holds (~1.3 per character width), with room


class _Inputs:
    def __init__(self, wb, fmt, project: Project):
        self.ws = wb.add_worksheet("Inputs")
        self.wb, self.fmt, self.row, self.project = wb, fmt, 2, project
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        # Counts a floor plan sets (its linked racks): the file's loader recounts them, so a
        # typed count would not be the app's.
        self.from_plans: set[str] = set()
        # Every value cell written input-styled: (row, column, value, unit, tip, path); the
        # ones no formula reads are set apart once the workbook is written (``set_apart``).
        self.cells: list[tuple[int, int, Any, str, str, str]] = []
        self.ws.set_column(0, 0, 40)
        self.ws.set_column(1, 1, 18)
        self.ws.set_column(2, 2, 14)
        self.ws.set_column(3, 3, 40)
        # The meaning and source wraps in a column a printed page holds beside the rest.
        self.ws.set_column(TIP_COL, TIP_COL, TIP_WIDTH, fmt["note_wrap"])
        self.ws.write_string(0, 0, "Inputs", fmt["title"])
        # Printed one page wide (label, value, unit, field, meaning), the group headings on
        # top of their rows; the price matrix and yearly tables to the right are for the
        # screen (the header says so).
        self.ws.set_landscape()
        self.ws.set_paper(9)
        self.ws.fit_to_pages(1, 0)
        self.ws.set_header(
            "&L&8Inputs&R&8Time-of-use prices and yearly tables, when the project has them, "
            "sit right of the printed columns (column F on): see them on screen."
        )

    def tip(self, r: int, text: str) -> None:
        """Row ``r``'s meaning and source, wrapped in its column; the row is as tall as the
        lines it takes (spreadsheets do not grow a written row to its wrapped text)."""
        self.ws.write_string(r, TIP_COL, text, self.fmt["note_wrap"])
        lines = max(1, -(-len(text) // TIP_CHARS_PER_LINE))
        if lines > 1:  # its label at the top, beside the text's first line
            self.ws.set_row(r, 15 * lines, self.fmt["top"])

    def group(self, title: str) -> None:
        self.row += 1
        for c, h in enumerate((title, "Value", "Unit", "Field", "Meaning and source")):
            self.ws.write_string(self.row, c, h, self.fmt["header"])
        self.row += 1

    def value(self, r: int, c: int, value: Any, unit: str, fixed: bool = False) -> None:
        ws, fmt = self.ws, self.fmt
        kind = "fixed" if fixed else "input"
        pct = "%" in unit
        if isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt[f"{kind}_text"])
        elif isinstance(value, int | float):
            shown = value / 100 if pct else value
            ws.write_number(r, c, shown, fmt[f"{kind}_pct"] if pct else fmt[kind])
        elif value is None:
            ws.write_blank(r, c, None, fmt[f"{kind}_text"])
        else:
            ws.write_string(r, c, str(value), fmt[f"{kind}_text"])

    def put(
        self,
        path: str,
        label: str,
        value: Any,
        unit: str = "",
        tip: str = "",
        field: str = "",
        structural: bool = False,
    ) -> None:
        """One input row. ``field``: its project-file path where ``path`` is not one;
        ``structural``: set in MinePivot (the catalog, the horizon) even where formulas read
        it."""
        ws, r, fmt = self.ws, self.row, self.fmt
        ws.write_string(r, 0, label)
        field = field or (path if has_path(self.project, path) else "")
        fixed = structural or path in STRUCTURAL or path in self.from_plans
        if path in self.from_plans:
            tip = "Set by the strategy's floor plan (its linked racks) in MinePivot. " + tip
        self.value(r, 1, value, unit, fixed)
        if not fixed:
            self.cells.append((r, 1, value, unit, tip, path))
        ws.write_string(r, 2, unit, fmt["unit"])
        ws.write_string(r, 3, field, fmt["unit"])
        self.tip(r, FIXED_NOTE + tip if fixed else tip)
        ref = f"Inputs!$B${r + 1}"
        self.names[path] = ref
        self.values[path] = value
        if path in NAMES:
            self.wb.define_name(NAMES[path], "=" + ref)
        self.row += 1

    def rows(self, obj: Any, prefix: str, specs: list[tuple]) -> None:
        for row in specs:
            rel, label, unit, tip = row[:4]
            self.put(prefix + rel, label, get_attr_path(obj, rel), unit, tip)

    def set_apart(self, live: set[tuple[int, int]]) -> None:
        """Input cells no formula reads: restyled as set in MinePivot, their meaning saying
        so, and the sheet's note counting both kinds."""
        read = dead = 0
        for r, c, value, unit, tip, _path in self.cells:
            if (r, c) in live:
                read += 1
                continue
            dead += 1
            self.value(r, c, value, unit, fixed=True)
            if c == 1:
                self.tip(r, FIXED_NOTE + tip)
        self.ws.merge_range(  # across the printed columns, wrapped
            1,
            0,
            1,
            TIP_COL,
            f"Orange cells are live inputs (Excel's Input style): {read} of them drive the "
            "formulas, so a change recalculates the workbook. Grey cells "
            f"({dead} here, with the horizon, start month and price series) are set in "
            "MinePivot: re-export to change them. Field: each input's path in the project file.",
            self.fmt["note_wrap"],
        )
        self.ws.set_row(1, 30)


def write_inputs(
    wb, fmt, project: Project, catalog: Catalog
) -> tuple[dict[str, str], dict[tuple[int, int], str], _Inputs]:
    inp = _Inputs(wb, fmt, project)
    inp.group("Project")
    inp.put("name", "Project name", project.name)
    inp.put("notes", "Notes", project.notes)
    inp.group("Site")
    inp.rows(project.site, "site.", spec.SITE)
    inp.group("Power price")
    src = project.site.energy.price_source
    inp.put(
        "price.kind",
        "Price source",
        {"flat": "flat", "tou": "time of use (12 × 24)", "hourly": "imported hourly series"}[
            src.kind
        ],
        field="site.energy.price_source.kind",
    )
    if isinstance(src, HourlySeriesPrice):
        inp.put(
            "price.source",
            "Series",
            f"{src.source_name or 'imported'}: "
            f"{len(src.years_usd_per_mwh)} year(s) from {src.first_year}",
            field="site.energy.price_source.years_usd_per_mwh",
        )
    elif isinstance(src, TimeOfUsePrice):
        for mo, row in enumerate(src.matrix_usd_per_mwh):
            field = f"site.energy.price_source.matrix_usd_per_mwh[{mo}]"
            inp.put(
                f"price.tou.{mo}",
                f"Time of use, month {mo + 1} (hours 0–23 →)",
                None,
                "USD/MWh",
                field=field,
            )
            inp.cells.pop()  # the label row's blank value cell: the hours carry the prices
            inp.value(inp.row - 1, 1, None, "", fixed=True)
            for h, v in enumerate(row):
                inp.value(inp.row - 1, MATRIX_COL + h, v, "")
                inp.cells.append((inp.row - 1, MATRIX_COL + h, v, "", "", f"{field}[{h}]"))
    else:
        inp.put(
            "price.flat",
            "Flat price",
            src.price_usd_per_mwh,
            "USD/MWh",
            field="site.energy.price_source.price_usd_per_mwh",
        )
    if not isinstance(src, HourlySeriesPrice):
        spikes, at = src.spikes, "site.energy.price_source.spikes."
        inp.put(
            "price.spike_price",
            "Scarcity spike price",
            spikes.price_usd_per_mwh,
            "USD/MWh",
            "The price of each seeded spike hour (the Prices sheet's spike rows)",
            field=at + "price_usd_per_mwh",
        )
        inp.put(
            "price.spike_hours",
            "Scarcity spike hours",
            spikes.hours_per_year,
            "h/year",
            "Summer late afternoons, drawn with the seed below",
            field=at + "hours_per_year",
            structural=True,
        )
        inp.put(
            "price.spike_seed", "Spike seed", spikes.seed, "", field=at + "seed", structural=True
        )
    inp.rows(project.site.energy, "site.energy.", spec.ENERGY)
    inp.group("Demand response")
    inp.rows(project.site.demand_response, "site.demand_response.", spec.DEMAND_RESPONSE)
    inp.group("Bitcoin market")
    inp.rows(project.market, "market.", spec.MARKET)
    table = project.market.btc_price_by_year_usd
    if table:  # one cell a year, as the time-of-use hours: each is an input
        path = "market.btc_price_by_year_usd"
        r = int(inp.names[path].rsplit("$", 1)[1]) - 1
        inp.cells = [cell for cell in inp.cells if cell[5] != path]
        inp.value(r, 1, None, "", fixed=True)
        inp.ws.write_string(r, TIP_COL, "Years 1, 2, … of the horizon →", fmt["note"])
        for k, usd in enumerate(table):
            inp.value(r, MATRIX_COL + k, usd, "")
            inp.cells.append((r, MATRIX_COL + k, usd, "", "", f"{path}[{k}]"))
        first, last = xl_col_to_name(MATRIX_COL), xl_col_to_name(MATRIX_COL + len(table) - 1)
        wb.define_name("BtcPriceByYear", f"=Inputs!${first}${r + 1}:${last}${r + 1}")
    inp.group("Finance")
    inp.rows(project.finance, "finance.", spec.FINANCE)
    inp.put(
        "finance.monthly_rate",
        "Monthly discount rate",
        None,
        "%/month",
        "(1 + annual rate)^(1/12) − 1: every flow of month t sits at its start",
    )
    inp.ws.write_formula(
        inp.row - 1,
        1,
        "=(1+DiscountRate)^(1/12)-1",
        fmt["pct"],
        (1 + project.finance.discount_rate_pct_per_year / 100) ** (1 / 12) - 1,
    )
    wb.define_name("MonthlyRate", "=" + inp.names["finance.monthly_rate"])
    inp.put(
        "finance.irr_guess",
        "IRR start (Newton)",
        None,
        "%/month",
        "10 % a year as a monthly rate; where flows change sign more than once, several "
        "IRRs may exist and this start picks the one the app reports",
    )
    inp.ws.write_formula(inp.row - 1, 1, "=1.1^(1/12)-1", fmt["pct"], IRR_GUESS_MONTHLY)
    wb.define_name("IrrGuess", "=" + inp.names["finance.irr_guess"])
    inp.put(
        "finance.irr_ceiling",
        "IRR shown up to",
        None,
        "%/year",
        "a higher rate is n/m: too little money at risk for a rate to mean anything (NPV does)",
    )
    inp.ws.write_number(inp.row - 1, 1, IRR_CEILING, fmt["pct"])
    wb.define_name("IrrCeiling", "=" + inp.names["finance.irr_ceiling"])
    inp.put(
        "finance.horizon_months",
        "Horizon in months",
        project.finance.horizon_years * 12,
        "months",
        "The strategy sheets' month columns: month indices run from 0 to this less 1",
        structural=True,
    )
    wb.define_name("HorizonMonths", "=" + inp.names["finance.horizon_months"])
    n = project.finance.horizon_years * 12
    block_paths: dict[tuple[int, int], str] = {}
    for i, s in enumerate(project.strategies):
        inp.group(f"Strategy: {s.name}")
        inp.put(
            f"strategies[{i}].contract_probability_pct",
            "Contract probability",
            s.contract_probability_pct,
            "%",
            "Chance the AI contract is signed",
        )
        inp.put(f"strategies[{i}].fallback_strategy", "Fallback strategy", s.fallback_strategy)
        if s.signing_month() is not None:
            inp.put(
                f"strategies[{i}].contract_signing_month",
                "Contract signed in (month index)",
                s.signing_month(),
                "",
                "Until then the strategy runs as its fallback"
                + ("" if s.contract_signing_month is not None else " (its first conversion month)"),
            )
        if s.notes:
            inp.put(f"strategies[{i}].notes", "Notes", s.notes)
        if s.financing is not None:
            inp.rows(s.financing, f"strategies[{i}].financing.", block_labels.FINANCING)
        linked = plan_counts(project, s) if s.plans else {}
        for j, b in enumerate(s.blocks):
            p = f"strategies[{i}].blocks[{j}]"
            block_paths[(i, j)] = p
            if b.name in linked:
                inp.from_plans |= {p + ".asic_count", p + ".server_count", p + ".it_mw"}
            inp.ws.write_string(inp.row, 0, f"Block {j + 1}: {b.name}", fmt["section"])
            inp.row += 1
            if mines(b):
                inp.rows(b, p + ".", block_labels.block_rows(b))
                asic = catalog.asics[b.asic_model]
                inp.put(
                    p + ".asic_power_w",
                    "Miner power (catalog)",
                    asic.power_w,
                    "W",
                    asic.spec_source,
                    structural=True,
                )
                inp.put(
                    p + ".asic_hashrate_ths",
                    "Miner hashrate (catalog)",
                    asic.hashrate_ths,
                    "TH/s",
                    asic.spec_source,
                    structural=True,
                )
                if not is_hosted(b):  # a client's machines have no price here
                    _price_used(
                        inp, fmt, p, ".asic_unit_price_usd", asic.price_usd, asic.price_source
                    )
                inp.put(
                    p + ".end_month_or_horizon",
                    "Active until month",
                    mining_end(b, n),
                    "month #",
                    "The end month, the retirement month (chosen by MinePivot where retire is "
                    "auto) or the horizon, whichever comes first; the miners are sold then",
                )
            else:
                inp.rows(b, p + ".", block_labels.block_rows(b))
                if owns_gpus(b):
                    server = catalog.gpu_servers[b.gpu_server_model]
                    inp.put(
                        p + ".gpus_per_server",
                        "GPUs per server (catalog)",
                        server.gpus,
                        "",
                        server.spec_source,
                    )
                    _price_used(
                        inp, fmt, p, ".server_unit_price_usd", server.price_usd, server.price_source
                    )
                    inp.put(
                        p + ".server_decline_used",
                        "Server price decline used",
                        None,
                        "%/year",
                        "Empty above: the GPU-hour price decline",
                    )
                    own = inp.names[p + ".server_price_decline_pct_per_year"]
                    rental = inp.names[p + ".gpu_price_decline_pct_per_year"]
                    decline = b.server_price_decline_pct_per_year
                    inp.ws.write_formula(
                        inp.row - 1,
                        1,
                        f"=IF(ISNUMBER({own}),{own},{rental})",
                        fmt["pct"],
                        (b.gpu_price_decline_pct_per_year if decline is None else decline) / 100,
                    )
                    inp.put(
                        p + ".it_mw_used",
                        "IT load",
                        None,
                        "MW",
                        "servers × typical kW (catalog) / 1000",
                    )
                    inp.ws.write_formula(
                        inp.row - 1,
                        1,
                        f"={inp.names[p + '.server_count']}*{server.typical_power_kw}/1000",
                        fmt["num"],
                        b.server_count * server.typical_power_kw / 1000,
                    )
                else:
                    inp.names[p + ".it_mw_used"] = inp.names[p + ".it_mw"]
    inp.ws.print_area(0, 0, inp.row, TIP_COL)
    return inp.names, block_paths, inp


def _price_used(inp: _Inputs, fmt, p: str, field: str, catalog_price: float, source: str) -> None:
    """A row with the unit price in force: the block's own, else the catalog's."""
    given = inp.names[p + field]
    inp.put(
        p + ".catalog_price",
        "Catalog unit price",
        catalog_price,
        "USD",
        f"The equipment catalog: {source}",
        structural=True,
    )
    catalog = inp.names[p + ".catalog_price"]
    inp.put(
        p + ".price_used",
        "Unit price used",
        None,
        "USD",
        f"Empty above: catalog ${catalog_price:,.0f} ({source})",
    )
    own = inp.values.get(p + field)
    inp.ws.write_formula(
        inp.row - 1,
        1,
        f"=IF(ISNUMBER({given}),{given},{catalog})",
        fmt["num"],
        own if own is not None else catalog_price,
    )
