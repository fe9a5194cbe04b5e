"""Options that take several values after one flag (``--vs USA CHN``), without rewriting argv.

Click gives an option one value per occurrence. ``MultiValueCommand`` lets the options named in
``MULTI_VALUE_OPTIONS`` also take the values that follow, up to the next option. The rule for
positionals: values after such an option all belong to it, so the unit goes before it
(``aigap trend KOR --vs USA -i x``); when that leaves a required positional missing
(``aigap trend --vs USA KOR -i x``) the command stops with a usage error naming the values it
read, never silently turning the unit into a comparator.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

try:  # recent Typer vendors click as typer._click; older ones use click itself
    from typer._click.exceptions import MissingParameter, UsageError
except ImportError:  # pragma: no cover - depends on the Typer version
    from click.exceptions import MissingParameter, UsageError

MULTI_VALUE_OPTIONS = frozenset({"--vs", "--countries", "--units", "--between"})
_META = "aigap.multi_values"


class MultiValueCommand(TyperCommand):
    """A command whose multi-value options read every following value up to the next option,
    and whose help paragraphs flow to the terminal's width (a docstring's line breaks are not
    kept: they would break sentences in the middle)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = reflow(self.help)

    def make_parser(self, ctx: Any) -> Any:
        parser = super().make_parser(ctx)
        wrapped: set[int] = set()
        for opt in [*parser._long_opt.values(), *parser._short_opt.values()]:
            if id(opt) in wrapped or opt.action != "append" \
                    or not MULTI_VALUE_OPTIONS & set(opt._long_opts):
                continue
            wrapped.add(id(opt))
            opt.process = _greedy(opt, ctx)
        return parser

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[no-any-return]
        except MissingParameter as exc:
            taken = ctx.meta.get(_META)
            if taken and getattr(exc.param, "param_type_name", "") == "argument":
                flag, values = taken
                name = str(exc.param.name or "argument").upper()
                raise UsageError(
                    f"missing {name}: all values after {flag} ({' '.join(values)}) were read as "
                    f"{flag} values; give {name} before the option, e.g. "
                    f"`{ctx.command_path} {values[-1]} {flag} {' '.join(values[:-1]) or '...'}`",
                    ctx) from None
            raise


def reflow(text: str) -> str:
    """Join the lines of each paragraph of ``text`` (paragraphs stay apart; lines that start a
    list item or are indented keep their break)."""
    import inspect
    import re

    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(text))
    out = []
    for para in paragraphs:
        lines = para.splitlines()
        joined = lines[:1]
        for line in lines[1:]:
            if re.match(r"\s+|[-*•]\s|\d+[.)]\s", line):
                joined.append(line)
            else:
                joined[-1] = f"{joined[-1].rstrip()} {line.strip()}"
        out.append("\n".join(joined))
    return "\n\n".join(out)


def _greedy(opt: Any, ctx: Any) -> Any:
    """``opt.process`` that also takes the following non-option values."""
    process = opt.process
    flag = next(o for o in opt._long_opts if o in MULTI_VALUE_OPTIONS)

    def run(value: Any, state: Any) -> None:
        process(value, state)
        values = [value]
        while state.rargs and not state.rargs[0].startswith("-"):
            values.append(state.rargs.pop(0))
            process(values[-1], state)
        ctx.meta[_META] = (flag, values)

    return run


def use_everywhere(app: Any) -> None:
    """Make every command of ``app`` (and of its sub-apps) a ``MultiValueCommand``."""
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):  # Typer's default class
            info.cls = MultiValueCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            use_everywhere(group.typer_instance)
