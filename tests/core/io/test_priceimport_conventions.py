"""The importer decides a file's conventions only from evidence in the whole file: each accepted
price is the number in the file under the stated convention, and what the file leaves open is
refused with the line, the text and its readings, until the user settles it."""

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.io.priceimport import ImportChoices, PriceImportError, import_price_text
from gui.main import main as cli_main

YEAR = 2023
HOURS = 8760


def _csv(value, sep=",", header=True, start=datetime(YEAR, 1, 1), n=HOURS, label=None) -> str:
    """A year of rows ``time<sep>price``; ``value(h)`` is hour h's price text, ``label(t)`` the
    time's text."""
    rows = [f"time{sep}price"] if header else []
    t = start
    for h in range(n):
        rows.append(f"{label(t) if label else f'{t:%Y-%m-%d %H:%M}'}{sep}{value(h)}")
        t += timedelta(hours=1)
    return "\n".join(rows) + "\n"


def _refused(text: str, **kw) -> list[str]:
    with pytest.raises(PriceImportError) as info:
        import_price_text(text, "t.csv", **kw)
    return info.value.problems


def _prices(text: str, **kw) -> tuple[np.ndarray, list[str]]:
    series, notes = import_price_text(text, "t.csv", **kw)
    return np.array(series.years_usd_per_mwh[0]), notes


# ----------------------------------------------------------------------------- the six defects
def test_headerless_decimal_commas_in_a_comma_file_are_refused_not_read_as_20():
    # Before: `2023-01-01 00:00,20,37` imported as 20.0 in every hour, without a note.
    text = _csv(lambda h: "20,37", header=False)
    (problem,) = _refused(text)
    assert problem.startswith("line 1: '2023-01-01 00:00,20,37' has no header")
    assert "a price of 20.37 written with a decimal comma, or 20 followed by another" in problem
    assert "(8,759 more such rows)" in problem and "--decimal comma" in problem
    a, notes = _prices(text, choices=ImportChoices(decimal="comma"))
    assert np.all(a == 20.37) and "decimal commas (as named)" in notes
    a, notes = _prices(text, choices=ImportChoices(decimal="point"))
    assert np.all(a == 20.0) and "no header: prices read from column 2 of 3" in notes


def test_whole_prices_beside_split_ones_in_a_headerless_comma_file():
    # 20 (two fields) and 20,5 (three): with decimal commas named, both read as written.
    text = _csv(lambda h: "20" if h % 2 else "20,5", header=False)
    assert "has no header" in _refused(text)[0]
    a, _ = _prices(text, choices=ImportChoices(decimal="comma"))
    assert a[:4].tolist() == [20.5, 20.0, 20.5, 20.0]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_thousands_grouping_in_a_decimal_point_file_is_refused(sep):
    # Before: 9,999 in a semicolon or tab file that otherwise uses decimal points became 9.999.
    text = _csv(lambda h: "9,999" if h == 5 else "25.31", sep=sep)
    (problem,) = _refused(text)
    assert problem.startswith("line 7: price '9,999' reads as 9.999 with a decimal comma, or 9999")
    assert "in a file whose decimals are points (line 2: '25.31')" in problem
    a, _ = _prices(text, choices=ImportChoices(decimal="point"))
    assert a[5] == 9999.0 and a[0] == 25.31


def test_a_point_value_in_a_decimal_comma_file_is_refused():
    # Before: 9.999 in a file that uses decimal commas became 9.999.
    text = _csv(lambda h: "9.999" if h == 5 else "25,31", sep=";")
    (problem,) = _refused(text)
    assert problem.startswith("line 7: price '9.999' reads as 9.999 with a decimal point, or 9999")
    a, _ = _prices(text, choices=ImportChoices(decimal="comma"))
    assert a[5] == 9999.0 and a[0] == 25.31


def test_an_ambiguous_value_with_nothing_to_settle_it_and_both_marks_are_refused():
    (problem,) = _refused(_csv(lambda h: "9,999" if h == 5 else "25", sep=";"))
    assert "and nothing else in the file says which" in problem
    (problem,) = _refused(_csv(lambda h: "9,5" if h == 5 else "25.5", sep="\t"))
    assert problem.startswith("line 2: '25.5' has a decimal point, but line 7: '9,5' has")


def test_underscores_are_not_digits():
    # Before: 12_50 became 1250 (Python's float accepts underscores).
    (problem,) = _refused(_csv(lambda h: "12_50" if h == 5 else "25"))
    assert problem == "line 7: price '12_50' is not a number"


