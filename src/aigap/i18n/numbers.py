"""Numbers as a reader of each language writes them, through Babel's locale data (CLDR).

One home for every number that reaches a person: tables, sentences, figures and pages.

* :func:`format_number` — ``2.61 bn`` / ``26.1억``: compact from the language's threshold
  (``numbers.compact_from`` in its catalogue: a million in English, ten thousand in Korean,
  where 만 is a unit), grouped integers from 1,000, otherwise three significant digits (or up
  to ``decimals`` decimals, trailing zeros dropped, as the CLI's tables show them).
* :func:`format_money` — ``$2.61 bn`` / ``26.1억 달러``.
* :func:`format_ratio` — ``29.8x`` / ``29.8배`` (two decimals below 1.95, where one would read
  "2.0x" for 1.96).
* :func:`format_percent` — ``39%`` (shares in [0, 1]).
* :func:`ordinal` — ``1st``, ``22nd`` / ``1위``, by the language's CLDR ordinal plural rules.
* :func:`format_date` — ``December 31, 2018`` / ``2018년 12월 31일`` (CLDR's long date).

The compact scale (powers and unit words: 만, 억, 조; K, M, B, T) is Babel's; a catalogue may
rename the words (English writes ``bn``/``tn`` rather than CLDR's ``B``/``T``) and sets the
decimals of compact numbers (``numbers.compact_digits``: two in English, one in Korean).
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

from aigap.i18n.store import ON_CLEAR, has, number_rules, raw

DASH = "–"  # what a missing number looks like, in every language


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(number_rules(lang)["locale"])


@cache
def _compact_scale(lang: str) -> tuple[tuple[float, float, str], ...]:
    """(threshold, divisor, unit word) from largest to smallest, from Babel's CLDR patterns."""
    rules = number_rules(lang)
    words = rules.get("compact_words", {})
    pats = _locale(lang).compact_decimal_formats["short"]["other"]
    out = []
    for magnitude, pattern in pats.items():
        mag = float(magnitude)
        zeros = pattern.pattern.count("0")
        divisor = mag / 10 ** (zeros - 1)
        suffix = pattern.suffix[0].replace("'", "")  # "B", "억", "\xa0Mrd." (CLDR quotes off)
        out.append((mag, divisor, words.get(suffix.strip(), suffix)))
    return tuple(sorted(out, reverse=True))


ON_CLEAR.extend([_locale.cache_clear, _compact_scale.cache_clear])


def _exact(x: float) -> Decimal:
    """The float's exact binary value: Babel then rounds as Python's format() does (0.96615
    stored as 0.966149999... gives 0.9661, not the 0.9662 of its shortest repr)."""
    return Decimal(x)


def _fixed(x: float, lang: str, decimals: int) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(_exact(x), format=pattern, locale=_locale(lang))


def compact(x: float, lang: str = "en", digits: int | None = None) -> str | None:
    """``x`` in the language's compact units (2.61 bn, 26.1억), or None below the threshold."""
    rules = number_rules(lang)
    a = abs(x)
    if a < float(rules["compact_from"]):
        return None
    d = int(rules["compact_digits"]) if digits is None else digits
    for mag, divisor, word in _compact_scale(lang):
        if a >= mag:
            return _fixed(x / divisor, lang, d) + word
    return None


def format_number(x: Any, lang: str = "en", *, decimals: int | None = None,
                  compact_units: bool = True) -> str:
    """A number for a reader: compact, grouped, or three significant digits (see module doc).

    ``decimals``: below 1,000 show up to this many decimals (trailing zeros dropped) instead of
    three significant digits; ``compact_units=False`` never uses 만/억 or bn.
    """
    if _missing(x):
        return DASH
    v = float(x)
    if compact_units and (c := compact(v, lang)) is not None:
        return c
    loc = _locale(lang)
    a = abs(v)
    if a >= 1000:
        return format_decimal(_exact(v), format="#,##0", locale=loc)
    if decimals is not None and (a == 0 or a >= 1e-3):
        pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
        return format_decimal(_exact(v), format=pattern, locale=loc)
    return format_decimal(_exact(v), format="@##", locale=loc)


def format_money(x: Any, lang: str = "en", currency: str = "USD", *,
                 digits: int | None = None) -> str:
    """An amount of money: ``$2.61 bn`` / ``26.1억 달러`` (``numbers.money.<currency>``)."""
    if _missing(x):
        return DASH
    v = float(x)
    amount = compact(abs(v), lang, digits) or format_number(abs(v), lang)
    text = str(raw(f"numbers.money.{currency}", lang)).format(n=amount)
    return f"-{text}" if v < 0 else text


def format_ratio(x: Any, lang: str = "en", digits: int | None = None) -> str:
    """A ratio ``x`` times: ``29.8x`` / ``29.8배``; ``digits`` fixed, else 1 (2 below 1.95)."""
    if _missing(x):
        return DASH
    v = float(x)
    d = digits if digits is not None else (1 if v >= 1.95 else 2)
    return str(raw("numbers.ratio", lang)).format(n=_fixed(v, lang, d))


def format_percent(x: Any, lang: str = "en", digits: int = 0) -> str:
    """A share as a percentage: 0.391 -> ``39%`` (``digits`` decimals)."""
    if _missing(x):
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return _babel_percent(_exact(float(x)), format=pattern, locale=_locale(lang))


def ordinal(n: int, lang: str = "en") -> str:
    """``1st``, ``2nd``, ``13th``, ``22nd`` / ``1위``: CLDR ordinal rules of the language."""
    k = int(n)
    form = _locale(lang).ordinal_form(k)
    key = f"numbers.ordinal.{form}"
    return str(raw(key if has(key, lang) else "numbers.ordinal.other", lang)).format(n=k)


def format_date(d: Any, lang: str = "en") -> str:
    """A calendar date in the language's long form: ``2018년 12월 31일``.

    ``d``: a date, datetime, pandas Timestamp or ISO string ("2018-12-31"); text that is not a
    date (a year alone, "n/a") is returned unchanged.
    """
    import datetime as dt

    if d is None or (isinstance(d, float) and math.isnan(d)):
        return DASH
    if isinstance(d, str):
        try:
            d = dt.date.fromisoformat(d.strip()[:10])
        except ValueError:
            return d
    if isinstance(d, dt.datetime):  # pandas Timestamp too
        d = d.date()
    if not isinstance(d, dt.date):
        return str(d)
    return _babel_date(d, format="long", locale=_locale(lang))
