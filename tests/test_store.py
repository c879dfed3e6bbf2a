"""The store: the same tests on SQLite (a file in tmp_path) and PostgreSQL (a fresh schema
on the server at 127.0.0.1:5432, database ``test``; skipped with the reason when it cannot
be reached). ``WRITER_TEST_DATABASE_URL`` points the PostgreSQL runs at another server."""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

sqlalchemy = pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from sqlalchemy import event, inspect, text  # noqa: E402
from sqlalchemy.exc import DBAPIError, IntegrityError  # noqa: E402

from conftest import DEMO  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.model import Candidate, WardDeclaration  # noqa: E402
from writer.store import (AppendOnlyError, Declaration, EventRecord, Pipeline, Store, StoreError,  # noqa: E402
                          StoryVersion, database_url, declaration_from_payload,
                          declaration_to_payload, ingest, open_store, story_from_payload)
from writer.store.db import alembic_config, current_revision, make_engine, migrate  # noqa: E402

from helpers import find_postgres  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server():
    url, reason = find_postgres()
    if url is None:
        pytest.skip(reason)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A URL to an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'writer.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    import psycopg

    u = database_url(server)
    schema = f"writer_test_{uuid.uuid4().hex[:12]}"
    conninfo = dict(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                    dbname=u.database, autocommit=True)
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in server else "?"
    yield f"{server}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


class Statements:
    """Every SQL statement the store's engine sends."""

    def __init__(self, engine) -> None:
        self.sql: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, conn, cursor, statement, parameters, context, executemany):
        self.sql.append(statement)

    def matching(self, pattern: str) -> list[str]:
        return [s for s in self.sql if re.match(pattern, s.lstrip(), re.IGNORECASE)]


# -- the night and an uninterrupted run without a store -------------------------------------------
@pytest.fixture(scope="session")
def night():
    return load_night(DEMO)


@pytest.fixture(scope="session")
def factory(night):
    return lambda: build(night)


def plain(obj) -> object:
    """As JSON gives it back (tuples become lists)."""
    return json.loads(json.dumps(obj))


@pytest.fixture
def reference(factory, night):
    """Events and story versions of the whole night run in memory, with no store (made for
    each test, from the rules and templates as they are when it runs)."""
    engine, desk = factory()
    events = []
    for decl in night.declarations:
        applied = engine.apply(decl)
        events.extend(applied.events)
        desk.apply(applied.events)
    return {
        "events": [plain(e.to_dict()) for e in events],
        "stories": [plain(s.to_dict()) for s in desk.feed],
        "current": [plain(s.to_dict()) for s in desk.current()],
    }


def stored_night(store: Store) -> dict:
    with store._read() as s:
        stories = list(s.scalars(sqlalchemy.select(StoryVersion).order_by(StoryVersion.seq)))
    return {
        "events": [row.payload for row in store.event_rows()],
        "stories": [row.payload for row in stories if row.author == "writer"],
        "current": [row.payload for row in store.latest_stories()],
    }


def distinct_declarations(night) -> int:
    return len({(d.id, d.content_digest()) for d in night.declarations})


def a_correction(night) -> tuple[str, list]:
    """The demo night's corrected ward: its id and its declarations in order."""
    by_id: dict[str, list] = {}
    for d in night.declarations:
        by_id.setdefault(d.id, []).append(d)
    ids = [i for i, ds in by_id.items() if len(ds) > 1]
    assert ids, "the demo night has a corrected ward"
    return ids[0], by_id[ids[0]]


# -- payloads ----------------------------------------------------------------------------------
def test_declaration_payload_round_trip(night):
    for decl in night.declarations:
        payload = plain(declaration_to_payload(decl))  # through JSON text, as stored
        back = declaration_from_payload(payload)
        assert back == decl
        assert back.content_digest() == decl.content_digest()
        assert back.declared_at.utcoffset() == decl.declared_at.utcoffset()


