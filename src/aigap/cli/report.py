"""`aigap report`: the whole diagnosis as one self-contained HTML page (optionally PDF)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aigap.cli._common import LANG_OPTION, Lang, console, err_console, user_errors
from aigap.errors import AigapError

if TYPE_CHECKING:  # loaded when a command runs: `aigap --help` stays quick
    pass

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print the report to PDF with headless Chromium (Debian's /usr/bin/chromium)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    if not Path(exe).exists():
        raise AigapError("PDF needs Chromium: run scripts/install-browser.sh (or apt-get install "
                         "chromium fonts-noto-cjk)")
    out = subprocess.run([exe, *CHROMIUM_FLAGS, f"--print-to-pdf={pdf_path}",
                          "--no-pdf-header-footer", "--virtual-time-budget=10000",
                          html_path.resolve().as_uri()],
                         capture_output=True, text=True, timeout=180)
    if out.returncode != 0 or not pdf_path.exists():
        raise AigapError(f"Chromium could not print {html_path}: {out.stderr.strip()[-300:]}")
    return pdf_path


@user_errors
def report_cmd(
    unit: Annotated[str, typer.Argument(help="ISO3 code of the country")] = "KOR",
    lang: Lang = LANG_OPTION,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="HTML file to write "
                                             "(default: <unit>-report-<lang>.html)")] = None,
    spec: Annotated[str, typer.Option("--spec", help="index spec")] = "aigap",
    vs: Annotated[list[str] | None, typer.Option("--vs", help="comparators")] = None,
    peers: Annotated[str, typer.Option("--peers", help="peer group")] = "OECD",
    pdf: Annotated[bool, typer.Option("--pdf", help="also print a PDF with Chromium")] = False,
    redistributable_only: Annotated[bool, typer.Option(
        "--redistributable-only",
        help="leave out data whose licence forbids redistribution (e.g. Tortoise)")] = False,
) -> None:
    """Write the diagnosis: gaps, index rank, trends, claims, strategy, sources."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from aigap.report import write_report

    out = out or Path(f"{unit.lower()}-report-{lang.value}.html")
    if not out.parent.resolve().is_dir():  # say so now, not after a minute of work
        raise AigapError(f"cannot write {out}: folder {out.parent} does not exist")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console.get(), transient=True) as bar:
        task = bar.add_task("report", total=None)

        def on(section: str, i: int, n: int) -> None:
            bar.update(task, description=f"section {i + 1}/{n}: {section}")

        path = write_report(out, unit.upper(), lang.value, spec=spec,
                            vs=tuple(vs or ("USA", "CHN")), peers=peers, progress=on,
                            redistributable_only=redistributable_only)
    console.print(f"[green]wrote[/] {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if pdf:
        pdf_path = print_pdf(path, path.with_suffix(".pdf"))
        console.print(f"[green]wrote[/] {pdf_path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)
