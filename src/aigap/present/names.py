"""Names of countries and indicators in a language, for the sentences (data, not text)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _countries() -> Any:
    from aigap.data.countries import country_table

    return country_table().set_index("iso3")


def country_name(code: str, lang: str = "en", default: str | None = None) -> str:
    """A country's name in ``lang`` (Korean: the names analysts use, 한국, 미국 ...); ``default``
    (else the code) when unknown. Languages without names in the data fall back to English."""
    try:
        from aigap.data.countries import KOREAN_NAMES

        if lang == "ko" and code in KOREAN_NAMES:
            return KOREAN_NAMES[code]
        tab = _countries()
        if code in tab.index:
            col = f"name_{lang}" if f"name_{lang}" in tab.columns else "name_en"
            return str(tab.at[code, col])
    except Exception:  # names are cosmetic; never fail a sentence over them
        pass
    return code if default is None else default


def indicator_name(code: str, lang: str = "en", default: str | None = None) -> str:
    """A catalogue indicator's name in ``lang`` (ASEM codes also as ``asem_<code>``)."""
    try:
        from aigap.data.catalogue import catalogue

        cat = catalogue()
        ind = cat.get(code) or cat.get(f"asem_{code.lower()}")
        name = getattr(ind, f"name_{lang}", None) if ind is not None else None
        if name:
            return str(name)
    except Exception:
        pass
    return code if default is None else default


def attr(obj: Any, field: str, lang: str) -> Any:
    """``obj.<field>_<lang>`` when the result carries that language, else ``<field>_en``."""
    val = getattr(obj, f"{field}_{lang}", None)
    return val if val is not None else getattr(obj, f"{field}_en")


def column(columns: Any, field: str, lang: str) -> str:
    """The column holding ``field`` in ``lang``: ``name_ko`` for Korean, ``name`` (English)
    when a frame has no column for the language."""
    own = f"{field}_{lang}"
    if lang != "en" and own in columns:
        return own
    return field if field in columns else f"{field}_en"


def local_name(code: str, lang: str, english: str, kind: str = "country") -> str:
    """A name the result carries in English (``english``, from the data or the spec) or, in
    another language, the data's name for ``code`` in that language (``english`` if none)."""
    if lang == "en":
        return english
    look = country_name if kind == "country" else indicator_name
    return look(code, lang, english)
