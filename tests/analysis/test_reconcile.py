"""Reconciliation of indices: the table of ranks and the exact Shapley attribution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aigap.analysis.diagnosis.reconcile import (
    DIMENSIONS,
    ReconcileError,
    _outcome,
    _part,
    decompose_rank_difference,
    hybrid,
    reconcile,
)
from aigap.cli import app
from aigap.index import build_index, load_spec
from aigap.index.warehouse_source import warehouse_frame
from aigap.present.text import sentence

runner = CliRunner()


def _variant(tmp_path: Path, name: str, **steps: dict[str, Any]) -> Path:
    """The shipped aigap spec with some steps replaced (by kind)."""
    sp = load_spec("aigap")
    new = [s.model_copy(update=steps[s.step]) if s.step in steps else s for s in sp.steps]
    out = sp.model_copy(update={"name": name, "steps": new})
    path = tmp_path / f"{name}.yaml"
    import yaml

    path.write_text(yaml.safe_dump(out.model_dump(mode="json", exclude_none=True),
                                   allow_unicode=True), encoding="utf-8")
    return path


def test_table_lists_published_recomputed_and_own(real_wh: Any) -> None:
    res = reconcile(real_wh, "KOR")
    frame = res.to_frame()
    assert set(frame["kind"]) == {"published", "recomputed", "aigap"}
    pub = frame[frame["kind"] == "published"].set_index("index")
    # the publishers' headline ranks of Korea (published_rankings/ in the mirror)
    assert pub.loc["Tortoise Global AI Index"]["rank"].min() == 6
    assert int(pub.loc["Stanford HAI Global AI Vibrancy Tool"]["rank"]) == 7
    belfer = pub.loc["Belfer Center Critical and Emerging Technologies Index"]
    assert int(belfer["rank"]) == 9 and belfer["level"] == "AI"
    assert "EU" in belfer["unit_rule"]
    oxford = frame[frame["index"].str.startswith("Oxford") & (frame["kind"] == "published")]
    assert sorted(oxford["rank"]) == [3, 8]
    imf = frame[frame["index"] == "IMF AI Preparedness Index"].iloc[0]
    assert (imf["rank"], imf["kind"]) == (15, "recomputed")
    # the mirror's Oxford 2025 file is flagged (it disagrees with the publisher's release)
    ox25 = frame[frame["edition"] == "2025 (file in the mirror)"].iloc[0]
    assert "unverified" in ox25["flags"]
    assert len(frame) >= 7 and frame["of_n"].notna().all()
    best, worst = res.spread
    assert best <= 8 <= worst
    assert "South Korea" in sentence(res, "en") and "한국" in sentence(res, "ko")
    json.dumps(res.to_dict())


def test_unknown_unit_is_refused(real_wh: Any) -> None:
    with pytest.raises(ReconcileError, match="unknown unit 'XXX'"):
        reconcile(real_wh, "XXX")


def test_one_dimension_carries_the_whole_difference(real_wh: Any, tmp_path: Path) -> None:
    b = _variant(tmp_path, "aigap-z", normalise={"method": "zscore"})
    d = decompose_rank_difference(real_wh, "KOR", a="aigap", b=str(b))
    assert [g for g in d.groups] == [("normalise",)]
    assert d.rank_contributions == pytest.approx([d.end.rank - d.start.rank])
    assert d.gap_contributions == pytest.approx([d.end.rel_gap - d.start.rel_gap])


def test_two_dimensions_shapley_is_the_mean_of_both_paths(real_wh: Any,
                                                          tmp_path: Path) -> None:
    b = _variant(tmp_path, "aigap-zm", normalise={"method": "zscore"},
                 aggregate={"method": "median"})
    d = decompose_rank_difference(real_wh, "KOR", a="aigap", b=str(b))
    assert sorted(g for (g,) in d.groups) == ["aggregate", "normalise"]
    sa, sb = load_spec("aigap"), load_spec(str(b))

    def rank(take: set[str]) -> int:
        sp = hybrid(sa, sb, take)
        return _outcome(build_index(sp, data=warehouse_frame(sp, real_wh)), "KOR").rank

    r0, rn, ra, rab = rank(set()), rank({"normalise"}), rank({"aggregate"}), \
        rank({"normalise", "aggregate"})
    i = [g for (g,) in d.groups].index("normalise")
    want = 0.5 * ((rn - r0) + (rab - ra))
    assert d.rank_contributions[i] == pytest.approx(want)
    assert sum(d.rank_contributions) == pytest.approx(rab - r0)
    assert len(d.paths_frame()) == 2


@pytest.mark.parametrize("a", ["tortoise", "belfer-ai"])
def test_published_pairs_decompose_exactly(real_wh: Any, a: str) -> None:
    d = decompose_rank_difference(real_wh, "KOR", a=a, b="aigap")
    assert sum(d.rank_contributions) == pytest.approx(d.end.rank - d.start.rank, abs=1e-9)
    assert sum(d.gap_contributions) == pytest.approx(d.end.rel_gap - d.start.rel_gap,
                                                     abs=1e-9)
    # different trees: the weights go with the indicator set, never on their own
    assert d.weights_with_tree and all("weights" not in g for g in d.groups)
    assert any("indicators" in g for g in d.groups)
    assert len(d.values) == 2 ** len(d.groups)
    text = sentence(d, "ko", who="한국")
    assert "한국은" in text and "계단" in text


def test_hybrid_switches_only_the_named_dimensions() -> None:
    sa, sb = load_spec("tortoise"), load_spec("aigap")
    h = hybrid(sa, sb, {"normalise"})
    for dim in DIMENSIONS:
        want = sb if dim == "normalise" else sa
        if dim == "weights":
            continue
        assert _part(h, dim) == _part(want, dim), dim


def test_non_warehouse_spec_is_refused(real_wh: Any) -> None:
    with pytest.raises(ReconcileError, match="only warehouse specs"):
        decompose_rank_difference(real_wh, "KOR", a="asem", b="aigap")


def test_cli_table_json_and_errors(real_db: Path) -> None:
    r = runner.invoke(app, ["--db", str(real_db), "reconcile", "KOR", "--between", "tortoise",
                            "aigap", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["table"]["unit"] == "KOR" and len(doc["decompositions"]) == 1
    dec = doc["decompositions"][0]
    assert sum(c["rank_change"] for c in dec["contributions"]) == pytest.approx(
        dec["rank_b"] - dec["rank_a"])
    r = runner.invoke(app, ["--db", str(real_db), "reconcile", "KOR", "--no-decompose",
                            "--lang", "ko"])
    assert r.exit_code == 0 and "발표" in r.stdout
    r = runner.invoke(app, ["--db", str(real_db), "reconcile", "KOR", "--between", "tortoise"])
    assert r.exit_code != 0 and "two specs" in r.output
