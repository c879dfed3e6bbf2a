"""Nights of shapes unlike 2022, built by code (tests/nights.py): the writer replays each and
must reach the results the builder intended, and the oracle must find nothing false in what it
wrote about them.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime, time, timedelta

import pytest

import nights
from writer.night import draft_night

BUILDERS = {"county_sweep": nights.county_sweep_night, "collapse": nights.collapse_night}


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def built(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    return BUILDERS[request.param](root / "night")


@pytest.fixture(scope="module")
def replayed(built):
    return draft_night(built.root)  # an invalid directory raises InputError listing its problems


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# -- the builders themselves -------------------------------------------------------------------------------


def test_the_builders_are_deterministic(tmp_path):
    for name, build in BUILDERS.items():
        a, b = build(tmp_path / f"{name}-a"), build(tmp_path / f"{name}-b")
        for rel in ("councils.csv", "baseline/wards.csv", "results/wards.csv", "results/councils.csv",
                    "reference/expected.csv", "history.csv", "general_election.csv", "election.toml"):
            assert (a.root / rel).read_bytes() == (b.root / rel).read_bytes(), (name, rel)
        other = build(tmp_path / f"{name}-c", seed=7)
        assert (other.root / "results/wards.csv").read_bytes() != (a.root / "results/wards.csv").read_bytes()


def test_the_county_sweep_is_the_night_asked_for(tmp_path):
    night = nights.county_sweep_night(tmp_path / "county")
    cs = night.councils.values()
    assert len(cs) == 12 and all(c.gss_code.startswith("E10") and c.cycle == "all-out" for c in cs)
    assert night.control_count("before") == Counter({"Con": 11, "NOC": 1})
    assert night.control_count("after") == Counter({"Reform": 8, "NOC": 2, "LD": 1, "Con": 1})
    assert sorted(night.gains()) == ["LD", "Reform"] and len(night.gains()["Reform"]) == 8
    assert len(night.losses()["Con"]) == 10
    assert night.seat_change()["Con"] <= -200 and night.seat_change()["Reform"] >= 200
    baseline = _rows(night.root / "baseline" / "wards.csv")
    reform_stood = {(r["slug"], r["ward_code"]) for r in baseline if r["party"] == "Reform"}
    divisions = {(r["slug"], r["ward_code"]) for r in baseline}
    assert len(reform_stood) < len(divisions) / 4
    assert sum(r["party"] == "Reform" and r["elected"] == "yes" for r in baseline) <= 3
    assert {int(r["seats_in_ward"]) for r in baseline} == {1, 2}
    pns = (night.root / "election.toml").read_text(encoding="utf-8")
    assert 'key = "pns_2025"' in pns and "Reform =" not in pns and 'cite = "the BBC"' in pns


def test_the_collapse_is_the_night_asked_for(tmp_path):
    night = nights.collapse_night(tmp_path / "collapse")
    cs = list(night.councils.values())
    assert len(cs) == 24 and {c.cycle for c in cs} == {"all-out", "thirds"}
    assert night.control_count("before")["Lab"] == 16
    lab_lost = [c for c in cs if c.lost_by == "Lab"]
    assert len(lab_lost) == 12 and sum(c.control_after == "NOC" for c in lab_lost) == 9
    assert {c.control_after for c in lab_lost} == {"NOC", "LD", "Con", "Green"}
    assert len(night.gains()["Con"]) == 2
    assert all(len(v) <= 1 for p, v in night.losses().items() if p != "Lab")
    change = night.seat_change()
    assert change["Lab"] <= -100 and all(n > -20 for p, n in change.items() if p != "Lab")
    for c in cs:
        if c.cycle == "thirds":
            assert c.seats_up * 3 == c.total_seats
            assert c.composition_after == nights._add(nights._add(c.composition_before, c.baseline_seats_won, -1), c.seats_won)


@pytest.mark.parametrize("build", sorted(BUILDERS))
def test_every_ward_is_consistent(tmp_path, build):
    """Elected = the top seats_in_ward by votes, no tie at the cut; totals declared after the
    last ward; wards matched by code and name with their baseline; compositions add up."""
    night = BUILDERS[build](tmp_path / build)
    root = night.root
    councils = {r["slug"]: r for r in _rows(root / "councils.csv")}
    for which in ("baseline/wards.csv", "results/wards.csv"):
        wards: dict = {}
        for r in _rows(root / which):
            wards.setdefault((r["slug"], r["ward_code"]), []).append(r)
        for key, rows in wards.items():
            seats = int(rows[0]["seats_in_ward"])
            votes = sorted((int(r["votes"]), r["elected"]) for r in rows)[::-1]
            assert len({v for v, _ in votes}) == len(votes), key
            assert [e for _, e in votes] == ["yes"] * seats + ["no"] * (len(votes) - seats), key
            assert len(rows) > seats
        if which.startswith("results"):
            tonight = wards
        else:
            base = wards
    assert set(tonight) == set(base)
    shares = []
    for key, rows in tonight.items():
        top = max(int(r["votes"]) for r in rows)
        shares.append(round(top / sum(int(r["votes"]) for r in rows), 2))
        assert len({nights.slugify(r["ward"]) for r in rows + base[key]}) == 1, key  # '&'/'and', casing aside
    assert len(set(shares)) > 20  # winners' shares vary from ward to ward
    poll = night.poll_date
    first = datetime.combine(poll, time(23, 0), nights.BST)
    end = datetime.combine(poll + timedelta(days=1), time(18, 0), nights.BST)
    last = {}
    for r in _rows(root / "results" / "wards.csv"):
        at = datetime.fromisoformat(r["declared_at"])
        assert first <= at < end, r
        last[r["slug"]] = max(last.get(r["slug"], at), at)
    for r in _rows(root / "results" / "councils.csv"):
        assert datetime.fromisoformat(r["declared_at"]) > last[r["slug"]]
        comp = nights.Counter({p: int(n) for p, n in (x.rsplit(":", 1) for x in r["composition_after"].split(";"))})
        assert sum(comp.values()) == int(councils[r["slug"]]["total_seats"])
    ge = _rows(root / "general_election.csv")
    assert len(ge) == 650 and sum(r["winner"] == "Spk" for r in ge) == 1
    assert Counter(r["country"] for r in ge) == Counter({"England": 543, "Scotland": 57, "Wales": 32,
                                                          "Northern Ireland": 18})
    for r in ge:
        parts = [int(r[p]) for p in nights.GE_PARTIES + ["Other"]]
        assert sum(parts) == int(r["valid_votes"]) <= int(r["electorate"])
        if r["winner"] in nights.GE_PARTIES:
            assert int(r[r["winner"]]) == max(parts)


# -- the writer on them ----------------------------------------------------------------------------------------


@pytest.mark.slow  # whole-night run: a synthetic night replayed, drafted and read by the oracle
def test_the_writer_reaches_the_intended_results(built, replayed):
    night, engine, desk = replayed
    assert set(night.councils) == set(built.councils)
    wrong = []
    for slug, want in built.councils.items():
        r = engine.results[slug]
        got = (r.status, r.control_before, r.control_after, r.result_kind, r.seat_change, r.seats_won,
               r.composition_after)
        exp = ("declared", want.control_before, want.control_after, want.result_kind, want.seat_change,
               want.seats_won, want.composition_after)
        if got != exp:
            wrong.append((slug, got, exp))
    assert not wrong, "\n".join(f"{s}:\n  writer {g}\n  built  {e}" for s, g, e in wrong)


@pytest.mark.slow  # whole-night run: a synthetic night replayed, drafted and read by the oracle
def test_the_writer_agrees_with_the_reference(built, replayed):
    """reference/expected.csv, as the builder wrote it, read the way the other nights' are."""
    from helpers import expected, signed_seats

    _, engine, _ = replayed
    for slug, row in expected(built.root).items():
        r = engine.results[slug]
        assert (r.control_before, r.control_after) == (row["control_before"], row["control_after"]), slug
        assert r.seat_change == signed_seats(row["seat_change"]), slug


