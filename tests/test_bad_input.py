"""A corpus of bad input: one test per case, each asserting the exact problems reported.

Every bad election directory is the project's own demo night (samples/demo-night) copied
into a temporary directory with ONE thing changed. Each case asserts the complete list of
problems (file, line, column and message, as ``str(problem)``), in order, and that nothing
loads. A few positive cases check that unusual but valid input still loads.

The rules and groups cases do the same with a copy of the project's rules/ directory.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from writer.cli import main as cli_main
from writer.compare.tally import load_groups
from writer.detect.rules import load_rules
from writer.ingest import InputError, load_night

PROJECT = Path(__file__).parent.parent
DEMO_NIGHT = PROJECT / "samples" / "demo-night"
RULES = PROJECT / "rules"

# results/wards.csv of the demo night, lines 2-5: Greyhaven, Pallion, 1 seat
#   2 Obi C. (Lab, elected)  3 Newbould Z. (Reform)  4 Mistry A. (Con)  5 Hendry N. (LD)
PALLION = (2, 3, 4, 5)
WARDS = "results/wards.csv"

WARD_HEADER = "council, slug, ward, ward_code, seats_in_ward, candidate, party, votes, elected"
COUNCIL_HEADER = ("council, slug, gss_code, region, cycle, total_seats, seats_up, control_before, "
                  "composition_before, new_council, boundary_change")
CANDIDATE_PARTIES = "one of Con, Green, LD, Lab, Reform, UKIP, Ind, Res or 'Other (Name)'"
WARD_FACT_NAMES = (
    "at, baseline_holders, baseline_label, baseline_ward, biggest_fall, biggest_rise, changed_hands, "
    "comparable, council, council_name, cycle, electorate, extra_seats, first_seat, first_seat_ever, gains, "
    "gains_count, groups, has_votes, holds, majority, majority_pct, matched_by, new_council, "
    "not_comparable_reason, region, scope, "
    "seat_change, seats, share_change, shares, subject, total_votes, turnout_pct, unit, ward, ward_id, winners, "
    "winning_party, won")
CONTROL = "expected a party that can control a council (Con, Green, LD, Lab, Reform, UKIP or 'Other (Name)') or NOC"


# -- helpers that change one thing ---------------------------------------------------------------

def make_copy(tmp_path: Path, source: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(source, root)
    return root


def read_rows(root: Path, rel: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((root / rel).read_text(encoding="utf-8"), newline="")))


def write_rows(root: Path, rel: str, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (root / rel).write_text(out.getvalue(), encoding="utf-8")


def set_cell(rel: str, lines: int | Iterable[int], column: str, value: str) -> Callable[[Path], None]:
    """Set ``column`` on the given file line(s) (line 1 is the header) to ``value``."""
    lines = (lines,) if isinstance(lines, int) else tuple(lines)

    def alter(root: Path) -> None:
        rows = read_rows(root, rel)
        col = rows[0].index(column)
        for line in lines:
            assert rows[line - 1][col] != value, f"{rel} line {line} already has {column} = {value!r}"
            rows[line - 1][col] = value
        write_rows(root, rel, rows)
    return alter


def append_row(rel: str, values: dict[str, str] | list[str]) -> Callable[[Path], None]:
    """Append a row: a dict by column name (missing columns empty) or a raw list of fields."""
    def alter(root: Path) -> None:
        rows = read_rows(root, rel)
        row = [values.get(c, "") for c in rows[0]] if isinstance(values, dict) else list(values)
        write_rows(root, rel, rows + [row])
    return alter


def repeat_line(rel: str, line: int, **changes: str) -> Callable[[Path], None]:
    """Append a copy of ``line`` (with any column changed as given)."""
    def alter(root: Path) -> None:
        rows = read_rows(root, rel)
        row = list(rows[line - 1])
        for column, value in changes.items():
            row[rows[0].index(column)] = value
        write_rows(root, rel, rows + [row])
    return alter


def drop_column(rel: str, column: str) -> Callable[[Path], None]:
    def alter(root: Path) -> None:
        rows = read_rows(root, rel)
        col = rows[0].index(column)
        write_rows(root, rel, [r[:col] + r[col + 1:] for r in rows])
    return alter


def remove(rel: str) -> Callable[[Path], None]:
    def alter(root: Path) -> None:
        (root / rel).unlink()
    return alter


def replace_bytes(rel: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    """Replace the first occurrence of ``old`` in the file's bytes (which must hold it)."""
    def alter(root: Path) -> None:
        raw = (root / rel).read_bytes()
        assert old in raw, f"{old!r} not in {rel}"
        (root / rel).write_bytes(raw.replace(old, new, 1))
    return alter


