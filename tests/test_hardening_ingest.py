"""Issue 16, "Hardened in the field": the ways in besides the API (the election-directory
loader and ``writer`` on the command line, results feeds), item by item; each test failed
before its fix. Bad directories are the demo night copied with ONE thing changed (as in
tests/test_bad_input.py); feed entries are read with ``writer.ingest.dcfeed.read_entry``.

 1. a ward that is not the council's is refused (loader, feeds); new wards where redrawn;
 2. party names inside ``Other (...)`` are plain text (wards.csv, seat lists, control, feeds);
 3. a ``declared_at`` off the night (2099, the year 10000, ahead of the clock) is refused;
 8. a directory in place of a file, one ward twice at one time, two wards with one code,
    and candidates' names with no letter or digit: exit 3 naming the lines.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import DEMO_FEED_PARTIES, registry_with
from test_bad_input import DEMO_NIGHT, WARDS, append_row, both, make_copy, read_rows, repeat_line, set_cell
from writer.cli import main as cli_main
from writer.identity import PartyRegistry
from writer.ingest import InputError, load_night
from writer.ingest.dcfeed import FeedParties, NightIndex, read_entry

PALLION = (2, 3, 4, 5)      # results/wards.csv: Greyhaven, Pallion (E05901106), 1 seat, 23:30
CASTLETOWN = (9, 10, 11, 12, 13)  # Greyhaven, Castletown (E05901102)
ASHDON = (248, 249, 250, 251, 252)  # Brackenfield (all-out, baseline all-out), Ashdon (E05900901), 3 seats
NEW_LINE = 563                # the line an appended row gets
PLAIN = "expected plain text"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_copy(tmp_path, DEMO_NIGHT, "night")


def problems_of(root: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_night(root)
    return [str(p) for p in info.value.problems]


def test_the_lines_the_cases_rely_on(demo: Path) -> None:
    rows = read_rows(demo, WARDS)
    head = rows[0]

    def cell(line: int, column: str) -> str:
        return rows[line - 1][head.index(column)]
    assert {(cell(n, "ward"), cell(n, "ward_code")) for n in PALLION} == {("Pallion", "E05901106")}
    assert {(cell(n, "ward"), cell(n, "ward_code")) for n in CASTLETOWN} == {("Castletown", "E05901102")}
    assert {(cell(n, "slug"), cell(n, "ward")) for n in ASHDON} == {("brackenfield", "Ashdon")}
    assert len(rows) == NEW_LINE - 1
    night = load_night(demo)
    assert night.baseline_councils["brackenfield"].cycle == "all-out"
    assert night.baseline_councils["greyhaven"].cycle == "thirds"
    assert night.councils["millbridge"].boundary_change


# -- 1. a ward the council does not have ----------------------------------------------------------
def test_loader_refuses_a_ward_the_baseline_never_had(demo: Path) -> None:
    """Brackenfield's baseline fought every ward (all-out): a ward matching none by code or
    name is an error naming its line."""
    both(set_cell(WARDS, ASHDON, "ward", "Nowhere Ward"), set_cell(WARDS, ASHDON, "ward_code", "E05999999"))(demo)
    assert problems_of(demo) == [
        "results/wards.csv, line 248, column ward: 'Nowhere Ward' (ward code 'E05999999') matches no ward of "
        "Brackenfield by ward code or name; expected one of its wards (new wards only where a council is new "
        "or has new boundaries)"]


def test_loader_names_the_unknown_ward_when_the_seats_do_not_add_up(demo: Path) -> None:
    """Greyhaven's baseline is a thirds election (not every ward fought then): the ward that
    matches nothing is named with its line where the wards elect more than the seats up."""
    append_row(WARDS, {"council": "Greyhaven", "slug": "greyhaven", "ward": "Nowhere Ward", "ward_code": "",
                       "seats_in_ward": "1", "candidate": "Smith Q.", "party": "Lab", "votes": "100",
                       "elected": "yes", "declared_at": "2026-05-08T00:05:00+01:00"})(demo)
    assert problems_of(demo) == [
        "results/wards.csv, column seats_in_ward: the wards of 'greyhaven' elect 9 councillors; expected at "
        "most seats_up = 8 from councils.csv; these match no ward of the baseline: 'Nowhere Ward' (line 563)"]


def test_loader_takes_new_wards_where_the_council_was_redrawn(demo: Path) -> None:
    rows = read_rows(demo, WARDS)
    first = next(r for r in rows if r[1] == "millbridge")  # the council's first ward: all its lines
    lines = [i + 1 for i, r in enumerate(rows) if r[1] == "millbridge" and r[2] == first[2]]
    both(set_cell(WARDS, lines, "ward", "Brand New Ward"), set_cell(WARDS, lines, "ward_code", ""))(demo)
    night = load_night(demo)
    assert any(d.kind == "ward" and d.ward == "Brand New Ward" for d in night.declarations)


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO_NIGHT)


@pytest.fixture(scope="module")
def table(tmp_path_factory, night) -> FeedParties:
    registry = PartyRegistry.load(registry_with(DEMO_FEED_PARTIES, tmp_path_factory.mktemp("registry")))
    return FeedParties(registry, night.parties, registry.source)


def raw_entry(**changes) -> dict:
    """One winner in Democracy Club's results-feed shape (Obi C., Labour, Pallion)."""
    raw = {"id": "https://results.test/#1", "updated": "2026-05-07T23:30:00+01:00",
           "election_slug": "local.greyhaven.2026-05-07", "post_id": "pallion", "post_name": "Pallion",
           "winner_person_id": "1001", "winner_person_name": "Obi C.", "winner_party_id": "party:53",
           "winner_party_name": "Labour Party", "retraction": "0", "information_source": "Council website"}
    raw.update(changes)
    return raw