@pytest.mark.slow  # whole-night run: a synthetic night replayed, drafted and read by the oracle
def test_the_national_tally_counts_the_intended_gains_and_losses(built, replayed):
    _, engine, _ = replayed
    tally = engine.tally()
    for party, slugs in built.gains().items():
        assert sorted(tally.gained[party]) == sorted(slugs), party
    for party, slugs in built.losses().items():
        assert sorted(tally.lost[party]) == sorted(slugs), party


def _audit(root, stories):
    from writer.oracle import audit_night

    return audit_night(root, stories)


@pytest.mark.slow  # whole-night run: a synthetic night replayed, drafted and read by the oracle
def test_the_oracle_finds_nothing_false_in_the_council_stories(built, replayed):
    from writer.oracle import format_disagreements

    _, _, desk = replayed
    stories = [s for s in desk.feed if s.kind == "council"]
    assert len(stories) >= len(built.councils)
    found = _audit(built.root, stories)
    assert not found, format_disagreements(found, limit=30)


@pytest.mark.slow  # whole-night run: a synthetic night replayed, drafted and read by the oracle
def test_the_oracle_finds_nothing_false_in_the_ward_stories(built, replayed):
    from writer.oracle import format_disagreements

    _, _, desk = replayed
    stories = [s for s in desk.feed if s.kind == "ward"]
    assert len(stories) > 200
    found = _audit(built.root, stories)
    assert not found, format_disagreements(found, limit=30)


@pytest.mark.slow  # whole-night run: a synthetic night replayed, drafted and read by the oracle
def test_every_roundup_drafts(built):
    """The round-up at 2am, 4am, 1pm and the end of the night."""
    from writer.audit import roundup_times, roundups

    failed = []
    for at in roundup_times(built.root):
        try:
            roundups(built.root, [at])
        except Exception as exc:  # noqa: BLE001 - every failing time is listed
            failed.append(f"{at or 'end of night'}: {type(exc).__name__}: {exc}")
    assert not failed, "\n".join(failed)


@pytest.mark.slow  # whole-night run: a synthetic night replayed, drafted and read by the oracle
def test_the_oracle_finds_nothing_false_over_the_whole_night(built):
    """Every story version and the round-ups (2am, 4am, 1pm, the end), read against the CSVs."""
    from writer.audit import drafted_versions
    from writer.oracle import format_disagreements

    stories = drafted_versions(built.root)
    found = _audit(built.root, stories)
    assert not found, format_disagreements(found, limit=30)
