"""The Korean edition reads as Korean (docs/style-ko.md): no stray English, 합니다체 only, the
programme's official name; checked on the catalogue, a generated report and the CLI."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from typer.testing import CliRunner

import aigap
from aigap.cli import app
from aigap.i18n.store import catalogue
from aigap.report.licence import CAUTION_FLAGS

# Latin words a Korean text may hold (docs/style-ko.md §8): proper names, units, acronyms.
ALLOWED = frozenset("""
aigap AI OECD EU ASEAN CSET OWID Epoch COINr Tortoise Belfer CETI Stanford KOSIS LG Shapley Owen
Winter Sobol HiGHS SMAA RCA WGI LinkedIn FLOP GDP MW GW PPP US$ R&D log10 sha256 English SMAA-2
L1 CC BY BY-ND BY-NC MIT IMF NVIDIA Google NAVER KAIST SK EXAONE HyperCLOVA
""".split())
OLD_NAMES = ("소버린 AI 단계 평가", "독자 AI 모델 프로젝트", "소버린 AI 프로젝트")
_WORD = re.compile(r"[A-Za-z0-9$]*[A-Za-z][A-Za-z0-9_./&$+-]*")
_PLAIN = re.compile(r"[가-힣](?:는다|한다|이다)[.!]")
# a command line quoted in the text: aigap rank --spec aigap --cells
_CMD = re.compile(r"\baigap [a-z][a-z-]*(?: --?[\w-]+(?: (?!--)[\w./-]+)?)*")


def _is_code(tok: str) -> bool:
    """ISO3 and other upper-case codes, one-letter flags, indicator and source codes, paths,
    files, H100."""
    return (len(tok) == 1 or bool(re.fullmatch(r"[A-Z][A-Z0-9&-]{1,7}", tok))
            or "_" in tok or "/" in tok
            or bool(re.search(r"\d", tok)) or bool(re.search(r"\.(ya?ml|md|py|csv)$", tok)))


def latin_words(text: str, quoted: Iterable[str] = ()) -> list[str]:
    """Latin-letter words of ``text`` that are not allowed; ``quoted``: strings taken verbatim
    from data (source titles, model names) that are removed first."""
    for q in sorted({q for q in quoted if re.search("[A-Za-z]", q) and not re.search("[가-힣]", q)},
                    key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(q)}(?![A-Za-z0-9_])", " ", text)
    text = _CMD.sub(" ", re.sub(r"`[^`]*`|\{[^{}]*\}|https?://\S+|--[a-z-]+", " ", text))
    bad = []
    for tok in _WORD.findall(text):
        tok = tok.strip(".-+")
        if tok and tok not in ALLOWED and not _is_code(tok):
            bad.append(tok)
    return bad


def plain_endings(text: str) -> list[str]:
    """Sentences ending in the plain style (는다. 한다. 이다.) rather than 합니다체."""
    return [m.group(0) for m in _PLAIN.finditer(text)]


def style_problems(text: str, quoted: Iterable[str] = ()) -> list[str]:
    quoted = list(quoted)
    for q in quoted:  # Korean quotations (claims from the press) keep their own style
        if re.search("[가-힣]", q):
            text = text.replace(q, " ")
    return ([f"latin: {w}" for w in latin_words(text, quoted)]
            + [f"plain style: {e}" for e in plain_endings(text)]
            + [f"old programme name: {n}" for n in OLD_NAMES if n in text])


def test_the_checks_catch_what_the_guide_forbids() -> None:
    assert style_problems("순위 ranked True") == ["latin: ranked", "latin: True"]
    assert style_problems("칸별 내역: aigap rank --spec aigap --cells. 표시 i, z") == []
    assert style_problems("결측 대체된 지표는 백분위를 매기지 않는다.") == [
        "plain style: 않는다."]
    assert style_problems("소버린 AI 단계 평가 시뮬레이션") == [
        "old programme name: 소버린 AI 단계 평가"]
    assert style_problems("약 1.5자릿수 차이, log10 1.47 (Infrastructure & Compute)") == [
        "latin: Infrastructure", "latin: Compute"]
    ok = ("2023년 미국의 AI 민간투자(OWID)는 776.5억 달러로 KOR의 29.8배입니다"
          "(private_ai_investment, specs/aigap.yaml, `aigap rank --spec x`, GDP 대비 0.1%).")
    assert style_problems(ok) == []
    assert style_problems("출처: OWID grapher, downloaded early 2025",
                          quoted=["OWID grapher, downloaded early 2025"]) == []


def test_catalogue_is_native_korean() -> None:
    bad = {}
    for key, value in catalogue("ko").items():
        if not isinstance(value, str) or key.startswith(("numbers.", "language.")):
            continue
        if problems := style_problems(value):
            bad[key] = problems
    assert not bad, bad


def test_official_programme_name_everywhere_in_korean() -> None:
    ko = catalogue("ko")
    assert ko["tournament.programme.name"] == "독자 AI 파운데이션 모델 프로젝트"
    for key in ("ui.nav_programme", "ui.tournament_title", "report.tournament.title"):
        assert "독자 AI 파운데이션 모델 프로젝트" in ko[key], key


# --------------------------------------------------------------------- generated text


def _claim_texts() -> list[str]:
    doc = yaml.safe_load((Path(aigap.__file__).parent / "claims.yaml").read_text("utf-8"))
    return [c[k] for c in doc["claims"] for k in ("text_ko", "text_en") if c.get(k)]


def _source_strings(db: Path) -> list[str]:
    """Source titles, publishers, vintages, licences, units, and the names of AI models and
    their organisations (Epoch AI): quoted verbatim."""
    from aigap.analysis.strategy.frontier import load_epoch_models
    from aigap.data.warehouse import Warehouse

    with Warehouse.open(db) as wh:
        src = wh.sources()
        units = wh.indicators()["unit"].dropna()  # units as the source states them
        models = load_epoch_models(wh, None).models
        published = wh.published_ranks()  # titles and unit notes of published indices
        names, ko_names = wh.country_names("en"), wh.country_names("ko")
    out = [str(u) for u in units] + [str(m) for m in models["model"].dropna()]
    out += [o.strip() for orgs in models["organization"].dropna() for o in str(orgs).split(",")]
    out += [str(v) for col in ("index", "units_note") for v in published[col].dropna()]
    # units without a Korean name (European Union) are quoted as the data spell them
    out += [n for code, n in names.items() if ko_names.get(code, n) == n]
    out += [k.removeprefix("series.") for k in catalogue("ko") if k.startswith("series.")]
    out += list(CAUTION_FLAGS)  # source flags are codes
    for col in ("publisher", "vintage", "licence", "file"):
        for v in src[col].dropna():  # words too: a narrow table column wraps a long title
            out += [str(v), *(p.strip() for p in str(v).split(";")), *str(v).split()]
    return out


@pytest.mark.parametrize("args", [
    ["gap", "KOR", "--vs", "USA", "CHN", "-i", "private_ai_investment", "--basis", "level",
     "--years", "2019-2023"],
    ["trend", "KOR", "--vs", "USA", "-i", "private_ai_investment"],
    ["peer-rank", "KOR", "-i", "ai_talent_net_migration", "--group", "OECD"],
    ["profile", "KOR"],
    ["check-claims"],
], ids=lambda a: a[0])
def test_cli_korean_output_is_native(real_db: Path, args: list[str]) -> None:
    res = CliRunner().invoke(app, [*args, "--lang", "ko"],
                             env={"COLUMNS": "400", "AIGAP_DB": str(real_db)})
    assert res.exit_code == 0, res.stdout + res.stderr
    out = res.stdout
    assert re.search("[가-힣]{2}", out)
    assert style_problems(out, quoted=_source_strings(real_db) + _claim_texts()) == []


class _Visible(HTMLParser):
    """Visible text of a page, and the verbatim data cells (table cells, code, lang="en")."""

    _VOID: ClassVar[set[str]] = {"br", "img", "meta", "link", "input", "hr", "col", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.prose: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._VOID:
            self.stack.append((tag, dict(attrs).get("lang") == "en"))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, d: str) -> None:
        if not d.strip() or any(t in ("script", "style") for t, _ in self.stack):
            return
        verbatim = any(t in ("td", "code") or en for t, en in self.stack)
        (self.data if verbatim else self.prose).append(d.strip())


@pytest.mark.xfail(strict=True, reason=(
    "known: English left in the merged scenario and targets text ('no base year with enough "
    "data') and an unmarked table token; remove this mark when they are in the catalogue"))
def test_korean_report_is_native(real_db: Path) -> None:
    from aigap.data.warehouse import Warehouse
    from aigap.report import build_report

    old = os.environ.get("AIGAP_DB")
    os.environ["AIGAP_DB"] = str(real_db)
    try:
        with Warehouse.open(real_db) as wh:
            page = build_report("KOR", "ko", wh=wh)
    finally:
        os.environ.pop("AIGAP_DB", None) if old is None else os.environ.update(AIGAP_DB=old)
    v = _Visible()
    v.feed(page)
    # Data quoted in prose (model and organisation names, codes) may keep its spelling.
    quoted = [p.strip() for d in v.data for p in [d, *d.split(",")]] + _source_strings(real_db)
    text = "\n".join(v.prose)
    assert "자료별 라이선스와 출처 정보" in text
    assert style_problems(text, quoted=quoted + _claim_texts()) == []


def test_ratios_intervals_and_dates_as_the_guide_writes_them() -> None:
    from aigap.i18n import t
    from aigap.i18n.numbers import format_date

    assert t("trend.rate_ci_fall", "ko", pair="USA/KOR", lo=-37.2, hi=-10.1, small=10.1,
             large=37.2) == "90% 신뢰구간: 배율이 연 10.1~37.2% 감소"
    assert t("trend.rate_ci_fall", "en", pair="USA/KOR", lo=-37.2, hi=-10.1, small=10.1,
             large=37.2) == "90% CI of the yearly change of USA/KOR: -37.2% to -10.1%"
    assert t("gap.oom", "ko", oom=1.4742) == "로그 기준 1.47"
    assert t("verdict.partly", "ko") == "절반의 사실"
    assert format_date("2018-12-31", "ko") == "2018년 12월 31일"
    assert format_date("2018-12-31", "en") == "December 31, 2018"
    assert format_date("2025", "ko") == "2025"


def test_cli_words_in_tables_are_korean() -> None:
    from aigap.cli.render import cell_word

    assert cell_word(True, "ko") == "예" and cell_word(False, "ko") == "아니오"
    assert cell_word("ranked", "ko") == "순위 매김"
    assert cell_word("not in top 15", "ko") == "상위 15위 밖"
    assert cell_word("3/3 (to 2020)", "ko") == "3/3(2020년까지 적합)"
    assert cell_word("ranked", "en") == "ranked"
    assert cell_word("룩셈부르크", "ko") == "룩셈부르크"
