"""The HTTP API for declarations (``POST /api/declarations``) and its API tokens, on the
demo night with a store in a SQLite file under tmp_path."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from click.testing import CliRunner  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from conftest import DEMO  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.store import Declaration, EventRecord, Pipeline, StoryVersion, declaration_to_payload, open_store  # noqa: E402
from writer.store.tokens import ApiToken  # noqa: E402
from writer.web import api as api_module  # noqa: E402
from writer.cli.tokens import tokens as tokens_command  # noqa: E402
from writer.web.tokens import add_token, list_tokens, revoke_token, verify_token  # noqa: E402

PATH = "/api/declarations"


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


class Api:
    """A small app with the router mounted, its store, and a token."""

    def __init__(self, night, tmp_path):
        self.night = night
        self.store = open_store(tmp_path / "writer.db")
        self.pipeline = Pipeline(self.store, lambda: build(night))
        app = FastAPI()
        app.state.store = self.store
        app.state.night = night
        app.state.pipeline = self.pipeline
        app.include_router(api_module.router)
        self.app = app
        self.client = TestClient(app, raise_server_exceptions=False)
        self.token = add_token(self.store, "feed")

    def post(self, body, token: str | None = "default"):
        token = self.token if token == "default" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post(PATH, json=body, headers=headers)

    def counts(self) -> tuple[int, int, int]:
        return (self.store.count(Declaration), self.store.count(EventRecord),
                self.store.count(StoryVersion))


@pytest.fixture
def api(night, tmp_path):
    a = Api(night, tmp_path)
    yield a
    a.client.close()
    a.store.close()


def body_of(decl) -> dict:
    """A demo declaration as a client would post it (no id: the API works it out)."""
    d = declaration_to_payload(decl)
    for key in ("v", "id", "source"):
        d.pop(key)
    return d


def decl_named(night, ward: str):
    return next(d for d in night.declarations if d.kind == "ward" and d.ward == ward)


def council_decl(night, slug: str):
    return next(d for d in night.declarations if d.kind == "council" and d.council == slug)


def problems(response) -> set[tuple[tuple, str]]:
    assert response.status_code == 422, response.text
    return {(tuple(p["loc"]), p["type"]) for p in response.json()["detail"]}


# -- tokens -----------------------------------------------------------------------------------
def test_a_token_is_required(api, night):
    body = body_of(night.declarations[0])
    for token in (None, "rnw_not-a-real-token", api.token + "x", ""):
        r = api.post(body, token=token)
        assert r.status_code == 401, r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert api.token not in r.text
    r = api.client.post(PATH, json=body, headers={"Authorization": f"Basic {api.token}"})
    assert r.status_code == 401
    assert 'error="invalid_token"' in api.post(body, token="rnw_wrong").headers["www-authenticate"]
    # an unauthenticated request learns nothing about the night from a bad body either
    assert api.post({"kind": "ward", "council": "nowhere"}, token=None).status_code == 401
    assert api.counts() == (0, 0, 0)
    assert api.post(body).status_code == 201


def test_a_revoked_token_is_refused_and_the_name_can_have_a_new_one(api, night):
    body = body_of(night.declarations[0])
    assert api.post(body).status_code == 201
    revoke_token(api.store, "feed")
    r = api.post(body)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert verify_token(api.store, api.token) is None
    fresh = add_token(api.store, "feed")
    assert fresh != api.token
    assert api.post(body, token=fresh).status_code == 200  # a repeat, now accepted
    assert api.post(body, token=api.token).status_code == 401  # the old one stays revoked
    assert [(t.name, t.active) for t in list_tokens(api.store)] == [("feed", False), ("feed", True)]
    with pytest.raises(ValueError, match="already has an active token"):
        add_token(api.store, "feed")
    with pytest.raises(ValueError, match="no active token"):
        revoke_token(api.store, "nobody")
    with pytest.raises(ValueError, match="token name"):
        add_token(api.store, "bad name\n")


def test_tokens_are_stored_only_as_digests_and_rows_are_append_only(api, tmp_path):
    with Session(api.store.engine) as s:
        rows = list(s.scalars(select(ApiToken)))
    assert [r.name for r in rows] == ["feed"]
    assert rows[0].token_hash == hashlib.sha256(api.token.encode()).hexdigest()
    assert api.token not in repr(rows[0])
    api.store.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("writer.db*"))
    assert api.token.encode() not in raw
    assert len(api.token) > 40 and api.token.startswith("rnw_")
    with pytest.raises(DBAPIError, match="append-only"):
        with api.store.engine.begin() as conn:
            conn.execute(text("DELETE FROM api_tokens"))


# -- checking -----------------------------------------------------------------------------------
def test_invalid_payloads_get_422_with_every_problem_by_field(api, night):
    ward = body_of(decl_named(night, "Castletown"))
    naive = dict(ward, declared_at="2026-05-07T23:45:00")
    too_many = copy.deepcopy(ward)
    for c in too_many["candidates"][:2]:
        c["elected"] = True
    below = copy.deepcopy(ward)  # the winner has fewer votes than a candidate not elected
    below["candidates"][1]["votes"] = below["candidates"][0]["votes"] + 1
    bad_party = copy.deepcopy(ward)
    bad_party["candidates"][1]["party"] = "Monster Raving"
    bad_party["candidates"][2]["votes"] = -5
    bad_party["candidates"][3]["party"] = "Vacant"
    wrong_id = dict(ward, id="local.greyhaven.somewhere-else.2026-05-07")
    unknown = dict(ward, council="atlantis", seats="two")
    council = body_of(council_decl(night, "greyhaven"))
    council_bad = dict(council, seats_won={"Lab": 4, "Vacant": 1}, composition_after={"Lab": 20, "Xyz": 1})
    batch = [naive, too_many, bad_party, wrong_id, unknown, council_bad,
             {"council": "greyhaven"}, "not an object", dict(ward, extra_field=1), below]
    r = api.post(batch)
    found = problems(r)
    assert {
        (("body", 0, "declared_at"), "datetime_offset"),
        (("body", 1, "candidates"), "too_many_winners"),
        (("body", 2, "candidates", 1, "party"), "party_code"),
        (("body", 2, "candidates", 2, "votes"), "greater_than_equal"),
        (("body", 2, "candidates", 3, "party"), "party_code"),
        (("body", 3, "id"), "id_mismatch"),
        (("body", 4, "seats"), "int_type"),
        (("body", 4, "council"), "unknown_council"),
        (("body", 5, "seats_won", "Vacant"), "party_code"),
        (("body", 5, "seats_won"), "seat_total"),
        (("body", 5, "composition_after", "Xyz"), "party_code"),
        (("body", 5, "composition_after"), "seat_total"),
        (("body", 6, "kind"), "union_tag_invalid"),
        (("body", 7), "model_type"),
        (("body", 8, "extra_field"), "extra_forbidden"),
        (("body", 9, "candidates"), "elected_below_loser"),
    } <= found
    for p in r.json()["detail"]:
        assert p["msg"] and set(p) == {"loc", "msg", "type"}
    naive_msg = next(p["msg"] for p in r.json()["detail"] if p["loc"] == ["body", 0, "declared_at"])
    assert "UTC offset" in naive_msg
    assert api.counts() == (0, 0, 0)
    # a single declaration: the same checks, locs without an index
    assert problems(api.post(naive)) == {(("body", "declared_at"), "datetime_offset")}
    assert problems(api.post([])) == {(("body",), "too_short")}
    assert problems(api.post(dict(ward, declared_at=1778193900))) == {(("body", "declared_at"), "datetime_iso")}
    assert problems(api.post(dict(ward, ward="A\x00B"))) == {(("body", "ward"), "control_characters")}
    r = api.client.post(PATH, content=b"{not json", headers={"Authorization": f"Bearer {api.token}",
                                                            "Content-Type": "application/json"})
    assert r.status_code == 422
    assert api.counts() == (0, 0, 0)


def test_a_batch_with_one_bad_declaration_stores_nothing(api, night):
    wards = [body_of(d) for d in night.declarations if d.kind == "ward" and d.council == "greyhaven"][:3]
    bad = dict(wards[1], seats=0)
    r = api.post([wards[0], bad, wards[2]])
    assert problems(r) == {(("body", 1, "seats"), "greater_than_equal")}
    assert api.counts() == (0, 0, 0)
    assert api.pipeline.engine.declarations == {}
    r = api.post(wards)
    assert r.status_code == 201
    assert [d["outcome"] for d in r.json()["declarations"]] == ["new"] * 3
    assert r.json()["stored"] == 3 and api.store.count(Declaration) == 3


def test_the_wards_cannot_elect_more_than_the_seats_up(api, night):
    # Greyhaven elects thirds: 8 seats up tonight; nine one-seat wards are one too many
    base = body_of(decl_named(night, "Pallion"))
    wards = [dict(base, ward=f"Ward {i}", ward_code=f"E0599{i:04d}") for i in range(9)]
    found = problems(api.post(wards))
    assert (("body", 8, "seats"), "seat_total") in found
    assert api.counts() == (0, 0, 0)


# -- idempotence, corrections, stale versions ---------------------------------------------------
def test_a_repeat_stores_nothing(api, night):
    body = body_of(decl_named(night, "Castletown"))
    first = api.post(body)
    assert first.status_code == 201
    out = first.json()["declarations"][0]
    assert out["outcome"] == "new" and out["id"] == "local.greyhaven.castletown.2026-05-07"
    assert out["events"] and all(e["status"] == "new" for e in out["events"])
    assert out["stories"] == ["ward:local.greyhaven.castletown.2026-05-07"]
    counts = api.counts()
    again = api.post(dict(body, id="local.greyhaven.castletown.2026-05-07", source="re-sent"))
    assert again.status_code == 200
    assert again.json() == {"stored": 0, "declarations": [{
        "index": 0, "id": out["id"], "kind": "ward", "outcome": "repeat", "stored": False,
        "events": [], "stories": []}]}
    assert api.counts() == counts


def test_a_correction_replaces_the_declaration_and_updates_its_events(api, night):
    body = body_of(decl_named(night, "Castletown"))  # Reform gain from Lab
    first = api.post(body).json()["declarations"][0]
    gain = next(e for e in first["events"] if e["key"].startswith("ward-gain:"))
    corrected = copy.deepcopy(body)  # a recount: Con, not Reform, won
    reform, con = corrected["candidates"][0], corrected["candidates"][1]
    reform["votes"], con["votes"] = con["votes"], reform["votes"]
    reform["elected"], con["elected"] = False, True
    corrected["declared_at"] = "2026-05-08T00:30:00+01:00"
    r = api.post(corrected)
    assert r.status_code == 201
    out = r.json()["declarations"][0]
    assert out["outcome"] == "correction" and out["stored"]
    statuses = {e["key"]: e["status"] for e in out["events"]}
    assert statuses.get(gain["key"]) in ("updated", "retracted")
    assert any("Con" in e["title"] for e in out["events"] if e["status"] != "retracted")
    rows = api.store.declaration_rows(out["id"])
    assert [row.outcome for row in rows] == ["new", "correction"]
    assert api.store.replaced_by(rows[0].seq).seq == rows[1].seq
    assert api.store.current_declaration(out["id"]).seq == rows[1].seq
    stored = {e.event_id: e.status for e in api.store.event_rows(rows[1].seq)}
    assert stored == {e["id"]: e["status"] for e in out["events"]}
    assert len(api.store.story_history(f"ward:{out['id']}")) == 2


def declared_then_corrected(api, night) -> dict:
    """Castletown posted, then a correction of it declared later (10 more votes for the
    first candidate); the first version's body."""
    body = body_of(decl_named(night, "Castletown"))
    api.post(body)
    corrected = copy.deepcopy(body)
    corrected["candidates"][0]["votes"] += 10
    corrected["declared_at"] = "2026-05-08T00:30:00+01:00"
    assert api.post(corrected).json()["declarations"][0]["outcome"] == "correction"
    return body


