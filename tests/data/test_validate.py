"""The value rules of aigap.data.validate, one by one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigap.data import validate
from aigap.data.catalogue import catalogue
from aigap.data.sources import all_datasets
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked
from aigap.errors import AigapError, DataFormatError

# --- the unit vocabulary ---------------------------------------------------------------------


def test_every_catalogue_unit_has_a_rule() -> None:
    """A new unit without a rule fails here, not in a user's pull."""
    missing = sorted({i.unit for i in catalogue().values()} - set(validate.UNIT_RULES))
    assert not missing, f"add these units to aigap.data.validate.UNIT_RULES: {missing}"


def test_every_rule_in_the_vocabulary_is_used() -> None:
    used = {i.unit for i in catalogue().values()}
    assert set(validate.UNIT_RULES) <= used, set(validate.UNIT_RULES) - used


def test_waivers_and_signs_are_declared_with_reasons() -> None:
    signed, waivers = validate.catalogue_rules(all_datasets())
    assert {"fdi_net_inflows", "ai_talent_net_migration", "asem_gdpgrow"} <= signed
    assert all(len(reason) > 40 for reason in waivers.values())
    assert {ind for _, ind in waivers} == {"high_tech_exports_pct_manufactured"}


@pytest.mark.parametrize(("rule", "good", "bad"), [
    (validate.NON_NEGATIVE, [0, 1.5, 1e15], [-1e-9, -5]),
    (validate.COUNT, [0, 3, 1e6], [-1, 2.5]),
    (validate.PERCENT, [0, 55.5, 100], [-0.1, 100.01]),
    (validate.SHARE, [0, 0.3, 1], [1.2, -0.01]),
    (validate.RANK, [1, 195], [0, 1.5]),
    (validate.YES_NO, [0, 1], [0.5, 2]),
    (validate.SIGNED, [-1e12, 0, 3], []),
    (validate.scale(-3.5, 3.5), [-2.75, 2.3], [-3.6, 4]),
])
def test_rules(rule: validate.Rule, good: list[float], bad: list[float]) -> None:
    assert not rule.bad(np.array(good, dtype=float)).any()
    assert rule.bad(np.array(bad, dtype=float)).all() if bad else True


# --- numbers as text ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("1,234", 1234.0), ("-12,345,678.5", -12345678.5), (" 7 ", 7.0), ("1e3", 1000.0),
    ("", np.nan), ("NA", np.nan), ("..", np.nan), ("0.5", 0.5), ("+3", 3.0),
])
def test_numbers_accepted(text: str, value: float) -> None:
    out = validate.parse_numbers(pd.Series([text]))
    assert (np.isnan(out.iloc[0]) and np.isnan(value)) or out.iloc[0] == value


@pytest.mark.parametrize(("text", "fragment"), [
    ("5,17", "ambiguous number '5,17'"),
    ("1,2345", "ambiguous number"),
    ("12,34.5", "ambiguous number"),
    ("inf", "not a finite number: 'inf'"),
    ("-Infinity", "not a finite number"),
    ("1e400", "not a finite number: '1e400'"),
    ("5171\x002619", "U+0000"),
    ("12%", "a % sign in '12%'"),
    ("abc", "non-numeric value 'abc'"),
    ("0x10", "non-numeric value '0x10'"),
])
def test_numbers_refused(text: str, fragment: str) -> None:
    with pytest.raises(validate.CellProblem) as err:
        validate.parse_numbers(pd.Series(["1", text]))
    assert err.value.position == 1 and fragment in err.value.message


def test_percent_and_decimal_comma_when_declared() -> None:
    assert validate.parse_numbers(pd.Series(["25.5%", "3 %"]), percent=True).tolist() == \
        [25.5, 3.0]
    assert validate.parse_numbers(pd.Series(["5,17", "1.234,5", "7"]), decimal=",").tolist() \
        == [5.17, 1234.5, 7.0]
    with pytest.raises(validate.CellProblem, match="a point must separate thousands"):
        validate.parse_numbers(pd.Series(["1.5"]), decimal=",")


