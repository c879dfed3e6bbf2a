"""The review app answering at once while its night loads (writer/web/startup.py).

``writer serve --night DIR`` builds the app on the store alone and makes the night, its
pipeline, the fact-checker and the publisher in the background. Meanwhile the sign-in page
answers, ``/healthz`` says 503, and everything that needs the night waits for it and is then
answered as if the night had been there from the start. A night that cannot be made ready
turns those requests into 503s that say why, and the server is told to stop.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient  # noqa: E402

from conftest import DEMO  # noqa: E402
from helpers import csrf_of  # noqa: E402
from writer.errors import InputError, Problem  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.night import build, fact_checker, party_names  # noqa: E402
from writer.store import Pipeline, open_store  # noqa: E402
from writer.store.users import ReviewRecords  # noqa: E402
from writer.web.security import hash_password  # noqa: E402
from writer.web.startup import NightParts, Startup, at_once  # noqa: E402

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-for-the-startup-tests"
HELD = 1.0  # seconds a held request is watched to stay held


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


@pytest.fixture(scope="module")
def checker(night):
    return fact_checker(night, party_names())


@pytest.fixture
def store(tmp_path, night):
    """A store holding the demo night's first 30 declarations and an editor."""
    s = open_store(tmp_path / "startup.db")
    Pipeline(s, lambda: build(night)).ingest_all(night.declarations[:30])
    ReviewRecords(s).add_user("ed", "editor", hash_password(PASSWORD), by="test")
    yield s
    s.close()


def publishing_for(store, night, pipeline, checker, lock):
    from writer.publish.service import Publishing
    from writer.review.checks import FactChecks
    return Publishing.build(store, night, checker=FactChecks(store, checker), pipeline=pipeline, ingest_lock=lock,
                            env={}, base_url="https://results.example")


def app_with(store, prepare, **kw):
    from writer.web.app import create_app
    return create_app(store, startup=Startup(prepare, **kw), https_only=True, secret_key=SECRET)


def sign_in(client: TestClient) -> None:
    r = client.post("/login", data={"username": "ed", "password": PASSWORD,
                                    "csrf_token": csrf_of(client.get("/login").text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue"


def in_thread(fn):
    """Run ``fn`` in a thread; returns (thread, result list)."""
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    return t, out


def test_the_sign_in_answers_at_once_and_the_rest_waits_for_the_night(store, night, checker):
    release = threading.Event()
    lock = threading.Lock()
    made: dict = {}

    def prepare() -> NightParts:
        assert release.wait(60), "the test never released the night"
        pipeline = Pipeline(store, lambda: build(night))
        made["publishing"] = publishing_for(store, night, pipeline, checker, lock)
        return NightParts(night, pipeline, checker, made["publishing"])

    app = app_with(store, prepare)
    with TestClient(app, base_url="https://testserver") as client:
        # before the night is ready: the sign-in works, the health check says "not yet"
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json() == {"ok": False, "starting": True}
        assert health.headers["retry-after"] and health.headers["x-frame-options"] == "DENY"
        sign_in(client)
        assert client.get("/static/app.css").status_code == 200
        # the queue, the API and the feeds are held, not answered from half a night
        queue, queue_out = in_thread(lambda: client.get("/queue.json"))
        feed, feed_out = in_thread(lambda: client.get("/feeds/night.atom"))
        queue.join(HELD)
        feed.join(0.1)
        assert not queue_out and not feed_out, "a request that needs the night was answered before it was ready"
        release.set()
        queue.join(60)
        feed.join(60)
        assert queue_out[0].status_code == 200, queue_out[0].text
        rows = queue_out[0].json()["rows"]
        assert rows and {r["check"] for r in rows} <= {"ok", "failed"}, "the held queue was not fact-checked"
        assert feed_out[0].status_code == 200 and b"<feed" in feed_out[0].content
        # then everything is as with a night given to create_app
        assert client.get("/healthz").json() == {"ok": True, "fact_check": True}
        assert app.state.pipeline.engine.declarations and app.state.night is night
        assert app.state.templates.globals["fact_check_available"] is True
    app.state.startup.stop()
    made["publishing"].stop()


def test_declarations_posted_while_the_night_loads_are_taken_once_it_is_ready(store, night):
    from writer.web.api import PATH
    from writer.web.tokens import add_token
    from test_api import body_of

    token = add_token(store, "startup-test")
    release = threading.Event()

    def prepare() -> NightParts:
        assert release.wait(60)
        return NightParts(night, Pipeline(store, lambda: build(night)), None, None)

    app = app_with(store, prepare)
    decl = night.declarations[30]
    with TestClient(app, base_url="https://testserver") as client:
        post, out = in_thread(lambda: client.post(PATH, json=body_of(decl),
                                                  headers={"Authorization": f"Bearer {token}"}))
        post.join(HELD)
        assert not out
        release.set()
        post.join(60)
        assert out[0].status_code == 201, out[0].text
        assert out[0].json()["declarations"][0]["outcome"] == "new"
    rows = store.declaration_rows()
    assert len(rows) == 31 and rows[-1].declaration_id == decl.id


def test_a_night_that_cannot_be_loaded_is_said_and_stops_the_server(store):
    failures: list[BaseException] = []
    problem = InputError([Problem("results/wards.csv", 3, "votes", "expected a whole number, got 'ten'")],
                         "invalid election directory")

    def prepare() -> NightParts:
        raise problem

    app = app_with(store, prepare, on_failure=failures.append)
    with TestClient(app, base_url="https://testserver") as client:
        deadline = time.monotonic() + 30
        while not failures and time.monotonic() < deadline:
            time.sleep(0.01)
        assert failures == [problem]
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["ok"] is False
        assert "expected a whole number, got 'ten'" in health.json()["error"]
        assert client.get("/login").status_code == 200  # signing in still answers
        sign_in(client)
        for path, kind in (("/queue", "text/plain"), ("/api/declarations", "application/json")):
            r = client.get(path) if path == "/queue" else client.post(path, json={})
            assert r.status_code == 503 and r.headers["content-type"].startswith(kind)
            assert "The night could not be loaded" in r.text and "results/wards.csv, line 3" in r.text


def test_what_was_made_after_the_server_stopped_is_closed():
    closed = threading.Event()
    release = threading.Event()

    class Publishing:
        def stop(self) -> None:
            closed.set()

    startup = Startup(lambda: (release.wait(30), NightParts(None, None, None, Publishing()))[1])

    async def run() -> None:
        startup.begin(lambda parts: pytest.fail("attached after the server stopped"))
        startup.stop()  # the server stops while the night is still being made
        release.set()
        await asyncio.sleep(0)

    asyncio.run(run())
    assert closed.wait(30), "the publisher made after the stop was not stopped"
    assert not startup.ready


def test_only_the_sign_in_and_static_paths_answer_before_the_night():
    assert all(at_once(p) for p in ("/", "/login", "/logout", "/healthz", "/favicon.ico", "/static/app.js"))
    assert not any(at_once(p) for p in ("/queue", "/queue.json", "/story/council%3Anorthmoor", "/rules",
                                        "/api/declarations", "/feeds/night.atom", "/api/openapi.json",
                                        "/login/", "/staticx"))


def test_a_startup_and_a_night_given_together_are_refused(store, night):
    from writer.web.app import create_app
    with pytest.raises(TypeError, match="with a startup"):
        create_app(store, night=night, startup=Startup(lambda: NightParts(night)), secret_key=SECRET)