def read(night, table, raw: dict, clock=None) -> tuple:
    entry, found = read_entry(raw, 1, NightIndex(night, clock=clock), table, "feed")
    return entry, [(p.field, p.message) for p in found]


def test_the_feed_entry_used_below_is_good(night, table) -> None:
    entry, found = read(night, table, raw_entry())
    assert found == [] and entry.ward.id == "local.greyhaven.pallion.2026-05-07" and entry.party == "Lab"


def test_feeds_refuse_a_ward_the_council_does_not_have(night, table) -> None:
    entry, found = read(night, table, raw_entry(post_id="nowhere-ward", post_name="Nowhere Ward"))
    assert entry is None and found == [("post_id", "'nowhere-ward' (post_name 'Nowhere Ward') matches no ward of "
                                        "Greyhaven; expected the slug or name of one of that council's wards "
                                        "(or its dc_ward_slug in the night's wards)")]
    # on new boundaries a new ward is taken (the night knows Millbridge's wards from its results)
    entry, found = read(night, table, raw_entry(election_slug="local.millbridge.2026-05-07",
                                                post_id="brand-new-ward", post_name="Brand New Ward"))
    assert found == [] and entry.ward.id == "local.millbridge.brand-new-ward.2026-05-07"


# -- 2. party names are plain text ---------------------------------------------------------------
HOSTILE = [
    ("Aspire\u202e", "contains U+202E RIGHT-TO-LEFT OVERRIDE, an invisible or text-direction character; "),
    ("\u2066Aspire\u2069", "contains U+2066 LEFT-TO-RIGHT ISOLATE, an invisible or text-direction character; "),
    ("Aspire\u2028First", "contains U+2028 LINE SEPARATOR, an invisible or text-direction character; "),
    ("Asp\u200dire", "contains U+200D ZERO WIDTH JOINER, an invisible or text-direction character; "),
    ("Aspire\x85", "contains control characters; "),
    ("Aspire\x7f", "contains control characters; "),
    ("\u0410spire", "mixes Cyrillic and Latin letters in '\u0410spire' (U+0073 LATIN SMALL LETTER S, a look-alike "
                    "letter?); expected each word in one script"),
]


