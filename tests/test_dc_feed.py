"""Democracy Club's results feed as it is (issue 19): YourNextRepresentative's
``/results/all.atom``, newest first, 300 entries a page with RFC 5005 links; a re-saved
ward's new winners with no retraction; retractions read by a fresh process; Every
Election's ward slugs; parties the registry does not know. Feeds are served on 127.0.0.1
(``helpers.FeedServer``: Last-Modified, no ETag)."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner

from conftest import DEMO
from helpers import GOLDSMID, atom, entry, latest_wards, night_entries, put_pages
from writer.cli import main
from writer.night import build
from writer.ingest import load_night
from writer.ingest.dcfeed import ee_slug
from writer.ingest.feeds import FeedPoller

PALLION = "local.greyhaven.pallion.2026-05-07"
OCKLEY = "local.oakhurst.ockley.2026-05-07"
BRINDLE = "local.northmoor.brindle-moor-and-hapton.2026-05-07"


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


def first_version(night, wid):
    return next(d for d in night.declarations if d.id == wid)


# -- 1. paging --------------------------------------------------------------------------------
def test_a_three_page_feed_is_read_whole_on_a_fresh_start(feed_server, night, feed_registry):
    entries = night_entries(night)
    size = -(-len(entries) // 3)  # three pages
    url = put_pages(feed_server, "/results/all.atom", entries, size)
    assert "/results/all.atom?page=3" in feed_server.files and "/results/all.atom?page=4" not in feed_server.files
    poller = FeedPoller(url, night, registry=feed_registry)
    polled = poller.poll()
    assert polled.status == 200 and polled.problems == [] and polled.pending == []
    assert polled.entries == len(entries)
    assert sorted(d.id for d in polled.declarations) == sorted(latest_wards(night))
    assert [p for p, _, _ in feed_server.requests] == ["/results/all.atom", "/results/all.atom?page=2",
                                                       "/results/all.atom?page=3"]
    goldsmid = next(d for d in polled.declarations if d.id == GOLDSMID)  # its retraction is on another page
    assert [c.name for c in goldsmid.candidates] == ["Underhill R."]

    # a new entry: the first page holds entries already read, so no older page is fetched
    pallion = latest_wards(night)[PALLION]
    late = replace(entry(900, pallion, "Obi C.", "Lab", at=pallion.declared_at + timedelta(hours=3)),
                   id="https://results.test/#900", person_id="77")
    put_pages(feed_server, "/results/all.atom", entries + [late], size)
    feed_server.requests.clear()
    again = poller.poll()
    assert [p for p, _, _ in feed_server.requests] == ["/results/all.atom"] and again.entries == 1

    # a restart: a new poller follows every next link again
    feed_server.requests.clear()
    fresh = FeedPoller(url, night, registry=feed_registry).poll()
    assert [p for p, _, _ in feed_server.requests] == ["/results/all.atom", "/results/all.atom?page=2",
                                                       "/results/all.atom?page=3"]
    assert fresh.entries == len(entries) + 1


# -- 2. a corrected winner without a retraction -------------------------------------------------
def test_a_corrected_winner_without_a_retraction_is_a_correction(feed_server, night, feed_registry):
    first = first_version(night, GOLDSMID)  # Emmott (Lab) at 12:05
    later = latest_wards(night)[GOLDSMID]  # Underhill (Con) at 12:55
    emmott = entry(1, first, "Emmott R.", "Lab")
    url = feed_server.put("/f.atom", atom([emmott]))
    poller = FeedPoller(url, night, registry=feed_registry)
    engine, _ = build(night)
    assert engine.apply(poller.poll().declarations[0]).outcome == "new"
    underhill = entry(2, later, "Underhill R.", "Con")  # re-saved: no retraction of Emmott
    feed_server.put("/f.atom", atom([emmott, underhill]))
    polled = poller.poll()
    (decl,) = polled.declarations
    assert [(c.name, c.party) for c in decl.candidates] == [("Underhill R.", "Con")]
    assert decl.declared_at == later.declared_at
    assert engine.apply(decl).outcome == "correction"
    assert {r.slug: r for r in engine.council_results()}["ashcombe"].seats_won == {"Con": 1}
    corrected = ("corrects Goldsmid (Ashcombe) without a retraction: the winners recorded later "
                 "(Underhill R. (Con)) replace the earlier ones (Emmott R. (Lab)); the ward is re-issued "
                 "as a correction")
    assert [(p.entry, p.message) for p in polled.problems] == [(underhill.id, corrected)]
    # a fresh poller arrives at the same winner
    (fresh,) = FeedPoller(url, night, registry=feed_registry).poll().declarations
    assert fresh.content_digest() == decl.content_digest()


def test_a_multi_member_wards_new_set_replaces_the_old_once_complete(feed_server, night, feed_registry):
    ockley = latest_wards(night)[OCKLEY]
    winners = [c for c in ockley.candidates if c.elected]
    old = [entry(i, ockley, c.name, c.party) for i, c in enumerate(winners, start=1)]
    at = ockley.declared_at + timedelta(minutes=20)
    # re-saved: two of the same winners and one new one, each recorded again
    new = [entry(4, ockley, winners[0].name, winners[0].party, at=at, person_id=old[0].person_id),
           entry(5, ockley, "Newcomer N.", "Green", at=at + timedelta(seconds=1)),
           entry(6, ockley, winners[2].name, winners[2].party, at=at + timedelta(seconds=2),
                 person_id=old[2].person_id)]
    url = feed_server.put("/f.atom", atom(old + new[:2]))
    poller = FeedPoller(url, night, registry=feed_registry)
    polled = poller.poll()
    assert [[c.name for c in d.candidates] for d in polled.declarations] == [[c.name for c in winners]]
    feed_server.put("/f.atom", atom(old + new))
    polled = poller.poll()
    assert [[c.name for c in d.candidates] for d in polled.declarations] == [
        [winners[0].name, "Newcomer N.", winners[2].name]]
    assert len(polled.problems) == 1 and "without a retraction" in polled.problems[0].message


# -- 3. retractions after a restart -------------------------------------------------------------
@pytest.mark.slow  # whole-night run in a fresh process
def test_retractions_are_honoured_by_a_fresh_process(feed_server, night, tmp_path):
    first = first_version(night, GOLDSMID)
    emmott = entry(1, first, "Emmott R.", "Lab")
    url = feed_server.put("/results/all.atom", atom([emmott]))
    args = ["poll", url, "--night", str(DEMO), "--database", str(tmp_path / "w.db"), "--once"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{GOLDSMID}\tnew"]
    gone = replace(emmott, id="https://results.test/#2", retraction=1,
                   at=(first.declared_at + timedelta(minutes=10)).isoformat())
    feed_server.put("/results/all.atom", atom([emmott, gone]))
    result = CliRunner().invoke(main, args)  # a new process: nothing in memory
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{GOLDSMID}\tcorrection"]
    result = CliRunner().invoke(main, args)  # and again: nothing more to do
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{GOLDSMID}\tseen"] or result.stdout.strip() == ""

    from writer.store import Pipeline, open_store
    store = open_store(str(tmp_path / "w.db"))
    try:
        engine = Pipeline(store, lambda: build(night)).engine
        assert engine.declarations[GOLDSMID].withdrawn
        ashcombe = {r.slug: r for r in engine.council_results()}["ashcombe"]
        assert (ashcombe.seats_declared, ashcombe.wards_declared) == (0, 0)
    finally:
        store.close()


def test_a_store_declaration_not_from_the_feed_is_left_alone(feed_server, night, feed_registry):
    """Only wards the store holds from this feed are re-issued below their seats: one
    declared by the results file or the API is not replaced by a feed's partial winners."""
    ockley = latest_wards(night)[OCKLEY]
    winner = next(c for c in ockley.candidates if c.elected)
    url = feed_server.put("/f.atom", atom([entry(1, ockley, winner.name, winner.party)]))
    polled = FeedPoller(url, night, registry=feed_registry, standing=lambda: {OCKLEY: ockley}).poll()
    assert polled.declarations == [] and [p.declaration_id for p in polled.pending] == [OCKLEY]


