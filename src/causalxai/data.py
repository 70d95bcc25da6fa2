"""Registered real data files: locate, verify (sha256) and parse.

The data files are never committed. ``data/registry.yaml`` records, for every
file, its sha256 hash and (at dataset level) its source, DOI, licence, citation
and data card. Files are read from a local data directory:

1. the ``data_dir`` argument of the function called, if given;
2. else the environment variable ``CAUSALXAI_DATA_DIR``;
3. else :data:`DEFAULT_DATA_DIR` (``<repo>/data/raw``, git-ignored).

Every parser goes through :func:`fetch`, which checks the hash before the
file is used.

Examples
--------
>>> from causalxai import data
>>> data.verify_all()                            # doctest: +SKIP
>>> df = data.read_polish(horizon_years=1)       # doctest: +SKIP
>>> data.fingerprint(["polish_bankruptcy/5year.arff"])  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

__all__ = [
    "DEFAULT_DATA_DIR",
    "ENV_VAR",
    "REGISTRY_PATH",
    "DataError",
    "DataFileMissingError",
    "DataHashMismatchError",
    "Registry",
    "UnknownDataFileError",
    "data_dir",
    "fetch",
    "file_info",
    "files_read",
    "fingerprint",
    "load_registry",
    "missing_files",
    "read_france_annual",
    "read_france_monthly",
    "read_polish",
    "read_slovak",
    "registered_files",
    "registry",
    "sha256sum",
    "verify_all",
]

ENV_VAR = "CAUSALXAI_DATA_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
REGISTRY_PATH = REPO_ROOT / "data" / "registry.yaml"
#: Fallback data directory; module attribute, so it can be overridden at run time.
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "raw"

SLOVAK_SECTORS = ("agriculture", "construction", "manufacture", "retail")
SLOVAK_YEARS = (2013, 2014, 2015, 2016)
POLISH_FILES = {5: "polish_bankruptcy/1year.arff", 1: "polish_bankruptcy/5year.arff"}
FRANCE_MONTHLY = "france_business_failures/defaillances_entreprises_industrie_cvscjo_mensuel.xlsx"
FRANCE_ANNUAL = "france_business_failures/defaillances_annuelles_france_milliers.csv"

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_HASH_CACHE: dict[tuple[str, int, int], str] = {}


class DataError(Exception):
    """Base class of the data-layer errors."""


class DataFileMissingError(DataError, FileNotFoundError):
    """A registered file is not in the data directory (and could not be downloaded)."""


class DataHashMismatchError(DataError, ValueError):
    """A file's sha256 differs from the registered one; the file is not used."""


