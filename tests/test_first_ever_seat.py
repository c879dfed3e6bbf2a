"""The first-ever-seat story type (templates/README.md, "Adding a story type"): a party's first
seat ever on a council, claimed only where the seat records reach back to the council's first
election (writer/detect/firsts.py), and checked by the gate and by the oracle.

The nights are the demo night with history.csv rewritten: Kingsford (all-out in 2022 and
tonight; the Greens win their first seat in Bridge Street) with a history that begins at the
2022 election, with none, and as shipped (from 1964)."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pytest

from writer.check import FactChecker
from writer.detect.firsts import SeatRecord, baseline_year
from writer.draft.style import PartyNames
from writer.model import BaselineCouncil, ControlPeriod, Council, Election
from writer.night import draft_night
from writer.oracle import NightTruth, audit_night

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "demo-night"
WARD = "ward:local.kingsford.bridge-street.2026-05-07"
HISTORY = ["council", "slug", "from_year", "to_year", "control"]


def _night(tmp_path_factory, name: str, kingsford: list[dict[str, str]]) -> Path:
    """The demo night with Kingsford's rows of history.csv replaced."""
    root = tmp_path_factory.mktemp(name) / "night"
    shutil.copytree(DEMO, root)
    with open(root / "history.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["slug"] != "kingsford"]
    with open(root / "history.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, HISTORY)
        out.writeheader()
        out.writerows(rows + [dict(council="Kingsford", slug="kingsford", **r) for r in kingsford])
    return root


@pytest.fixture(scope="module")
def covered(tmp_path_factory):
    """Kingsford's history begins with the 2022 election, the baseline."""
    root = _night(tmp_path_factory, "covered", [{"from_year": "2022", "to_year": "", "control": "Lab"}])
    return (root, *draft_night(root))


@pytest.fixture(scope="module")
def shipped():
    return (DEMO, *draft_night(DEMO))


@pytest.fixture(scope="module")
def no_history(tmp_path_factory):
    root = _night(tmp_path_factory, "no-history", [])
    return (root, *draft_night(root))


def _events(engine, subject_part: str) -> dict[str, object]:
    return {e.rule: e for e in engine.events() if subject_part in e.subject and e.rule.startswith("first")}


def _story(desk, sid: str = WARD):
    return next(s for s in desk.current() if s.id == sid)


def _checker(night) -> FactChecker:
    return FactChecker.for_night(night.setup, PartyNames.load(ROOT / "rules" / "parties.yaml"))


# -- where the records show it ---------------------------------------------------------------------
def test_a_first_seat_is_first_ever_where_the_records_begin_with_the_baseline(covered):
    _, _, engine, desk = covered
    events = _events(engine, "kingsford.bridge-street")
    assert set(events) == {"first-ever-seat"}  # first-seat gives way: one story, not two
    facts = events["first-ever-seat"].facts
    assert facts["first_seat"] == facts["first_seat_ever"] == ["Green"]
    assert events["first-ever-seat"].title == "Kingsford: first ever Green seat, in Bridge Street"
    story = _story(desk)
    assert story.template.startswith("first-ever-seat/")
    assert "first ever seat on Kingsford council" in story.lede
    assert "first ever" in story.headline.lower()


def test_the_gate_passes_the_claim_and_catches_a_forged_party(covered):
    _, night, _, desk = covered
    checker = _checker(night)
    story = _story(desk)
    assert checker.check(story).ok
    forged = story.text().replace("the Green Party its first ever seat", "Labour its first ever seat")
    assert forged != story.text()
    result = checker.check_text(forged, story.evidence)
    assert not result.ok
    assert any("first ever seats were the Greens" in f.reason for f in result.failures)


def test_the_oracle_agrees_and_catches_a_forged_party(covered):
    root, _, _, desk = covered
    truth = NightTruth(root)
    stories = [s for s in desk.feed if s.id == WARD]
    assert stories and not audit_night(truth, stories)
    story = stories[-1]
    forged = dataclasses.replace(story, lede=story.lede.replace("the Green Party its", "Labour its"))
    assert forged.lede != story.lede
    found = audit_night(truth, [forged])
    assert any(d.kind == "first-seat" and "Labour" in d.claim for d in found)


# -- where they do not ----------------------------------------------------------------------------
@pytest.mark.parametrize("night", ["shipped", "no_history"])
def test_no_first_ever_claim_where_the_history_does_not_reach_the_first_election(night, request):
    _, nt, engine, desk = request.getfixturevalue(night)
    events = _events(engine, "kingsford.bridge-street")
    assert set(events) == {"first-seat"}
    assert events["first-seat"].facts["first_seat_ever"] == []
    assert "first seat" in _story(desk).text()
    assert not any("first ever" in s.text() for s in desk.current())


def test_the_gate_and_the_oracle_refuse_first_ever_on_the_shipped_history(shipped):
    root, night, _, desk = shipped
    story = _story(desk)
    forged = story.headline.replace("gain first seat", "win first ever seat")
    assert forged != story.headline
    result = _checker(night).check_text(story.text().replace(story.headline, forged), story.evidence)
    assert [f.reason.split(": ")[-1] for f in result.failures] == ["the data does not show a first ever seat here"]
    found = audit_night(NightTruth(root), [dataclasses.replace(story, headline=forged)])
    assert [d.truth for d in found] == ["the records do not reach back to the council's first election"]


# -- the fact, case by case --------------------------------------------------------------------------
def _council(cycle: str = "all-out", *, new: bool = False) -> Council:
    return Council("Kingsford", "kingsford", "E09900004", "London", cycle, 24, 24 if cycle == "all-out" else 8,
                   None if new else "Lab", None if new else {"Lab": 16, "Con": 6, "LD": 2}, new, False)


def _baseline(cycle: str = "all-out") -> BaselineCouncil:
    return BaselineCouncil("Kingsford", "kingsford", cycle, 24, 24, {"Lab": 17, "Con": 6, "LD": 1},
                           {"Lab": 17, "Con": 6, "LD": 1}, "Lab")


FROM_2022 = (ControlPeriod(2022, None, "Lab"),)


@pytest.mark.parametrize("case, council, baseline, history, year, ever", [
    ("history begins with the baseline", _council(), _baseline(), FROM_2022, 2022, ["Green"]),
    ("history begins earlier", _council(), _baseline(), (ControlPeriod(1964, 2022, "Con"),) + FROM_2022, 2022, []),
    ("history begins later", _council(), _baseline(), (ControlPeriod(2023, None, "Lab"),), 2022, []),
    ("no history", _council(), _baseline(), (), 2022, []),
    ("the party ran the council", _council(), _baseline(), (ControlPeriod(2022, 2024, "Green"),
                                                            ControlPeriod(2024, None, "Lab")), 2022, []),
    ("elections between (thirds tonight)", _council("thirds"), _baseline(), FROM_2022, 2022, []),
    ("elections between (thirds then)", _council(), _baseline("thirds"), FROM_2022, 2022, []),
    ("baseline year unknown", _council(), _baseline(), FROM_2022, None, []),
    ("a new council", _council(new=True), None, FROM_2022, 2022, []),
])
def test_first_seat_ever_needs_the_whole_record(case, council, baseline, history, year, ever):
    record = SeatRecord.build(council, baseline, history, year)
    assert record.first_ever(["Green"]) == ever, case


def test_the_baseline_year_comes_from_the_baseline_id():
    def election(baseline_id: str) -> Election:
        return Election("local.2026-05-07", "Demo", None, None, baseline_id, "2022")

    assert baseline_year(election("local.2022-05-05")) == 2022
    assert baseline_year(election("2022-05-05")) == 2022
    assert baseline_year(election("local.kingsford")) is None
    assert baseline_year(election("local.2022-05-05.extra")) is None
