"""Index v2: the scale and intensity editions of one tree, cell provenance, validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aigap.data.warehouse import Warehouse
from aigap.errors import SpecError
from aigap.index import build_index, load_spec
from aigap.index.spec import IndicatorSpec, Spec, apply_edition
from aigap.index.warehouse_source import _combine, _fill

AI_PILLARS = ["Talent", "Research", "Frontier Models", "Investment & Commercial",
              "Infrastructure & Compute", "Government & Policy"]
GENERIC = {"rd_expenditure_pct_gdp", "researchers_rd_per_million",
           "tertiary_education_enrollment", "government_effectiveness",
           "fixed_broadband_per100", "regulatory_quality", "secure_servers_per_1m"}


@pytest.fixture()
def use_real_db(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    return real_db


@pytest.fixture(scope="module")
def builds(real_db: Path) -> dict[str, object]:
    mp = pytest.MonkeyPatch()
    mp.setenv("AIGAP_DB", str(real_db))
    try:
        return {s: build_index(s) for s in ("aigap-scale", "aigap-intensity")}
    finally:
        mp.undo()


# --------------------------------------------------------------------------- specs


def test_editions_share_one_tree() -> None:
    scale, inten, alias = (load_spec(s) for s in ("aigap-scale", "aigap-intensity", "aigap"))
    assert [i.code for i in scale.indicators] == [i.code for i in inten.indicators]
    assert [a.code for a in scale.aggregates] == [a.code for a in inten.aggregates]
    assert alias.indicators == scale.indicators and alias.steps == scale.steps
    assert (scale.edition, inten.edition) == ("scale", "intensity")
    # the intensity edition divides amounts; the scale edition turns published rates into
    # amounts; each by a warehouse series loaded with the data
    div = [s for s in inten.steps if s.step == "denominate"]
    assert len(div) == 1 and div[0].method == "divide"
    assert {"private_ai_investment_aiindex", "ai_articles", "gpu_cluster_h100e"} <= set(
        div[0].indicators)
    mul = [s for s in scale.steps if s.step == "denominate"]
    assert mul[0].method == "multiply" and set(mul[0].indicators) == {
        "ai_patents_granted_per_100k", "ai_diffusion"}
    assert set(inten.data.denominators) == {"population", "gdp_current_usd"}


def test_every_v2_indicator_has_a_rationale_and_generic_ones_do_not_count() -> None:
    spec = load_spec("aigap-scale")
    for ind in spec.indicators:
        assert len(ind.rationale) > 60, ind.code
    counted = [i for i in spec.indicators if i.parent != "Enablers"]
    assert not GENERIC & {i.code for i in counted}  # generic enablers only in Enablers
    assert {i.parent for i in counted} == set(AI_PILLARS)
    enablers = next(a for a in spec.aggregates if a.code == "Enablers")
    assert enablers.weight == 0


def test_censored_series_are_pinned_or_floored() -> None:
    """A top-15 chart cannot rank 60 countries: pin the full-coverage year or fill the floor."""
    spec = load_spec("aigap-scale")
    by = {i.code: i for i in spec.indicators}
    assert by["private_ai_investment_aiindex"].year == 2024
    assert by["ai_patents_granted_per_100k"].year == 2023
    assert by["ai_talent_concentration"].fill == "floor"
    assert by["notable_ai_models_epoch_2025_12"].fill == "zero"


def test_apply_edition_is_idempotent_and_drops() -> None:
    raw = {
        "name": "t", "edition": "intensity", "data": {"source": "warehouse", "year": 2024},
        "indicators": [
            {"code": "a", "parent": "P", "editions": {"intensity": {
                "denominator": "population", "scale": 1e6, "unit": "per million"}}},
            {"code": "b", "parent": "P", "editions": {"intensity": {"drop": True}}},
            {"code": "c", "parent": "Q"}],
        "aggregates": [{"code": "P", "parent": "I"}, {"code": "Q", "parent": "I"},
                       {"code": "I"}],
        "steps": [{"step": "normalise"}, {"step": "aggregate"}],
    }
    once = apply_edition(Spec.from_dict(raw))
    assert [i.code for i in once.indicators] == ["a", "c"]
    assert once.indicators[0].denominator == "population"
    assert once.indicators[0].unit == "per million"
    assert once.steps[0].step == "denominate" and once.steps[0].scales == {"a": 1e6}
    assert once.data.denominators == ["population"]
    assert apply_edition(once) == once


def test_base_spec_errors_name_the_file(tmp_path: Path) -> None:
    f = tmp_path / "loop.yaml"
    f.write_text("base: loop.yaml\nname: x\n")
    with pytest.raises(SpecError, match="leads back to itself"):
        load_spec(f)
    g = tmp_path / "nobase.yaml"
    g.write_text("base: no-such-spec\nname: x\n")
    with pytest.raises(SpecError, match=r"nobase\.yaml: base: spec 'no-such-spec' not found"):
        load_spec(g)


# --------------------------------------------------------------------------- fill / combine


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 1e6)), min_size=2, max_size=12),
       st.sampled_from(["zero", "floor"]))
def test_fill_keeps_data_and_fills_the_rest(vals: list[float | None], how: str) -> None:
    col = pd.Series([np.nan if v is None else v for v in vals], dtype=float,
                    index=[f"U{k}" for k in range(len(vals))])
    values = pd.DataFrame({"x": col})
    spec = Spec.model_construct(indicators=[IndicatorSpec(code="x", parent="P", fill=how)])
    filled = _fill(values, spec)
    listed = col.notna()
    assert (values.loc[listed, "x"] == col[listed]).all()  # data never change
    if listed.any():
        assert values["x"].notna().all()
        want = 0.0 if how == "zero" else col.min()
        assert (values.loc[~listed, "x"] == want).all()
        assert set(filled["iso3"]) == set(col.index[~listed])
    else:
        assert filled.empty


def test_combine_sums_the_span_ending_at_the_pinned_year() -> None:
    long = pd.DataFrame({"indicator": "m", "iso3": ["A"] * 4 + ["B"],
                         "year": [2020, 2021, 2024, 2025, 2019], "value": [1, 2, 3, 4, 9.0],
                         "source": "s"})
    out = _combine(long, IndicatorSpec(code="m", parent="P", combine="sum", span=5), 2025, 4)
    row = out.set_index("iso3").loc["A"]
    assert row["value"] == 9 and (row["year_from"], row["year"]) == (2021, 2025)
    assert "B" not in set(out["iso3"])  # 2019 is outside 2021-2025
    peak = _combine(long, IndicatorSpec(code="m", parent="P", combine="max", year=2021,
                                        span=2), 2025, 4)
    assert peak.set_index("iso3").at["A", "value"] == 2


# --------------------------------------------------------------------------- real data


def test_v2_editions_on_real_data(builds: dict[str, object]) -> None:
    scale, inten = builds["aigap-scale"], builds["aigap-intensity"]
    for res in (scale, inten):
        assert list(res.scores.columns) == [*AI_PILLARS, "Enablers", "Index"]
        assert res.ranks.loc["USA", "Index"] == 1
        assert len(res.scores) >= 60
        # Enablers weigh nothing: the index is the mean of the six AI pillars
        mean6 = res.scores[AI_PILLARS].mean(axis=1)
        np.testing.assert_allclose(res.scores["Index"], mean6, atol=1e-9)
    assert scale.ranks.loc["CHN", "Index"] == 2
    assert scale.ranks.loc["KOR", "Index"] == 6 and inten.ranks.loc["KOR", "Index"] == 10
    # small, specialised economies rise in the intensity edition; large ones fall
    assert inten.ranks.loc["SGP", "Index"] < scale.ranks.loc["SGP", "Index"]
    assert inten.ranks.loc["CHN", "Index"] > scale.ranks.loc["CHN", "Index"]
    raw = scale.dataset("Raw")
    assert raw.loc["KOR", "ai_talent_net_migration"] == pytest.approx(-0.35437, abs=1e-5)
    assert raw.loc["KOR", "private_ai_investment_aiindex"] == pytest.approx(1.327, abs=1e-3)
    # intensity: investment per trillion US$ of GDP
    den = inten.dataset("Denominated")
    gdp = inten.dataset("Raw").loc["KOR", "private_ai_investment_aiindex"] / den.loc[
        "KOR", "private_ai_investment_aiindex"]
    assert 1.5 < gdp < 2.0  # Korea's GDP in trillion US$


def test_cells_say_what_each_number_stands_on(builds: dict[str, object]) -> None:
    res = builds["aigap-scale"]
    cells = res.cells()
    fw = res.framework
    assert len(cells) == len(res.scores) * len(fw.indicators)
    kor = cells[cells["unit"] == "KOR"].set_index("indicator")
    assert kor.at["ai_talent_net_migration", "year"] == 2025
    assert (kor.at["notable_ai_models_epoch_2025_12", "year_from"],
            kor.at["notable_ai_models_epoch_2025_12", "year"]) == (2021, 2025)
    assert "unverified" in kor.at["gov_ai_readiness_2025_governance", "flags"]
    assert "low-confidence" in kor.at["ai_articles", "flags"]
    usa = cells[cells["unit"] == "USA"].set_index("indicator")
    assert usa.at["ai_talent_concentration", "flags"] == ("floor-filled",)  # not in the top 15
    chn = cells[cells["unit"] == "CHN"].set_index("indicator")
    assert "imputed" in chn.at["ai_talent_net_migration", "flags"]  # no LinkedIn data
    assert pd.isna(chn.at["ai_talent_net_migration", "year"])
    # every cell has a year, or says why not
    no_year = cells[cells["year"].isna()]
    assert no_year["flags"].map(lambda f: bool({"imputed", "zero-filled",
                                                "floor-filled"} & set(f))).all()
    assert res.data_years() == (2021, 2025)


def test_units_whose_rank_rests_on_imputed_cells_are_named(builds: dict[str, object]) -> None:
    res = builds["aigap-scale"]
    moved = res.without_imputed()
    assert len(moved) and (moved["rank"] != moved["rank_without_imputed"]).all()
    n_imp = res.cells().pipe(lambda c: c[c["flags"].map(lambda f: "imputed" in f)])
    assert set(moved.loc[moved["n_imputed"] > 0, "unit"]) <= set(n_imp["unit"])


def test_validation_against_published_indices(builds: dict[str, object],
                                              real_wh: Warehouse) -> None:
    from aigap.analysis.diagnosis.validation import validate_index

    v = validate_index(builds, real_wh)
    corr = v.to_frame()
    assert len(corr) == 8  # four published tables x two editions
    assert corr["spearman"].between(-1, 1).all() and (corr["n_common"] >= 20).all()
    by = corr.set_index(["published", "spec"])["spearman"]
    # Belfer ranks absolute capacity: it agrees with the scale edition, not the intensity one
    belfer = "Belfer CETI 2025, AI (draft copy)"
    assert by[(belfer, "aigap-scale")] > 0.9 > by[(belfer, "aigap-intensity")]
    heads = v.headlines
    tort = heads[(heads["index"] == "Tortoise Global AI Index") & (heads["level"] == "overall")
                 & (heads["iso3"] == "KOR") & heads["edition"].str.startswith("2024")]
    assert tort["rank"].iloc[0] == 6 and tort["aigap-scale rank"].iloc[0] == 6
    d = v.to_dict()
    assert set(d) == {"unit", "correlations", "disagreements", "headlines"}


# --------------------------------------------------------------------------- CLI


def test_rank_editions_side_by_side(use_real_db: Path) -> None:
    from aigap.cli import app

    r = CliRunner().invoke(app, ["rank", "--spec", "aigap-scale", "--spec", "aigap-intensity",
                                 "-n", "8"])
    assert r.exit_code == 0, r.output
    assert "aigap-scale rank" in r.output and "aigap-intensity rank" in r.output
    assert "data years 2021-2025" in r.output
    assert "intensity divides" in r.output and "i imputed" in r.output
    r = CliRunner().invoke(app, ["rank", "-s", "aigap", "-n", "3", "-f", "csv"])
    assert r.exit_code == 0
    head = r.output.splitlines()[0]
    assert head.endswith(",flags")
    r = CliRunner().invoke(app, ["rank", "-s", "aigap", "-n", "1", "--cells", "-f", "csv"])
    assert r.exit_code == 0
    assert "ai_talent_concentration" in r.output and "floor-filled" in r.output
    r = CliRunner().invoke(app, ["rank", "-s", "aigap-intensity", "-n", "3", "--lang", "ko"])
    assert r.exit_code == 0 and "자료 연도 2021-2025" in r.output


def test_validate_index_command(use_real_db: Path) -> None:
    from aigap.cli import app

    r = CliRunner().invoke(app, ["validate-index"])
    assert r.exit_code == 0, r.output
    assert "Spearman" in r.output and "IMF AI Preparedness Index 2023" in r.output
    assert "6/83" in r.output  # Tortoise 2024: Korea 6th of 83
    r = CliRunner().invoke(app, ["validate-index", "--unit", "ZZZ"])
    assert r.exit_code != 0
