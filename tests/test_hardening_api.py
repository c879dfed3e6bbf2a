"""Issue 16, "Hardened in the field": the declarations API (``writer/web/api.py``) and the
withdrawal of a declaration (``writer/store/withdrawals.py``), on the demo night with a store
in a SQLite file under tmp_path. One test (or a few) per item; each failed before its fix.

 1. an unknown ward is refused (``unknown_ward``), and a declaration can be withdrawn;
 2. party names inside ``Other (...)`` are plain text, as names are;
 3. a ``declared_at`` off the night (2099, the year 10000, ahead of the clock) is refused;
 6. the token is checked before the body is read;
 8. a candidate's name needs a letter or a digit;
14. the schema documents the 400 and ``council`` has a minimum length.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from click.testing import CliRunner  # noqa: E402

from conftest import DEMO  # noqa: E402
from writer.cli import main as cli_main  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.store import Pipeline, open_store  # noqa: E402

from test_api import Api as BaseApi, body_of  # noqa: E402  (one app and one request body for the API's tests)
from test_store import postgres_server, store_url  # noqa: E402,F401  (fixtures: a store on each database)

PATH = "/api/declarations"
BST = timezone(timedelta(hours=1))


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


class Api(BaseApi):
    """tests/test_api.py's app (the router mounted, its store, a token), with the store's file,
    the token's header and a DELETE."""

    def __init__(self, night, tmp_path):
        super().__init__(night, tmp_path)
        self.db = tmp_path / "writer.db"
        self.auth = {"Authorization": f"Bearer {self.token}"}

    def delete(self, declaration_id: str, reason: str = "", token: str | None = "default"):
        token = self.token if token == "default" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.delete(f"{PATH}/{declaration_id}", params={"reason": reason} if reason else None,
                                  headers=headers)


@pytest.fixture
def api(night, tmp_path):
    a = Api(night, tmp_path)
    yield a
    a.client.close()
    a.store.close()


def ward_named(night, ward: str):
    return next(d for d in night.declarations if d.kind == "ward" and d.ward == ward)


def greyhaven_wards(night) -> list:
    return [d for d in night.declarations if d.kind == "ward" and d.council == "greyhaven"]


def problems(response) -> set[tuple[tuple, str]]:
    assert response.status_code == 422, response.text
    return {(tuple(p["loc"]), p["type"]) for p in response.json()["detail"]}


def nowhere(night, **changes) -> dict:
    """Greyhaven (a thirds council, like Bolton) declaring a ward it does not have."""
    return {**body_of(ward_named(night, "Castletown")), "ward": "Nowhere Ward", "ward_code": "", **changes}


def nowhere_stored(api, night):
    """A 'Nowhere Ward' stored as an old store would hold it (before the API refused it)."""
    decl = dataclasses.replace(ward_named(night, "Castletown"), id="local.greyhaven.nowhere-ward.2026-05-07",
                               ward="Nowhere Ward", source="api:feed")  # Castletown's code: it has events
    assert api.pipeline.ingest(decl).outcome == "new"
    return decl


# -- 1. an unknown ward --------------------------------------------------------------------------
def test_an_unknown_ward_is_refused_and_the_real_ones_go_in(api, night):
    r = api.post(nowhere(night))
    assert problems(r) == {(("body", "ward"), "unknown_ward")}
    msg = r.json()["detail"][0]["msg"]
    assert "'Nowhere Ward' matches no ward of Greyhaven by ward code or name" in msg
    assert api.counts() == (0, 0, 0)
    # in a batch, too, with every other problem; and then every real ward is taken
    real = [body_of(d) for d in greyhaven_wards(night)]
    assert len(real) == 8 and api.night.councils["greyhaven"].seats_up == 8
    assert (("body", 8, "ward"), "unknown_ward") in problems(api.post(real + [nowhere(night)]))
    r = api.post(real)
    assert r.status_code == 201, r.text
    assert [d["outcome"] for d in r.json()["declarations"]] == ["new"] * 8


