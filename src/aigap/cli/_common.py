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

# Piped or captured output gets room for wide tables instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Lang(StrEnum):
    en = "en"
    ko = "ko"


# The language of the running command, for table headers (set by --lang as it is parsed).
_LANG: ContextVar[str] = ContextVar("aigap_lang", default="en")


def reset_lang() -> None:
    _LANG.set("en")


def _remember_lang(value: Lang | str) -> Lang | str:
    _LANG.set(str(getattr(value, "value", value)))
    return value


FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json")
LANG_OPTION = typer.Option(Lang.en, "--lang", help="language of labels: en or ko",
                           callback=_remember_lang)

# Korean headers of the columns analysis tables share; CSV and JSON keep the machine names.
HEADERS_KO = {
    "rank": "순위", "unit": "국가", "iso3": "국가 코드", "country": "국가", "name": "이름",
    "value": "값", "year": "연도", "status": "상태", "member": "회원국", "source": "출처",
    "vintage": "시점", "latest_year": "최근 연도", "other": "비교 대상",
    "other_value": "비교 대상 값", "difference": "차이", "ratio": "배율",
    "log10_ratio": "자릿수 차이(log10)", "note": "비고", "score": "점수", "pillar": "부문",
    "indicator": "지표", "weight": "가중치", "contribution": "기여", "sub-index": "하위 지수",
    "nominal rank": "기준 순위", "median rank": "중앙값 순위",
    "5–95% rank interval": "5–95% 순위 구간", "P(top 3)": "상위 3위 확률",
    "mean score": "평균 점수", "mean |rank shift|": "평균 순위 변동", "now": "현재",
    "central": "중심 전망", "p05": "5%", "p95": "95%", "from": "현재", "to": "목표",
    "change %": "변화율(%)", "norm. from": "정규화 현재", "norm. to": "정규화 목표",
    "score gain": "점수 상승", "n": "관측 수", "cagr": "연평균 증가율", "growth": "추세 증가율",
    "level": "수준", "code": "코드", "assumption": "가정",
    # the aigap pillars, as columns of `rank --level pillar`
    "Talent": "인재", "Research": "연구", "Investment & Commercial": "투자·상업화",
    "Infrastructure & Compute": "인프라·컴퓨팅", "Government & Policy": "정부·정책",
}


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


def _fmt_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        a = abs(value)
        if a >= 1e12:
            return f"{value / 1e12:,.2f} tn"
        if a >= 1e9:
            return f"{value / 1e9:,.2f} bn"
        if a >= 1e6:
            return f"{value / 1e6:,.2f} M"
        if a >= 1000:
            return f"{value:,.0f}"
        if a != 0 and a < 1e-3:
            return f"{value:.3g}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
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
    if _LANG.get() == "ko":
        df = df.rename(columns=lambda c: HEADERS_KO.get(str(c), c))
    # Title and caption go on their own lines: inside the table rich wraps them to its width.
    if title:
        console.print(f"[bold]{escape(title)}[/]")
    table = Table(header_style="bold cyan", show_lines=False)
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*(_fmt_cell(v) for v in row))
    console.print(table)
    if caption:
        console.print(f"[dim]{escape(caption)}[/]")


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")


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
