"""``writer import handbook|leap|composition`` and ``writer new-night``: thin I/O around the
pure importers. Data files go to --out; the report of bad or surprising rows goes to
``<out>/<command>.report.csv`` and its summary to stderr.

Which command wrote each file is recorded in ``<out>/imports.json``. A command never overwrites
a file another command (or a person) wrote unless told to (``--force``): it stops with exit
code 2 and names each file and who wrote it. ``writer import composition`` is the one
exception: it updates councils.csv's make-up in place, by design. Exit 3 on input that cannot
be used, and when the sources give no council to write (the report says why each was left
out)."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from writer.cli.common import EXIT_INPUT
from writer.errors import InputError

if TYPE_CHECKING:
    from writer.importers.report import Report
    from writer.importers.write import NoCouncils

#: Councils left out for want of their size or make-up: Open Council Data gives both.
_NEEDS_COMPOSITIONS = ("total_seats", "composition_before")


def _fail(exc: InputError) -> NoReturn:
    click.echo(exc.render(limit=200), err=True)
    click.echo("Fix the problems listed and run again.", err=True)
    sys.exit(EXIT_INPUT)


def _finish(report: Report, out: Path, name: str, started: float, written: int | None = None,
            compositions: bool = True) -> None:
    from writer.importers import directory as io_
    path = out / f"{name}.report.csv"
    io_.write_report(report, path)
    councils = "" if written is None else f"{written} council{'s' if written != 1 else ''} written; "
    click.echo(f"{name}: {councils}{report.summary()} ({time.perf_counter() - started:.1f} s); report in {path}",
               err=True)
    for finding in report.of_kind("left out")[:20]:
        click.echo(f"  {finding}", err=True)
    wanting = [f for f in report.of_kind("left out") if f.field in _NEEDS_COMPOSITIONS]
    if wanting and not compositions:
        click.echo(f"{len(wanting)} councils were left out for want of their size or make-up: give "
                   "--compositions FILE (Open Council Data's councillors list) for both.", err=True)
    cycles = [f for f in report.of_kind("left out") if f.field == "cycle"]
    if cycles:
        click.echo(f"{len(cycles)} councils were left out because the baseline does not say their cycle: "
                   "import the baseline again with --compositions FILE, which gives each council's size.", err=True)


def _no_councils(exc: NoCouncils, report: Report, out: Path, name: str, started: float,
                 compositions: bool = True) -> None:
    """Nothing usable: write the report (it says why each council was left out) and exit 3."""
    _finish(report, out, name, started, 0, compositions)
    click.echo(f"{name}: {exc} Nothing was written but the report; exit code {EXIT_INPUT}.", err=True)
    sys.exit(EXIT_INPUT)


def _guard(out: Path, files: list[str], by: str, force: bool, hint: str = "") -> None:
    """Stop (exit 2) before overwriting a file of ``out`` that another command or a person
    wrote, unless ``force``."""
    from writer.importers import directory as io_
    found = io_.conflicts(out, files, by)
    if not found or force:
        return
    lines = "\n".join(f"  {rel}: written by {who}" for rel, who in found)
    raise click.UsageError(f"`writer {by}` would overwrite files in {out} that it did not write:\n{lines}\n"
                           + (hint + "\n" if hint else "")
                           + "Write to another --out, or pass --force to overwrite them.")


def _date(value: str | None, param: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date such as 2026-05-07, got {value!r}", param_hint=param) from None


@click.group("import")
def import_group() -> None:
    """Build an election directory from public sources (see writer/importers/README.md).

    \b
    Example:
      writer import leap ../shared/data/raw/leap-2018-05-03.csv --out base2018 \\
          --compositions ../shared/data/raw/opencouncildata_councillors_2021.csv
      writer import handbook ../shared/data/raw/local-elections-2022.xlsx --year 2022 \\
          --as results --baseline base2018 --out night2022 \\
          --compositions ../shared/data/raw/opencouncildata_councillors_2021.csv

    Each command records the files it wrote in <out>/imports.json and will not overwrite
    another's (or a person's) without --force.
    """


role_option = click.option("--as", "role", type=click.Choice(["baseline", "results"]), default="baseline",
                           show_default=True, help="Write the baseline part, or tonight's results (with councils.csv "
                           "and election.toml, compared with the baseline already in --out).")
out_option = click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="The election directory to write.")
comp_option = click.option("--compositions", type=click.Path(exists=True, dir_okay=False),
                           help="Open Council Data councillor list: council sizes and make-up for thirds and halves councils.")
prev_option = click.option("--previous", type=click.Path(exists=True, file_okay=False),
                           help="An earlier election directory to take councils' regions from.")
baseline_dir_option = click.option(
    "--baseline", "baseline_dir", type=click.Path(exists=True, file_okay=False),
    help="With --as results: the directory of the baseline to compare with (written by `writer import "
         "... --as baseline`); it is left as it was, and a copy limited to tonight's councils is written "
         "to --out. Default: the baseline already in --out, limited in place (which needs --force when "
         "another importer wrote it).")
force_option = click.option("--force", is_flag=True,
                            help="Overwrite files in --out that another command (or a person) wrote.")


def _role_files(out: Path, role: str, baseline_dir: str | None, extra: tuple[str, ...] = ()) -> list[str]:
    from writer.importers import directory as io_
    from writer.importers.write import night_files
    if role == "baseline":
        return list(io_.BASELINE_FILES)
    return night_files(out, Path(baseline_dir) if baseline_dir else None) + list(extra)


_IN_PLACE_HINT = ("Tonight's results are compared with a baseline limited to tonight's councils: keep the "
                  "baseline in a directory of its own and give it with --baseline DIR (it is copied, limited, "
                  "and left as it was).")


def _check_role(role: str, baseline_dir: str | None) -> None:
    if baseline_dir and role != "results":
        raise click.BadParameter("a baseline to compare with is for --as results", param_hint="--baseline")


@import_group.command("handbook")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, required=True, help="The election year; rows of another year are reported.")
@click.option("--date", "poll", help="Poll date (default: the first Thursday in May of --year).")
@role_option
@out_option
@baseline_dir_option
@comp_option
@prev_option
@force_option
def handbook(file: str, year: int, poll: str | None, role: str, out: str, baseline_dir: str | None,
             compositions: str | None, previous: str | None, force: bool) -> None:
    """The House of Commons Library local elections handbook (.xlsx)."""
    from writer.importers import directory as io_
    from writer.importers import handbook as hb
    from writer.importers.report import Report
    from writer.importers.skeleton import first_thursday_in_may
    from writer.importers.write import NoCouncils, import_table, read_compositions
    started, report = time.perf_counter(), Report()
    _check_role(role, baseline_dir)
    outp, by, name = Path(out), f"import handbook --as {role}", f"import-handbook-{role}"
    files = _role_files(outp, role, baseline_dir, ("results/turnout.csv",))
    _guard(outp, files, by, force, _IN_PLACE_HINT if role == "results" and not baseline_dir else "")
    poll_date = _date(poll, "--date") or first_thursday_in_may(year)
    try:
        book = hb.read_handbook(file)
        comps = read_compositions(compositions, report)
        table, hints = hb.candidate_table(book, year, report)
        councils = import_table(out, role, table, hints, poll_date, f"{Path(file).name} sheet {hb.CANDIDATES}", comps,
                           previous, report, baseline_dir)
        if role == "results":
            io_.write_csv(hb.turnout_table(book, table[table["slug"].isin(set(councils["slug"]))], report),
                          outp / "results" / "turnout.csv")
    except InputError as exc:
        _fail(exc)
    except NoCouncils as exc:
        _no_councils(exc, report, outp, name, started, compositions is not None)
    io_.record(outp, files, by, file)
    _finish(report, outp, name, started, len(councils), compositions is not None)


@import_group.command("leap")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--date", "poll", help="Poll date (default: from a file name such as leap-2018-05-03.csv).")
@click.option("--registry", "party_file", type=click.Path(exists=True, dir_okay=False),
              help="The party registry whose leap codes name LEAP's parties (default: the writer's "
                   "rules/party-registry.yaml).")
@role_option
@out_option
@baseline_dir_option
@comp_option
@prev_option
@force_option
def leap(file: str, poll: str | None, party_file: str | None, role: str, out: str, baseline_dir: str | None,
         compositions: str | None, previous: str | None, force: bool) -> None:
    """Andrew Teale's Local Elections Archive Project results (.csv)."""
    from writer.identity import default_registry, load_registry
    from writer.importers import directory as io_
    from writer.importers import leap as lp
    from writer.importers.report import Report
    from writer.importers.write import NoCouncils, import_table, read_compositions
    started, report = time.perf_counter(), Report()
    _check_role(role, baseline_dir)
    outp, by, name = Path(out), f"import leap --as {role}", f"import-leap-{role}"
    files = _role_files(outp, role, baseline_dir)
    _guard(outp, files, by, force, _IN_PLACE_HINT if role == "results" and not baseline_dir else "")
    poll_date = _date(poll, "--date")
    if poll_date is None:
        stem = Path(file).stem
        poll_date = _date(stem[-10:], "FILE") if len(stem) >= 10 and stem[-10:-6].isdigit() else None
        if poll_date is None:
            raise click.BadParameter("cannot tell the poll date from the file name; give --date", param_hint="--date")
    try:
        registry = load_registry(party_file) if party_file else default_registry()
        comps = read_compositions(compositions, report)
        table = lp.candidate_table(lp.read_leap(file), registry, Path(file).name, report)
        councils = import_table(out, role, table, {}, poll_date, Path(file).name, comps, previous, report, baseline_dir)
    except InputError as exc:
        _fail(exc)
    except NoCouncils as exc:
        _no_councils(exc, report, outp, name, started, compositions is not None)
    io_.record(outp, files, by, file)
    _finish(report, outp, name, started, len(councils), compositions is not None)