def test_declaration_payload_keeps_missing_votes_and_offsets():
    decl = WardDeclaration(
        id="local.x.y.2026-05-07", council="x", ward="Y", ward_code="E059", seats=2,
        candidates=(Candidate("A", "Lab", None, True), Candidate("B", "Con", None, True)),
        declared_at=datetime(2026, 5, 8, 2, 15, 30, tzinfo=timezone(timedelta(hours=1))),
        source="feed:123", turnout_pct=31.4)
    assert declaration_from_payload(plain(declaration_to_payload(decl))) == decl
    with pytest.raises(ValueError, match="UTC offset"):
        declaration_from_payload({**declaration_to_payload(decl), "declared_at": "2026-05-08T02:15:30"})


# -- migrations --------------------------------------------------------------------------------
def test_migrations_run_to_head_and_match_the_models(store, store_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from writer.store.models import Base

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(store.engine) == head
    tables = set(inspect(store.engine).get_table_names())
    assert {"declarations", "events", "story_versions", "review_decisions", "check_results",
            "alembic_version"} <= tables
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}),
                                Base.metadata)
    assert diff == [], f"the migrations and the models disagree: {diff}"
    # migrating again (as every open does) finds the database at head and changes nothing
    engine = make_engine(store_url)
    seen = Statements(engine)
    migrate(engine)
    assert current_revision(engine) == head
    engine.dispose()
    assert seen.matching(r"SELECT\b.*alembic_version"), "the listener saw the migration look"
    assert not seen.matching(r"(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE)\b")