# -- 4. ward matching ----------------------------------------------------------------------------
def test_every_elections_slugs_match_wards_named_with_and(feed_server, night, feed_registry):
    brindle = latest_wards(night)[BRINDLE]  # "Brindle Moor and Hapton" in the night
    winner = next(c for c in brindle.candidates if c.elected)
    e = replace(entry(1, brindle, winner.name, winner.party), post_id=ee_slug("Brindle Moor & Hapton"),
                post_name="Brindle Moor & Hapton")
    assert e.post_id == "brindle-moor-hapton"
    polled = FeedPoller(feed_server.put("/f.atom", atom([e])), night, registry=feed_registry).poll()
    assert polled.problems == [] and [d.id for d in polled.declarations] == [BRINDLE]


def test_a_close_name_is_matched_and_reported_a_far_one_refused(feed_server, night, feed_registry):
    brindle = latest_wards(night)[BRINDLE]
    winner = next(c for c in brindle.candidates if c.elected)
    close = replace(entry(1, brindle, winner.name, winner.party), post_id="brindle-moors-hapton",
                    post_name="Brindle Moors & Hapton")
    far = replace(entry(2, brindle, "Someone S.", "Lab"), post_id="hapton", post_name="Hapton")
    polled = FeedPoller(feed_server.put("/f.atom", atom([close, far])), night, registry=feed_registry).poll()
    assert [d.id for d in polled.declarations] == [BRINDLE]
    assert [(p.entry, p.field) for p in polled.problems] == [(far.id, "post_id"), (close.id, "post_id")]
    assert "matches no ward of Northmoor" in polled.problems[0].message
    assert "is taken to be ward 'Brindle Moor and Hapton' by a close name" in polled.problems[1].message
    assert "an editor must check it" in polled.problems[1].message


