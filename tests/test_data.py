"""Tests of causalxai.data: registry, hash checks, data directory, parsers.

Nothing is downloaded: ``pooch.retrieve`` is replaced by a stub. Tests that need the
real files read them from ``$CAUSALXAI_DATA_DIR`` when it is set, else from the read-only
mirror ``<repo>/../shared/data``, and are skipped when neither holds them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from causalxai import data
from tests.conftest import shared_data

REPO = Path(__file__).resolve().parents[1]
SHARED = shared_data()  # $CAUSALXAI_DATA_DIR when set, else ../shared/data
SMALL = "slovak_sme_bankruptcy/bankrupt_retail_16_year_13_14_15.csv"
OTHER = "slovak_sme_bankruptcy/bankrupt_retail_15_year_12_13_14.csv"

needs_mirror = pytest.mark.skipif(
    not (SHARED / "SHA256SUMS").is_file(), reason=f"real data mirror not found at {SHARED}"
)


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(data.ENV_VAR, raising=False)


@pytest.fixture
def mirror() -> Path:
    if not (SHARED / "SHA256SUMS").is_file():
        pytest.skip(f"real data mirror not found at {SHARED}")
    return SHARED


# --------------------------------------------------------------------------- registry
@needs_mirror
def test_registry_hashes_equal_sha256sums() -> None:
    expected = {}
    for line in (SHARED / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            sha, name = line.split(maxsplit=1)
            expected[name.strip().removeprefix("./")] = sha
    registered = {n: data.file_info(n)["sha256"] for n in data.registered_files()}
    assert registered == expected


def test_registry_structure() -> None:
    files = data.registered_files()
    assert len(files) == 36
    assert len(data.registered_files("polish_bankruptcy")) == 2
    assert len(data.registered_files("slovak_sme_bankruptcy")) == 32
    assert len(data.registered_files("france_business_failures")) == 2
    for name in files:
        info = data.file_info(name)
        for key in ("sha256", "dataset", "url", "source", "doi", "licence", "citation", "card"):
            assert key in info, (name, key)


def test_load_registry_names_bad_entry(tmp_path: Path) -> None:
    bad = tmp_path / "registry.yaml"
    bad.write_text(
        "datasets:\n  d: {source: s, licence: l, citation: c}\n"
        "files:\n  d/x.csv: {dataset: d, sha256: abc}\n"
    )
    with pytest.raises(data.DataError, match=r"files\.d/x\.csv.*sha256"):
        data.load_registry(bad)
    bad.write_text(
        "datasets:\n  d: {source: s, licence: l, citation: c}\n"
        f"files:\n  d/x.csv: {{dataset: e, sha256: {'a' * 64}}}\n"
    )
    with pytest.raises(data.DataError, match=r"files\.d/x\.csv.*unknown dataset"):
        data.load_registry(bad)


def test_unknown_name_suggests_closest() -> None:
    with pytest.raises(data.UnknownDataFileError) as err:
        data.fetch("polish_bankruptcy/1yaer.arff")
    assert isinstance(err.value, KeyError)
    assert "polish_bankruptcy/1year.arff" in str(err.value)


def test_fingerprint_returns_registered_hashes() -> None:
    fp = data.fingerprint([SMALL, "polish_bankruptcy/5year.arff"])
    assert fp[SMALL] == data.file_info(SMALL)["sha256"]
    assert data.fingerprint(SMALL) == {SMALL: fp[SMALL]}
    with pytest.raises(data.UnknownDataFileError):
        data.fingerprint(["nope.csv"])


# --------------------------------------------------------------------------- data dir
def test_data_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert data.data_dir() == REPO / "data" / "raw"
    monkeypatch.setattr(data, "DEFAULT_DATA_DIR", tmp_path / "default")
    assert data.data_dir() == tmp_path / "default"
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "env"))
    assert data.data_dir() == tmp_path / "env"
    assert data.data_dir(tmp_path / "arg") == tmp_path / "arg"


def test_fetch_uses_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    with pytest.raises(data.DataFileMissingError, match=str(tmp_path)):
        data.fetch(SMALL, download=False)


# --------------------------------------------------------------------------- fetch / verify
def test_missing_file_message(tmp_path: Path) -> None:
    with pytest.raises(data.DataFileMissingError) as err:
        data.fetch(SMALL, data_dir=tmp_path, download=False)
    msg = str(err.value)
    assert isinstance(err.value, FileNotFoundError)
    assert SMALL in msg and str(tmp_path) in msg and data.ENV_VAR in msg
    assert "10.17632/j89csb932y.2" in msg


def test_hash_mismatch(tmp_path: Path) -> None:
    bad = tmp_path / SMALL
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not the registered content\n")
    actual = hashlib.sha256(bad.read_bytes()).hexdigest()
    with pytest.raises(data.DataHashMismatchError) as err:
        data.fetch(SMALL, data_dir=tmp_path)
    msg = str(err.value)
    assert isinstance(err.value, ValueError)
    assert SMALL in msg and actual in msg and data.file_info(SMALL)["sha256"] in msg
    assert bad.exists()  # user files are never deleted
    with pytest.raises(data.DataHashMismatchError):
        data.read_slovak("retail", 2016, data_dir=tmp_path)


@needs_mirror
def test_verify_all_statuses(tmp_path: Path) -> None:
    (tmp_path / SMALL).parent.mkdir(parents=True)
    shutil.copy(SHARED / SMALL, tmp_path / SMALL)
    (tmp_path / OTHER).write_bytes((SHARED / OTHER).read_bytes() + b"\n")
    report = data.verify_all(tmp_path).set_index("name")
    assert len(report) == 36
    assert report.loc[SMALL, "status"] == "ok"
    assert report.loc[OTHER, "status"] == "mismatch"
    assert report.loc[OTHER, "actual_sha256"] != report.loc[OTHER, "expected_sha256"]
    assert (report["status"] == "missing").sum() == 34
    assert len(data.missing_files(tmp_path)) == 34
    assert data.fetch(SMALL, data_dir=tmp_path) == tmp_path / SMALL


@needs_mirror
def test_verify_all_on_mirror() -> None:
    assert set(data.verify_all(SHARED)["status"]) == {"ok"}


def test_hash_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    content = b"cached\n"
    name = _fake_registry(monkeypatch, tmp_path, content)
    target = tmp_path / "raw" / name
    target.parent.mkdir(parents=True)
    target.write_bytes(content)
    calls = []
    real = data.sha256sum
    monkeypatch.setattr(data, "sha256sum", lambda p: calls.append(p) or real(p))
    for _ in range(3):
        data.fetch(name, data_dir=tmp_path / "raw")
    assert len(calls) == 1
    target.write_bytes(content + b"changed")  # new size -> hashed again, rejected
    with pytest.raises(data.DataHashMismatchError):
        data.fetch(name, data_dir=tmp_path / "raw")
    assert len(calls) == 2


# --------------------------------------------------------------------------- download path
def _fake_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: bytes) -> str:
    sha = hashlib.sha256(content).hexdigest()
    reg = tmp_path / "registry.yaml"
    reg.write_text(
        "datasets:\n  demo: {source: https://example.org/demo, doi: null, licence: CC0,"
        " citation: demo}\n"
        f"files:\n  demo/x.csv: {{dataset: demo, sha256: {sha},"
        " url: https://example.org/x.csv}\n"
    )
    monkeypatch.setattr(data, "REGISTRY_PATH", reg)
    return "demo/x.csv"


def test_fetch_downloads_with_pooch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import pooch

    content = b"a,b\n1,2\n"
    name = _fake_registry(monkeypatch, tmp_path, content)
    calls = []

    def fake_retrieve(url, known_hash, path, fname, **kwargs):
        calls.append((url, known_hash, Path(path), fname))
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / fname).write_bytes(content)
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(data.DataFileMissingError):
        data.fetch(name, data_dir=tmp_path / "raw", download=False)
    assert calls == []
    got = data.fetch(name, data_dir=tmp_path / "raw")
    assert got == tmp_path / "raw" / "demo" / "x.csv" and got.read_bytes() == content
    sha = hashlib.sha256(content).hexdigest()
    assert calls == [("https://example.org/x.csv", f"sha256:{sha}", got.parent, "x.csv")]


def test_fetch_verifies_downloaded_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import pooch

    name = _fake_registry(monkeypatch, tmp_path, b"expected")

    def wrong_retrieve(url, known_hash, path, fname, **kwargs):
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / fname).write_bytes(b"tampered")

    monkeypatch.setattr(pooch, "retrieve", wrong_retrieve)
    with pytest.raises(data.DataHashMismatchError):
        data.fetch(name, data_dir=tmp_path / "raw")


def test_failed_download_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import pooch

    name = _fake_registry(monkeypatch, tmp_path, b"x")

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(data.DataFileMissingError, match="no network"):
        data.fetch(name, data_dir=tmp_path / "raw")


# --------------------------------------------------------------------------- parsers
@pytest.mark.parametrize("bad", [0, 2, 3, True, "5"])
def test_read_polish_rejects_horizon(bad: object) -> None:
    with pytest.raises(ValueError, match="horizon_years"):
        data.read_polish(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"sector": "mining"}, "sector"), ({"year": 2012}, "year")]
)
def test_read_slovak_rejects_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        data.read_slovak(**kwargs)


@pytest.mark.parametrize(("horizon", "rows", "bankrupt"), [(5, 7027, 271), (1, 5910, 410)])
def test_read_polish(mirror: Path, horizon: int, rows: int, bankrupt: int) -> None:
    df = data.read_polish(horizon, data_dir=mirror)
    assert df.shape == (rows, 65)
    assert list(df.columns) == [f"Attr{i}" for i in range(1, 65)] + ["class"]
    assert (df.drop(columns="class").dtypes == "float64").all()
    assert df["class"].dtype == "int64" and set(df["class"]) == {0, 1}
    assert df["class"].sum() == bankrupt
    assert df.isna().any().any()  # '?' became NaN


def test_read_slovak(mirror: Path) -> None:
    df = data.read_slovak(data_dir=mirror)
    assert len(df) == 251 + 12_788
    assert df["bankrupt"].sum() == 251
    assert set(df["sector"]) == set(data.SLOVAK_SECTORS)
    assert set(df["evaluation_year"]) == set(data.SLOVAK_YEARS)
    assert (df[[f"V{i}" for i in range(1, 64)]].dtypes == "float64").all()
    one = data.read_slovak("retail", 2016, data_dir=mirror)
    assert one["bankrupt"].sum() == 4 and set(one["sector"]) == {"retail"}
    first = one[one["bankrupt"] == 1].iloc[0]  # file row: "1";-1,01;-2,48;NA;1,6;...
    assert (first["V1"], first["V2"], first["V4"]) == (-1.01, -2.48, 1.6)
    assert pd.isna(first["V3"])


def test_read_france(mirror: Path) -> None:
    monthly = data.read_france_monthly(data_dir=mirror)
    assert len(monthly) == 419
    assert isinstance(monthly.index, pd.PeriodIndex)
    assert str(monthly.index[0]) == "1990-01" and str(monthly.index[-1]) == "2024-11"
    assert monthly.index.is_monotonic_increasing and monthly.notna().all()
    annual = data.read_france_annual(data_dir=mirror)
    assert annual.index.dtype == "int64"
    assert annual[2019] == pytest.approx(51.1)
    assert annual[2020] == pytest.approx(31.2)


def test_files_read_lists_what_fetch_verified(tmp_path, monkeypatch):
    from causalxai import data as D

    monkeypatch.setattr(D, "_READS", {})
    assert D.files_read().empty
    name = D.registered_files("france_business_failures")[0]
    mirror = SHARED / name
    if not mirror.is_file():
        pytest.skip("data mirror absent")
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_bytes(mirror.read_bytes())
    D.fetch(name, data_dir=tmp_path, download=False)
    table = D.files_read()
    assert list(table.index) == [name]
    assert table.loc[name, "sha256"] == D.file_info(name)["sha256"]


def test_registry_is_parsed_once_until_the_file_changes(tmp_path: Path, monkeypatch) -> None:
    """Planning the book asks for the registry once per notebook: one parse serves all,
    and an edited registry file is read again."""
    path = tmp_path / "registry.yaml"
    path.write_text(data.REGISTRY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(data, "REGISTRY_PATH", path)
    parsed = []
    real = data.load_registry
    monkeypatch.setattr(data, "load_registry", lambda p: parsed.append(p) or real(p))
    first = data.registry()
    assert data.registry() is first and len(parsed) == 1
    assert data.registry().datasets == real(path).datasets
    text = re.sub(r"^datasets:\n", "datasets:\n  extra: {source: s, licence: l, citation: c}\n",
                  path.read_text(encoding="utf-8"), count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert "extra" in data.registry().datasets and len(parsed) == 2
