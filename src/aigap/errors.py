"""Errors a user can act on. The CLI prints their message on one line and exits non-zero."""

from __future__ import annotations

from pathlib import Path


class AigapError(Exception):
    """Base class of every error caused by user input or data, not by a bug."""


class ConfigError(AigapError):
    """Missing or wrong settings (paths, environment variables)."""


class DataFormatError(AigapError):
    """A source file does not match its documented format.

    ``row`` is the 1-based line number in the file (the header is line 1).
    """

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.detail = message
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class UnknownCountryError(DataFormatError):
    """Country names that map to no ISO3 code (listed, never silently dropped)."""

    def __init__(self, file: str | Path, names: dict[str, int], column: str) -> None:
        self.names = names
        listed = ", ".join(f"{n!r} (row {r})" for n, r in sorted(names.items(), key=lambda x: x[1]))
        super().__init__(file, f"unknown country name(s): {listed}", column=column)


class WarehouseError(AigapError):
    """The warehouse is missing, locked or asked for something it does not hold."""


class SpecError(AigapError):
    """An index or analysis spec is invalid."""


class FetchError(AigapError):
    """A live download failed (HTTP error, timeout, malformed payload)."""
