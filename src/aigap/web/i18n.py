"""The dashboard's words: the ``ui.*`` keys of the one catalogue (aigap/i18n/locales/*.yaml).

Pillar names come from the catalogue's ``pillar.*``; codes it does not know (pillars of other
specs) come back as themselves, so a missing translation never breaks a page.
"""

from __future__ import annotations

from collections.abc import Iterable

from aigap.i18n import DEFAULT_LANG, has, languages, t_or
from aigap.i18n.store import keys as catalogue_keys

LANGS = languages()


def normalise_lang(lang: str | None) -> str:
    """``lang`` if it is a supported language, else the default."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The UI string ``key`` (``ui.<key>``, else ``pillar.<key>``) in ``lang``; unknown keys
    come back as themselves."""
    for full in (f"ui.{key}", f"pillar.{key}"):
        if has(full, lang):
            return t_or(full, lang, key, **fmt)
    return key.format(**fmt) if fmt else key


def table(lang: str, keys: Iterable[str] | None = None) -> dict[str, str]:
    """All UI strings in ``lang`` (for the page's JavaScript)."""
    names = keys or [k.removeprefix("ui.") for k in catalogue_keys("ui.", lang)]
    return {k: t(k, lang) for k in names}
