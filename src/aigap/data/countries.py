"""Countries: ISO3 harmonisation of publishers' names, Korean names, dated group membership."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pycountry

from aigap.errors import AigapError, UnknownCountryError

# Names that publishers use for regions, income groups and other non-country rows. They are
# kept out of country rows on purpose (matched case-insensitively after stripping '*').
AGGREGATE_NAMES = frozenset(
    s.lower()
    for s in [
        "World", "Europe", "European Union", "EU", "EU27", "EU 27", "Rest of world",
        "Rest of the world", "Others", "Other", "Multinational", "Global", "Asia", "Africa",
        "Americas", "North America", "Latin America", "Latin America and the Caribbean",
        "Oceania", "Middle East", "Asia-Pacific", "East Asia & Pacific", "Europe & Central Asia",
        "Sub-Saharan Africa", "South Asia", "Middle East & North Africa", "OECD",
        "OECD members", "High income", "Low income", "Upper middle income",
        "Lower middle income", "Middle income", "Low & middle income", "G7", "G20",
        "International", "Unknown", "Not specified", "ASEAN", "Arab World", "Euro area",
        "European Union (27)", "High-income countries", "Low-income countries",
        "Upper-middle-income countries", "Lower-middle-income countries",
        "Non-OECD", "Asia (excl. China and India)", "Europe (excl. EU-27)",
    ]
)

# Spellings country_converter does not resolve, or resolves differently from the publisher.
NAME_OVERRIDES: dict[str, str] = {
    "korea": "KOR",
    "republic of korea": "KOR",
    "republic of korea (the)": "KOR",
    "korea (republic of)": "KOR",
    "south korea": "KOR",
    "korea, rep.": "KOR",
    "kosovo": "XKX",
    "hong kong": "HKG",
    "hong kong sar": "HKG",
    "taiwan": "TWN",
    "chinese taipei": "TWN",
    "türkiye": "TUR",
    "turkiye": "TUR",
    "micronesia (country)": "FSM",
    "the bahamas": "BHS",
    "the gambia": "GMB",
    "eswatini": "SWZ",
    "czech republic": "CZE",
    "uae": "ARE",
    "us": "USA",
    "usa": "USA",
    "uk": "GBR",
}

# Natural Korean short names for the countries analysts meet most; pycountry's official forms
# ("러시아 연방", "타이완, 중국령") read badly in a sentence.
KOREAN_NAMES: dict[str, str] = {
    "KOR": "한국", "PRK": "북한", "USA": "미국", "CHN": "중국", "JPN": "일본", "TWN": "대만",
    "HKG": "홍콩", "GBR": "영국", "DEU": "독일", "FRA": "프랑스", "ITA": "이탈리아",
    "CAN": "캐나다", "AUS": "호주", "NZL": "뉴질랜드", "IND": "인도", "ISR": "이스라엘",
    "SGP": "싱가포르", "NLD": "네덜란드", "BEL": "벨기에", "LUX": "룩셈부르크", "CHE": "스위스",
    "AUT": "오스트리아", "SWE": "스웨덴", "NOR": "노르웨이", "DNK": "덴마크", "FIN": "핀란드",
    "ISL": "아이슬란드", "IRL": "아일랜드", "ESP": "스페인", "PRT": "포르투갈", "GRC": "그리스",
    "POL": "폴란드", "CZE": "체코", "SVK": "슬로바키아", "SVN": "슬로베니아", "HUN": "헝가리",
    "EST": "에스토니아", "LVA": "라트비아", "LTU": "리투아니아", "HRV": "크로아티아",
    "ROU": "루마니아", "BGR": "불가리아", "CYP": "키프로스", "MLT": "몰타", "TUR": "튀르키예",
    "RUS": "러시아", "UKR": "우크라이나", "MEX": "멕시코", "BRA": "브라질", "ARG": "아르헨티나",
    "CHL": "칠레", "COL": "콜롬비아", "CRI": "코스타리카", "PER": "페루", "URY": "우루과이",
    "ZAF": "남아프리카공화국", "EGY": "이집트", "NGA": "나이지리아", "KEN": "케냐",
    "SAU": "사우디아라비아", "ARE": "아랍에미리트", "QAT": "카타르", "IRN": "이란",
    "IDN": "인도네시아", "MYS": "말레이시아", "THA": "태국", "VNM": "베트남", "PHL": "필리핀",
    "BRN": "브루나이", "KHM": "캄보디아", "LAO": "라오스", "MMR": "미얀마", "TLS": "동티모르",
    "PAK": "파키스탄", "BGD": "방글라데시", "LKA": "스리랑카", "KAZ": "카자흐스탄",
    "MNG": "몽골", "XKX": "코소보", "SRB": "세르비아", "MAR": "모로코", "TUN": "튀니지",
    "BHR": "바레인", "OMN": "오만", "KWT": "쿠웨이트", "JOR": "요르단", "MUS": "모리셔스",
    "ARM": "아르메니아", "GEO": "조지아", "AZE": "아제르바이잔", "BLR": "벨라루스",
}

# Economies that publishers (the World Bank) report but ISO 3166 does not list.
EXTRA_ECONOMIES: dict[str, tuple[str, str, str]] = {
    "XKX": ("XK", "Kosovo", "코소보"),
    "CHI": ("", "Channel Islands", "채널 제도"),
}

# Group membership with the year a country joined and, where it left, the last year it was in.
_OECD_JOINED = {
    **dict.fromkeys(
        "AUT BEL CAN DNK FRA DEU GRC ISL IRL LUX NLD NOR PRT ESP SWE CHE TUR GBR USA".split(),
        1961,
    ),
    "ITA": 1962, "JPN": 1964, "FIN": 1969, "AUS": 1971, "NZL": 1973, "MEX": 1994,
    "CZE": 1995, "HUN": 1996, "POL": 1996, "KOR": 1996, "SVK": 2000, "CHL": 2010,
    "SVN": 2010, "ISR": 2010, "EST": 2010, "LVA": 2016, "LTU": 2018, "COL": 2020, "CRI": 2021,
}
_EU_JOINED = {
    **dict.fromkeys(["BEL", "FRA", "DEU", "ITA", "LUX", "NLD"], 1958),
    **dict.fromkeys(["DNK", "IRL"], 1973), "GRC": 1981, **dict.fromkeys(["PRT", "ESP"], 1986),
    **dict.fromkeys(["AUT", "FIN", "SWE"], 1995),
    **dict.fromkeys(["CYP", "CZE", "EST", "HUN", "LVA", "LTU", "MLT", "POL", "SVK", "SVN"], 2004),
    **dict.fromkeys(["BGR", "ROU"], 2007), "HRV": 2013,
}
_ASEAN_JOINED = {
    **dict.fromkeys(["IDN", "MYS", "PHL", "SGP", "THA"], 1967), "BRN": 1984, "VNM": 1995,
    "LAO": 1997, "MMR": 1997, "KHM": 1999, "TLS": 2025,
}


@dataclass(frozen=True)
class Membership:
    group: str
    iso3: str
    since: int
    until: int | None = None  # last year of membership; None = still a member


def memberships() -> list[Membership]:
    """Every dated membership aigap knows (OECD, G7, G20, EU27, ASEAN)."""
    rows = [Membership("OECD", c, y) for c, y in _OECD_JOINED.items()]
    rows += [Membership("EU27", c, y) for c, y in _EU_JOINED.items()]
    rows.append(Membership("EU", "GBR", 1973, 2019))  # the UK left on 31 Jan 2020
    rows += [Membership("EU", c, y) for c, y in _EU_JOINED.items()]
    rows += [Membership("G7", c, 1976 if c == "CAN" else 1975) for c in
             ["USA", "JPN", "DEU", "GBR", "FRA", "ITA", "CAN"]]
    rows += [Membership("G20", c, 1999) for c in
             "ARG AUS BRA CAN CHN FRA DEU IND IDN ITA JPN KOR MEX RUS SAU ZAF TUR GBR USA".split()]
    rows += [Membership("ASEAN", c, y) for c, y in _ASEAN_JOINED.items()]
    return rows


GROUPS = ("OECD", "G7", "G20", "EU27", "ASEAN")


def group_members(group: str, year: int | None = None) -> list[str]:
    """ISO3 codes of a group's members in ``year`` (default: today's members)."""
    key = group.upper().replace("-", "")
    if key == "EU":
        key = "EU27" if year is None else "EU"
    names = {g.upper(): g for g in (*GROUPS, "EU")}
    if key not in names:
        raise AigapError(f"unknown group {group!r}; known groups: {', '.join(GROUPS)}")
    out = []
    for m in memberships():
        if m.group.upper() != key:
            continue
        if year is None:
            if m.until is None:
                out.append(m.iso3)
        elif m.since <= year and (m.until is None or year <= m.until):
            out.append(m.iso3)
    return sorted(set(out))


@cache
def _ko_translation() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ko"])
    except OSError:  # pragma: no cover - pycountry without locales
        return gettext.NullTranslations()


def _short_en(c: object) -> str:
    return getattr(c, "common_name", None) or getattr(c, "name")  # noqa: B009


def country_table() -> pd.DataFrame:
    """ISO 3166 countries plus EXTRA_ECONOMIES: iso3, iso2, name_en, name_ko, current groups."""
    tr = _ko_translation()
    current = {g: set(group_members(g)) for g in GROUPS}
    rows = []
    for c in pycountry.countries:
        ko = KOREAN_NAMES.get(c.alpha_3) or tr.gettext(c.name)
        rows.append((c.alpha_3, c.alpha_2, _short_en(c), ko))
    rows += [(iso3, iso2, en, ko) for iso3, (iso2, en, ko) in EXTRA_ECONOMIES.items()]
    df = pd.DataFrame(rows, columns=["iso3", "iso2", "name_en", "name_ko"])
    overrides_en = {"KOR": "South Korea", "PRK": "North Korea", "TWN": "Taiwan", "RUS": "Russia",
                    "IRN": "Iran", "VNM": "Vietnam", "SYR": "Syria", "LAO": "Laos",
                    "VEN": "Venezuela", "BOL": "Bolivia", "TZA": "Tanzania", "MDA": "Moldova"}
    df["name_en"] = [overrides_en.get(i, n) for i, n in zip(df.iso3, df.name_en, strict=True)]
    df["groups"] = [[g for g in GROUPS if i in current[g]] for i in df.iso3]
    return df.sort_values("iso3").reset_index(drop=True)


@cache
def known_iso3() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries) | set(EXTRA_ECONOMIES)


@cache
def _converter():  # type: ignore[no-untyped-def]
    import logging

    import country_converter as coco

    # coco logs a warning per unmatched name; we report unknown names ourselves, with rows.
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("*", "")).strip()


@cache
def name_to_iso3(name: str) -> str | None:
    """ISO3 of a publisher's country name; '' for aggregates; None when unknown."""
    clean = _clean(name)
    low = clean.lower()
    if not low or low in AGGREGATE_NAMES:
        return ""
    if low in NAME_OVERRIDES:
        return NAME_OVERRIDES[low]
    if clean.upper() in known_iso3():
        return clean.upper()
    code = _converter().convert(clean, to="ISO3", not_found=None)
    if isinstance(code, list):  # ambiguous name: refuse to guess
        return None
    return code if code in known_iso3() else None


