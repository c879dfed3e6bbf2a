"""Thin I/O: reading and writing the parts of an election directory the importers touch."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from writer.importers.candidates import WARD_COLUMNS, wards_csv
from writer.importers.report import Report
from writer.errors import InputError, Problem

SOURCE_TOML = "baseline/source.toml"  # where an imported baseline came from, and its poll date
MANIFEST = "imports.json"  # which command wrote each file of the directory, from which source
BASELINE_FILES = ("baseline/councils.csv", "baseline/wards.csv", SOURCE_TOML)


# -- who wrote what ---------------------------------------------------------------------------
def read_manifest(out: Path) -> dict[str, dict]:
    """``{file: {"by": command, "source": file name, "at": time}}`` of ``out``'s imports.json."""
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = doc.get("files", {}) if isinstance(doc, dict) else {}
        return {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def conflicts(out: Path, files: list[str], by: str) -> list[tuple[str, str]]:
    """The files of ``files`` that exist in ``out`` and were not written by ``by``: (file,
    who wrote it). A file nobody recorded was written by hand (or by a writer too old to
    record it): it is not overwritten either."""
    written = read_manifest(out)
    found = []
    for rel in files:
        if (out / rel).exists():
            owner = written.get(rel, {}).get("by")
            if owner != by:
                found.append((rel, f"`writer {owner}`" if owner else "someone else (no importer recorded it)"))
    return found


def record(out: Path, files: list[str], by: str, source: str, *, update: bool = False) -> None:
    """Record that ``by`` wrote ``files`` from ``source`` (in ``out``/imports.json); with
    ``update``, that it changed them in place (whoever wrote a file still owns it)."""
    written = read_manifest(out)
    at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    name = Path(source).name if source else ""
    for rel in files:
        if update:
            entry = dict(written.get(rel) or {"by": None})
            entry.update(updated_by=by, updated_from=name, updated_at=at)
            written[rel] = entry
        else:
            written[rel] = {"by": by, "source": name, "at": at}
    out.mkdir(parents=True, exist_ok=True)
    doc = {"about": "Which writer command wrote each file here (importers refuse to overwrite another's "
                    "files without --force).", "files": dict(sorted(written.items()))}
    (out / MANIFEST).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([Problem(str(path), None, None, f"cannot be read as a CSV file: {exc}")],
                         f"cannot read {path.name}") from None


def write_baseline(out: Path, table: pd.DataFrame, councils: pd.DataFrame, poll_date: date, source: str) -> None:
    write_csv(wards_csv(table), out / "baseline" / "wards.csv")
    write_csv(councils, out / "baseline" / "councils.csv")
    (out / SOURCE_TOML).write_text(f'poll_date = {poll_date.isoformat()}\nsource = "{Path(source).name}"\n',
                                   encoding="utf-8")


def read_baseline(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, date]:
    """baseline/councils.csv, baseline/wards.csv (as typed tables) and its poll date."""
    problems = []
    for rel in ("baseline/councils.csv", "baseline/wards.csv", SOURCE_TOML):
        if not (directory / rel).exists():
            problems.append(Problem(str(directory / rel), None, None, "is missing; expected a baseline written by "
                                    "`writer import handbook` or `writer import leap`"))
    if problems:
        raise InputError(problems, f"{directory} has no imported baseline")
    try:
        meta = tomllib.loads((directory / SOURCE_TOML).read_text(encoding="utf-8"))
        poll_date = meta["poll_date"]
        assert isinstance(poll_date, date)
    except (tomllib.TOMLDecodeError, KeyError, AssertionError):
        raise InputError([Problem(SOURCE_TOML, None, "poll_date", "expected poll_date = YYYY-MM-DD")],
                         f"cannot read {directory / SOURCE_TOML}") from None
    councils = read_csv(directory / "baseline" / "councils.csv")
    wards = read_csv(directory / "baseline" / "wards.csv")
    missing = [c for c in WARD_COLUMNS if c not in wards.columns]
    if missing:
        raise InputError([Problem("baseline/wards.csv", 1, c, "missing column") for c in missing],
                         f"cannot read {directory}")
    return councils, wards, poll_date


def previous_regions(directory: Path | None) -> dict[str, str]:
    """slug -> region from an earlier election directory's councils.csv (optional)."""
    if directory is None:
        return {}
    frame = read_csv(directory / "councils.csv")
    if not {"slug", "region"} <= set(frame.columns):
        raise InputError([Problem(str(directory / "councils.csv"), 1, "region", "expected columns slug and region")],
                         f"cannot read {directory}")
    return dict(zip(frame["slug"], frame["region"]))


def limit_baseline(councils: pd.DataFrame, wards: pd.DataFrame, keep: set[str], report: Report,
                   poll_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline of the night's councils only (the loader allows no other); the rest are
    reported by name."""
    dropped = sorted(set(councils["slug"]) - keep)
    if dropped:
        report.add("note", "baseline/councils.csv", None, "slug", f"{len(dropped)} baseline councils have no election "
                   f"in {poll_year} and are left out of this night's baseline: " + ", ".join(dropped))
    return councils[councils["slug"].isin(keep)], wards[wards["slug"].isin(keep)]


def write_report(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.to_csv(), encoding="utf-8")
