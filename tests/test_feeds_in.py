"""Results feeds in: Democracy Club-shaped feeds (YourNextRepresentative's /results/all.atom:
Atom, newest first, paged), written here from the demo night and served on 127.0.0.1, become
declarations that give the night's seats and control."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner

from conftest import DEMO, RULES
from writer.cli import main
from writer.night import build
from writer.ingest import load_night
from helpers import DEMO_FEED_PARTIES, GOLDSMID, atom, entry, latest_wards, night_entries, registry_with
from writer.identity import default_registry
from writer.ingest.dcfeed import FeedParties
from writer.ingest.feeds import FeedPoller


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


def results(engine) -> dict[str, tuple]:
    return {r.slug: (r.seats_won, r.seat_change, r.control_after, r.seats_declared, r.wards_declared,
                     r.status, r.composition_after) for r in engine.council_results()}


# -- the tests ----------------------------------------------------------------------------------
def test_feed_entries_give_the_nights_seats_and_control(feed_server, night, feed_registry):
    url = feed_server.put("/results/all.atom", atom(night_entries(night)))
    with FeedPoller(url, night, registry=feed_registry) as poller:
        polled = poller.poll()
    assert polled.status == 200 and polled.problems == [] and polled.pending == []
    wards = latest_wards(night)
    assert sorted(d.id for d in polled.declarations) == sorted(wards)
    assert all(not d.has_votes and all(c.votes is None and c.elected for c in d.candidates)
               for d in polled.declarations)
    goldsmid = next(d for d in polled.declarations if d.id == GOLDSMID)
    assert [(c.name, c.party) for c in goldsmid.candidates] == [("Underhill R.", "Con")]

    from_feed, _ = build(night)
    for d in polled.declarations:
        assert from_feed.apply(d).outcome == "new"
    from_csv, _ = build(night)
    from_csv.apply_all(wards.values())  # the same wards with votes, no council totals
    assert results(from_feed) == results(from_csv)
    # and something to compare: every council's seats are all in
    assert all(r.seats_declared == r.seats_up for r in from_feed.council_results())
    assert {r.slug: r.control_after for r in from_feed.council_results()}["kingsford"] == \
        {r.slug: r.control_after for r in from_csv.council_results()}["kingsford"]


def test_multi_member_ward_waits_for_its_seats(feed_server, night, feed_registry):
    ockley = latest_wards(night)["local.oakhurst.ockley.2026-05-07"]
    winners = [c for c in ockley.candidates if c.elected]
    assert len(winners) == 3 == ockley.seats
    entries = [entry(i, ockley, c.name, c.party) for i, c in enumerate(winners, start=1)]
    url = feed_server.put("/f.atom", atom(entries[:2]))
    poller = FeedPoller(url, night, registry=feed_registry)
    polled = poller.poll()
    assert polled.declarations == []
    assert [(p.declaration_id, p.winners, p.seats) for p in polled.pending] == [(ockley.id, 2, 3)]
    feed_server.put("/f.atom", atom(entries))
    polled = poller.poll()
    assert [d.id for d in polled.declarations] == [ockley.id]
    assert [c.name for c in polled.declarations[0].candidates] == [c.name for c in winners]
    assert polled.pending == []


def test_a_retraction_corrects_the_ward(feed_server, night, feed_registry):
    wards = latest_wards(night)
    first = next(d for d in night.declarations if d.id == GOLDSMID)  # Emmott (Lab) at 12:05
    later = wards[GOLDSMID]  # Underhill (Con) at 12:55
    emmott = entry(1, first, "Emmott R.", "Lab")
    url = feed_server.put("/f.atom", atom([emmott]))
    poller = FeedPoller(url, night, registry=feed_registry)
    engine, desk = build(night)
    polled = poller.poll()
    assert [(d.id, d.candidates[0].party) for d in polled.declarations] == [(GOLDSMID, "Lab")]
    applied = engine.apply(polled.declarations[0])
    assert applied.outcome == "new"
    assert any(e.rule == "ward-gain" and e.status == "new" for e in applied.events)
    desk.apply(applied.events)

    retract = replace(emmott, id="https://results.test/#2", at=later.declared_at.isoformat(), retraction=1)
    underhill = entry(3, later, "Underhill R.", "Con")
    feed_server.put("/f.atom", atom([emmott, retract, underhill]))
    polled = poller.poll()
    assert polled.problems == []
    assert len(polled.declarations) == 1
    decl = polled.declarations[0]
    assert (decl.id, [(c.name, c.party) for c in decl.candidates]) == (GOLDSMID, [("Underhill R.", "Con")])
    assert decl.declared_at == later.declared_at
    applied = engine.apply(decl)
    assert applied.outcome == "correction"
    assert [(e.rule, e.status) for e in applied.events if e.scope == "ward"] == [("ward-gain", "retracted")]
    ashcombe = {r.slug: r for r in engine.council_results()}["ashcombe"]
    assert ashcombe.seats_won == {"Con": 1}

    # every winner retracted: the ward is re-issued withdrawn, and counts as undeclared
    gone = replace(underhill, id="https://results.test/#4", at=(later.declared_at + timedelta(minutes=5)).isoformat(),
                   retraction=1)
    feed_server.put("/f.atom", atom([emmott, retract, underhill, gone]))
    polled = poller.poll()
    assert [(d.id, d.candidates, d.withdrawn, d.has_votes) for d in polled.declarations] == \
        [(GOLDSMID, (), True, False)]
    assert engine.apply(polled.declarations[0]).outcome == "correction"
    ashcombe = {r.slug: r for r in engine.council_results()}["ashcombe"]
    assert (ashcombe.seats_won, ashcombe.seats_declared, ashcombe.wards_declared) == ({}, 0, 0)


def test_a_ward_back_to_its_first_result_is_a_correction(feed_server, night, feed_registry):
    """A, then B, then A again: a later entry that restores the first result (a recount) is
    declared at its own time, and the engine takes it as a correction. A ward that goes back
    only because an entry was taken out of the feed keeps the later result, and says so."""
    wards = latest_wards(night)
    first = next(d for d in night.declarations if d.id == GOLDSMID)  # Emmott (Lab) at 12:05
    later = wards[GOLDSMID]  # Underhill (Con) at 12:55
    emmott = entry(1, first, "Emmott R.", "Lab")
    retract = replace(emmott, id="https://results.test/#2", at=later.declared_at.isoformat(), retraction=1)
    underhill = entry(3, later, "Underhill R.", "Con")
    url = feed_server.put("/f.atom", atom([emmott]))
    poller = FeedPoller(url, night, registry=feed_registry)
    engine, _ = build(night)
    declared = poller.poll().declarations[0]
    assert engine.apply(declared).outcome == "new"
    feed_server.put("/f.atom", atom([emmott, retract, underhill]))
    assert engine.apply(poller.poll().declarations[0]).outcome == "correction"
    # the recount: Underhill's win retracted, Emmott declared the winner again, later
    at = (later.declared_at + timedelta(minutes=30)).isoformat()
    undo = replace(underhill, id="https://results.test/#4", at=at, retraction=1)
    again = replace(emmott, id="https://results.test/#5", at=at)
    feed_server.put("/f.atom", atom([emmott, retract, underhill, undo, again]))
    polled = poller.poll()
    assert polled.problems == []
    decl = polled.declarations[0]
    assert [(c.name, c.party) for c in decl.candidates] == [("Emmott R.", "Lab")]
    assert decl.content_digest() == declared.content_digest() and decl.declared_at.isoformat() == at
    applied = engine.apply(decl)
    assert applied.outcome == "correction"
    assert {r.slug: r for r in engine.council_results()}["ashcombe"].seats_won == {"Lab": 1}

    # the same steps, but the ward goes back because the winner's entry is changed in place,
    # its time left as it was: not told from a late copy of the first version
    poller = FeedPoller(feed_server.put("/g.atom", atom([emmott])), night, registry=feed_registry)
    engine, _ = build(night)
    engine.apply(poller.poll().declarations[0])
    feed_server.put("/g.atom", atom([emmott, retract, underhill]))
    engine.apply(poller.poll().declarations[0])
    in_place = replace(underhill, name="Emmott R.", party_id=emmott.party_id, party_name=emmott.party_name)
    feed_server.put("/g.atom", atom([emmott, retract, in_place]))
    polled = poller.poll()
    assert [p.message for p in polled.problems] == [
        "Goldsmid (Ashcombe) is back to an earlier version of its result at no later time (an entry changed "
        "in place?); the later version stands: an editor must check it"]
    assert engine.apply(polled.declarations[0]).outcome == "stale"
    assert {r.slug: r for r in engine.council_results()}["ashcombe"].seats_won == {"Con": 1}


def test_malformed_entries_are_each_reported_and_the_rest_kept(feed_server, night, feed_registry):
    wards = latest_wards(night)
    pallion = wards["local.greyhaven.pallion.2026-05-07"]
    good = entry(1, pallion, "Obi C.", "Lab")
    abbey = wards["local.northmoor.abbey-fields.2026-05-07"]
    abbey_winner = next(c for c in abbey.candidates if c.elected)
    good2 = entry(2, abbey, abbey_winner.name, abbey_winner.party)
    goldsmid = wards[GOLDSMID]
    bad = [
        replace(entry(3, goldsmid, "Underhill R.", "Con"), post_id=""),
        replace(entry(4, goldsmid, "Underhill R.", "Con"), party_id="party:99999", party_name=""),
        replace(entry(5, goldsmid, "Underhill R.", "Con"), post_id="atlantis", post_name="Atlantis"),
        replace(entry(6, goldsmid, "Underhill R.", "Con"), at="yesterday"),
        replace(good, name="Someone Else"),  # the same entry id again
        replace(entry(7, goldsmid, "Underhill R.", "Con"), name="Underhill <script>alert(1)</script>"),
    ]
    url = feed_server.put("/f.atom", atom([bad[4], good, bad[0], bad[1], bad[2], bad[3], bad[5], good2]))
    polled = FeedPoller(url, night, registry=feed_registry).poll()
    assert [(p.entry, p.field, p.message) for p in polled.problems] == [  # newest first
        ("https://results.test/#1", "id", "is repeated in the feed; expected each entry once (the first is kept)"),
        ("https://results.test/#7", "winner_person_name",
         "'Underhill <script>alert(1)</script>' contains markup ('<' or '>'); expected a plain name"),
        ("https://results.test/#6", "updated",
         "'yesterday' is not a date; expected ISO 8601 with a UTC offset (2026-05-07T23:30:00+01:00) "
         "or an RFC 822 date"),
        ("https://results.test/#5", "post_id",
         "'atlantis' (post_name 'Atlantis') matches no ward of Ashcombe; expected the slug or name of one of "
         "that council's wards (or its dc_ward_slug in the night's wards)"),
        ("https://results.test/#4", "winner_party_id",
         "'party:99999' ('') is not in party-registry.yaml nor among the night's parties, and is no party "
         "name; expected a party id or name listed there"),
        ("https://results.test/#3", "post_id",
         "is missing; expected the ward's slug (Every Election's, such as brunswick-park)"),
    ]
    assert str(polled.problems[5]) == (f"{url}, entry https://results.test/#3, post_id: is missing; expected "
                                       "the ward's slug (Every Election's, such as brunswick-park)")
    assert sorted((d.id, d.candidates[0].name) for d in polled.declarations) == sorted([
        (abbey.id, abbey_winner.name), (pallion.id, "Obi C.")])


def test_entries_that_cannot_apply_are_reported(feed_server, night, feed_registry):
    pallion = latest_wards(night)["local.greyhaven.pallion.2026-05-07"]
    obi = entry(1, pallion, "Obi C.", "Lab")
    twice = replace(entry(2, pallion, "Obi C.", "Lab"), person_id=obi.person_id)
    extra = entry(3, pallion, "Newbould Z.", "Reform")
    stray = entry(4, pallion, "Mistry A.", "Con", retraction=1)
    old = replace(entry(5, pallion, "Obi C.", "Lab"), election_slug="local.greyhaven.2022-05-05")
    early = replace(entry(6, pallion, "Obi C.", "Lab"), at="2026-05-07T21:00:00+01:00")
    url = feed_server.put("/f.atom", atom([obi, twice, extra, stray, old, early]))
    polled = FeedPoller(url, night, registry=feed_registry).poll()
    assert [(p.entry[-2:], p.field, p.message) for p in polled.problems] == [
        ("#6", "updated", "'2026-05-07T21:00:00+01:00' is before polls closed (2026-05-07T22:00:00+01:00); "
                          "expected a time on the night"),
        ("#5", "election_slug", "'local.greyhaven.2022-05-05' is an election on 2022-05-05; expected one on 2026-05-07"),
        ("#2", "winner_person_name", "'Obi C.' already won Pallion (Greyhaven) in entry https://results.test/#1; "
                                     "expected each winner once (this entry is ignored)"),
        ("#3", "post_id", "would be winner number 2 in Pallion (Greyhaven), which elects 1, recorded no later "
                          "than its winners; expected a retraction first (this entry is ignored)"),
        ("#4", "retraction", "withdraws 'Mistry A.' in Pallion (Greyhaven), who is not a winner there in this "
                             "feed; expected an earlier entry naming them (ignored)"),
    ]
    assert [[c.name for c in d.candidates] for d in polled.declarations] == [["Obi C."]]


def test_only_new_entries_are_read_again(feed_server, night, feed_registry):
    wards = latest_wards(night)
    pallion = wards["local.greyhaven.pallion.2026-05-07"]
    url = feed_server.put("/f.atom", atom([entry(1, pallion, "Obi C.", "Lab")]))
    poller = FeedPoller(url, night, registry=feed_registry)
    first = poller.poll()
    assert (first.status, first.entries, len(first.declarations)) == (200, 1, 1)
    second = poller.poll()
    assert (second.status, second.entries, second.declarations, second.problems) == (200, 0, [], [])
    path, headers, status = feed_server.requests[-1]
    assert status == 200 and "If-None-Match" not in headers  # the feed has no ETag

    # the feed grows: only the new ward comes back; the unchanged entry is not read again
    abbey = wards["local.northmoor.abbey-fields.2026-05-07"]
    winner = next(c for c in abbey.candidates if c.elected)
    feed_server.put("/f.atom", atom([entry(1, pallion, "Obi C.", "Lab"), entry(2, abbey, winner.name, winner.party)]))
    third = poller.poll()
    assert (third.status, third.entries, [d.id for d in third.declarations]) == (200, 1, [abbey.id])


def test_feed_failures_are_reported_not_raised(feed_server, night, feed_registry):
    poller = FeedPoller(feed_server.url("/missing.atom"), night, registry=feed_registry)
    polled = poller.poll()
    assert (polled.status, polled.ok, [p.message for p in polled.problems]) == (
        404, False, ["answered HTTP 404; expected 200 with a feed"])
    url = feed_server.put("/junk.atom", b"this is not a feed <<<")
    polled = FeedPoller(url, night, registry=feed_registry).poll()
    assert polled.declarations == [] and len(polled.problems) == 1
    assert polled.problems[0].message.startswith("is not a readable Atom feed (")


def test_a_partial_wards_story_says_nothing_about_votes(feed_server, night, feed_registry):
    url = feed_server.put("/results/all.atom", atom(night_entries(night)))
    polled = FeedPoller(url, night, registry=feed_registry).poll()
    engine, desk = build(night)
    for d in polled.declarations:
        desk.apply(engine.apply(d).events)
    ward_stories = [s for s in desk.current() if s.kind == "ward"]
    council_stories = [s for s in desk.current() if s.kind == "council"]
    assert len(ward_stories) >= 10 and council_stories
    for s in ward_stories:
        text = " ".join((s.headline, s.lede) + tuple(s.body)).lower()
        for word in ("vote", "share", "majority", "turnout", "%", "margin"):
            assert word not in text, (s.id, word, text)
    for s in council_stories:
        text = " ".join((s.headline, s.lede) + tuple(s.body)).lower()
        for word in ("vote", "turnout", "share of"):
            assert word not in text, (s.id, word, text)
    # the same wards with their votes do talk about votes: the check above can fail
    engine, desk = build(night)
    for d in latest_wards(night).values():
        desk.apply(engine.apply(d).events)
    assert any("vote" in " ".join((s.lede,) + tuple(s.body)).lower() for s in desk.current() if s.kind == "ward")


def test_a_restarted_poller_rebuilds_and_the_store_skips_what_it_holds(feed_server, night, feed_registry, tmp_path):
    from writer.store import Pipeline, open_store
    url = feed_server.put("/results/all.atom", atom(night_entries(night)))
    store = open_store(str(tmp_path / "w.db"))
    try:
        pipeline = Pipeline(store, lambda: build(night))
        polled = FeedPoller(url, night, registry=feed_registry).poll()
        outcomes = [pipeline.ingest(d).outcome for d in polled.declarations]
        assert set(outcomes) == {"new"} and len(outcomes) == len(latest_wards(night))
        again = Pipeline(store, lambda: build(night))  # a restart: resumes from the store
        assert again.resumed.consistent and again.resumed.declarations == len(outcomes)
        polled = FeedPoller(url, night, registry=feed_registry).poll()  # a new poller reads it all again
        assert {again.ingest(d).outcome for d in polled.declarations} == {"seen"}
    finally:
        store.close()


def test_feed_parties_resolve_through_the_registry_then_the_night(night):
    """A feed names parties by id and name: the registry places ids and names it knows; a
    name only the night knows (the demo's own Brackenfield First) is the night's code, so a
    feed's winner is the same party as the loaded night's; anything else is unknown."""
    parties = FeedParties(default_registry(), night.parties)
    assert parties.code_for("", "Labour & Co-operative Party") == "Lab"
    assert parties.code_for("party:53", "") == "Lab" and parties.code_for("joint-party:53-119", "") == "Lab"
    assert parties.code_for("ynmp-party:2", "Independent") == "Ind"
    assert parties.code_for("party:424242", "The Brackenfield First Party") == "Other (Brackenfield First)"
    assert parties.code_for("party:424242", "Monster Raving") is None
    assert FeedParties(default_registry()).code_for("party:424242", "Brackenfield First") is None


def test_writer_poll_once_ingests_into_the_store(feed_server, night, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    registry_with(DEMO_FEED_PARTIES, rules, rules=RULES)
    pallion = latest_wards(night)["local.greyhaven.pallion.2026-05-07"]
    url = feed_server.put("/f.atom", atom([entry(1, pallion, "Obi C.", "Lab"),
                                           replace(entry(2, pallion, "X", "Lab"), post_id="")]))
    args = ["poll", url, "--night", str(DEMO), "--database", str(tmp_path / "w.db"), "--once",
            "--rules", str(rules)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{pallion.id}\tnew"]
    assert "HTTP 200: 2 entries read, 1 new; 1 problems:" in result.stderr
    assert "entry https://results.test/#2, post_id: is missing" in result.stderr
    result = CliRunner().invoke(main, args)  # a second run: a fresh poller, the store skips it
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{pallion.id}\tseen"]
    bad = CliRunner().invoke(main, ["poll", feed_server.url("/nothing.atom"), "--night", str(DEMO),
                                    "--database", str(tmp_path / "w.db"), "--once", "--rules", str(rules)])
    assert bad.exit_code == 3 and "answered HTTP 404" in bad.stderr and "Traceback" not in bad.output


def test_a_ward_whose_seats_the_night_does_not_know_grows_winner_by_winner(feed_server, night, feed_registry):
    """Given only the night's setup (no results yet), a new council's wards come from post_name
    and are declared with each winner, each further winner a correction."""
    arley = latest_wards(night)["local.severnside.arley.2026-05-07"]
    winners = [c for c in arley.candidates if c.elected]
    entries = [entry(i, arley, c.name, c.party) for i, c in enumerate(winners, start=1)]
    url = feed_server.put("/f.atom", atom(entries[:1]))
    poller = FeedPoller(url, night.setup, registry=feed_registry)
    engine, _ = build(night)
    polled = poller.poll()
    assert [(d.id, d.ward, d.ward_code, d.seats, len(d.candidates)) for d in polled.declarations] == \
        [(arley.id, "Arley", "", 1, 1)]  # (the feed gives no ward codes)
    assert engine.apply(polled.declarations[0]).outcome == "new"
    feed_server.put("/f.atom", atom(entries))
    polled = poller.poll()
    assert [(d.seats, [c.name for c in d.candidates]) for d in polled.declarations] == \
        [(3, [c.name for c in winners])]
    assert engine.apply(polled.declarations[0]).outcome == "correction"
    severnside = {r.slug: r for r in engine.council_results()}["severnside"]
    assert (severnside.seats_declared, severnside.wards_declared) == (3, 1)
    # a ward name with markup never reaches copy
    hostile = replace(entry(9, arley, "Quinn H.", "Lab"), post_id="new-ward", post_name="<b>Arley</b>")
    feed_server.put("/f.atom", atom(entries + [hostile]))
    assert [(p.field, p.message) for p in poller.poll().problems] == [
        ("post_name", "'<b>Arley</b>' contains markup ('<' or '>'); expected a plain name")]


def test_declarations_that_could_not_be_stored_come_back(feed_server, night, feed_registry):
    from writer.store import declaration_from_payload, declaration_to_payload
    pallion = latest_wards(night)["local.greyhaven.pallion.2026-05-07"]
    url = feed_server.put("/f.atom", atom([entry(1, pallion, "Obi C.", "Lab")]))
    poller = FeedPoller(url, night, registry=feed_registry)
    (decl,) = poller.poll().declarations
    assert declaration_from_payload(declaration_to_payload(decl)) == decl
    poller.requeue([decl])
    polled = poller.poll()
    assert (polled.status, polled.declarations) == (200, [decl])
    assert poller.poll().declarations == []
    withdrawn = replace(decl, candidates=())
    assert declaration_from_payload(declaration_to_payload(withdrawn)) == withdrawn
