"""The writer's own national share estimate and Commons projection (writer/compare/national.py,
`writer national`), and general_election.csv in the election-directory loader.

The 2022 checks read ../shared/data (skipped with a reason where it is absent) and recompute
the Commons projection from general_election.csv with the csv module, not with the module's
helpers."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEMO, RULES, run_night
from writer.cli import main
from writer.compare.national import (
    Thresholds,
    estimate_shares,
    national_picture,
    project_commons,
)
from writer.compare.national_rules import load_thresholds
from writer.compare.ward import BaselineIndex, compare_ward
from writer.detect.rules import load_rules
from writer.ingest import InputError, load_night
from writer.model import BaselineWard, Candidate, Constituency, Council, WardDeclaration

GE_HEADER = ["ons_id", "constituency", "country", "region", "electorate", "valid_votes", "winner",
             "Con", "Lab", "LD", "Other"]
GE_ROWS = [
    ["E14000001", "Northtown", "England", "North West", "70000", "40000", "Con", "20000", "18000", "2000", "0"],
    ["S14000001", "Glenmore", "Scotland", "Scotland", "60000", "30000", "Lab", "10000", "15000", "5000", "0"],
    ["N06000001", "Lough Foyle", "Northern Ireland", "Northern Ireland", "65000", "35000", "SF", "0", "0", "0", "35000"],
]
GE_COLUMNS = "ons_id, constituency, country, region, electorate, valid_votes, winner"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "night"
    shutil.copytree(DEMO, root)
    return root


@pytest.fixture
def council_totals_only(demo_copy: Path) -> Path:
    """The demo night with every ward row deleted: council totals only."""
    wards = demo_copy / "results" / "wards.csv"
    wards.write_text(wards.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return demo_copy


# -- 2022 -------------------------------------------------------------------------------------------

def _bbc_shares(le2022_dir: Path) -> dict[str, float]:
    rows = _rows(le2022_dir / "reference" / "national.csv")
    return {r["party"]: float(r["value"]) for r in rows if r["measure"].startswith("BBC projected national share")}


def test_2022_estimate_is_within_two_points_of_the_bbc(le2022, le2022_dir):
    _, engine = le2022
    picture = national_picture(engine)
    bbc = _bbc_shares(le2022_dir)
    assert set(bbc) == {"Lab", "Con", "LD"}
    assert set(picture.projected_share) == {"Lab", "Con", "LD"}
    for party, share in bbc.items():
        assert abs(picture.projected_share[party] - share) <= 2.0, (party, picture.projected_share, bbc)
    d = picture.to_dict()
    assert d["reason"] is None and d["wards_used"] >= 30 and d["councils_used"] >= 3
    assert d["baseline_share"] == {"Lab": 35.0, "Con": 35.0, "LD": 16.0}
    # the evidence: every ward used is a declared ward, compared like for like, with votes
    assert len(d["ward_declarations"]) == d["wards_used"]
    for ward_id in d["ward_declarations"]:
        w = engine.ward_results[ward_id]
        assert w.comparable and w.has_votes and {"Lab", "Con", "LD"} <= set(w.shares)


def _independent_projection(path: Path, projected: dict[str, float]) -> tuple[dict[str, int], int]:
    """Uniform change recomputed from general_election.csv with the csv module alone."""
    rows = _rows(path)
    fixed = {"ons_id", "constituency", "country", "region", "electorate", "valid_votes", "winner"}
    party_cols = [c for c in rows[0] if c not in fixed]
    gb = [r for r in rows if r["country"] != "Northern Ireland"]
    valid = sum(int(r["valid_votes"]) for r in gb)
    ge_share = {p: 100.0 * sum(int(r[p]) for r in gb) / valid for p in party_cols}
    change = {p: projected[p] - ge_share[p] for p in projected}
    seats: dict[str, int] = {}
    for r in rows:
        winner = r["winner"]
        if r["country"] != "Northern Ireland" and winner != "Spk":
            share = {p: max(0.0, 100.0 * int(r[p]) / int(r["valid_votes"]) + change.get(p, 0.0)) for p in party_cols}
            top = max(share, key=share.get)
            if top != "Other":
                winner = top
        seats[winner] = seats.get(winner, 0) + 1
    return seats, len(rows)


def test_2022_commons_projection_equals_an_independent_recomputation(le2022, le2022_dir):
    _, engine = le2022
    d = national_picture(engine).to_dict()
    cp = d["commons_projection"]
    assert cp is not None and d["commons_reason"] is None
    seats, n = _independent_projection(le2022_dir / "general_election.csv", d["projected_share"])
    assert n == 650 and sum(cp["seats"].values()) == 650
    assert cp["seats"] == seats
    top = max(seats, key=seats.get)
    assert cp["largest_party"] == top
    assert cp["majority"] == seats[top] - 326
    assert cp["seats_before"]["Con"] == 365 and cp["seats_before"]["Lab"] == 202
    assert round(cp["ge_share"]["Con"], 1) == 44.7 and round(cp["ge_share"]["Lab"], 1) == 32.9
    # Northern Ireland and the Speaker's seat as they were
    for code, n_seats in (("DUP", 8), ("SF", 7), ("SDLP", 2), ("APNI", 1), ("Spk", 1)):
        assert cp["seats"][code] == n_seats


@pytest.mark.slow  # whole-night run: `writer national` over the 2022 night
def test_2022_early_in_the_night_no_estimate_then_one(le2022_dir):
    early = run("national", le2022_dir, "--at", "2022-05-05T23:30:00+01:00", "--json")
    assert early.exit_code == 0, early.output
    d = json.loads(early.stdout)
    assert d["projected_share"] == {} and d["commons_projection"] is None
    assert "at least 30 wards in at least 3 councils" in d["reason"]
    assert d["wards_used"] < 30 and d["at"] == "2022-05-05T23:30:00+01:00"

    later = run("national", le2022_dir, "--at", "2022-05-06T01:00:00+01:00", "--json")
    assert later.exit_code == 0, later.output
    d = json.loads(later.stdout)
    assert set(d["projected_share"]) == {"Lab", "Con", "LD"} and d["reason"] is None
    assert d["wards_used"] >= 30 and d["councils_used"] >= 3
    assert sum(d["commons_projection"]["seats"].values()) == 650


@pytest.mark.slow  # whole-night run: `writer national` over the 2022 night
def test_2022_text_report(le2022_dir):
    result = run("national", le2022_dir)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "146 of 146 councils declared" in out
    assert "Projected national share, the writer's estimate from" in out
    assert "a projection, not a result" in out
    assert "Not estimated (no projected share for 2018): Green" in out


# -- the JSON shape ------------------------------------------------------------------------------

def test_to_dict_has_the_fixed_keys(demo):
    _, engine = demo
    d = national_picture(engine).to_dict()
    assert {"projected_share", "wards_used", "method", "commons_projection", "councils", "seats"} <= set(d)
    assert json.loads(json.dumps(d)) == d
    assert d["councils_declared"] == d["councils_total"] == 12
    tally = engine.tally()
    assert d["councils"] == {p: {"count": tally.control.get(p, 0), "change": tally.control_change().get(p, 0)}
                             for p in d["councils"]}
    assert {p: v["count"] for p, v in d["seats"].items() if v["count"]} == tally.seats_won_compared
    assert {p: v["change"] for p, v in d["seats"].items()} == {p: n for p, n in tally.seat_change.items()
                                                              if n or tally.seats_won_compared.get(p)}


def test_demo_night_has_too_few_like_for_like_wards(demo):
    """The demo's projected shares name the Greens, who stood in few of its wards both times:
    4 wards in 2 councils count, short of the 30 in 3 rules/national.yaml asks for."""
    _, engine = demo
    d = national_picture(engine).to_dict()
    assert d["projected_share"] == {} and d["commons_projection"] is None
    assert (d["wards_used"], d["councils_used"]) == (4, 2)
    assert d["reason"] == ("only 4 wards in 2 councils can be compared like for like so far; the estimate "
                           "needs at least 30 wards in at least 3 councils")
    assert "general_election.csv" in d["commons_reason"]
    assert "Reform" in d["not_estimated"]


# -- council totals only, no pns context --------------------------------------------------------

def test_council_totals_only_gives_no_estimate_and_no_error(council_totals_only: Path):
    night, engine = run_night(council_totals_only)
    assert night.declarations and all(d.kind == "council" for d in night.declarations)
    picture = national_picture(engine)
    assert picture.projected_share == {} and picture.commons_projection is None
    assert "council totals alone give none" in picture.reason
    d = picture.to_dict()
    assert d["wards_used"] == 0 and d["councils_declared"] == 12 and d["councils"]

    result = run("national", council_totals_only, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reason"] == picture.reason
    text = run("national", council_totals_only)
    assert text.exit_code == 0 and "Traceback" not in text.output
    assert "Projected national share: no estimate yet. No ward has declared its votes yet" in text.stdout


def test_no_pns_context_gives_a_reason(demo_copy: Path):
    toml = demo_copy / "election.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('key = "pns_2022"', 'key = "share_2022"'),
                    encoding="utf-8")
    _, engine = run_night(demo_copy)
    picture = national_picture(engine, thresholds=Thresholds(1, 1))
    assert picture.projected_share == {} and "pns_" in picture.reason
    result = run("national", demo_copy, "--json")
    assert result.exit_code == 0 and "pns_" in json.loads(result.stdout)["reason"]


# -- the estimate, by hand -------------------------------------------------------------------------

COUNCIL = Council("Testford", "testford", "E07000001", "Somewhere", "thirds", 30, 10, "Con",
                  {"Con": 16, "Lab": 10, "LD": 4}, False, False)
WHEN = datetime.fromisoformat("2026-05-08T01:00:00+01:00")


def _cands(*spec: tuple[str, int, bool]) -> tuple[Candidate, ...]:
    return tuple(Candidate(f"{party} {i}", party, votes, elected) for i, (party, votes, elected) in enumerate(spec))


def _ward(name: str, seats: int, base: tuple[Candidate, ...], tonight: tuple[Candidate, ...],
          base_seats: int | None = None, council: Council = COUNCIL):
    bw = BaselineWard(council.slug, name, "", base_seats or seats, base)
    index = BaselineIndex.build((bw,), council.cycle)
    decl = WardDeclaration(f"local.{council.slug}.{name.lower()}.2026-05-07", council.slug, name, "", seats,
                           tonight, WHEN, "test")
    w = compare_ward(decl, council, index)
    return w, (bw, index.shares[("", name)])


def _night(*wards):
    results = {w.declaration_id: w for w, _ in wards}
    lookup = {w.declaration_id: found for w, found in wards}
    return results, lookup


def test_estimate_by_hand_and_a_party_with_no_baseline_share():
    # One ward, every party standing both times. Baseline: Lab 40, Con 40, LD 10, Green 10;
    # tonight: Lab 45, Con 30, LD 15, Green 10.
    a = _ward("Alpha", 1, _cands(("Lab", 400, True), ("Con", 400, False), ("LD", 100, False), ("Green", 100, False)),
              _cands(("Lab", 450, True), ("Con", 300, False), ("LD", 150, False), ("Green", 100, False)))
    results, lookup = _night(a)
    e = estimate_shares(results, lookup, {"Lab": 35, "Con": 35, "LD": 16}, min_wards=1, min_councils=1)
    assert e.shares == {"Lab": 40.0, "Con": 25.0, "LD": 21.0}
    assert "Green" not in e.shares and e.not_estimated == ("Green",)
    assert e.wards_used == (a[0].declaration_id,) and e.councils_used == ("testford",)


def test_multi_member_wards_use_the_best_placed_candidate():
    # Two seats; Lab stood two candidates both times, Con two, LD one. By the top-candidate method
    # the baseline is Lab 500/(500+400+100) = 50%, tonight Lab 600/(600+300+100) = 60%.
    a = _ward("Beta", 2,
              _cands(("Lab", 500, True), ("Lab", 480, True), ("Con", 400, False), ("Con", 390, False), ("LD", 100, False)),
              _cands(("Lab", 600, True), ("Lab", 590, True), ("Con", 300, False), ("Con", 250, False), ("LD", 100, False)))
    results, lookup = _night(a)
    e = estimate_shares(results, lookup, {"Lab": 30, "Con": 30, "LD": 10}, min_wards=1, min_councils=1)
    assert e.shares == {"Lab": 40.0, "Con": 20.0, "LD": 10.0}


def test_wards_that_do_not_count():
    every = _cands(("Lab", 400, True), ("Con", 400, False), ("LD", 200, False))
    counts = _ward("Gamma", 1, every, every)
    no_ld_before = _ward("Delta", 1, _cands(("Lab", 400, True), ("Con", 400, False)), every)
    no_ld_tonight = _ward("Epsilon", 1, every, _cands(("Lab", 400, True), ("Con", 400, False)))
    fewer_seats = _ward("Zeta", 1, _cands(("Lab", 400, True), ("Lab", 390, True), ("Con", 400, False),
                                           ("LD", 200, False)), every, base_seats=2)
    new = Council("Newtown", "newtown", "E07000002", "Somewhere", "all-out", 30, 30, None, None, True, False)
    new_council = _ward("Eta", 1, every, every, council=new)
    results, lookup = _night(counts, no_ld_before, no_ld_tonight, fewer_seats, new_council)
    e = estimate_shares(results, lookup, {"Lab": 30, "Con": 30, "LD": 10}, min_wards=1, min_councils=1)
    assert e.wards_used == (counts[0].declaration_id,)
    assert e.wards_with_votes == 5
    e = estimate_shares(results, lookup, {"Lab": 30, "Con": 30, "LD": 10}, min_wards=2, min_councils=1)
    assert e.shares == {} and e.reason == ("only 1 ward in 1 council can be compared like for like so far; the "
                                           "estimate needs at least 2 wards in at least 1 council")
    e = estimate_shares(results, lookup, {"Lab": 30, "Con": 30, "LD": 10}, min_wards=1, min_councils=2)
    assert e.shares == {} and "at least 2 councils" in e.reason


def test_no_ward_votes_and_no_baseline_share_are_reasons_not_errors():
    e = estimate_shares({}, {}, {"Lab": 30}, min_wards=1, min_councils=1)
    assert e.shares == {} and "council totals alone give none" in e.reason
    every = _cands(("Lab", 400, True), ("Con", 400, False))
    results, lookup = _night(_ward("Theta", 1, every, every))
    e = estimate_shares(results, lookup, {}, min_wards=1, min_councils=1)
    assert e.shares == {} and "pns_" in e.reason and e.not_estimated == ("Con", "Lab")


# -- the Commons projection, by hand --------------------------------------------------------------

def _seat(ons_id, country, winner, **votes):
    valid = sum(votes.values())
    cols = {p: votes.get(p, 0) for p in ("Con", "Lab", "LD", "Other")}
    return Constituency(ons_id, ons_id, country, country, valid * 2, valid, winner, cols)


SEATS = (
    _seat("marginal", "England", "Con", Con=500, Lab=450, LD=50),       # Lab gains on a 5-point swing
    _seat("safe", "Scotland", "Con", Con=700, Lab=200, LD=100),
    _seat("other-top", "Wales", "Ind", Con=300, Lab=100, Other=600),    # Other tops: stays Ind
    _seat("speaker", "England", "Spk", Lab=480, Other=520),             # would go Lab: the Speaker's, stays
    _seat("ni", "Northern Ireland", "SF", Lab=480, Other=520),          # would go Lab: Northern Ireland, stays
)


def test_uniform_change_by_hand():
    # GB (every seat but "ni"): 4,000 valid votes; Con 1,500 (37.5%), Lab 1,230 (30.75%), LD 150 (3.75%)
    cp = project_commons(SEATS, {"Con": 32.5, "Lab": 35.75, "Green": 4.0})
    assert cp.ge_share == {"Con": 37.5, "Lab": 30.75, "LD": 3.75, "Other": 28.0}
    assert cp.change == {"Con": -5.0, "Lab": 5.0}  # Green has no column: not projected
    assert cp.seats == {"Con": 1, "Ind": 1, "Lab": 1, "SF": 1, "Spk": 1}
    assert cp.changed_hands == (("marginal", "marginal", "Con", "Lab"),)
    assert cp.majority_needed == 3 and cp.majority == -2
    assert cp.largest_party is None  # three parties on one seat each
    assert cp.constituencies == 5


def test_uniform_change_majority_and_nothing_projected():
    # Con down to nothing (its share clips at 0) and Lab up 14.25: Lab takes both seats Con held
    cp = project_commons(SEATS, {"Con": 0.0, "Lab": 45.0})
    assert cp.seats == {"Lab": 2, "Ind": 1, "SF": 1, "Spk": 1}
    assert cp.largest_party == "Lab" and cp.majority == 2 - 3
    # nothing projected: every seat as it was
    cp = project_commons(SEATS, {})
    assert cp.seats == {"Con": 2, "Ind": 1, "SF": 1, "Spk": 1} and cp.changed_hands == ()
    assert cp.largest_party == "Con" and cp.majority == -1


# -- general_election.csv in the loader ------------------------------------------------------------

def test_general_election_loads_with_extra_columns_ignored(demo_copy: Path):
    _write(demo_copy / "general_election.csv",
           [GE_HEADER + ["notes"]] + [row + ["a note"] for row in GE_ROWS])
    night = load_night(demo_copy)
    assert [c.ons_id for c in night.general_election] == ["E14000001", "S14000001", "N06000001"]
    first = night.general_election[0]
    assert first == Constituency("E14000001", "Northtown", "England", "North West", 70000, 40000, "Con",
                                 {"Con": 20000, "Lab": 18000, "LD": 2000, "Other": 0})
    assert night.setup.general_election == night.general_election
    assert load_night(DEMO).general_election == ()  # optional


def _bad_general_election(root: Path, header: list[str], rows: list[list[str]]) -> list[str]:
    _write(root / "general_election.csv", [header] + rows)
    with pytest.raises(InputError) as info:
        load_night(root)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("change, expected", [
    (lambda rows: rows[1].__setitem__(8, "abc"),
     "general_election.csv, line 3, column Lab: expected a whole number of votes (0 or more), got 'abc'"),
    (lambda rows: rows[0].__setitem__(2, "Englund"),
     "general_election.csv, line 2, column country: expected one of England, Scotland, Wales, Northern Ireland, "
     "got 'Englund'"),
    (lambda rows: rows[0].__setitem__(5, "30000"),
     "general_election.csv, line 2, column valid_votes: is 30000, less than the 40000 votes in the party columns "
     "(Con, Lab, LD, Other); expected at least their sum"),
    (lambda rows: rows[1].__setitem__(0, "E14000001"),
     "general_election.csv, line 3, column ons_id: 'E14000001' already used on line 2; expected each constituency once"),
    (lambda rows: rows[2].__setitem__(6, ""),
     "general_election.csv, line 4, column winner: is empty; expected a value"),
], ids=["votes-not-a-number", "unknown-country", "more-votes-than-valid", "duplicate-id", "no-winner"])
def test_malformed_general_election_row(demo_copy: Path, change, expected):
    rows = [list(r) for r in GE_ROWS]
    change(rows)
    assert _bad_general_election(demo_copy, GE_HEADER, rows) == [expected]


def test_general_election_missing_column(demo_copy: Path):
    drop = GE_HEADER.index("valid_votes")
    problems = _bad_general_election(demo_copy, GE_HEADER[:drop] + GE_HEADER[drop + 1:],
                                     [r[:drop] + r[drop + 1:] for r in GE_ROWS])
    assert problems == ["general_election.csv, line 1, column valid_votes: missing column 'valid_votes'; "
                        f"the header must include {GE_COLUMNS}"]


def test_general_election_without_party_columns(demo_copy: Path):
    problems = _bad_general_election(demo_copy, GE_HEADER[:7] + ["notes"], [r[:7] + ["x"] for r in GE_ROWS])
    assert problems == ["general_election.csv, line 1: has no party columns; expected one column of votes per party "
                        f"code after the fixed columns ({GE_COLUMNS}), such as Con, Lab, LD and Other"]


def test_cli_malformed_general_election_exits_3(demo_copy: Path):
    rows = [list(r) for r in GE_ROWS]
    rows[1][8] = "abc"
    _write(demo_copy / "general_election.csv", [GE_HEADER] + rows)
    result = run("national", demo_copy)
    assert result.exit_code == 3 and result.stdout == ""
    assert "Traceback" not in result.output
    assert ("general_election.csv, line 3, column Lab: expected a whole number of votes (0 or more), got 'abc'"
            in result.stderr)


# -- rules/national.yaml ---------------------------------------------------------------------------

def test_shipped_thresholds_are_the_defaults():
    assert load_thresholds(RULES / "national.yaml") == Thresholds() == Thresholds(30, 3)
    assert load_rules(RULES).rules  # not mistaken for a rules file


@pytest.mark.parametrize("text, expected", [
    ("min_wards: 30\nmin_councils: 3\nmin_parties: 2\n",
     "national.yaml, key min_parties: is not a setting of the national estimate; expected only min_wards, min_councils"),
    ("min_wards: thirty\nmin_councils: 3\n",
     "national.yaml, key min_wards: expected a whole number of 1 or more, got 'thirty'"),
    ("min_wards: 30\nmin_councils: -3\n",
     "national.yaml, key min_councils: expected a whole number of 1 or more, got -3"),
    ("min_wards: true\nmin_councils: 3\n",
     "national.yaml, key min_wards: expected a whole number of 1 or more, got True"),
    ("min_wards: 30\n",
     "national.yaml, key min_councils: is missing; expected min_wards and min_councils, each a whole number of 1 or more"),
    ("min_wards: 3\nmin_councils: 5\n",
     "national.yaml, key min_councils: is 5, more than min_wards 3; expected at most min_wards (each council counts "
     "through at least one ward)"),
], ids=["unknown-key", "not-a-number", "negative", "boolean", "missing-key", "more-councils-than-wards"])
def test_bad_thresholds(tmp_path: Path, text: str, expected: str):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "national.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_thresholds(rules / "national.yaml")
    assert [str(p) for p in info.value.problems] == [expected]
    for command in (["rules", "check", "--rules", rules], ["national", DEMO, "--rules", rules]):
        result = run(*command)
        assert result.exit_code == 3, result.output
        assert expected in " ".join(result.stderr.split()) and "Traceback" not in result.output


def test_thresholds_from_a_rules_copy_are_used(tmp_path: Path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "national.yaml").write_text("min_wards: 4\nmin_councils: 2\n", encoding="utf-8")
    result = run("national", DEMO, "--rules", rules, "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert (d["min_wards"], d["min_councils"], d["wards_used"]) == (4, 2, 4)
    assert set(d["projected_share"]) == {"Lab", "Con", "LD", "Green"}
    assert d["commons_reason"].startswith("the night has no general_election.csv")


def test_bad_at_and_bad_dir_are_one_line_errors():
    result = run("national", DEMO, "--at", "tonight")
    assert result.exit_code == 2 and "--at" in result.output and "Traceback" not in result.output
    result = run("national", DEMO, "--at", "2026-05-08T01:00:00")
    assert result.exit_code == 2 and "UTC offset" in result.output
    result = run("national", DEMO / "nowhere")
    assert result.exit_code == 2 and "does not exist" in result.output
