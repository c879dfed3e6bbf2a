"""Lines an editor reading the copy against the data found misleading, though every figure in
them was right: each test reads the writer's own output on a night where the shape occurs (the
demo night, or a night built by tests/nights.py), then checks that the oracle, which
recomputes from the CSVs, catches the line made false.

- "taking eight councils, including A, B, C and four other councils": the names and the
  "other councils" were one clause's (those taken from the Conservatives), so they read as
  seven of the eight. The clause now says from whom.
- "Labour also lost Thornley Bridge" in a story that had named no council Labour took (the
  group standing still on seats): "also" pointed at nothing. It now says what the party took
  and lost, and "also" only follows a lede that named the councils taken.
- "Labour stand still in the Red Wall" over a story of councils changing hands: the headline
  now says it is seats that stood still.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import nights
from writer.audit import roundups
from writer.night import draft_night
from writer.oracle import NightTruth, StoryMeta, audit_story

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "demo-night"


def _meta(story) -> StoryMeta:
    return StoryMeta(story.id, story.version, story.at, story.kind)


def _caught(truth: NightTruth, story, old: str, new: str) -> list:
    """What the oracle says of the story with ``old`` made ``new`` (it must read clean first)."""
    text = story.text()
    assert old in text, f"{old!r} not in:\n{text}"
    assert not audit_story(truth, text, _meta(story)), text
    return audit_story(truth, text.replace(old, new, 1), _meta(story))


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return nights.county_sweep_night(tmp_path_factory.mktemp("county") / "night").root


@pytest.mark.slow  # whole-night run: a county night built, replayed and its round-up drafted
def test_a_lede_that_names_one_clause_of_a_count_says_from_whom(county):
    story = roundups(county, [None])[0]
    lede = story.paragraphs[0]
    m = re.search(r"taking (\w+) councils, including (.+?) and (\w+) other councils? from (the [A-Z][\w ]+?),", lede)
    assert m, lede
    truth = NightTruth(county)
    # one "other council" too many, and the source swapped: both read as false
    assert _caught(truth, story, f"and {m[3]} other councils from", "and nine other councils from")
    assert _caught(truth, story, f"other councils from {m[4]},", "other councils from the Liberal Democrats,")


@pytest.fixture(scope="module")
def demo_group_story():
    _, _, desk = draft_night(DEMO)
    stories = [s for s in desk.feed if s.kind == "group" and "stand still" in s.headline]
    assert stories, "the demo night has a group where a party stands still on seats"
    return stories[-1]


def test_no_also_without_a_council_taken_before_it(demo_group_story):
    text = demo_group_story.text()
    assert " also lost " not in text, text
    assert re.search(r"Labour took \w[\w ]* and lost \w[\w ]*, and now runs", text), text
    assert demo_group_story.headline.endswith("stand still on seats in the Red Wall"), demo_group_story.headline


def test_the_oracle_reads_the_councils_taken_and_lost(demo_group_story):
    truth = NightTruth(DEMO)
    text = demo_group_story.text()
    took, lost = re.search(r"Labour took (\w[\w ]*?) and lost (\w[\w ]*?), and", text).groups()
    # swapped: Labour did not take the council it lost
    assert _caught(truth, demo_group_story, f"took {took} and lost {lost}", f"took {lost} and lost {took}")
    # a council lost left out of the list
    assert _caught(truth, demo_group_story, f"took {took} and lost {lost}, and", f"took {took}, and")