@import_group.command("composition")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@out_option
def composition(file: str, out: str) -> None:
    """Open Council Data UK councillors into composition_before (and control_before) of
    --out's councils.csv, in place (the one importer that updates another's file: only those
    two columns change). Exit 3 when no council of councils.csv is in the source."""
    import pandas as pd

    from writer.importers import composition as ocd
    from writer.importers import directory as io_
    from writer.importers.report import Report
    from writer.importers.write import NoCouncils
    started, report = time.perf_counter(), Report()
    outp = Path(out)
    try:
        comps = ocd.compositions(ocd.read_ocd(file), Path(file).name, report)
        councils = io_.read_csv(outp / "councils.csv")
        standing = councils[councils.get("new_council", pd.Series("", index=councils.index)) != "yes"]
        matched = int(standing["slug"].isin(set(comps)).sum())
        if len(standing) and not matched:
            raise NoCouncils(f"none of the {len(standing)} councils of {outp / 'councils.csv'} is in "
                             f"{Path(file).name}.")
        io_.write_csv(ocd.apply_compositions(councils, comps, Path(file).name, report), outp / "councils.csv")
    except InputError as exc:
        _fail(exc)
    except NoCouncils as exc:
        _no_councils(exc, report, outp, "import-composition", started)
    io_.record(outp, ["councils.csv"], "import composition", file, update=True)
    _finish(report, outp, "import-composition", started, matched)


