"""One strategy's sheet in the FAST layout (``rows.py`` says how rows are written). Its row
groups go top to bottom: timeline, the hourly simulation's rows (values, styled as imported),
revenue, operating costs, capital assets, then tax and free cash flow; the assets' parameter
table sits below them. The blank spacer column is the "previous month" of the first month, so
running balances need no special case.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.engine.blocks.ai import gpu_life_months
from core.engine.blocks.kinds import (
    is_ai,
    is_colocation,
    live_mask,
    mines,
    owns_gpus,
)
from core.engine.blocks.mining import mining_block_power
from core.engine.cashflow import site_closes
from core.engine.debt import debt_detail
from core.engine.evaluation import StrategyResult
from core.io.xlsx.assets import write_asset_table
from core.io.xlsx.debt import write_debt_rows
from core.io.xlsx.hourly import Market, write_hourly
from core.io.xlsx.prices import PriceSheet
from core.io.xlsx.rows import (
    FIRST_COL,
    RowWriter,
    StrategySheet,
    month_hours,
    write_months,
)
from core.io.xlsx.strategyrows import StrategyRows, write_cash_flow_rows
from core.model.catalog import Catalog
from core.model.project import AiBlock, Project, Strategy


def write_strategy_sheet(
    ws,
    fmt: dict,
    project: Project,
    strategy: Strategy,
    result: StrategyResult,
    names: dict[str, str],
    catalog: Catalog,
    months: list[str],
    block_paths: dict[int, str],
    fin_path: str,
    prices: PriceSheet,
    market: Market,
    baseline: tuple[StrategySheet, np.ndarray] | None = None,
) -> StrategySheet:
    """``ws``: the strategy's (empty) worksheet. ``baseline``: the baseline strategy's sheet,
    already written, and its FCF, for any other strategy (the rows of what it adds over the
    baseline)."""
    sheet_name = ws.name
    n = len(months)
    assert result.breakdown is not None
    w = RowWriter(ws, fmt, n)
    sh = StrategyRows(w, strategy, result.monthly, result.breakdown, names, block_paths, n)
    sh.continuing = project.finance.terminal_value == "continuing"
    sh.nol_limit = project.finance.nol_80_pct_limit
    sh.project_finance = project.finance
    sh.baseline = baseline
    _timeline(sh, ws, fmt, months)
    _timing(sh, project, catalog)
    loads = write_hourly(sh, prices, market, project, catalog, month_hours(months))
    _revenue(sh)
    _operating_costs(sh)
    table_first = _assets(sh)
    write_cash_flow_rows(sh)
    if strategy.financing is not None:
        write_debt_rows(sh, fin_path, debt_detail(project, strategy, result.monthly))
    assert w.row < table_first - 1, "asset table would overlap the flow rows"
    write_asset_table(
        ws,
        fmt,
        table_first,
        sh.bd.assets,
        names,
        project,
        n,
        block_paths,
        strategy,
        w.r("hashprice_usd_per_ph_day"),
    )
    return StrategySheet(sheet_name, w.rows, n, loads)


def _timeline(sh: StrategyRows, ws, fmt: dict, months: list[str]) -> None:
    w, n = sh.w, sh.n
    ws.freeze_panes(4, FIRST_COL)
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 11)
    ws.set_column(2, 3, 15)
    ws.set_column(4, 4, 14)  # blank beside the months; the asset table's value column below
    # Printed: landscape A4, one page tall, each row's label and unit repeated on every page
    # (its constant and total print once, on the first), narrow side margins.
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.3, right=0.3)
    ws.repeat_columns(0, 1)
    ws.repeat_rows(0, 3)
    ws.fit_to_pages(0, 1)
    ws.set_column(FIRST_COL, FIRST_COL + n - 1, 12.5)
    ws.write_string(0, 0, sh.strategy.name, fmt["title"])
    ws.write_string(0, 2, "constant", fmt["unit"])
    ws.write_string(0, 3, "total", fmt["unit"])
    write_months(w, months, "Month index (0 = start, flows at month start)")
    sh.i = f"{{c}}${w.r('idx')}"
    sh.year = f"{{c}}${w.r('year')}"
    sh.hours = f"{{c}}${w.r('hours')}"


def _revenue(sh: StrategyRows) -> None:
    w, i, t = sh.w, sh.i, sh.t
    w.heading("Revenue")
    hosting_keys = []
    for j, b in enumerate(sh.strategy.blocks):
        if not is_ai(b):
            continue
        live = f"({sh.name(j, 'start_month')}+{sh.name(j, 'conversion_months')})"
        yrs = f"INT(({i}-{live})/12)"
        if is_colocation(b):
            growth = f"(1+{sh.name(j, 'colo_escalator_pct_per_year')})"
            kw = f"{sh.name(j, 'it_mw')}*1000"
            lease = f"{kw}*{sh.name(j, 'colo_usd_per_kw_month')}*{growth}^{yrs}"
            body = f"IF({_live(sh, j)},{lease},0)"
            if b.lease_term_months is not None:
                end = f"({live}+{sh.name(j, 'lease_term_months')})"
                after = lease  # the escalated rate runs on, unless a renewal rate is set
                if b.renewal_usd_per_kw_month is not None:
                    after = (
                        f"{kw}*{sh.name(j, 'renewal_usd_per_kw_month')}"
                        f"*{growth}^INT(({i}-{end})/12)"
                    )
                body = (
                    f"IF(NOT({_live(sh, j)}),0,IF({i}<{end},{lease},"
                    f"{sh.name(j, 'renewal_probability_pct')}*{after}))"
                )
        else:
            body = (
                f"IF({_live(sh, j)},{sh.name(j, 'server_count')}"
                f"*{sh.name(j, 'gpus_per_server')}"
                f"*{sh.hours}*{sh.name(j, 'gpu_hour_usd')}"
                f"*(1-{sh.name(j, 'gpu_price_decline_pct_per_year')})^{yrs}"
                f"*{sh.name(j, 'utilisation_pct')},0)"
            )
        key = f"host{j}"
        w.line(key, f"Hosting revenue: {b.name}", "USD", _f(body), sh.bd.block_revenue_usd[j])
        hosting_keys.append(key)
    streams = [
        "revenue_mining_usd",
        "revenue_hosting_usd",
        "power_passthrough_usd",
        "dr_capacity_usd",
        "power_credits_usd",
        *hosting_keys,
    ]
    w.column("revenue_total_usd", sh.total(streams), t["revenue_total_usd"], "bold")


def _operating_costs(sh: StrategyRows) -> None:
    w, i, t = sh.w, sh.i, sh.t
    w.heading("Operating costs")
    n = sh.n
    closes = n if sh.strategy.keep_site_open else site_closes(sh.strategy.blocks, n)
    r = w.row + 1  # the row's own A1 row: its constant (column C) is the closing month
    w.line(
        "fixed_opex",
        "Fixed site opex (until the site closes: month in column C)",
        "USD",
        _f(f"FixedOpex/12*(1+OpexEscalator)^{sh.year}*({sh.i}<$C${r})"),
        sh.bd.fixed_opex_usd,
        constant=closes,
    )
    om_keys = []
    for j, b in enumerate(sh.strategy.blocks):
        if mines(b):
            body = (
                f"IF({{c}}${w.r(f'f{j}')}=1,$C${w.r(f'f{j}')}"
                f"*{sh.name(j, 'om_usd_per_mw_month')},0)"
            )
        else:
            live = f"({sh.name(j, 'start_month')}+{sh.name(j, 'conversion_months')})"
            om = f"{sh.name(j, 'it_mw_used')}*{sh.name(j, 'om_usd_per_mw_month')}"
            body = f"IF({_live(sh, j)},{om},0)"
            if is_ai(b) and b.lease_term_months is not None:
                end = f"({live}+{sh.name(j, 'lease_term_months')})"
                body = (
                    f"IF(NOT({_live(sh, j)}),0,IF({i}<{end},{om},"
                    f"{sh.name(j, 'renewal_probability_pct')}*{om}))"
                )
        key = f"om{j}"
        w.line(key, f"O&M: {b.name}", "USD", _f(body), sh.bd.block_om_usd[j])
        om_keys.append(key)
    w.column("opex_usd", sh.total(["fixed_opex", *om_keys]), t["opex_usd"], "bold")
    w.column(
        "ebitda_usd",
        lambda c, p: (
            f"{c}{w.r('revenue_total_usd')}-{c}{w.r('energy_cost_usd')}"
            f"-{c}{w.r('demand_charge_usd')}-{c}{w.r('fourcp_charge_usd')}"
            f"-{c}{w.r('opex_usd')}"
        ),
        t["ebitda_usd"],
        "bold",
    )


def _assets(sh: StrategyRows) -> int:
    """Each asset's capex, depreciation, salvage and gain rows, and their totals. Returns the
    0-based row of the parameter table the rows refer to, below the flow rows."""
    w, i, t, bd = sh.w, sh.i, sh.t, sh.bd
    w.heading("Capital assets (parameters in the table at the bottom of this sheet)")
    # Rows reserved below for the flow rows (and the financing rows of a strategy that borrows).
    table_first = w.row + 4 * len(bd.assets) + 30 + (45 if sh.strategy.financing else 0)
    if sh.continuing:  # the years after the horizon (strategyrows.write_continuing_value_rows)
        table_first += 20
    kinds: dict[str, list[str]] = {"capex": [], "dep": [], "salvage": [], "gain": []}
    for k, (a, flows) in enumerate(bd.assets):
        tr = table_first + 1 + k + 1  # 1-based row of the asset's parameter line
        cols = {c: f"${c}${tr}" for c in "CDEFGHIJKLMNOQ"}
        bonus = f"IF({i}={cols['G']},{cols['F']}*{cols['Q']},0)"
        rows = (
            ("capex", f"Capex: {a.name}", _capex_body(sh, a, cols), flows.capex_usd),
            (
                "dep",
                f"Depreciation: {a.name}",
                f"IF(AND({i}>={cols['G']},{i}<{cols['I']}),{cols['M']}+{bonus},0)",
                flows.depreciation_usd,
            ),
            (
                "salvage",
                f"Salvage: {a.name}",
                f"IF({i}={cols['J']},{cols['N']},0)",
                flows.salvage_usd,
            ),
            (
                "gain",
                f"Gain on sale: {a.name}",
                "0"
                if sh.continuing and (a.sale_month is None or a.sale_month >= sh.n)
                else f"IF({i}={cols['J']},{cols['N']}-{cols['O']},0)",
                flows.sale_gain_usd,
            ),
        )
        for kind, label, body, values in rows:
            key = f"{kind}{k}"
            w.line(key, label, "USD", _f(body), values)
            kinds[kind].append(key)
        if a.sale_month is None or a.sale_month >= sh.n:
            sh.held_salvage.append(f"salvage{k}")
    w.column("capex_usd", sh.total(kinds["capex"]), t["capex_usd"], "bold")
    w.column("depreciation_usd", sh.total(kinds["dep"]), t["depreciation_usd"], "bold")
    w.column("salvage_usd", sh.total(kinds["salvage"]), t["salvage_usd"], "bold")
    gain = sum((f.sale_gain_usd for _, f in bd.assets), np.zeros(sh.n))
    w.line("gain", "Gain on sale, total", "USD", sh.total(kinds["gain"]), gain, "bold")
    return table_first


def _capex_body(sh: StrategyRows, a, cols: dict[str, str]) -> str:
    """An asset's capex in a month: at its capex month, or a retrofit drawn over the
    conversion months evenly or along the S-curve x²(3 − 2x) (core.engine.finance.assets.Asset)."""
    i, cost, start = sh.i, cols["C"], cols["D"]
    if a.capex_shape == "upfront" or a.capex_months <= 1:
        return f"IF({i}={start},{cost},0)"
    months = sh.name(a.block_index, "conversion_months")
    inside = f"AND({i}>={start},{i}<{start}+{months})"
    if a.capex_shape == "even":
        return f"IF({inside},{cost}/{months},0)"
    x1, x0 = f"(({i}-{start}+1)/{months})", f"(({i}-{start})/{months})"
    share = f"({x1}^2*(3-2*{x1})-{x0}^2*(3-2*{x0}))"
    return f"IF({inside},{cost}*{share},0)"


def _timing(sh: StrategyRows, project: Project, catalog: Catalog) -> None:
    """FAST timing flags, one row per block, that every row of the block reads: a fleet is
    active (1) from its start month to its end or retirement, with its facility MW in column
    C; an AI block is live (1) from the end of its conversion (GPU servers that run off, until
    the end of their life)."""
    w, n = sh.w, sh.n
    w.heading("Timing flags (1 in the months a block operates)")
    life = gpu_life_months(project)
    for j, b in enumerate(sh.strategy.blocks):
        if mines(b):
            start, stop = sh.name(j, "start_month"), sh.name(j, "end_month_or_horizon")
            sh.flags[f"f{j}"] = live_mask(b, n, life).astype(float)
            w.line(
                f"f{j}",
                f"{b.name}: active (1/0); facility MW in column C",
                "flag",
                _f(f"IF(AND({sh.i}>={start},{sh.i}<{stop}),1,0)"),
                sh.flags[f"f{j}"],
                "int",
                total=False,
            )
            count, watts = sh.name(j, "asic_count"), sh.name(j, "asic_power_w")
            w.ws.write_formula(
                w.rows[f"f{j}"],
                2,
                f"={count}*{watts}/1000000*{sh.name(j, 'pue')}",
                w.fmt["num2"],
                mining_block_power(b, catalog)[0],
            )
        elif is_ai(b):
            live = f"({sh.name(j, 'start_month')}+{sh.name(j, 'conversion_months')})"
            flag = live_mask(b, n, life).astype(float)
            sh.flags[f"live{j}"] = flag
            w.line(
                f"live{j}",
                f"{b.name}: live (1/0)",
                "flag",
                _f(f"IF({_gpu_renting(sh, b, live)},1,0)"),
                flag,
                "int",
                total=False,
            )


def _live(sh: StrategyRows, j: int) -> str:
    """AI block j's live flag in the month ("{c}" for the column)."""
    return f"{{c}}${sh.w.r(f'live{j}')}=1"


def _gpu_renting(sh: StrategyRows, b: AiBlock, live: str) -> str:
    """The condition for an AI block to be live in a month: from go-live, and for GPU servers
    that run off, until the end of their life (Finance: GPU life)."""
    if owns_gpus(b) and b.gpu_end_of_life == "run_off":
        life = f"ROUND({sh.names['finance.depreciation_life_years.gpu']}*12,0)"
        return f"AND({sh.i}>={live},{sh.i}<{live}+{life})"
    return f"{sh.i}>={live}"


def _f(body: str) -> Callable[[str, str], str]:
    return lambda c, p: body.replace("{c}", c)
