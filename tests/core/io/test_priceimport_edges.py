"""Price CSV import on hostile files: never a crash, never a silent change of the data."""

import tracemalloc
from datetime import datetime, timedelta

import numpy as np
import pytest

from core.io.priceimport import PriceImportError, import_price_csv, import_price_text
from gui.main import main as cli_main


def _utc_year(year: int, start_hour: int = 6, sep: str = ",", value=lambda h: f"{h % 50}") -> str:
    rows = [f"timestamp_utc{sep}price_usd_per_mwh"]
    t = datetime(year, 1, 1, start_hour)
    n = 8784 if year % 4 == 0 else 8760
    for h in range(n):
        rows.append(f"{(t + timedelta(hours=h)).isoformat()}Z{sep}{value(h)}")
    return "\n".join(rows) + "\n"


def _problems(text: str, **kw) -> list[str]:
    with pytest.raises(PriceImportError) as info:
        import_price_text(text, "t.csv", **kw)
    return info.value.problems


def test_cr_only_line_endings_read_like_any_other():
    text = _utc_year(2023)
    lf, _ = import_price_text(text, "lf.csv")
    cr, _ = import_price_text(text.replace("\n", "\r"), "cr.csv")
    crlf, _ = import_price_text(text.replace("\n", "\r\n"), "crlf.csv")
    assert cr.years_usd_per_mwh == lf.years_usd_per_mwh == crlf.years_usd_per_mwh


def test_stray_quotes_and_huge_fields_are_problems_with_lines():
    lines = _utc_year(2023).splitlines()
    lines[3] = lines[3].split(",")[0] + ',"12'  # a quote that never closes swallows the rest
    problems = _problems("\n".join(lines))
    assert problems and all(p.startswith("line ") for p in problems)
    lines = _utc_year(2023).splitlines()
    lines[5] = lines[5].split(",")[0] + "," + "9" * 200_000
    (problem,) = _problems("\n".join(lines))
    assert problem.startswith("line 6: ")


def test_years_and_prices_outside_the_allowed_range():
    lines = _utc_year(2023).splitlines()
    lines[2] = "2300-06-01T00:00:00Z,5"
    lines[4] = lines[4].split(",")[0] + ",250000"
    lines[6] = lines[6].split(",")[0] + ",-20000"
    assert _problems("\n".join(lines)) == [
        "line 3: year 2300 is outside 1990 to 2100",
        "line 5: price 250000 USD/MWh is outside -10,000 to 100,000",
        "line 7: price -20000 USD/MWh is outside -10,000 to 100,000",
    ]


@pytest.mark.parametrize("offset", [float("inf"), float("nan"), 99.0, -15.0, 0.25])
def test_a_bad_utc_offset_is_refused(offset):
    (problem,) = _problems(_utc_year(2023), utc_offset_hours=offset)
    assert problem.startswith("UTC offset must be")


def test_the_command_line_names_the_flag_for_a_bad_offset(tmp_path, capsys):
    csv = tmp_path / "p.csv"
    csv.write_text(_utc_year(2023))
    code = cli_main(["import-prices", "x.minepivot", str(csv), "-o", "y", "--utc-offset", "nan"])
    assert code == 2
    assert "--utc-offset: UTC offset must be a number of hours" in capsys.readouterr().err


def test_zoned_timestamps_at_the_ends_of_the_calendar():
    for stamp in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"):
        lines = _utc_year(2023).splitlines()
        lines[1] = f"{stamp},5"
        (problem,) = _problems("\n".join(lines))
        assert problem.startswith("line 2: ")
        assert "outside the calendar" in problem or "is outside 1990 to 2100" in problem


def test_more_fields_than_the_header_is_refused_not_shifted():
    # "12,5" meant 12.5 in a comma-separated file: read as two fields it would silently
    # become 12 and drop the 5.
    lines = _utc_year(2023).splitlines()
    lines[10] = lines[10].split(",")[0] + ",12,5"
    (problem,) = _problems("\n".join(lines))
    assert problem.startswith("line 11: 3 fields, but the header has 2 (a decimal comma")


def test_semicolon_file_with_decimal_commas_is_read_correctly():
    text = _utc_year(2023, sep=";", value=lambda h: f"{h % 50},{h % 4}")
    series, _ = import_price_text(text, "eu.csv", utc_offset_hours=-6)
    a = np.array(series.years_usd_per_mwh[0])
    assert a[:5].tolist() == [0.0, 1.1, 2.2, 3.3, 4.0]
    # Thousands separators are not guessed at.
    bad = _utc_year(2023, sep=";", value=lambda h: "1.234,5" if h == 7 else "3")
    (problem,) = _problems(bad)
    assert problem.startswith("line 9: price '1.234,5' is not a number")


def test_a_utc_year_from_midnight_imports_under_a_us_offset():
    # 2023-01-01T00:00Z … 2023-12-31T23:00Z at UTC−6 runs from 2022-12-31 18:00 to 2023-12-31
    # 17:00 local: the 6 hours of 2022 are dropped, the last 6 hours of 2023 filled from 17:00.
    series, report = import_price_text(_utc_year(2023, start_hour=0), "u.csv", utc_offset_hours=-6)
    a = np.array(series.years_usd_per_mwh[0])
    assert series.first_year == 2023 and a.size == 8760
    assert a[0] == 6 % 50  # local midnight is 06:00Z, the file's 7th row (h = 6)
    assert np.all(a[-6:] == a[-7]) and a[-7] == (8760 - 1) % 50
    assert any("dropped 6 hour(s) before 2023" in r for r in report)
    assert any("2023-12-31 18:00: 6 missing hour(s)" in r for r in report)


def test_memory_per_row_is_bounded(tmp_path):
    # Every row keeps an hour index and a price, 16 bytes: 200,000 quarter-hour rows must not
    # hold their text or a list per row (that costs about 200 bytes a row).
    path = tmp_path / "q.csv"
    t = datetime(2023, 1, 1)
    with open(path, "w") as fh:
        fh.write("time,price\n")
        for q in range(200_000):
            fh.write(f"{t + timedelta(minutes=15 * q):%Y-%m-%dT%H:%M},{q % 40}\n")
    tracemalloc.start()
    with pytest.raises(PriceImportError):  # 2,083 days: 2028 is only partly covered
        import_price_csv(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak / 200_000 < 60, f"{peak / 200_000:.0f} bytes per row"


def test_progress_is_reported_while_reading(tmp_path):
    path = tmp_path / "y.csv"
    path.write_text(_utc_year(2023))
    seen: list[float] = []
    series, _ = import_price_csv(path, progress=seen.append)
    assert series.first_year == 2023
    assert seen and seen == sorted(seen) and all(0 < s <= 1 for s in seen)
