"""Load and validate an election directory (the format of shared/data/FORMAT.md).

Every file is checked before anything runs; all problems in all files are reported
together, and a directory with any problem loads nothing.
"""

from __future__ import annotations

import math
import re
import tomllib
from functools import lru_cache
from types import SimpleNamespace
from datetime import date, datetime
from pathlib import Path

from writer import identity as party_identity  # a module: writer.identity reads writer.errors
from writer import parties
from writer.ingest.csvfile import CsvFile, Row, iter_groups
from writer.errors import InputError, Problem
from writer.ingest.times import declared_at_problem
from writer.ingest.wards import NightWards, ward_key
from writer.model import (
    BaselineCouncil,
    BaselineWard,
    Candidate,
    Constituency,
    ContextFigure,
    ControlPeriod,
    Council,
    CouncilDeclaration,
    Declaration,
    Election,
    Night,
    WardDeclaration,
    council_declaration_id,
    elected_below,
    slugify,
    ward_declaration_id,
)

CYCLES = ("all-out", "thirds", "halves")
MAX_SEATS_IN_WARD = 10
#: The optional dc_ward_slug column of ward rows: a slug as Every Election makes them.
_DC_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() takes (every code point checked)
# a ward's name is made into its slug and its key several times as its rows are checked
# (pure functions of the name): each once
_slug = lru_cache(maxsize=1 << 14)(slugify)
COUNCIL_COLUMNS = ("council", "slug", "gss_code", "region", "cycle", "total_seats", "seats_up",
                   "control_before", "composition_before", "new_council", "boundary_change")
BASELINE_COUNCIL_COLUMNS = ("council", "slug", "cycle", "total_seats", "seats_up", "seats_won",
                            "composition_after", "control_after")
WARD_COLUMNS = ("council", "slug", "ward", "ward_code", "seats_in_ward", "candidate", "party", "votes", "elected")
RESULT_COUNCIL_COLUMNS = ("council", "slug", "seats_won", "composition_after", "declared_at")
TURNOUT_COLUMNS = ("council", "slug", "ward", "ward_code", "electorate", "turnout_pct", "total_votes")
HISTORY_COLUMNS = ("council", "slug", "from_year", "to_year", "control")
GENERAL_ELECTION_COLUMNS = ("ons_id", "constituency", "country", "region", "electorate", "valid_votes", "winner")
COUNTRIES = ("England", "Scotland", "Wales", "Northern Ireland")


