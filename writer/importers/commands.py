"""``writer import handbook|leap|composition`` and ``writer new-night``: thin I/O around the
pure importers. Data files go to --out; the report of bad or surprising rows goes to
``<out>/<command>.report.csv`` and its summary to stderr. Exit 3 on input that cannot be used."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import click
import pandas as pd

from writer.identity import default_registry, load_registry
from writer.importers import composition as ocd
from writer.importers import directory as io_
from writer.importers import handbook as hb
from writer.importers import leap as lp
from writer.importers.candidates import WARD_COLUMNS, baseline_councils, check_wards, wards_csv
from writer.importers.report import Report
from writer.importers.skeleton import election_toml, first_thursday_in_may, new_night_councils, night_councils
from writer.ingest.problems import InputError

EXIT_INPUT = 3


def _fail(exc: InputError) -> None:
    click.echo(exc.render(limit=200), err=True)
    click.echo("Fix the problems listed and run again.", err=True)
    sys.exit(EXIT_INPUT)


def _finish(report: Report, out: Path, name: str, started: float) -> None:
    path = out / f"{name}.report.csv"
    io_.write_report(report, path)
    click.echo(f"{name}: {report.summary()} ({time.perf_counter() - started:.1f} s); report in {path}", err=True)
    for finding in report.of_kind("left out")[:20]:
        click.echo(f"  {finding}", err=True)


def _compositions(path: str | None, report: Report):
    if not path:
        return None
    return ocd.compositions(ocd.read_ocd(path), Path(path).name, report)


def _date(value: str | None, param: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date such as 2026-05-07, got {value!r}", param_hint=param) from None


def write_night(out: Path, tonight: pd.DataFrame, hints: dict[str, str], comps, regions: dict[str, str],
                poll_date: date, report: Report) -> pd.DataFrame:
    """A whole night from its results: councils.csv, results/wards.csv (every ward declared at
    polls close: the sources give no times), election.toml, and the baseline already in
    ``out`` limited to the night's councils. Returns councils.csv."""
    b_councils = b_wards = None
    baseline_date = date(poll_date.year - 4, 5, 1)
    if (out / io_.SOURCE_TOML).exists():
        b_councils, b_wards, baseline_date = io_.read_baseline(out)
    else:
        report.add("check", "baseline/", None, None, "no baseline in the output directory (import one first with "
                   "`writer import leap` or `writer import handbook`); every council is written as new")
    councils = night_councils(tonight, hints, b_councils, b_wards, comps, regions, report)
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
    if not (out / "election.toml").exists():
        (out / "election.toml").write_text(toml, encoding="utf-8")
    return councils


@click.group("import")
def import_group() -> None:
    """Build an election directory from public sources (see writer/importers/README.md).

    \b
    Example:
      writer import leap ../shared/data/raw/leap-2018-05-03.csv --out night2022 \\
          --compositions ../shared/data/raw/opencouncildata_councillors_2021.csv
      writer import handbook ../shared/data/raw/local-elections-2022.xlsx --year 2022 \\
          --as results --out night2022 --compositions ../shared/data/raw/opencouncildata_councillors_2021.csv
    """


role_option = click.option("--as", "role", type=click.Choice(["baseline", "results"]), default="baseline",
                           show_default=True, help="Write the baseline part, or tonight's results (with councils.csv "
                           "and election.toml, compared with the baseline already in --out).")
out_option = click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="The election directory to write.")
comp_option = click.option("--compositions", type=click.Path(exists=True, dir_okay=False),
                           help="Open Council Data councillor list: council sizes and make-up for thirds and halves councils.")
prev_option = click.option("--previous", type=click.Path(exists=True, file_okay=False),
                           help="An earlier election directory to take councils' regions from.")


def _import(out: str, role: str, table: pd.DataFrame, hints: dict[str, str], poll_date: date, source: str,
            comps, previous: str | None, report: Report) -> None:
    outp = Path(out)
    table = check_wards(table, source, report)
    if role == "baseline":
        councils = baseline_councils(table, comps, hints, source, report, poll_date)
        io_.write_baseline(outp, table, councils, poll_date, source)
    else:
        write_night(outp, table, hints, comps, io_.previous_regions(Path(previous) if previous else None),
                    poll_date, report)