def test_two_price_nodes_in_one_file_are_refused_unless_averaged():
    # Before: averaged, noted as "sub-hourly data: 2 rows per hour".
    text = _csv(lambda h: "30") + _csv(lambda h: "45", header=False)
    problems = _refused(text)
    assert problems[0] == (
        "lines 2, 8762: 2023-01-01 00:00 appears 2 times with different prices (30, 45)"
    )
    # 8,760 repeats less the 10 listed and 2 that fall in a real fall-back hour of a zone on
    # UTC−6 (5 November 01:00 in US Central, 1 April 21:00 on Easter Island).
    assert "… and 8,748 more times given twice" in problems
    assert "--average-duplicates" in problems[-1]
    a, notes = _prices(text, choices=ImportChoices(average_duplicates=True))
    assert np.all(a == 37.5)
    assert not any("sub-hourly" in n for n in notes)


def test_a_repeated_hour_outside_a_fall_back_is_refused_and_the_real_one_averaged():
    # Before: a repeated hour in January was labelled "daylight-saving fall-back".
    base = _csv(lambda h: "30")
    jan = base.replace("2023-01-15 10:00,30\n", "2023-01-15 10:00,30\n2023-01-15 10:00,45\n")
    assert "2023-01-15 10:00 appears 2 times with different prices" in _refused(jan)[0]
    # US Central's fall-back in 2023: 5 November, 01:00 twice.
    nov = base.replace("2023-11-05 01:00,30\n", "2023-11-05 01:00,30\n2023-11-05 01:00,45\n")
    a, notes = _prices(nov)
    assert a[(datetime(2023, 11, 5, 1) - datetime(2023, 1, 1)) // timedelta(hours=1)] == 37.5
    assert "2023-11-05 01:00 appears 2 times (daylight-saving fall-back): averaged" in notes
    # A site on Central European time has no fall-back on that day.
    assert "appears 2 times with different prices" in _refused(nov, utc_offset_hours=1.0)[0]
    # The same row twice, same price: kept once, said so.
    same = base.replace("2023-01-15 10:00,30\n", "2023-01-15 10:00,30\n2023-01-15 10:00,30\n")
    _, notes = _prices(same)
    assert any(n.startswith("1 time(s) appear more than once with the same price") for n in notes)


def test_a_year_with_every_other_hour_missing_is_refused():
    # Before: accepted, half its prices filled behind 4,380 notes.
    rows = _csv(lambda h: "30").splitlines(keepends=True)
    text = rows[0] + "".join(rows[1::2])
    (problem,) = _refused(text)
    assert problem.startswith("2023 has 4,380 of 8,760 hours: at most 2 % (175 hours) may be")
    # 170 single missing hours (under 2 %): filled, ten listed and the rest counted.
    gaps = set(range(10, 8760, 51))
    text = rows[0] + "".join(r for i, r in enumerate(rows[1:]) if i not in gaps)
    _, notes = _prices(text)
    assert len([n for n in notes if "missing hour(s)" in n]) == 10
    assert f"… and {len(gaps) - 10} more gaps filled ({len(gaps) - 10} hours)" in notes


@pytest.mark.parametrize("style", ["24:00", "next-midnight"])
def test_hour_ending_files_are_detected_and_stated(style):
    # Before: shifted one hour, noted only as "time-zone spill". Price = the hour of the day
    # the row is for (its label's hour − 1), so a correct reading gives 0, 1, 2, …
    def label(t):
        if style == "24:00" and t.hour == 0:
            return f"{t - timedelta(days=1):%Y-%m-%d} 24:00"
        return f"{t:%Y-%m-%d %H:%M}"

    text = _csv(lambda h: str(h % 24), start=datetime(YEAR, 1, 1, 1), label=label)
    a, notes = _prices(text)
    assert a.size == HOURS and np.array_equal(a, np.arange(HOURS) % 24)
    assert any(n.startswith("hour-ending timestamps (a day runs 01:00 to 24:00)") for n in notes)
    assert not any("spill" in n or "filled" in n for n in notes)


def test_an_hour_beginning_file_on_another_clock_is_not_taken_for_hour_ending():
    # US Eastern standard time runs an hour ahead of Central: its labels run 01:00 … 00:00
    # for Central's year, yet each is the start of its hour.
    text = _csv(lambda h: str(h % 24), start=datetime(YEAR, 1, 1, 1))
    a, notes = _prices(text, file_clock=-5.0)
    assert np.array_equal(a, np.arange(HOURS) % 24)
    assert not any("hour-ending" in n for n in notes)


def test_the_command_line_settles_a_refusal(tmp_path, capsys):
    from core.io.example import example_project
    from core.io.projectfile import load_project, save_project

    project = tmp_path / "p.minepivot"
    save_project(example_project(), project)
    prices = tmp_path / "p.csv"
    prices.write_text(_csv(lambda h: "20,37", header=False))
    out = tmp_path / "q.minepivot"
    assert cli_main(["import-prices", str(project), str(prices), "-o", str(out)]) == 2
    assert "--decimal comma or --decimal point" in capsys.readouterr().err
    assert not out.exists()
    args = ["import-prices", str(project), str(prices), "-o", str(out), "--decimal", "comma"]
    assert cli_main(args) == 0
    src = load_project(out).site.energy.price_source
    assert set(src.years_usd_per_mwh[0]) == {20.37}
    two = tmp_path / "two.csv"
    two.write_text(_csv(lambda h: "30") + _csv(lambda h: "45", header=False))
    base = ["import-prices", str(project), str(two), "-o", str(out)]
    assert cli_main(base) == 2
    assert cli_main([*base, "--average-duplicates"]) == 0
    assert set(load_project(out).site.energy.price_source.years_usd_per_mwh[0]) == {37.5}


# ----------------------------------------------------------------------------- property
_PRICE = st.tuples(
    st.booleans(),  # negative
    st.integers(min_value=0, max_value=4_999),  # whole part
    st.one_of(st.just(""), st.from_regex(r"[0-9]{1,2}", fullmatch=True)),  # no 3 digits
)


def _written(p, mark: str) -> tuple[str, float]:
    negative, whole, fraction = p
    sign = "-" if negative else ""
    text = f"{sign}{whole}{mark + fraction if fraction else ''}"
    return text, float(f"{sign}{whole}.{fraction or 0}")


_STYLES = {
    "iso": lambda t: f"{t:%Y-%m-%d %H:%M}",
    "iso-T": lambda t: f"{t:%Y-%m-%dT%H:%M:%S}",
    "us": lambda t: f"{t:%m/%d/%Y %H:%M}",
}


def _label(style: str, ending: str | None):
    """A time's text in a style; for "24:00" files, midnight as the end of the day before."""
    write = _STYLES[style]

    def label(t: datetime) -> str:
        if ending == "24:00" and t.hour == 0:
            return write(t - timedelta(days=1)).replace("00:00", "24:00", 1)
        return write(t)

    return label


@settings(max_examples=40, deadline=None)
@given(
    sep=st.sampled_from([",", ";", "\t"]),
    mark=st.sampled_from([".", ","]),
    header=st.booleans(),
    style=st.sampled_from(sorted(_STYLES)),
    ending=st.sampled_from([None, "next-midnight", "24:00"]),
    day=st.lists(_PRICE, min_size=24, max_size=24),
)
def test_every_accepted_value_is_the_number_in_the_file(sep, mark, header, style, ending, day):
    # A price per hour of the day, written in the file's convention; a decimal comma in a
    # comma-separated file is quoted, as CSV requires. Hour-ending files label each hour by
    # its end: 01:00 … 00:00 of the next day, or 01:00 … 24:00.
    written = [_written(p, mark) for p in day]
    quote = '"' if sep == "," and mark == "," else ""
    text = _csv(
        lambda h: f"{quote}{written[h % 24][0]}{quote}",
        sep=sep,
        header=header,
        start=datetime(YEAR, 1, 1, 1 if ending else 0),
        label=_label(style, ending),
    )
    a, notes = _prices(text)
    assert np.array_equal(a, np.array([written[h % 24][1] for h in range(HOURS)]))
    assert any("hour-ending" in n for n in notes) == bool(ending)
    if any(p[2] for p in day):
        assert f"decimal {'points' if mark == '.' else 'commas'} (as its values show)" in notes


@settings(max_examples=25, deadline=None)
@given(
    sep=st.sampled_from([";", "\t"]),
    mark=st.sampled_from([".", ","]),
    whole=st.integers(min_value=1, max_value=99),  # 99,999 is within the price range
    fraction=st.from_regex(r"[0-9]{3}", fullmatch=True),
    at=st.integers(min_value=0, max_value=HOURS - 1),
    other=st.sampled_from(["", "mixed"]),
)
def test_every_ambiguous_file_is_refused(sep, mark, whole, fraction, at, other):
    # One value that reads two ways (9,999: 9.999 or 9999) with nothing or the other mark
    # elsewhere, whole prices otherwise.
    odd = "," if mark == "." else "."
    filler = f"25{mark}5" if other else "25"
    text = _csv(lambda h: f"{whole}{odd}{fraction}" if h == at else filler, sep=sep)
    (problem,) = _refused(text)
    assert problem.startswith(f"line {at + 2}: price '{whole}{odd}{fraction}' reads as ")
    settled, _ = _prices(text, choices=ImportChoices(decimal="point" if mark == "." else "comma"))
    assert settled[at] == whole * 1000 + int(fraction)


def test_a_header_that_names_the_column_after_the_price_settles_it():
    # "time,price,node" and rows "…,20,37": 37 is the node, whatever the decimal mark.
    text = _csv(lambda h: "20,37").replace("time,price", "time,price,node", 1)
    for choices in (ImportChoices(), ImportChoices(decimal="comma")):
        a, _ = _prices(text, choices=choices)
        assert np.all(a == 20.0)