def write_bytes(rel: str, data: bytes) -> Callable[[Path], None]:
    def alter(root: Path) -> None:
        (root / rel).write_bytes(data)
    return alter


def both(*alters: Callable[[Path], None]) -> Callable[[Path], None]:
    """Several edits that together make ONE change (e.g. a flag and the value it governs)."""
    def alter(root: Path) -> None:
        for a in alters:
            a(root)
    return alter


def case(case_id: str, alter: Callable[[Path], None], *expected: str):
    return pytest.param(alter, list(expected), id=case_id)


# -- bad election directories ----------------------------------------------------------------------

BAD_NIGHTS = [
    # missing columns, one per file
    case("councils-missing-column", drop_column("councils.csv", "seats_up"),
         f"councils.csv, line 1, column seats_up: missing column 'seats_up'; the header must include {COUNCIL_HEADER}"),
    case("baseline-councils-missing-column", drop_column("baseline/councils.csv", "seats_won"),
         "baseline/councils.csv, line 1, column seats_won: missing column 'seats_won'; the header must include "
         "council, slug, cycle, total_seats, seats_up, seats_won, composition_after, control_after"),
    case("baseline-wards-missing-column", drop_column("baseline/wards.csv", "votes"),
         f"baseline/wards.csv, line 1, column votes: missing column 'votes'; the header must include {WARD_HEADER}"),
    case("results-wards-missing-column", drop_column(WARDS, "declared_at"),
         f"results/wards.csv, line 1, column declared_at: missing column 'declared_at'; the header must include {WARD_HEADER}, declared_at"),
    case("results-councils-missing-column", drop_column("results/councils.csv", "composition_after"),
         "results/councils.csv, line 1, column composition_after: missing column 'composition_after'; the header must include "
         "council, slug, seats_won, composition_after, declared_at"),
    case("turnout-missing-column", drop_column("results/turnout.csv", "electorate"),
         "results/turnout.csv, line 1, column electorate: missing column 'electorate'; the header must include "
         "council, slug, ward, ward_code, electorate, turnout_pct, total_votes"),
    case("history-missing-column", drop_column("history.csv", "control"),
         "history.csv, line 1, column control: missing column 'control'; the header must include "
         "council, slug, from_year, to_year, control"),

    # missing files
    case("missing-councils-csv", remove("councils.csv"),
         "councils.csv: is missing; every election directory needs it"),
    case("empty-councils-csv", write_bytes("councils.csv", b""),
         f"councils.csv, line 1: file is empty; expected a header row with columns {COUNCIL_HEADER}"),
    case("missing-election-toml", remove("election.toml"),
         "election.toml: is missing; every election directory needs it"),
    case("missing-baseline-councils", remove("baseline/councils.csv"),
         "baseline/councils.csv: is missing; every election directory needs it"),
    case("neither-results-file", both(remove(WARDS), remove("results/councils.csv")),
         "results/: has neither wards.csv nor councils.csv; expected at least one"),

    # unknown councils
    case("councils-bad-slug", append_row("councils.csv", {
            "council": "Nowhere Town", "slug": "Nowhere Town", "gss_code": "E07900099", "region": "London",
            "cycle": "all-out", "total_seats": "20", "seats_up": "20", "new_council": "yes", "boundary_change": "no"}),
         "councils.csv, line 14, column slug: expected a slug of lower-case letters, digits and hyphens, got 'Nowhere Town'"),
    case("baseline-councils-unknown-slug", append_row("baseline/councils.csv", [
            "Nowhere", "nowhere", "all-out", "20", "20", "Con:20", "Con:20", "Con"]),
         "baseline/councils.csv, line 13, column slug: unknown council 'nowhere'; expected a slug listed in councils.csv"),
    case("baseline-wards-unknown-slug", set_cell("baseline/wards.csv", 2, "slug", "northmore"),
         "baseline/wards.csv, line 2, column slug: unknown council 'northmore'; expected a slug listed in councils.csv"),
    case("results-wards-unknown-slug", set_cell(WARDS, 2, "slug", "greyhavn"),
         "results/wards.csv, line 2, column slug: unknown council 'greyhavn'; expected a slug listed in councils.csv"),
    case("results-councils-unknown-slug", set_cell("results/councils.csv", 2, "slug", "greyhavn"),
         "results/councils.csv, line 2, column slug: unknown council 'greyhavn'; expected a slug listed in councils.csv"),
    case("turnout-unknown-slug", set_cell("results/turnout.csv", 2, "slug", "northmore"),
         "results/turnout.csv, line 2, column slug: unknown council 'northmore'; expected a slug listed in councils.csv"),
    case("history-unknown-slug", set_cell("history.csv", 2, "slug", "northmore"),
         "history.csv, line 2, column slug: unknown council 'northmore'; expected a slug listed in councils.csv"),

    # party codes
    case("candidate-unknown-party", set_cell(WARDS, 2, "party", "Labour"),
         f"results/wards.csv, line 2, column party: unknown party code 'Labour'; expected {CANDIDATE_PARTIES}"),
    case("candidate-party-Other", set_cell(WARDS, 3, "party", "Other"),
         "results/wards.csv, line 3, column party: 'Other' is for council compositions only; a candidate stands for "
         "one of Con, Green, LD, Lab, Reform, UKIP, Ind, Res or 'Other (Name)' (e.g. 'Other (Aspire)')"),
    case("candidate-party-Vacant", set_cell(WARDS, 3, "party", "Vacant"),
         "results/wards.csv, line 3, column party: 'Vacant' is for council compositions only; a candidate stands for "
         "one of Con, Green, LD, Lab, Reform, UKIP, Ind, Res or 'Other (Name)' (e.g. 'Other (Aspire)')"),
    case("candidate-party-malformed-Other", set_cell(WARDS, 3, "party", "Other (Aspire"),
         f"results/wards.csv, line 3, column party: unknown party code 'Other (Aspire'; expected {CANDIDATE_PARTIES}"),

    # votes
    case("votes-not-a-number", set_cell(WARDS, 3, "votes", "n/a"),
         "results/wards.csv, line 3, column votes: expected a whole number of votes (0 or more), got 'n/a'"),
    case("votes-negative", set_cell(WARDS, 3, "votes", "-3"),
         "results/wards.csv, line 3, column votes: expected a whole number of votes (0 or more), got '-3'"),
    case("votes-decimal", set_cell(WARDS, 3, "votes", "629.5"),
         "results/wards.csv, line 3, column votes: expected a whole number of votes (0 or more), got '629.5'"),

    # seats in a ward, winners
    case("seats-in-ward-zero", set_cell(WARDS, PALLION, "seats_in_ward", "0"),
         "results/wards.csv, line 2, column seats_in_ward: expected a number of seats between 1 and 10, got 0"),
    case("seats-in-ward-differ", set_cell(WARDS, 4, "seats_in_ward", "2"),
         "results/wards.csv, line 2, column seats_in_ward: differs between the candidates of ward 'Pallion' (1, 2); expected one value per ward"),
    case("more-winners-than-seats", set_cell(WARDS, 3, "elected", "yes"),
         "results/wards.csv, line 2, column elected: ward 'Pallion' has 2 candidates elected; expected at most seats_in_ward = 1"),
    case("elected-with-fewer-votes-than-a-loser", set_cell(WARDS, 3, "votes", "1100"),
         "results/wards.csv, line 2, column votes: ward 'Pallion' elected 'Obi C.' with 1057 votes, fewer than "
         "'Newbould Z.' (1100), who was not elected; expected the elected candidates to have the most votes "
         "(check the votes and the elected column)"),
    case("elected-not-yes-no", set_cell(WARDS, 3, "elected", "N"),
         "results/wards.csv, line 3, column elected: expected one of yes, no, got 'N'"),
    case("wards-elect-more-than-seats-up", set_cell(WARDS, PALLION, "seats_in_ward", "2"),
         "results/wards.csv, column seats_in_ward: the wards of 'greyhaven' elect 9 councillors; expected at most seats_up = 8 from councils.csv"),

    # seat lists that do not add up
    case("results-seats-won-not-seats-up", set_cell("results/councils.csv", 2, "seats_won", "Con:1;Lab:4;LD:1;Reform:3"),
         "results/councils.csv, line 2, column seats_won: adds up to 9 seats; expected 8 (seats_up in councils.csv)"),
    case("results-composition-not-total", set_cell("results/councils.csv", 2, "composition_after", "Con:4;Lab:14;LD:2;Reform:3"),
         "results/councils.csv, line 2, column composition_after: adds up to 23 seats; expected 24 (total_seats in councils.csv)"),
    case("composition-before-not-total", set_cell("councils.csv", 2, "composition_before", "Con:14;Lab:6;LD:5"),
         "councils.csv, line 2, column composition_before: adds up to 25 seats; expected 24 (total_seats, since boundary_change is not yes)"),

    # repeated rows
    case("candidate-row-repeated", repeat_line(WARDS, 3),
         "results/wards.csv, line 563: repeats line 3 word for word; expected each row once"),

    # timestamps
    case("declared-at-no-offset", set_cell(WARDS, PALLION, "declared_at", "2026-05-07T23:30:00"),
         "results/wards.csv, line 2, column declared_at: has no UTC offset; expected an ISO 8601 time with offset "
         "such as 2022-05-06T03:20:00+01:00, got '2026-05-07T23:30:00'"),
    case("declared-at-garbage", set_cell(WARDS, PALLION, "declared_at", "half eleven"),
         "results/wards.csv, line 2, column declared_at: expected an ISO 8601 date and time with offset "
         "such as 2022-05-06T03:20:00+01:00, got 'half eleven'"),
    case("council-declared-at-no-offset", set_cell("results/councils.csv", 2, "declared_at", "2026-05-08T01:00:00"),
         "results/councils.csv, line 2, column declared_at: has no UTC offset; expected an ISO 8601 time with offset "
         "such as 2022-05-06T03:20:00+01:00, got '2026-05-08T01:00:00'"),

    # election.toml
    case("toml-missing-key", replace_bytes("election.toml", b'baseline_label = "2022"\n', b""),
         "election.toml, key baseline_label: is missing; election.toml needs id, name, poll_date, polls_close, "
         "baseline_id and baseline_label"),
    case("toml-polls-close-no-offset", replace_bytes("election.toml", b"2026-05-07T22:00:00+01:00", b"2026-05-07T22:00:00"),
         "election.toml, key polls_close: expected a date and time with offset such as "
         "2022-05-05T22:00:00+01:00, got 2026-05-07T22:00:00"),
    case("toml-poll-date-not-a-date", replace_bytes("election.toml", b"poll_date = 2026-05-07", b'poll_date = "7 May"'),
         "election.toml, key poll_date: expected a date such as 2022-05-05, got '7 May'"),
    case("toml-invalid", replace_bytes("election.toml", b'name = "English', b'name = English'),
         "election.toml: is not valid TOML: Invalid value (at line 5, column 8)"),
    case("toml-context-values-not-numbers", replace_bytes("election.toml", b"Lab = 34,", b'Lab = "34%",'),
         "election.toml, key context[1].values: expected party code = number pairs, such as { Lab = 35, Con = 35 }"),

    # councils.csv
    case("bad-cycle", set_cell("councils.csv", 2, "cycle", "quarters"),
         "councils.csv, line 2, column cycle: expected one of all-out, thirds, halves, got 'quarters'"),
    case("seats-up-over-total", set_cell("councils.csv", 2, "seats_up", "25"),
         "councils.csv, line 2, column seats_up: is 25, more than total_seats 24; expected at most 24"),
    case("control-before-not-a-controller", set_cell("councils.csv", 3, "control_before", "Ind"),
         f"councils.csv, line 3, column control_before: {CONTROL}, got 'Ind'"),
    case("new-council-with-control", set_cell("councils.csv", 11, "control_before", "Lab"),
         "councils.csv, line 11, column control_before: is 'Lab'; expected it empty for a new council (new_council = yes)"),
    case("duplicate-council-slug", repeat_line("councils.csv", 2, council="Ashcombe Town"),
         "councils.csv, line 14, column slug: 'ashcombe' already used on line 2; expected each council once"),

    # bytes and CSV structure
    case("invalid-utf8", replace_bytes(WARDS, b"Newbould Z.", b"Newbould \xff."),
         "results/wards.csv, line 3: not valid UTF-8 (byte 219 of the file); expected a UTF-8 CSV file"),
    case("nul-byte", replace_bytes(WARDS, b"Newbould Z.", b"Newbould \x00."),
         "results/wards.csv, line 3: contains a NUL byte; expected a text CSV file"),
    case("ragged-row", append_row(WARDS, ["Greyhaven", "greyhaven", "Pallion", "E05901106", "1", "Smith Q.", "Lab"]),
         "results/wards.csv, line 563: has 7 fields; expected 10 as in the header"),
    case("unbalanced-quote", replace_bytes(WARDS, b",Newbould Z.,", b',"Newbould Z.,'),
         "results/wards.csv, line 3: a quoted field opened on this line is never closed; expected a closing \" "
         "before the end of the field"),
    case("text-after-closing-quote", replace_bytes(WARDS, b",Newbould Z.,", b',"Newbould" Z.,'),
         "results/wards.csv, line 3: malformed CSV (',' expected after '\"'); expected comma-separated fields with balanced quotes"),
    case("empty-file", write_bytes("results/turnout.csv", b""),
         "results/turnout.csv, line 1: file is empty; expected a header row with columns "
         "council, slug, ward, ward_code, electorate, turnout_pct, total_votes"),

    # turnout and history
    case("turnout-over-100", set_cell("results/turnout.csv", 2, "turnout_pct", "143.1"),
         "results/turnout.csv, line 2, column turnout_pct: expected a number between 0 and 100, got '143.1'"),
    case("total-votes-over-electorate", set_cell("results/turnout.csv", 2, "total_votes", "10366"),
         "results/turnout.csv, line 2, column total_votes: is 10366, more than the electorate 10365; expected at most 10365"),
    case("history-to-before-from", set_cell("history.csv", 2, "to_year", "1970"),
         "history.csv, line 2, column to_year: is 1970, before from_year 1973; expected a later year"),

    # names
    case("control-character-in-name", set_cell(WARDS, 3, "candidate", "Newbould \x1b[31mZ."),
         "results/wards.csv, line 3, column candidate: contains control characters; expected plain text"),

    # every problem in a file is listed, in order
    case("three-bad-rows", both(set_cell(WARDS, 3, "votes", "-3"), set_cell(WARDS, 7, "party", "Labour"),
                                set_cell(WARDS, 10, "elected", "maybe")),
         "results/wards.csv, line 3, column votes: expected a whole number of votes (0 or more), got '-3'",
         f"results/wards.csv, line 7, column party: unknown party code 'Labour'; expected {CANDIDATE_PARTIES}",
         "results/wards.csv, line 10, column elected: expected one of yes, no, got 'maybe'"),
]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_copy(tmp_path, DEMO_NIGHT, "night")