def test_a_nights_dc_ward_slug_column_matches_first(feed_server, feed_registry, tmp_path):
    night_dir = tmp_path / "night"
    shutil.copytree(DEMO, night_dir)
    path = night_dir / "results" / "wards.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["dc_ward_slug"] = "pallion-old-town" if row["ward"] == "Pallion" else ""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    night = load_night(night_dir)
    assert night.dc_ward_slugs == {("greyhaven", "pallion-old-town"): "Pallion"}
    pallion = latest_wards(night)[PALLION]
    e = replace(entry(1, pallion, "Obi C.", "Lab"), post_id="pallion-old-town", post_name="Pallion Old Town")
    polled = FeedPoller(feed_server.put("/f.atom", atom([e])), night, registry=feed_registry).poll()
    assert polled.problems == [] and [d.id for d in polled.declarations] == [PALLION]


# -- 5. parties -----------------------------------------------------------------------------------
def test_an_unknown_party_is_kept_as_other_and_flagged(feed_server, night, feed_registry):
    pallion = latest_wards(night)[PALLION]
    e = replace(entry(1, pallion, "Obi C.", "Lab"), party_id="party:424242", party_name="Monster Raving Loony")
    polled = FeedPoller(feed_server.put("/f.atom", atom([e])), night, registry=feed_registry).poll()
    (decl,) = polled.declarations
    assert [(c.name, c.party) for c in decl.candidates] == [("Obi C.", "Other (Monster Raving Loony)")]
    assert [(p.entry, p.field) for p in polled.problems] == [(e.id, "winner_party_id")]
    assert "kept as 'Other (Monster Raving Loony)': an editor must check it" in polled.problems[0].message
    engine, _ = build(night)
    assert engine.apply(decl).outcome == "new"
    greyhaven = {r.slug: r for r in engine.council_results()}["greyhaven"]
    assert greyhaven.seats_won.get("Other (Monster Raving Loony)") == 1
