"""The story desk across a night: versions, provisional then final wording, retractions."""

from __future__ import annotations

from datetime import datetime

import pytest

from conftest import DEMO
from writer.night import draft_night


@pytest.fixture(scope="module")
def demo_desk():
    return draft_night(DEMO)


def test_every_council_has_a_story(demo_desk):
    night, _, desk = demo_desk
    assert {s.council for s in desk.current() if s.kind == "council"} == set(night.councils)


def test_provisional_then_final_wording():
    # Northmoor: control settled at 01:34 with two wards to come, declared at 02:20
    _, _, desk = draft_night(DEMO, at=datetime.fromisoformat("2026-05-08T01:40:00+01:00"))
    story = desk.story("council:northmoor")
    assert story.provisional and "on course to" in story.lede and "8 of the 10 seats" in story.lede.replace("eight", "8")
    _, _, desk = draft_night(DEMO)
    final = desk.story("council:northmoor")
    assert not final.provisional and "on course" not in final.text()
    versions = desk.versions["council:northmoor"]
    assert [v.version for v in versions] == list(range(1, len(versions) + 1)) and len(versions) >= 2


def test_correction_retracts_the_ward_story_and_redrafts_the_council(demo_desk):
    # Ashcombe, Goldsmid: a Labour gain corrected to a Conservative hold
    _, _, desk = demo_desk
    goldsmid = desk.versions["ward:local.ashcombe.goldsmid.2026-05-07"]
    assert goldsmid[0].status == "draft" and goldsmid[-1].status == "retracted"
    assert "Goldsmid" in goldsmid[0].lede
    ashcombe = desk.versions["council:ashcombe"]
    assert ashcombe[-1].status == "draft" and ashcombe[-1].template.startswith("council-hold")


def test_feed_never_repeats_an_opening_back_to_back(demo_desk):
    _, _, desk = demo_desk
    drafts = [s for s in desk.feed if s.status == "draft"]
    repeats = [(a.id, b.id) for a, b in zip(drafts, drafts[1:]) if a.opening == b.opening]
    assert repeats == []


def test_stories_are_deterministic():
    first = [s.text() for s in draft_night(DEMO)[2].current()]
    second = [s.text() for s in draft_night(DEMO)[2].current()]
    assert first == second