@click.command("new-night")
@click.option("--baseline", "baseline_dir", type=click.Path(exists=True, file_okay=False), required=True,
              help="A directory with an imported baseline (writer import ... --as baseline).")
@click.option("--date", "poll", required=True, help="Poll date of the new night, e.g. 2026-05-07.")
@out_option
@comp_option
@prev_option
@force_option
def new_night(baseline_dir: str, poll: str, out: str, compositions: str | None, previous: str | None,
              force: bool) -> None:
    """The skeleton of a new night: councils.csv, election.toml, the baseline and empty
    results, with a report of what an editor still has to check.

    \b
    Example:
      writer import handbook ../shared/data/raw/local-elections-2022.xlsx --year 2022 --out base2022
      writer new-night --baseline base2022 --date 2026-05-07 --out night2026
    """
    import pandas as pd

    from writer.importers import directory as io_
    from writer.importers.candidates import WARD_COLUMNS
    from writer.importers.report import Report
    from writer.importers.skeleton import election_toml, new_night_councils
    from writer.importers.write import NoCouncils, read_compositions
    started, report = time.perf_counter(), Report()
    poll_date = _date(poll, "--date")
    outp = Path(out)
    files = ["councils.csv", "baseline/councils.csv", "baseline/wards.csv", "results/wards.csv", "election.toml"]
    _guard(outp, files, "new-night", force)
    try:
        b_councils, b_wards, b_date = io_.read_baseline(Path(baseline_dir))
        comps = read_compositions(compositions, report)
        regions = io_.previous_regions(Path(previous) if previous else None)
        councils = new_night_councils(b_councils, b_date, poll_date, comps, regions, report)
        if councils.empty:
            raise NoCouncils(f"none of the {len(b_councils)} councils of the baseline in {baseline_dir} could be "
                             "written (the report says why each was left out).")
        b_councils, b_wards = io_.limit_baseline(b_councils, b_wards, set(councils["slug"]), report, poll_date.year)
    except InputError as exc:
        _fail(exc)
    except NoCouncils as exc:
        _no_councils(exc, report, outp, "new-night", started, compositions is not None)
    io_.write_csv(councils, outp / "councils.csv")
    io_.write_csv(b_councils, outp / "baseline" / "councils.csv")
    io_.write_csv(b_wards, outp / "baseline" / "wards.csv")
    io_.write_csv(pd.DataFrame(columns=list(WARD_COLUMNS) + ["declared_at"]),
                  outp / "results" / "wards.csv")
    (outp / "election.toml").write_text(election_toml(poll_date, b_date), encoding="utf-8")
    io_.record(outp, files, "new-night", baseline_dir)
    _finish(report, outp, "new-night", started, len(councils), compositions is not None)


COMMANDS = (import_group, new_night)
