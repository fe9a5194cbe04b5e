"""Shared plumbing of the CLI: one console, output formats, user-error handling."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from aigap.cli.render import OutputFormat, header, render
from aigap.errors import AigapError
from aigap.i18n import languages

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["FORMAT_OPTION", "LANG_OPTION", "Lang", "OutputFormat", "console", "current_lang",
           "emit", "err_console", "header", "progress_bar", "render", "reset_lang", "user_errors"]


class _LazyConsole:
    """A rich Console made on first use (importing rich costs CLI start-up time)."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._console: Console | None = None

    def get(self) -> Console:
        """The rich Console itself (for rich APIs that need one, such as Progress)."""
        if self._console is None:
            if not self._kwargs:
                from aigap.cli.render import console as stdout_console

                self._console = stdout_console()
            else:
                from rich.console import Console

                self._console = Console(**self._kwargs)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


console: Any = _LazyConsole()
err_console: Any = _LazyConsole(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


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

def user_errors(func: F) -> F:
    """Turn an AigapError into a one-line message and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AigapError as exc:
            from rich.markup import escape

            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                              soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback ``(done, total)`` drawing a bar on stderr (stdout stays clean for
    piping); ``None`` when disabled or stderr is not a terminal."""
    if not (enabled and err_console.is_terminal):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console.get(),
                  transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def emit(df: Any, fmt: OutputFormat = OutputFormat.table, *, title: str | None = None,
         caption: str | None = None) -> None:
    """``render`` in the running command's --lang (for callers without a ``lang`` at hand)."""
    render(df, fmt, current_lang(), title=title, caption=caption)