def test_a_ward_matches_by_normalised_name_or_code(api, night):
    castletown = body_of(ward_named(night, "Castletown"))
    r = api.post(dict(castletown, ward="CASTLETOWN WARD"))  # the name normalised: the same ward
    assert r.status_code == 201, r.text
    hendon = body_of(ward_named(night, "Hendon Sands"))
    r = api.post(dict(hendon, ward="Hendon Sands and Marina"))  # a new name, the ward's own code
    assert r.status_code == 201, r.text
    # a code another ward already has tonight is refused: it would be a second ward
    r = api.post(nowhere(night, ward_code=castletown["ward_code"]))
    assert problems(r) == {(("body", "ward_code"), "ward_code_conflict")}


def test_new_wards_only_where_the_council_is_new_or_redrawn(api, night):
    assert night.councils["millbridge"].boundary_change and night.councils["severnside"].new_council
    for council in ("millbridge", "severnside"):
        base = body_of(next(d for d in night.declarations if d.kind == "ward" and d.council == council))
        r = api.post(dict(base, ward="Brand New Ward", ward_code=""))
        assert r.status_code == 201, r.text
    assert not night.councils["oakhurst"].boundary_change
    base = body_of(next(d for d in night.declarations if d.kind == "ward" and d.council == "oakhurst"))
    assert problems(api.post(dict(base, ward="Brand New Ward", ward_code=""))) == {(("body", "ward"), "unknown_ward")}


def test_withdrawing_the_unknown_ward_unblocks_the_real_ones(api, night):
    """The field report: 'Nowhere Ward' stored as new, then every real ward refused ('would
    elect 9 councillors; expected at most seats_up = 8'). Withdrawn, the real ones go in."""
    bogus = nowhere_stored(api, night)
    real = [body_of(d) for d in greyhaven_wards(night)]
    assert (("body", 7, "seats"), "seat_total") in problems(api.post(real))
    ward_story = f"ward:{bogus.id}"
    assert api.store.latest_story(ward_story).status != "retracted"

    assert api.delete(bogus.id, "not a ward of Greyhaven", token=None).status_code == 401
    assert api.delete(bogus.id, token="rnw_wrong").status_code == 401
    r = api.delete(bogus.id, "not a ward of Greyhaven")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["id"] == bogus.id and out["kind"] == "ward" and out["standing"] is None
    assert out["withdrawn_by"] == "api:feed" and out["reason"] == "not a ward of Greyhaven"
    assert out["events"] and {e["status"] for e in out["events"] if e["key"].endswith(bogus.id)} == {"retracted"}
    assert ward_story in out["stories"]
    assert api.store.latest_story(ward_story).status == "retracted"  # the publisher withdraws it
    (w,) = api.store.withdrawals()
    assert (w.declaration_id, w.declaration_seq, w.withdrawn_by, w.reason) == (
        bogus.id, out["withdrawn"]["seq"], "api:feed", "not a ward of Greyhaven")
    assert w.events == [e["id"] for e in out["events"]]
    assert bogus.id not in api.pipeline.engine.declarations
    assert api.store.current_declaration(bogus.id) is None

    r = api.post(real)
    assert r.status_code == 201, r.text
    assert api.pipeline.engine.results["greyhaven"].seats_declared == 8
    assert api.delete(bogus.id).status_code == 404  # nothing of it stands any more
    assert api.delete("local.greyhaven.atlantis.2026-05-07").status_code == 404
    # sent again exactly as it was, it stays withdrawn
    again = api.pipeline.ingest(bogus)
    assert again.outcome == "seen" and bogus.id not in api.pipeline.engine.declarations


def test_a_withdrawal_survives_a_restart(api, night):
    bogus = nowhere_stored(api, night)
    api.post([body_of(d) for d in greyhaven_wards(night)[:4]])
    assert api.delete(bogus.id, "typo").status_code == 200
    api.post([body_of(d) for d in greyhaven_wards(night)[4:]])
    before = {k: e.id for k, e in api.pipeline.engine.log.active.items()}
    restarted = Pipeline(api.store, lambda: build(night))
    assert restarted.resumed.consistent, restarted.resumed.mismatches
    assert {k: e.id for k, e in restarted.engine.log.active.items()} == before
    assert bogus.id not in restarted.engine.declarations
    assert {s.id: s.version for s in restarted.desk.current()} == {s.id: s.version for s in api.pipeline.desk.current()}


