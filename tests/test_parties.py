"""Party identity (issue 14, part 1): one party, one code, and no source's code in print.

- the one normaliser (``writer.parties.party_key``) and what counts as a source's code;
- the party registry (``rules/party-registry.yaml``) and its validation;
- a night's table (``writer.identity.PartyIdentity``): the loader, the HTTP API's path and a
  restarted pipeline resolve through it;
- an invented night (written in tmp_path in the FORMAT.md shape) with a party known only by a
  LEAP code: "a local party" in copy, a fact-check that passes, the review queue's flag, and no
  auto-publishing;
- the real 2022 night (../shared/data/le2022, skipped when absent): every case of the issue.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import LE2022, RULES
from writer import parties
from writer.cli import main
from writer.night import build, draft_night
from writer.draft.style import PartyNames
from writer.identity import (PartyIdentity, PartyRegistry, RegisteredParty, default_registry,
                             resolve_declaration)
from writer.ingest import InputError, load_night
from writer.publish.release import StoryState, decide

NOW = datetime(2026, 5, 8, 6, 0, tzinfo=timezone.utc)


# -- the normaliser --------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [
    ("Burnley and Padiham independent Party", "Burnley & Padiham Independents Group"),
    ("The Walton Society", "Walton Society"),
    ("Portsmouth Independent Party", "Portsmouth Independents"),
    ("Weybridge & St. George's Independents", "Weybridge and St George's Independents"),
    ("Community Campaign (Hart)", "Community Campaign Hart"),
    ("People Against Bureaucracy Group", "People Against Bureaucracy"),
    ("Chase Community Independents Group", "Chase Community Independents"),
    ("The For Britain Movement", "For Britain Movement"),
    ("Liberal Democrat", "LIBERAL DEMOCRATS"),
    ("Other (Aspire)", "Aspire"),
    ("Women\u2019s Equality Party", "Womens Equality Party"),
])
def test_spellings_of_one_party_share_a_key(a, b):
    assert parties.party_key(a) == parties.party_key(b)


@pytest.mark.parametrize("a, b", [
    ("Liberal Party", "Liberal Democrats"),
    ("Independent", "Independent Network"),
    ("Labour", "Labour and Co-operative Party"),  # the registry says these are one party, not the key
    ("Community First", "Newcastle upon Tyne Community First Party"),
    ("Reform UK", "Reform Derby"),
    ("Hartlepool Independent Union", "Putting Hartlepool First"),
    ("Socialist Party of Great Britain", "Socialist Labour Party"),
])
def test_different_parties_stay_apart(a, b):
    assert parties.party_key(a) != parties.party_key(b)


@pytest.mark.parametrize("code, unresolved", [
    ("Other (LEAP code WiganIC)", True),
    ("Other (LEAP code Plumstd)", True),
    ("Other (WiganIC)", True),        # one word with a capital inside it: a source's abbreviation
    ("Other (CFirst)", True),
    ("Other (PP53)", True),           # an Electoral Commission id
    ("Other (Aspire)", False),
    ("Other (UKIP)", False),          # capitals only: an initialism, a name
    ("Other (McCarthy Independents)", False),  # more than one word
    ("Other (Walton Society)", False),
    ("Lab", False), ("Ind", False), ("Other", False),
])
def test_a_source_code_is_told_from_a_name(code, unresolved):
    assert parties.is_unresolved(code) is unresolved


# -- the registry ----------------------------------------------------------------------------------
def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "party-registry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        PartyRegistry.load(path)
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("text, expected", [
    ("parties:\n  - code: Labour\n",
     "party-registry.yaml, line 2, key parties[1] (Labour): code 'Labour' is not a party code; expected Con, "
     "Green, Ind, LD, Lab, Reform, Res, UKIP or 'Other (Display Name)' (Other and Vacant are not parties)"),
    ("parties:\n  - code: Vacant\n",
     "party-registry.yaml, line 2, key parties[1] (Vacant): code 'Vacant' is not a party code"),
    ("parties:\n  - code: Other (LEAP code BPIP)\n",
     "party-registry.yaml, line 2, key parties[1] (Other (LEAP code BPIP)): code 'Other (LEAP code BPIP)' names "
     "the party by a LEAP party code no registry entry names; expected the name copy should print, with the "
     "source's code under leap or ids"),
    ("parties:\n  - code: Other (WiganIC)\n",
     "party-registry.yaml, line 2, key parties[1] (Other (WiganIC)): code 'Other (WiganIC)' names the party by a "
     "source's abbreviation"),
    ("parties:\n  - code: Lab\n    alias: [Labour]\n",
     "party-registry.yaml, line 2, key parties[1] (Lab): unknown keys ['alias']; expected code, names, leap, ids"),
    ("parties:\n  - code: Lab\n    names: Labour Party\n",
     "party-registry.yaml, line 2, key parties[1] (Lab).names: names is 'Labour Party'; expected a list of "
     "non-empty text values"),
    ("parties:\n  - code: Lab\n    leap: [Lab]\n  - code: Con\n    leap: [Lab]\n",
     "party-registry.yaml, line 4, key parties[2] (Con): LEAP code 'Lab' is already claimed by parties[1] (Lab); "
     "expected each LEAP code in one entry"),
    ("parties:\n  - code: Lab\n    ids: [PP53]\n  - code: Con\n    ids: [pp53]\n",
     "party-registry.yaml, line 4, key parties[2] (Con): id 'pp53' is already claimed by parties[1] (Lab); "
     "expected each id in one entry"),
    ("parties:\n  - code: Other (Walton Society)\n  - code: Other (Elmbridge Residents)\n"
     "    names: [The Walton Society]\n",
     "party-registry.yaml, line 3, key parties[2] (Other (Elmbridge Residents)): name 'The Walton Society' "
     "normalises to 'walton society', as 'Walton Society' of parties[1] (Other (Walton Society)) does; expected "
     "each name to belong to one party (merge the two entries if they are one party)"),
    ("parties:\n  - code: Other (Portsmouth Independent Party)\n  - code: Other (Portsmouth Independents)\n",
     "party-registry.yaml, line 3, key parties[2] (Other (Portsmouth Independents)): name 'Portsmouth "
     "Independents' normalises to 'portsmouth independent', as 'Portsmouth Independent Party' of parties[1]"),
    ("parties:\n  - code: Lab\n  - code: Lab\n",
     "party-registry.yaml, line 3, key parties[2] (Lab): code 'Lab' is already the code of parties[1] (Lab); "
     "expected one entry per party"),
    ("parties:\n  - code: Lab\nextra: 1\n",
     "party-registry.yaml: unknown keys ['extra']; expected only 'parties'"),
    ("parties: {Lab: Labour}\n",
     "party-registry.yaml, key parties: expected a top-level 'parties:' list of entries (code, names, leap, ids)"),
])
def test_the_registry_is_checked_when_loaded(tmp_path, text, expected):
    found = _problems(tmp_path, text)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_listed_together(tmp_path):
    found = _problems(tmp_path, "parties:\n  - code: Labour\n  - code: Con\n    leap: [C]\n  - code: Con\n")
    assert len(found) == 2 and "parties[1] (Labour)" in found[0] and "parties[3] (Con)" in found[1]


def test_the_shipped_registry_resolves_what_sources_write():
    registry = default_registry(RULES)
    assert registry.for_id("party:53") == registry.for_id("PP53") == registry.for_id("joint-party:53-119") == "Lab"
    assert registry.for_id("ynmp-party:2") == "Ind"
    assert registry.for_leap("C") == "Con" and registry.for_leap("HoRA") == "Res"
    assert registry.for_name("Conservative and Unionist") == "Con"
    assert registry.for_name("Green Party (E&W)") == "Green"
    burnley = "Other (Burnley and Padiham Independent Party)"
    for code in ("Other (LEAP code BPIP)", "Other (Burnley & Padiham Independents Group)",
                 "Other (Burnley and Padiham independent Party)", "Other (PP6725)"):
        assert registry.for_code(code) == burnley, code
    assert registry.for_code("Other (The Walton Society)") == "Other (Walton Society)"
    assert registry.for_code("Other (Portsmouth Independents)") == "Other (Portsmouth Independent Party)"
    assert registry.for_code("Other (LEAP code PHF)") == "Other (Putting Hartlepool First)"
    assert registry.for_code("Other (LEAP code CFirst)") == "Other (Community First)"
    assert registry.for_code("Other (LEAP code WiganIC)") == "Other (Wigan Independent Conservatives)"
    assert registry.for_code("Other (WiganIC)") == "Other (Wigan Independent Conservatives)"  # "LEAP code" dropped
    assert registry.for_code("Other (Walton)") is None  # a word: not taken for the LEAP code Walton
    assert registry.for_code("Other (LEAP code HaroldHI)") == "Other (Harold Hill Independent Party)"
    assert registry.for_code("Other (LEAP code RWR)") == "Other (Rainham and Wennington Independent Residents Group)"
    assert registry.for_code("Other (BollingtonFirst)") == "Other (Bollington First)"  # a name written as a code
    assert registry.for_name("Labour/Co-operative") == "Lab"
    assert registry.for_code("Other (LEAP code Plumstd)") is None  # nobody could name it: it stays a code
    assert registry.for_code("Other (Hartlepool Independent Union)") is None  # another party


def test_no_registered_party_is_taken_for_a_source_code():
    for entry in default_registry(RULES).parties:
        assert not parties.is_unresolved(entry.code), entry.code


# -- a night's table ---------------------------------------------------------------------------------
def test_resolution_order_core_registry_night_then_the_name():
    night = PartyIdentity(PartyRegistry.build([RegisteredParty("Other (Walton Society)", leap=("Walton",))]))
    assert [night.resolve(c) for c in ("Lab", "Ind", "Other", "Vacant")] == ["Lab", "Ind", "Other", "Vacant"]
    assert night.resolve("Other (The Walton Society)") == "Other (Walton Society)"
    assert night.resolve("Other (LEAP code Walton)") == "Other (Walton Society)"
    # not registered: the first spelling met is the night's; later ones resolve to it
    assert night.resolve("Other (Testford Independent Party)") == "Other (Testford Independent Party)"
    assert night.resolve("Other (The Testford Independents)") == "Other (Testford Independent Party)"
    assert night.canonical("Other (Zeta Alliance)") == "Other (Zeta Alliance)"
    assert "zeta alliance" not in night.seen  # canonical() learns nothing
    assert night.resolve_seats({"Other (Testford Independents Group)": 2, "Other (Testford Independent Party)": 1,
                                "Con": 3}) == {"Other (Testford Independent Party)": 3, "Con": 3}


def test_only_unresolved_codes_are_kept_with_where_they_came_from():
    night = PartyIdentity(default_registry(RULES))
    night.resolve("Other (LEAP code BPIP)", "baseline/wards.csv:10")
    night.resolve("Other (LEAP code Xyz)", "baseline/wards.csv:11")
    night.resolve("Other (LEAP code Xyz)", "baseline/wards.csv:12")
    assert night.where() == [("Other (LEAP code Xyz)", ["baseline/wards.csv:11", "baseline/wards.csv:12"])]


# -- an invented night with a party known only by a LEAP code ------------------------------------------
TESTFORD = {
    "election.toml": 'id = "local.2026-05-07"\nname = "Testford test night"\npoll_date = 2026-05-07\n'
                     'polls_close = 2026-05-07T22:00:00+01:00\nbaseline_id = "local.2022-05-05"\n'
                     'baseline_label = "2022"\n',
    "councils.csv": "council,slug,gss_code,region,cycle,total_seats,seats_up,control_before,composition_before,"
                    "new_council,boundary_change\n"
                    "Testford,testford,E07999999,South East,all-out,4,4,NOC,"
                    "Con:2;Other (LEAP code TstInd):1;Other (Testford Independent Party):1,no,no\n",
    "baseline/councils.csv": "council,slug,cycle,total_seats,seats_up,seats_won,composition_after,control_after\n"
                             "Testford,testford,all-out,4,4,Con:2;Other (LEAP code TstInd):1;"
                             "Other (The Testford Independents):1,Con:2;Other (LEAP code TstInd):1;"
                             "Other (The Testford Independents):1,NOC\n",
    "baseline/wards.csv": "council,slug,ward,ward_code,seats_in_ward,candidate,party,votes,elected\n"
                          "Testford,testford,Ashby,E05999901,1,Adams A.,Con,500,yes\n"
                          "Testford,testford,Ashby,E05999901,1,Baker B.,Lab,300,no\n"
                          "Testford,testford,Bexley,E05999902,1,Carter C.,Other (LEAP code TstInd),600,yes\n"
                          "Testford,testford,Bexley,E05999902,1,Dixon D.,Lab,400,no\n"
                          "Testford,testford,Crane,E05999903,1,Evans E.,Other (The Testford Independents),700,yes\n"
                          "Testford,testford,Crane,E05999903,1,Fisher F.,Con,200,no\n"
                          "Testford,testford,Dunmore,E05999904,1,Green G.,Con,550,yes\n"
                          "Testford,testford,Dunmore,E05999904,1,Hill H.,Lab,450,no\n",
    "results/wards.csv": "council,slug,ward,ward_code,seats_in_ward,candidate,party,votes,elected,declared_at\n"
                         "Testford,testford,Ashby,E05999901,1,Adams A.,Con,520,yes,2026-05-07T23:30:00+01:00\n"
                         "Testford,testford,Ashby,E05999901,1,Baker B.,Lab,310,no,2026-05-07T23:30:00+01:00\n"
                         "Testford,testford,Bexley,E05999902,1,Dixon D.,Lab,650,yes,2026-05-07T23:45:00+01:00\n"
                         "Testford,testford,Bexley,E05999902,1,Carter C.,Other (LEAP code TstInd),500,no,"
                         "2026-05-07T23:45:00+01:00\n"
                         "Testford,testford,Crane,E05999903,1,Evans E.,Other (Testford Independents),720,yes,"
                         "2026-05-08T00:10:00+01:00\n"
                         "Testford,testford,Crane,E05999903,1,Fisher F.,Con,210,no,2026-05-08T00:10:00+01:00\n"
                         "Testford,testford,Dunmore,E05999904,1,Hill H.,Lab,600,yes,2026-05-08T00:20:00+01:00\n"
                         "Testford,testford,Dunmore,E05999904,1,Green G.,Con,500,no,2026-05-08T00:20:00+01:00\n",
    "results/councils.csv": "council,slug,seats_won,composition_after,declared_at\n"
                            "Testford,testford,Con:1;Lab:2;Other (Testford Independents):1,"
                            "Con:1;Lab:2;Other (Testford Independents):1,2026-05-08T00:30:00+01:00\n",
}
BEXLEY = "ward:local.testford.bexley.2026-05-07"
DUNMORE = "ward:local.testford.dunmore.2026-05-07"
LOCAL = "Other (LEAP code TstInd)"
TESTFORD_INDEPENDENTS = "Other (Testford Independent Party)"  # councils.csv spells it first


@pytest.fixture(scope="module")
def testford(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("testford")
    for name, text in TESTFORD.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def testford_night(testford):
    night, engine, desk = draft_night(testford)
    return night, engine, desk


@pytest.fixture(scope="module")
def names():
    return PartyNames.load(RULES / "parties.yaml")


def test_the_loader_gives_one_code_per_party(testford_night):
    night, engine, _ = testford_night
    council = night.councils["testford"]
    assert council.composition_before == {"Con": 2, LOCAL: 1, TESTFORD_INDEPENDENTS: 1}
    crane = {c.party for w in night.baseline_wards["testford"] if w.ward == "Crane" for c in w.candidates}
    assert crane == {"Con", TESTFORD_INDEPENDENTS}
    assert night.declarations[-1].seats_won == {"Con": 1, "Lab": 2, TESTFORD_INDEPENDENTS: 1}
    # Crane is a hold by one party under two spellings: no gain, no "first seat"
    assert [e.key for e in engine.events() if e.rule in ("ward-gain", "first-seat") and "crane" in e.key] == []
    assert load_night(night.source).councils == night.councils  # the same directory, the same codes


def test_copy_calls_an_unnamed_party_a_local_party(testford_night, names):
    _, _, desk = testford_night
    texts = {s.id: s.text() for s in desk.current()}
    assert "a local party" in texts[BEXLEY] and "Local party" in texts["council:testford"]
    for sid, text in texts.items():
        assert "LEAP code" not in text and "TstInd" not in text and "Other (" not in text, sid
    assert names.party(LOCAL) == "a local party" and names.party(LOCAL, "headline") == "Local party"
    assert names.party(LOCAL, "tally") == "Local party" and names.verb(LOCAL, "has", "have") == "has"
    assert names.party("Other (Aspire)") == "Aspire"


def test_the_fact_check_accepts_a_local_party_and_refuses_the_code(testford_night, names):
    from writer.check import FactChecker
    night, _, desk = testford_night
    checker = FactChecker.for_night(night.setup, names)
    for story in desk.current():
        result = checker.check(story)
        assert result.ok, (story.id, [f.reason for f in result.failures])
    bexley = desk.story(BEXLEY)
    for code in ("LEAP code TstInd", "TstInd"):
        printed = bexley.text().replace("a local party", code, 1)
        assert not bexley.text() == printed
        result = checker.check_text(printed, bexley.evidence)
        assert [f.text for f in result.failures] == [code], result.failures


def test_the_review_queue_flags_the_story_and_it_never_auto_publishes(testford, testford_night, names, tmp_path):
    from writer.publish.publisher import Publisher
    from writer.review.checks import FactChecks
    from writer.store import Pipeline, open_store
    from writer.review import Review
    night = load_night(testford)
    store = open_store(tmp_path / "writer.db")
    try:
        Pipeline(store, lambda: build(night)).ingest_all(night.declarations)
        rows = {r.story_id: r for r in Review(store, night=night, names=names).queue()}
        assert rows[BEXLEY].unresolved == (LOCAL,) and rows["council:testford"].unresolved == (LOCAL,)
        assert rows[DUNMORE].unresolved == ()
        assert Review(store, night=night, names=names).story_view(BEXLEY).unresolved == (LOCAL,)
        publisher = Publisher(store, night, checker=FactChecks(store, None), names=names)
        for sid in (BEXLEY, DUNMORE):  # both are ward gains, a rule that publishes unreviewed
            row = store.latest_story(sid)
            assert "ward-gain" in publisher.rules_of(row)
            store.record_check(sid, row.version, True)
        released = {r.story_id for r in publisher.run(NOW).released}
        assert DUNMORE in released and BEXLEY not in released
        row = store.latest_story(BEXLEY)  # an editor's approval publishes it
        store.record_decision(BEXLEY, row.version, "approved", "ed")
        assert BEXLEY in {r.story_id for r in publisher.run(NOW).released}
    finally:
        store.close()


def test_an_unresolved_party_never_auto_publishes():
    state = StoryState(story_id="ward:x", version=1, retracted=False, edited=False, decision=None, decided_by=None,
                       check="ok", auto_rules=("ward-gain",), publish_at=None, released_version=None,
                       released_action=None)
    assert decide(state, NOW).action == "publish"
    assert decide(replace(state, unresolved=(LOCAL,)), NOW) is None
    assert decide(replace(state, unresolved=(LOCAL,), decision="approved", decided_by="ed"), NOW).action == "publish"


def test_the_queue_and_story_pages_show_the_flag(testford, tmp_path):
    pytest.importorskip("argon2")
    from fastapi.testclient import TestClient

    from writer.store import Pipeline, open_store
    from writer.store.users import ReviewRecords
    from writer.web.app import create_app
    from writer.web.security import hash_password
    night = load_night(testford)
    store = open_store(tmp_path / "web.db")
    try:
        pipeline = Pipeline(store, lambda: build(night))
        pipeline.ingest_all(night.declarations)
        ReviewRecords(store).add_user("ed", "editor", hash_password("correct horse battery"), by="test")
        app = create_app(store, night=night, pipeline=pipeline, https_only=True, secret_key="k" * 32)
        client = TestClient(app, base_url="https://testserver")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"username": "ed", "password": "correct horse battery", "csrf_token": csrf})
        queue = client.get("/queue").text
        row = re.search(r'<tr[^>]*data-story-id="' + re.escape(BEXLEY) + r'".*?</tr>', queue, re.S).group(0)
        assert 'data-unresolved="yes"' in row and "unnamed party" in row
        other = re.search(r'<tr[^>]*data-story-id="' + re.escape(DUNMORE) + r'".*?</tr>', queue, re.S).group(0)
        assert 'data-unresolved="no"' in other and "unnamed party" not in other
        page = client.get("/story/" + BEXLEY.replace(":", "%3A")).text
        assert 'id="story-unresolved"' in page and "Other (LEAP code TstInd)" in page
    finally:
        store.close()


def test_rules_check_lists_unresolved_names_with_file_and_line(testford):
    result = CliRunner().invoke(main, ["rules", "check", "--night", str(testford)])
    assert result.exit_code == 0, result.output
    assert f"1 unresolved party names on {testford}" in result.stdout
    assert f"  councils.csv:2: {LOCAL}" in result.stdout
    assert f"  baseline/councils.csv:2: {LOCAL}" in result.stdout
    assert f"  baseline/wards.csv:4: {LOCAL}" in result.stdout
    assert f"  results/wards.csv:5: {LOCAL}" in result.stdout
    assert "Testford Independent" not in result.stdout


def test_a_restarted_pipeline_resolves_as_before(testford, tmp_path):
    """A party first met over the API is learned by the night's table; after a restart (a fresh
    night, the store replayed) a new spelling of it still resolves to the same code."""
    from writer.store import Pipeline, open_store
    night = load_night(testford)
    ashby = next(d for d in night.declarations if d.kind == "ward" and d.ward == "Ashby")
    new = replace(ashby, declared_at=ashby.declared_at.replace(hour=23, minute=50), candidates=tuple(
        replace(c, party="Other (Zeta Alliance)") if c.party == "Lab" else c for c in ashby.candidates))
    store = open_store(tmp_path / "writer.db")
    try:
        pipeline = Pipeline(store, lambda: build(night))
        pipeline.ingest(ashby)
        pipeline.ingest(resolve_declaration(new, night.parties))
        assert night.parties.canonical("Other (The Zeta Alliance Party)") == "Other (Zeta Alliance)"
        restarted = load_night(testford)
        assert restarted.parties.canonical("Other (The Zeta Alliance Party)") == "Other (The Zeta Alliance Party)"
        Pipeline(store, lambda: build(restarted))
        later = resolve_declaration(replace(new, candidates=tuple(
            replace(c, party="Other (The Zeta Alliance Party)") if c.party == "Other (Zeta Alliance)" else c
            for c in new.candidates)), restarted.parties)
        assert {c.party for c in later.candidates} == {"Con", "Other (Zeta Alliance)"}
    finally:
        store.close()


# -- the real 2022 night ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def night_2022():
    if not (LE2022 / "councils.csv").exists():
        pytest.skip(f"the real 2022 night is not at {LE2022} (it lives in ../shared/data beside the project)")
    return draft_night(LE2022)


def _texts(desk) -> dict[str, str]:
    """Every version of every story drafted on the night, by id and version."""
    return {f"{s.id}#{s.version}": s.text() for s in desk.feed}


@pytest.mark.slow  # whole-night run: the 2022 night drafted
def test_2022_no_story_prints_a_source_code(night_2022):
    _, _, desk = night_2022
    for sid, text in _texts(desk).items():
        assert "LEAP code" not in text and "Other (" not in text, sid
        for code in ("WiganIC", "PHF", "CFirst", "HaroldHI", "RWR", "BPIP"):
            assert not re.search(rf"\b{code}\b", text), (sid, code)


@pytest.mark.slow  # whole-night run: the 2022 night drafted
@pytest.mark.parametrize("council, name", [
    ("wigan", "Wigan Independent Conservatives"),
    ("hartlepool", "Putting Hartlepool First"),
    ("rossendale", "Community First"),
    ("havering", "Harold Hill Independent Party"),
    ("havering", "Rainham and Wennington Independent Residents Group"),
])
def test_2022_councils_name_the_parties_the_sources_coded(night_2022, council, name):
    _, _, desk = night_2022
    assert name in desk.story(f"council:{council}").text()


@pytest.mark.slow  # whole-night run: the 2022 night drafted
def test_2022_burnley_padiham_independents_are_one_party(night_2022):
    night, engine, desk = night_2022
    code = "Other (Burnley and Padiham Independent Party)"
    assert night.councils["burnley"].composition_before[code] == 5
    gannow = next(w for w in night.baseline_wards["burnley"] if w.ward == "Gannow")
    assert {c.party for c in gannow.candidates if c.elected} == {code}
    result = next(r for r in engine.council_results() if r.slug == "burnley")
    assert result.seat_change[code] == 0 and result.seats_won[code] == 1
    # the party held Gannow: no gain from itself, no "first seat"
    assert not [e for e in engine.events() if e.council == "burnley" and e.rule in ("ward-gain", "first-seat")
                and code in str(e.facts.get("gains")) + str(e.facts.get("first_seat"))]
    for text in _texts(desk).values():
        assert "gained a seat from Burnley and Padiham" not in text
        assert not ("Burnley" in text and "first seat" in text and "Padiham Independent" in text)


@pytest.mark.slow  # whole-night run: the 2022 night drafted
@pytest.mark.parametrize("slug, code, seats_before", [
    ("portsmouth", "Other (Portsmouth Independent Party)", 1),
    ("elmbridge", "Other (Walton Society)", 2),
])
def test_2022_no_first_seat_for_a_party_that_held_seats(night_2022, slug, code, seats_before):
    night, engine, desk = night_2022
    assert night.councils[slug].composition_before[code] == seats_before
    firsts = [e for e in engine.events() if e.rule == "first-seat" and e.council == slug]
    assert not [e for e in firsts if code in e.facts["first_seat"]]
    name = parties.other_name(code)
    for sid, text in _texts(desk).items():
        assert f"Before this election {name} had no seats" not in text, sid
        assert f"{name} gain first seat" not in text, sid


@pytest.mark.slow  # whole-night run: the 2022 night drafted
def test_2022_rules_check_lists_the_unresolved_names(le2022_dir):
    result = CliRunner().invoke(main, ["rules", "check", "--night", str(le2022_dir)])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ") and ".csv:" in line]
    assert lines and "unresolved party names on" in result.stdout
    files: dict[str, list[str]] = {}
    for line in lines:
        where, code = line.split(": ", 1)
        code = code.split("  (and ")[0]
        assert parties.is_unresolved(code), line
        file, number = where.rsplit(":", 1)
        rows = files.setdefault(file, (le2022_dir / file).read_text(encoding="utf-8").splitlines())
        assert code in rows[int(number) - 1], line  # the line named is where the code is
    for named in ("BPIP", "PHF", "CFirst", "HaroldHI", "RWR", "WiganIC"):
        assert f"LEAP code {named})" not in result.stdout
    assert "baseline/wards.csv:778: Other (LEAP code CGd)" in result.stdout