def test_an_older_version_is_stale(api, night):
    body = declared_then_corrected(api, night)
    counts = api.counts()
    # the first version, sent again: stale, and nothing stored
    r = api.post(body)
    assert r.status_code == 200
    assert r.json()["declarations"][0]["outcome"] == "stale"
    assert api.counts() == counts
    # a version declared before the standing one arrives late: stored as stale, no events
    late = copy.deepcopy(body)
    late["candidates"][0]["votes"] += 3
    late["declared_at"] = "2026-05-08T00:10:00+01:00"
    r = api.post(late)
    out = r.json()["declarations"][0]
    assert r.status_code == 201 and out["outcome"] == "stale" and out["events"] == []
    assert api.counts() == (counts[0] + 1, counts[1], counts[2])
    current = api.store.current_declaration(out["id"]).declaration()
    assert current.candidates[0].votes == body["candidates"][0]["votes"] + 10
    assert api.pipeline.engine.declarations[out["id"]] == current


def test_the_first_version_declared_again_later_stands_again(api, night):
    """A, B, then A again with a later time (a recount restores the first result): a
    correction, stored, and the standing version; sent again as it was, a repeat."""
    body = declared_then_corrected(api, night)
    restored = dict(body, declared_at="2026-05-08T01:15:00+01:00", source="recount")
    r = api.post(restored)
    out = r.json()["declarations"][0]
    assert r.status_code == 201 and out["outcome"] == "correction" and out["stored"] and out["events"]
    rows = api.store.declaration_rows(out["id"])
    assert [row.outcome for row in rows] == ["new", "correction", "correction"]
    assert rows[0].content_digest == rows[2].content_digest
    current = api.store.current_declaration(out["id"]).declaration()
    assert current.candidates[0].votes == body["candidates"][0]["votes"]
    assert api.pipeline.engine.declarations[out["id"]] == current
    again = api.post(restored)
    assert again.status_code == 200 and again.json()["declarations"][0]["outcome"] == "repeat"