@settings(deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_any_finite_float_is_read(x: float) -> None:
    # pandas' fast parser may differ from Python's in the last bit
    assert validate.parse_numbers(pd.Series([repr(x)])).iloc[0] == pytest.approx(x, rel=1e-15)


@settings(deadline=None)
@given(st.integers(min_value=-10**15, max_value=10**15))
def test_grouped_integers_read_as_written(n: int) -> None:
    assert validate.parse_numbers(pd.Series([f"{n:,}"])).iloc[0] == float(n)


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "blank year"), ("2022.7", "not a whole number"), ("99999", "four-digit"),
    ("-5", "four-digit"), ("1e10", "four-digit"),
])
def test_years(text: str, fragment: str) -> None:
    texts = pd.Series(["2020", text])
    values = validate.parse_numbers(texts)
    with pytest.raises(validate.CellProblem, match=fragment):
        validate.check_years(values, texts)


# --- CSV text ----------------------------------------------------------------------------------

def _csv(tmp_path: Path, text: str | bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_control_characters_only_matter_in_columns_read(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'a,notes,b\n1,"a bell \x07 here",2\n3,"multi\nline",4\n')
    df = read_csv_checked(path, ["a", "b"], numeric=["a", "b"])
    assert df["b"].tolist() == [2.0, 4.0]
    path = _csv(tmp_path, 'a,notes,b\n1,x,2\n3,"multi\nline",4\x00\n')
    with pytest.raises(DataFormatError, match=r"row 3, column 'b': control character"):
        read_csv_checked(path, ["a", "b"], numeric=["a", "b"])


@pytest.mark.parametrize("text", [
    "a,b,c\n1,2,3\n4,5",  # fewer fields
    "a,b,c\n1,2,3\n4,5,",  # empty last field, no line break
    'a,b,c\n1,2,3\n"x\ny",5',  # a multi-line record, still short
])
def test_truncated_last_row(tmp_path: Path, text: str) -> None:
    with pytest.raises(DataFormatError, match=r"row 3: the last row .* ends mid-row"):
        read_csv_checked(_csv(tmp_path, text), ["a", "b", "c"])


@pytest.mark.parametrize("text", [
    "a,b,c\n1,2,3\n4,5,\n",  # empty last field with its line break: a blank cell
    "a,b,c\n1,2,3\r\n4,5,6",  # no final line break, complete row
    'a,b,c\n1,2,"x\ny,z"\n',  # a quoted newline in the last field
    "a\n1\n\n\n",  # trailing blank lines
])
def test_complete_files_pass(tmp_path: Path, text: str) -> None:
    assert len(read_csv_checked(_csv(tmp_path, text), ["a"])) >= 1


def test_percent_sign_allowed_where_the_header_says_so(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Country,Share (%)\nKorea,25.5%\n")
    assert read_csv_checked(path, ["Country"], numeric=["Share (%)"])["Share (%)"].iloc[0] == 25.5


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=60),
       st.integers(min_value=1, max_value=64), st.booleans())
def test_scan_bytes_in_chunks(lengths: list[int], chunk: int, final_newline: bool) -> None:
    raw = "\n".join("x" * n for n in lengths) + ("\n" if final_newline else "")
    best = max(lengths)
    scan = validate.scan_bytes(raw.encode(), chunk=chunk)
    assert scan.longest == best and lengths[scan.longest_line - 1] == best
    assert not scan.control and scan.newlines == raw.count("\n") and scan.quotes == 0


@pytest.mark.parametrize(("text", "found"), [
    ("a,b\n1,2\n", False), ("a,b\n1,\x002\n", True), ("a\tb\r\n1\t2", False),
    ("a,b\n1,\x7f\n", True), ("a,b\n\u00a9,\u0085\n", True), ("\u00a9 \u00e9", False),
])
def test_scan_bytes_finds_control_characters(text: str, found: bool) -> None:
    assert validate.scan_bytes(text.encode("utf-8"), chunk=4).control is found


# --- cells of a tidy frame ---------------------------------------------------------------------

DS = Dataset(id="toy", publisher="", relpath="toy.csv", licence="", vintage="",
             parse=lambda p: pd.DataFrame(),
             indicators=(Indicator("net", "", "", "Context", 1, "people", "", signed=True),
                         Indicator("pop", "", "", "Context", 1, "people", "")))


