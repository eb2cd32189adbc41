"""What ``run`` reports: one row of KPIs per strategy (the JSON the command prints, and the
figures the fuzzer checks are finite), and the same as text."""

from __future__ import annotations

from typing import Any

from core.engine.evaluation import ProjectResult
from core.engine.goalseek import GoalSeek
from core.model.format import cost_of_funds, money, no_payback, pct, quantity


def strategy_summaries(result: ProjectResult, seeks: list[GoalSeek] | None) -> list[dict[str, Any]]:
    out = []
    for i, s in enumerate(result.strategies):
        k = s.kpis
        row: dict[str, Any] = {
            "name": s.name,
            "npv_usd": k.npv_usd,
            "irr": k.irr,
            "irr_note": k.irr_note,
            "payback_months": k.payback_months,
            "payback_months_note": k.payback_note,
            "discounted_payback_months": k.discounted_payback_months,
            "discounted_payback_months_note": k.discounted_payback_note,
            "peak_funding_usd": k.peak_funding_usd,
            "terminal_value_pv_usd": k.terminal_value_pv_usd,
            "terminal_value_share_of_npv": k.terminal_value_share_of_npv,
            "equity_npv_usd": k.equity_npv_usd,
            "equity_irr": k.equity_irr,
            "equity_irr_note": k.equity_irr_note,
            "equity_payback_months": k.equity_payback_months,
            "equity_payback_months_note": k.equity_payback_note,
            "min_dscr": k.min_dscr,
            "avg_dscr": k.avg_dscr,
            "dscr_note": k.dscr_note,
            "max_debt_usd": k.max_debt_usd,
            "balloon_usd": k.balloon_usd,
            "peak_equity_usd": k.peak_equity_usd,
            "financed": result.project is not None
            and result.project.strategies[i].financing is not None,
            "probability_weighted_npv_usd": k.probability_weighted_npv_usd,
            "contract_probability_pct": k.contract_probability_pct,
            "fallback_strategy": k.fallback_strategy,
            "warnings": s.warnings,
            "retirements": [
                {
                    "block": result_block(result, i, x.block_index),
                    "month": x.month,
                    "npv_gain_usd": x.npv_gain_usd,
                }
                for x in s.retirements
            ],
        }
        inc = s.incremental
        if inc is not None:
            row["incremental"] = {
                "vs": inc.vs,
                "npv_usd": inc.npv_usd,
                "weighted_npv_usd": inc.weighted_npv_usd,
                "irr": inc.irr,
                "irr_note": inc.irr_note,
                "payback_months": inc.payback_months,
                "payback_months_note": inc.payback_note,
                "discounted_payback_months": inc.discounted_payback_months,
                "discounted_payback_months_note": inc.discounted_payback_note,
            }
        if seeks is not None:
            g = seeks[i]
            row |= {
                "breakeven_power_usd_per_mwh": g.breakeven_power.value,
                "breakeven_power_note": g.breakeven_power.note,
                "breakeven_btc_usd": g.breakeven_btc.value,
                "breakeven_btc_note": g.breakeven_btc.note,
                "required_ai_price": g.required_ai_price.value,
                "required_ai_price_unit": g.required_ai_price.unit or None,
                "required_ai_price_note": g.required_ai_price.note,
                "required_ai_price_equity": g.required_ai_price_equity.value,
                "required_ai_price_equity_note": g.required_ai_price_equity.note,
                "debt_capacity_usd": g.debt_capacity.value,
                "debt_capacity_note": g.debt_capacity.note,
            }
        out.append(row)
    return out


def result_block(result: ProjectResult, strategy: int, block: int) -> str:
    """A block's name as the result's project has it."""
    project = result.project
    return project.strategies[strategy].blocks[block].name if project else str(block)


def _months(value: int | None, note: str) -> str:
    """A payback for the text report: months, or the reason there is none."""
    return f"{value} months" if value is not None else no_payback(note)