class UnknownDataFileError(DataError, KeyError):
    """A name that is not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Registry:
    """Parsed ``registry.yaml``: dataset-level metadata and per-file entries."""

    datasets: dict[str, dict[str, Any]]
    files: dict[str, dict[str, Any]]


# --------------------------------------------------------------------------- registry
def load_registry(path: str | Path = REGISTRY_PATH) -> Registry:
    """Read and validate a registry file.

    Parameters
    ----------
    path : str or Path
        YAML file with top-level ``datasets`` and ``files`` mappings.

    Returns
    -------
    Registry

    Raises
    ------
    DataError
        If the structure is invalid; the message names the offending entry.
    """
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("datasets"), dict)
        or not isinstance(raw.get("files"), dict)
    ):
        raise DataError(f"{path}: expected top-level mappings 'datasets' and 'files'")
    for ds, meta in raw["datasets"].items():
        missing = {"source", "licence", "citation"} - set(meta if isinstance(meta, dict) else {})
        if missing:
            raise DataError(f"{path}: datasets.{ds} lacks {sorted(missing)}")
    for name, entry in raw["files"].items():
        where = f"{path}: files.{name}"
        if not isinstance(entry, dict):
            raise DataError(f"{where}: entry must be a mapping")
        sha = entry.get("sha256")
        if not isinstance(sha, str) or not _SHA256_RE.match(sha):
            raise DataError(f"{where}: sha256 must be 64 lower-case hex digits, got {sha!r}")
        if entry.get("dataset") not in raw["datasets"]:
            raise DataError(f"{where}: unknown dataset {entry.get('dataset')!r}")
        url = entry.get("url")
        if url is not None and not (isinstance(url, str) and re.match(r"^(https?|ftp)://", url)):
            raise DataError(f"{where}: url must be null or an http(s)/ftp URL, got {url!r}")
    return Registry(datasets=raw["datasets"], files=raw["files"])


_REGISTRY_CACHE: dict[tuple[str, int], Registry] = {}


def registry() -> Registry:
    """The registry at :data:`REGISTRY_PATH`, re-read only when the file changes.

    Parsing it takes about 0.1 s (pure-Python YAML); planning a run of the book asked for
    it once per notebook. Treat the result as read-only: it is shared.
    """
    key = (str(REGISTRY_PATH), Path(REGISTRY_PATH).stat().st_mtime_ns)
    if key not in _REGISTRY_CACHE:
        _REGISTRY_CACHE[key] = load_registry(REGISTRY_PATH)
    return _REGISTRY_CACHE[key]


def registered_files(dataset: str | None = None) -> list[str]:
    """Names (paths relative to the data directory) of the registered files."""
    files = registry().files
    return sorted(n for n, e in files.items() if dataset is None or e["dataset"] == dataset)


def file_info(name: str) -> dict[str, Any]:
    """Metadata of one file: its dataset's metadata overlaid with the file entry.

    Raises
    ------
    UnknownDataFileError
        If ``name`` is not registered; the message suggests the closest names.
    """
    reg = registry()
    if name not in reg.files:
        close = difflib.get_close_matches(str(name), list(reg.files), n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise UnknownDataFileError(f"{name!r} is not a registered data file.{hint}")
    entry = reg.files[name]
    return {"name": name, **reg.datasets[entry["dataset"]], **entry}


# --------------------------------------------------------------------------- locate/verify
def data_dir(path: str | Path | None = None) -> Path:
    """Directory the data files are read from.

    ``path`` if given, else ``$CAUSALXAI_DATA_DIR``, else :data:`DEFAULT_DATA_DIR`.
    """
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else Path(DEFAULT_DATA_DIR)


_data_dir = data_dir  # the functions below take an argument called ``data_dir``


def sha256sum(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            h.update(chunk)
    return h.hexdigest()


def _cached_sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        _HASH_CACHE[key] = sha256sum(path)
    return _HASH_CACHE[key]


def fetch(name: str, *, data_dir: str | Path | None = None, download: bool = True) -> Path:
    """Path of a registered file after checking its sha256.

    Parameters
    ----------
    name : str
        Registered name, e.g. ``"polish_bankruptcy/1year.arff"``.
    data_dir : str or Path, optional
        Directory to search; default see :func:`causalxai.data.data_dir`.
    download : bool
        If the file is absent and the registry gives a ``url``, download it
        with :func:`pooch.retrieve` into the data directory.

    Raises
    ------
    UnknownDataFileError, DataFileMissingError, DataHashMismatchError
    """
    info = file_info(name)
    root = _data_dir(data_dir)
    path = root / name
    problem = ""
    if not path.is_file() and download and info.get("url"):
        import pooch

        try:
            pooch.retrieve(
                info["url"],
                known_hash=f"sha256:{info['sha256']}",
                path=path.parent,
                fname=path.name,
                progressbar=False,
            )
        except Exception as exc:  # network, HTTP or pooch's own hash check
            problem = f" Download from {info['url']} failed: {exc}."
    if not path.is_file():
        where = f"doi:{info['doi']}, " if info.get("doi") else ""
        raise DataFileMissingError(
            f"Data file {name!r} not found in {root} (looked for {path}).{problem} "
            f"Set the environment variable {ENV_VAR} to the folder that holds "
            f"{name.split('/')[0]}/, or obtain the file from {where}{info['source']} "
            f"(licence: {info['licence']}) and put it at that path."
        )
    actual = _cached_sha256(path)
    if actual != info["sha256"]:
        raise DataHashMismatchError(
            f"Data file {name!r} at {path} has sha256 {actual}, but the registry expects "
            f"{info['sha256']}. The file was not used (and was left in place); replace it "
            f"with the original from {info['source']}."
        )
    _record_read(name, actual)
    _READS[name] = actual
    return path


#: Set by the notebook runner: each verified read is appended there, so that a notebook
#: is executed again when a data file it read changes (see :mod:`causalxai.compendium.runner`).
READ_LOG_ENV = "CAUSALXAI_READ_LOG"


#: Files verified and read by :func:`fetch` in this process: name -> sha256.
_READS: dict[str, str] = {}


def files_read() -> pd.DataFrame:
    """The data files this process has read through :func:`fetch`, with their sha256.

    Chapters end with this table, so that a reader sees exactly which bytes produced
    the numbers (each was checked against the registry before being read).

    Returns
    -------
    pandas.DataFrame
        Indexed by registered name: ``sha256``, ``dataset``, ``licence``.
    """
    rows = {name: {"sha256": sha, "dataset": file_info(name)["dataset"],
                   "licence": file_info(name)["licence"]} for name, sha in sorted(_READS.items())}
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["sha256", "dataset", "licence"]).rename_axis("file")


def _record_read(name: str, sha256: str | None) -> None:
    """Append a read (``sha256`` None: the file was looked for and absent) to the run log."""
    log = os.environ.get(READ_LOG_ENV)
    if log:
        with open(log, "a") as handle:
            handle.write(json.dumps({"name": name, "sha256": sha256}) + "\n")


def verify_all(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Check every registered file.

    Returns
    -------
    pandas.DataFrame
        One row per file: ``name``, ``dataset``, ``status`` (``"ok"``,
        ``"missing"`` or ``"mismatch"``), ``expected_sha256``, ``actual_sha256``
        (None when missing) and ``path``.
    """
    root = _data_dir(data_dir)
    rows = []
    for name, entry in registry().files.items():
        path = root / name
        actual = _cached_sha256(path) if path.is_file() else None
        status = "missing" if actual is None else "ok" if actual == entry["sha256"] else "mismatch"
        _record_read(name, actual)
        rows.append(
            {
                "name": name,
                "dataset": entry["dataset"],
                "status": status,
                "expected_sha256": entry["sha256"],
                "actual_sha256": actual,
                "path": str(path),
            }
        )
    return pd.DataFrame(rows)


