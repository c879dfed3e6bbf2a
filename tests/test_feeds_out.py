"""Feeds out: RSS and Atom of published stories (writer/publish/feeds.py) served with
conditional GET by writer/web/feeds.py. Items are built directly from the demo night's
drafted stories; the router is mounted in a bare FastAPI app."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
feedparser = pytest.importorskip("feedparser")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from conftest import DEMO, RULES  # noqa: E402
from writer.compare.tally import load_groups  # noqa: E402
from writer.night import draft_night  # noqa: E402
from writer.publish.feeds import (AUTO_NOTE, NIGHT_LIMIT, SCOPED_LIMIT, FeedItem, FeedSpec,  # noqa: E402
                                  build_atom, build_rss, item_from_story, item_id, night_names, select,
                                  slugify)
from writer.web.feeds import ATOM_TYPE, RSS_TYPE, StaticSource, feeds_router  # noqa: E402

BASE = "https://results.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2026, 5, 7, 22, 0, tzinfo=timezone.utc)
HOSTILE = "<script>alert('x')</script> & \"quotes\" ]]> <![CDATA[ \x00\x0b\x1f end \u2603 \U0001F5F3"
HOSTILE_CLEAN = "<script>alert('x')</script> & \"quotes\" ]]> <![CDATA[  end \u2603 \U0001F5F3"


@pytest.fixture(scope="module")
def night_items():
    """Every latest story version of the demo night as a published item (a retracted story gives
    its story item and its retraction), one minute apart; and the night's names."""
    night, _engine, desk = draft_night(DEMO)
    councils, regions, groups = night_names(night, load_groups(RULES / "groups.yaml"))
    items = []
    for n, story in enumerate(desk.feed):
        at = T0 + timedelta(minutes=n)
        first = desk.versions[story.id][0]
        items.append(item_from_story(story, published=T0 + timedelta(minutes=desk.feed.index(first)),
                                     updated=at, council_name=councils.get(story.council)))
    return night, items, (councils, regions, groups)


@pytest.fixture()
def served(night_items):
    night, items, (councils, regions, groups) = night_items
    source = StaticSource(BASE, night.election.id, night.election.name, councils, regions, groups)
    source.set_items(items)
    app = FastAPI()
    app.include_router(feeds_router(source))
    return source, TestClient(app, base_url=BASE)


def every_feed_url(source) -> list[str]:
    urls = ["/feeds/night.rss", "/feeds/night.atom"]
    for scope, names in (("council", source.councils), ("region", source.regions), ("group", source.groups)):
        for slug in names:
            urls += [f"/feeds/{scope}/{slug}.xml", f"/feeds/{scope}/{slug}.atom"]
    return urls


