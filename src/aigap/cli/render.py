"""The one output function of the CLI: ``render(result_or_frame, fmt, lang)``.

Tables go through rich, CSV through pandas with formula-like cells neutralised, JSON through
the one cleaner (``aigap.jsonsafe``: non-finite numbers become null). Every command calls
``render`` instead of choosing a format itself.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aigap.i18n import DEFAULT_LANG

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?")
# Columns of codes (ISO3, indicator codes) are never wrapped: a code is one token.
_CODE = re.compile(r"[A-Za-z0-9_.:/-]{1,40}")
_MAX_UNBROKEN = 40  # words longer than this (URLs) may fold; shorter ones never split

_console: Console | None = None


def console() -> Console:
    """The stdout console (piped or captured output gets 160 columns, not rich's 80)."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(width=None if sys.stdout.isatty() else 160)
    return _console


def _lang(lang: Any) -> str:
    return str(getattr(lang, "value", lang) or DEFAULT_LANG)


def neutralise(value: Any) -> Any:
    """A CSV cell a spreadsheet will not execute: text starting with = + - @ tab or CR gets a
    leading apostrophe; numbers (also negative ones, and numeric text) stay as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def as_frame(result: Any) -> pd.DataFrame:
    """The frame of a result: a DataFrame itself, else ``result.to_frame()`` (a named index,
    such as the unit codes, becomes a column: CSV and tables show no index)."""
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        return result
    if hasattr(result, "to_frame"):
        df = result.to_frame()
        return df.reset_index() if any(n is not None for n in df.index.names) else df
    return pd.DataFrame(result)


def as_json(result: Any, lang: str | None = None) -> Any:
    """The JSON value of a result: a frame's records, a result's document (``to_dict()`` plus
    its sentences when ``aigap.present`` has them, and ``sentence`` in ``lang`` when given),
    lists and dicts element-wise."""
    import pandas as pd

    from aigap.jsonsafe import json_safe

    if isinstance(result, pd.DataFrame):
        return json_safe(result)
    if isinstance(result, Mapping):
        return {str(k): as_json(v) for k, v in result.items()}
    if isinstance(result, list | tuple):
        return [as_json(r) for r in result]
    if hasattr(result, "to_dict") and not isinstance(result, dict | pd.Series):
        from aigap.present.text import document, sentence

        if sentence.dispatch(type(result)) is not sentence.dispatch(object):
            doc = document(result)
            if lang is not None and f"sentence_{lang}" in doc:
                doc["sentence"] = doc[f"sentence_{lang}"]  # the one the user asked for
            return doc
        return json_safe(result.to_dict())
    return json_safe(result)


def _integral(col: pd.Series) -> bool:
    """A float column whose values are all whole numbers (ranks, counts): printed as integers."""
    import numpy as np
    import pandas as pd

    if not pd.api.types.is_float_dtype(col):
        return False
    vals = col.to_numpy(dtype=float)
    vals = vals[np.isfinite(vals)]
    return bool(len(vals)) and bool(np.all(vals == np.round(vals)))


def _cell(value: Any, lang: str, integral: bool) -> str:
    import pandas as pd
    from numpy import bool_ as np_bool

    from aigap.i18n.numbers import DASH, format_number

    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return DASH
    if isinstance(value, bool | np_bool | str):
        return cell_word(value, lang)
    if integral:  # ranks and counts: no decimals (large values keep their "2.61 bn" style)
        return format_number(float(value), lang, decimals=0)
    if isinstance(value, float):
        return format_number(value, lang, decimals=4)
    return str(value)


def cell_word(value: str | bool, lang: str) -> str:
    """A word in a table cell in ``lang``: True/False as 예/아니오, and machine words such as
    "ranked", "no data" or "not in top 10" through the catalogue's ``cli.value`` (digit runs
    become the fields ``{n}``, ``{n2}``, ...); the default language and unknown words stay."""
    if lang == DEFAULT_LANG:
        return str(value)
    from aigap.i18n import t, t_or

    if not isinstance(value, str):
        return t("yes" if value else "no", lang)
    nums = re.findall(r"\d+", value)
    names = [f"n{i}" if i > 1 else "n" for i in range(1, len(nums) + 1)]
    it = iter(names)
    key = re.sub(r"\d+", lambda _: "{" + next(it) + "}", value)
    return t_or(f"cli.value.{key}", lang, value, **dict(zip(names, nums, strict=True)))


def header(column: Any, lang: str) -> str:
    """A table column's header in ``lang`` (the catalogue's ``cli.header.<column>``, then pillar
    names); tables in the default language keep the machine names, as CSV and JSON do."""
    name = str(column)
    if lang == DEFAULT_LANG:
        return name
    from aigap.i18n import pillar_name, t_or

    return t_or(f"cli.header.{name}", lang, pillar_name(name, lang, name))


def table(df: pd.DataFrame, lang: str, title: str | None = None,
          width: int | None = None) -> Any:
    """A rich Table of ``df``: numbers right-aligned in the language's style, whole-number
    columns as integers, code columns never wrapped, words never split — unless the words of
    all columns cannot fit side by side in ``width``: then long text folds, so that no
    column is cut off."""
    import pandas as pd
    from rich.table import Table

    out = Table(header_style="bold cyan", show_lines=False, title=None)
    integral = {c: _integral(df[c]) for c in df.columns}
    cells = {c: [_cell(v, lang, integral[c]) for v in df[c]] for c in df.columns}
    specs = []
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        texts = [t for t in cells[col] if t]
        codes = not numeric and bool(texts) and all(_CODE.fullmatch(t) for t in texts)
        longest = max((len(w) for t in texts for w in t.split()), default=1)
        specs.append((col, numeric, codes, min(max(longest, 1), _MAX_UNBROKEN), longest))
    # each column costs its width plus 3 characters of border and padding
    fits = width is None or sum(w + 3 for *_, w, _ in specs) + 1 <= width
    for col, numeric, codes, min_w, longest in specs:
        name = header(col, lang)
        out.add_column(name, justify="right" if numeric else "left",
                       no_wrap=numeric or codes,
                       min_width=min_w if fits or numeric or codes else None,
                       overflow="fold" if longest > _MAX_UNBROKEN or not fits else "ellipsis")
    for row in zip(*cells.values(), strict=True):
        out.add_row(*row)
    return out


def render(result_or_frame: Any, fmt: OutputFormat | str = OutputFormat.table,
           lang: Any = DEFAULT_LANG, *, title: str | None = None,
           caption: str | None = None) -> None:
    """Print a result or a frame on stdout as a rich table, CSV or JSON.

    JSON: frames as records, results as their document (``to_dict()`` plus sentences), other
    values (dicts, lists) through ``aigap.jsonsafe``. CSV and tables: ``to_frame()`` of a
    result. ``title`` and ``caption`` only go with tables (CSV and JSON stay machine-readable).
    """
    fmt = OutputFormat(fmt)
    lg = _lang(lang)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(as_json(result_or_frame, lg), ensure_ascii=False, indent=1,
                                    default=str) + "\n")
        return
    df = as_frame(result_or_frame)
    if fmt is OutputFormat.csv:
        sys.stdout.write(df.map(neutralise).to_csv(index=False))
        return
    from rich.markup import escape

    con = console()
    # Title and caption go on their own lines: inside the table rich wraps them to its width.
    if title:
        con.print(f"[bold]{escape(title)}[/]")
    con.print(table(df, lg, width=con.width))
    if caption:
        con.print(f"[dim]{escape(caption)}[/]")