@import_group.command("handbook")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, required=True, help="The election year; rows of another year are reported.")
@click.option("--date", "poll", help="Poll date (default: the first Thursday in May of --year).")
@role_option
@out_option
@comp_option
@prev_option
def handbook(file: str, year: int, poll: str | None, role: str, out: str, compositions: str | None,
             previous: str | None) -> None:
    """The House of Commons Library local elections handbook (.xlsx)."""
    started, report = time.perf_counter(), Report()
    try:
        book = hb.read_handbook(file)
        comps = _compositions(compositions, report)
        table, hints = hb.candidate_table(book, year, report)
        poll_date = _date(poll, "--date") or first_thursday_in_may(year)
        _import(out, role, table, hints, poll_date, f"{Path(file).name} sheet {hb.CANDIDATES}", comps, previous, report)
        if role == "results":
            io_.write_csv(hb.turnout_table(book, table[table["slug"].isin(
                set(io_.read_csv(Path(out) / "councils.csv")["slug"]))], report), Path(out) / "results" / "turnout.csv")
    except InputError as exc:
        _fail(exc)
    _finish(report, Path(out), f"import-handbook-{role}", started)


@import_group.command("leap")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--date", "poll", help="Poll date (default: from a file name such as leap-2018-05-03.csv).")
@click.option("--registry", "party_file", type=click.Path(exists=True, dir_okay=False),
              help="The party registry whose leap codes name LEAP's parties (default: the writer's "
                   "rules/party-registry.yaml).")
@role_option
@out_option
@comp_option
@prev_option
def leap(file: str, poll: str | None, party_file: str | None, role: str, out: str, compositions: str | None,
         previous: str | None) -> None:
    """Andrew Teale's Local Elections Archive Project results (.csv)."""
    started, report = time.perf_counter(), Report()
    poll_date = _date(poll, "--date")
    if poll_date is None:
        stem = Path(file).stem
        poll_date = _date(stem[-10:], "FILE") if len(stem) >= 10 and stem[-10:-6].isdigit() else None
        if poll_date is None:
            raise click.BadParameter("cannot tell the poll date from the file name; give --date", param_hint="--date")
    try:
        registry = load_registry(party_file) if party_file else default_registry()
        comps = _compositions(compositions, report)
        table = lp.candidate_table(lp.read_leap(file), registry, Path(file).name, report)
        _import(out, role, table, {}, poll_date, Path(file).name, comps, previous, report)
    except InputError as exc:
        _fail(exc)
    _finish(report, Path(out), f"import-leap-{role}", started)


@import_group.command("composition")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@out_option
def composition(file: str, out: str) -> None:
    """Open Council Data UK councillors into composition_before (and control_before) of
    --out's councils.csv."""
    started, report = time.perf_counter(), Report()
    outp = Path(out)
    try:
        comps = ocd.compositions(ocd.read_ocd(file), Path(file).name, report)
        councils = io_.read_csv(outp / "councils.csv")
        io_.write_csv(ocd.apply_compositions(councils, comps, Path(file).name, report), outp / "councils.csv")
    except InputError as exc:
        _fail(exc)
    _finish(report, outp, "import-composition", started)


@click.command("new-night")
@click.option("--baseline", "baseline_dir", type=click.Path(exists=True, file_okay=False), required=True,
              help="A directory with an imported baseline (writer import ... --as baseline).")
@click.option("--date", "poll", required=True, help="Poll date of the new night, e.g. 2026-05-07.")
@out_option
@comp_option
@prev_option
def new_night(baseline_dir: str, poll: str, out: str, compositions: str | None, previous: str | None) -> None:
    """The skeleton of a new night: councils.csv, election.toml, the baseline and empty
    results, with a report of what an editor still has to check.

    \b
    Example:
      writer import handbook ../shared/data/raw/local-elections-2022.xlsx --year 2022 --out base2022
      writer new-night --baseline base2022 --date 2026-05-07 --out night2026
    """
    started, report = time.perf_counter(), Report()
    poll_date = _date(poll, "--date")
    outp = Path(out)
    try:
        b_councils, b_wards, b_date = io_.read_baseline(Path(baseline_dir))
        comps = _compositions(compositions, report)
        regions = io_.previous_regions(Path(previous) if previous else None)
        councils = new_night_councils(b_councils, b_date, poll_date, comps, regions, report)
        b_councils, b_wards = io_.limit_baseline(b_councils, b_wards, set(councils["slug"]), report, poll_date.year)
    except InputError as exc:
        _fail(exc)
    io_.write_csv(councils, outp / "councils.csv")
    io_.write_csv(b_councils, outp / "baseline" / "councils.csv")
    io_.write_csv(b_wards, outp / "baseline" / "wards.csv")
    io_.write_csv(pd.DataFrame(columns=list(WARD_COLUMNS) + ["declared_at"]),
                  outp / "results" / "wards.csv")
    (outp / "election.toml").write_text(election_toml(poll_date, b_date), encoding="utf-8")
    _finish(report, outp, "new-night", started)


COMMANDS = (import_group, new_night)