def _why(message: str) -> str:
    return message + PLAIN if message.endswith("; ") else message


@pytest.mark.parametrize("name, message", HOSTILE, ids=[repr(h[0]) for h in HOSTILE])
def test_loader_refuses_party_names_that_are_not_plain_text(demo: Path, name: str, message: str) -> None:
    party = f"Other ({name})"
    set_cell(WARDS, 3, "party", party)(demo)
    assert problems_of(demo) == [f"results/wards.csv, line 3, column party: {party!r} {_why(message)}"]


@pytest.mark.parametrize("name, message", HOSTILE[:1] + HOSTILE[4:], ids=["RLO", "C1", "DEL", "mixed"])
def test_party_names_in_seat_lists_and_control_are_plain_text(demo: Path, name: str, message: str) -> None:
    party = f"Other ({name})"
    both(set_cell("councils.csv", 3, "composition_before", f"Con:8;Lab:3;Ind:2;Res:3;{party}:5"),
         set_cell("councils.csv", 3, "control_before", party),
         set_cell("results/councils.csv", 2, "seats_won", f"Con:1;Lab:4;LD:1;{party}:2"))(demo)
    found = problems_of(demo)
    assert found == [
        f"councils.csv, line 3, column control_before: {party!r} {_why(message)}",
        f"councils.csv, line 3, column composition_before: party {party!r} {_why(message)} "
        "(a seat list is written like Con:22;Lab:41)",
        f"results/councils.csv, line 2, column seats_won: party {party!r} {_why(message)} "
        "(a seat list is written like Con:22;Lab:41)",
    ]


@pytest.mark.parametrize("name, message", HOSTILE, ids=[repr(h[0]) for h in HOSTILE])
def test_feeds_refuse_party_names_that_are_not_plain_text(night, table, name: str, message: str) -> None:
    entry, found = read(night, table, raw_entry(winner_party_id="", winner_party_name=f"Labour {name} Party"))
    assert entry is None
    assert [f for f, _ in found] == ["winner_party_name"]
    assert "expected" in found[0][1]


# -- 3. declared_at on the night -----------------------------------------------------------------
POLLS = "2026-05-07T22:00:00+01:00"
NIGHT = f"expected a time on the night, from the close of poll ({POLLS}) to 7 days after"


@pytest.mark.parametrize("when, message", [
    ("2099-05-08T00:00:00+01:00", f"is more than 7 days after polls closed ({POLLS}); {NIGHT}"),
    ("9999-12-31T23:59:59-23:59", f"is out of the range of times that can be kept; {NIGHT}"),
    ("0001-01-01T00:00:00+23:59", f"is before polls closed ({POLLS}); expected a time on the night"),
])
def test_loader_refuses_a_time_off_the_night(demo: Path, when: str, message: str) -> None:
    both(set_cell(WARDS, PALLION, "declared_at", when), set_cell("results/councils.csv", 2, "declared_at", when))(demo)
    assert problems_of(demo) == [f"results/wards.csv, line 2, column declared_at: {when!r} {message}",
                                 f"results/councils.csv, line 2, column declared_at: {when!r} {message}"]
    r = CliRunner().invoke(cli_main, ["replay", str(demo), "--no-progress"])
    assert r.exit_code == 3 and "Traceback" not in r.output
    assert f"results/wards.csv, line 2, column declared_at: {when!r}" in " ".join(r.stderr.split())


def test_feeds_refuse_a_time_off_the_night(night, table) -> None:
    for when in ("2099-05-08T00:00:00+01:00", "9999-12-31T23:59:59-23:59"):
        entry, found = read(night, table, raw_entry(updated=when))
        assert entry is None and [f for f, _ in found] == ["updated"], found
    polls = night.election.polls_close
    live = lambda: polls + timedelta(hours=1)  # noqa: E731 - the night is live: an hour after polls closed
    entry, found = read(night, table, raw_entry(updated=(polls + timedelta(hours=3)).isoformat()), clock=live)
    assert entry is None and found[0][0] == "updated" and "ahead of the server's clock" in found[0][1]
    entry, found = read(night, table, raw_entry(updated=(polls + timedelta(minutes=62)).isoformat()), clock=live)
    assert found == []