def test_withdrawing_a_far_future_version_lets_the_real_one_stand(api, night):
    """A version declared in 2099 (stored before the API refused it) pins the ward: the real
    declaration after it is stale. Withdrawn, the night is worked out again without it and
    the real one stands; the ward's events are updated, and the council's with them."""
    castletown = ward_named(night, "Castletown")
    votes_up = tuple(dataclasses.replace(c, votes=c.votes + 100 if c.elected else c.votes)
                     for c in castletown.candidates)
    pinned = dataclasses.replace(castletown, declared_at=datetime(2099, 5, 8, 1, 0, tzinfo=BST),
                                 candidates=votes_up, source="api:feed")
    assert api.pipeline.ingest(pinned).outcome == "new"
    r = api.post(body_of(castletown))
    assert r.json()["declarations"][0]["outcome"] == "stale"
    r = api.delete(castletown.id, "declared_at typed as 2099")
    assert r.status_code == 200, r.text
    out = r.json()
    assert datetime.fromisoformat(out["standing"]) == castletown.declared_at
    assert api.pipeline.engine.declarations[castletown.id] == dataclasses.replace(castletown, source="api:feed")
    assert {e["status"] for e in out["events"]} <= {"updated", "new", "retracted"} and out["events"]
    assert api.store.current_declaration(castletown.id).declared_at == castletown.declared_at
    # the next version is a correction as usual (not stale against 2099)
    later = dict(body_of(castletown), declared_at="2026-05-08T01:30:00+01:00")
    later["candidates"][0]["votes"] += 1
    assert api.post(later).json()["declarations"][0]["outcome"] == "correction"


def test_withdrawing_a_council_declaration(api, night):
    greyhaven = [body_of(d) for d in night.declarations if d.council == "greyhaven"]
    assert api.post(greyhaven).status_code == 201
    council_id = "local.greyhaven.2026-05-07"
    assert api.pipeline.engine.tallies["greyhaven"].declaration is not None
    r = api.delete(council_id, "sent before the count ended")
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "council" and r.json()["standing"] is None
    assert api.pipeline.engine.tallies["greyhaven"].declaration is None
    assert "council:greyhaven" in r.json()["stories"]


def test_a_withdrawal_made_by_another_process_is_followed(api, night, tmp_path):
    """``writer withdraw`` (another process, its own pipeline) on the store the API serves:
    the API's pipeline notices before its next request and rebuilds from the store."""
    bogus = nowhere_stored(api, night)
    r = CliRunner().invoke(cli_main, ["withdraw", bogus.id, "--night", str(DEMO), "--database", str(api.db),
                                      "--reason", "not a ward", "--by", "chief"])
    assert r.exit_code == 0, r.output
    assert f"ward-gain:{bogus.id}#2\tretracted" in r.stdout
    (w,) = api.store.withdrawals()
    assert w.withdrawn_by == "cli:chief" and w.reason == "not a ward"
    assert bogus.id in api.pipeline.engine.declarations  # the API's memory is behind...
    r = api.post([body_of(d) for d in greyhaven_wards(night)])
    assert r.status_code == 201, r.text  # ...until its next request
    assert bogus.id not in api.pipeline.engine.declarations
    r = CliRunner().invoke(cli_main, ["withdraw", bogus.id, "--night", str(DEMO), "--database", str(api.db),
                                      "--reason", "again"])
    assert r.exit_code == 1 and "nothing to withdraw" in r.output


def test_a_withdrawal_reason_is_plain_text(api, night):
    bogus = nowhere_stored(api, night)
    r = api.delete(bogus.id, "bad\u202ereason")
    assert problems(r) == {(("query", "reason"), "plain_text")}
    assert api.store.withdrawals() == []


