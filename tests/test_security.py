"""Security (issue 6): every route's access rule (``writer.web.security.ROUTE_RULES``) checked
against a fully wired app (review desk, declarations API, public feeds, publishing); CSRF on
every form; the security headers on every kind of response; API tokens hashed and revocable;
the sign-in throttle; no secret in any log; the webhook signature compared in constant time.

One app for the module: the first sixteen declarations of the demo night (up to Greyhaven's
council declaration) in a SQLite store, one story published so the feeds have an item. Tests
that act do so on their own stories or users, so they do not depend on each other's order.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("argon2")

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import inspect as sa_inspect, text  # noqa: E402

from conftest import DEMO  # noqa: E402
from helpers import csrf_of, sign_in  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.publish import cms  # noqa: E402
from writer.publish.cms import SIGNATURE_HEADER, Webhook, WordPress, sign, verify_signature  # noqa: E402
from writer.publish.publisher import Publisher, RetryPolicy  # noqa: E402
from writer.review.checks import FactChecks  # noqa: E402
from writer.store import Pipeline, declaration_to_payload, open_store  # noqa: E402
from writer.store.users import ReviewRecords  # noqa: E402
from writer.web import security  # noqa: E402
from writer.web.security import (API_TOKEN, CHIEF, PUBLIC, ROUTE_RULES, SIGNED_IN, SecurityHeaders,  # noqa: E402
                                 Throttle, app_routes, hash_password, unruled_routes)
from writer.web.tokens import add_token, hash_token, revoke_token  # noqa: E402

PASSWORD = "correct horse battery"
SECRET_KEY = "test-secret-key-for-the-security-tests"
BASE = "https://testserver"
STORY = "council:greyhaven"  # published (the feeds' item); has a seat chart
WARD = "ward:local.greyhaven.castletown.2026-05-07"
NOW = datetime(2026, 5, 8, 3, 0, tzinfo=timezone.utc)
FAST = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, jitter=0.0)


# -- the app -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


@pytest.fixture(scope="module")
def wired(tmp_path_factory, night):
    """The store, pipeline, publishing and app, fully wired as ``writer serve`` wires them."""
    from writer.publish.service import Publishing
    from writer.web.app import create_app

    db = tmp_path_factory.mktemp("security") / "writer.db"
    store = open_store(db)
    pipeline = Pipeline(store, lambda: build(night))
    first_council = next(i for i, d in enumerate(night.declarations) if d.kind == "council")
    pipeline.ingest_all(night.declarations[:first_council + 1])
    records = ReviewRecords(store)
    for name, role in (("ed", "editor"), ("boss", "chief"), ("locked", "editor"), ("resets", "editor"),
                       ("logged", "editor")):
        records.add_user(name, role, hash_password(PASSWORD), by="test")
    publishing = Publishing.build(store, night, checker=FactChecks(store, None), pipeline=pipeline, env={},
                                  base_url="https://results.example")  # fact_check=False below
    row = store.latest_story(STORY)
    store.record_check(STORY, row.version, True)
    store.record_decision(STORY, row.version, "approved", "boss")
    publishing.publisher.run(NOW)
    app = create_app(store, night=night, pipeline=pipeline, publishing=publishing, https_only=True,
                     secret_key=SECRET_KEY, fact_check=False)
    token = add_token(store, "feed")
    revoked = add_token(store, "old-feed")
    revoke_token(store, "old-feed")

    class Wired:
        pass
    w = Wired()
    w.store, w.pipeline, w.publishing, w.app, w.db = store, pipeline, publishing, app, db
    w.token, w.revoked = token, revoked
    w.rule_id = next(iter(publishing.publisher.auto_settings()))
    w.first = night.declarations[0]  # stored already: posting it again is a repeat
    yield w
    publishing.stop()
    store.close()


class Browser:
    """A TestClient with a session: signed in as ``name`` (or anonymous, with the login
    page's CSRF token in its session)."""

    def __init__(self, app, name: str | None = None) -> None:
        if name is not None:
            self.client, self.csrf = sign_in(app, name, PASSWORD, base_url=BASE)
        else:
            self.client = TestClient(app, base_url=BASE)
            self.csrf = csrf_of(self.client.get("/login").text)

    def request(self, method: str, path: str, **kw):
        kw.setdefault("follow_redirects", False)
        return self.client.request(method, path, **kw)


@pytest.fixture(scope="module")
def anon(wired):
    return Browser(wired.app)


@pytest.fixture(scope="module")
def ed(wired):
    return Browser(wired.app, "ed")


@pytest.fixture(scope="module")
def boss(wired):
    return Browser(wired.app, "boss")


# -- real path parameters and forms for every route --------------------------------------------
def sid(story_id: str) -> str:
    return quote(story_id, safe="")


def region_of(wired) -> str:
    return next(iter(wired.publishing.feeds.regions))


def sample(wired, key: tuple[str, str], *, valid: bool = False) -> tuple[str, dict]:
    """A concrete request for the route ``key``: its path with real parameters and, for a
    form, its fields. ``valid=False`` forms name a stale story version (or a target with
    nothing to retry), so they pass sign-in and CSRF and are then refused by the desk (409)
    without changing anything; ``valid=True`` forms would act if nothing refused them."""
    method, template = key
    story = STORY if "chart" in template else WARD
    version = wired.store.latest_story(story).version if valid else 9999
    forms = {
        "/login": {"username": "boss", "password": PASSWORD},
        "/logout": {},
        "/story/{story_id}/edit": {"version": version, "headline": "Edited headline", "body": "Edited body."},
        "/story/{story_id}/approve": {"version": version},
        "/story/{story_id}/reject": {"version": version, "note": "no"},
        "/story/{story_id}/hold": {"version": version, "note": "wait"},
        "/story/{story_id}/schedule": {"version": version, "publish_at": ""},
        "/story/{story_id}/retry": {"target": "nowhere"},
        "/rules/{rule_id}/auto-publish": {"auto_publish": "on" if wired.publishing.publisher.auto_settings()
                                          .get(wired.rule_id) else ""},
    }
    path = (template.replace("{story_id}", sid(STORY if "/feeds/" in template or "chart" in template else WARD))
            .replace("{rule_id}", wired.rule_id).replace("{path}", "app.js"))
    if "{slug}" in template:
        scope = template.split("/")[2]
        slug = {"council": "greyhaven", "region": region_of(wired), "group": "red-wall"}[scope]
        path = path.replace("{slug}", slug)
    if template == "/declaration/{declaration_id}/withdraw":  # nothing of that id: through the gate, withdraws nothing
        return path.replace("{declaration_id}", "local.greyhaven.no-such-ward.2026-05-07"), {"reason": "a test"}
    if template == "/api/declarations/{declaration_id}":  # nothing of that id: passes the gate, withdraws nothing
        return path.replace("{declaration_id}", "local.greyhaven.no-such-ward.2026-05-07"), {}
    if template == "/api/declarations":
        d = declaration_to_payload(wired.first)
        for k in ("v", "id", "source"):
            d.pop(k)
        return path, d
    return path, dict(forms.get(template, {})) if method == "POST" else {}


def is_login_redirect(r) -> bool:
    return r.status_code == 303 and r.headers["location"].startswith("/login")


# -- the table ---------------------------------------------------------------------------------
def test_every_route_has_a_rule_and_every_rule_a_route(wired):
    missing, stale = unruled_routes(wired.app)
    assert not missing, f"routes without an access rule in writer.web.security.ROUTE_RULES: {missing}"
    assert not stale, f"rules for routes the app no longer has: {stale}"
    assert len(list(app_routes(wired.app))) == len(ROUTE_RULES) > 25
    for key, rule in ROUTE_RULES.items():
        assert rule.access in (PUBLIC, SIGNED_IN, CHIEF, API_TOKEN), key
        if rule.access == PUBLIC:
            assert rule.reason.strip(), f"{key}: a public route needs a reason"


def test_the_table_refuses_a_new_route_without_a_rule(wired):
    from fastapi import FastAPI
    extra = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    extra.router.routes.extend(wired.app.router.routes)
    extra.get("/export")(lambda: {})
    assert unruled_routes(extra) == ([("GET", "/export")], [])
    with pytest.raises(ValueError, match="reason"):
        security.AccessRule(PUBLIC)
    with pytest.raises(ValueError, match="unknown access"):
        security.AccessRule("anyone")


@pytest.mark.parametrize("key", sorted(ROUTE_RULES), ids=lambda k: f"{k[0]} {k[1]}")
def test_each_route_behaves_as_its_rule_says(wired, anon, ed, boss, key):
    rule = ROUTE_RULES[key]
    method, template = key
    path, data = sample(wired, key)
    fresh = Browser(wired.app)  # anonymous, with a session and its CSRF token

    if rule.access == PUBLIC:
        if method == "GET":
            r = TestClient(wired.app, base_url=BASE).get(path, follow_redirects=False)  # no session at all
            assert r.status_code in (200, 303), (path, r.status_code, r.text[:300])
            assert not is_login_redirect(r) and r.status_code not in (401, 403)
        else:
            r = fresh.request(method, path, data={**data, "csrf_token": fresh.csrf})
            assert r.status_code == 303 and not r.headers["location"].startswith("/login?"), (path, r.status_code)
        return

    if rule.access == API_TOKEN:
        for headers in ({}, {"Authorization": "Bearer rnw_not-a-token"}, {"Authorization": f"Bearer {wired.token}x"},
                        {"Authorization": f"Bearer {wired.revoked}"}, {"Authorization": f"Basic {wired.token}"}):
            r = anon.client.request(method, path, json=data, headers=headers)
            assert r.status_code == 401, (headers, r.text)
            assert r.headers["www-authenticate"].startswith("Bearer")
        # a signed-in session is not an API token
        assert boss.client.request(method, path, json=data).status_code == 401
        r = anon.client.request(method, path, json=data, headers={"Authorization": f"Bearer {wired.token}"})
        if method == "DELETE":  # a withdrawal of a declaration that does not stand: through the gate, then 404
            assert r.status_code == 404 and "nothing to withdraw" in r.json()["detail"], r.text
            return
        assert r.status_code == 200 and r.json()["declarations"][0]["outcome"] == "repeat", r.text
        return

    # signed-in and chief: an anonymous caller is sent to sign in (pages, forms) or gets 401 (JSON)
    if method == "GET":
        r = fresh.request("GET", path)
        if path.endswith(".json"):
            assert r.status_code == 401 and r.json() == {"error": "sign in first"}
        else:
            assert is_login_redirect(r), (path, r.status_code)
            assert r.headers["location"] == "/login?next=" + quote(unquote(path), safe="")
            r = fresh.request("GET", path, headers={"accept": "application/json"})
            assert r.status_code == 401
    else:
        r = fresh.request(method, path, data={**data, "csrf_token": fresh.csrf})
        assert is_login_redirect(r), (path, r.status_code)
        r = fresh.request(method, path, data={**data, "csrf_token": fresh.csrf}, headers={"x-requested-with": "fetch"})
        assert r.status_code == 401

    if rule.access == CHIEF:
        r = ed.request(method, path, data={**data, "csrf_token": ed.csrf} if method == "POST" else None)
        assert r.status_code == 403, (path, r.status_code)
        r = boss.request(method, path, data={**data, "csrf_token": boss.csrf} if method == "POST" else None)
        assert r.status_code in (200, 303), (path, r.status_code, r.text[:300])
        return

    # signed-in: an editor gets through (a stale form is refused by the desk, not by the gate)
    r = ed.request(method, path, data={**data, "csrf_token": ed.csrf} if method == "POST" else None)
    if method == "GET":
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    else:
        assert r.status_code == 409, (path, r.status_code, r.text[:300])


FORM_ROUTES = sorted(k for k, rule in ROUTE_RULES.items() if k[0] == "POST" and rule.access != API_TOKEN)


@pytest.mark.parametrize("key", FORM_ROUTES, ids=lambda k: f"{k[0]} {k[1]}")
def test_every_form_refuses_a_missing_wrong_or_cross_site_csrf_token(wired, key):
    """As a chief (so no role is in the way), with a form that would otherwise act."""
    method, template = key
    path, data = sample(wired, key, valid=True)
    who = Browser(wired.app) if template == "/login" else Browser(wired.app, "boss")
    before = (wired.store.latest_story(WARD).version, wired.store.latest_decision(WARD),
              wired.publishing.publisher.auto_settings())
    for token in (None, "", "not-the-token", who.csrf[:-1]):
        form = dict(data) if token is None else {**data, "csrf_token": token}
        r = who.request(method, path, data=form)
        assert r.status_code == 403, (path, token, r.status_code)
        assert "security token" in r.text
    r = who.request(method, path, data={**data, "csrf_token": who.csrf}, headers={"origin": "https://evil.example"})
    assert r.status_code == 403 and "another site" in r.text
    r = who.request(method, path, data={**data, "csrf_token": who.csrf}, headers={"origin": "null"})
    assert r.status_code == 403
    after = (wired.store.latest_story(WARD).version, wired.store.latest_decision(WARD),
             wired.publishing.publisher.auto_settings())
    assert after == before, "a refused form changed something"
    if template == "/login":
        assert is_login_redirect(who.request("GET", "/queue"))  # not signed in
    else:
        assert who.request("GET", "/queue").status_code == 200  # not signed out either


def test_the_routes_sampled_are_every_route(wired):
    for key in ROUTE_RULES:
        path, _ = sample(wired, key)
        assert "{" not in path and path.startswith("/"), (key, path)


# -- security headers on every kind of response ------------------------------------------------
def assert_secure_headers(r, what: str) -> None:
    h = r.headers
    csp = h.get("content-security-policy")
    assert csp, f"{what}: no Content-Security-Policy"
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, what
    assert "unsafe-inline" not in csp, what
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert directives.get("object-src") == ["'none'"], what
    assert h.get("x-frame-options") == "DENY", what
    assert h.get("x-content-type-options") == "nosniff", what
    assert h.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), what


