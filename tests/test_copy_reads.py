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
- "they have lost two of the two councils they were defending": now "the two councils", "all
  three councils", "the one council that has declared"; the gate reads it as both figures.

The gate (writer/check) used to let "A, B and four other councils" through with any count up to
the councils the party took: it now counts the councils named and the others against the
tally the sentence speaks of (the nation, a group, or the councils outside the groups) and the
party they were taken from or lost to.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import nights
from writer.audit import roundups
from writer.check.checker import FactChecker
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


def _gate(directory, at, story):
    night, _, desk = draft_night(directory, at=at)
    return FactChecker.for_night(night.setup, desk.drafter.names)


@pytest.mark.slow  # whole-night run: a county night built, replayed and its round-up drafted
def test_the_gate_counts_the_other_councils_of_a_list(county):
    story = roundups(county, [None])[0]
    gate = _gate(county, None, story)
    text = story.text()
    assert gate.check_text(text, story.evidence).ok
    lede = re.search(r"and (\w+) other councils from", text)
    elsewhere = re.search(r"outside these groups, [^.]*? and (\w+) other councils from", text)
    assert lede and elsewhere, text
    for m in (lede, elsewhere):
        for wrong in ("one", "nine"):
            bad = text[:m.start(1)] + wrong + text[m.end(1):]
            assert not gate.check_text(bad, story.evidence).ok, m.group(0)


def test_a_party_that_lost_every_council_it_defended():
    at = datetime(2026, 5, 8, 4, 0, tzinfo=timezone(timedelta(hours=1)))
    story = roundups(DEMO, [at])[0]
    text = story.text()
    said = "lost the two councils they were defending that have declared"
    assert said in text and " of the two councils" not in text, text
    gate, truth = _gate(DEMO, at, story), NightTruth(DEMO)
    assert gate.check_text(text, story.evidence).ok
    for wrong in ("lost the three councils", "lost all three councils", "lost the one council"):
        assert not gate.check_text(text.replace("lost the two councils", wrong), story.evidence).ok, wrong
        assert _caught(truth, story, "lost the two councils", wrong), wrong


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_a_group_paragraph_gives_a_partys_seat_figure_once(le2022_dir):
    """London, 2022: "Across London, Labour is up 33 seats on 2018 in the 32 councils ..."
    was followed by "Labour held Barking and Dagenham and Lewisham with no net change in its
    own seats and is up 33 seats on 2018 across the 32 councils in London ..."."""
    story = roundups(le2022_dir, [None])[0]
    london = next(p for p in story.paragraphs if p.startswith("In London,"))
    assert "Labour held Barking and Dagenham and Lewisham with no net change in its own seats." in london, london
    for paragraph in story.paragraphs:
        said = re.findall(r"\b(?:up|down) [\w,]+ seats? on \d{4}", paragraph)
        assert len(said) == len(set(said)), paragraph
    truth = NightTruth(le2022_dir)
    assert _caught(truth, story, "Labour held Barking and Dagenham", "Labour held Croydon")


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_one_first_council_reads_a_council(le2022_dir):
    """"it has won control of one council for the first time" reads "a council"; the gate
    and the oracle still read the claim (and its party)."""
    story = roundups(le2022_dir, [None])[0]
    said = "Aspire has had a good night: it has won control of a council for the first time"
    text = story.text()
    assert said in text and "control of one council" not in text, text
    gate, truth = _gate(le2022_dir, None, story), NightTruth(le2022_dir)
    for wrong in (said.replace("a council", "two councils"), said.replace("Aspire", "Labour")):
        assert not gate.check_text(text.replace(said, wrong), story.evidence).ok, wrong
        assert _caught(truth, story, said, wrong), wrong
