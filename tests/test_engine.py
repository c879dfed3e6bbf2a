"""The engine: repeats, corrections and retractions, on the project's demo night and on a
real ward of 2022."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from conftest import DEMO, RULES, run_night
from writer.compare.tally import load_groups
from writer.detect.rules import load_rules
from writer.engine import Engine
from writer.ingest import InputError, load_night


def fresh(night):
    return Engine(night.setup, load_rules(RULES), load_groups(RULES / "groups.yaml"))


@pytest.fixture(scope="module")
def demo_night():
    return load_night(DEMO)


def test_a_repeated_declaration_does_nothing(demo_night):
    engine = fresh(demo_night)
    first = demo_night.declarations[0]
    assert engine.apply(first).outcome == "new"
    again = engine.apply(dataclasses.replace(first, source="a feed that repeats itself"))
    assert again.outcome == "repeat" and again.events == ()


def test_replaying_the_whole_night_twice_changes_nothing(demo_night):
    engine = fresh(demo_night)
    engine.apply_all(demo_night.declarations)
    before = [e.id for e in engine.events()]
    assert engine.apply_all(demo_night.declarations) == []
    assert [e.id for e in engine.events()] == before


def test_unknown_council_is_a_clear_error(demo_night):
    engine = fresh(demo_night)
    stray = dataclasses.replace(demo_night.declarations[0], council="atlantis")
    with pytest.raises(InputError, match="unknown council 'atlantis'"):
        engine.apply(stray)


def test_demo_correction_retracts_the_ward_gain_and_the_settled_call(demo):
    # Ashcombe, Goldsmid: declared as a Labour gain, corrected 50 minutes later to a
    # Conservative hold, which also keeps Ashcombe Conservative.
    _, engine = demo
    records = [e for e in engine.log.records if e.council == "ashcombe"]
    retracted = [e for e in records if e.status == "retracted"]
    assert "ward-gain:local.ashcombe.goldsmid.2026-05-07" in {e.key for e in retracted}
    goldsmid = next(e for e in retracted if e.rule == "ward-gain")
    assert goldsmid.facts["gains"] == [{"party": "Lab", "from": "Con"}]
    assert goldsmid.reason.startswith("no longer holds")
    result = next(r for r in engine.council_results() if r.slug == "ashcombe")
    assert result.result == "Con hold"


def _real_ward(night, council, ward):
    return next(d for d in night.declarations if d.kind == "ward" and d.council == council and d.ward == ward)


@pytest.mark.slow  # whole-night run: the 2022 night replayed with a correction
def test_real_correction_that_changes_the_winner(le2022_dir):
    # Hull 2022 (a thirds council, wards unchanged): swap the votes of the last winner and the
    # first loser in a ward the Lib Dems gained, as a corrected declaration would.
    night, engine = run_night(le2022_dir)
    gains = [e for e in engine.events() if e.rule == "ward-gain" and e.council == "kingston-upon-hull"]
    target = next(e for e in gains if e.facts["gains_count"] == 1)
    decl = next(d for d in night.declarations if d.id == target.subject)
    ranked = sorted(decl.candidates, key=lambda c: -c.votes)
    loser = next(c for c in ranked if not c.elected)
    winner = next(c for c in reversed(ranked) if c.elected and c.party == target.facts["gains"][0]["party"])
    swapped = []
    for c in decl.candidates:
        if c is winner:
            c = dataclasses.replace(c, votes=loser.votes, elected=False)
        elif c is loser:
            c = dataclasses.replace(c, votes=winner.votes, elected=True)
        swapped.append(c)
    correction = dataclasses.replace(decl, candidates=tuple(swapped),
                                     declared_at=decl.declared_at + timedelta(days=2), source="correction")
    council_before = next(r for r in engine.council_results() if r.slug == "kingston-upon-hull")
    applied = engine.apply(correction)
    assert applied.outcome == "correction"
    by_key = {e.key: e for e in applied.events}
    assert by_key[target.key].status == "retracted"
    assert by_key[target.key].supersedes == target.id
    council_after = next(r for r in engine.council_results() if r.slug == "kingston-upon-hull")
    party = target.facts["gains"][0]["party"]
    assert council_after.seat_change[party] == council_before.seat_change[party] - 1
    # the council's final event is re-issued with the new figures, superseding the old one
    gain = by_key["council-gain:kingston-upon-hull"]
    assert gain.status == "updated" and gain.version == 2
    assert gain.facts["seat_change"] == council_after.seat_change
    # and the same correction arriving again changes nothing; the old version arriving late is stale
    assert engine.apply(correction).outcome == "repeat"
    assert engine.apply(decl).outcome == "stale"
    # declared again after the correction (a recount restores the first result), it stands again
    restored = dataclasses.replace(decl, declared_at=correction.declared_at + timedelta(hours=1), source="recount")
    applied = engine.apply(restored)
    assert applied.outcome == "correction" and applied.events
    council_restored = next(r for r in engine.council_results() if r.slug == "kingston-upon-hull")
    assert council_restored.seat_change == council_before.seat_change
    assert engine.apply(dataclasses.replace(correction, declared_at=restored.declared_at)).outcome == "stale"


def test_events_are_immutable(demo):
    event = demo[1].events()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.score = 0  # type: ignore[misc]


def test_settled_mid_count_is_provisional_and_kept_once_final(demo):
    _, engine = demo
    settled = [e for e in engine.events() if e.rule == "control-settled"]
    assert settled, "the demo night settles control before the last ward somewhere"
    for e in settled:
        assert e.provisional and e.facts["settled_seats_declared"] < e.facts["seats_up"]
        result = next(r for r in engine.council_results() if r.slug == e.council)
        assert e.facts["settled_control"] == result.control_after


def test_every_record_keeps_its_history(demo):
    # nothing is dropped: each key's records run 1, 2, 3... and each later one supersedes the last
    _, engine = demo
    by_key: dict[str, list] = {}
    for e in engine.log.records:
        by_key.setdefault(e.key, []).append(e)
    for key, records in by_key.items():
        assert [r.version for r in records] == list(range(1, len(records) + 1)), key
        for earlier, later in zip(records, records[1:]):
            assert later.supersedes == earlier.id


def test_a_key_retracted_then_reissued_goes_on_counting():
    # Richmond-upon-Thames 2022 (in the store): a group event retracted and later issued again
    # must not reuse "#1", or the store's unique event ids refuse the declaration
    from writer.detect.events import EventLog
    from writer.detect.rules import RuleBlock
    from writer.detect.rules import load_rules as _load
    rule = next(r for r in _load(RULES).rules if r.id == "narrow-win")
    log = EventLog()
    block = RuleBlock((rule,), remember=False)
    facts = {"subject": "w", "at": "2022-05-06T03:00:00+01:00", "majority": 5, "ward": "W", "council_name": "C"}
    first = log.evaluate(block, facts, council="c", surprise=0, provisional=False, caused_by="d1")
    gone = log.evaluate(block, dict(facts, majority=50), council="c", surprise=0, provisional=False, caused_by="d2")
    again = log.evaluate(block, dict(facts, majority=3), council="c", surprise=0, provisional=False, caused_by="d3")
    assert [e.id for e in first + gone + again] == ["narrow-win:w#1", "narrow-win:w#2", "narrow-win:w#3"]
    assert again[0].supersedes == gone[0].id
