"""Writing what the importers read into an election directory: the baseline, or a night with
its results compared with a baseline (``writer import ... --as baseline|results``).

Pure but for the files written; the commands (:mod:`writer.cli.importers`) add the guard
against overwriting another's files, the report's summary and the exit codes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from writer.importers import composition as ocd
from writer.importers import directory as io_
from writer.importers.candidates import baseline_councils, check_wards, shared_codes, wards_csv
from writer.importers.report import Report
from writer.importers.skeleton import election_toml, night_councils


class NoCouncils(Exception):
    """The sources gave no council that could be written: nothing is written but the report."""


def read_compositions(path: str | None, report: Report):
    """Each council's make-up from Open Council Data's councillors list at ``path`` (None: none given)."""
    if not path:
        return None
    return ocd.compositions(ocd.read_ocd(path), Path(path).name, report)


def night_files(out: Path, baseline: Path | None = None) -> list[str]:
    """The files ``write_night`` writes in ``out``: election.toml only where there is none
    yet; the baseline where one is read (from ``baseline``, else from ``out`` itself)."""
    files = ["councils.csv", "results/wards.csv"]
    if not (out / "election.toml").exists():
        files.append("election.toml")
    if baseline is not None and not same_dir(baseline, out):
        files += list(io_.BASELINE_FILES)
    elif (out / io_.SOURCE_TOML).exists():
        files += ["baseline/councils.csv", "baseline/wards.csv"]
    return files


def same_dir(a: Path, b: Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def write_night(out: Path, tonight: pd.DataFrame, hints: dict[str, str], comps, regions: dict[str, str],
                poll_date: date, report: Report, baseline: Path | None = None) -> pd.DataFrame:
    """A whole night from its results: councils.csv, results/wards.csv (every ward declared at
    polls close: the sources give no times), election.toml, and the baseline limited to the
    night's councils: the one in ``baseline`` (a directory an importer wrote with ``--as
    baseline``; it is left as it was and the limited copy written to ``out``), else the one
    already in ``out``. Returns councils.csv. Raises NoCouncils, writing nothing, when no
    council could be written."""
    b_councils = b_wards = None
    baseline_date = date(poll_date.year - 4, 5, 1)
    source = Path(baseline) if baseline is not None else out
    if baseline is not None or (out / io_.SOURCE_TOML).exists():
        b_councils, b_wards, baseline_date = io_.read_baseline(source)
    else:
        report.add("check", "baseline/", None, None, "no baseline (import one first with `writer import leap` or "
                   "`writer import handbook`, and give its directory with --baseline); every council is written as new")
    tonight = shared_codes(tonight, "results/wards.csv", report)  # one code, one ward (the loader's rule)
    councils = night_councils(tonight, hints, b_councils, b_wards, comps, regions, report)
    if councils.empty:
        raise NoCouncils(f"none of the {tonight['slug'].nunique()} councils in the results could be written "
                         "(the report says why each was left out).")
    keep = set(councils["slug"])
    toml = election_toml(poll_date, baseline_date)
    close = toml.split("polls_close = ")[1].split("\n")[0]
    report.add("check", "results/wards.csv", None, "declared_at", f"the source gives no declaration times; every "
               f"ward is written as declared at polls close ({close})")
    io_.write_csv(councils, out / "councils.csv")
    io_.write_csv(wards_csv(tonight[tonight["slug"].isin(keep)], declared_at=close), out / "results" / "wards.csv")
    if b_councils is not None:
        b_councils, b_wards = io_.limit_baseline(b_councils, b_wards, keep, report, poll_date.year)
        io_.write_csv(b_councils, out / "baseline" / "councils.csv")
        io_.write_csv(b_wards, out / "baseline" / "wards.csv")
        if not same_dir(source, out):
            (out / io_.SOURCE_TOML).write_text((source / io_.SOURCE_TOML).read_text(encoding="utf-8"),
                                               encoding="utf-8")
    if not (out / "election.toml").exists():
        (out / "election.toml").write_text(toml, encoding="utf-8")
    return councils


def import_table(out: str, role: str, table: pd.DataFrame, hints: dict[str, str], poll_date: date, source: str,
                 comps, previous: str | None, report: Report, baseline: str | None = None) -> pd.DataFrame:
    """Write the baseline (``role="baseline"``) or a night with its results; returns the
    councils written. Raises NoCouncils, writing nothing, when there are none."""
    outp = Path(out)
    if table.empty:
        raise NoCouncils(f"{Path(source).name} gave no usable row (the report says why each was left out).")
    table = check_wards(table, source, report)
    if role == "baseline":
        councils = baseline_councils(table, comps, hints, source, report, poll_date)
        if councils.empty:
            raise NoCouncils(f"none of the {table['slug'].nunique()} councils in {Path(source).name} could be "
                             "written (the report says why).")
        io_.write_baseline(outp, table, councils, poll_date, source)
        return councils
    return write_night(outp, table, hints, comps, io_.previous_regions(Path(previous) if previous else None),
                       poll_date, report, baseline=Path(baseline) if baseline else None)


__all__ = ["NoCouncils", "import_table", "night_files", "read_compositions", "same_dir", "write_night"]