def test_demo_night_loads(demo: Path) -> None:
    """The unaltered copy loads: every failure below is caused by its one change."""
    night = load_night(demo)
    assert len(night.councils) == 12


def test_demo_rows_the_cases_rely_on(demo: Path) -> None:
    """The cases name lines of the demo night; if the demo changes, this says which assumption broke."""
    def cells(rel: str, line: int, *columns: str) -> tuple[str, ...]:
        rows = read_rows(demo, rel)
        return tuple(rows[line - 1][rows[0].index(c)] for c in columns)

    assert [cells(WARDS, n, "slug", "ward", "seats_in_ward", "elected") for n in PALLION] == [
        ("greyhaven", "Pallion", "1", "yes")] + [("greyhaven", "Pallion", "1", "no")] * 3
    assert cells(WARDS, 3, "candidate", "party", "votes") == ("Newbould Z.", "Reform", "629")
    assert cells(WARDS, 4, "candidate", "party", "votes") == ("Mistry A.", "Con", "501")
    assert cells(WARDS, 7, "slug", "party") == ("northmoor", "Con")
    assert cells(WARDS, 10, "slug", "elected") == ("greyhaven", "no")
    assert len(read_rows(demo, WARDS)) == 562
    greyhaven_wards = {r[2] for r in read_rows(demo, WARDS)[1:] if r[1] == "greyhaven"}
    assert len(greyhaven_wards) == 8  # 8 single-seat wards = seats_up 8
    assert cells("councils.csv", 2, "slug", "total_seats", "seats_up", "boundary_change") == ("ashcombe", "24", "12", "no")
    assert cells("councils.csv", 3, "slug") == ("brackenfield",)
    assert cells("councils.csv", 11, "slug", "new_council") == ("severnside", "yes")
    assert len(read_rows(demo, "councils.csv")) == 13
    assert cells("results/councils.csv", 2, "slug", "seats_won") == ("greyhaven", "Con:1;Lab:4;LD:1;Reform:2")
    assert cells("results/turnout.csv", 2, "electorate", "total_votes") == ("10365", "4469")
    assert cells("history.csv", 2, "slug", "from_year") == ("northmoor", "1973")
    assert len(read_rows(demo, "baseline/councils.csv")) == 12


