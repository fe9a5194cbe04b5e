"""The one catalogue of user-facing words: labels and sentence templates, one YAML file a language.

``locales/<lang>.yaml`` holds nested mappings; a key is the dotted path to a string
(``ui.rank``, ``pillar.Talent``, ``profile.sentence.mixed``). Files are read once, on first use.
A template is a :meth:`str.format` string with named fields and, besides Python's own format
specs (``{gap:.1f}``), these:

* text specs, chained with ``+``: English ``{who:the}`` (the United States), ``{who:poss}``
  (Korea's), ``{a:the+cap}``, ``{name:mid}`` (lower-case first letter unless an acronym);
* Korean particles after a field: ``{who:은}`` -> 한국은 / 미국은, ``{grp:과}`` -> OECD
  회원국과 (any member of 은/는, 이/가, 을/를, 과/와, 으로/로, 이다/다, 이나/나, 이라/라;
  :func:`aigap.i18n.korean.particle`);
* numbers in the language's style (:mod:`aigap.i18n.numbers`): ``{v:num}`` (``{v:num.4}`` up to
  4 decimals), ``{v:money}``, ``{r:ratio}`` (``{r:ratio.1}``), ``{p:pct}`` (``{p:pct.1}``),
  ``{k:ord}``, ``{d:date}`` (2018-12-31 -> 2018년 12월 31일).

Adding a language: copy ``locales/en.yaml`` to ``locales/<lang>.yaml``, translate the strings
and set ``numbers.locale`` to the Babel locale; nothing else. :func:`add_catalogue_dir` adds
catalogues kept elsewhere (tests use it for a made-up language).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

from aigap.i18n.store import (  # re-exported: the catalogue's public names
    DEFAULT_LANG,
    I18nError,
    has,
    lang_of,
    raw,
)


class _Formatter(string.Formatter):
    """str.format with Korean particles and language-aware numbers as format specs."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        from aigap.i18n import english, korean, numbers

        steps = format_spec.split("+") if format_spec else []
        if steps and all(s in english.TEXT_SPECS or s in korean.PARTICLE_SPECS for s in steps):
            text = str(value)
            for s in steps:
                text = english.TEXT_SPECS[s](text) if s in english.TEXT_SPECS \
                    else korean.particle(text, s)
            return text
        name, _, arg = format_spec.partition(".")
        if name == "num":
            return numbers.format_number(value, self.lang, decimals=int(arg) if arg else None)
        if name == "money":
            return numbers.format_money(value, self.lang, digits=int(arg) if arg else None)
        if name == "ratio":
            return numbers.format_ratio(value, self.lang, int(arg) if arg else None)
        if name == "pct":
            return numbers.format_percent(value, self.lang, int(arg) if arg else 0)
        if name == "ord":
            return numbers.ordinal(value, self.lang)
        if name == "date":
            return numbers.format_date(value, self.lang)
        return super().format_field(value, format_spec)


def t(key: str, lang: str = DEFAULT_LANG, /, **fields: Any) -> str:
    """The text ``key`` in ``lang`` with ``fields`` filled in.

    Raises :class:`I18nError` naming the language, key, file or field when one is missing.
    """
    lang = lang_of(lang)
    template = raw(key, lang)
    if not isinstance(template, str):
        return str(template)
    try:
        return _Formatter(lang).format(template, **fields)
    except KeyError as exc:
        raise I18nError(f"text {key!r} ({lang}) needs the field {exc.args[0]!r}") from None


def t_or(key: str, lang: str, default: str, /, **fields: Any) -> str:
    """:func:`t`, or ``default`` when the catalogue has no ``key`` (codes of other specs)."""
    return t(key, lang, **fields) if has(key, lang) else default





def join(items: Sequence[str], lang: str = DEFAULT_LANG, *, tight: bool = False) -> str:
    """Nouns joined as the language does: "A and B", "A, B and C" / "A와 B", "A, B, C".

    ``tight``: the language's tight separator when it has one (Korean 가운뎃점: "A·B·C").
    """
    xs = [str(x) for x in items if str(x)]
    if len(xs) <= 1:
        return "".join(xs)
    if tight and has("grammar.list.tight_sep", lang):
        return str(raw("grammar.list.tight_sep", lang)).join(xs)
    if len(xs) == 2:
        return t("grammar.list.two", lang, a=xs[0], b=xs[1])
    sep = str(raw("grammar.list.sep", lang))
    return t("grammar.list.last", lang, rest=sep.join(xs[:-1]), last=xs[-1])


def pillar_name(code: str, lang: str = DEFAULT_LANG, default: str | None = None) -> str:
    """The name of a pillar (or other aggregate) of a shipped spec; ``default`` (else the
    code) for codes the catalogue does not know."""
    return t_or(f"pillar.{code}", lang, code if default is None else default)
