"""The minepivot command as a user runs it: output, files, exit codes, no tracebacks."""

import csv
import datetime as dt
import json
import subprocess
import sys

import pytest

from core.engine.columns import MONTHLY_COLUMNS
from core.resources import example_project_path

EXAMPLE = str(example_project_path())
HASHPRICE = ["hashprice", "--btc-price", "60000", "--difficulty", "1e14", "--fees-per-block", "0"]


def cli(*args: str) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [sys.executable, "-m", "gui.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out


def test_run_json_reports_every_strategy():
    out = cli("run", EXAMPLE, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    names = [s["name"] for s in doc["strategies"]]
    assert names == ["Keep mining", "Convert to AI", "Hybrid", "Sell the fleet now"]
    for s in doc["strategies"]:
        for key in (
            "npv_usd",
            "irr",
            "payback_months",
            "discounted_payback_months",
            "peak_funding_usd",
            "probability_weighted_npv_usd",
            "breakeven_power_usd_per_mwh",
            "breakeven_btc_usd",
            "required_ai_price",
        ):
            assert key in s
    keep = doc["strategies"][0]
    assert keep["required_ai_price"] is None  # no AI block: null, not a number
    assert doc["strategies"][1]["required_ai_price_unit"] == "USD/kW-month"


def test_run_writes_monthly_csv(tmp_path):
    path = tmp_path / "monthly.csv"
    out = cli("run", EXAMPLE, "--no-goal-seek", "--monthly", str(path))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 4 * 120
    assert {"strategy", "month", "fcf_usd"} <= set(rows[0]) and set(MONTHLY_COLUMNS) <= set(rows[0])
    keep = [r for r in rows if r["strategy"] == "Keep mining"]
    assert keep[0]["month"] == "2027-01" and keep[-1]["month"] == "2036-12"
    # The cumulative column is the running sum of the FCF column, to the cent.
    running = 0.0
    for r in keep:
        running += float(r["fcf_usd"])
        assert float(r["cumulative_fcf_usd"]) == pytest.approx(running, abs=0.01)


def test_run_text_output():
    out = cli("run", EXAMPLE, "--no-goal-seek")
    assert out.returncode == 0
    assert "Convert to AI" in out.stdout and "probability-weighted" in out.stdout


def test_hashprice_json():
    # Hand-worked in test_bitcoin.py: $60,000, D = 1e14, subsidy 3.125 → 37.718563 USD.
    out = cli(*HASHPRICE, "--json")
    doc = json.loads(out.stdout)
    assert doc["usd_per_ph_day"] == pytest.approx(37.718563, rel=1e-7)
    assert doc["btc_per_ph_day"] == pytest.approx(37.718563 / 60000, rel=1e-7)


def test_hashprice_subsidy_from_date():
    base = [*HASHPRICE, "--json"]
    before = json.loads(cli(*base, "--date", "2024-04-19").stdout)
    after = json.loads(cli(*base, "--date", "2024-04-21").stdout)
    assert before["subsidy_btc"] == 6.25 and after["subsidy_btc"] == 3.125
    assert json.loads(cli(*base, "--date", "2029-01-01").stdout)["subsidy_btc"] == 1.5625


def test_example_writes_a_loadable_project(tmp_path):
    path = tmp_path / "ex.minepivot"
    assert cli("example", "-o", str(path)).returncode == 0
    assert path.read_text() == example_project_path().read_text()


def test_import_prices_into_a_project(tmp_path, ercot_csv):
    out_path = tmp_path / "real.minepivot"
    out = cli(
        "import-prices",
        EXAMPLE,
        str(ercot_csv("ercot_lz_west_rtm_2023_hourly.csv")),
        "-o",
        str(out_path),
    )
    assert out.returncode == 0, out.stderr
    run = json.loads(cli("run", str(out_path), "--json", "--no-goal-seek").stdout)
    assert len(run["strategies"]) == 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "missing.minepivot"], "cannot be read"),
        (
            ["hashprice", "--btc-price", "-5", "--difficulty", "1e14", "--fees-per-block", "0"],
            "--btc-price must be a finite number > 0, got -5",
        ),
        (
            ["hashprice", "--btc-price", "nan", "--difficulty", "1e14", "--fees-per-block", "0"],
            "--btc-price must be a finite number > 0",
        ),
        (
            [
                "hashprice",
                "--btc-price",
                "5",
                "--difficulty",
                "1e14",
                "--fees-per-block",
                "0",
                "--date",
                "soon",
            ],
            "--date must be YYYY-MM-DD, got 'soon'",
        ),
        (
            ["hashprice", "--btc-price", "five", "--difficulty", "1", "--fees-per-block", "0"],
            "invalid float value: 'five'",
        ),
        (["example", "-o", "/nonexistent-dir/x.minepivot"], "cannot write in /nonexistent-dir"),
        (["frobnicate"], "invalid choice"),
        (["risk", EXAMPLE, "--paths", "5"], "--paths must be 100 to 200,000, got 5"),
        (["risk", EXAMPLE, "--seed", "-1"], "--seed must be 0 to 4,294,967,295, got -1"),
    ],
)
def test_bad_input_exits_2_with_a_message(args, message):
    out = cli(*args)
    assert out.returncode == 2
    assert message in out.stderr