@pytest.mark.parametrize("alter, expected", BAD_NIGHTS)
def test_bad_night(demo: Path, alter: Callable[[Path], None], expected: list[str]) -> None:
    alter(demo)
    with pytest.raises(InputError) as info:
        load_night(demo)
    assert [str(p) for p in info.value.problems] == expected


# -- unusual but valid input loads ---------------------------------------------------------------

def test_composition_before_may_differ_with_boundary_change(demo: Path) -> None:
    """Ashcombe redrawn: the council's size before tonight (25) differs from total_seats (24)."""
    both(set_cell("councils.csv", 2, "boundary_change", "yes"),
         set_cell("councils.csv", 2, "composition_before", "Con:14;Lab:6;LD:5"))(demo)
    night = load_night(demo)
    assert night.councils["ashcombe"].boundary_change is True
    assert sum(night.councils["ashcombe"].composition_before.values()) == 25


def test_same_name_and_party_in_one_ward_loads(demo: Path) -> None:
    """Hounslow East 2022: two different candidates with the same name and party in one ward."""
    repeat_line(WARDS, 4, votes="88")(demo)
    night = load_night(demo)
    pallion = next(d for d in night.declarations if d.kind == "ward" and d.ward == "Pallion")
    assert [(c.name, c.party, c.votes) for c in pallion.candidates if c.name == "Mistry A."] == [
        ("Mistry A.", "Con", 501), ("Mistry A.", "Con", 88)]


