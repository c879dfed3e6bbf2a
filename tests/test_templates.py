"""The story templates: every family and phrasing renders on real nights, in house style.

Each phrasing is rendered directly for every event that would use it (not only the phrasing
the drafter happens to pick), so a phrasing that breaks or overruns on some result is caught
even when the hash never chooses it on these nights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pytest

from conftest import DEMO, LE2022
from writer.night import build
from writer.draft.quality import sentences
from writer.draft.story import to_html, to_markdown
from writer.ingest import load_night

LEADING_FAMILIES = (
    "council-gain", "council-lose-to-noc", "council-hold", "council-noc", "new-council",
    "control-settled", "seat-swing", "ward-gain", "first-seat", "share-move", "narrow-win",
    "group-gains", "group-standing-still", "group-advance",
)
SUPPORTING_FAMILIES = ("historic-control", "long-run-ends", "first-seat", "narrow-win", "share-move",
                       "ward-gain", "group-gains", "group-advance", "group-standing-still")

# A number under ten written as a figure (not part of a larger number, a decimal or a share).
SMALL_FIGURE = re.compile(r"(?<![\d.,])\b[0-9]\b(?![.,]\d|\d|%)")
# "'s" straight after a name ending in s ("the Conservatives's").
PLURAL_POSSESSIVE = re.compile(r"s's\b")


@dataclass
class Replayed:
    night: object
    engine: object
    desk: object
    events: list  # every event record that stood when issued (no retractions), in order


def replay(path) -> Replayed:
    night = load_night(path)
    engine, desk = build(night)
    events = []
    for decl in night.declarations:
        records = engine.apply(decl).events
        events += [e for e in records if e.status != "retracted"]
        desk.apply(records)
    return Replayed(night, engine, desk, events)


@pytest.fixture(scope="module")
def demo_night():
    return replay(DEMO)


@pytest.fixture(scope="module")
def night_2022():
    if not (LE2022 / "councils.csv").exists():
        pytest.skip(f"the real 2022 night is not at {LE2022}")
    return replay(LE2022)


def _families_for(templates, event):
    """Every family the lookup could use for this event, specific to general."""
    from writer.model import slugify

    region = event.facts.get("region")
    groups = tuple(event.facts.get("groups") or ())
    names = ([f"{event.template}-{slugify(region)}"] if region else [])
    names += [f"{event.template}-{g}" for g in groups if g != "national"]
    names.append(event.template)
    return [n for n in names if n in templates.families]


@dataclass
class Rendered:
    phrasing: str
    event: object
    headline: str | None
    lede: str | None
    body: list[str]
    paragraph: str | None

    @property
    def prose(self) -> list[str]:
        return [p for p in [self.lede, *self.body, self.paragraph] if p]

    def names(self) -> list[str]:
        """Names from the data (wards, councils, candidates, groups), which may hold digits
        or apostrophes of their own."""
        f = self.event.facts
        out = [f.get("ward"), f.get("council_name"), f.get("group_name"), f.get("baseline_ward")]
        out += [w["name"] for w in f.get("winners") or ()]
        out += list(f.get("gained") or ()) + list(f.get("lost") or ())
        return sorted((n for n in out if n), key=len, reverse=True)


def render_all(r: Replayed) -> list[Rendered]:
    drafter = r.desk.drafter
    templates = drafter.templates
    night = {"context": r.engine.context}
    out = []
    for event in r.events:
        for family in _families_for(templates, event):
            for phrasing in templates.families[family]:
                module = drafter._module(phrasing, event.facts, [event], night)
                headline = lede = paragraph = None
                body = []
                if hasattr(module, "lede"):
                    headline = " ".join(str(module.headline()).split())
                    lede = " ".join(str(module.lede()).split())
                    if hasattr(module, "body"):
                        body = [" ".join(p.split()) for p in str(module.body()).split("\n\n") if p.strip()]
                if hasattr(module, "paragraph"):
                    paragraph = " ".join(str(module.paragraph()).split()) or None
                out.append(Rendered(phrasing.name, event, headline, lede, body, paragraph))
    return out


@pytest.fixture(scope="module")
def demo_rendered(demo_night):
    return render_all(demo_night)


@pytest.fixture(scope="module")
def rendered_2022(night_2022):
    return render_all(night_2022)


def _both(request):
    out = [request.getfixturevalue("demo_rendered")]
    if (LE2022 / "councils.csv").exists():
        out.append(request.getfixturevalue("rendered_2022"))
    return [x for rs in out for x in rs]


# -- every family and phrasing -----------------------------------------------------------------
def test_every_family_has_enough_phrasings(demo_night):
    families = demo_night.desk.drafter.templates.families
    for family in LEADING_FAMILIES + ("council-gain-london",):
        leading = [p for p in families.get(family, []) if hasattr(p.template.module, "lede")]
        assert len(leading) >= 3, f"{family} has {len(leading)} leading phrasings"
    for family in ("historic-control", "long-run-ends", "first-seat", "narrow-win", "ward-gain",
                   "group-gains", "group-advance", "group-standing-still"):
        supporting = [p for p in families.get(family, []) if hasattr(p.template.module, "paragraph")]
        assert len(supporting) >= 2, f"{family} has {len(supporting)} paragraph phrasings"


def test_every_phrasing_renders_on_the_demo_night(demo_rendered):
    assert demo_rendered
    for r in demo_rendered:
        if r.lede is not None:
            assert r.headline and r.lede, r.phrasing


def test_every_phrasing_renders_on_the_2022_night(rendered_2022):
    assert rendered_2022
    for r in rendered_2022:
        if r.lede is not None:
            assert r.headline and r.lede, r.phrasing


def test_every_leading_family_is_exercised(request):
    used = {r.phrasing.split("/")[0] for r in _both(request)}
    wanted = set(LEADING_FAMILIES)
    if (LE2022 / "councils.csv").exists():
        wanted.add("council-gain-london")
    else:  # the demo night has no council whose control is settled early, no big swing lead
        wanted -= {"control-settled", "seat-swing", "group-advance"}
    assert wanted <= used, sorted(wanted - used)


def test_london_gains_use_the_london_family(night_2022):
    barnet = night_2022.desk.story("council:barnet")
    assert barnet.template.startswith("council-gain-london/")
    assert "London" in barnet.headline + barnet.lede
    # outside London the general family is used
    assert night_2022.desk.story("council:kingston-upon-hull").template.startswith("council-gain/")


# -- house style -------------------------------------------------------------------------------
def test_headlines_and_ledes_within_limits(request):
    for r in _both(request):
        if r.lede is None:
            continue
        assert len(r.headline) <= 72, (r.phrasing, r.headline)
        assert not r.headline.endswith("."), (r.phrasing, r.headline)
        assert len(r.lede.split()) <= 35, (r.phrasing, r.lede)


def test_no_apostrophe_s_after_a_plural_name(request):
    for r in _both(request):
        for text in filter(None, [r.headline, *r.prose]):
            for name in r.names():
                text = text.replace(name, "NAME")
            assert not PLURAL_POSSESSIVE.search(text), (r.phrasing, text)


def test_numbers_under_ten_in_words(request):
    for r in _both(request):
        for text in filter(None, [r.headline, *r.prose]):
            for name in r.names():
                text = text.replace(name, "NAME")
            assert not SMALL_FIGURE.search(text), (r.phrasing, text)


def test_thousands_take_commas(rendered_2022):
    texts = " ".join(p for r in rendered_2022 for p in r.prose)
    assert "1,156 of the seats compared" in texts  # Labour in London (every London council can be compared)
    assert not re.search(r"\b\d{4,}\s+(votes|councillors|seats)\b", texts)


def test_control_settled_is_provisional(request):
    for r in _both(request):
        if r.phrasing.startswith("control-settled/"):
            assert "on course to" in r.lede, r.lede
            assert re.search(r"\b\w+ of the \w+ seats\b", r.lede), r.lede


def test_council_stories_are_three_to_six_paragraphs(request):
    desks = [request.getfixturevalue("demo_night").desk]
    if (LE2022 / "councils.csv").exists():
        desks.append(request.getfixturevalue("night_2022").desk)
    for desk in desks:
        for story in desk.current():
            if story.kind == "council":
                assert 3 <= len(story.paragraphs) <= 6, (story.id, story.paragraphs)
            if story.kind == "ward":
                assert len(sentences(story.lede)) <= 2, story.lede


# -- the 2022 night's councils -----------------------------------------------------------------
def test_barnet(night_2022):
    story = night_2022.desk.story("council:barnet")
    text = story.text()
    assert story.headline.startswith("Labour")
    assert "from the Conservatives" in story.headline + " " + story.lede
    assert "41 of the 63 seats" in text
    assert re.search(r"Labour gained 16 seats|gaining 16", text)
    assert "first time" in text
    # every phrasing of the family that leads it says the same
    for r in night_2022_rendered(night_2022, "council-gain:barnet"):
        whole = " ".join([r.headline, *r.prose])
        assert "from the Conservatives" in whole and "41 of the 63 seats" in whole, r.phrasing
        assert "Labour gained 16 seats" in whole, r.phrasing


def test_hull(night_2022):
    story = night_2022.desk.story("council:kingston-upon-hull")
    text = story.text()
    assert "Labour has lost control of Kingston upon Hull to the Liberal Democrats" in text
    assert "a third of" in text.lower()
    for r in night_2022_rendered(night_2022, "council-gain:kingston-upon-hull"):
        whole = " ".join(r.prose)
        assert "Labour has lost control of Kingston upon Hull to the Liberal Democrats" in whole, r.phrasing
        assert "a third of" in whole.lower(), r.phrasing


def test_every_council_gain_phrasing_says_who_lost_control_to_whom(request):
    for r in _both(request):
        f = r.event.facts
        if r.phrasing.startswith("council-gain") and r.lede is not None and f.get("loser"):
            assert re.search(r"lost control of .+ to ", " ".join(r.body)), (r.phrasing, r.body)


@pytest.mark.parametrize("slug", ["cumberland", "somerset"])
def test_new_councils_never_say_gain(night_2022, slug):
    versions = night_2022.desk.versions[f"council:{slug}"]
    assert versions
    for story in versions:
        assert "gain" not in story.text().lower(), (story.id, story.version)
    for r in night_2022_rendered(night_2022, f"new-council:{slug}"):
        assert "gain" not in " ".join([r.headline, *r.prose]).lower(), r.phrasing


def test_westminster_notes_the_smaller_council(night_2022):
    assert "cut from 60 to 54 seats" in night_2022.desk.story("council:westminster").text()


def test_every_2022_council_has_a_story(night_2022):
    councils = {s.council for s in night_2022.desk.current() if s.kind == "council"}
    assert councils == set(night_2022.night.councils)


def night_2022_rendered(night, key: str) -> list[Rendered]:
    """Every phrasing rendered for the latest event with this key."""
    events = [e for e in night.events if e.key == key]
    assert events, key
    sub = Replayed(night.night, night.engine, night.desk, [events[-1]])
    return [r for r in render_all(sub) if r.lede is not None]


# -- safe output -------------------------------------------------------------------------------
def test_html_escapes_names_from_the_data(demo_night):
    event = next(e for e in demo_night.events if e.template == "ward-gain" and e.facts["seats"] == 1)
    facts = dict(event.facts)
    hostile = "<script>alert(1)</script>"
    facts["winners"] = [dict(w, name=hostile) for w in facts["winners"]]
    facts["ward"] = "Ward <b>one</b>"
    story = demo_night.desk.drafter.draft("ward:hostile", "ward", [replace(event, facts=facts)])
    assert hostile in story.text()  # the name really is in the story
    html = to_html(story)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in to_markdown(story)


# -- only what the facts support ---------------------------------------------------------------
def _checker_for(r: Replayed):
    from writer.check import FactChecker
    return FactChecker.for_night(r.night.setup, r.desk.drafter.names)


@pytest.mark.parametrize("which", ["demo", pytest.param("2022", marks=pytest.mark.slow)])
def test_every_phrasing_passes_the_fact_check(request, which):
    """Every phrasing, rendered for every event (not only the phrasing chosen), states only
    what its event's facts and the night's context support."""
    from writer.detect.events import materialise

    r = request.getfixturevalue("demo_night" if which == "demo" else "night_2022")
    rendered = request.getfixturevalue("demo_rendered" if which == "demo" else "rendered_2022")
    checker = _checker_for(r)
    disclosure = ("This report was produced automatically from official results and has not yet been "
                  "checked by an editor.")
    context = {"context": [dict(c) for c in r.engine.context]}
    items = [("\n\n".join(filter(None, [x.headline, *x.prose, disclosure])),
              (materialise(x.event.facts), context)) for x in rendered]
    failed = [(x.phrasing, [f.reason for f in res.failures], text)
              for x, (text, _), res in zip(rendered, items, checker.check_many_texts(items)) if not res.ok]
    assert failed == [], failed[:5]