def _frame(**cols: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {"indicator": ["pop"], "iso3": ["KOR"], "year": [2020],
                                     "value": [1.0], "unit": ["people"], "_row": [7]}
    base.update(cols)
    return pd.DataFrame(base)


@pytest.mark.parametrize(("cols", "fragment"), [
    ({"value": [np.inf]}, "not a finite number"),
    ({"value": [np.nan]}, "not a finite number"),
    ({"value": [-3.0]}, "a value in 'people' must be >= 0"),
    ({"year": [2020.5]}, "the year is not a whole number"),
    ({"year": [np.nan]}, "the year is missing"),
    ({"year": [1800]}, "outside 1950-"),
    ({"unit": ["furlongs"]}, "unit 'furlongs' has no value rule"),
])
def test_check_frame_names_the_cell(cols: dict[str, list[object]], fragment: str) -> None:
    with pytest.raises(DataFormatError) as err:
        validate.check_frame(_frame(**cols), DS, Path("toy.csv"))
    assert fragment in str(err.value) and "toy.csv" in str(err.value)
    if "unit" not in cols:
        assert err.value.row == 7


def test_check_frame_signed_indicator_and_year_cast() -> None:
    out = validate.check_frame(_frame(indicator=["net"], value=[-5.0], year=[2020.0]), DS,
                               Path("toy.csv"))
    assert out["year"].dtype.kind == "i" and out["value"].iloc[0] == -5.0


def test_check_frame_counts_further_bad_cells() -> None:
    frame = _frame(indicator=["pop"] * 3, iso3=["KOR", "USA", "CHN"], year=[2020] * 3,
                   value=[-1.0, -2.0, 3.0], unit=["people"] * 3, _row=[2, 3, 4])
    with pytest.raises(DataFormatError, match=r"row 2.*\(and 1 more bad cell\)"):
        validate.check_frame(frame, DS, Path("toy.csv"))


def test_dataset_declares_its_own_year_range() -> None:
    narrow = Dataset(**{**DS.__dict__, "years": (2014, 2023)})
    with pytest.raises(DataFormatError, match="outside 2014-2023"):
        validate.check_frame(_frame(year=[2013]), narrow, Path("toy.csv"))


# --- plausibility ------------------------------------------------------------------------------

def _obs(series: dict[str, dict[int, float]], indicator: str = "x",
         unit: str = "people") -> pd.DataFrame:
    rows = [(indicator, iso3, year, value, unit, "src", n, "f.csv")
            for iso3, values in series.items()
            for n, (year, value) in enumerate(sorted(values.items()), start=2)]
    return pd.DataFrame(rows, columns=["indicator", "iso3", "year", "value", "unit", "source",
                                       "source_row", "file"])


SMOOTH = {2018: 100.0, 2019: 101.0, 2020: 102.0, 2021: 103.0, 2022: 104.0, 2023: 105.0}


@pytest.mark.parametrize(("year", "factor"), [(2020, 1e-3), (2021, 1e3), (2018, 1e-3),
                                              (2023, 1e3)])
def test_one_value_off_by_1000x_is_flagged(year: int, factor: float) -> None:
    series = {**SMOOTH, year: SMOOTH[year] * factor}
    found = validate.find_outliers(_obs({"KOR": series}))
    assert [(o.iso3, o.year) for o in found] == [("KOR", year)]
    direction = "below" if factor < 1 else "above"
    assert f"x {direction} its neighbouring year" in found[0].evidence
    assert found[0].rule == "neighbouring years"


def test_genuine_spikes_and_volatile_series_pass() -> None:
    boom = {**SMOOTH, 2021: 300.0}  # a 3x boom year
    # a small country's investment: single deals, 100x swings are its normal
    volatile = {2014: 1e6, 2015: 2e8, 2016: 5e6, 2017: 4e8, 2018: 1e6, 2019: 3e8}
    two = {2022: 1.0, 2023: 1e4}  # two points: which one is wrong cannot be told
    zero = {2019: 0.0, 2020: 5e8, 2021: 0.0, 2022: 4e8}  # zeros are not on a ratio scale
    assert validate.find_outliers(_obs({"A": boom, "B": volatile, "C": two, "D": zero})) == []


def test_neighbours_are_at_most_three_years_apart() -> None:
    """A country back in the TOP500 after eleven years with a 2,000x larger system is not an
    outlier; the same jump from one year to the next is."""
    reentry = {2004: 0.744, 2015: 1457.7, 2016: 1457.7, 2017: 1500.0}
    assert validate.find_outliers(_obs({"CZE": reentry})) == []
    typo = {2014: 1457.7, 2015: 0.744, 2016: 1457.7, 2017: 1500.0}
    assert [o.year for o in validate.find_outliers(_obs({"CZE": typo}))] == [2015]


def test_signed_and_rank_series_skip_the_time_rule() -> None:
    series = {**SMOOTH, 2020: 0.001}
    assert validate.find_outliers(_obs({"KOR": series}), signed=["x"]) == []
    assert validate.find_outliers(_obs({"KOR": series}, unit="rank (1 = best)")) == []


def test_untouched_sources_are_not_rejudged() -> None:
    obs = _obs({"KOR": {**SMOOTH, 2020: 0.001}})
    assert validate.find_outliers(obs, touched=["another"]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1.9, max_value=1.9), min_size=2, max_size=12),
       st.floats(min_value=-6, max_value=6))