def test_security_headers_on_every_kind_of_response(wired, anon, boss):
    feed = anon.request("GET", "/feeds/night.rss")
    checks = {
        "HTML page": (boss.request("GET", "/queue"), 200, "text/html"),
        "JSON": (boss.request("GET", "/queue.json"), 200, "application/json"),
        "feed XML (RSS)": (feed, 200, "application/rss+xml"),
        "feed XML (Atom)": (anon.request("GET", "/feeds/council/greyhaven.atom"), 200, "application/atom+xml"),
        "feed 304": (anon.request("GET", "/feeds/night.rss", headers={"if-none-match": feed.headers["etag"]}), 304, None),
        "feed index": (anon.request("GET", "/feeds/"), 200, "text/html"),
        "published story page": (anon.request("GET", f"/feeds/story/{sid(STORY)}"), 200, "text/html"),
        "static file": (anon.request("GET", "/static/app.js"), 200, "javascript"),
        "SVG chart": (boss.request("GET", f"/story/{sid(STORY)}/chart.svg"), 200, "image/svg+xml"),
        "404 page": (anon.request("GET", "/no-such-page"), 404, "text/html"),
        "404 JSON": (anon.request("GET", "/api/no-such-thing"), 404, "application/json"),
        "404 feed": (anon.request("GET", "/feeds/council/nowhere.xml"), 404, "text/plain"),
        "404 static": (anon.request("GET", "/static/nothing.js"), 404, None),
        "401 JSON (session)": (anon.request("GET", "/queue.json"), 401, "application/json"),
        "401 API": (anon.client.post("/api/declarations", json={}), 401, "application/json"),
        "303 redirect": (anon.request("GET", "/queue"), 303, None),
        "403 CSRF": (boss.request("POST", "/logout", data={}), 403, "text/html"),
        "405": (anon.request("GET", "/api/declarations"), 405, None),
        "schema": (anon.request("GET", "/api/openapi.json"), 200, "application/json"),
    }
    for what, (r, status, ctype) in checks.items():
        assert r.status_code == status, (what, r.status_code, r.text[:200])
        if ctype:
            assert ctype in r.headers["content-type"], (what, r.headers["content-type"])
        assert_secure_headers(r, what)
    # the feeds keep their own caching; the desk's pages and JSON are never cached
    assert feed.headers["cache-control"] == "public, max-age=30"
    assert checks["feed 304"][0].headers["cache-control"] == "public, max-age=30"
    assert checks["feed index"][0].headers["cache-control"] == "public, max-age=30"
    assert checks["SVG chart"][0].headers["cache-control"] == "private, max-age=300"
    for what in ("HTML page", "JSON", "401 JSON (session)", "401 API", "403 CSRF", "404 page"):
        assert checks[what][0].headers["cache-control"] == "no-store", what


