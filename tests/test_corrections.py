"""Corrections that correct (issue 19, items 13-15), on SQLite and PostgreSQL.

The demo night goes through the store, every story is approved and published, and then one
ward's result is corrected: a seat changes hands. Every story that cites the ward is drafted
again with the corrected figures (the ward, its council, the groups the council is in, the
story of the night, and their feed items and posts); each waits for an editor even where its
rules publish unreviewed; the version that goes out says what changed; the running counts keep
their declaration-order values and the wording stays the same where the figures do.
Expected figures are counted here from the declarations themselves, not from the engine."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from threading import Lock

import pytest

from conftest import DEMO
from helpers import store_on
from writer import resources
from writer.draft.style import PartyNames, count, number
from writer.ingest import load_night
from writer.model import CouncilDeclaration, WardDeclaration
from writer.night import build
from writer.publish.blocks import story_blocks
from writer.publish.corrections import correction_line, what_changed
from writer.publish.publisher import Publisher
from writer.publish.release import StoryState, decide
from writer.publish.service import redraft_roundup
from writer.review.checks import FactChecks
from writer.store import Pipeline
from writer.store.users import ReviewRecords

NOW = datetime(2026, 5, 8, 12, 0, tzinfo=timezone.utc)
ORDINAL = re.compile(r"\bthe (first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)) "
                     r"council\b")


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


@pytest.fixture(scope="module")
def names():
    return PartyNames.load(resources.rules_dir() / "parties.yaml")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    with store_on(request.param, tmp_path, "writer_corrections") as s:
        yield s


def approve_all(store) -> None:
    for row in store.latest_stories():
        if row.status == "retracted":
            continue
        store.record_check(row.story_id, row.version, True)
        store.record_decision(row.story_id, row.version, "approved", "alice")


def seat_changing_correction(night, council_slug: str) -> tuple[WardDeclaration, WardDeclaration, str, str]:
    """A later version of one of the council's ward declarations in which the last-elected
    winner and the best-placed loser of another party swap votes: a seat changes hands.
    Returns (original, corrected, party losing the seat, party gaining it)."""
    for decl in reversed(night.declarations):
        if not isinstance(decl, WardDeclaration) or decl.council != council_slug:
            continue
        winners = sorted((c for c in decl.candidates if c.elected), key=lambda c: c.votes or 0)
        if not winners:
            continue
        last = winners[0]
        losers = sorted((c for c in decl.candidates if not c.elected and c.party != last.party
                         and c.party not in {w.party for w in winners}), key=lambda c: -(c.votes or 0))
        if not losers or losers[0].votes is None:
            continue
        best = losers[0]
        swapped = tuple(
            replace(c, elected=False, votes=best.votes) if c is last else
            replace(c, elected=True, votes=last.votes) if c is best else c for c in decl.candidates)
        return decl, replace(decl, candidates=swapped, declared_at=decl.declared_at + timedelta(hours=2)), \
            last.party, best.party
    raise AssertionError(f"no ward of {council_slug} where a seat can change hands")


def correct_seat(pipeline, night, corrected, loser: str, gainer: str) -> None:
    """Ingest the corrected ward, and the council's declared totals corrected with it, as a
    returning officer would."""
    assert pipeline.ingest(corrected).outcome in ("correction", "new")
    moved = {gainer: 1, loser: -1}
    for totals in [d for d in night.declarations
                   if isinstance(d, CouncilDeclaration) and d.council == corrected.council]:
        fixed = replace(totals, seats_won={p: totals.seats_won.get(p, 0) + moved.get(p, 0)
                                           for p in set(totals.seats_won) | set(moved)},
                        composition_after={p: totals.composition_after.get(p, 0) + moved.get(p, 0)
                                           for p in set(totals.composition_after) | set(moved)},
                        declared_at=corrected.declared_at)
        assert pipeline.ingest(fixed).outcome in ("correction", "new")


def seats_from_declarations(declarations, council_slug: str) -> Counter:
    """Seats won tonight on a council, counted from its standing ward declarations."""
    standing = {}
    for d in declarations:
        if isinstance(d, WardDeclaration) and d.council == council_slug:
            standing[d.id] = d
    return Counter(c.party for d in standing.values() for c in d.candidates if c.elected)


@pytest.fixture
def published(store, night, names):
    """The whole demo night stored, approved and published; the round-up too."""
    pipeline = Pipeline(store, lambda: build(night))
    pipeline.ingest_all(night.declarations)
    redraft_roundup(store, night, pipeline, Lock())
    approve_all(store)
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    assert pub.run(NOW).released
    return pipeline, pub


def test_a_corrected_ward_re_derives_every_story_that_cites_it(store, night, names, published):
    pipeline, pub = published
    def group_stories(slug: str) -> set[str]:
        ids = {f"group:{g}" for g in pipeline.engine.council_groups[slug]}
        return {r.story_id for r in store.latest_stories() if r.story_id in ids}

    council = next(slug for slug in sorted(night.setup.councils)
                   if store.latest_story(f"council:{slug}") is not None and group_stories(slug)
                   and seats_from_declarations(night.declarations, slug))
    original, corrected, loser, gainer = seat_changing_correction(night, council)
    before = {r.story_id: r for r in store.latest_stories()}
    roundup_id = f"roundup:{night.election.id}"

    correct_seat(pipeline, night, corrected, loser, gainer)
    redraft_roundup(store, night, pipeline, Lock())
    after = {r.story_id: r for r in store.latest_stories()}
    changed = {sid for sid in after if sid in before and after[sid].version != before[sid].version}

    # every story citing the ward: the ward (if it had one), its council, its groups, the round-up
    council_id = f"council:{council}"
    assert council_id in changed and roundup_id in changed
    groups = group_stories(council)
    assert groups and groups <= changed, f"group stories not re-derived: {groups - changed}"

    # the council story's table is the declarations' count, with the seat moved
    seats = seats_from_declarations([*night.declarations, corrected], council)
    old_seats = seats_from_declarations(night.declarations, council)
    assert seats[gainer] == old_seats[gainer] + 1 and seats[loser] == old_seats[loser] - 1
    table = {row["party"]: row["seats"] for row in after[council_id].payload["table"]}
    assert {p: n for p, n in table.items() if n} == {p: n for p, n in seats.items() if n}
    # ... and the group stories moved the same seat
    for sid in groups:
        old_lead = before[sid].story().evidence[0]
        new_lead = after[sid].story().evidence[0]
        party = new_lead["party"]
        if party in (gainer, loser):
            assert new_lead["seats_won"] - old_lead["seats_won"] == (1 if party == gainer else -1), sid

    # nothing goes out unreviewed, even with every rule set to publish unreviewed
    for sid in changed:
        for rule in pub.rules_of(after[sid]):
            ReviewRecords(store).set_auto_publish(rule, True, "chief")
        store.record_check(sid, after[sid].version, True)
    assert pub.run(NOW + timedelta(minutes=1)).released == [], "a correction waits for an editor"

    # once approved, each goes out saying what changed
    approve_all(store)
    released = {r.story_id: r for r in pub.run(NOW + timedelta(minutes=2)).released}
    assert changed <= set(released)
    line = released[council_id].correction
    assert line.startswith("Correction, 1.02pm Friday 8 May: an earlier version of this story ")
    for party, moved in ((gainer, 1), (loser, -1)):
        pronoun = "they" if names.is_plural(party) else "it"
        assert (f"gave {names.party(party)} {count(old_seats[party], 'seat')}; {pronoun} won "
                f"{number(old_seats[party] + moved)}.") in line
    assert released[roundup_id].correction == "Updated 1.02pm Friday 8 May."
    # the feeds and the posts carry the corrected version and its line
    items = {i.story_id: i for i in pub.feed_items() if i.kind == "story"}
    for sid in changed:
        assert items[sid].version == after[sid].version and items[sid].correction == released[sid].correction
        post = pub.post_for(released[sid])  # the WordPress body: block markup, the line first
        body = story_blocks(post.story, correction=post.correction)
        line = released[sid].correction
        assert post.correction == line and body.index(line.split(":")[0]) < body.index(post.story.lede[:30])
        assert post.story.version == after[sid].story().version and post.story.text(with_disclosure=False) == after[sid].story().text(with_disclosure=False)


@pytest.mark.parametrize("how", ["corrected", "withdrawn-then-declared"])
def test_a_correction_keeps_running_counts_and_wording(store, night, names, published, how):
    """The correction arrives as a new version of the declarations, or (as from a feed that
    retracts a winner before naming the new one) as a withdrawal and then a new declaration."""
    pipeline, _pub = published

    def gains() -> dict[str, tuple[str, int, str, str]]:
        """council story -> (party that took it, its place in that party's gains tonight,
        the ordinals its text states, its phrasing)."""
        out = {}
        for row in store.latest_stories():
            story = row.story()
            lead = story.evidence[0] if story.evidence else {}
            if row.story_id.startswith("council:") and lead.get("result_kind") == "gain":
                out[row.story_id] = (lead["control_after"], lead["winner_gains_tonight"],
                                     ORDINAL.findall(story.text()), story.template)
        return out

    before = gains()
    by_party = Counter(party for party, *_ in before.values())
    party = next(p for p, n in by_party.items() if n >= 2)
    # the party's first gain of the night: recounted when corrected, it would come last
    sid = next(s for s, (p, place, *_) in before.items() if p == party and place == 1)
    council = sid.split(":", 1)[1]
    _original, corrected, loser, gainer = seat_changing_correction(night, council)
    if how == "withdrawn-then-declared":
        for decl_id in [corrected.id] + [d.id for d in night.declarations
                                         if isinstance(d, CouncilDeclaration) and d.council == council]:
            pipeline.withdraw(decl_id, by="user:alice", reason="wrong winner",
                              at=corrected.declared_at - timedelta(minutes=30))
    correct_seat(pipeline, night, corrected, loser, gainer)
    after = gains()
    assert store.latest_story(sid).version > 1
    assert after == before, "running counts keep their declaration-order values, and the phrasing stays"


def test_the_correction_line_says_what_changed(names):
    from writer.draft.story import Story

    def council(seats, composition, control="Lab"):
        facts = {"scope": "council", "seats_won": seats, "composition_after": composition, "control_after": control,
                 "final": True, "council_name": "Barnet"}
        return Story(id="council:barnet", kind="council", version=1, status="draft", headline="h", lede="l",
                     body=(), table=(), disclosure="", events=(), council="barnet", region=None, groups=(),
                     score=1.0, provisional=False, template="t/1", at="", evidence=(facts,))

    old = council({"Lab": 42, "Con": 21}, {"Lab": 42, "Con": 21})
    new = council({"Lab": 41, "Con": 22}, {"Lab": 41, "Con": 22})
    changes = what_changed(old, new, names)
    assert changes == ["gave Labour 42 seats; it won 41", "gave the Conservatives 21 seats; they won 22"]
    at = datetime(2022, 5, 6, 3, 2, tzinfo=timezone.utc)
    assert correction_line(at, changes) == ("Correction, 4.02am Friday 6 May: an earlier version of this story "
                                            "gave Labour 42 seats; it won 41. It gave the Conservatives 21 seats; "
                                            "they won 22.")
    lost = council({"Lab": 31, "Con": 32}, {"Lab": 31, "Con": 32}, control="Con")
    assert what_changed(old, lost, names)[0] == "said Labour controlled Barnet; the Conservatives do"
    assert correction_line(at, []) == ("Correction, 4.02am Friday 6 May: this story has been updated because a "
                                       "declared result was corrected.")


def test_a_correction_of_a_published_story_never_auto_publishes():
    base = dict(story_id="ward:x", version=3, retracted=False, edited=False, decision=None, decided_by=None,
                check="ok", auto_rules=("ward-gain",), publish_at=None, released_version=2, released_action="publish")
    now = datetime(2026, 5, 8, 3, 0, tzinfo=timezone.utc)
    assert decide(StoryState(**base), now).action == "publish"  # more results: the rule may publish it
    assert decide(StoryState(**base, corrected=True), now) is None  # a correction waits for an editor
    assert decide(StoryState(**{**base, "decision": "approved", "decided_by": "bob"}, corrected=True),
                  now).action == "publish"
