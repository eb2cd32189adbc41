"""The capital-asset parameter table of a strategy sheet: cost, value, basis and timing as
formulas of the blocks' inputs, and the depreciation and salvage terms the flow rows read."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from core.engine.cashflow import FORWARD_MONTHS, resale_index
from core.engine.market.context import MarketContext, market_context
from core.io.xlsx import network
from core.io.xlsx.rows import FIRST_COL
from core.model.project import Project, Strategy


def _asset_inputs(a, p: str, names: dict[str, str]) -> tuple[str, str, str, str, str]:
    """(value, cash cost, tax basis, capex month, in-service month) as formulas of Inputs."""
    start = names[p + ".start_month"]
    if a.part == "asic":
        value = f"{names[p + '.asic_count']}*{names[p + '.price_used']}"
        owned = names[p + ".existing_fleet"]
        cash = f"IF({owned},0,{value})"
        return value, cash, cash, start, start
    if a.part == "infrastructure":
        mw = f"{names[p + '.asic_count']}*{names[p + '.asic_power_w']}/1000000*{names[p + '.pue']}"
        cost = f"{mw}*{names[p + '.infrastructure_usd_per_mw']}"
        return cost, cost, cost, start, start
    live = f"({start}+{names[p + '.conversion_months']})"
    if a.part == "retrofit":
        cost = f"{names[p + '.it_mw_used']}*{names[p + '.retrofit_usd_per_mw']}"
        return cost, cost, cost, start, live
    # GPU servers: generation k is bought k lives after go-live, at the declined price.
    life = f"ROUND({names['finance.depreciation_life_years.gpu']}*12,0)"
    bought = f"({live}+{a.generation}*{life})" if a.generation else live
    cost = f"{names[p + '.server_count']}*{names[p + '.price_used']}"
    if a.generation:
        cost += f"*(1-{names[p + '.server_decline_used']})^({a.generation}*{life}/12)"
    return cost, cost, cost, bought, bought


ASSET_HEADERS = [
    "Asset",
    "Class",
    "Cash cost",
    "Capex month",
    "Value in service",
    "Tax basis",
    "In service (month)",
    "Life (months)",
    "Depreciation ends",
    "Sale month",
    "Age at sale (months)",
    "Residual share",
    "Depreciation a month",
    "Sale proceeds",
    "Book value at sale",
    "Resale index",
    "Bonus depreciation",
]


def write_asset_table(
    ws,
    fmt: dict,
    first: int,
    assets,
    names: dict[str, str],
    project: Project,
    n: int,
    block_paths: dict[int, str],
    strategy: Strategy,
    hashprice_row: int,
) -> None:
    """``hashprice_row``: the 1-based row of the sheet's monthly hashprice, which used miners'
    resale follows unless ``finance.asic_resale`` is "straight_line" (the engine's
    ``resale_index`` gives the cached values); "hashprice_forward" also reads the 12 months
    after the horizon, written in a row below the table."""
    first_month, last_month = xl_col_to_name(FIRST_COL), xl_col_to_name(FIRST_COL + n - 1)
    hp = f"${first_month}${hashprice_row}:${last_month}${hashprice_row}"
    rule = project.finance.asic_resale
    follows = rule != "straight_line"
    ctx = market_context(project)
    index_ratio = resale_index(project, ctx).get("asic")
    if rule == "hashprice_forward":
        after = _months_after(ws, fmt, first + len(assets) + 3, names, project, ctx)
        k = FORWARD_MONTHS
        # The 12 months from the sale: the sheet's months to the horizon, then those after it.
        past = f"J{{a1}}+{k}-HorizonMonths"  # how many of them fall after the horizon
        window = (
            f"(SUM(INDEX({hp},J{{a1}}+1):INDEX({hp},MIN(J{{a1}}+{k},HorizonMonths)))"
            f"+IF({past}>0,SUM(INDEX({after},1):INDEX({after},{past})),0))"
        )
        index_formula = f"={window}/SUM(INDEX({hp},1):INDEX({hp},{k}))"
    else:
        index_formula = f"=INDEX({hp},J{{a1}}+1)/INDEX({hp},1)"
    ws.write_string(first - 1, 0, "Capital assets: parameters", fmt["section"])
    for c, h in enumerate(ASSET_HEADERS):
        ws.write_string(first, c, h, fmt["header"])
    for k, (a, _flows) in enumerate(assets):
        r = first + 1 + k
        a1 = r + 1
        life_years = names[f"finance.depreciation_life_years.{a.asset_class}"]
        residual = names[f"finance.residual_value_pct.{a.asset_class}"]
        held = a.sale_month is None or a.sale_month >= n
        ws.write_string(r, 0, a.name, fmt["label"])
        ws.write_string(r, 1, a.asset_class, fmt["unit"])
        p = block_paths[a.block_index]
        cost, capex, basis, capex_m, in_service = _asset_inputs(a, p, names)
        ws.write_formula(r, 2, f"={capex}", fmt["num"], a.capex_usd)
        ws.write_formula(r, 3, f"={capex_m}", fmt["int"], a.capex_month)
        ws.write_formula(r, 4, f"={cost}", fmt["num"], a.value_usd)
        ws.write_formula(r, 5, f"={basis}", fmt["num"], a.tax_basis_usd)
        ws.write_formula(r, 6, f"={in_service}", fmt["int"], a.in_service_month)
        life_m = round(project.finance.depreciation_life_years.model_dump()[a.asset_class] * 12)
        ws.write_formula(r, 7, f"=ROUND({life_years}*12,0)", fmt["int"], life_m)
        sale = n - 1 if held else min(a.sale_month, n - 1)
        dep_end = min(a.in_service_month + life_m, n if held else sale)
        end_expr = "HorizonMonths" if held else f"J{a1}"
        ws.write_formula(r, 8, f"=MIN(G{a1}+H{a1},{end_expr})", fmt["int"], dep_end)
        if held:
            sale_expr = "HorizonMonths-1"
        elif a.part == "gpu":  # at the end of the servers' life
            sale_expr = f"MIN(G{a1}+H{a1},HorizonMonths-1)"
        else:
            sale_expr = f"MIN({names[p + '.end_month_or_horizon']},HorizonMonths-1)"
        ws.write_formula(r, 9, f"={sale_expr}", fmt["int"], sale)
        age = (n if held else sale) - a.in_service_month
        ws.write_formula(r, 10, f"={'HorizonMonths' if held else f'J{a1}'}-G{a1}", fmt["int"], age)
        res = project.finance.residual_value_pct.model_dump()[a.asset_class] / 100
        ws.write_formula(r, 11, f"={residual}", fmt["pct"], res)
        bonus_share = project.finance.bonus_depreciation_pct.model_dump()[a.asset_class] / 100
        bonus_name = names[f"finance.bonus_depreciation_pct.{a.asset_class}"]
        ws.write_formula(r, 16, f"={bonus_name}", fmt["pct"], bonus_share)
        # The bonus is taken in the month of service unless the asset is sold then.
        bonus = bonus_share * a.tax_basis_usd if dep_end > a.in_service_month else 0.0
        monthly = (a.tax_basis_usd - bonus) / life_m
        ws.write_formula(
            r, 12, f"=(F{a1}-IF(I{a1}>G{a1},F{a1}*Q{a1},0))/H{a1}", fmt["num"], monthly
        )
        years = project.finance.depreciation_life_years.model_dump()[a.asset_class]
        proceeds = (
            0.0 if a.in_service_month >= n else a.value_usd * max(1 - age / (years * 12), res)
        )
        if index_ratio is not None and a.asset_class == "asic":
            proceeds *= float(index_ratio[sale])
        # Held to the horizon with no terminal value, or kept in use under a continuing value:
        # it fetches nothing (set in MinePivot).
        no_terminal = held and project.finance.terminal_value != "book_value"
        if no_terminal:
            proceeds = 0.0
        ws.write_formula(
            r,
            13,
            "=0"
            if no_terminal
            else f"=IF(G{a1}>=HorizonMonths,0,E{a1}*MAX(1-K{a1}/({life_years}*12),L{a1})*P{a1})",
            fmt["num"],
            proceeds,
        )
        book = a.tax_basis_usd - bonus - monthly * max(dep_end - a.in_service_month, 0)
        ws.write_formula(
            r,
            14,
            f"=F{a1}-IF(I{a1}>G{a1},F{a1}*Q{a1},0)-M{a1}*MAX(I{a1}-G{a1},0)",
            fmt["num"],
            book,
        )
        # Hashprice at the sale month over the first month's (1: the value only ages).
        if follows and a.asset_class == "asic" and a.in_service_month < n:
            ratio = float(index_ratio[sale]) if index_ratio is not None else 1.0
            ws.write_formula(r, 15, index_formula.replace("{a1}", str(a1)), fmt["factor"], ratio)
        else:
            ws.write_number(r, 15, 1.0, fmt["factor"])
    note = (
        "Cash cost, value, basis and timing come from the strategy's blocks (Inputs); "
        "an owned fleet has no capex and no tax basis left."
    )
    ws.write_string(first + 1 + len(assets) + 1, 0, note, fmt["note"])


def _months_after(
    ws, fmt: dict, r: int, names: dict[str, str], project: Project, ctx: MarketContext
) -> str:
    """Row ``r`` (0-based, below the asset table): the hashprice of the 12 months after the
    horizon by the Market sheet's formulas (BTC price path, difficulty growth, fees), each
    month's average subsidy set in MinePivot from the halving schedule. Returns its range."""
    ahead, (_, subsidy, _) = ctx.hashprice_ahead, ctx.months_after
    ws.write_string(
        r, 0, "Hashprice, the 12 months after the horizon (for used miners' resale)", fmt["label"]
    )
    ws.write_string(r, 1, "USD/PH/day", fmt["unit"])
    for k, (value, sub) in enumerate(zip(ahead.tolist(), subsidy.tolist(), strict=True)):
        m = f"(HorizonMonths+{k})"
        btc = network.btc_price(project.market, names, m)
        formula = network.hashprice(repr(sub), names, btc, network.difficulty(names, m))
        ws.write_formula(r, FIRST_COL + k, "=" + formula, fmt["imported_2dp"], value)
    ws.write_string(
        r + 1,
        0,
        "As the Market sheet's hashprice, each month's subsidy (BTC per block, averaged over its "
        "hours) from the halving schedule set in MinePivot.",
        fmt["note"],
    )
    a, b = xl_col_to_name(FIRST_COL), xl_col_to_name(FIRST_COL + ahead.size - 1)
    return f"${a}${r + 1}:${b}${r + 1}"