def test_ward_and_council_declarations_in_one_batch(api, night):
    greyhaven = [body_of(d) for d in night.declarations if d.council == "greyhaven"]
    assert greyhaven[-1]["kind"] == "council"
    r = api.post(greyhaven)
    assert r.status_code == 201, r.text
    outs = r.json()["declarations"]
    assert [o["outcome"] for o in outs] == ["new"] * len(greyhaven)
    assert outs[-1]["id"] == "local.greyhaven.2026-05-07" and outs[-1]["kind"] == "council"
    assert any(e["key"].startswith("council-") or "greyhaven" in e["key"] for e in outs[-1]["events"])
    assert [d.id for d in api.store.declarations()] == [
        d.id for d in night.declarations if d.council == "greyhaven"]
    assert api.pipeline.engine.results["greyhaven"].final


def test_parties_resolve_to_the_loaded_nights_codes(api, night):
    """A party sent under another spelling ("The Brackenfield First Party" for the night's
    Brackenfield First), a registry name (Labour Party) or a LEAP code the registry knows is
    stored and counted as the loaded night's code: one party, one code, however it arrives."""
    body = body_of(decl_named(night, "Debden Green"))
    assert {c["party"] for c in body["candidates"]} >= {"Other (Brackenfield First)"}
    for c in body["candidates"]:
        if c["party"] == "Other (Brackenfield First)":
            c["party"] = "Other (The Brackenfield First Party)"
    r = api.post(body)
    assert r.status_code == 201, r.text
    stored = api.store.declarations()[0]
    assert "Other (The Brackenfield First Party)" not in {c.party for c in stored.candidates}
    assert {c.party for c in stored.candidates} == {c.party for c in decl_named(night, "Debden Green").candidates}
    council = body_of(council_decl(night, "brackenfield"))
    after = dict(council["composition_after"])
    n = after.pop("Other (Brackenfield First)")
    council["composition_after"] = {**after, "Other (Brackenfield First Group)": n}
    r = api.post(council)
    assert r.status_code == 201, r.text
    decl = api.pipeline.engine.declarations["local.brackenfield.2026-05-07"]
    assert decl.composition_after == council_decl(night, "brackenfield").composition_after


