"""The one catalogue: every language has every key, lookups fail clearly, numbers read right,
and a new language is one file."""

from __future__ import annotations

import math
import string
from pathlib import Path

import pytest

from aigap.analysis.diagnosis.gap import GapSummary
from aigap.i18n import I18nError, add_catalogue_dir, join, languages, remove_catalogue_dir, t
from aigap.i18n.numbers import (
    format_money,
    format_number,
    format_percent,
    format_ratio,
    ordinal,
)
from aigap.i18n.store import catalogue
from aigap.present import sentence


def _fields(template: object) -> set[str]:
    if not isinstance(template, str):
        return set()
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_language_has_every_key() -> None:
    keys = {lang: set(catalogue(lang)) for lang in languages()}
    assert {"en", "ko"} <= set(keys)
    for lang, ks in keys.items():
        # numbers.* are each language's own rules (CLDR plural forms, unit words)
        missing = {k for k in keys["en"] - ks if not k.startswith("numbers.")}
        assert not missing, f"{lang} lacks {sorted(missing)[:10]}"


def test_templates_only_use_fields_the_english_one_knows_or_documents() -> None:
    """A Korean template may use fewer fields, or the Korean-only ones the builders pass."""
    extra_ok = {"lead_amount", "trail_amount", "basis", "a_score", "lead_score", "grp", "who",
                "names", "name", "year", "small", "large"}
    en, ko = catalogue("en"), catalogue("ko")
    for key, template in ko.items():
        if key in en:
            unknown = _fields(template) - _fields(en[key]) - extra_ok
            assert not unknown, f"{key}: {unknown}"


def test_unknown_key_and_language_are_named() -> None:
    with pytest.raises(I18nError, match=r"'profile\.nope'.*en catalogue"):
        t("profile.nope", "en")
    with pytest.raises(I18nError, match="unknown language 'fr'"):
        t("ui.rank", "fr")
    with pytest.raises(I18nError, match="needs the field 'n'"):
        t("ui.rank_of", "en", rank=3)


def test_particles_and_english_specs_in_templates() -> None:
    assert t("profile.lead", "ko", grp="OECD 회원국", who="한국") == "OECD 회원국과 비교하면 한국은"
    assert t("profile.lead", "ko", grp="G7 국가", who="미국") == "G7 국가와 비교하면 미국은"
    assert t("profile.lead", "en", grp="G7 members", who="United States") == \
        "Compared with G7 members, the United States"
    assert t("decompose.self", "en", a="United States").startswith("The United States is")


@pytest.mark.parametrize(("x", "en", "ko"), [
    (2.61e9, "2.61 bn", "26.1억"),
    (1.2e12, "1.20 tn", "1.2조"),
    (4.5e6, "4.50 M", "450.0만"),
    (12345.0, "12,345", "1.2만"),
    (1234.0, "1,234", "1,234"),
    (0.5123, "0.512", "0.512"),
    (float("nan"), "–", "–"),
    (None, "–", "–"),
])
def test_format_number(x: float | None, en: str, ko: str) -> None:
    assert format_number(x, "en") == en
    assert format_number(x, "ko") == ko


def test_money_ratio_percent_ordinal() -> None:
    assert format_money(2.61e9, "en") == "$2.61 bn"
    assert format_money(2.61e9, "ko") == "26.1억 달러"
    assert format_money(7.765e10, "ko") == "776.5억 달러"
    assert format_money(-3e12, "en") == "-$3.00 tn"
    assert format_ratio(29.83, "en") == "29.8x" and format_ratio(29.83, "ko") == "29.8배"
    assert format_ratio(30, "ko", 0) == "30배" and format_ratio(1.5, "en") == "1.50x"
    assert format_percent(0.391, "en") == "39%" and format_percent(0.391, "ko", 1) == "39.1%"
    assert [ordinal(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
    assert ordinal(3, "ko") == "3위"
    assert math.isnan(float("nan")) and format_ratio(float("inf"), "en") == "–"


def test_lists() -> None:
    assert join(["인재", "연구"], "ko") == "인재와 연구"
    assert join(["인재", "연구", "투자"], "ko") == "인재, 연구, 투자"
    assert join(["Talent", "Research", "Policy"], "en") == "Talent, Research and Policy"
    assert join(["독일", "일본"], "ko", tight=True) == "독일·일본"


XX = """
numbers:
  locale: de
  compact_from: 1000000
  compact_digits: 2
  compact_words: {Mio.: " Mio.", Mrd.: " Mrd."}
  money: {USD: "{n} US$"}
  ratio: "{n}-fach"
  ordinal: {other: "{n}."}
gap:
  sentence:
    ratio: "{year}: {name} von {lead} ist {ratio:ratio} so groß wie von {trail}{oom}."
  oom: " ({oom:.2f} Größenordnungen)"
  basis_constant: ""
  amount: {pct_of_gdp: "{v}%", pct: "{v}%", other: "{v:num} {measure}"}
"""


def test_a_new_language_is_one_catalogue_file(tmp_path: Path) -> None:
    (tmp_path / "xx.yaml").write_text(XX, encoding="utf-8")
    add_catalogue_dir(tmp_path)
    try:
        assert "xx" in languages()
        s = GapSummary(indicator="private_ai_investment", iso3="KOR", other="USA", year=2023,
                       value=2.61e9, other_value=7.78e10, measure_unit="US$ (constant 2021)",
                       difference=7.5e10, ratio=29.81, log10_ratio=1.474, source="s",
                       vintage="v", other_source="s", other_vintage="v", note="",
                       names_en=("South Korea", "United States"), names_ko=("한국", "미국"),
                       indicator_name_en="Private AI investment",
                       indicator_name_ko="AI 민간투자")
        # German numbers from Babel (decimal comma), names fall back to English
        assert sentence(s, "xx") == ("2023: Private AI investment von United States ist "
                                     "29,8-fach so groß wie von South Korea "
                                     "(1.47 Größenordnungen).")
        assert ordinal(3, "xx") == "3." and format_number(2.61e9, "xx") == "2,61 Mrd."
    finally:
        remove_catalogue_dir(tmp_path)
    assert "xx" not in languages()