def test_migrations_downgrade_to_nothing_and_back(store_url):
    from alembic import command

    engine = make_engine(store_url)
    migrate(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert "declarations" in inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    s = open_store(tmp_path / "night.db")
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    s.close()


def test_default_is_writer_db_here_unless_the_environment_says(tmp_path, monkeypatch):
    monkeypatch.delenv("WRITER_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    s = open_store()
    assert (tmp_path / "writer.db").exists()
    s.close()
    monkeypatch.setenv("WRITER_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    s = open_store()
    assert (tmp_path / "other.db").exists()
    s.close()
    assert database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(ValueError, match="in-memory"):
        open_store("sqlite://")


# -- replay ------------------------------------------------------------------------------------
def test_replay_stores_every_declaration_once(store, night, factory, reference):
    pipeline = Pipeline(store, factory)
    results = pipeline.ingest_all(night.declarations)
    assert [r.outcome for r in results].count("seen") == len(night.declarations) - distinct_declarations(night)
    assert store.count(Declaration) == distinct_declarations(night)
    assert [(d.id, d.content_digest()) for d in store.declarations()] == \
        [(d.id, d.content_digest()) for d in night.declarations]
    assert store.declarations() == list(night.declarations)  # rebuilt from payloads
    assert stored_night(store) == reference
    row = store.declaration_rows()[0]
    assert row.received_at.tzinfo is not None and row.payload["source"] == row.source

    # replaying again, in the same process or a new one, stores nothing new
    statements = Statements(store.engine)
    assert {r.outcome for r in pipeline.ingest_all(night.declarations)} == {"seen"}
    assert {r.outcome for r in Pipeline(store, factory).ingest_all(night.declarations)} == {"seen"}
    assert not statements.matching(r"INSERT\b")
    assert store.count(Declaration) == distinct_declarations(night)
    assert store.count(EventRecord) == len(reference["events"])


def test_the_store_is_append_only(store, night, factory):
    statements = Statements(store.engine)
    pipeline = Pipeline(store, factory)
    pipeline.ingest_all(night.declarations)
    sid = store.latest_stories()[0].story_id
    latest = store.latest_story(sid)
    edited = replace(latest.story(), headline="An edited headline")
    store.record_stories([edited], author="alice")
    store.record_decision(sid, latest.version + 1, "approved", "bob", note="fine")
    store.record_check(sid, latest.version + 1, False, [{"claim": "x"}])
    store.record_check(sid, latest.version + 1, False, [{"claim": "x"}],
                       override_reason="checked by phone", user="bob")
    assert statements.matching(r"INSERT\b"), "the listener saw the writes"
    assert statements.matching(r"(UPDATE|DELETE|REPLACE|MERGE|TRUNCATE)\b") == []

    # the database refuses changes too, and so do the store's sessions
    for sql in ("UPDATE declarations SET source = 'x'", "DELETE FROM events",
                "UPDATE story_versions SET headline = 'x'", "DELETE FROM review_decisions",
                "UPDATE check_results SET ok = true"):
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text(sql))
    with pytest.raises(AppendOnlyError):
        with store.transaction() as session:
            row = session.get(Declaration, 1)
            row.source = "changed"
    with pytest.raises(AppendOnlyError):
        with store.transaction() as session:
            session.delete(session.get(Declaration, 1))
    assert store.declaration_rows()[0].source == night.declarations[0].source


# -- corrections and story versions ------------------------------------------------------------
def test_a_correction_is_a_new_row_and_the_latest_state_follows_it(store, night, factory):
    pipeline = Pipeline(store, factory)
    pipeline.ingest_all(night.declarations)
    did, versions = a_correction(night)
    rows = store.declaration_rows(did)
    assert [r.outcome for r in rows] == ["new", "correction"]
    assert [r.declaration() for r in rows] == versions
    assert store.replaced_by(rows[0].seq).seq == rows[1].seq
    assert store.replaced_by(rows[1].seq) is None
    assert store.current_declaration(did).seq == rows[1].seq

    # the first version sent again later is already stored: nothing happens
    assert pipeline.ingest(versions[0]).outcome == "seen"

    # a further correction, with different figures, declared later
    current = versions[-1]
    figures = tuple(replace(c, votes=(c.votes or 0) + (500 if i == 1 else 0))
                    for i, c in enumerate(current.candidates))
    fixed = replace(current, candidates=figures, declared_at=current.declared_at + timedelta(minutes=5),
                    source="feed:correction")
    story_ids = {"ward:" + did, "council:" + current.council}
    before = {sid: store.latest_story(sid) for sid in story_ids}
    done = pipeline.ingest(fixed)
    assert done.outcome == "correction" and done.seq is not None
    rows = store.declaration_rows(did)
    assert [r.outcome for r in rows] == ["new", "correction", "correction"]
    assert store.current_declaration(did).declaration() == fixed
    assert store.replaced_by(rows[1].seq).seq == rows[2].seq
    assert store.event_rows(done.seq) and [e.event_id for e in store.event_rows(done.seq)] == \
        [e.id for e in done.events]
    for story in done.stories:
        latest = store.latest_story(story.id)
        assert latest.declaration_seq == done.seq
        assert latest.payload == plain(story.to_dict())
        if before.get(story.id) is not None:
            assert latest.version == before[story.id].version + 1

    # an older version arriving after it is stale: stored as received, changing nothing
    older = replace(fixed, candidates=current.candidates[::-1], declared_at=current.declared_at - timedelta(hours=1))
    stale = pipeline.ingest(older)
    assert stale.outcome == "stale" and stale.events == () and stale.stories == ()
    assert store.current_declaration(did).declaration() == fixed

    # the first version again, declared after the standing one (a recount restores it): a
    # correction, stored as a row of its own though its content is stored already
    restored = replace(versions[0], declared_at=fixed.declared_at + timedelta(minutes=5), source="feed:recount")
    done = pipeline.ingest(restored)
    assert done.outcome == "correction" and done.seq is not None and done.events
    assert store.current_declaration(did).declaration() == restored
    assert store.replaced_by(rows[2].seq).seq == done.seq
    assert pipeline.ingest(restored).outcome == "seen"  # sent again as it was: a repeat
    # the standing version sent again at another time is a repeat too, and stores nothing
    assert pipeline.ingest(replace(restored, declared_at=restored.declared_at + timedelta(minutes=1))).outcome == "seen"
    assert len(store.declaration_rows(did)) == 5
    # an engine and desk rebuilt from the store come to the same state
    assert Pipeline(store, factory).resumed.consistent


def test_a_store_with_declarations_in_it_migrates_to_the_key_with_the_time(store_url, night, factory):
    """Revision 0005 changes the declarations' unique key on a store that holds a night:
    every row kept with its sequence number, events still pointing at them, the table still
    append-only, and the same content storable again at another time."""
    old = open_store(store_url, migrate_to="0004")
    Pipeline(old, factory).ingest_all(night.declarations[:40])
    rows = [(r.seq, r.declaration_id, r.content_digest, r.declared_at) for r in old.declaration_rows()]
    events = [(e.seq, e.declaration_seq) for e in old.event_rows()]
    old.close()
    store = open_store(store_url)
    assert current_revision(store.engine) >= "0005"  # head: 0005 or a later revision
    assert [(r.seq, r.declaration_id, r.content_digest, r.declared_at) for r in store.declaration_rows()] == rows
    assert [(e.seq, e.declaration_seq) for e in store.event_rows()] == events
    with pytest.raises(DBAPIError, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM declarations"))
    with pytest.raises(IntegrityError):  # events must still point at declarations
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO events (event_id, key, version, status, rule, scope, subject, council, "
                              "score, provisional, at, payload, declaration_seq) VALUES ('x', 'k', 1, 'new', "
                              "'r', 'ward', 's', 'c', 1.0, false, '2026-05-07T23:00:00', '{}', 99999)"))
    assert Pipeline(store, factory).resumed.consistent
    # the key: the same content may be stored again at another time, not at the same time
    first = night.declarations[0]
    store.record_declaration(replace(first, declared_at=first.declared_at + timedelta(days=1)), "stale")
    with pytest.raises(IntegrityError):
        store.record_declaration(first, "stale")
    store.close()


def test_story_versions_edits_decisions_and_checks_are_kept(store, night, factory):
    pipeline = Pipeline(store, factory)
    pipeline.ingest_all(night.declarations)
    multi = [sid for sid in {r.story_id for r in store.latest_stories(include_retracted=True)}
             if len(store.story_history(sid)) > 1]
    assert multi, "some story was redrafted during the night"
    for sid in multi:
        history = store.story_history(sid)
        assert [h.version for h in history] == list(range(1, len(history) + 1))
        assert [h.story().version for h in history] == [h.draft_version for h in history]
        assert store.latest_story(sid).version == len(history)
        assert {h.author for h in history} == {"writer"}

    # a person's edit is a new version; the story's current state is the edit
    sid = "council:" + night.declarations[-1].council
    latest = store.latest_story(sid)
    story = latest.story()
    assert plain(story.to_dict()) == latest.payload
    edit = store.record_stories([replace(story, headline="Edited: " + story.headline)], author="alice")[0]
    assert (edit.version, edit.author, edit.declaration_seq) == (latest.version + 1, "alice", None)
    now = store.latest_story(sid)
    assert now.version == edit.version and now.headline.startswith("Edited: ")
    assert now.story().headline == now.headline
    assert [h.author for h in store.story_history(sid)][-2:] == ["writer", "alice"]

    # decisions and checks, with who, what, why and when
    store.record_decision(sid, latest.version, "held", "bob", note="waiting for the count")
    store.record_decision(sid, edit.version, "approved", "carol")
    assert [d.decision for d in store.decisions(sid)] == ["held", "approved"]
    assert store.latest_decision(sid).username == "carol"
    assert store.latest_decision(sid, latest.version).note == "waiting for the count"
    failed = store.record_check(sid, edit.version, False, [{"claim": "a figure", "why": "not in facts"}])
    store.record_check(sid, edit.version, False, failed.failures, override_reason="agreed with the council",
                       user="carol")
    checks = store.checks(sid, edit.version)
    assert [c.override_reason for c in checks] == [None, "agreed with the council"]
    assert checks[0].failures == [{"claim": "a figure", "why": "not in facts"}]
    assert store.latest_check(sid).username == "carol"
    assert all(c.created_at.tzinfo is not None for c in checks)
    with pytest.raises(ValueError):
        store.record_decision(sid, edit.version, "published", "bob")
    with pytest.raises(ValueError):
        store.record_check(sid, edit.version, False, override_reason="because", user=None)
    with pytest.raises(IntegrityError):  # there is no such version to decide on
        store.record_decision(sid, edit.version + 5, "approved", "bob")


# -- restarts and failures ---------------------------------------------------------------------
def test_resume_after_a_crash_matches_an_uninterrupted_run(store_url, night, factory, reference):
    half = len(night.declarations) // 2
    first = open_store(store_url)
    Pipeline(first, factory).ingest_all(night.declarations[:half])
    stored = first.count(Declaration)
    first.close()  # the process dies here

    store = open_store(store_url)  # a new process
    statements = Statements(store.engine)
    pipeline = Pipeline(store, factory)  # a fresh engine and desk, resumed from the store
    assert pipeline.resumed.consistent, pipeline.resumed.mismatches
    assert pipeline.resumed.declarations == stored
    assert not statements.matching(r"INSERT\b"), "resuming writes nothing"

    # the replay restarts from the top: what is stored is skipped, the rest goes in
    results = pipeline.ingest_all(night.declarations)
    assert [r.outcome for r in results[:half]] == ["seen"] * half
    assert store.count(Declaration) == distinct_declarations(night)
    assert stored_night(store) == reference
    assert [plain(s.to_dict()) for s in pipeline.desk.current()] == reference["current"]
    store.close()


def test_a_failed_transaction_leaves_nothing_of_its_declaration(store, night, factory, reference, monkeypatch):
    engine, desk = factory()  # the victim: a declaration that drafts stories, after a few
    done = next(i for i, d in enumerate(night.declarations)
                if desk.apply(engine.apply(d).events) and i >= 5)
    victim = night.declarations[done]
    pipeline = Pipeline(store, factory)
    pipeline.ingest_all(night.declarations[:done])
    counts = {m: store.count(m) for m in (Declaration, EventRecord, StoryVersion)}

    def broken(self, *args, **kwargs):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(Store, "record_stories", broken)
    with pytest.raises(RuntimeError, match="disk filled up"):
        pipeline.ingest(victim)
    monkeypatch.undo()

    assert {m: store.count(m) for m in counts} == counts
    assert not store.seen(victim.id, victim.content_digest())
    assert store.declaration_rows(victim.id) == []
    # the pipeline rebuilt its engine and desk from the store: taking the declaration again works
    assert pipeline.engine.declarations.get(victim.id) is None
    assert pipeline.ingest(victim).outcome == "new"
    pipeline.ingest_all(night.declarations[done + 1:])
    assert stored_night(store) == reference


def test_ingest_refuses_when_the_engine_is_ahead_of_the_store(store, night, factory):
    engine, desk = factory()
    engine.apply(night.declarations[0])  # taken in memory, never stored
    with pytest.raises(StoreError, match="resume"):
        ingest(store, engine, desk, night.declarations[0])
    assert store.count(Declaration) == 0


def test_stored_stories_rebuild(store, night, factory):
    Pipeline(store, factory).ingest_all(night.declarations[:40])
    for row in store.latest_stories(include_retracted=True):
        story = story_from_payload(row.payload)
        assert plain(story.to_dict()) == row.payload
        assert (story.id, story.status, story.headline) == (row.story_id, row.status, row.headline)
