"""Shared plumbing of the CLI: one console, output formats, user-error handling."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aigap.errors import AigapError
from aigap.i18n import DEFAULT_LANG, languages, pillar_name, t_or
from aigap.i18n.numbers import DASH, format_number
from aigap.jsonsafe import json_safe

# Piped or captured output gets room for wide tables instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


# The languages of --lang: one per catalogue file (aigap/i18n/locales/*.yaml).
Lang = StrEnum("Lang", {code: code for code in languages()})  # type: ignore[misc]


# The language of the running command, for table headers (set by --lang as it is parsed).
_LANG: ContextVar[str] = ContextVar("aigap_lang", default="en")


def current_lang() -> str:
    """The --lang of the running command (for labels)."""
    return _LANG.get()


def reset_lang() -> None:
    _LANG.set("en")


def _remember_lang(value: Lang | str) -> Lang | str:
    _LANG.set(str(getattr(value, "value", value)))
    return value


FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json")
LANG_OPTION = typer.Option(Lang.en, "--lang",  # type: ignore[attr-defined]
                           help=f"language of labels: {', '.join(languages())}",
                           callback=_remember_lang)

def header(column: Any, lang: str) -> str:
    """A table column's header in ``lang`` (the catalogue's ``cli.header.<column>``, then pillar
    names); tables in the default language keep the machine names, as CSV and JSON do."""
    name = str(column)
    if lang == DEFAULT_LANG:
        return name
    return t_or(f"cli.header.{name}", lang, pillar_name(name, lang, name))


def user_errors(func: F) -> F:
    """Turn an AigapError into a one-line message and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AigapError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                              soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _fmt_cell(value: Any, lang: str = DEFAULT_LANG) -> str:
    """A table cell: numbers in the language's style (2.61 bn / 26.1억, up to 4 decimals)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return DASH
    if isinstance(value, float):
        return format_number(value, lang, decimals=4)
    return str(value)


def emit(
    df: pd.DataFrame,
    fmt: OutputFormat = OutputFormat.table,
    *,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Print a frame as a rich table, CSV or JSON records (stdout only, for piping)."""
    if fmt is OutputFormat.csv:
        sys.stdout.write(df.to_csv(index=False))
        return
    if fmt is OutputFormat.json:
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        return
    lang = _LANG.get()
    df = df.rename(columns=lambda c: header(c, lang))
    # Title and caption go on their own lines: inside the table rich wraps them to its width.
    if title:
        console.print(f"[bold]{escape(title)}[/]")
    table = Table(header_style="bold cyan", show_lines=False)
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*(_fmt_cell(v, lang) for v in row))
    console.print(table)
    if caption:
        console.print(f"[dim]{escape(caption)}[/]")


def emit_json(obj: Any) -> None:
    """JSON on stdout through the one cleaner (non-finite numbers become null)."""
    sys.stdout.write(json.dumps(json_safe(obj), ensure_ascii=False, indent=1, default=str)
                     + "\n")


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback ``(done, total)`` drawing a bar on stderr (stdout stays clean for
    piping); ``None`` when disabled or stderr is not a terminal."""
    if not (enabled and err_console.is_terminal):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                  transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
