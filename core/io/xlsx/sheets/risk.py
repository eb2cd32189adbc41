"""The workbook's Risk sheet: Monte Carlo percentiles, tornado, hybrid split and the fan by year.

These are simulation results, not formulas: the cells are styled as imported data, and the
sheet states the settings (paths, seed, spreads) that reproduce them with `minepivot risk`.
"""

from __future__ import annotations

from core.io.xlsx.rows import write_table
from core.model import labels as spec
from core.risk.sensitivity import RiskAnalysis


def write_risk(wb, fmt: dict, analysis: RiskAnalysis) -> None:
    ws = wb.add_worksheet("Risk")
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    ws.set_column(0, 0, 30)
    ws.set_column(1, 12, 19)  # wide enough for "Std. error of mean" beside "P(NPV < 0)"
    mc = analysis.monte_carlo
    risk = mc.risk
    ws.write_string(0, 0, "Risk: Monte Carlo, tornado and hybrid split", fmt["title"])
    ws.write_string(
        1,
        0,
        f"{mc.paths:,} paths, seed {risk.seed}. Simulated values, not formulas (shaded as "
        f"imported): `minepivot risk PROJECT --paths {mc.paths} --seed {risk.seed}` reproduces "
        "them. NPV is in USD at the project's discount rate.",
        fmt["note"],
    )
    row = 3
    ws.write_string(row, 0, "Monte Carlo settings", fmt["section"])
    row = write_table(ws, fmt, row + 1, ["Setting", "Value", "Unit"])
    for rel, label, unit, _tip, *opts in spec.RISK:
        whole = bool(opts) and isinstance(opts[0], dict) and opts[0].get("kind") == "int"
        ws.write_string(row, 0, label)
        style = "imported_int" if rel == "seed" else "imported" if whole else "imported_2dp"
        ws.write_number(row, 1, getattr(risk, str(rel)), fmt[style])
        ws.write_string(row, 2, unit, fmt["unit"])
        row += 1

    row += 1
    years = risk.payback_within_years
    ws.write_string(row, 0, "NPV over the paths", fmt["section"])
    row = write_table(
        ws,
        fmt,
        row + 1,
        [
            "Strategy",
            "P10",
            "P50",
            "P90",
            "Mean",
            "Std. error of mean",
            "P(NPV < 0)",
            f"P(payback ≤ {years} y)",
        ],
    )
    for r in mc.summary():
        ws.write_string(row, 0, r["strategy"])
        for c, key in enumerate(
            ("p10_npv_usd", "p50_npv_usd", "p90_npv_usd", "mean_npv_usd", "standard_error_usd"),
            start=1,
        ):
            ws.write_number(row, c, r[key], fmt["imported"])
        ws.write_number(row, 6, r["probability_npv_below_zero"], fmt["pct"])
        ws.write_number(row, 7, r["probability_payback_within"], fmt["pct"])
        row += 1

    row += 1
    t = analysis.tornado
    names = list(t.base_npv_usd)
    ws.write_string(
        row, 0, "Tornado: probability-weighted NPV with one input swung", fmt["section"]
    )
    headers = ["Input", "Low %", "High %"]
    for n in names:
        headers += [f"{n}: NPV at low", f"{n}: NPV at high"]
    row = write_table(ws, fmt, row + 1, headers)
    ws.write_string(row, 0, "(inputs as entered)", fmt["note"])
    for i, n in enumerate(names):
        ws.write_number(row, 3 + 2 * i, t.base_npv_usd[n], fmt["imported"])
        ws.write_number(row, 4 + 2 * i, t.base_npv_usd[n], fmt["imported"])
    row += 1
    for b in t.bars:
        ws.write_string(row, 0, b.label)
        ws.write_number(row, 1, b.low_pct / 100, fmt["pct"])
        ws.write_number(row, 2, b.high_pct / 100, fmt["pct"])
        for i, n in enumerate(names):
            ws.write_number(row, 3 + 2 * i, b.npv_low_usd[n], fmt["imported"])
            ws.write_number(row, 4 + 2 * i, b.npv_high_usd[n], fmt["imported"])
        row += 1

    row += 1
    sweep = analysis.split
    if sweep is None:
        ws.write_string(row, 0, f"Hybrid split: not run. {analysis.split_note}", fmt["note"])
        row += 1
    else:
        ws.write_string(
            row,
            0,
            f"Hybrid split of {sweep.strategy}: share of the interconnect given to AI "
            f"(P10 from {sweep.paths:,} paths per share)",
            fmt["section"],
        )
        first = row + 2
        row = write_table(ws, fmt, row + 1, ["AI share", "NPV (prob.-weighted)", "P10 NPV", "Best"])
        for i, share in enumerate(sweep.ai_share_pct):
            ws.write_number(row, 0, share / 100, fmt["pct"])
            ws.write_number(row, 1, sweep.npv_usd[i], fmt["imported"])
            ws.write_number(row, 2, sweep.p10_npv_usd[i], fmt["imported"])
            marks = []
            if i == sweep.best_index:
                marks.append("highest NPV")
            if i == sweep.best_p10_index:
                marks.append("highest P10")
            ws.write_string(row, 3, ", ".join(marks), fmt["ok"])
            row += 1
        chart = wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
        for col, title in ((1, "NPV (probability-weighted)"), (2, "P10 NPV")):
            chart.add_series(
                {
                    "name": title,
                    "categories": ["Risk", first, 0, row - 1, 0],
                    "values": ["Risk", first, col, row - 1, col],
                }
            )
        chart.set_title({"name": "Hybrid split"})
        chart.set_x_axis({"name": "AI share of the interconnect", "num_format": "0%"})
        chart.set_y_axis({"name": "USD", "num_format": "#,##0,,\\ \\M"})
        chart.set_legend({"position": "bottom"})
        ws.insert_chart(first - 2, 5, chart, {"x_scale": 1.3, "y_scale": 1.1})

    row += 1
    ws.write_string(row, 0, "Cumulative free cash flow at each year end", fmt["section"])
    headers = ["Strategy", "Percentile"] + [mc.months[m][:4] for m in range(11, len(mc.months), 12)]
    row = write_table(ws, fmt, row + 1, headers)
    for s in mc.strategies:
        for k, label in enumerate(("P10", "P50", "P90")):
            ws.write_string(row, 0, s.name)
            ws.write_string(row, 1, label)
            for c, m in enumerate(range(11, s.fan_usd.shape[1], 12)):
                ws.write_number(row, 2 + c, s.fan_usd[k, m], fmt["imported"])
            row += 1