def test_time_rule_invariants(changes: list[float], shift: float) -> None:
    """Changes under 100x never flag; rescaling a whole series changes nothing."""
    levels = np.cumsum([0.0, *changes])
    series = {2000 + i: float(10 ** lv) for i, lv in enumerate(levels)}
    assert validate.find_outliers(_obs({"A": series})) == []
    spiked = {**series, 2005: series.get(2005, 1.0) * 1e6} if len(series) > 6 else series
    scaled = {y: v * 10 ** shift for y, v in spiked.items()}
    key = [(o.iso3, o.year) for o in validate.find_outliers(_obs({"A": spiked}))]
    assert key == [(o.iso3, o.year) for o in validate.find_outliers(_obs({"A": scaled}))]


def test_related_series_bounds() -> None:
    obs = pd.concat([_obs({"KOR": {2023: 5.0e7}, "USA": {2023: 3.3e8}}, "population"),
                     _obs({"KOR": {2023: 2.9e7}, "USA": {2023: 4e8}}, "labor_force")])
    found = validate.find_outliers(obs)
    assert [(o.indicator, o.iso3, o.other) for o in found] == [
        ("labor_force", "USA", ("src", "population", "USA", 2023))]
    assert "the labour force is part of the population" in found[0].evidence


# --- deciding ------------------------------------------------------------------------------------

def _outlier(**kw: object) -> validate.Outlier:
    base: dict[str, object] = dict(dataset="d", indicator="x", iso3="KOR", year=2023, value=5.0,
                                   rule="neighbouring years", evidence="e")
    base.update(kw)
    return validate.Outlier(**base)  # type: ignore[arg-type]


def test_decide_waivers_acceptances_and_stale_reviews() -> None:
    o1, o2, o3 = _outlier(), _outlier(iso3="USA"), _outlier(iso3="CHN", indicator="w")
    pair = _outlier(iso3="JPN", rule="related series", other=("p", "pop", "JPN", 2023),
                    other_value=7.0)
    file = [validate.Accepted("d", "x", "KOR", 2023, "checked", "accepted (f.yaml)"),
            validate.Accepted("d", "x", "FRA", 2023, "unused", "accepted (f.yaml)"),
            validate.Accepted("p", "pop", "JPN", 2023, "other side", "accepted (f.yaml)")]
    stored = [validate.Accepted("d", "x", "USA", 2023, "old review", "accepted (g.yaml)",
                                value=4.0)]  # reviewed for another value: no longer holds
    dec = validate.decide([o1, o2, o3, pair], {("d", "w"): "noisy by nature"},
                          [*file, *stored])
    assert dec.rejected == [o2]
    through = {(o.iso3, reason, origin) for o, _k, _v, reason, origin in dec.let_through}
    assert through == {("KOR", "checked", "accepted (f.yaml)"),
                       ("CHN", "noisy by nature", validate.WAIVER_ORIGIN),
                       ("JPN", "other side", "accepted (f.yaml)")}
    assert [a.iso3 for a in dec.unused] == ["FRA"]


def test_plausibility_error_is_one_line_with_the_first_place() -> None:
    err = validate.PlausibilityError([_outlier(file="f.csv", row=3, column="v")] * 7)
    assert str(err).startswith("f.csv, row 3, column 'v': x KOR 2023 = 5 is implausible: e")
    assert "and 2 more" in str(err) and "--accept-outliers" in str(err)
    assert isinstance(err, AigapError) and "\n" not in str(err)
