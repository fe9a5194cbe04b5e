"""The `aigap` command line. Each sub-module registers its commands (``register(app)``); `COMMANDS`
names the module of each, loaded when its command runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from aigap.cli.lazy import lazy_group

# Every command: name -> (module that registers it with ``register(app)``, the line
# `aigap --help` shows). The help lists them without importing any module; a command's module
# loads when it runs. tests/cli checks each line against the command's own help.
COMMANDS = {
    "acceptability": ("aigap.cli.acceptability", "SMAA-2 rank acceptability: P(each rank) of every "
                                                 "unit over weights drawn uniformly from the "
                                                 "admissible simplex, central weights, confidence "
                                                 "factors, P(A above B)."),
    "rank-range": ("aigap.cli.acceptability", "Best and worst rank UNIT can reach over every "
                                              "admissible weighting (exact MILP for arithmetic "
                                              "aggregation), with the weights that attain each."),
    "gap": ("aigap.cli.analysis", "Difference, ratio and orders of magnitude against others, per "
                                  "year (also per capita and per GDP for totals), with source and "
                                  "vintage of both sides."),
    "trend": ("aigap.cli.analysis", "Growth with 90% intervals, a backtest of each fit, "
                                    "convergence, and a catch-up year only when the data support "
                                    "one."),
    "peer-rank": ("aigap.cli.analysis", "Rank within a peer group, naming members without data (or "
                                        "not in a top-N chart)."),
    "check-claims": ("aigap.cli.claims", "Supported / partly / contradicted / not checkable, with "
                                         "the numbers behind each, on every source that can test a "
                                         "claim (the headline verdict: the default series)."),
    "profile": ("aigap.cli.diagnosis", "Percentile of each pillar and indicator among peers, "
                                       "strengths, weaknesses, a sentence."),
    "decompose": ("aigap.cli.diagnosis", "Split the index gap (A - B) into pillar or indicator "
                                         "contributions that add up to it."),
    "rank": ("aigap.cli.index", "Rank units by the index; --level adds one column per aggregate of "
                                "that level. Every row carries its cells' flags (legend below the "
                                "table) and the title the data years."),
    "explain": ("aigap.cli.index", "Decompose a unit's index score into indicator contributions "
                                   "(they sum to the score)."),
    "serve": ("aigap.cli.serve", "Serve the dashboard (ranking with weight sliders, country pages, "
                                 "tournament) and the JSON API under /api/v1 (OpenAPI at "
                                 "/openapi.json, docs at /docs)."),
    "report": ("aigap.cli.report", "Write the diagnosis: gaps, index rank, trends, claims, "
                                   "strategy, sources."),
    "frontier-lag": ("aigap.cli.strategy", "Years behind the frontier in training compute (or "
                                           "parameters), with bootstrap intervals."),
    "niche": ("aigap.cli.strategy", "Revealed comparative advantage by AI domain (Epoch) and by "
                                    "technology (Belfer CETI)."),
    "partners": ("aigap.cli.strategy", "Partners ranked by how well their strengths cover the "
                                       "country's weak pillars."),
    "tournament": ("aigap.cli.tournament", "Simulate a staged evaluation (e.g. the sovereign-AI "
                                           "programme, 5 teams cut to 1)."),
    "what-it-takes": ("aigap.cli.targets", "What it takes for UNIT to reach rank <= k by a year: "
                                           "moves in each indicator's own unit, their cost in US$ "
                                           "and the feasibility bound that binds "
                                           "(docs/targets.md)."),
    "scenario": ("aigap.cli.targets", "Projected rank distribution at --to from each indicator's "
                                      "trend, and P(top k); says what it held constant, where it "
                                      "did not extrapolate, and how its top 10 fared in a "
                                      "backtest."),
    "robustness": ("aigap.cli.robustness", "Monte Carlo rank intervals: median rank, 5–95% "
                                           "interval and P(top 3) of every unit."),
    "sensitivity": ("aigap.cli.robustness", "Sobol first-order and total indices of each "
                                            "assumption (on the mean rank shift, and on --unit's "
                                            "rank); with --structural also per dimension (weights, "
                                            "methods, indicator set, pillar set, series, edition, "
                                            "heavy imputation)."),
    "data": ("aigap.cli.data", "Load the public datasets and inspect the warehouse."),
    "reconcile": ("aigap.cli.reconcile", "Ranks in published, recomputed and aigap indices, with "
                                         "the design choices that move the rank from one index to "
                                         "another (exact Shapley attribution)."),
    "audit": ("aigap.cli.audit", "Indicator statistics and flags, correlations within and between "
                                 "levels, Cronbach's alpha and first-component variance per "
                                 "aggregate, and importance versus weight."),
    "export": ("aigap.cli.audit", "Every data set, weights, treatment log, ranks and audit tables "
                                  "in one Excel workbook."),
    "import-coin-tool": ("aigap.cli.audit", "A spec (tree, weights, directions) and its data from "
                                            "a JRC COIN Tool workbook."),
    "import-coinr": ("aigap.cli.audit", "A spec and its data from a COINr iData/iMeta pair."),
    "validate-index": ("aigap.cli.index", "aigap's editions against the published AI indices: "
                                          "Spearman rank correlation over the common countries "
                                          "(Tortoise 2021, Oxford 2024, Belfer CETI draft, IMF "
                                          "AIPI), the units that disagree most, and each published "
                                          "headline rank beside aigap's."),
}

app = typer.Typer(
    name="aigap",
    help="Diagnose a country's AI competitiveness gap with reproducible, inspectable numbers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=lazy_group(COMMANDS),
)

_ROOT_DB = typer.Option(None, "--db", help="warehouse file for every command "
                        "(default: $AIGAP_DB or $AIGAP_HOME/warehouse.duckdb)")


@app.callback()
def _root(db: Path | None = _ROOT_DB) -> None:
    """Diagnose a country's AI competitiveness gap with reproducible, inspectable numbers."""
    from aigap.cli._common import reset_lang

    reset_lang()  # each command starts in English until its own --lang is parsed
    if db is not None:
        os.environ["AIGAP_DB"] = str(db)


def main() -> None:
    """Run the CLI; usage errors (bad option values) print one line, like other user errors."""
    from aigap.cli._common import err_console

    try:  # recent Typer vendors click as typer._click; older ones use click itself
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
    except ImportError:  # pragma: no cover - depends on the Typer version
        from click.exceptions import ClickException

        class NoArgsIsHelpError(Exception):  # type: ignore[no-redef]
            """Not raised by click itself (it shows help on its own)."""
    from typer import Abort

    try:
        rv = app(args=sys.argv[1:], prog_name="aigap",
                 standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(0)
    except ClickException as exc:
        cmd = getattr(getattr(exc, "ctx", None), "command_path", "aigap")
        msg = exc.format_message().replace("Value error, ", "")
        err_console.print(f"[bold red]error:[/] {msg} (see `{cmd} --help`)",
                          highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except Abort:
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)