def missing_files(data_dir: str | Path | None = None) -> list[str]:
    """Registered names absent from the data directory."""
    report = verify_all(data_dir)
    return report.loc[report["status"] == "missing", "name"].tolist()


def fingerprint(names: str | Iterable[str]) -> dict[str, str]:
    """Registered sha256 of each name, to record what an analysis read."""
    names = [names] if isinstance(names, str) else list(names)
    return {n: file_info(n)["sha256"] for n in names}


# --------------------------------------------------------------------------- parsers
def read_polish(horizon_years: int, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Polish companies bankruptcy data for a forecasting horizon.

    Parameters
    ----------
    horizon_years : {1, 5}
        Years between the financial statements and the label: 5 reads
        ``1year.arff`` (7027 rows, 271 bankrupt), 1 reads ``5year.arff``
        (5910 rows, 410 bankrupt).

    Returns
    -------
    pandas.DataFrame
        Float columns ``Attr1..Attr64`` (NaN where the file has ``?``) and an
        int ``class`` column (1 = bankrupt).
    """
    from scipy.io import arff

    if isinstance(horizon_years, bool) or horizon_years not in POLISH_FILES:
        raise ValueError(
            f"horizon_years must be 1 or 5, got {horizon_years!r} "
            "(5 -> 1year.arff, 1 -> 5year.arff)"
        )
    name = POLISH_FILES[horizon_years]
    records, _ = arff.loadarff(fetch(name, data_dir=data_dir))
    df = pd.DataFrame(records)
    df["class"] = [int(v) for v in df["class"]]  # nominal {0,1} arrives as bytes
    attrs = [f"Attr{i}" for i in range(1, 65)]
    df[attrs] = df[attrs].astype("float64")
    df.attrs["data_files"] = fingerprint([name])
    return df


def _slovak_name(kind: str, sector: str, year: int) -> str:
    yy = year - 2000
    return f"slovak_sme_bankruptcy/{kind}_{sector}_{yy}_year_{yy - 3}_{yy - 2}_{yy - 1}.csv"


def read_slovak(
    sector: str | None = None, year: int | None = None, *, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """Slovak SME bankruptcy data, bankrupt and non-bankrupt firms stacked.

    Parameters
    ----------
    sector : {"agriculture", "construction", "manufacture", "retail"}, optional
        Default: all sectors.
    year : {2013, 2014, 2015, 2016}, optional
        Evaluation year; default: all years.

    Returns
    -------
    pandas.DataFrame
        Float columns ``V1..V63`` and ``sector`` (str), ``evaluation_year``
        (int) and ``bankrupt`` (int, 1 = bankrupt).
    """
    if sector is not None and sector not in SLOVAK_SECTORS:
        raise ValueError(f"sector must be one of {SLOVAK_SECTORS} or None, got {sector!r}")
    if year is not None and (isinstance(year, bool) or year not in SLOVAK_YEARS):
        raise ValueError(f"year must be one of {SLOVAK_YEARS} or None, got {year!r}")
    columns = [f"V{i}" for i in range(1, 64)]
    frames, names = [], []
    for sec in [sector] if sector else SLOVAK_SECTORS:
        for yr in [year] if year else SLOVAK_YEARS:
            for kind, label in (("bankrupt", 1), ("nonbankrupt", 0)):
                name = _slovak_name(kind, sec, yr)
                path = fetch(name, data_dir=data_dir)
                if label:  # ';' separator, decimal comma, leading unnamed index column
                    df = pd.read_csv(path, sep=";", decimal=",", index_col=0)
                else:
                    df = pd.read_csv(path, sep=",")
                if list(df.columns) != columns:
                    raise DataError(f"{name}: unexpected columns {list(df.columns)[:5]}...")
                df = df.astype("float64").reset_index(drop=True)
                df["sector"], df["evaluation_year"], df["bankrupt"] = sec, yr, label
                frames.append(df)
                names.append(name)
    out = pd.concat(frames, ignore_index=True)
    out["evaluation_year"] = out["evaluation_year"].astype("int64")
    out["bankrupt"] = out["bankrupt"].astype("int64")
    out.attrs["data_files"] = fingerprint(names)
    return out


def read_france_monthly(*, data_dir: str | Path | None = None) -> pd.Series:
    """Monthly business failures in French industry (CVS-CJO), 1990-01 onwards.

    Returns
    -------
    pandas.Series
        Float values indexed by a monthly ``PeriodIndex`` in ascending order
        (the sheet lists the newest month first).
    """
    path = fetch(FRANCE_MONTHLY, data_dir=data_dir)
    sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
    period = sheet[0].astype(str).str.strip()
    rows = sheet[period.str.fullmatch(r"\d{4}-\d{2}")]  # drops the header line
    s = pd.Series(
        pd.to_numeric(rows[1]).to_numpy(dtype="float64"),
        index=pd.PeriodIndex(rows[0].astype(str), freq="M", name="period"),
        name="industry_failures_cvscjo",
    ).sort_index()
    if s.index.has_duplicates:
        raise DataError(f"{FRANCE_MONTHLY}: duplicated months")
    s.attrs["data_files"] = fingerprint([FRANCE_MONTHLY])
    return s


def read_france_annual(*, data_dir: str | Path | None = None) -> pd.Series:
    """Annual business failures in France, all sectors, in thousands.

    Returns
    -------
    pandas.Series
        Float values indexed by the int year (named ``year``).
    """
    df = pd.read_csv(fetch(FRANCE_ANNUAL, data_dir=data_dir))
    if list(df.columns) != ["period", "series", "value"]:
        raise DataError(f"{FRANCE_ANNUAL}: unexpected columns {list(df.columns)}")
    s = pd.Series(
        df["value"].astype("float64").to_numpy(),
        index=pd.Index(df["period"].astype("int64"), name="year"),
        name="failures_thousands",
    ).sort_index()
    s.attrs["data_files"] = fingerprint([FRANCE_ANNUAL])
    return s
