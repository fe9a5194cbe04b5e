"""Where aigap finds the data mirror and keeps its warehouse."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from aigap.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
SPECS_DIR = PACKAGE_DIR / "specs"
TOURNAMENTS_DIR = PACKAGE_DIR / "tournaments"


def data_dir() -> Path:
    """The local mirror of the public datasets.

    ``AIGAP_DATA_DIR`` wins; otherwise ``../shared/data`` seen from the current directory or
    from the repository checkout that holds this package.
    """
    env = os.environ.get("AIGAP_DATA_DIR")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise ConfigError(f"AIGAP_DATA_DIR={env!r} is not a directory")
        return path
    candidates = [Path.cwd() / ".." / "shared" / "data"]
    candidates += [p / "shared" / "data" for p in PACKAGE_DIR.parents]
    for cand in candidates:
        if cand.is_dir():
            return cand.resolve()
    raise ConfigError(
        "no data mirror found: set AIGAP_DATA_DIR to the folder holding raw/ and asem/ "
        "(default ../shared/data), or use `aigap data pull --live`"
    )


def home_dir() -> Path:
    """aigap's own state (warehouse, HTTP cache): ``AIGAP_HOME`` or the user data directory."""
    env = os.environ.get("AIGAP_HOME")
    path = Path(env).expanduser() if env else Path(user_data_dir("aigap", appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise not_writable(path, exc.strerror or str(exc)) from None
    return path


def not_writable(folder: Path, why: str) -> ConfigError:
    """The one message for a folder aigap must write in but cannot (read-only home ...)."""
    home = os.environ.get("AIGAP_HOME") or "the user data directory"
    return ConfigError(f"cannot write in {folder}: {why}. aigap keeps its warehouse and cache "
                       f"in AIGAP_HOME ({home}): set AIGAP_HOME, or --db for the warehouse, "
                       "to a writable folder")


def default_db_path() -> Path:
    """``AIGAP_DB`` if set (the CLI's global ``--db``), else ``$AIGAP_HOME/warehouse.duckdb``."""
    env = os.environ.get("AIGAP_DB")
    if env:
        return Path(env).expanduser()
    return home_dir() / "warehouse.duckdb"


def cache_dir() -> Path:
    path = home_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path
