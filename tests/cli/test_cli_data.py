"""`aigap data ...` as a user runs it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.cli import app
from factories import DATASETS, OWID_INV, make_mirror

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_multi_value_options_are_expanded() -> None:
    import typer

    show = typer.main.get_command(app).get_command(None, "data").commands["show"]  # type: ignore[attr-defined]
    ctx = show.make_context("show", ["x", "--countries", "KOR", "USA", "CHN", "--from", "2019"])
    assert ctx.params["countries"] == ["KOR", "USA", "CHN"]
    assert ctx.params["indicator"] == ["x"] and ctx.params["year_from"] == 2019


def test_show_real_korea_usa_china(real_db: Path) -> None:
    code, out, _ = run("data", "show", "private_ai_investment", "--countries", "KOR", "USA",
                       "CHN", "--from", "2019", "--db", str(real_db))
    assert code == 0
    assert "South Korea" in out and "China" in out and "United States" in out
    assert "US$ (constant 2021)" in out
    assert "owid_cset_private_ai_investment" in out
    assert "2.61 bn" in out  # KOR 2023


def test_show_csv_and_json_are_machine_readable(real_db: Path) -> None:
    code, out, _ = run("data", "show", "private_ai_investment", "-c", "KOR,USA", "--from",
                       "2019", "--to", "2023", "--format", "csv", "--db", str(real_db))
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert set(df["iso3"]) == {"KOR", "USA"}
    assert {"unit", "source", "vintage"} <= set(df.columns)
    assert df["year"].between(2019, 2023).all()
    code, out, _ = run("data", "show", "private_ai_investment", "-c", "KOR", "--format", "json",
                       "--db", str(real_db))
    records = json.loads(out)
    assert all(r["iso3"] == "KOR" for r in records) and len(records) >= 5


def test_countries_oecd_korean(real_db: Path) -> None:
    code, out, _ = run("data", "countries", "--group", "OECD", "--lang", "ko", "--format", "json",
                       "--db", str(real_db))
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 38
    assert {"iso3": "KOR", "name_ko": "한국"}.items() <= next(r for r in rows
                                                             if r["iso3"] == "KOR").items()


def test_indicators_by_pillar_in_korean(real_db: Path) -> None:
    code, out, _ = run("data", "indicators", "--pillar", "Investment & Commercial", "--lang",
                       "ko", "--db", str(real_db))
    assert code == 0
    assert "지표 목록" in out and "이름" in out
    code, out, _ = run("data", "indicators", "--pillar", "investment & commercial", "--format",
                       "json", "--db", str(real_db))
    rows = {r["code"]: r for r in json.loads(out)}
    assert rows["private_ai_investment"]["name_ko"] == "연간 AI 민간투자(CSET 추정)"
    assert {r["pillar"] for r in rows.values()} == {"Investment & Commercial"}


def test_sources_lists_sha_and_vintage(real_db: Path) -> None:
    code, out, _ = run("data", "sources", "--format", "json", "--db", str(real_db))
    rows = json.loads(out)
    assert code == 0
    tortoise = next(r for r in rows if r["id"] == "tortoise_global_ai_index")
    assert len(tortoise["sha256"]) == 64 and tortoise["vintage_inferred"] is True
    assert tortoise["rows"] > 400


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["data", "show", "no_such_indicator"], "unknown indicator"),
        (["data", "show", "private_ai_investment", "-c", "ZZZ"], "unknown country code"),
        (["data", "countries", "--group", "NATO"], "unknown group"),
        (["data", "indicators", "--pillar", "Magic"], "unknown pillar"),
    ],
)
def test_user_errors_are_one_line_without_traceback(real_db: Path, args: list[str],
                                                    message: str) -> None:
    code, out, err = run(*args, "--db", str(real_db))
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) <= 2


def test_missing_warehouse_tells_user_to_pull(tmp_path: Path) -> None:
    code, _, err = run("data", "sources", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "aigap data pull" in err


def test_pull_from_constructed_mirror_and_bad_file(tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "m")
    db = tmp_path / "w.duckdb"
    src = [a for d in DATASETS for a in ("--source", d)]
    code, out, _ = run("data", "pull", "--data-dir", str(mirror), *src, "--db", str(db))
    assert code == 0 and "33 observations from 3 datasets" in out
    (mirror / OWID_INV).write_text("nonsense\n1\n")
    code, _, err = run("data", "pull", "--data-dir", str(mirror), *src, "--db", str(db))
    assert code == 2 and OWID_INV in err and "missing column" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["gap", "KOR", "--vs", "USA", "--indicator", "x", "--lang", "fr"],
     "Invalid value for '--lang': 'fr' is not one of 'en', 'ko'"),
    (["nosuch"], "No such command 'nosuch'"),
    (["serve", "--port", "99999"], "'--port'"),
])
def test_usage_errors_are_one_line(argv: list[str], message: str,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from aigap.cli import main

    monkeypatch.setattr(sys, "argv", ["aigap", *argv])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert message in err and "Traceback" not in err and "╭" not in err


def test_korean_table_headers_only_with_lang_ko(real_db: Path) -> None:
    code, out, _ = run("--db", str(real_db), "peer-rank", "KOR", "--indicator",
                       "ai_talent_net_migration", "--group", "G7", "--lang", "ko")
    assert code == 0 and "순위" in out and "출처" in out
    code, out, _ = run("--db", str(real_db), "data", "sources")  # no --lang: English again
    assert code == 0 and "publisher" in out and "출처" not in out
    code, out, _ = run("--db", str(real_db), "peer-rank", "KOR", "--indicator",
                       "ai_talent_net_migration", "--group", "G7", "--lang", "ko",
                       "--format", "csv")
    assert out.splitlines()[0].startswith("rank,")  # machine-readable output keeps names


# --- published ranks, source flags, vintages ------------------------------------------------

def test_sources_table_shows_flags_with_their_meaning(real_db: Path) -> None:
    code, out, _ = run("data", "sources", "--db", str(real_db))
    assert code == 0 and "flags" in out
    assert "unverified" in out and "disagrees with the publisher's release" in out
    assert "inferred-vintage" in out and "low-confidence" in out and "draft" in out
    code, out, _ = run("data", "sources", "--format", "json", "--db", str(real_db))
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["oxford_gairi_2025"]["flags"] == ["unverified"]
    assert rows["tortoise_global_ai_index"]["flags"] == ["inferred-vintage"]
    assert rows["ncses_ai_articles"]["flags"] == ["low-confidence", "derived",
                                                  "inferred-vintage"]


def test_show_names_the_unverified_flag(real_db: Path) -> None:
    code, out, _ = run("data", "show", "gov_ai_readiness_2025_rank", "-c", "KOR", "--db",
                       str(real_db))
    assert code == 0 and "oxford_gairi_2025" in out and "[unverified]" in out


def test_published_korea_with_articles(real_db: Path) -> None:
    code, out, _ = run("data", "published", "--unit", "KOR", "--index", "oxford", "--format",
                       "json", "--db", str(real_db))
    assert code == 0
    rows = {r["edition"]: r for r in json.loads(out)}
    assert rows["2025 (new framework)"]["rank"] == 8 and rows["2025 (new framework)"][
        "of_n"] == 195
    assert rows["2024"]["score"] == pytest.approx(79.98)
    assert all(r["source_url"].startswith("https://") and r["source_publisher"]
               for r in rows.values())
    code, out, _ = run("data", "published", "--unit", "KOR", "--format", "csv", "--db",
                       str(real_db))
    df = pd.read_csv(io.StringIO(out))
    assert set(df["iso3"]) == {"KOR"} and df["index"].nunique() == 5
    assert df.columns[0] == "index"  # CSV keeps machine names


def test_published_table_in_korean_and_the_eu_unit(real_db: Path) -> None:
    code, out, _ = run("data", "published", "-u", "EUU", "--lang", "ko", "--db", str(real_db))
    assert code == 0 and "발표된 순위" in out and "지수" in out and "순위" in out
    assert "유럽연합" in out and "집합" in out
    code, out, _ = run("data", "published", "-u", "KOR", "--index", "tortoise", "--db",
                       str(real_db))
    assert code == 0 and "Aju" in out and "Tortoise" in out and "지수" not in out


def test_diff_table_csv_and_korean(real_db: Path) -> None:
    code, out, _ = run("data", "diff", "--source", "aiindex", "--unit", "USA", "--db",
                       str(real_db))
    assert code == 0
    assert "AI Index 2025 (Apr 2025) → AI Index 2026 (Apr 2026)" in out
    assert "revised" in out and "109.0773" in out and "109.5479" in out
    assert "1 revised" in out and "unchanged" in out
    code, out, _ = run("data", "diff", "--indicator", "private_ai_investment_aiindex", "--unit",
                       "CHN", "--format", "csv", "--db", str(real_db))
    df = pd.read_csv(io.StringIO(out))
    rev = df[df["change"] == "revised"]
    assert rev[["year", "old_source", "new_source"]].values.tolist() == [
        [2024, "aiindex2025_investment", "aiindex2026_fig_4_2_11"]]
    code, out, _ = run("data", "diff", "-s", "aiindex", "-u", "KOR", "--lang", "ko", "--db",
                       str(real_db))
    assert code == 0 and "변경" in out and "삭제" in out and "이전 값" in out


def test_diff_by_edition_and_nothing_in_common(real_db: Path) -> None:
    code, out, _ = run("data", "diff", "-s", "oxford", "-u", "KOR", "--old", "2023", "--new",
                       "2024", "--by", "edition", "--db", str(real_db))
    assert code == 0 and "old_year" in out and "changed" in out and "4 changed" in out
    assert "75.6451" in out and "79.9778" in out
    code, out, _ = run("data", "diff", "-s", "oxford", "-u", "KOR", "--db", str(real_db))
    assert code == 0 and "no indicator is in both vintages (--all lists every value)" in out
    code, out, _ = run("data", "diff", "-s", "oxford", "-u", "KOR", "--all", "--format",
                       "json", "--db", str(real_db))
    rows = json.loads(out)
    assert {r["change"] for r in rows} == {"added", "removed"}
    assert any(r["indicator"] == "gov_ai_readiness_2025_rank" and r["new"] == 5 for r in rows)


@pytest.mark.parametrize(("args", "message"), [
    (["data", "diff", "--source", "nope"], "unknown source 'nope'; sources: aiindex (2"),
    (["data", "diff", "--source", "tortoise"], "tortoise has one vintage"),
    (["data", "diff"], "name a source (--source) or an indicator (--indicator)"),
    (["data", "diff", "--indicator", "nosuch"], "unknown indicator"),
    (["data", "published", "--unit", "XYZ"], "unknown unit 'XYZ'"),
    (["data", "published", "--index", "imf"], "no published index matches 'imf'"),
])
def test_diff_and_published_user_errors(real_db: Path, args: list[str], message: str) -> None:
    code, out, err = run(*args, "--db", str(real_db))
    assert code == 2 and message in " ".join(err.split())
    assert "Traceback" not in err + out
