"""The House of Commons Library local elections handbook (an .xlsx workbook).

Sheets used: ``Candidates-results`` (one row per candidate, with the council, ward, seats
in the ward, votes, whether elected and the party abbreviation), ``Wards-results`` (the
electorate and turnout of each ward) and ``Party names`` (the key to the abbreviations).
Each sheet has a title row, then its header row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from writer import parties
from writer.identity import PartyRegistry, default_registry
from writer.importers.candidates import COLUMNS
from writer.importers.composition import party_from_name
from writer.importers.names import council_name, council_slug
from writer.importers.report import Report
from writer.errors import InputError, Problem
from writer.model import normalise_ward_name, slugify

CANDIDATES = "Candidates-results"
WARDS = "Wards-results"
PARTY_NAMES = "Party names"
CANDIDATE_COLUMNS = ("Local authority code", "Local authority name", "Ward code", "Ward name", "Year", "Type",
                     "Vacancies", "Candidate name", "Votes", "Elected", "Party name")
WARD_COLUMNS = ("Local authority code", "Ward code", "Ward name", "Electorate", "Turnout (%)", "Total votes")
PARTY_COLUMNS = ("Party abbreviation", "Party name")
#: The handbook's abbreviations for the writer's named parties and groups. Any other
#: abbreviation is looked up in the ``Party names`` sheet and its name resolved through the
#: party registry (a name it does not know with "resident" in it is a residents'
#: association, Res; the rest are ``Other (Name)``).
HANDBOOK_PARTIES = {"CON": "Con", "LAB": "Lab", "LD": "LD", "GREEN": "Green", "REF": "Reform", "UKIP": "UKIP",
                    "IND": "Ind", "ND": "Ind", "RES": "Res"}
#: Election types (the ``Type`` column): all-out elections, and partial ones (thirds or halves).
ALL_OUT_TYPES = ("LB", "UAA", "SDA")
PARTIAL_TYPES = ("MB", "UAT", "SDT")
TITLE_ROWS = 1  # each sheet's first row is a title; the header is the second; data from the third


@dataclass(frozen=True)
class Handbook:
    """The handbook's sheets as read: raw text and numbers, nothing interpreted yet."""

    path: str
    candidates: pd.DataFrame
    wards: pd.DataFrame
    party_names: pd.DataFrame


def read_handbook(path: str | Path) -> Handbook:
    """Read the workbook (the slow part: ~15 s for the 2022 handbook) or raise InputError
    naming the file, sheet and column."""
    path = Path(path)
    name = path.name
    try:
        sheets = pd.read_excel(path, sheet_name=[CANDIDATES, WARDS, PARTY_NAMES], header=TITLE_ROWS,
                               engine="openpyxl", dtype=object)
    except ValueError as exc:  # a sheet missing
        raise InputError([Problem(name, None, None, f"{exc}; expected sheets {CANDIDATES}, {WARDS} and {PARTY_NAMES}")],
                         f"cannot import {name}") from None
    except Exception as exc:  # noqa: BLE001 - zip, xml or openpyxl errors all mean: not a workbook we can read
        raise InputError([Problem(name, None, None, f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc})")],
                         f"cannot import {name}") from None
    problems = []
    for sheet, columns in ((CANDIDATES, CANDIDATE_COLUMNS), (WARDS, WARD_COLUMNS), (PARTY_NAMES, PARTY_COLUMNS)):
        frame = sheets[sheet]
        frame = sheets[sheet] = frame.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        for col in columns:
            if col not in frame.columns:
                problems.append(Problem(f"{name} sheet {sheet}", TITLE_ROWS + 1, col,
                                        "missing column; expected a header row with " + ", ".join(columns)))
        frame["row"] = range(TITLE_ROWS + 2, TITLE_ROWS + 2 + len(frame))  # the sheet's row numbers
    if problems:
        raise InputError(problems, f"cannot import {name}")
    return Handbook(str(path), sheets[CANDIDATES], sheets[WARDS], sheets[PARTY_NAMES])


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else " ".join(str(value).split())


