"""The round-up ("the story so far"): the 2022 night at its end and at 3am, and the demo
night. Every expectation about which councils it covers is checked against the writer's own
ranking and results, not a list of names in the code."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from writer.night import draft_night
from writer.draft.roundup import (baseline_context, by_party, clauses, draft_roundup, outcome,
                                  standing_still, watch_list)
from writer.ingest import load_night

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "demo-night"
THREE_AM = datetime.fromisoformat("2022-05-06T03:00:00+01:00")


def _roundup(directory, at=None):
    night, engine, desk = draft_night(directory, at=at)
    return night, engine, draft_roundup(night, engine, desk, at)


@pytest.fixture(scope="module")
def end_of_2022(le2022_dir):
    return _roundup(le2022_dir)


@pytest.fixture(scope="module")
def three_am_2022(le2022_dir):
    return _roundup(le2022_dir, THREE_AM)


@pytest.fixture(scope="module")
def demo_end():
    return _roundup(DEMO)


def _paragraph(story, start):
    found = [p for p in story.paragraphs if p.startswith(start)]
    assert found, f"no paragraph starting {start!r} in:\n{story.text()}"
    return found[0]


def _slug(night, name):
    return next(slug for slug, c in night.councils.items() if c.name == name)


def _check_shape(story):
    assert story.kind == "roundup" and story.status == "draft"
    assert story.headline and not story.headline.endswith(".") and len(story.headline) <= 70, story.headline
    assert len(story.lede.split()) <= 35, story.lede
    assert 5 <= len(story.paragraphs) <= 16, story.text()
    assert story.evidence and story.disclosure
    for p in story.paragraphs:
        assert "  " not in p and " ." not in p and " ," not in p and ".." not in p, p
        assert not re.search(r"\b[1-9] (seat|council|councillor)s?\b", p), f"digit under ten in prose: {p}"


# -- the end of the 2022 night ---------------------------------------------------------------
@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_end_of_2022_is_final_and_shaped(end_of_2022):
    night, _, story = end_of_2022
    _check_shape(story)
    assert story.id == "roundup:local.2022-05-05"
    assert not story.provisional
    assert "all 146 councils declared" in story.lede
    assert story.paragraphs[-1].startswith("All 146 councils have now declared")


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_end_of_2022_leads_with_the_nights_biggest_national_movement(end_of_2022):
    """The Conservatives' losses are the night's biggest movement (net councils and seats, from
    the tally): the headline and lede lead with them, and the councils the lede names are ones
    they lost, to the party it names."""
    night, engine, story = end_of_2022
    t = engine.tally()
    change = t.control_change()
    assert min(change.values()) == change["Con"]  # the biggest net loss, recomputed here
    lost = len(t.lost["Con"])
    assert story.headline.startswith(f"Tories lose {lost} councils as ")
    assert story.lede.startswith(f"The Conservatives have lost {lost} of the {t.control_before['Con']} "
                                 "councils they were defending, including ")
    named = [slug for slug, c in night.councils.items() if c.name in story.lede]
    assert named and set(named) <= set(t.lost["Con"])
    # the headline's second clause: another party taking the Conservatives' councils
    second = story.headline.split(" as ", 1)[1]
    assert second.startswith("Labour take ")
    assert all(engine.results[s].control_before == "Con" and engine.results[s].control_after == "Lab"
               for s, c in night.councils.items() if c.name in second)


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_end_of_2022_covers_the_nights_stories(end_of_2022):
    night, engine, story = end_of_2022
    london = _paragraph(story, "In London")
    assert re.search(r"Labour has taken [^.]*\bWestminster\b", london)
    for name in ("Barnet", "Wandsworth", "Westminster"):
        assert name in london
    assert "Kingston upon Hull" in story.text()
    assert "from Labour" in _paragraph(story, "Elsewhere")
    red = _paragraph(story, "In the Red Wall")
    assert "new Cumberland council" in red
    blue = _paragraph(story, "In the Blue Wall")
    assert "new Somerset council" in blue and "areas such as" in blue
    south = _paragraph(story, "In the south of England")
    assert "Worthing" in south and "Southampton" in south


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_end_of_2022_red_wall_standing_still_with_examples_from_the_facts(end_of_2022):
    night, engine, story = end_of_2022
    red = _paragraph(story, "In the Red Wall")
    m = re.search(r"In Red Wall areas such as ([^,]+(?:, [^,]+)*?), Labour held control with no net change", red)
    assert m, red
    assert "Wolverhampton" in m.group(1)
    # every example is a Red Wall council Labour held with no net change in its seats
    results = {r.slug: r for r in engine.council_results()}
    for name in re.split(r", | and ", m.group(1)):
        r = results[_slug(night, name)]
        assert "red-wall" in engine.council_groups[r.slug]
        assert r.result_kind == "hold" and r.control_after == "Lab" and r.seat_change["Lab"] == 0


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_end_of_2022_national_tally_and_baseline(end_of_2022):
    _, engine, story = end_of_2022
    t = engine.tally()
    national = _paragraph(story, "With all 146 councils declared")
    assert f"Labour runs {t.control['Lab']} councils" in national
    assert f"the Conservatives {t.control['Con']}, down eight" in national
    assert f"No party has a majority in {t.control['NOC']} councils" in national
    # seats won and their change on one base: the councils that can be compared; then the
    # totals counting the councils that cannot be, said as such
    seats = next(p for p in story.paragraphs if "on the same seats in 2018" in p)
    assert seats.startswith(f"Of the seats that can be compared like for like, in {t.councils_compared} declared "
                            f"councils, Labour won {t.seats_won_compared['Lab']:,}, up 43 on the same seats in 2018")
    assert "down 225" in seats and "councillors" not in seats
    assert (f"Counting every seat declared, including the {t.councils_final - t.councils_compared} councils that "
            f"cannot be compared, Labour has won {t.seats_won['Lab']:,} seats") in seats
    assert story.table_caption.startswith("Seats won of those that can be compared with 2018, "
                                          f"in {t.councils_compared} declared councils")
    assert {r.party: r.seats for r in story.table}["Lab"] == t.seats_won_compared["Lab"]
    context = next(p for p in story.paragraphs if "At the 2018 elections, the baseline for these seats" in p)
    assert "Labour and the Conservatives were level on 35%, with the Liberal Democrats on 16%, according to the BBC" in context
    assert "source" not in context and "May 2018" not in context  # copy cites; it never prints a source note


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_end_of_2022_evidence_backs_what_it_names(end_of_2022):
    night, engine, story = end_of_2022
    text = story.text()
    councils = {f["council"] for f in story.evidence if f.get("scope") == "council"}
    for slug, c in night.councils.items():
        if re.search(rf"\b{re.escape(c.name)}\b", text):
            assert slug in councils, f"{c.name} is named without its facts in the evidence"
    national = {f["party"]: f for f in story.evidence if f.get("scope") == "national"}
    assert national["Lab"]["councils_controlled"] == engine.tally().control["Lab"]
    assert national["Con"]["seat_change"] == engine.tally().seat_change["Con"]
    assert any(set(f) == {"context"} and f["context"][0]["values"]["Lab"] == 35 for f in story.evidence)
    summary = story.evidence[-1]
    assert summary["scope"] == "roundup" and summary["national"]["complete"]
    ids = {e.id for e in engine.events()}
    assert set(story.events) <= ids


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_end_of_2022_is_deterministic(le2022_dir, end_of_2022):
    again = _roundup(le2022_dir)[2]
    assert again.text() == end_of_2022[2].text()


# -- 3am on the 2022 night -------------------------------------------------------------------
@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_three_am_is_provisional(three_am_2022):
    _, engine, story = three_am_2022
    _check_shape(story)
    assert story.provisional
    t = engine.tally()
    assert not t.complete
    assert f"with {t.councils_final} of the 146 councils declared by 3am" in story.lede
    assert _paragraph(story, f"Of the {t.councils_final} councils declared so far")
    assert "All 146 councils have now declared" not in story.text()


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_three_am_lists_councils_to_watch(three_am_2022):
    night, engine, story = three_am_2022
    watch = _paragraph(story, "Counting goes on in")
    results = {r.slug: r for r in engine.council_results()}
    open_ = [r for r in results.values() if not r.final]
    assert watch.startswith(f"Counting goes on in {len(open_)} councils.")
    named = [slug for slug, c in night.councils.items() if re.search(rf"\b{re.escape(c.name)}\b", watch)]
    assert len(named) >= 3
    for slug in named:
        r = results[slug]
        assert not r.final and r.settled is None, slug  # control is still open
    # each council part-counted is named with its control before the election
    for m in re.finditer(r"In ([^,]+), (run by [^,]+|under no overall control) before the election", watch):
        r = results[_slug(night, m.group(1))]
        assert (r.control_before == "NOC") == m.group(2).startswith("under")
    assert "yet to declare a seat" in watch


@pytest.mark.slow  # whole-night run: the 2022 night's round-up
def test_three_am_covers_only_what_had_happened(three_am_2022):
    night, engine, story = three_am_2022
    final = {r.slug for r in engine.council_results() if r.final}
    text = story.text()
    for p in story.paragraphs[1:]:
        if p.startswith(("Counting goes on", "At the 2018")):
            continue
        for slug, c in night.councils.items():
            if re.search(rf"\b{re.escape(c.name)}\b", p) and " on course to " not in p:
                assert slug in final, f"{c.name} is reported before it declared: {p}"
    assert "Westminster" in text


# -- the demo night --------------------------------------------------------------------------
def test_demo_night_end(demo_end):
    night, engine, story = demo_end
    _check_shape(story)
    assert story.id == f"roundup:{night.election.id}" and not story.provisional
    top = next(e for e in engine.events() if e.scope == "council" and e.facts["final"]
               and e.facts["result_kind"] in ("gain", "lose", "new_win", "new_noc"))
    assert top.facts["council_name"] in story.lede
    t = engine.tally()
    assert f"with all {t.councils_total} councils declared" in story.lede
    assert "In Red Wall areas" in story.text() or "Red Wall areas such as" in story.text()
    assert "Blue Wall areas such as" in story.text()
    # the only context figure for the baseline year (2022)
    context = _paragraph(story, "At the 2022 elections")
    # the demo's figures have no `cite`: the copy names what they are (their label) and
    # never prints the editors' source note
    assert "Labour led on 34%" in context and "Demo data" not in context and "according to" not in context
    assert "27%" not in story.text()  # the 2026 polls are not about the baseline year
    assert story.paragraphs[-1] == f"All {t.councils_total} councils have now declared, so these are the night's final figures."


def test_demo_night_before_any_change():
    night = load_night(DEMO)
    first = night.declarations[0].declared_at
    _, engine, story = _roundup(DEMO, first)
    assert story.provisional
    assert story.lede.startswith("Counting is under way")
    assert "Counting goes on in" in story.text()


def test_demo_night_midway():
    night = load_night(DEMO)
    middle = night.declarations[len(night.declarations) // 2].declared_at
    _, engine, story = _roundup(DEMO, middle)
    assert story.provisional
    assert engine.tally().councils_final < engine.tally().councils_total
    assert "Counting goes on in" in story.paragraphs[-1]


# -- the pure parts --------------------------------------------------------------------------
def test_clauses_group_results_of_one_kind_in_rank_order():
    items = [
        {"council": "a", "name": "A", "kind": "gain", "party": "Lab", "other": "Con", "provisional": False, "seats": None, "total_seats": 10},
        {"council": "b", "name": "B", "kind": "lose", "party": "Con", "other": None, "provisional": False, "seats": None, "total_seats": 10},
        {"council": "c", "name": "C", "kind": "gain", "party": "Lab", "other": "Con", "provisional": False, "seats": None, "total_seats": 10},
        {"council": "d", "name": "D", "kind": "gain", "party": "Lab", "other": "NOC", "provisional": False, "seats": None, "total_seats": 10},
    ]
    out = clauses(items, names=1)
    assert [(c["kind"], c["party"], c["names"], c["more"]) for c in out] == [
        ("gain", "Lab", ["A"], 1), ("lose", "Con", ["B"], 0), ("gain", "Lab", ["D"], 0)]
    assert [s["party"] for s in by_party(out)] == ["Lab", "Con"]


def test_baseline_context_only_for_the_baseline_year_and_ties_keep_file_order():
    context = [
        {"key": "pns_2018", "label": "Projected share, 2018", "unit": "percent",
         "values": {"Lab": 35, "Con": 35, "LD": 16}, "source": "S"},
        {"key": "poll", "label": "Polls, April 2022", "unit": "percent", "values": {"Lab": 40}, "source": "P"},
    ]
    out = baseline_context(context, "2018")
    assert len(out) == 1 and out[0]["level"]
    assert [v["party"] for v in out[0]["shares"]] == ["Lab", "Con", "LD"]


def test_outcome_standing_still_and_watch_from_results(demo):
    night, engine = demo
    results = engine.council_results()
    for r in results:
        o = outcome(r)
        assert (o is not None) == (r.result_kind in ("gain", "lose", "new_win", "new_noc"))
    members = {slug for slug, g in engine.council_groups.items() if "red-wall" in g}
    for slug in standing_still(results, "Lab", members, {}):
        r = next(x for x in results if x.slug == slug)
        assert r.result_kind == "hold" and r.seat_change["Lab"] == 0
    counting, waiting, open_ = watch_list(results)
    assert counting == [] and waiting == [] and open_ == 0  # the night is over


def test_no_council_is_named_in_code_or_templates(le2022_dir):
    names = {c.name for c in load_night(DEMO).councils.values()}
    names |= {c.name for c in load_night(le2022_dir).councils.values()}
    sources = [ROOT / "writer" / "draft" / "roundup.py", ROOT / "templates" / "_roundup.j2",
               *sorted((ROOT / "templates" / "roundup").glob("*.j2"))]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for name in names:
            assert not re.search(rf"\b{re.escape(name)}\b", text), f"{name} is hard-coded in {path.name}"