def entries_by_id(client, url) -> dict:
    parsed = feedparser.parse(client.get(url).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {e.id: e for e in parsed.entries}


# -- validity and required elements ---------------------------------------------------------------
def test_every_feed_parses_with_no_bozo_and_the_right_type(served):
    source, client = served
    urls = every_feed_url(source)
    assert len(urls) > 40
    nonempty = 0
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"] == (ATOM_TYPE if url.endswith(".atom") else RSS_TYPE), url
        parsed = feedparser.parse(r.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.version == ("atom10" if url.endswith(".atom") else "rss20"), url
        nonempty += bool(parsed.entries)
    assert nonempty > 30  # most feeds of the night hold something


def test_rss_has_every_required_element(served):
    source, client = served
    for url in [u for u in every_feed_url(source) if not u.endswith(".atom")]:
        channel = ET.fromstring(client.get(url).content).find("channel")
        for tag in ("title", "link", "description"):
            assert (channel.findtext(tag) or "").strip(), (url, tag)
        self_link = channel.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None and self_link.get("href") == BASE + url
        for item in channel.findall("item"):
            for tag in ("title", "link", "guid", "pubDate", "description"):
                assert (item.findtext(tag) or "").strip(), (url, tag)
            assert item.find("guid").get("isPermaLink") == "false"
            assert item.findtext("link").startswith(BASE + "/feeds/story/")


def test_atom_has_every_required_element(served):
    source, client = served
    for url in [u for u in every_feed_url(source) if u.endswith(".atom")]:
        feed = ET.fromstring(client.get(url).content)
        for tag in ("id", "title", "updated"):
            assert (feed.findtext(ATOM + tag) or "").strip(), (url, tag)
        assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE + url
        assert feed.find(f"{ATOM}author/{ATOM}name").text
        for entry in feed.findall(ATOM + "entry"):
            for tag in ("id", "title", "updated", "published"):
                assert (entry.findtext(ATOM + tag) or "").strip(), (url, tag)
            assert entry.find(ATOM + "link").get("href").startswith(BASE + "/feeds/story/")
            assert (entry.findtext(ATOM + "content") or entry.findtext(ATOM + "summary") or "").strip()
            assert entry.find(f"{ATOM}content").get("type") == "html"
            assert entry.find(f"{ATOM}author/{ATOM}name").text


def test_feeds_are_newest_first_and_hold_their_scope(served, night_items):
    source, client = served
    parsed = feedparser.parse(client.get("/feeds/night.atom").content)
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    barnet_like = next(slug for slug in source.councils
                       if any(i.council == slug for i in night_items[1]))
    council = feedparser.parse(client.get(f"/feeds/council/{barnet_like}.xml").content)
    assert council.entries
    assert all(any(t.term == source.councils[barnet_like] for t in e.tags) for e in council.entries)
    group = feedparser.parse(client.get("/feeds/group/red-wall.atom").content)
    titles = [e.title for e in group.entries]
    assert any("Red Wall" in t for t in titles)  # the group's own story
    assert len(group.entries) > 1


def test_item_links_resolve_to_the_published_story(served):
    source, client = served
    entry = feedparser.parse(client.get("/feeds/night.atom").content).entries[0]
    page = client.get(entry.link.removeprefix(BASE))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<article" in page.text
    assert client.get("/feeds/story/council%3Anowhere").status_code == 404


# -- ids, corrections and retractions -------------------------------------------------------------
def test_a_correction_updates_the_same_item_with_a_visible_line(served, night_items):
    source, client = served
    items = night_items[1]
    council = next(i for i in items if i.story_id.startswith("council:") and i.kind == "story")
    url = f"/feeds/council/{council.council}.atom"
    before = entries_by_id(client, url)
    rss_before = {e.id for e in feedparser.parse(client.get(f"/feeds/council/{council.council}.xml").content).entries}
    ident = item_id(source.election_id, council.story_id)
    assert ident in before and ident in rss_before
    assert "Correction" not in before[ident].content[0].value

    corrected = replace(council, version=council.version + 1, updated=T0 + timedelta(hours=20),
                        correction="An earlier version gave Labour 18 seats; they won 17.",
                        html=council.html.replace("</h1>", " (corrected)</h1>", 1))
    source.set_items(items + [corrected])
    after = entries_by_id(client, url)
    assert set(after) == set(before)  # the same ids: updated in place, not a new item
    entry = after[ident]
    assert entry.updated_parsed > before[ident].updated_parsed
    assert entry.published_parsed == before[ident].published_parsed
    content = entry.content[0].value
    assert content.index("Correction:") < content.index("<article")  # at the top
    assert "they won 17" in content and "they won 17" in entry.summary
    assert entry.title.startswith("Corrected: ")
    assert list(after)[0] == ident  # updated, so newest first
    rss_after = feedparser.parse(client.get(f"/feeds/council/{council.council}.xml").content)
    assert {e.id for e in rss_after.entries} == rss_before
    assert "they won 17" in next(e for e in rss_after.entries if e.id == ident).description


def test_a_retraction_is_its_own_item_with_its_own_stable_id(served, night_items):
    source, client = served
    items = night_items[1]
    story = next(i for i in items if i.story_id.startswith("ward:") and i.kind == "story"
                 and not any(j.story_id == i.story_id and j.kind == "retraction" for j in items))
    url = f"/feeds/council/{story.council}.atom"
    before = entries_by_id(client, url)
    retraction = replace(story, kind="retraction", version=story.version + 1,
                         published=T0 + timedelta(hours=21), updated=T0 + timedelta(hours=21))
    source.set_items(items + [retraction])
    after = entries_by_id(client, url)
    story_id, retraction_id = item_id(source.election_id, story.story_id), item_id(
        source.election_id, story.story_id, "retraction")
    assert story_id != retraction_id
    assert retraction_id not in before and retraction_id in after
    assert story_id in after  # the story's item stays; the retraction sits beside it
    assert set(after) - set(before) == {retraction_id}
    assert after[retraction_id].title.startswith("Retracted: ")
    assert "Retracted:" in after[retraction_id].content[0].value
    # published again (the same retraction, a later version): still one retraction item, same id
    source.set_items(items + [retraction, replace(retraction, version=retraction.version + 1,
                                                  updated=T0 + timedelta(hours=22))])
    again = entries_by_id(client, url)
    assert set(again) == set(after)
    # the demo night's own retraction (a corrected ward) is there too
    demo_retractions = [i for i in items if i.kind == "retraction"]
    assert demo_retractions
    night = entries_by_id(client, "/feeds/night.rss")
    assert item_id(source.election_id, demo_retractions[0].story_id, "retraction") in night


def test_ids_do_not_depend_on_the_version_or_the_host():
    a = item_id("local.2022-05-05", "council:barnet")
    assert a == item_id("local.2022-05-05", "council:barnet", "story")
    assert a.startswith("urn:uuid:")
    assert a != item_id("local.2026-05-07", "council:barnet")  # another election
    assert a != item_id("local.2022-05-05", "council:barnet", "retraction")


def test_auto_published_items_say_so(served, night_items):
    source, client = served
    items = night_items[1]
    ward = next(i for i in items if i.story_id.startswith("ward:") and i.kind == "story")
    auto = replace(ward, version=ward.version + 1, auto=True, updated=T0 + timedelta(hours=23))
    source.set_items(items + [auto])
    entry = entries_by_id(client, f"/feeds/council/{ward.council}.atom")[item_id(source.election_id, ward.story_id)]
    assert AUTO_NOTE in entry.content[0].value and AUTO_NOTE in entry.summary
    assert any(t.term == "auto-published" for t in entry.tags)


# -- hostile text ---------------------------------------------------------------------------------
def hostile_item(n: int = 0) -> FeedItem:
    at = T0 + timedelta(minutes=n)
    return FeedItem(story_id=f"council:evil{n}", kind="story", version=1, title=f"{HOSTILE} {n}",
                    summary=HOSTILE, html="<p>&lt;b&gt;escaped&lt;/b&gt; \x0c form feed</p>",
                    council="evil", council_name=HOSTILE, region=HOSTILE, groups=("evil-group",),
                    published=at, updated=at, correction=HOSTILE, auto=False)


def test_hostile_strings_are_escaped_and_parse_cleanly():
    items = [hostile_item(n) for n in range(3)]
    spec = FeedSpec(title=HOSTILE, self_link=BASE + "/feeds/council/evil.atom", scope="council", key="evil",
                    election="local.2026-05-07", description=HOSTILE)
    for build in (build_rss, build_atom):
        body = build(spec, select(items, "council", "evil"), BASE)
        assert b"<script>" not in body and b"\x00" not in body and b"\x0b" not in body
        ET.fromstring(body)  # well-formed
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.feed.title == HOSTILE_CLEAN
        one_line = " ".join(HOSTILE_CLEAN.split())  # item titles are one line
        assert [e.title for e in parsed.entries] == [f"Corrected: {one_line} {n}" for n in (2, 1, 0)]
        # the summary is text: the reader sees the markup characters, not markup (RSS's
        # description is HTML, so there the text arrives escaped once more)
        summary = parsed.entries[0].summary_detail
        if build is build_atom:
            assert summary.type == "text/plain" and summary.value == f"Correction: {HOSTILE_CLEAN} {HOSTILE_CLEAN}"
        else:
            assert summary.type == "text/html" and "&lt;script&gt;alert" in summary.value
            assert "<script" not in summary.value


def test_hostile_names_through_the_router():
    region = slugify(HOSTILE)
    source = StaticSource(BASE, "local.2026-05-07", HOSTILE, {"evil": HOSTILE}, {region: HOSTILE},
                          {"evil-group": HOSTILE})
    source.set_items([hostile_item(n) for n in range(2)])
    app = FastAPI()
    app.include_router(feeds_router(source))
    client = TestClient(app, base_url=BASE)
    for url in ("/feeds/night.rss", "/feeds/night.atom", "/feeds/council/evil.xml", "/feeds/council/evil.atom",
                f"/feeds/region/{region}.xml", "/feeds/group/evil-group.atom"):
        r = client.get(url)
        assert r.status_code == 200 and b"<script>" not in r.content, url
        parsed = feedparser.parse(r.content)
        assert not parsed.bozo and len(parsed.entries) == 2, url
    index = client.get("/feeds/")
    assert index.status_code == 200 and "<script>" not in index.text
    assert client.get("/feeds/index.json").json()["councils"][0]["name"] == HOSTILE


# -- limits and selection -------------------------------------------------------------------------
def test_select_keeps_the_latest_version_and_limits_apply():
    items = []
    for n in range(NIGHT_LIMIT + 30):
        base = replace(hostile_item(n), title=f"Story {n}", council="c" if n % 2 else "d", correction=None)
        items.append(base)
        items.append(replace(base, version=2, updated=base.updated + timedelta(seconds=30), title=f"Story {n} v2"))
    chosen = select(items, "night")
    assert len(chosen) == NIGHT_LIMIT + 30 and all(i.version == 2 for i in chosen)
    spec = FeedSpec("t", BASE + "/feeds/night.rss", "night", None, "e")
    assert len(feedparser.parse(build_rss(spec, chosen, BASE)).entries) == NIGHT_LIMIT
    scoped = FeedSpec("t", BASE + "/feeds/council/c.atom", "council", "c", "e")
    parsed = feedparser.parse(build_atom(scoped, select(items, "council", "c"), BASE))
    assert len(parsed.entries) == SCOPED_LIMIT
    assert parsed.entries[0].title == f"Story {NIGHT_LIMIT + 29} v2"


def test_an_empty_feed_is_valid():
    spec = FeedSpec("Nothing yet", BASE + "/feeds/night.atom", "night", None, "local.2026-05-07")
    for build in (build_rss, build_atom):
        parsed = feedparser.parse(build(spec, [], BASE))
        assert not parsed.bozo and parsed.entries == []


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        replace(hostile_item(), updated=datetime(2026, 5, 8, 1, 0))


# -- HTTP: conditional GET, caching, 404 ----------------------------------------------------------
def test_a_repeated_conditional_get_is_a_304(served):
    source, client = served
    for url in ("/feeds/night.rss", "/feeds/night.atom", "/feeds/council/northmoor.xml",
                "/feeds/region/london.atom", "/feeds/group/red-wall.xml"):
        first = client.get(url)
        assert first.status_code == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert first.headers["cache-control"].startswith("public, max-age=")
        by_etag = client.get(url, headers={"If-None-Match": etag})
        assert by_etag.status_code == 304 and by_etag.content == b"" and by_etag.headers["etag"] == etag
        assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        by_date = client.get(url, headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304
        later = format_datetime(datetime(2030, 1, 1, tzinfo=timezone.utc), usegmt=True)
        assert client.get(url, headers={"If-Modified-Since": later}).status_code == 304
        earlier = format_datetime(T0 - timedelta(days=1), usegmt=True)
        assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        # If-None-Match wins over If-Modified-Since
        assert client.get(url, headers={"If-None-Match": '"stale"', "If-Modified-Since": modified}).status_code == 200
        assert client.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
        again = client.get(url)
        assert again.content == first.content and again.headers["etag"] == etag
        assert client.head(url).headers["etag"] == etag


def test_a_change_gives_a_200_with_a_new_etag(served, night_items):
    source, client = served
    items = night_items[1]
    url, other = "/feeds/council/northmoor.atom", "/feeds/council/ashcombe.xml"
    first, first_other = client.get(url), client.get(other)
    item = next(i for i in items if i.council == "northmoor" and i.kind == "story")
    later = T0 + timedelta(days=1)
    source.set_items(items + [replace(item, version=item.version + 1, updated=later, correction="Fixed.")])
    changed = client.get(url, headers={"If-None-Match": first.headers["etag"],
                                        "If-Modified-Since": first.headers["last-modified"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert changed.headers["last-modified"] == format_datetime(later, usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 200
    assert client.get(url, headers={"If-None-Match": changed.headers["etag"]}).status_code == 304
    # a feed the change did not touch keeps its ETag: its readers still get 304s
    assert client.get(other, headers={"If-None-Match": first_other.headers["etag"]}).status_code == 304


def test_a_feed_that_changes_without_a_newer_item_moves_last_modified_on(served, night_items):
    source, client = served
    items = night_items[1]
    url = "/feeds/council/northmoor.xml"
    first = client.get(url)
    newest = max((i for i in items if i.council == "northmoor"), key=lambda i: i.updated)
    source.set_items([i for i in items if i is not newest])  # taken down, no newer item
    r = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert r.status_code == 200 and r.headers["etag"] != first.headers["etag"]


def test_renderings_are_cached_per_stamp(served, monkeypatch):
    source, client = served
    calls = []
    real = source.items
    monkeypatch.setattr(source, "items", lambda: calls.append(1) or real())
    source.set_items(source.published)  # a new stamp
    for _ in range(5):
        client.get("/feeds/night.atom")
        client.get("/feeds/council/northmoor.xml")
    assert len(calls) == 1  # items fetched once per stamp; feeds rendered once


def test_unknown_council_region_or_group_is_a_clear_404(served):
    source, client = served
    for url in ("/feeds/council/atlantis.xml", "/feeds/council/atlantis.atom", "/feeds/region/mars.xml",
                "/feeds/group/nowhere.atom"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "no " in r.text.lower() and "/feeds/" in r.text


def test_feeds_are_public_and_indexed(served):
    source, client = served
    index = client.get("/feeds/index.json").json()
    assert index["night"]["rss"] == BASE + "/feeds/night.rss"
    assert {c["slug"] for c in index["councils"]} == set(source.councils)
    assert {g["slug"] for g in index["groups"]} == set(source.groups)
    page = client.get("/feeds/")
    assert page.status_code == 200
    assert 'type="application/atom+xml"' in page.text and "/feeds/council/northmoor.xml" in page.text