# -- 2. party names are plain text ---------------------------------------------------------------
HOSTILE_PARTY_NAMES = [
    "Other (Aspire\u202e)",          # RIGHT-TO-LEFT OVERRIDE
    "Other (\u2066Aspire\u2069)",    # bidi isolates
    "Other (Aspire\u2028First)",     # LINE SEPARATOR
    "Other (Asp\u200dire)",          # ZERO WIDTH JOINER
    "Other (Aspire\x85)",            # C1 control (NEXT LINE)
    "Other (Aspire\x7f)",            # DEL
    "Other (\u0410spire)",           # a Cyrillic A in a Latin word
]


@pytest.mark.parametrize("party", HOSTILE_PARTY_NAMES, ids=lambda p: repr(p))
def test_party_names_are_plain_text(api, night, party):
    body = body_of(ward_named(night, "Castletown"))
    body["candidates"][1]["party"] = party
    assert problems(api.post(body)) == {(("body", "candidates", 1, "party"), "plain_text")}
    council = body_of(next(d for d in night.declarations if d.kind == "council" and d.council == "greyhaven"))
    seats = dict(council["seats_won"])
    seats[party] = seats.pop("Lab")
    after = dict(council["composition_after"])
    after[party] = after.pop("Lab")
    found = problems(api.post(dict(council, seats_won=seats, composition_after=after)))
    assert {(("body", "seats_won", party), "plain_text"), (("body", "composition_after", party), "plain_text")} <= found
    assert api.counts() == (0, 0, 0)


def test_a_plain_party_name_still_goes_in(api, night):
    body = body_of(ward_named(night, "Castletown"))
    body["candidates"][1]["party"] = "Other (Łukasz's Ελληνική First)"
    assert api.post(body).status_code == 201


# -- 3. declared_at on the night -----------------------------------------------------------------
@pytest.mark.parametrize("when, kind", [
    ("2099-05-08T01:00:00+01:00", "after_the_night"),
    ("2026-05-15T01:00:00+01:00", "after_the_night"),          # 8 days after polls closed
    ("9999-12-31T23:59:59-23:59", "declared_at_range"),        # the year 10000 in UTC
    ("0001-01-01T00:00:00+23:59", "before_polls_close"),      # the year 0 in UTC
    ("2026-05-07T21:59:00+01:00", "before_polls_close"),
])
def test_a_time_off_the_night_is_refused(api, night, when, kind):
    body = dict(body_of(ward_named(night, "Castletown")), declared_at=when)
    r = api.post(body)
    assert problems(r) == {(("body", "declared_at"), kind)}
    assert api.counts() == (0, 0, 0)
    # nothing stalls: the next request is taken
    assert api.post(body_of(ward_named(night, "Castletown"))).status_code == 201


def test_seven_days_after_polls_close_is_still_the_night(api, night):
    body = dict(body_of(ward_named(night, "Castletown")), declared_at="2026-05-14T21:59:00+01:00")
    assert api.post(body).status_code == 201


def test_a_time_ahead_of_the_servers_clock_is_refused_while_live(api, night):
    polls = night.election.polls_close
    api.app.state.clock = lambda: polls + timedelta(hours=2)  # the night is live
    early = dict(body_of(ward_named(night, "Castletown")), declared_at=(polls + timedelta(hours=3)).isoformat())
    r = api.post(early)
    assert problems(r) == {(("body", "declared_at"), "in_the_future")}
    assert "ahead of the server's clock" in r.json()["detail"][0]["msg"]
    within = dict(early, declared_at=(polls + timedelta(hours=2, minutes=4)).isoformat())
    assert api.post(within).status_code == 201
    api.app.state.clock = lambda: polls + timedelta(days=30)  # a replay long after: the bound only
    later = dict(early, declared_at=(polls + timedelta(hours=5)).isoformat())
    later["candidates"][0]["votes"] += 1
    assert api.post(later).status_code == 201