def test_hostile_strings_are_stored_as_data(api, night):
    body = body_of(decl_named(night, "Pallion"))
    hostile = '<script>alert("x")</script> O\'Brien & Sons; DROP TABLE declarations;--'
    body["candidates"][1]["name"] = hostile
    body["source"] = "<img src=x onerror=alert(1)>"
    r = api.post(body)
    assert r.status_code == 201, r.text
    row = api.store.declaration_rows()[0]
    assert row.payload["candidates"][1]["name"] == hostile
    assert row.source == "api:feed:<img src=x onerror=alert(1)>"
    assert api.store.declarations()[0].candidates[1].name == hostile


def test_a_failed_write_stores_nothing_and_the_engine_follows_the_store(api, night, monkeypatch):
    wards = [body_of(d) for d in night.declarations if d.kind == "ward"][:3]
    real = api.store.record_declaration
    calls = []

    def failing(decl, *args, **kwargs):
        calls.append(decl.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(decl, *args, **kwargs)

    monkeypatch.setattr(api.store, "record_declaration", failing)
    r = api.post(wards)
    assert r.status_code == 500
    assert api.counts() == (0, 0, 0)
    assert api.pipeline.engine.declarations == {}  # rebuilt from the (empty) store
    monkeypatch.setattr(api.store, "record_declaration", real)
    r = api.post(wards)
    assert [d["outcome"] for d in r.json()["declarations"]] == ["new"] * 3


# -- the schema ---------------------------------------------------------------------------------
def test_the_openapi_schema_publishes_the_endpoint_and_both_kinds(api):
    schema = api.client.get("/openapi.json").json()
    op = schema["paths"][PATH]["post"]
    assert {"200", "201", "401", "422"} <= set(op["responses"])
    assert op["security"] == [{"APIToken": []}]
    assert schema["components"]["securitySchemes"]["APIToken"]["scheme"] == "bearer"
    body = json.dumps(op["requestBody"])
    assert "WardDeclarationIn" in body and "CouncilDeclarationIn" in body and '"kind"' in body
    schemas = schema["components"]["schemas"]
    assert schemas["WardDeclarationIn"]["properties"]["kind"]["const"] == "ward"
    assert schemas["CouncilDeclarationIn"]["properties"]["kind"]["const"] == "council"
    assert {"council", "ward", "ward_code", "seats", "candidates", "declared_at"} <= \
        set(schemas["WardDeclarationIn"]["required"])
    assert {"council", "seats_won", "composition_after", "declared_at"} <= \
        set(schemas["CouncilDeclarationIn"]["required"])
    assert schemas["WardDeclarationIn"]["properties"]["declared_at"]["format"] == "date-time"
    outcome = schemas["DeclarationOutcome"]["properties"]["outcome"]
    assert set(outcome["enum"]) == {"new", "correction", "repeat", "stale"}


# -- the commands -------------------------------------------------------------------------------
def test_token_commands(tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    r = runner.invoke(tokens_command, ["add", "pa-feed", "--database", db])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip()
    assert token.startswith("rnw_") and "\n" not in token
    store = open_store(db)
    try:
        assert verify_token(store, token) == "pa-feed"
    finally:
        store.close()
    r = runner.invoke(tokens_command, ["add", "pa-feed", "--database", db])
    assert r.exit_code == 2 and "already has an active token" in r.output
    r = runner.invoke(tokens_command, ["list", "--database", db])
    assert r.exit_code == 0 and "pa-feed" in r.stdout and "active" in r.stdout
    assert token not in r.output
    r = runner.invoke(tokens_command, ["revoke", "pa-feed", "--database", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(tokens_command, ["list", "--json", "--database", db])
    assert [json.loads(line)["active"] for line in r.stdout.splitlines()] == [False]
    r = runner.invoke(tokens_command, ["revoke", "pa-feed", "--database", db])
    assert r.exit_code == 2 and "no active token" in r.output
    store = open_store(db)
    try:
        assert verify_token(store, token) is None
    finally:
        store.close()
