"""The project's own demo night (samples/demo-night): every case it was written to show."""

from __future__ import annotations

from conftest import DEMO
from helpers import expected, signed_seats


def _r(demo, slug):
    return next(r for r in demo[1].council_results() if r.slug == slug)


def test_matches_its_published_answers(demo):
    _, engine = demo
    for slug, row in expected(DEMO).items():
        r = _r(demo, slug)
        assert (r.control_before or "", r.control_after) == (row["control_before"], row["control_after"]), slug
        assert r.seat_change == signed_seats(row["seat_change"]), slug


def test_every_council_declares(demo):
    assert all(r.status == "declared" for r in demo[1].council_results())


def test_boundary_change_compared_as_a_whole_council(demo):
    r = _r(demo, "eastbrook-vale")
    assert r.comparison_basis == "whole council" and r.baseline_total_seats == 48 and r.total_seats == 45


def test_cycle_change_is_not_comparable(demo):
    r = _r(demo, "millbridge")
    assert r.seat_change is None and "cycle changed" in r.not_comparable_reason


def test_new_council_has_no_seat_change(demo):
    r = _r(demo, "severnside")
    assert r.result == "new council: Lab win" and r.seat_change is None


def test_postponed_ward_leaves_a_vacancy_and_the_majority_on_all_seats(demo):
    r = _r(demo, "kingsford")
    assert r.composition_after.get("Vacant") == 1 and r.majority_needed == 13 and r.seats_up == 23


def test_first_seat_events(demo):
    firsts = {(e.council, tuple(e.facts["first_seat"])) for e in demo[1].events() if e.rule == "first-seat"}
    assert ("ashcombe", ("Reform",)) in firsts and ("kingsford", ("Green",)) in firsts


def test_same_name_same_party_candidates_both_elected(demo):
    # Kingsford Town: two Labour candidates called "Khan A.", both elected (as Hounslow East 2022)
    night, engine = demo
    w = next(w for w in engine.ward_results.values() if w.council == "kingsford" and w.ward == "Kingsford Town")
    assert [c.name for c in w.winners].count("Khan A.") == 2


def test_history_events(demo):
    titles = {e.title for e in demo[1].events() if e.rule == "historic-gain"}
    assert "Eastbrook Vale: LD control for the first time (records from 1974)" in titles or any(
        t.startswith("Eastbrook Vale: LD control for the first time") for t in titles)
    assert any(t.startswith("Fernmouth: LD control for the first time since 2003") for t in titles)