def test_hostile_name_is_data(demo: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    set_cell(WARDS, 3, "candidate", hostile)(demo)
    night = load_night(demo)
    pallion = next(d for d in night.declarations if d.kind == "ward" and d.ward == "Pallion")
    assert hostile in [c.name for c in pallion.candidates]


def test_header_only_results_wards_loads(demo: Path) -> None:
    """A results/wards.csv with no rows yet (nothing declared ward by ward) is valid."""
    rows = read_rows(demo, WARDS)
    write_rows(demo, WARDS, rows[:1])
    night = load_night(demo)
    assert night.declarations and all(d.kind == "council" for d in night.declarations)


# -- rules and groups ----------------------------------------------------------------------------

def edit_text(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def alter(root: Path) -> None:
        text = (root / rel).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        (root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
    return alter


def append_text(rel: str, text: str) -> Callable[[Path], None]:
    def alter(root: Path) -> None:
        with (root / rel).open("a", encoding="utf-8") as f:
            f.write(text)
    return alter


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    return make_copy(tmp_path, RULES, "rules")


def test_rules_copy_loads(rules_copy: Path) -> None:
    assert load_rules(rules_copy).rules
    assert load_groups(rules_copy / "groups.yaml")


BAD_RULES = [
    case("unknown-fact-in-when", edit_text("ward.yaml", "when: comparable and changed_hands", "when: comparable and changed_hand"),
         "ward.yaml, key rule 'ward-gain'.when: uses changed_hand, which ward facts do not have; "
         f"expected names from: {WARD_FACT_NAMES}"),
    case("syntax-error-in-when", edit_text("council.yaml", "when: result_kind == 'gain'", "when: result_kind = 'gain'"),
         "council.yaml, key rule 'council-gain'.when: is not a valid expression: unexpected text after the "
         "end of the expression (compare with ==, combine with and / or)"),
    case("syntax-error-dangling-and", edit_text("council.yaml", "when: result_kind == 'gain'", "when: result_kind == 'gain' and"),
         "council.yaml, key rule 'council-gain'.when: is not a valid expression: the expression ends too "
         "soon (something is missing after the last word or operator)"),
    case("unknown-scope", edit_text("ward.yaml", "scope: ward", "scope: wards"),
         "ward.yaml, key rule 'ward-gain'.scope: expected one of ward, council, group, national, got 'wards'"),
    case("missing-key", edit_text("ward.yaml", "    importance: 25\n", ""),
         "ward.yaml, key rule 'ward-gain'.importance: is missing; every rule needs id, description, scope, when, importance, template, title"),
    case("importance-out-of-range", edit_text("ward.yaml", "importance: 25", "importance: 250"),
         "ward.yaml, key rule 'ward-gain'.importance: expected a number from 0 to 100, got 250"),
    case("duplicate-rule-id", edit_text("ward.yaml", "id: ward-gain", "id: council-gain"),
         "ward.yaml, key rule 'council-gain': id is already used in council.yaml; expected unique rule ids"),
    case("counting-stage-on-ward-rule", edit_text("ward.yaml", "    scope: ward\n", "    scope: ward\n    stage: counting\n"),
         "ward.yaml, key rule 'ward-gain'.stage: expected one of declared for a ward rule, got 'counting'"),
    case("unknown-key", edit_text("ward.yaml", "    scope: ward\n", "    scope: ward\n    priority: 3\n"),
         "ward.yaml, key rule 'ward-gain'.priority: is not a rule setting; expected one of "
         "auto_publish, description, id, importance, scope, stage, template, title, when"),
    case("invalid-yaml", edit_text("ward.yaml", "  - id: ward-gain\n", "  - id: ward-gain\n   description: [\n"),
         "ward.yaml, line 4: is not valid YAML: expected <block end>, but found '<block mapping start>' "
         "(while parsing a block collection)"),
]


@pytest.mark.parametrize("alter, expected", BAD_RULES)
def test_bad_rules(rules_copy: Path, alter: Callable[[Path], None], expected: list[str]) -> None:
    alter(rules_copy)
    with pytest.raises(InputError) as info:
        load_rules(rules_copy)
    assert [str(p) for p in info.value.problems] == expected


BAD_GROUPS = [
    case("group-missing-definition", edit_text("groups.yaml", "    definition: The London boroughs (councils whose region is London).\n", ""),
         "groups.yaml, key group 'london'.definition: expected a non-empty string"),
    case("group-unknown-key", edit_text("groups.yaml", "    regions: [London]\n", "    regions: [London]\n    colour: red\n"),
         "groups.yaml, key group 'london': unknown keys ['colour']; expected id, name, definition, regions, councils"),
]


@pytest.mark.parametrize("alter, expected", BAD_GROUPS)
def test_bad_groups(rules_copy: Path, alter: Callable[[Path], None], expected: list[str]) -> None:
    alter(rules_copy)
    with pytest.raises(InputError) as info:
        load_groups(rules_copy / "groups.yaml")
    assert [str(p) for p in info.value.problems] == expected


# -- the command line ----------------------------------------------------------------------------

VOTES_PROBLEM = "results/wards.csv, line 3, column votes: expected a whole number of votes (0 or more), got '-3'"
PARTY_PROBLEM = f"results/wards.csv, line 7, column party: unknown party code 'Labour'; expected {CANDIDATE_PARTIES}"


def replay_bad_night(demo: Path):
    both(set_cell(WARDS, 3, "votes", "-3"), set_cell(WARDS, 7, "party", "Labour"))(demo)
    return CliRunner().invoke(cli_main, ["replay", str(demo), "--no-progress"])


def test_cli_replay_bad_night_exits_3(demo: Path) -> None:
    result = replay_bad_night(demo)
    assert result.exit_code == 3
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    stderr = " ".join(result.stderr.split())  # the console may wrap long lines
    assert "is not a valid election directory: 2 problems" in stderr
    assert VOTES_PROBLEM in stderr
    assert PARTY_PROBLEM in stderr
    assert stderr.index(VOTES_PROBLEM) < stderr.index(PARTY_PROBLEM)


def test_cli_prints_each_problem_on_one_line(demo: Path) -> None:
    """Not wrapped at the console width when stderr is not a terminal (logs, CI, 2> file)."""
    result = replay_bad_night(demo)
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert VOTES_PROBLEM in lines
    assert PARTY_PROBLEM in lines