def load_night(directory: str | Path, *, registry: "party_identity.PartyRegistry | None" = None) -> Night:
    """Read, validate and return the night in ``directory``, or raise :class:`InputError`
    listing every problem found.

    Every party code is resolved to one code per party as it is read (``registry``: the
    party registry, default ``rules/party-registry.yaml``), files in a fixed order
    (election.toml, councils.csv, the baseline, history.csv, tonight's results), so the
    same directory always gives the same codes. The night keeps its table
    (``Night.parties``) for declarations that arrive later."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError([Problem(str(directory), None, None, "is not a directory; expected an election directory (see FORMAT.md)")],
                         f"cannot load {directory}")
    if registry is None:
        registry = party_identity.default_registry()
    loader = _Loader(root, party_identity.PartyIdentity(registry))
    night = loader.load()
    if loader.problems:
        raise InputError(loader.problems, f"{root} is not a valid election directory")
    assert night is not None
    return night



def _shown(value: object) -> str:
    """A TOML value as a problem quotes it: dates in ISO 8601, anything else as its repr."""
    return value.isoformat() if isinstance(value, (date, datetime)) else repr(value)


class _Loader:
    def __init__(self, root: Path, identity: "party_identity.PartyIdentity") -> None:
        self.root = root
        self.identity = identity
        self.problems: list[Problem] = []
        self.polls_close: datetime | None = None
        self.wards: NightWards | None = None
        self.dc_ward_slugs: dict[tuple[str, str], str] = {}

    def _file(self, relpath: str, columns: tuple[str, ...], *, optional: bool) -> CsvFile | None:
        f = CsvFile(self.root, relpath, self.identity)
        if not f.path.exists():
            if not optional:
                self.problems.append(Problem(relpath, None, None, "is missing; every election directory needs it"))
            return None
        f.read(columns)
        return f

    def _finish(self, f: CsvFile | None) -> None:
        if f is not None:
            self.problems.extend(f.problems)

    def _usable(self, f: CsvFile | None) -> bool:
        """Whether a file's rows can be checked; if not, its problems are reported now."""
        if f is None or not f.ok:
            self._finish(f)
            return False
        f.duplicates()
        return True

    def load(self) -> Night | None:
        election = self._election()
        councils, known = self._councils()
        baseline_councils = self._baseline_councils(councils, known)
        baseline_wards = self._baseline_wards(known)
        history = self._history(known)
        general_election = self._general_election()
        poll_date = election.poll_date if election else date(1970, 1, 1)
        self.polls_close = election.polls_close if election else None
        self.wards = NightWards(SimpleNamespace(councils=councils, baseline_councils=baseline_councils,
                                                baseline_wards=baseline_wards))
        wards_file = self._file("results/wards.csv", WARD_COLUMNS + ("declared_at",), optional=True)
        councils_file = self._file("results/councils.csv", RESULT_COUNCIL_COLUMNS, optional=True)
        if wards_file is None and councils_file is None:
            self.problems.append(Problem("results/", None, None, "has neither wards.csv nor councils.csv; expected at least one"))
        turnout = self._turnout(known)
        ward_decls = self._ward_declarations(wards_file, councils, known, poll_date, turnout)
        council_decls = self._council_declarations(councils_file, councils, known, poll_date)
        if self.problems or election is None:
            return None
        declarations: list[Declaration] = sorted(
            ward_decls + council_decls,
            key=lambda d: (d.declared_at, 0 if d.kind == "ward" else 1),
        )
        return Night(election, councils, baseline_councils, baseline_wards, history,
                     tuple(declarations), source=str(self.root), parties=self.identity,
                     general_election=general_election, dc_ward_slugs=dict(self.dc_ward_slugs))

    # -- election.toml --------------------------------------------------------------------
    ELECTION_TOML = "election.toml"

    def _election_problem(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.ELECTION_TOML, None, key, message))

    def _election(self) -> Election | None:
        data = self._election_data()
        if data is None:
            return None
        before = len(self.problems)
        self._check_election_keys(data)
        context = self._context_figures(data.get("context", []) or [])
        if len(self.problems) > before:
            return None
        return Election(data["id"], data["name"], data["poll_date"], data["polls_close"], data["baseline_id"],
                        data["baseline_label"], tuple(context))

    def _election_data(self) -> dict | None:
        """election.toml read as TOML, or None (the problem reported) when it cannot be."""
        bad = self._election_problem
        path = self.root / self.ELECTION_TOML
        if not path.exists():
            bad(None, "is missing; every election directory needs it")
            return None
        if not path.is_file():
            bad(None, "is a directory; expected a TOML file" if path.is_dir()
                else "is not a regular file; expected a TOML file")
            return None
        try:
            raw = path.read_bytes()
        except OSError as exc:
            bad(None, f"cannot read the file: {exc.strerror or exc}")
            return None
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            bad(None, "is UTF-16 (it starts with a UTF-16 byte order mark); expected a UTF-8 TOML file")
            return None
        try:
            text = raw.decode("utf-8-sig")  # a byte order mark is allowed, as in the CSV files
        except UnicodeDecodeError as exc:
            bad(None, f"is not valid UTF-8 (byte {exc.start} of the file); expected a UTF-8 TOML file")
            return None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            bad(None, f"is not valid TOML: {exc}")
            return None

    def _check_election_keys(self, data: dict) -> None:
        """Report every key of election.toml that is missing or of the wrong kind."""
        bad = self._election_problem
        for key in ("id", "name", "poll_date", "polls_close", "baseline_id", "baseline_label"):
            if key not in data:
                bad(key, "is missing; election.toml needs id, name, poll_date, polls_close, baseline_id and baseline_label")
        for key in ("id", "name", "baseline_id", "baseline_label"):
            if key in data and (not isinstance(data[key], str) or not data[key]):
                bad(key, f"expected a non-empty string, got {_shown(data[key])}")
        poll_date = data.get("poll_date")
        if "poll_date" in data and (isinstance(poll_date, datetime) or not isinstance(poll_date, date)):
            bad("poll_date", f"expected a date such as 2022-05-05, got {_shown(poll_date)}")
        polls_close = data.get("polls_close")
        if "polls_close" in data and (not isinstance(polls_close, datetime) or polls_close.tzinfo is None):
            bad("polls_close", f"expected a date and time with offset such as 2022-05-05T22:00:00+01:00, got {_shown(polls_close)}")

    def _context_figures(self, tables: list) -> list[ContextFigure]:
        """The [[context]] tables of election.toml; each bad one is reported and left out."""
        bad = self._election_problem
        context = []
        for i, table in enumerate(tables, start=1):
            where = f"context[{i}]"
            if not isinstance(table, dict):
                bad(where, "expected a [[context]] table")
                continue
            missing = [k for k in ("key", "label", "unit", "values", "source") if k not in table]
            if missing:
                bad(where, "missing " + ", ".join(missing) + "; a context figure needs key, label, unit, values and source")
                continue
            values = table["values"]
            if not isinstance(values, dict) or not all(
                parties.is_party_code(str(k), in_composition=True) and isinstance(v, (int, float)) and not isinstance(v, bool)
                and math.isfinite(v) for k, v in values.items()
            ):
                bad(f"{where}.values", "expected party code = number pairs, such as { Lab = 35, Con = 35 }")
                continue
            cite = table.get("cite")
            if cite is not None and (not isinstance(cite, str) or not cite.strip() or len(cite) > 100
                                     or any(ord(ch) < 32 for ch in cite)):
                bad(f"{where}.cite", f"expected how copy attributes the figure, such as \"the BBC\" "
                                     f"(a short line of text), got {_shown(cite)}")
                continue
            resolved: dict[str, float] = {}
            for k, v in values.items():
                code = self.identity.resolve(str(k), f"{self.ELECTION_TOML} {where}.values")
                resolved[code] = resolved.get(code, 0.0) + float(v)
            context.append(ContextFigure(str(table["key"]), str(table["label"]), str(table["unit"]),
                                         resolved, str(table["source"]), cite.strip() if cite else None))
        return context

    # -- councils.csv -----------------------------------------------------------------------
    def _councils(self) -> tuple[dict[str, Council], set[str] | None]:
        """The councils, and every slug councils.csv lists (valid row or not), so that a
        bad row is reported once rather than as an unknown council in every other file."""
        f = self._file("councils.csv", COUNCIL_COLUMNS, optional=False)
        councils: dict[str, Council] = {}
        if not self._usable(f):
            return councils, None
        seen: dict[str, int] = {}
        for row in f.rows:
            name, slug = f.text(row, "council"), f.slug(row)
            region = f.text(row, "region")
            cycle = f.choice(row, "cycle", CYCLES)
            total = f.whole(row, "total_seats", minimum=1, maximum=1000, what="a number of seats")
            up = f.whole(row, "seats_up", minimum=0, maximum=1000, what="a number of seats")
            new = f.yes_no(row, "new_council")
            boundary = f.yes_no(row, "boundary_change")
            if total is not None and up is not None and up > total:
                f.problem(row.line, "seats_up", f"is {up}, more than total_seats {total}; expected at most {total}")
                up = None
            control = composition = None
            if new is True:
                for col in ("control_before", "composition_before"):
                    if row[col]:
                        f.problem(row.line, col, f"is {row[col]!r}; expected it empty for a new council (new_council = yes)")
            elif new is False:
                control = f.control(row, "control_before")
                composition = f.seat_list(
                    row, "composition_before", total=None if boundary or total is None else total,
                    what="total_seats, since boundary_change is not yes")
                if composition is not None and not composition:
                    f.problem(row.line, "composition_before", "is empty; expected the council's make-up before tonight (empty only for a new council)")
            if slug is not None:
                if slug in seen:
                    f.problem(row.line, "slug", f"{slug!r} already used on line {seen[slug]}; expected each council once")
                    continue
                seen[slug] = row.line
            if None in (name, slug, region, cycle, total, up, new, boundary) or (new is False and None in (control, composition)):
                continue
            councils[slug] = Council(name, slug, row["gss_code"], region, cycle, total, up, control,
                                     composition, new, boundary)
        self._finish(f)
        return councils, {row["slug"] for row in f.rows}

    def _unknown_council(self, f: CsvFile, row: Row, known: set[str] | None) -> bool:
        """Report a council missing from councils.csv. When councils.csv itself could not
        be read (``known`` is None), its problem is reported once and not again per row."""
        if known is None:
            return False
        if row["slug"] not in known:
            f.problem(row.line, "slug", f"unknown council {row['slug']!r}; expected a slug listed in councils.csv")
            return True
        return False

    # -- baseline/councils.csv --------------------------------------------------------------
    def _baseline_councils(self, councils: dict[str, Council], known: set[str] | None) -> dict[str, BaselineCouncil]:
        f = self._file("baseline/councils.csv", BASELINE_COUNCIL_COLUMNS, optional=False)
        out: dict[str, BaselineCouncil] = {}
        if not self._usable(f):
            return out
        for row in f.rows:
            if self._unknown_council(f, row, known):
                continue
            slug = row["slug"]
            if slug in out:
                f.problem(row.line, "slug", f"council {slug!r} appears more than once; expected one baseline row per council")
                continue
            cycle = f.choice(row, "cycle", CYCLES)
            total = f.whole(row, "total_seats", minimum=1, maximum=1000, what="a number of seats")
            up = f.whole(row, "seats_up", minimum=1, maximum=1000, what="a number of seats")
            won = f.seat_list(row, "seats_won", total=up, what="seats_up")
            comp = f.seat_list(row, "composition_after", total=total, what="total_seats")
            control = f.control(row, "control_after")
            if None in (cycle, total, up, won, comp, control):
                continue
            out[slug] = BaselineCouncil(row["council"], slug, cycle, total, up, won, comp, control)
        for slug, council in councils.items():
            if not council.new_council and slug not in out and f.ok:
                f.problem(None, "slug", f"has no row for {slug!r}, which councils.csv says is not a new council; expected a baseline row for every council that is not new")
        self._finish(f)
        return out

    # -- candidate rows (baseline and tonight) ----------------------------------------------
    def _candidates(self, f: CsvFile, rows: list[Row], *, counted: bool = False) -> tuple[int, tuple[Candidate, ...]] | None:
        """Check one ward contest's candidate rows; return (seats, candidates) or None.
        ``counted``: tonight's results, where an elected candidate cannot have fewer votes than
        one who was not (the baseline is history as its source gives it, and is not refused)."""
        first = rows[0]
        seats_values = {r["seats_in_ward"] for r in rows}
        if len(seats_values) > 1:
            f.problem(first.line, "seats_in_ward", f"differs between the candidates of ward {first['ward']!r} ({', '.join(sorted(seats_values))}); expected one value per ward")
            return None
        seats = f.whole(first, "seats_in_ward", minimum=1, maximum=MAX_SEATS_IN_WARD, what="a number of seats")
        candidates = []
        ok = seats is not None
        for row in rows:
            name = f.text(row, "candidate")
            if name is not None and not _ALNUM.search(name):
                f.problem(row.line, "candidate", f"{name!r} has no letters or digits; expected a candidate's name")
                name = None
            party = f.party(row)
            votes = f.whole(row, "votes", what="a whole number of votes")
            elected = f.yes_no(row, "elected")
            if None in (name, party, votes, elected):
                ok = False
                continue
            candidates.append(Candidate(name, party, votes, elected))
        if not ok:
            return None
        winners = sum(c.elected for c in candidates)
        if winners > seats:
            f.problem(first.line, "elected", f"ward {first['ward']!r} has {winners} candidates elected; expected at most seats_in_ward = {seats}")
            return None
        below = elected_below(candidates) if counted else None
        if below is not None:
            won, lost = below
            f.problem(first.line, "votes", f"ward {first['ward']!r} elected {won.name!r} with {won.votes} votes, fewer than "
                      f"{lost.name!r} ({lost.votes}), who was not elected; expected the elected candidates to have "
                      "the most votes (check the votes and the elected column)")
            return None
        return seats, tuple(candidates)

    def _baseline_wards(self, known: set[str] | None) -> dict[str, tuple[BaselineWard, ...]]:
        f = self._file("baseline/wards.csv", WARD_COLUMNS, optional=True)
        out: dict[str, list[BaselineWard]] = {}
        if not self._usable(f):
            return {}
        for (slug, ward), rows in iter_groups(f.rows, lambda r: (r["slug"], r["ward"])):
            if self._unknown_council(f, rows[0], known):
                continue
            parsed = self._candidates(f, rows)
            if parsed is not None:
                out.setdefault(slug, []).append(BaselineWard(slug, ward, rows[0]["ward_code"], *parsed))
                self._dc_ward_slug(f, rows[0], slug, ward)
        self._finish(f)
        return {k: tuple(v) for k, v in out.items()}

    def _dc_ward_slug(self, f: CsvFile, row: Row, council: str, ward: str) -> None:
        """The optional ``dc_ward_slug`` column: the ward's slug in Democracy Club's results
        feed (Every Election's), for the feed poller to match its ``post_id`` by."""
        value = row.values.get("dc_ward_slug", "").strip()
        if not value:
            return
        if not _DC_SLUG.match(value):
            f.problem(row.line, "dc_ward_slug", f"{value!r} is not a slug; expected lower-case letters and "
                                                "digits joined by hyphens, such as brunswick-park")
            return
        earlier = self.dc_ward_slugs.setdefault((council, value), ward)
        if ward_key(earlier) != ward_key(ward):
            f.problem(row.line, "dc_ward_slug", f"{value!r} is also the dc_ward_slug of ward {earlier!r}; "
                                                "expected each ward its own")

    # -- history.csv ------------------------------------------------------------------------
    def _history(self, known: set[str] | None) -> dict[str, tuple[ControlPeriod, ...]]:
        f = self._file("history.csv", HISTORY_COLUMNS, optional=True)
        out: dict[str, list[ControlPeriod]] = {}
        if not self._usable(f):
            return {}
        for row in f.rows:
            if self._unknown_council(f, row, known):
                continue
            start = f.whole(row, "from_year", minimum=1800, maximum=2200, what="a year")
            end = f.whole(row, "to_year", minimum=1800, maximum=2200, what="a year (or empty)", required=False)
            control = f.control(row, "control", historic=True)
            if start is None or control is None or (row["to_year"] and end is None):
                continue
            if end is not None and end < start:
                f.problem(row.line, "to_year", f"is {end}, before from_year {start}; expected a later year")
                continue
            out.setdefault(row["slug"], []).append(ControlPeriod(start, end, control))
        self._finish(f)
        return {k: tuple(sorted(v, key=lambda p: p.from_year)) for k, v in out.items()}

    # -- general_election.csv -------------------------------------------------------------
    def _general_election(self) -> tuple[Constituency, ...]:
        """The last general election, one row per constituency. The fixed columns are
        GENERAL_ELECTION_COLUMNS; every other column whose name starts with a capital letter
        is a party's votes (``Con``, ``SNP``, ``Other``: party codes are capitalised), and any
        other extra column (``notes``, ``majority``) is ignored, as in every file. An empty
        vote cell is 0 (the party did not stand). Party codes are kept as the file writes them:
        the columns name parties, not candidates, and ``SNP`` or ``PC`` are no local party."""
        f = self._file("general_election.csv", GENERAL_ELECTION_COLUMNS, optional=True)
        if not self._usable(f):
            return ()
        assert f is not None
        party_columns = [c for c in f.columns if c and c not in GENERAL_ELECTION_COLUMNS and c[0].isupper()]
        if not party_columns:
            f.problem(1, None, "has no party columns; expected one column of votes per party code after the "
                               "fixed columns (" + ", ".join(GENERAL_ELECTION_COLUMNS) + "), such as Con, Lab, LD and Other")
            self._finish(f)
            return ()
        out: list[Constituency] = []
        seen: dict[str, int] = {}
        for row in f.rows:
            ons_id = f.text(row, "ons_id", max_len=20)
            name = f.text(row, "constituency")
            country = f.choice(row, "country", COUNTRIES)
            region = f.text(row, "region", required=False)
            electorate = f.whole(row, "electorate", minimum=1, maximum=10_000_000, what="a number of electors")
            valid = f.whole(row, "valid_votes", minimum=1, maximum=10_000_000, what="a number of valid votes")
            winner = f.text(row, "winner", max_len=100)
            votes: dict[str, int] = {}
            ok = None not in (ons_id, name, country, region, electorate, valid, winner)
            for column in party_columns:
                if not row[column]:
                    votes[column] = 0
                    continue
                n = f.whole(row, column, maximum=10_000_000, what="a whole number of votes")
                if n is None:
                    ok = False
                else:
                    votes[column] = n
            if not ok:
                continue
            if electorate is not None and valid is not None and valid > electorate:
                f.problem(row.line, "valid_votes", f"is {valid}, more than the electorate {electorate}; expected at most {electorate}")
                continue
            if sum(votes.values()) > valid:
                f.problem(row.line, "valid_votes", f"is {valid}, less than the {sum(votes.values())} votes in the party "
                          f"columns ({', '.join(party_columns)}); expected at least their sum")
                continue
            if ons_id in seen:
                f.problem(row.line, "ons_id", f"{ons_id!r} already used on line {seen[ons_id]}; expected each constituency once")
                continue
            seen[ons_id] = row.line
            out.append(Constituency(ons_id, name, country, region, electorate, valid, winner, votes))
        self._finish(f)
        return tuple(out)

    # -- results/turnout.csv ----------------------------------------------------------------
    def _turnout(self, known: set[str] | None) -> dict[tuple[str, str], tuple[int | None, float | None, int | None]]:
        f = self._file("results/turnout.csv", TURNOUT_COLUMNS, optional=True)
        out: dict[tuple[str, str], tuple[int | None, float | None, int | None]] = {}
        if not self._usable(f):
            return out
        for row in f.rows:
            if self._unknown_council(f, row, known):
                continue
            electorate = f.whole(row, "electorate", what="a number of electors", required=False)
            pct = f.decimal(row, "turnout_pct", minimum=0, maximum=100)
            total = f.whole(row, "total_votes", what="a number of ballots", required=False)
            if electorate is not None and total is not None and total > electorate:
                f.problem(row.line, "total_votes", f"is {total}, more than the electorate {electorate}; expected at most {electorate}")
                continue
            figures = (electorate, pct, total)
            if row["ward_code"]:
                out[(row["slug"], "code:" + row["ward_code"])] = figures
            out[(row["slug"], "name:" + ward_key(row["ward"]))] = figures
        self._finish(f)
        return out

    # -- results/wards.csv ------------------------------------------------------------------
    def _ward_declarations(self, f: CsvFile | None, councils: dict[str, Council], known: set[str] | None, poll_date: date,
                           turnout: dict) -> list[WardDeclaration]:
        out: list[WardDeclaration] = []
        if not self._usable(f):
            return out
        ward_ids: dict[tuple[str, str], str] = {}  # (council, ward slug) -> ward name as first written
        latest_seats: dict[tuple[str, str], int] = {}
        first_line: dict[tuple[str, str], tuple[int, str]] = {}  # (council, ward slug) -> (first line, code)
        at_time: dict[tuple[str, datetime], tuple[int, tuple]] = {}  # (id, time) -> (line, content)
        codes: dict[str, tuple[str, str, int]] = {}  # ward code -> (council, ward slug, line)
        book = self.wards
        for (slug, ward, when_text), rows in iter_groups(f.rows, lambda r: (r["slug"], r["ward"], r["declared_at"])):
            first = rows[0]
            if self._unknown_council(f, first, known):
                continue
            when = self._on_the_night(f, first, f.timestamp(first, "declared_at"))
            ward_name = f.text(first, "ward")
            parsed = self._candidates(f, rows, counted=True)
            if when is None or ward_name is None or parsed is None:
                continue
            ward_slug = _slug(ward_name)
            if not ward_slug:
                f.problem(first.line, "ward", f"{ward_name!r} has no letters or digits; expected a ward name")
                continue
            earlier = ward_ids.setdefault((slug, ward_slug), ward_name)
            if ward_key(earlier) != ward_key(ward_name):
                f.problem(first.line, "ward", f"{ward_name!r} has the same id as ward {earlier!r}; expected distinct ward names")
                continue
            seats, candidates = parsed
            self._dc_ward_slug(f, first, slug, ward_name)
            code = first["ward_code"]
            council = councils.get(slug)
            if code and council is not None and not (council.new_council or council.boundary_change):
                # a ward code names one ward (on new boundaries sources often give a new ward
                # the code of the old one it replaces: not checked there)
                other = codes.setdefault(code, (slug, ward_slug, first.line))
                if other[:2] != (slug, ward_slug):
                    f.problem(first.line, "ward_code", f"{code!r} is also the code of ward "
                              f"{ward_ids.get(other[:2], other[1])!r} (line {other[2]}); expected each ward its own code")
                    continue
            if book is not None and slug in book.baseline_all_out:
                why = book.problem(slug, ward_name, code)
                if why is not None:  # the baseline fought every ward of this council
                    f.problem(first.line, "ward", why)
                    continue
            figures = (turnout.get((slug, "code:" + code)) if code else None) \
                or turnout.get((slug, "name:" + ward_key(ward_name))) or (None, None, None)
            decl = WardDeclaration(
                id=ward_declaration_id(slug, ward_name, poll_date), council=slug, ward=ward_name,
                ward_code=code, seats=seats, candidates=candidates, declared_at=when,
                source=f"{f.name}:{first.line}", electorate=figures[0], turnout_pct=figures[1],
                total_votes=figures[2])
            # one ward declared twice at one time with different figures: which one stands?
            earlier = at_time.setdefault((decl.id, when), (first.line, decl.content_key()))
            if earlier[0] != first.line and earlier[1] != decl.content_key():
                f.problem(first.line, "declared_at", f"declares ward {ward_name!r} of {slug!r} again at the same time "
                          f"as line {earlier[0]} with different figures; expected a later declared_at for a correction")
                continue
            latest_seats[(slug, ward_slug)] = seats
            first_line.setdefault((slug, ward_slug), (first.line, code))
            out.append(decl)
        # Tonight's wards cannot elect more councillors than the council has seats up.
        per_council: dict[str, int] = {}
        for (slug, _), seats in latest_seats.items():
            per_council[slug] = per_council.get(slug, 0) + seats
        for slug, seats in per_council.items():
            if slug in councils and seats > councils[slug].seats_up:
                # name the wards most likely to be wrong: those matching no ward of the baseline
                unknown = [] if book is None or book.new_wards_allowed(slug) else sorted(
                    (line, ward_ids[key]) for key, (line, code) in first_line.items()
                    if key[0] == slug and not book.known(slug, ward_ids[key], code))
                named = ("; these match no ward of the baseline: " + ", ".join(
                    f"{name!r} (line {line})" for line, name in unknown[:10])) if unknown else ""
                f.problem(None, "seats_in_ward", f"the wards of {slug!r} elect {seats} councillors; expected at most seats_up = {councils[slug].seats_up} from councils.csv{named}")
        self._finish(f)
        return out

    def _on_the_night(self, f: CsvFile, row: Row, when: datetime | None) -> datetime | None:
        """A declaration is made on the night: after polls close (an earlier time is a typo or
        a bad clock) and no more than 7 days after (writer.ingest.times)."""
        if when is not None and self.polls_close is not None:
            problem = declared_at_problem(when, self.polls_close)
            if problem is not None:
                f.problem(row.line, "declared_at", f"{row['declared_at']!r} {problem[1]}")
                return None
        return when

    # -- results/councils.csv ---------------------------------------------------------------
    def _council_declarations(self, f: CsvFile | None, councils: dict[str, Council], known: set[str] | None,
                              poll_date: date) -> list[CouncilDeclaration]:
        out: list[CouncilDeclaration] = []
        if not self._usable(f):
            return out
        at_time: dict[tuple[str, datetime], tuple[int, dict, dict]] = {}
        for row in f.rows:
            if self._unknown_council(f, row, known) or row["slug"] not in councils:
                continue
            council = councils[row["slug"]]
            when = self._on_the_night(f, row, f.timestamp(row, "declared_at"))
            won = f.seat_list(row, "seats_won", total=council.seats_up, what="seats_up in councils.csv")
            comp = f.seat_list(row, "composition_after", total=council.total_seats, what="total_seats in councils.csv")
            if None in (when, won, comp):
                continue
            bad_party = False
            if "Vacant" in won:
                # 'Other' is allowed: a source that gives council totals only may lump smaller
                # parties together (compared at that level: see compare.council.lump_to_common)
                f.problem(row.line, "seats_won", "lists 'Vacant'; seats won tonight go to a party, Ind, Res or "
                          "'Other' (smaller parties taken together, where the source does not name them)")
                bad_party = True
            earlier = at_time.setdefault((council.slug, when), (row.line, won, comp))
            if earlier[0] != row.line and earlier[1:] != (won, comp):
                f.problem(row.line, "declared_at", f"declares {council.slug!r} again at the same time as line "
                          f"{earlier[0]} with different figures; expected a later declared_at for a correction")
                continue
            if bad_party:
                continue
            out.append(CouncilDeclaration(council_declaration_id(council.slug, poll_date), council.slug,
                                          won, comp, when, f"{f.name}:{row.line}"))
        self._finish(f)
        return out
