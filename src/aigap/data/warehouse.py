"""The DuckDB warehouse: observations with provenance, indicator catalogue, countries, sources.

Writes are all-or-nothing: a pull parses and checks every file in memory first, then writes a
copy of the store and swaps it in with an atomic rename. A failing file therefore leaves the
store exactly as it was, and readers holding the old file keep a consistent view while a
pull runs. Pulls are serialised with a lock file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import glob
import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import psutil
from filelock import FileLock, Timeout

from aigap import config
from aigap.data import countries as ctry
from aigap.data import validate
from aigap.data import vintages as vint
from aigap.data.catalogue import catalogue_frame, check_indicators, near_matches
from aigap.data.sources import all_datasets
from aigap.data.sources.base import VINTAGE_ONLY, Dataset, RecordTable, sha256_file
from aigap.errors import AigapError, DataFormatError, WarehouseError

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS observations (
    indicator VARCHAR NOT NULL, iso3 VARCHAR NOT NULL, year INTEGER NOT NULL,
    value DOUBLE NOT NULL, unit VARCHAR NOT NULL, source VARCHAR NOT NULL,
    vintage VARCHAR NOT NULL, note VARCHAR, source_row INTEGER,
    PRIMARY KEY (indicator, iso3, year)
);
CREATE TABLE IF NOT EXISTS indicators (
    code VARCHAR PRIMARY KEY, name_en VARCHAR, name_ko VARCHAR, pillar VARCHAR,
    direction INTEGER, unit VARCHAR, source VARCHAR, licence VARCHAR, description VARCHAR,
    top_n INTEGER
);
CREATE TABLE IF NOT EXISTS countries (
    iso3 VARCHAR PRIMARY KEY, iso2 VARCHAR, name_en VARCHAR, name_ko VARCHAR, groups VARCHAR[]
);
CREATE TABLE IF NOT EXISTS memberships (
    group_name VARCHAR, iso3 VARCHAR, since INTEGER, until INTEGER
);
CREATE TABLE IF NOT EXISTS sources (
    id VARCHAR PRIMARY KEY, publisher VARCHAR, file VARCHAR, sha256 VARCHAR, vintage VARCHAR,
    vintage_inferred BOOLEAN, flags VARCHAR[], licence VARCHAR, rows INTEGER,
    origin VARCHAR, url VARCHAR, loaded_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS record_tables (
    name VARCHAR PRIMARY KEY, description VARCHAR, country_column VARCHAR
);
CREATE TABLE IF NOT EXISTS record_columns (
    table_name VARCHAR, column_name VARCHAR, type VARCHAR, description VARCHAR,
    position INTEGER
);
"""

# Every value of every vintage pulled, beside the one current value per key in observations:
# a re-pull of the same (source, vintage) replaces its rows, a new vintage (a live pull, a new
# edition) is added, so two vintages of one source can be compared (`aigap data diff`). No
# primary key: each (source, vintage) is deleted before it is written and a dataset's keys are
# unique (checked at parse), and the key index would triple the file and slow every pull.
# Record tables (published ranks among them: the EU is a unit there, never in observations)
# are declared by their source modules (RecordTable) and created by _create_record_table.
SCHEMA_EDITIONS = """
CREATE TABLE IF NOT EXISTS observation_vintages (
    indicator VARCHAR NOT NULL, iso3 VARCHAR NOT NULL, year INTEGER NOT NULL,
    value DOUBLE NOT NULL, unit VARCHAR NOT NULL, source VARCHAR NOT NULL,
    vintage VARCHAR NOT NULL, note VARCHAR, source_row INTEGER
);
CREATE TABLE IF NOT EXISTS source_vintages (
    source VARCHAR NOT NULL, vintage VARCHAR NOT NULL, file VARCHAR, sha256 VARCHAR,
    rows INTEGER, origin VARCHAR, url VARCHAR, loaded_at TIMESTAMP,
    PRIMARY KEY (source, vintage)
);
"""
# What the warehouse adds to every row of a record table.
RECORD_PLUMBING = (("source", "VARCHAR NOT NULL"), ("vintage", "VARCHAR NOT NULL"),
                   ("source_row", "INTEGER"))


@dataclass(frozen=True)
class ResolvedFile:
    """Where a dataset's file was found, and how (mirror or live download)."""

    path: Path
    origin: str = "mirror"
    vintage: str | None = None  # overrides the dataset's vintage (live downloads)
    url: str | None = None
    warning: str | None = None  # e.g. a live fetch that fell back to the mirror


@dataclass
class PullReport:
    db_path: Path
    loaded: list[tuple[str, int]] = field(default_factory=list)  # (dataset id, rows)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (dataset id, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (dataset id, message)
    # flagged by the plausibility checks but let through: (dataset id, what, reason, origin)
    exceptions: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.loaded)


Progress = Callable[[str, int, int], None]  # (label, done, total)


def sha256_path(path: Path) -> str:
    """sha256 of a file; of a folder (a dataset of many files), the sha256 of its manifest:
    one ``<sha256>  <name>`` line per file, sorted by name."""
    path = Path(path)
    if not path.is_dir():
        return sha256_file(path)
    lines = [f"{sha256_file(p)}  {p.relative_to(path).as_posix()}\n"
             for p in sorted(path.rglob("*")) if p.is_file()]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def mirror_resolver(data_dir: Path) -> Callable[[Dataset], ResolvedFile]:
    def resolve(ds: Dataset) -> ResolvedFile:
        return ResolvedFile(data_dir / ds.relpath)

    return resolve


OBSERVATION_COLUMNS = ["indicator", "iso3", "year", "value", "unit", "source", "vintage", "note",
                       "source_row"]


