"""Pure comparison functions, each on a small constructed case named after the real one."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from writer import parties
from writer.compare.council import result_words
from writer.compare.history import history_facts
from writer.compare.ward import BaselineIndex, compare_ward, pair_gains
from writer.model import BaselineWard, Candidate, ControlPeriod, Council, WardDeclaration, normalise_ward_name

AT = datetime(2022, 5, 6, 3, 0, tzinfo=timezone.utc)


def council(**kw):
    base = dict(name="Testshire", slug="testshire", gss_code="", region="North West", cycle="thirds",
                total_seats=30, seats_up=10, control_before="Lab", composition_before={"Lab": 20, "Con": 10},
                new_council=False, boundary_change=False)
    base.update(kw)
    return Council(**base)


def ward(candidates, seats=1, name="Central", code="E05000001"):
    cands = tuple(Candidate(n, p, v, e) for n, p, v, e in candidates)
    return WardDeclaration(id="local.testshire.central.2022-05-05", council="testshire", ward=name,
                           ward_code=code, seats=seats, candidates=cands, declared_at=AT, source="test")


def baseline(candidates, seats=1, name="Central", code="E05000001"):
    return BaselineWard("testshire", name, code, seats, tuple(Candidate(n, p, v, e) for n, p, v, e in candidates))


@pytest.mark.parametrize("total, needed", [(63, 32), (57, 29), (60, 31), (1, 1)])
def test_majority_is_floor_half_plus_one(total, needed):
    assert parties.majority_needed(total) == needed


def test_independents_never_control():
    # a council of 31 independents out of 60 is still no overall control
    assert parties.control_of({"Ind": 31, "Con": 29}, 60) == "NOC"
    assert parties.control_of({"Other (Aspire)": 24, "Lab": 19, "Con": 1, "Green": 1}, 45) == "Other (Aspire)"


@pytest.mark.parametrize("before, after, new, words", [
    ("Con", "Lab", False, ("Lab gain from Con", "gain")),
    ("Lab", "NOC", False, ("Lab lose to NOC", "lose")),
    ("NOC", "LD", False, ("LD gain from NOC", "gain")),
    ("LD", "LD", False, ("LD hold", "hold")),
    ("NOC", "NOC", False, ("NOC no change", "no_change")),
    (None, "Lab", True, ("new council: Lab win", "new_win")),
    (None, "NOC", True, ("new council: NOC", "new_noc")),
])
def test_result_words(before, after, new, words):
    assert result_words(before, after, new) == words


@pytest.mark.parametrize("name, other", [
    ("St. Anne's", "St Annes"), ("Brindle Moor & Hapton", "Brindle Moor and Hapton"),
    ("HOLLINS GREEN", "Hollins Green"), ("Abbey Ward", "Abbey"),
])
def test_ward_names_match_across_years(name, other):
    assert normalise_ward_name(name) == normalise_ward_name(other)


def test_single_seat_gain():
    w = compare_ward(ward([("A", "Lab", 900, True), ("B", "Con", 800, False)]), council(),
                     BaselineIndex.build((baseline([("C", "Con", 700, True), ("D", "Lab", 600, False)]),), "thirds"))
    assert w.gains == (("Lab", "Con"),) and w.seat_change == {"Lab": 1, "Con": -1}
    assert w.majority == 100
    assert round(w.share_change["Lab"], 1) == round(900 / 1700 * 100 - 600 / 1300 * 100, 1)


def test_thirds_after_all_out_compares_with_top_placed_winner():
    # Hull 2022: three members elected in 2018, one tonight, compared with 2018's top winner
    base = baseline([("A", "Con", 1500, True), ("B", "Lab", 1400, True), ("C", "Lab", 1300, True),
                     ("D", "LD", 900, False)], seats=3)
    w = compare_ward(ward([("E", "Lab", 1000, True), ("F", "Con", 950, False)]), council(),
                     BaselineIndex.build((base,), "all-out"))
    assert w.baseline_holders == {"Con": 1} and w.gains == (("Lab", "Con"),)


def test_double_vacancy_counts_the_extra_seat_as_won():
    # Worthing 2022: two seats up in a ward that elected one in 2018
    w = compare_ward(ward([("A", "Lab", 900, True), ("B", "Lab", 880, True), ("C", "Con", 700, False)], seats=2),
                     council(), BaselineIndex.build((baseline([("D", "Con", 800, True)]),), "thirds"))
    assert w.seat_change == {"Lab": 2, "Con": -1} and w.extra_seats == 1 and w.gains == (("Lab", "Con"),)


def test_redrawn_wards_make_no_ward_claims():
    w = compare_ward(ward([("A", "Lab", 900, True)]), council(cycle="all-out", boundary_change=True),
                     BaselineIndex.build((baseline([("C", "Con", 700, True)]),), "all-out"))
    assert not w.comparable and w.gains == () and w.share_change == {}
    assert "redrawn" in w.not_comparable_reason


def test_unmatched_ward_is_left_out():
    w = compare_ward(ward([("A", "Lab", 900, True)], name="Newtown", code="E05999999"), council(),
                     BaselineIndex.build((baseline([("C", "Con", 700, True)]),), "thirds"))
    assert not w.comparable and w.seat_change == {}


def test_name_match_when_code_is_missing():
    w = compare_ward(ward([("A", "Lab", 900, True)], name="MOOR END AND LOWFIELD", code=""), council(),
                     BaselineIndex.build((baseline([("C", "Con", 700, True)], name="Moor End & Lowfield", code="E05000009"),), "thirds"))
    assert w.matched_by == "name" and w.gains == (("Lab", "Con"),)


def test_pair_gains_multi_member():
    assert pair_gains({"Lab": 2, "Con": -1, "LD": -1, "Green": 0}) == (("Lab", "Con"), ("Lab", "LD"))


def test_history_first_ever_and_since():
    periods = (ControlPeriod(1964, 1968, "Lab"), ControlPeriod(1968, 1971, "Con"),
               ControlPeriod(1971, 1978, "Lab"), ControlPeriod(1978, None, "Con"))
    # Wandsworth 2022
    facts = history_facts(periods, "Con", "Lab", 2022)
    assert not facts.first_ever and facts.last_controlled_to == 1978 and facts.before_since == 1978
    assert history_facts(periods, "Con", "LD", 2022).first_ever
    assert history_facts((), "Con", "LD", 2022).first_ever is False  # no history: say nothing


def test_seat_list_parsing_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="unknown party code 'Labour'"):
        parties.parse_seat_list("Labour:3")
    with pytest.raises(ValueError, match="listed twice"):
        parties.parse_seat_list("Lab:3;Lab:4")
    assert parties.parse_seat_list("Other (Community Campaign (Hart)):5") == {"Other (Community Campaign (Hart))": 5}