def test_an_unhandled_error_is_a_500_with_the_headers():
    async def broken(scope, receive, send):
        raise RuntimeError("boom")

    client = TestClient(SecurityHeaders(broken), raise_server_exceptions=False)
    r = client.get("/anything")
    assert r.status_code == 500 and r.text == "Internal Server Error" and "boom" not in r.text
    assert_secure_headers(r, "500")
    with pytest.raises(RuntimeError, match="boom"):  # still raised, so the server logs it
        TestClient(SecurityHeaders(broken)).get("/anything")


# -- API tokens --------------------------------------------------------------------------------
def _everything_in(store, db: Path) -> str:
    """Every value of every row of every table, and the database files' raw bytes."""
    parts = []
    with store.engine.connect() as conn:
        for table in sa_inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(repr(tuple(row)))
    for f in db.parent.glob(db.name + "*"):  # the database, its -wal and -journal
        parts.append(f.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_api_tokens_are_stored_hashed_and_passwords_too(wired):
    token = add_token(wired.store, "hashed-probe")
    everything = _everything_in(wired.store, wired.db)
    for secret in (token, token[4:], wired.token, wired.token[4:], wired.revoked, PASSWORD):
        assert secret not in everything, "a secret is stored in the clear"
    assert hash_token(token) in everything  # what is kept: its SHA-256 digest
    revoke_token(wired.store, "hashed-probe")


def test_a_revoked_token_is_refused_at_once(wired, anon):
    path, body = sample(wired, ("POST", "/api/declarations"))
    token = add_token(wired.store, "revoke-me")
    auth = {"Authorization": f"Bearer {token}"}
    assert anon.client.post(path, json=body, headers=auth).status_code == 200
    revoke_token(wired.store, "revoke-me")
    r = anon.client.post(path, json=body, headers=auth)
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["www-authenticate"]
    again = add_token(wired.store, "revoke-me")  # the name can have a new token; the old one stays dead
    assert anon.client.post(path, json=body, headers={"Authorization": f"Bearer {again}"}).status_code == 200
    assert anon.client.post(path, json=body, headers=auth).status_code == 401
    revoke_token(wired.store, "revoke-me")


def test_tokens_and_csrf_tokens_are_compared_in_constant_time(wired, anon, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    path, body = sample(wired, ("POST", "/api/declarations"))
    anon.client.post(path, json=body, headers={"Authorization": "Bearer rnw_guess"})
    assert any(b == hash_token("rnw_guess").encode() for _, b in calls)
    calls.clear()
    assert security.same_token("abc", "abd") is False and calls == [("abc", "abd")]


# -- the sign-in throttle ----------------------------------------------------------------------
def _login(client, csrf, name, password):
    return client.post("/login", data={"username": name, "password": password, "csrf_token": csrf},
                       follow_redirects=False)


def test_sign_in_is_throttled_per_name_after_five_failures(wired):
    b = Browser(wired.app)
    for attempt in range(5):
        r = _login(b.client, b.csrf, "locked", f"wrong password {attempt}")
        assert r.status_code == 401 and "Wrong name or password" in r.text
    r = _login(b.client, b.csrf, "locked", "wrong again")
    assert r.status_code == 429 and "Too many failed attempts" in r.text
    assert_secure_headers(r, "429")
    for name in ("locked", "LOCKED", " Locked "):  # the right password too; any case
        assert _login(b.client, b.csrf, name, PASSWORD).status_code == 429
    assert is_login_redirect(b.request("GET", "/queue"))
    other = Browser(wired.app)  # another name is not held up (nor another browser by the same name)
    assert _login(other.client, other.csrf, "locked", PASSWORD).status_code == 429
    assert _login(other.client, other.csrf, "ed", PASSWORD).status_code == 303
    # names that do not exist are throttled the same way: no telling them apart
    codes = [_login(b.client, b.csrf, "nobody-at-all", PASSWORD).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_a_successful_sign_in_clears_the_failures(wired):
    b = Browser(wired.app)
    assert [_login(b.client, b.csrf, "resets", "nope nope").status_code for _ in range(4)] == [401] * 4
    assert _login(b.client, b.csrf, "resets", PASSWORD).status_code == 303
    b = Browser(wired.app)
    # had the four failures stood, the second of these would be the sixth attempt: 429
    assert [_login(b.client, b.csrf, "resets", "nope nope").status_code for _ in range(2)] == [401, 401]


def test_the_throttle_window_and_its_memory_are_bounded():
    now = [0.0]
    t = Throttle(clock=lambda: now[0])
    assert (t.limit, t.window) == (5, 300.0)  # what the app uses
    for at in (0, 10, 20, 30, 40):
        now[0] = at
        assert not t.blocked("x")
        t.failed("x")
    assert t.blocked("x") and t.blocked("X")
    now[0] = 299.9
    assert t.blocked("x")
    now[0] = 300.0  # the first failure is 300 s old: four left in the window
    assert not t.blocked("x")
    t.failed("x")
    assert t.blocked("x")
    now[0] = 310.0
    assert not t.blocked("x")
    # asking about a name stores nothing; names that only fail are forgotten, and capped
    small = Throttle(max_names=100, clock=lambda: now[0])
    for i in range(1000):
        assert not small.blocked(f"probe-{i}")
    assert len(small) == 0
    for i in range(1000):
        small.failed(f"spray-{i}")
    assert len(small) <= 100
    now[0] += 301
    small.failed("late")
    assert not small.blocked("spray-999") and len(small) <= 100


# -- no secret in any log ----------------------------------------------------------------------
class _Server:
    """A local HTTP endpoint: ``handle(handler, body)`` answers each POST or GET."""

    def __init__(self, handle) -> None:
        outer = self
        self.requests: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                handle(self, body)

            do_GET = do_POST = _any  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _answer(handler, status: int, body: bytes = b"{}") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_no_password_token_cookie_or_cms_secret_in_any_log(wired, night, caplog, monkeypatch):
    import uvicorn

    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "writer", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
        # another test may have run uvicorn with its default logging config, which stops its
        # loggers propagating to the root (where caplog listens): undo that for this test
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "propagate", True)
        monkeypatch.setattr(logger, "disabled", False)
    wrong_password = "not-the-password-xyzzy"
    wp_password = "abcd EFGH ijkl MNOP qrst UVWX"
    hook_secret = "webhook-shared-secret-42"
    api_token = add_token(wired.store, "logged-feed")

    # the app behind a real uvicorn (its access and error logs), not a TestClient
    config = uvicorn.Config(wired.app, host="127.0.0.1", port=0, lifespan="off", log_config=None,
                            log_level="debug", access_log=True)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    try:
        # the session cookie is Secure and this is plain http on 127.0.0.1: carry it by hand
        with httpx.Client(base_url=base, follow_redirects=False) as c:
            jar: dict[str, str] = {}

            def call(method, url, **kw):
                kw.setdefault("headers", {})
                if jar:
                    kw["headers"]["cookie"] = f"writer_session={jar['s']}"
                r = c.request(method, url, **kw)
                m = re.search(r"writer_session=([^;]+)", r.headers.get("set-cookie", ""))
                if m:
                    jar["s"] = m.group(1)
                return r

            csrf = csrf_of(call("GET", "/login").text)
            assert call("POST", "/login", data={"username": "logged", "password": wrong_password,
                                                "csrf_token": csrf}).status_code == 401
            r = call("POST", "/login", data={"username": "logged", "password": PASSWORD, "csrf_token": csrf})
            assert r.status_code == 303
            cookie = jar["s"]
            assert len(cookie) > 20
            assert call("GET", "/queue").status_code == 200
            path, body = sample(wired, ("POST", "/api/declarations"))
            assert c.post(path, json=body, headers={"Authorization": f"Bearer {api_token}"}).status_code == 200
            assert c.post(path, json=body, headers={"Authorization": f"Bearer {api_token}x"}).status_code == 401
            assert c.post(path, json=[{"kind": "ward"}],
                          headers={"Authorization": f"Bearer {api_token}"}).status_code == 422
    finally:
        server.should_exit = True
        thread.join(10)
    # the test's own HTTP client logs the responses it gets (cookies included): not the app's logs
    served = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    caplog.clear()

    # publishing: WordPress that fails (5xx, then 4xx) and a webhook that takes the post
    hook = _Server(lambda h, body: _answer(h, 200 if verify_signature(
        hook_secret, h.headers["X-Writer-Timestamp"], body, h.headers[SIGNATURE_HEADER]) else 401,
        b'{"id": "1", "url": "https://cms.example/1"}'))
    wp = _Server(lambda h, body: _answer(h, 500, b'{"message": "database down"}'))
    wordpress = WordPress(wp.url, "writer-bot", wp_password)
    try:
        pub = Publisher(wired.store, night, checker=FactChecks(wired.store, None),
                        targets=[wordpress, Webhook(hook.url + "/hook", hook_secret)],
                        retry=FAST, charts=False, namespace="security-test")
        story = "ward:local.northmoor.castle-hill.2026-05-07"
        row = wired.store.latest_story(story)
        wired.store.record_check(story, row.version, True)
        wired.store.record_decision(story, row.version, "approved", "logged")
        pub.run(NOW)
    finally:
        wordpress.close()
        hook.close()
        wp.close()
    assert any(SIGNATURE_HEADER.lower() in {k.lower() for k in q["headers"]} for q in hook.requests)
    assert any("authorization" in {k.lower() for k in q["headers"]} for q in wp.requests)  # the password was used
    history = _everything_in(wired.store, wired.db)  # the deliveries' errors are kept in the store
    assert "WordPress: " in history and "answered 500: database down" in history

    records = served + caplog.records  # publishing: the app's own httpx calls count
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    assert "POST /login" in logs and "POST /api/declarations" in logs, "uvicorn's access log was not captured"
    assert "not delivered" in logs or "retrying" in logs, "the publisher's log was not captured"
    import base64
    secrets_ = {
        "the wrong password": wrong_password, "the password": PASSWORD, "the API token": api_token,
        "the API token's secret part": api_token[4:], "the session cookie": cookie,
        "the WordPress application password": wp_password,
        "the WordPress basic-auth header": base64.b64encode(f"writer-bot:{wp_password}".encode()).decode(),
        "the webhook secret": hook_secret, "the app's secret key": SECRET_KEY,
    }
    for what, secret in secrets_.items():
        assert secret not in logs, f"{what} is in the logs"
        assert secret not in history, f"{what} is in the store"
    revoke_token(wired.store, "logged-feed")


# -- the webhook signature ---------------------------------------------------------------------
def test_the_webhook_signature_is_compared_in_constant_time_and_refuses_stale_or_forged(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(cms.hmac, "compare_digest", spy)
    body = b'{"action": "publish", "key": "k"}'
    now = 1_778_000_000
    ts = str(now)
    good = sign("secret", ts, body)
    assert verify_signature("secret", ts, body, good, now=now)
    assert calls == [(good.encode(), good.encode())]
    calls.clear()
    forged = [
        ("secret", ts, body + b" ", good),                       # the body changed
        ("other", ts, body, good),                                # signed with another secret
        ("secret", ts, body, sign("other", ts, body)),
        ("secret", ts, body, good[:-1] + ("0" if good[-1] != "0" else "1")),  # one digit off
        ("secret", ts, body, good.upper()),
        ("secret", ts, body, good.removeprefix("sha256=")),
        ("secret", ts, body, ""),
        ("secret", str(now + 1), body, good),                    # the timestamp changed
    ]
    for args in forged:
        assert not verify_signature(*args, now=now), args
    assert len(calls) == len(forged)  # every one compared with compare_digest, none with ==
    calls.clear()
    stale = str(now - 301)
    assert not verify_signature("secret", stale, body, sign("secret", stale, body), now=now)
    future = str(now + 301)
    assert not verify_signature("secret", future, body, sign("secret", future, body), now=now)
    assert not verify_signature("secret", "yesterday", body, good, now=now)
    assert verify_signature("secret", str(now - 300), body, sign("secret", str(now - 300), body), now=now)
    assert not verify_signature("secret", ts, body, good)  # by the real clock, ts is long past
