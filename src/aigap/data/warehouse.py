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
import glob
import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pandas as pd
import psutil
from filelock import FileLock, Timeout

from aigap import config
from aigap.data import countries as ctry
from aigap.data import validate
from aigap.data.catalogue import catalogue_frame, check_indicators
from aigap.data.sources import all_datasets
from aigap.data.sources.base import Dataset
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
"""


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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def mirror_resolver(data_dir: Path) -> Callable[[Dataset], ResolvedFile]:
    def resolve(ds: Dataset) -> ResolvedFile:
        return ResolvedFile(data_dir / ds.relpath)

    return resolve


def _parse_dataset(ds: Dataset, rf: ResolvedFile) -> pd.DataFrame:
    try:
        rf.path.stat()
    except FileNotFoundError:
        raise DataFormatError(rf.path, f"file of dataset {ds.id!r} not found") from None
    except OSError as exc:  # a symlink loop, a folder without permission ...
        raise DataFormatError(rf.path, f"cannot read the file of dataset {ds.id!r}: "
                              f"{exc.strerror or exc}") from None
    try:
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
    out = out[["indicator", "iso3", "year", "value", "unit", "source", "vintage", "note",
               "source_row"]]
    # the value column of each indicator, for plausibility errors to name
    out.attrs["columns"] = (frame.groupby("indicator")["_col"].first().to_dict()
                            if "_col" in frame else {})
    return out


def _check_units(frames: dict[str, pd.DataFrame], files: dict[str, Path]) -> None:
    """One unit per indicator, across all datasets that publish it."""
    seen: dict[str, tuple[str, str]] = {}
    for ds_id, fr in frames.items():
        for ind, units in fr.groupby("indicator")["unit"].unique().items():
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
) -> PullReport:
    """Load datasets into the warehouse, all or nothing.

    ``datasets`` restricts the pull to some dataset ids (others keep their rows). The data
    come from the mirror (``data_dir``, default :func:`aigap.config.data_dir`) unless a
    ``resolver`` says where each file is (live downloads); a resolver that returns a string
    instead of a file skips that dataset, the string being the reason.

    Every cell passes :mod:`aigap.data.validate`; values its plausibility rules flag stop the
    pull unless waived in the catalogue or listed in ``accept_outliers`` (a YAML file, see
    :func:`aigap.data.validate.read_accepted`); both are recorded in ``exceptions``.
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
        frames[ds.id] = _parse_dataset(ds, rf)
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
                _write(con, chosen, frames, files)
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
    report.loaded = [(ds.id, len(frames[ds.id])) for ds in chosen]
    return report


def _write(
    con: duckdb.DuckDBPyConnection,
    chosen: Sequence[Dataset],
    frames: dict[str, pd.DataFrame],
    files: dict[str, ResolvedFile],
) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(SCHEMA)
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
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        for ds in chosen:
            obs = frames[ds.id]  # noqa: F841
            rf = files[ds.id]
            con.execute("DELETE FROM observations WHERE source = ?", [ds.id])
            clash = con.execute(
                "SELECT o.indicator, o.iso3, o.year, o.source FROM observations o "
                "JOIN obs n USING (indicator, iso3, year) LIMIT 1"
            ).fetchone()
            if clash:
                raise DataFormatError(
                    rf.path,
                    f"({clash[0]}, {clash[1]}, {clash[2]}) is already loaded from {clash[3]}; "
                    "one number per indicator, country and year",
                )
            con.execute("INSERT INTO observations SELECT * FROM obs")
            con.execute("DELETE FROM sources WHERE id = ?", [ds.id])
            con.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ds.id, ds.publisher, ds.relpath, sha256_file(rf.path), rf.vintage or ds.vintage,
                 ds.vintage_inferred, list(ds.flags), ds.licence, len(frames[ds.id]),
                 rf.origin, rf.url, now],
            )
        con.execute("COMMIT")
    except BaseException:
        # After an I/O error (disk full) DuckDB has already aborted the transaction.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


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
    ids = [ds.id for ds in chosen]
    cols = ["indicator", "iso3", "year", "value", "unit", "source", "source_row"]
    new = pd.concat([frames[i][cols] for i in ids], ignore_index=True)
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
        if not self.con.execute("SELECT 1 FROM information_schema.tables "
                                "WHERE table_name = 'exceptions'").fetchone():
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