# -- 8. bad input on the command line -------------------------------------------------------------
def replay(root: Path):
    r = CliRunner().invoke(cli_main, ["replay", str(root), "--no-progress"])
    assert "Traceback" not in r.output and "Traceback" not in r.stderr
    return r, " ".join(r.stderr.split())


@pytest.mark.parametrize("rel, message", [
    (WARDS, "results/wards.csv: is a directory; expected a CSV file"),
    ("councils.csv", "councils.csv: is a directory; expected a CSV file"),
    ("election.toml", "election.toml: is a directory; expected a TOML file"),
])
def test_a_directory_in_place_of_a_file(demo: Path, rel: str, message: str) -> None:
    (demo / rel).unlink()
    (demo / rel).mkdir()
    (demo / rel / "stray.csv").write_text("x\n")
    assert message in problems_of(demo)
    r, stderr = replay(demo)
    assert r.exit_code == 3 and message in stderr


def test_one_ward_twice_at_one_time_with_different_figures(demo: Path) -> None:
    """The same instant written another way (+00:00), or the ward's name another way
    (PALLION): one declaration id at one time, two sets of figures. Which one stands?"""
    for line in PALLION:
        repeat_line(WARDS, line, declared_at="2026-05-07T22:30:00+00:00",
                    votes=str(int(read_rows(demo, WARDS)[line - 1][7]) + 1))(demo)
    expected = ("results/wards.csv, line 563, column declared_at: declares ward 'Pallion' of 'greyhaven' again at "
                "the same time as line 2 with different figures; expected a later declared_at for a correction")
    assert problems_of(demo) == [expected]
    r, stderr = replay(demo)
    assert r.exit_code == 3 and expected in stderr


def test_one_ward_twice_under_two_spellings(demo: Path) -> None:
    for line in PALLION:
        repeat_line(WARDS, line, ward="PALLION", votes="7")(demo)
    assert problems_of(demo) == [
        "results/wards.csv, line 563, column declared_at: declares ward 'PALLION' of 'greyhaven' again at the "
        "same time as line 2 with different figures; expected a later declared_at for a correction"]


def test_two_wards_sharing_one_code(demo: Path) -> None:
    set_cell(WARDS, CASTLETOWN, "ward_code", "E05901106")(demo)  # Pallion's
    expected = ("results/wards.csv, line 9, column ward_code: 'E05901106' is also the code of ward 'Pallion' "
                "(line 2); expected each ward its own code")
    assert problems_of(demo) == [expected]
    r, stderr = replay(demo)
    assert r.exit_code == 3 and expected in stderr


@pytest.mark.parametrize("name", ["...", "-", "'", "()"])
def test_a_candidate_name_needs_a_letter_or_digit(demo: Path, night, table, name: str) -> None:
    set_cell(WARDS, 3, "candidate", name)(demo)
    assert problems_of(demo) == [
        f"results/wards.csv, line 3, column candidate: {name!r} has no letters or digits; expected a candidate's name"]
    entry, found = read(night, table, raw_entry(winner_person_name=name))
    assert entry is None and found == [("winner_person_name", f"{name!r} has no letters or digits; "
                                                              "expected the winner's name")]


def test_names_in_other_scripts_still_load(demo: Path) -> None:
    both(set_cell(WARDS, 3, "candidate", "Ελένη Π."), set_cell(WARDS, 4, "party", "Other (Łukasz First)"))(demo)
    night = load_night(demo)
    pallion = next(d for d in night.declarations if d.kind == "ward" and d.ward == "Pallion")
    assert {c.name for c in pallion.candidates} >= {"Ελένη Π."}