def names_to_iso3(
    names: pd.Series,
    *,
    file: str | Path,
    column: str,
    rows: Sequence[int] | pd.Series | None = None,
) -> pd.Series:
    """Map a column of names to ISO3; '' marks aggregates (the caller drops them).

    Raises :class:`UnknownCountryError` listing every unknown name with its first row.
    """
    rows_list = list(rows) if rows is not None else list(range(2, len(names) + 2))
    codes: list[str] = []
    unknown: dict[str, int] = {}
    for name, row in zip(names.astype(str), rows_list, strict=True):
        code = name_to_iso3(name)
        if code is None:
            unknown.setdefault(name, int(row))
            codes.append("")
        else:
            codes.append(code)
    if unknown:
        raise UnknownCountryError(file, unknown, column)
    return pd.Series(codes, index=names.index, dtype=object)


def check_iso3(codes: Iterable[str]) -> list[str]:
    """Upper-case ISO3 codes, raising a clear error for unknown ones (user input)."""
    out = []
    bad = []
    for c in codes:
        u = c.strip().upper()
        if u in known_iso3():
            out.append(u)
        else:
            iso = name_to_iso3(c)
            if iso:
                out.append(iso)
            else:
                bad.append(c)
    if bad:
        raise AigapError(f"unknown country code(s): {', '.join(bad)} (use ISO3, e.g. KOR, USA)")
    return out