def print_report(name: str, result: ProjectResult, rows: list[dict[str, Any]], seeks: bool) -> None:
    """The ``run`` report as text, one block per strategy."""
    print(f"{name}  ({result.months[0]} to {result.months[-1]})")
    for r in rows:
        print(f"\n{r['name']}")
        print(f"  NPV                     {money(r['npv_usd'])}")
        irr = pct(r["irr"], note=r["irr_note"])
        print(f"  IRR (% p.a. effective)  {irr}   [{r['irr_note']}]")
        pb = _months(r["payback_months"], r["payback_months_note"])
        dpb = _months(r["discounted_payback_months"], r["discounted_payback_months_note"])
        print(f"  payback                 {pb}  (discounted: {dpb})")
        print(f"  peak funding need       {money(r['peak_funding_usd'])}")
        if r["terminal_value_pv_usd"]:
            share = r["terminal_value_share_of_npv"]
            continuing = result.project and result.project.finance.terminal_value == "continuing"
            print(
                f"  terminal value (PV)     {money(r['terminal_value_pv_usd'])}"
                + (f" = {pct(share)} of NPV" if share is not None else "")
                + (
                    " (the final year's cash flow continuing)"
                    if continuing
                    else " (assets still held, sold at the horizon end)"
                )
            )
        if r["financed"]:
            eq_irr = pct(r["equity_irr"], note=r["equity_irr_note"])
            eq_pb = _months(r["equity_payback_months"], r["equity_payback_months_note"])
            dscr = (
                f"min {r['min_dscr']:.2f}×, average {r['avg_dscr']:.2f}×, {r['dscr_note']}"
                if r["min_dscr"] is not None
                else r["dscr_note"]
            )
            print(f"  equity NPV              {money(r['equity_npv_usd'])} (at the cost of equity)")
            print(f"  equity IRR              {eq_irr}   payback {eq_pb}")
            print(f"  DSCR                    {dscr}")
            print(
                f"  peak debt               {money(r['max_debt_usd'])}"
                f"   peak equity {money(r['peak_equity_usd'])}"
            )
            if r["balloon_usd"] > 0:
                print(f"  owed at the horizon end {money(r['balloon_usd'])} (balloon, repaid then)")
        for x in r["retirements"]:
            when = "runs to its end" if x["month"] is None else f"month {x['month']}"
            print(f"  retire {x['block']}: {when} (auto; NPV {money(x['npv_gain_usd'])} more)")
        inc = r.get("incremental")
        if inc is not None:
            irr = pct(inc["irr"], note=inc["irr_note"])
            irr += " (a cost of funds)" if cost_of_funds(inc["irr_note"]) else ""
            pb = _months(inc["payback_months"], inc["payback_months_note"])
            print(f"  vs {inc['vs']}:  NPV {money(inc['npv_usd'])}, IRR {irr}, payback {pb}")
            if inc["weighted_npv_usd"] is not None:
                print(
                    f"  vs {inc['vs']}, weighted by the contract's odds: "
                    f"NPV {money(inc['weighted_npv_usd'])} (as signed: {money(inc['npv_usd'])})"
                )
        if r["fallback_strategy"] and r["contract_probability_pct"] < 100:
            print(
                f"  probability-weighted    {money(r['probability_weighted_npv_usd'])} "
                f"({r['contract_probability_pct']:g} % contract, else {r['fallback_strategy']})"
            )
        if seeks:
            for label, key, note, unit in (
                (
                    "break-even power",
                    "breakeven_power_usd_per_mwh",
                    "breakeven_power_note",
                    "USD/MWh",
                ),
                ("break-even BTC", "breakeven_btc_usd", "breakeven_btc_note", "USD"),
                (
                    "required AI price",
                    "required_ai_price",
                    "required_ai_price_note",
                    r["required_ai_price_unit"] or "",
                ),
                *(
                    (
                        (
                            "for equity IRR",
                            "required_ai_price_equity",
                            "required_ai_price_equity_note",
                            r["required_ai_price_unit"] or "",
                        ),
                    )
                    if r["financed"]
                    else ()
                ),
            ):
                v = r[key]
                print(f"  {label:<22}  {quantity(v, unit)}   [{r[note]}]")
            if r["financed"]:
                capacity = r["debt_capacity_usd"]
                shown = money(capacity) if capacity is not None else "—"
                print(f"  {'debt capacity':<22}  {shown}   [{r['debt_capacity_note']}]")
        for w in r["warnings"]:
            print(f"  warning: {w}")