def _parse_dataset(ds: Dataset, rf: ResolvedFile,
                   records: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The dataset's checked observations; a record dataset also leaves its records in
    ``records[ds.id]`` (read once, indicators derived from them; none for records only)."""
    try:
        rf.path.stat()
    except FileNotFoundError:
        raise DataFormatError(rf.path, f"file of dataset {ds.id!r} not found") from None
    except OSError as exc:  # a symlink loop, a folder without permission ...
        raise DataFormatError(rf.path, f"cannot read the file of dataset {ds.id!r}: "
                              f"{exc.strerror or exc}") from None
    try:
        if ds.records is not None and records is not None:
            records[ds.id] = _check_records(ds, ds.records.read(rf.path))
            if ds.records.derive is None:
                return pd.DataFrame(columns=OBSERVATION_COLUMNS)
            frame = ds.records.derive(records[ds.id], rf.path)
        else:
            frame = ds.parse(rf.path)
    except OSError as exc:
        raise DataFormatError(exc.filename or rf.path, f"cannot read file: "
                              f"{exc.strerror or exc}") from None
    except (zipfile.BadZipFile, EOFError) as exc:  # xlsx/zip cut short
        raise DataFormatError(rf.path, f"the file ends early or is corrupt (truncated?): "
                              f"{exc}") from None
    expected = {"indicator", "iso3", "year", "value", "unit"}
    if not expected <= set(frame.columns):  # pragma: no cover - programming error
        raise RuntimeError(f"{ds.id}: parser returned columns {list(frame.columns)}")
    known = {i.code for i in ds.indicators}
    stray = sorted(set(frame["indicator"]) - known)
    if stray:  # pragma: no cover - programming error
        raise RuntimeError(f"{ds.id}: indicators {stray} have no catalogue entry")
    frame = validate.check_frame(frame, ds, rf.path)
    dup = frame.duplicated(["indicator", "iso3", "year"], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        rows = frame.loc[dup & (frame.indicator == first.indicator) & (frame.iso3 == first.iso3)
                         & (frame.year == first.year)]
        where = ", ".join(str(r) for r in rows.get("_row", pd.Series(dtype=int)).tolist())
        raise DataFormatError(
            rf.path,
            f"duplicate key ({first.indicator}, {first.iso3}, {first.year})"
            + (f" in rows {where}" if where else ""),
        )
    out = frame.assign(
        source=ds.id,
        vintage=rf.vintage or ds.vintage,
        note=frame["note"].fillna("") if "note" in frame else "",
        source_row=frame.get("_row", pd.NA),
    )
    out = out[OBSERVATION_COLUMNS]
    # the value column of each indicator, for plausibility errors to name
    out.attrs["columns"] = _Shared(frame.groupby("indicator")["_col"].first().to_dict()
                                   if "_col" in frame else {})
    return out


# --- parse cache: a file parsed and checked before by the same code is not parsed again ---
PARSE_CACHE_VERSION = "1"  # bump when what a cache entry holds changes
_FINGERPRINT_PACKAGES = ("pandas", "numpy", "duckdb", "country_converter", "pycountry",
                         "openpyxl", "xlrd")


@functools.cache
def code_fingerprint() -> str:
    """sha256 of everything a parse depends on besides the files: aigap's data package
    (parsers, checks, catalogue, country tables) and the versions of the libraries used."""
    from importlib import metadata

    import aigap.data

    h = hashlib.sha256(PARSE_CACHE_VERSION.encode())
    root = Path(aigap.data.__file__).parent
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    for name in _FINGERPRINT_PACKAGES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=absent".encode())
    return h.hexdigest()


def _parse_key(ds: Dataset, rf: ResolvedFile) -> str | None:
    """Cache key of a dataset's parse: code, dataset, vintage and the sha256 of every file it
    reads (its file or folder and its ``extra_files``); None when a file cannot be located."""
    h = hashlib.sha256(f"{code_fingerprint()}\0{ds.id}\0{rf.vintage or ds.vintage}".encode())
    h.update(sha256_path(rf.path).encode())
    if ds.extra_files:
        text = rf.path.as_posix()
        if not text.endswith(ds.relpath):  # a live download: extras are not beside it
            return None
        root = Path(text[: -len(ds.relpath)])
        for extra in ds.extra_files:
            h.update(sha256_path(root / extra).encode())
    return h.hexdigest()


def _parse_cached(ds: Dataset, rf: ResolvedFile,
                  records: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`_parse_dataset`, served from ``$AIGAP_HOME/cache/pull`` when the same files were
    parsed and checked by the same code before (key: :func:`_parse_key`).

    Safe because the key covers every input of the parse; only successful parses are stored,
    so a file that fails keeps failing. Entries are pickles in the user's own cache folder
    (exact round trip of dtypes and attrs); a broken entry is parsed again, an unwritable
    cache is skipped.
    """
    try:
        rf.path.stat()
        key = _parse_key(ds, rf)
        folder = config.cache_dir() / "pull"
    except OSError:  # an unreadable file (_parse_dataset names it) or a read-only home
        key = None
    if key is None:
        return _parse_dataset(ds, rf, records)
    target = folder / f"{ds.id}-{key}.pkl"
    if target.exists():
        try:
            frame, recs = pd.read_pickle(target)
        except Exception:  # a truncated or foreign entry: parse again
            target.unlink(missing_ok=True)
        else:
            if recs is not None:
                records[ds.id] = recs
            return frame
    frame = _parse_dataset(ds, rf, records)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        pd.to_pickle((frame, records.get(ds.id)), tmp)
        tmp.replace(target)  # atomic: a concurrent pull never reads half an entry
        for old in folder.glob(f"{glob.escape(ds.id)}-*.pkl"):  # this dataset's older parses
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return frame


class _Shared(dict):  # type: ignore[type-arg]
    """Read-only frame attrs: pandas deep-copies attrs in every operation; share them."""

    def __deepcopy__(self, memo: dict[int, object]) -> _Shared:
        return self


def _check_records(ds: Dataset, recs: pd.DataFrame) -> pd.DataFrame:
    assert ds.records is not None
    missing = [c for c in ds.records.table.column_names if c not in recs.columns]
    if missing or "_row" not in recs.columns:  # pragma: no cover - programming error
        raise RuntimeError(f"{ds.id}: records lack columns {missing or ['_row']}")
    return recs


def _check_units(frames: dict[str, pd.DataFrame], files: dict[str, Path]) -> None:
    """One unit per indicator, across all datasets that publish it."""
    seen: dict[str, tuple[str, str]] = {}
    for ds_id, fr in frames.items():
        # distinct pairs first: a groupby on every row of 80 frames cost seconds
        pairs = fr[["indicator", "unit"]].drop_duplicates()
        for ind, units in pairs.groupby("indicator", sort=False)["unit"].unique().items():
            if len(units) > 1:
                raise DataFormatError(files[ds_id],
                                      f"mixed units for {ind}: {sorted(units)}")
            unit = units[0]
            if ind in seen and seen[ind][0] != unit:
                raise DataFormatError(
                    files[ds_id],
                    f"unit {unit!r} for {ind} differs from {seen[ind][0]!r} in {seen[ind][1]}",
                )
            seen[ind] = (unit, ds_id)


@contextlib.contextmanager
def _write_lock(db_path: Path) -> Iterator[None]:
    # filelock: an OS lock (flock on POSIX, msvcrt on Windows) released if the process dies.
    lock = FileLock(db_path.with_suffix(db_path.suffix + ".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise WarehouseError(f"another pull is writing {db_path}; try again when it ends") \
            from None
    except OSError as exc:  # a read-only or full folder
        raise _write_failure(db_path, exc) from None
    try:
        yield
    finally:
        lock.release()


def pull(
    *,
    db_path: Path | None = None,
    data_dir: Path | None = None,
    datasets: Sequence[str] | None = None,
    resolver: Callable[[Dataset], ResolvedFile | str] | None = None,
    progress: Progress | None = None,
    accept_outliers: str | Path | None = None,
    parse_cache: bool = True,
) -> PullReport:
    """Load datasets into the warehouse, all or nothing.

    ``datasets`` restricts the pull to some dataset ids (others keep their rows). The data
    come from the mirror (``data_dir``, default :func:`aigap.config.data_dir`) unless a
    ``resolver`` says where each file is (live downloads); a resolver that returns a string
    instead of a file skips that dataset, the string being the reason.

    Every cell passes :mod:`aigap.data.validate`; values its plausibility rules flag stop the
    pull unless waived in the catalogue or listed in ``accept_outliers`` (a YAML file, see
    :func:`aigap.data.validate.read_accepted`); both are recorded in ``exceptions``.

    ``parse_cache``: reuse the checked frames of a file parsed before by the same code (see
    :func:`_parse_cached`); False parses every file again.
    """
    db_path = Path(db_path) if db_path else config.default_db_path()
    accepted = validate.read_accepted(accept_outliers) if accept_outliers else []
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_failure(db_path, exc) from None
    chosen = list(all_datasets())
    if datasets:
        known = {d.id for d in chosen}
        bad = [d for d in datasets if d not in known]
        if bad:
            raise AigapError(f"unknown dataset(s) {bad}; `aigap data sources --all` lists them")
        chosen = [d for d in chosen if d.id in set(datasets)]
    if resolver is None:
        resolver = mirror_resolver(Path(data_dir) if data_dir else config.data_dir())

    report = PullReport(db_path)
    frames: dict[str, pd.DataFrame] = {}
    records: dict[str, pd.DataFrame] = {}
    files: dict[str, ResolvedFile] = {}
    total = len(chosen) + 1
    for i, ds in enumerate(chosen):
        if progress:
            progress(f"parse {ds.id}", i, total)
        rf = resolver(ds)
        if isinstance(rf, str):
            report.skipped.append((ds.id, rf))
            continue
        if rf.warning:
            report.warnings.append((ds.id, rf.warning))
        files[ds.id] = rf
        frames[ds.id] = _parse_cached(ds, rf, records) if parse_cache else \
            _parse_dataset(ds, rf, records)
    chosen = [ds for ds in chosen if ds.id in frames]
    if not chosen:
        raise AigapError("nothing to pull: " + "; ".join(f"{d}: {r}" for d, r in report.skipped))
    _check_units(frames, {k: v.path for k, v in files.items()})

    with _write_lock(db_path):
        if progress:
            progress("write warehouse", len(chosen), total)
        tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
        _remove_stale_temps(db_path)
        try:
            if db_path.exists():
                shutil.copyfile(db_path, tmp)
            con = duckdb.connect(str(tmp))
            try:
                _write(con, chosen, frames, files, records)
                _check_plausible(con, chosen, frames, files, accepted, report)
            finally:
                con.close()
            os.replace(tmp, db_path)
        except (OSError, duckdb.Error) as exc:
            raise _write_failure(db_path, exc) from None
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        if progress:
            progress("done", total, total)
    report.loaded = [(ds.id, len(records[ds.id] if ds.records_only else frames[ds.id]))
                     for ds in chosen]
    return report


def _write(
    con: duckdb.DuckDBPyConnection,
    chosen: Sequence[Dataset],
    frames: dict[str, pd.DataFrame],
    files: dict[str, ResolvedFile],
    records: dict[str, pd.DataFrame] | None = None,
) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(SCHEMA)
        con.execute(SCHEMA_EDITIONS)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        cat = catalogue_frame()  # noqa: F841 - read by DuckDB's replacement scan
        con.execute("DELETE FROM indicators")
        con.execute("INSERT INTO indicators SELECT * FROM cat")
        ctab = ctry.country_table()  # noqa: F841
        con.execute("DELETE FROM countries")
        con.execute("INSERT INTO countries SELECT iso3, iso2, name_en, name_ko, groups FROM ctab")
        mem = pd.DataFrame([vars(m) for m in ctry.memberships()])  # noqa: F841
        con.execute("DELETE FROM memberships")
        con.execute("INSERT INTO memberships SELECT \"group\", iso3, since, until FROM mem")
        # every declared record table exists whichever datasets this pull chose
        for table in {ds.records.table.name: ds.records.table for ds in all_datasets()
                      if ds.records is not None}.values():
            _create_record_table(con, table)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        plain = [ds for ds in chosen
                 if not _write_beside(con, ds, frames[ds.id], files[ds.id], now,
                                      (records or {}).get(ds.id))]
        _write_observations_bulk(con, plain, frames, files, now)
        for ds in plain:
            if records and ds.id in records:
                rf = files[ds.id]
                _write_records(con, ds, records[ds.id], rf.vintage or ds.vintage)
        con.execute("COMMIT")
    except BaseException:
        # After an I/O error (disk full) DuckDB has already aborted the transaction.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


def _write_observations_bulk(
    con: duckdb.DuckDBPyConnection,
    chosen: Sequence[Dataset],
    frames: dict[str, pd.DataFrame],
    files: dict[str, ResolvedFile],
    now: dt.datetime,
) -> None:
    """The observations, vintages and sources rows of ordinary datasets, in a few statements.

    One statement per table rather than per dataset: each DuckDB statement on the store
    costs ~10 ms whatever its size, which made a re-pull of 80+ datasets spend seconds in
    DELETEs. Same rules as one dataset at a time: a dataset replaces its own rows, and a key
    another source (stored, or earlier in this pull) already holds is an error naming it.
    """
    if not chosen:
        return
    ids = [ds.id for ds in chosen]
    parts = [frames[i] for i in ids if len(frames[i])] or [frames[ids[0]]]
    # column by column through NumPy: pandas' concat of 80 frames with object and all-NA
    # columns is slow, and source_row is all-NA in some frames
    new = pd.DataFrame({c: np.concatenate([p[c].to_numpy(dtype=float, na_value=np.nan)
                                           if c == "source_row" else p[c].to_numpy()
                                           for p in parts])
                        for c in parts[0].columns})
    new["source_row"] = pd.array(new["source_row"].to_numpy(), dtype="Int64")
    dup = new.duplicated(["indicator", "iso3", "year"], keep=False)
    if dup.any():  # two datasets of this pull (each is unique in itself)
        d = new[dup]
        first = d.iloc[0]
        same = d[(d.indicator == first.indicator) & (d.iso3 == first.iso3)
                 & (d.year == first.year)]
        later = same.iloc[-1]
        raise DataFormatError(
            files[later.source].path,
            f"({first.indicator}, {first.iso3}, {first.year}) is already loaded from "
            f"{same.iloc[0].source}; one number per indicator, country and year")
    con.execute("DELETE FROM observations WHERE source IN (SELECT unnest(?))", [ids])
    con.register("_new_obs", new)
    try:
        clash = con.execute(
            "SELECT o.indicator, o.iso3, o.year, o.source, n.source FROM observations o "
            "JOIN _new_obs n USING (indicator, iso3, year) LIMIT 1").fetchone()
        if clash:
            raise DataFormatError(
                files[clash[4]].path,
                f"({clash[0]}, {clash[1]}, {clash[2]}) is already loaded from {clash[3]}; "
                "one number per indicator, country and year")
        con.execute("INSERT INTO observations SELECT * FROM _new_obs")
        keys = pd.DataFrame({"source": ids, "vintage": [files[i].vintage or ds.vintage
                                                        for i, ds in zip(ids, chosen,
                                                                         strict=True)]})
        con.register("_keys", keys)
        con.execute("DELETE FROM observation_vintages v WHERE EXISTS (SELECT 1 FROM _keys k "
                    "WHERE k.source = v.source AND k.vintage = v.vintage)")
        con.execute("INSERT INTO observation_vintages SELECT * FROM _new_obs")
        con.unregister("_keys")
    finally:
        con.unregister("_new_obs")
    _write_sources_bulk(con, chosen, {i: len(frames[i]) for i in ids}, files, now)


def _write_sources_bulk(con: duckdb.DuckDBPyConnection, chosen: Sequence[Dataset],
                        rows: dict[str, int], files: dict[str, ResolvedFile],
                        now: dt.datetime) -> None:
    """The ``sources`` and ``source_vintages`` rows of many datasets (as
    :func:`_write_source` writes one)."""
    tab = pd.DataFrame([{
        "id": ds.id, "publisher": ds.publisher, "file": ds.relpath,
        "sha256": sha256_path(files[ds.id].path), "vintage": files[ds.id].vintage or ds.vintage,
        "vintage_inferred": ds.vintage_inferred, "flags": "\x1f".join(source_flags(ds)),
        "licence": ds.licence, "rows": rows[ds.id], "origin": files[ds.id].origin,
        "url": files[ds.id].url, "loaded_at": now} for ds in chosen])
    tab["url"] = tab["url"].astype(object)
    con.register("_src", tab)
    try:
        con.execute("DELETE FROM sources WHERE id IN (SELECT id FROM _src)")
        con.execute(
            "INSERT INTO sources SELECT id, publisher, file, sha256, vintage, vintage_inferred, "
            "CASE WHEN flags = '' THEN []::VARCHAR[] ELSE string_split(flags, chr(31)) END, "
            "licence, CAST(rows AS INTEGER), origin, CAST(url AS VARCHAR), "
            "CAST(loaded_at AS TIMESTAMP) FROM _src")
        con.execute("INSERT OR REPLACE INTO source_vintages SELECT id, vintage, file, sha256, "
                    "CAST(rows AS INTEGER), origin, CAST(url AS VARCHAR), "
                    "CAST(loaded_at AS TIMESTAMP) FROM _src")
    finally:
        con.unregister("_src")


def _write_records(con: duckdb.DuckDBPyConnection, ds: Dataset, recs: pd.DataFrame,
                   vintage: str) -> None:
    """Replace the dataset's rows of its record table."""
    assert ds.records is not None
    t = ds.records.table
    frame = recs[t.column_names].assign(  # noqa: F841 - read by DuckDB's replacement scan
        source=ds.id, source_row=recs["_row"].astype("Int64"),
        vintage=recs.get("vintage", vintage))
    casts = ", ".join(f'CAST("{c.name}" AS {c.type}) AS "{c.name}"' for c in t.columns)
    con.execute(f'DELETE FROM "{t.name}" WHERE source = ?', [ds.id])
    con.execute(f'INSERT INTO "{t.name}" BY NAME SELECT source, vintage, '
                f"CAST(source_row AS INTEGER) AS source_row, {casts} FROM frame")
    con.execute("INSERT OR REPLACE INTO record_tables VALUES (?, ?, ?)",
                [t.name, t.description, t.country])
    con.execute("DELETE FROM record_columns WHERE table_name = ?", [t.name])
    con.executemany("INSERT INTO record_columns VALUES (?, ?, ?, ?, ?)",
                    [[t.name, c.name, c.type, c.description, i]
                     for i, c in enumerate(t.columns)])


def _create_record_table(con: duckdb.DuckDBPyConnection, t: RecordTable) -> None:
    """Create a record table, or give an existing one the columns it lacks (a newer aigap may
    add columns; old rows get NULL)."""
    cols = ", ".join(f'"{c.name}" {c.type}' for c in t.columns)
    con.execute(f'CREATE TABLE IF NOT EXISTS "{t.name}" ({cols}, '
                + ", ".join(f"{n} {typ}" for n, typ in RECORD_PLUMBING) + ")")
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [t.name]
    ).fetchall()}
    wanted = [(c.name, c.type) for c in t.columns] + [
        (n, typ.removesuffix(" NOT NULL")) for n, typ in RECORD_PLUMBING]
    for name, typ in wanted:
        if name not in have:
            con.execute(f'ALTER TABLE "{t.name}" ADD COLUMN "{name}" {typ}')


def source_flags(ds: Dataset) -> list[str]:
    """The flags the sources table records: the dataset's, plus ``inferred-vintage``."""
    return [*ds.flags, *(["inferred-vintage"] if ds.vintage_inferred else [])]


def _write_beside(con: duckdb.DuckDBPyConnection, ds: Dataset, frame: pd.DataFrame,
                  rf: ResolvedFile, now: dt.datetime, recs: pd.DataFrame | None = None) -> bool:
    """Write a dataset that does not go to observations (records only, or kept as a vintage
    only); False for an ordinary dataset."""
    if ds.records_only:
        assert recs is not None
        _write_records(con, ds, recs, rf.vintage or ds.vintage)
        _write_source(con, ds, rf, len(recs), now)
        return True
    if VINTAGE_ONLY in ds.flags:
        con.execute("DELETE FROM observations WHERE source = ?", [ds.id])
        _write_vintage(con, ds, frame, rf, now)
        return True
    return False


def _write_vintage(con: duckdb.DuckDBPyConnection, ds: Dataset, obs: pd.DataFrame,
                   rf: ResolvedFile, now: dt.datetime) -> None:
    """This pull's rows as one vintage of the source (replacing the same vintage), + sources."""
    vintage = rf.vintage or ds.vintage
    con.execute("DELETE FROM observation_vintages WHERE source = ? AND vintage = ?",
                [ds.id, vintage])
    con.execute("INSERT INTO observation_vintages SELECT * FROM obs")
    _write_source(con, ds, rf, len(obs), now)


def _write_source(con: duckdb.DuckDBPyConnection, ds: Dataset, rf: ResolvedFile, rows: int,
                  now: dt.datetime) -> None:
    vintage = rf.vintage or ds.vintage
    sha = sha256_path(rf.path)  # a folder dataset: the sha256 of its manifest
    con.execute("DELETE FROM sources WHERE id = ?", [ds.id])
    con.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [ds.id, ds.publisher, ds.relpath, sha, vintage, ds.vintage_inferred, source_flags(ds),
         ds.licence, rows, rf.origin, rf.url, now],
    )
    con.execute("INSERT OR REPLACE INTO source_vintages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [ds.id, vintage, ds.relpath, sha, rows, rf.origin, rf.url, now])


# --- reliability: plausibility, temp files, clean failures -----------------------------------

EXCEPTIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS exceptions (
    dataset VARCHAR, indicator VARCHAR, iso3 VARCHAR, year INTEGER, value DOUBLE,
    rule VARCHAR, evidence VARCHAR, reason VARCHAR, origin VARCHAR, recorded_at TIMESTAMP
);
"""


def _check_plausible(
    con: duckdb.DuckDBPyConnection,
    chosen: Sequence[Dataset],
    frames: dict[str, pd.DataFrame],
    files: dict[str, ResolvedFile],
    accepted: Sequence[validate.Accepted],
    report: PullReport,
) -> None:
    """Run the plausibility rules on the store about to be swapped in (``con``, the copy):
    raise with the evidence, or record what was let through in ``exceptions``.

    Earlier reviewed values (origin ``accepted ...``) stay accepted while unchanged.
    """
    con.execute(EXCEPTIONS_SCHEMA)
    # observations only: records-only rows and a kept vintage are not current values
    ids = [ds.id for ds in chosen if not ds.records_only and VINTAGE_ONLY not in ds.flags]
    if not ids:
        return
    cols = ["indicator", "iso3", "year", "value", "unit", "source", "source_row"]
    parts = [frames[i] for i in ids if len(frames[i])]
    new = pd.DataFrame({c: np.concatenate([  # numpy: source_row may be all-NA in a frame
        p[c].to_numpy(dtype=float, na_value=np.nan) if c == "source_row" else p[c].to_numpy()
        for p in parts]) for c in cols})
    # the store's other rows that the new ones are judged with (none in a full pull)
    old = con.execute(
        f"SELECT {', '.join(cols)} FROM observations WHERE source NOT IN (SELECT unnest(?)) "
        "AND indicator IN (SELECT unnest(?))",
        [ids, sorted(set(new["indicator"]) | validate.related_indicators())]).df()
    obs = pd.concat([new, old], ignore_index=True) if len(old) else new
    paths = dict(con.execute("SELECT id, file FROM sources").fetchall())
    paths.update({k: str(v.path) for k, v in files.items()})
    stored = [
        validate.Accepted(*r[:4], reason=r[4], origin=r[5], value=r[6])
        for r in con.execute("SELECT dataset, indicator, iso3, year, reason, origin, value "
                             "FROM exceptions WHERE origin LIKE 'accepted%'").fetchall()
    ]
    signed, waivers = validate.catalogue_rules(all_datasets())
    found = validate.find_outliers(obs, touched=ids, signed=signed, files=paths)
    columns = {(ds_id, ind): col for ds_id, fr in frames.items()
               for ind, col in fr.attrs.get("columns", {}).items()}
    found = [replace(o, column=columns.get((o.dataset, o.indicator))) for o in found]
    decision = validate.decide(found, waivers, [*accepted, *stored])
    if decision.rejected:
        raise validate.PlausibilityError(decision.rejected)
    for acc in decision.unused:
        report.warnings.append((acc.dataset, f"accepted outlier {acc.indicator} {acc.iso3} "
                                f"{acc.year} matches no flagged value (ignored)"))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rows = {}
    for o, key, value, reason, origin in decision.let_through:
        rows[(*key, o.rule)] = [*key, value, o.rule, o.evidence, reason, origin, now]
        report.exceptions.append((key[0], " ".join(map(str, key[1:])), reason, origin))
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM exceptions WHERE dataset IN (SELECT unnest(?))", [ids])
    for row in rows.values():
        con.execute("DELETE FROM exceptions WHERE dataset = ? AND indicator = ? AND iso3 = ? "
                    "AND year = ? AND rule = ?", [*row[:4], row[5]])
    if rows:
        con.executemany("INSERT INTO exceptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        list(rows.values()))
    con.execute("COMMIT")


def _remove_stale_temps(db_path: Path) -> None:
    """Remove the temp copies (``.<name>.<pid>.tmp[.wal]``) that pulls killed mid-way left."""
    prefix = f".{db_path.name}."
    for tmp in db_path.parent.glob(f"{glob.escape(prefix)}*.tmp*"):
        pid = tmp.name[len(prefix):].split(".")[0]
        if pid.isdigit() and (int(pid) == os.getpid() or not psutil.pid_exists(int(pid))):
            tmp.unlink(missing_ok=True)


def _write_failure(db_path: Path, exc: OSError | duckdb.Error) -> AigapError:
    """One line for a pull that could not write (the store is untouched)."""
    if isinstance(exc, OSError):
        code, why = exc.errno, exc.strerror or str(exc)
        if exc.filename and Path(exc.filename).parent != db_path.parent:
            return DataFormatError(exc.filename, f"cannot read file: {why}")
    else:  # DuckDB reports I/O errors as text
        why = str(exc).splitlines()[0]
        code = next((c for c, text in _DUCKDB_ERRNO.items() if text in why), None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return WarehouseError(f"no space left to write the warehouse in {db_path.parent} "
                              f"({why}); the store is unchanged. Free some space, or set "
                              "AIGAP_HOME (or --db) to another disk")
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return config.not_writable(db_path.parent, why)
    return WarehouseError(f"cannot write the warehouse {db_path}: {why}; the store is unchanged")


_DUCKDB_ERRNO = {errno.ENOSPC: "No space left", errno.EROFS: "Read-only file system",
                 errno.EACCES: "Permission denied"}


class Warehouse:
    """Read access to a warehouse file (``Warehouse.open()`` for the default one)."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection) -> None:
        self.path = path
        self.con = con

    @classmethod
    def open(cls, path: str | Path | None = None) -> Warehouse:
        path = Path(path) if path else config.default_db_path()
        if not path.exists():
            raise WarehouseError(f"no warehouse at {path}: run `aigap data pull` first")
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None
        return cls(path, con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _df(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    # --- catalogue and metadata -------------------------------------------------------
    def indicators(self, pillar: str | None = None) -> pd.DataFrame:
        """The catalogue, with how many observations, countries and years each has."""
        df = self._df(
            "SELECT i.*, count(o.value) AS n_obs, count(DISTINCT o.iso3) AS n_countries, "
            "min(o.year) AS first_year, max(o.year) AS last_year FROM indicators i "
            "LEFT JOIN observations o ON o.indicator = i.code GROUP BY ALL ORDER BY i.pillar, "
            "i.code"
        )
        if pillar:
            match = df["pillar"].str.lower() == pillar.lower()
            if not match.any():
                pillars = sorted(df["pillar"].unique())
                raise AigapError(f"unknown pillar {pillar!r}; pillars: {', '.join(pillars)}")
            df = df[match]
        return df.reset_index(drop=True)

    def indicator(self, code: str) -> dict[str, object]:
        """One catalogue row (no coverage columns: cheap enough for every analysis call)."""
        df = self._df("SELECT * FROM indicators WHERE code = ?", [code])
        if df.empty:
            codes = [r[0] for r in self.con.execute("SELECT code FROM indicators").fetchall()]
            check_indicators([code], codes)  # raises, naming near matches
        return df.iloc[0].to_dict()

    def countries(self, group: str | None = None, year: int | None = None) -> pd.DataFrame:
        df = self._df("SELECT * FROM countries ORDER BY iso3")
        if group:
            members = set(ctry.group_members(group, year))
            df = df[df["iso3"].isin(members)].reset_index(drop=True)
        return df

    def sources(self) -> pd.DataFrame:
        return self._df("SELECT * FROM sources ORDER BY id")

    def exceptions(self) -> pd.DataFrame:
        """Values the plausibility checks flagged and let through (waived or accepted)."""
        if not self._has("exceptions"):
            return pd.DataFrame(columns=["dataset", "indicator", "iso3", "year", "value",
                                         "rule", "evidence", "reason", "origin",
                                         "recorded_at"])
        return self._df("SELECT * FROM exceptions ORDER BY dataset, indicator, iso3, year")

    def country_names(self, lang: str = "en") -> dict[str, str]:
        col = "name_ko" if lang == "ko" else "name_en"
        return dict(self.con.execute(f"SELECT iso3, {col} FROM countries").fetchall())

    # --- data ---------------------------------------------------------------------------
    def panel(
        self,
        indicators: Iterable[str],
        countries: Iterable[str] | None = None,
        years: Iterable[int] | None = None,
    ) -> pd.DataFrame:
        """Tidy observations with unit, source and vintage (one row per indicator/country/year)."""
        codes = check_indicators(
            list(indicators), [r[0] for r in self.con.execute("SELECT code FROM indicators")
                               .fetchall()]
        )
        sql = ("SELECT o.indicator, o.iso3, c.name_en AS country, o.year, o.value, o.unit, "
               "o.source, o.vintage, o.note FROM observations o LEFT JOIN countries c USING "
               "(iso3) WHERE o.indicator IN (SELECT unnest(?))")
        params: list[object] = [codes]
        if countries is not None:
            sql += " AND o.iso3 IN (SELECT unnest(?))"
            params.append(ctry.check_iso3(countries))
        if years is not None:
            sql += " AND o.year IN (SELECT unnest(?))"
            params.append([int(y) for y in years])
        sql += " ORDER BY o.indicator, o.iso3, o.year"
        return self._df(sql, params)

    def wide(self, indicators: Iterable[str], year: int | None = None) -> pd.DataFrame:
        """Units x indicators for one year (or the latest year each indicator has)."""
        codes = list(indicators)
        df = self.panel(codes, years=[year] if year is not None else None)
        if year is None:
            df = df.sort_values("year").groupby(["indicator", "iso3"], as_index=False).last()
        out = df.pivot(index="iso3", columns="indicator", values="value")
        return out.reindex(columns=codes)

    # --- record tables ------------------------------------------------------------------
    def record_tables(self) -> pd.DataFrame:
        """Every record table: description, country column, rows, sources, vintages, columns."""
        tables = self._df("SELECT * FROM record_tables ORDER BY name") if self._has(
            "record_tables") else pd.DataFrame(columns=["name", "description",
                                                        "country_column"])
        rows = []
        for t in tables.itertuples():
            stats = self.con.execute(
                f'SELECT count(*), list(DISTINCT source ORDER BY source), '
                f'list(DISTINCT vintage ORDER BY vintage) FROM "{t.name}"').fetchone()
            cols = [r[0] for r in self.con.execute(
                "SELECT column_name FROM record_columns WHERE table_name = ? ORDER BY "
                "position", [t.name]).fetchall()]
            assert stats is not None
            rows.append({"table": t.name, "description": t.description,
                         "country_column": t.country_column, "rows": int(stats[0]),
                         "sources": list(stats[1]), "vintages": list(stats[2]),
                         "columns": cols})
        return pd.DataFrame(rows, columns=["table", "description", "country_column", "rows",
                                           "sources", "vintages", "columns"])

    def record_columns(self, table: str) -> pd.DataFrame:
        """Name, type and meaning of each column of a record table."""
        self._record_table(table)
        return self._df("SELECT column_name AS column, type, description FROM record_columns "
                        "WHERE table_name = ? ORDER BY position", [table])

    def records(
        self,
        table: str,
        *,
        country: str | Iterable[str] | None = None,
        vintage: str | Iterable[str] | None = None,
        columns: Sequence[str] | None = None,
        where: Mapping[str, object] | None = None,
    ) -> pd.DataFrame:
        """Rows of a record table (``record_tables()`` lists them with their vintages).

        ``country``: ISO3 code(s); for tables whose records list several countries (Epoch
        models) a record matches when any of its countries does. ``vintage``: one or more of
        the table's vintages (default: all; every row carries its ``vintage`` and
        ``source``). ``columns``: the data columns to return (default: all, then source,
        vintage, source_row). ``where``: column -> value (equality), list/tuple/set of values
        (any of them) or None (missing); on a list column, a value matches rows whose list
        holds it. Everything is validated and passed as parameters, never pasted into SQL.
        """
        info = self._record_table(table)
        known = info["columns"] + ["source", "vintage", "source_row"]
        types = dict(self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name "
            "= ?", [table]).fetchall())
        chosen = known if columns is None else _check_columns(table, list(columns), known)
        clauses: list[str] = []
        params: list[object] = []
        if country is not None:
            codes = ctry.check_iso3([country] if isinstance(country, str) else country)
            col = info["country_column"]
            clauses.append(f'list_has_any("{col}", ?::VARCHAR[])' if types[col].endswith("[]")
                           else f'"{col}" IN (SELECT unnest(?::VARCHAR[]))')
            params.append(codes)
        if vintage is not None:
            wanted = [vintage] if isinstance(vintage, str) else list(vintage)
            bad = [v for v in wanted if v not in info["vintages"]]
            if bad:
                raise WarehouseError(
                    f"table {table!r} has no vintage {', '.join(map(repr, bad))}; its vintages: "
                    + "; ".join(info["vintages"]))
            clauses.append("vintage IN (SELECT unnest(?::VARCHAR[]))")
            params.append(wanted)
        for col, value in (where or {}).items():
            _check_columns(table, [col], known)
            is_list = types[col].endswith("[]")
            if value is None:
                clauses.append(f'"{col}" IS NULL')
            elif isinstance(value, list | tuple | set | frozenset):
                vals = list(value)
                clauses.append(f'list_has_any("{col}", ?)' if is_list
                               else f'"{col}" IN (SELECT unnest(?))')
                params.append(vals)
            else:
                clauses.append(f'list_contains("{col}", ?)' if is_list else f'"{col}" = ?')
                params.append(value)
        sql = (f'SELECT {_quoted(chosen)} FROM "{table}"'
               + (" WHERE " + " AND ".join(clauses) if clauses else "")
               + " ORDER BY source, vintage, source_row")
        try:
            return self._df(sql, params)
        except duckdb.Error as exc:  # e.g. a where value of the wrong type for its column
            raise WarehouseError(f"cannot filter {table!r} with {dict(where or {})}: "
                                 f"{exc}") from None

    def _has(self, table: str, *, required: bool = False) -> bool:
        """Whether the store has ``table``; ``required``: raise, naming the fix, if not."""
        found = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        if found and found[0]:
            return True
        if required:
            raise WarehouseError(f"{self.path} has no {table} table (pulled by an older aigap): "
                                 "run `aigap data pull` again")
        return False

    def _record_table(self, table: str) -> dict[str, object]:
        tabs = self.record_tables()
        match = tabs[tabs["table"] == table]
        if match.empty:
            listed = "; ".join(f"{r.table} ({', '.join(r.vintages)})" for r in tabs.itertuples())
            raise WarehouseError(
                f"unknown record table {table!r}; "
                + (f"tables: {listed}" if listed else
                   "this warehouse has none: run `aigap data pull`"))
        return match.iloc[0].to_dict()



    # --- published ranks, source flags, vintages --------------------------------------------
    def published_ranks(self, unit: str | None = None, index: str | None = None
                        ) -> pd.DataFrame:
        """Headline ranks as the publishers released them, each with the article reporting it.

        ``unit``: an ISO3 code or an aggregate unit (EUU); ``index``: part of an index name,
        any case ("oxford", "Tortoise"). Aggregate units are marked in ``aggregate``.
        """
        self._has("published_ranks", required=True)
        # a record table; its vintage is the source's (in `sources`), not a column here
        cols = [r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'published_ranks' AND column_name <> 'vintage' ORDER BY ordinal_position"
        ).fetchall()]
        sql = f"SELECT {_quoted(cols)} FROM published_ranks WHERE true"
        params: list[object] = []
        if unit is not None:
            sql += " AND iso3 = ?"
            params.append(ctry.check_unit(unit))
        if index is not None:
            names = [r[0] for r in self.con.execute(
                'SELECT DISTINCT "index" FROM published_ranks ORDER BY 1').fetchall()]
            if not any(index.lower() in n.lower() for n in names):
                raise AigapError(f"no published index matches {index!r}; indices: "
                                 + "; ".join(names))
            sql += ' AND lower("index") LIKE ?'
            params.append(f"%{index.lower()}%")
        sql += ' ORDER BY "index", published DESC, level <> \'overall\', level, rank'
        return self._df(sql, params)

    def flags_for(self, indicator: str, unit: str | None = None, year: int | None = None
                  ) -> dict[str, tuple[str, ...]]:
        """Sources of the matching observations and their flags (``unverified``, ``draft``,
        ``low-confidence``, ``inferred-vintage`` ...; meanings in
        :data:`aigap.data.sources.base.FLAG_MEANINGS`). Empty when nothing matches.

        ``set().union(*wh.flags_for("gov_ai_readiness_2025", "KOR").values())`` gives the
        flags an analysis or the report must show beside the value.
        """
        self.indicator(indicator)  # unknown code -> error naming near matches
        sql = ("SELECT DISTINCT o.source, s.flags FROM observations o JOIN sources s "
               "ON s.id = o.source WHERE o.indicator = ?")
        params: list[object] = [indicator]
        if unit is not None:
            sql += " AND o.iso3 = ?"
            params.append(ctry.check_iso3([unit])[0])
        if year is not None:
            sql += " AND o.year = ?"
            params.append(int(year))
        rows = self.con.execute(sql + " ORDER BY 1", params).fetchall()
        return {src: tuple(flags or ()) for src, flags in rows}

    def vintages(self) -> pd.DataFrame:
        """Every vintage held, by source family (oldest first): datasets, values, years."""
        self._has("observation_vintages", required=True)
        df = self._df(
            "SELECT source, vintage, count(*) AS n_obs, min(year) AS first_year, "
            "max(year) AS last_year FROM observation_vintages GROUP BY ALL")
        df.insert(0, "family", df["source"].map(vint.family))
        out = (df.groupby(["family", "vintage"], as_index=False)
               .agg(datasets=("source", lambda s: sorted(s)), n_obs=("n_obs", "sum"),
                    first_year=("first_year", "min"), last_year=("last_year", "max")))
        out["_key"] = out["vintage"].map(vint.vintage_key)
        return (out.sort_values(["family", "_key"]).drop(columns="_key")
                .reset_index(drop=True))

    def diff(
        self,
        *,
        source: str | None = None,
        indicator: str | None = None,
        unit: str | None = None,
        old: str | None = None,
        new: str | None = None,
        all_indicators: bool = False,
        unchanged: bool = False,
        by: str = "year",
    ) -> pd.DataFrame:
        """What changed between two vintages of a source family or of an indicator.

        ``source``: a family (``aiindex``, ``oxford``, ``epoch`` ...) or a dataset id;
        ``indicator``: an indicator code (with ``source`` too: that indicator within it).
        ``old``/``new``: vintages (exact, or a part of one that names a single vintage);
        default the two newest. Rows: added, removed and revised values (old, new, difference);
        by default only indicators that both vintages publish (``all_indicators`` for all).
        ``by``: "year" (the same indicator, country and year) or "edition" (the same indicator
        and country, for editions that hold one year each: an index's 2023 vs 2024 edition).
        ``df.attrs`` holds ``old``, ``new``, ``vintages``, the count of ``unchanged`` values and
        ``shared`` (how many indicators both vintages publish).
        """
        if source is None and indicator is None:
            raise AigapError("name a source (--source) or an indicator (--indicator)")
        self._has("observation_vintages", required=True)
        held = self.vintages()
        rows = self._df("SELECT v.*, list_contains(s.flags, ?) AS side FROM "
                        "observation_vintages v LEFT JOIN sources s ON s.id = v.source",
                        [VINTAGE_ONLY])
        rows["family"] = rows["source"].map(vint.family)
        what = []
        if source is not None:
            families = held.groupby("family")["vintage"].nunique()
            if source in set(rows["source"]):
                rows = rows[rows["source"] == source]
            elif source in families.index:
                rows = rows[rows["family"] == source]
            else:
                listed = ", ".join(f"{f} ({n} vintage{'s' if n > 1 else ''})"
                                   for f, n in families.items())
                raise AigapError(f"unknown source {source!r}; sources: {listed}")
            what.append(source)
        if indicator is not None:
            check_indicators([indicator], [r[0] for r in self.con.execute(
                "SELECT code FROM indicators").fetchall()])
            rows = rows[rows["indicator"] == indicator]
            what.append(indicator)
        label = " / ".join(what)
        held_v = sorted(rows["vintage"].unique(), key=vint.vintage_key)
        if len(held_v) < 2:
            multi = held.groupby("family")["vintage"].nunique()
            multi = ", ".join(f"{f} ({n})" for f, n in multi[multi > 1].items()) or "none"
            have = f"one vintage ({held_v[0]})" if held_v else "no values"
            raise AigapError(f"{label} has {have} in the warehouse: nothing to compare; "
                             f"sources with two or more vintages: {multi}")
        v_old = _pick_vintage(old, held_v, "old") if old else held_v[-2]
        v_new = _pick_vintage(new, held_v, "new") if new else held_v[-1]
        if v_old == v_new:
            raise AigapError(f"old and new are the same vintage ({v_old})")
        if unit is not None:
            rows = rows[rows["iso3"] == ctry.check_iso3([unit])[0]]
        # one value per key in each vintage: the current observation's dataset first
        rows = rows.sort_values(["side", "source"]).drop_duplicates(
            ["vintage", *vint.KEY], keep="first")
        a = rows[rows["vintage"] == v_old]
        b = rows[rows["vintage"] == v_new]
        both = set(a["indicator"]) & set(b["indicator"])
        if not all_indicators:
            a, b = a[a["indicator"].isin(both)], b[b["indicator"].isin(both)]
        out = vint.diff(a, b, unchanged=True, by=by)
        n_same = int((out["change"] == "unchanged").sum())
        if not unchanged:
            out = out[out["change"] != "unchanged"].reset_index(drop=True)
        out.attrs.update(old=v_old, new=v_new, vintages=held_v, unchanged=n_same,
                         label=label, shared=len(both))
        return out




def _quoted(columns: Iterable[str]) -> str:
    """A select list of quoted column names (validated names only: never user text)."""
    return ", ".join(f'"{c}"' for c in columns)


def _check_columns(table: str, wanted: list[str], known: list[str]) -> list[str]:
    bad = [c for c in wanted if c not in known]
    if bad:
        raise WarehouseError(f"table {table!r} has no column {near_matches(bad, known)}; "
                             "columns: " + ", ".join(known))
    return wanted


def _pick_vintage(text: str, held: Sequence[str], which: str) -> str:
    """A vintage named exactly, or by a part that matches one vintage only."""
    if text in held:
        return text
    hits = [v for v in held if text.lower() in v.lower()]
    if len(hits) == 1:
        return hits[0]
    raise AigapError(f"--{which} {text!r} matches {len(hits) or 'no'} vintage(s); vintages: "
                     + "; ".join(held))