# -- 6. the token before the body ----------------------------------------------------------------
def test_the_token_is_checked_before_the_body_is_read(api, night, monkeypatch):
    from starlette.requests import Request
    reads = []
    real_body = Request.body

    async def counting_body(self):
        reads.append(self.url.path)
        return await real_body(self)

    monkeypatch.setattr(Request, "body", counting_body)
    big = b"[" + b",".join([b'{"kind": "ward"}'] * 200_000) + b"]"  # 3.4 MB of JSON
    for headers in ({}, {"Authorization": "Bearer rnw_not-a-token"}):
        for content in (big, b"{not json", b'{"kind": "\xff"}'):
            r = api.client.post(PATH, content=content, headers={**headers, "Content-Type": "application/json"})
            assert r.status_code == 401, r.text
            assert r.headers["www-authenticate"].startswith("Bearer")
    assert reads == []  # no body was read for anyone without a token
    assert api.client.delete(f"{PATH}/local.greyhaven.pallion.2026-05-07").status_code == 401
    r = api.client.post(PATH, content=b"{not json", headers={**api.auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and reads and set(reads) == {PATH}


# -- 8. candidate names ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["...", "-", "  --  ", "'"])
def test_a_candidate_name_needs_a_letter_or_digit(api, night, name):
    body = body_of(ward_named(night, "Castletown"))
    body["candidates"][2]["name"] = name
    r = api.post(body)
    assert problems(r) == {(("body", "candidates", 2, "name"), "no_letters")}


# -- 14. the schema --------------------------------------------------------------------------------
def test_the_schema_documents_the_400_and_council_has_a_minimum_length(api, night):
    schema = api.client.get("/openapi.json").json()
    post = schema["paths"][PATH]["post"]
    assert {"200", "201", "400", "401", "422"} <= set(post["responses"])
    assert "UTF-8" in post["responses"]["400"]["description"]
    schemas = schema["components"]["schemas"]
    for model in ("WardDeclarationIn", "CouncilDeclarationIn"):
        assert schemas[model]["properties"]["council"]["minLength"] == 1
    delete = schema["paths"][PATH + "/{declaration_id}"]["delete"]
    assert {"200", "401", "404"} <= set(delete["responses"]) and delete["security"] == [{"APIToken": []}]
    # what the schema says is what the API does
    r = api.client.post(PATH, content=b'{"kind": "ward", "council": "\xff"}',
                        headers={**api.auth, "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    ward = body_of(ward_named(night, "Castletown"))
    assert (("body", "council"), "string_too_short") in problems(api.post(dict(ward, council="")))


# -- the withdrawal in the store, on SQLite and PostgreSQL ---------------------------------------


def test_a_withdrawal_on_each_database(store_url, night):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    store = open_store(store_url)
    try:
        pipeline = Pipeline(store, lambda: build(night))
        castletown = ward_named(night, "Castletown")
        pinned = dataclasses.replace(castletown, declared_at=datetime(2099, 5, 8, 1, 0, tzinfo=BST),
                                     candidates=castletown.candidates[::-1])
        pipeline.ingest_all([d for d in greyhaven_wards(night) if d is not castletown] + [pinned])
        assert pipeline.ingest(castletown).outcome == "stale"
        row, records, stories = pipeline.withdraw(castletown.id, by="user:chief", reason="2099")
        assert (row.withdrawn_by, row.reason, row.events) == ("user:chief", "2099", [e.id for e in records])
        assert pipeline.engine.declarations[castletown.id] == castletown
        assert store.current_declaration(castletown.id).declaration() == castletown
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text("DELETE FROM declaration_withdrawals"))
        again = Pipeline(store, lambda: build(night))
        assert again.resumed.consistent, again.resumed.mismatches
        assert again.engine.declarations[castletown.id] == castletown
    finally:
        store.close()


def test_a_withdrawal_with_a_bad_id_or_reason_gets_fastapis_422(api):
    r = api.delete("local." + "x" * 400)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["path", "declaration_id"], r.text
    r = api.delete("local.greyhaven.pallion.2026-05-07", "why" * 200)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "reason"], r.text
