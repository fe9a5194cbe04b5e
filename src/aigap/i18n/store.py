"""The catalogue files themselves: where they are, which languages exist, the raw entries.

:mod:`aigap.i18n.catalogue` formats templates from them (``t()``); :mod:`aigap.i18n.numbers`
reads its per-language rules here, so neither needs the other's module to load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from aigap.errors import AigapError

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANG = "en"
_DIRS: list[Path] = [LOCALES_DIR]


class I18nError(AigapError):
    """An unknown language, a key missing from a catalogue, or a template without its field."""


def add_catalogue_dir(path: str | Path) -> None:
    """Also read ``<lang>.yaml`` catalogues from ``path`` (before the shipped ones)."""
    p = Path(path)
    if p not in _DIRS:
        _DIRS.insert(0, p)
    _clear()


def remove_catalogue_dir(path: str | Path) -> None:
    p = Path(path)
    if p in _DIRS and p != LOCALES_DIR:
        _DIRS.remove(p)
    _clear()


# caches of modules that read the catalogue (numbers' locales), cleared with it
ON_CLEAR: list[Callable[[], None]] = []


def _clear() -> None:
    _files.cache_clear()
    catalogue.cache_clear()
    _number_rules.cache_clear()
    for clear in ON_CLEAR:
        clear()


@cache
def _files() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for d in reversed(_DIRS):  # earlier directories win
        for f in sorted(d.glob("*.yaml")):
            out[f.stem] = f
    return out


def languages() -> tuple[str, ...]:
    """Languages with a catalogue, the default first."""
    langs = sorted(_files())
    return tuple(sorted(langs, key=lambda x: (x != DEFAULT_LANG, x)))


def _flatten(node: Mapping[str, Any], prefix: str, out: dict[str, Any], path: Path) -> None:
    for k, v in node.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            _flatten(v, key + ".", out, path)
        elif isinstance(v, str | int | float):
            out[key] = v
        else:
            raise I18nError(f"{path}: {key!r} must be text or a mapping, not {type(v).__name__}")


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """Every key of ``lang``'s catalogue, flattened to dotted keys."""
    files = _files()
    if lang not in files:
        raise I18nError(f"unknown language {lang!r}; catalogues: {', '.join(languages())} "
                        f"(add {lang}.yaml to {LOCALES_DIR})")
    path = files[lang]
    try:
        # libyaml's parser when present: ten times faster on a 600-key file
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    except yaml.YAMLError as exc:
        raise I18nError(f"{path}: not valid YAML ({exc})") from None
    out: dict[str, Any] = {}
    _flatten(raw, "", out, path)
    return out


def lang_of(lang: Any) -> str:
    """A language code from a str or a str enum (the CLI's ``Lang``)."""
    return str(getattr(lang, "value", lang))


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalogue(lang_of(lang))


def keys(prefix: str = "", lang: str = DEFAULT_LANG) -> Iterator[str]:
    """The keys under ``prefix`` (e.g. ``"ui."``) in ``lang``'s catalogue."""
    return (k for k in catalogue(lang_of(lang)) if k.startswith(prefix))


def raw(key: str, lang: str = DEFAULT_LANG) -> Any:
    """The stored value of ``key`` (a template, unformatted)."""
    lang = lang_of(lang)
    cat = catalogue(lang)
    if key not in cat:
        raise I18nError(f"no text {key!r} in the {lang} catalogue ({_files()[lang]})")
    return cat[key]


def number_rules(lang: str) -> dict[str, Any]:
    """The ``numbers.*`` settings of a language (locale, compact threshold and words, ...)."""
    return _number_rules(lang_of(lang))


@cache  # read for every number formatted: scanning the catalogue each time is slow
def _number_rules(lang: str) -> dict[str, Any]:
    cat = catalogue(lang)
    out: dict[str, Any] = {"compact_words": {}}
    for k, v in cat.items():
        if k.startswith("numbers.compact_words."):
            out["compact_words"][k.removeprefix("numbers.compact_words.")] = v
        elif k.startswith("numbers.") and k.count(".") == 1:
            out[k.removeprefix("numbers.")] = v
    for need in ("locale", "compact_from", "compact_digits"):
        if need not in out:
            raise I18nError(f"the {lang} catalogue ({_files()[lang]}) has no numbers.{need}")
    return out