# Units that publishers rank beside countries but that are groups of countries (Belfer CETI
# counts the European Union as one of its 26 units). They are NOT ISO 3166 countries:
# known_iso3() and check_iso3() keep refusing them, so no observation, panel or index can hold
# one; only tables of published ranks accept them (check_unit). Codes as the publishers' files
# use them: EUU (the World Bank's code for the EU) and EU.
AGGREGATE_UNITS: dict[str, tuple[str, str]] = {
    "EUU": ("European Union", "유럽연합"),
    "EU": ("European Union", "유럽연합"),
}


def is_aggregate_unit(code: str) -> bool:
    """True for a group of countries ranked as one unit (e.g. the EU in Belfer CETI)."""
    return code.strip().upper() in AGGREGATE_UNITS


def check_unit(code: str) -> str:
    """An ISO3 country code or an aggregate unit code (user input), upper-cased."""
    u = code.strip().upper()
    if u in AGGREGATE_UNITS:
        return u
    try:
        return check_iso3([code])[0]
    except AigapError:
        raise AigapError(
            f"unknown unit {code!r} (use ISO3, e.g. KOR, or an aggregate unit: "
            f"{', '.join(AGGREGATE_UNITS)})") from None


def aggregate_unit_name(code: str, lang: str = "en") -> str:
    """Display name of an aggregate unit, marked as one ("European Union (aggregate unit)")."""
    en, ko = AGGREGATE_UNITS[code.strip().upper()]
    return f"{ko}(집합 단위)" if lang == "ko" else f"{en} (aggregate unit)"