def test_bad_project_lists_its_problems(tmp_path):
    doc = json.loads(example_project_path().read_text())
    doc["strategies"][1]["blocks"][0]["asic_count"] = -3
    path = tmp_path / "bad.minepivot"
    path.write_text(json.dumps(doc))
    out = cli("run", str(path))
    assert out.returncode == 2
    assert "strategies[1].blocks[0].asic_count: must be ≥ 0, got -3" in out.stderr


def test_bench_json_reports_the_figures():
    doc = json.loads(cli("bench", "--json").stdout)
    for key in (
        "recompute_ms",
        "recompute_30y_ms",
        "goal_seek_ms",
        "reference_numpy_ms",
        "monte_carlo_10k_ms",
        "recompute_financed_ms",
        "monte_carlo_financed_10k_ms",
        "tornado_ms",
        "split_sweep_ms",
    ):
        assert doc[key] > 0


def test_export_command_writes_the_workbook(tmp_path):
    out = tmp_path / "board.xlsx"
    run = cli("export", EXAMPLE, "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert out.read_bytes()[:2] == b"PK"
    bad = cli("export", EXAMPLE, "-o", str(tmp_path / "missing" / "x.xlsx"))
    assert bad.returncode == 2 and "cannot write in" in bad.stderr


def test_risk_prints_percentiles_and_probabilities():
    doc = json.loads(cli("risk", EXAMPLE, "--paths", "500", "--seed", "9", "--json").stdout)
    assert (doc["paths"], doc["seed"]) == (500, 9)
    assert [s["strategy"] for s in doc["strategies"]] == [
        "Keep mining",
        "Convert to AI",
        "Hybrid",
        "Sell the fleet now",
    ]
    for s in doc["strategies"]:
        assert s["p10_npv_usd"] <= s["p50_npv_usd"] <= s["p90_npv_usd"]
        assert 0 <= s["probability_npv_below_zero"] <= 1
        assert s["payback_within_years"] == 5
    again = json.loads(cli("risk", EXAMPLE, "--paths", "500", "--seed", "9", "--json").stdout)
    assert again == doc  # seeded: the same numbers every time
    text = cli("risk", EXAMPLE, "--paths", "500").stdout
    assert "500 paths, seed 2026" in text and "P(payback≤5y)" in text and "Hybrid" in text


def test_export_with_risk_adds_the_risk_sheet(tmp_path):
    import openpyxl

    out = tmp_path / "board.xlsx"
    run = cli("export", EXAMPLE, "-o", str(out), "--risk")
    assert run.returncode == 0, run.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[-3:] == ["Risk", "Layout", "Sources"]
    assert wb["Risk"]["A1"].value == "Risk: Monte Carlo, tornado and hybrid split"


def test_layout_json_lists_each_plan_and_a_bad_strategy_is_named():
    out = cli("layout", EXAMPLE, "--json")
    assert out.returncode == 0, out.stderr
    plans = json.loads(out.stdout)["plans"]
    assert [(p["strategy"], p["hangar"]) for p in plans] == [
        ("Keep mining", "Hangar A"),
        ("Keep mining", "Hangar B"),
        ("Hybrid", "Hangar A"),
    ]
    # 265 shelves × 50 S21 × 3.5 kW = 46.375 MW IT; × 1.05 PUE = 48.69375 MW.
    first = plans[0]
    assert first["counts"] == {"s21": 13_250} and first["violations"] == []
    assert first["it_mw"] == pytest.approx(46.375) and first["facility_mw"] == pytest.approx(
        48.69375
    )
    out = cli("layout", EXAMPLE, "--strategy", "Mine harder")
    assert out.returncode == 2
    assert (
        "no strategy named 'Mine harder' (have: Keep mining, Convert to AI, Hybrid, "
        "Sell the fleet now)" in out.stderr
    )


def test_help_tells_the_whole_truth():
    # One dispatcher: every command, the app and its diagnostic flags, and what opens the app.
    top = cli("--help")
    assert top.returncode == 0
    for command in ("open", "run", "hashprice", "example", "import-prices", "export", "risk"):
        assert f"    {command}" in top.stdout
    assert "layout" in top.stdout and "bench" in top.stdout
    assert "No command, or a project file, opens the desktop app" in top.stdout
    app = cli("open", "--help")
    assert "--screenshot OUT.png" in app.stdout and "--smoke-test OUT_DIR" in app.stdout


def test_import_prices_takes_the_file_clock(tmp_path):
    # A year of UTC hours written without a zone: read as UTC, the first local (UTC−6) hour
    # of 2023 is the row at 06:00.
    prices = tmp_path / "utc.csv"
    start = dt.datetime(2023, 1, 1, 6)
    prices.write_text(
        "\n".join(f"{start + dt.timedelta(hours=h):%Y-%m-%d %H:%M},{h}" for h in range(8760))
    )
    out_path = tmp_path / "utc.minepivot"
    out = cli("import-prices", EXAMPLE, str(prices), "-o", str(out_path), "--file-clock", "UTC")
    assert out.returncode == 0, out.stderr
    assert "timestamps in UTC moved to the site's standard time, UTC−6" in out.stderr
    source = json.loads(out_path.read_text())["site"]["energy"]["price_source"]
    assert source["years_usd_per_mwh"][0][:2] == [0.0, 1.0]
    bad = cli("import-prices", EXAMPLE, str(prices), "-o", str(out_path), "--file-clock", "Mars/X")
    assert bad.returncode == 2 and "--file-clock: time zone 'Mars/X' is not known" in bad.stderr