def _whole(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    return int(text) if text.isdigit() else None


def party_map(book: Handbook, report: Report) -> dict[str, list[str]]:
    """Abbreviation -> the names the ``Party names`` sheet gives it (one or more)."""
    out: dict[str, list[str]] = {}
    for abbr, name in book.party_names[list(PARTY_COLUMNS)].itertuples(index=False):
        abbr, name = _text(abbr), _text(name)
        if abbr and name and name not in out.setdefault(abbr, []):
            out[abbr].append(name)
    return out


def _party(abbr: str, council: str, names: dict[str, list[str]], source: str, where: str,
           report: Report, seen: set, registry: PartyRegistry) -> str | None:
    if abbr in HANDBOOK_PARTIES:
        return HANDBOOK_PARTIES[abbr]
    options = names.get(abbr)
    if not options:
        if abbr not in seen:
            report.add("check", source, where, "Party name", f"abbreviation {abbr!r} is not in the {PARTY_NAMES} "
                       f"sheet; written as 'Other ({abbr})'")
            seen.add(abbr)
        return f"Other ({abbr})" if parties.is_named_other(f"Other ({abbr})") else None
    name = options[0]
    if len(options) > 1:
        # One abbreviation for several names: a local party named after its council
        # ('FIRST': Bolton First, Rossendale First) is the one for that council; otherwise
        # the names are spellings of one party and the first is used.
        local = [o for o in options if council_slug(council) and council_slug(council) in slugify(o)]
        name = local[0] if len(local) == 1 else options[0]
        key = (abbr, council)
        if key not in seen:
            seen.add(key)
            report.add("check" if len(local) != 1 else "note", source, where, "Party name",
                       f"abbreviation {abbr!r} stands for {' / '.join(options)} in the {PARTY_NAMES} sheet; "
                       f"used {name!r} in {council}")
    return party_from_name(name, registry)


def candidate_table(book: Handbook, year: int | None, report: Report,
                    registry: PartyRegistry | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """The candidate table (see :mod:`writer.importers.candidates`) and each council's
    election type as a cycle hint ('all-out' or 'partial'). Rows that cannot be used are
    reported and left out. Party names resolve through the party registry (default
    ``rules/party-registry.yaml``)."""
    registry = registry if registry is not None else default_registry()
    source = f"{Path(book.path).name} sheet {CANDIDATES}"
    names = party_map(book, report)
    rows, hints, seen = [], {}, set()
    frame = book.candidates
    for rec in frame[list(CANDIDATE_COLUMNS) + ["row"]].itertuples(index=False, name=None):
        code, council, ward_code, ward, row_year, kind, seats, cand, votes, elected, abbr, line = rec
        where = f"row {line}"
        council, ward, cand, abbr, kind = _text(council), _text(ward), _text(cand), _text(abbr), _text(kind)
        if not any((council, ward, cand)):
            continue  # a blank row under the table
        bad = []
        if not council:
            bad.append(("Local authority name", "is empty; expected the council's name"))
        if not ward:
            bad.append(("Ward name", "is empty; expected the ward's name"))
        if not cand:
            bad.append(("Candidate name", "is empty; expected the candidate's name"))
        seats_n, votes_n = _whole(seats), _whole(votes)
        if seats_n is None or not 1 <= seats_n <= 10:
            bad.append(("Vacancies", f"is {seats!r}; expected the ward's number of seats, 1 to 10"))
        if votes_n is None:
            bad.append(("Votes", f"is {votes!r}; expected a whole number of votes"))
        if _whole(elected) not in (0, 1):
            bad.append(("Elected", f"is {elected!r}; expected 1 (yes) or 0 (no)"))
        if year is not None and _whole(row_year) != year:
            bad.append(("Year", f"is {row_year!r}; expected {year} (--year)"))
        party = _party(abbr, council, names, source, where, report, seen, registry) if abbr else None
        if party is None:
            bad.append(("Party name", f"{abbr!r} cannot be made a party code; expected an abbreviation "
                        f"from the {PARTY_NAMES} sheet"))
        if bad:
            for col, message in bad:
                report.add("left out", source, where, col, message)
            continue
        slug = council_slug(council)
        if kind in ALL_OUT_TYPES:
            hint = "all-out"
        elif kind in PARTIAL_TYPES:
            hint = "partial"
        else:
            hint = None
            if slug not in hints:
                report.add("check", source, where, "Type", f"{council}: election type {kind!r} is not one of "
                           + ", ".join(ALL_OUT_TYPES + PARTIAL_TYPES) + "; the cycle is inferred from seats alone")
        hints.setdefault(slug, hint)
        rows.append((council_name(council), slug, _text(code), ward, _text(ward_code), seats_n, cand, party, votes_n,
                     _whole(elected) == 1, line))
    return pd.DataFrame(rows, columns=list(COLUMNS)), hints


def turnout_table(book: Handbook, table: pd.DataFrame, report: Report) -> pd.DataFrame:
    """results/turnout.csv rows for the wards in ``table`` (matched by council code and
    ward code, then by name)."""
    source = f"{Path(book.path).name} sheet {WARDS}"
    councils = table.drop_duplicates("gss_code").set_index("gss_code")[["council", "slug"]]
    wanted = {(g, c or normalise_ward_name(w)) for g, w, c in
              table[["gss_code", "ward", "ward_code"]].drop_duplicates().itertuples(index=False)}
    rows = []
    cols = list(WARD_COLUMNS) + ["row"]
    for code, ward_code, ward, electorate, turnout, total, line in book.wards[cols].itertuples(index=False, name=None):
        code, ward_code, ward = _text(code), _text(ward_code), _text(ward)
        if not code or code not in councils.index:
            continue  # a footnote row, or a council whose candidates were all left out
        key = (code, ward_code or normalise_ward_name(ward))
        if key not in wanted:
            report.add("note", source, f"row {line}", "Ward name", f"ward {ward!r} has figures but no candidates; not used")
            continue
        e, t = _whole(electorate), turnout
        try:
            t = float(t)
        except (TypeError, ValueError):
            t = None
        if e is None or t is None or not 0 <= t <= 100:
            report.add("check", source, f"row {line}", "Electorate", f"ward {ward!r}: electorate {electorate!r} or "
                       f"turnout {turnout!r} is not a number; figures left empty")
            e = t = None
        rows.append({"council": councils.at[code, "council"], "slug": councils.at[code, "slug"], "ward": ward,
                     "ward_code": ward_code, "electorate": e if e is not None else "",
                     "turnout_pct": t if t is not None else "", "total_votes": _whole(total) or ""})
    return pd.DataFrame(rows, columns=["council", "slug", "ward", "ward_code", "electorate", "turnout_pct", "total_votes"])
