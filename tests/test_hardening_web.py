"""Issue 16, "Hardened in the field": the review app's items (4, 5, 7, 11, 12, 13 and 18).

4  sessions end for good when their user signs out (a copied cookie is dead), changes password
   or role; the Origin's scheme is checked, not only its host and port
5  blank, short and common passwords are refused (zxcvbn); user names are unique whatever
   their case, and sign-in ignores the case
7  HEAD answers as GET does on every page; every 405 says what is allowed
11 heading levels on the story page never skip a level (no <h4> under an <h2>)
12 accessibility the markup can show without a browser: labelled <nav>s, no empty <th>, an
   <h1> on the public retracted page, the "ok" badge's contrast (the axe-core run is in
   tests/test_browser.py)
13 feed items say "Retracted:" or "Correction" once; the public story pages are styled
18 what editors noticed: thousands separators, British date and time entry, the history diff
   paragraph by paragraph, decisions named by headline, new stories first, no Approve on a
   published story, a favicon, the chart's legend in the bars' colours (the 400 px layout is
   checked in tests/test_browser.py)

One app for the module: the whole demo night in a SQLite store with publishing wired as
``writer serve`` wires it, and ``council:greyhaven`` published. Tests act on their own
stories and users.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("argon2")

from click.testing import CliRunner  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from conftest import DEMO, RULES  # noqa: E402
from helpers import sign_in  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.store import Pipeline, open_store  # noqa: E402
from writer.store.users import ReviewRecords  # noqa: E402
from writer.web.security import ROUTE_RULES, hash_password  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
BASE = "https://testserver"
PUBLISHED = "council:greyhaven"
NOW = datetime(2026, 5, 8, 3, 0, tzinfo=timezone.utc)
USERS = (("ed", "editor"), ("boss", "chief"), ("leaver", "editor"), ("changer", "editor"),
         ("promoted", "editor"), ("scheme", "editor"))


# -- the app -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


@pytest.fixture(scope="module")
def wired(tmp_path_factory, night):
    from writer.night import fact_checker, party_names
    from writer.publish.service import Publishing
    from writer.review.checks import FactChecks
    from writer.web.app import create_app

    store = open_store(tmp_path_factory.mktemp("hardening") / "writer.db")
    pipeline = Pipeline(store, lambda: build(night))
    pipeline.ingest_all(night.declarations)
    records = ReviewRecords(store)
    for name, role in USERS:
        records.add_user(name, role, hash_password(PASSWORD), by="test")
    checks = FactChecks(store, fact_checker(night, party_names()))  # the gate, shared with the app
    publishing = Publishing.build(store, night, checker=checks, pipeline=pipeline, env={},
                                  base_url="https://results.example")
    row = store.latest_story(PUBLISHED)
    store.record_check(PUBLISHED, row.version, True)
    store.record_decision(PUBLISHED, row.version, "approved", "boss")
    publishing.publisher.run(NOW)
    app = create_app(store, night=night, pipeline=pipeline, publishing=publishing, https_only=True,
                     secret_key="test-secret-key-for-the-hardening-tests")
    yield SimpleNamespace(store=store, app=app, publishing=publishing, records=records, night=night)
    publishing.stop()
    store.close()


class Desk:
    """A signed-in browser: a TestClient with the session cookie and the page's CSRF token."""

    def __init__(self, app, name: str, password: str = PASSWORD) -> None:
        self.client, self.csrf = sign_in(app, name, password, base_url=BASE)

    def get(self, path: str, **kw):
        kw.setdefault("follow_redirects", False)
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict, **kw):
        kw.setdefault("follow_redirects", False)
        return self.client.post(path, data={"csrf_token": self.csrf, **data}, **kw)

    def signed_in(self) -> bool:
        return self.get("/queue").status_code == 200


def url(sid: str, action: str = "") -> str:
    return "/story/" + quote(sid, safe="") + (f"/{action}" if action else "")


@pytest.fixture(scope="module")
def ed(wired):
    return Desk(wired.app, "ed")


@pytest.fixture(scope="module")
def boss(wired):
    return Desk(wired.app, "boss")


def copy_of(desk: Desk, app) -> TestClient:
    """Someone else's browser holding a copy of the desk's session cookie."""
    thief = TestClient(app, base_url=BASE)
    for cookie in desk.client.cookies.jar:
        thief.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


class Markup(HTMLParser):
    """Headings in order, <nav>s and their labels, <th> cells and their text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.navs: list[dict] = []
        self.ths: list[str] = []
        self.inputs: list[dict] = []
        self._heading: list | None = None
        self._th: list | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        elif tag == "nav":
            self.navs.append(a)
        elif tag == "th":
            self._th = [""]
        elif tag == "input":
            self.inputs.append(a)

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        elif tag == "th" and self._th is not None:
            self.ths.append(self._th[0].strip())
            self._th = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._th is not None:
            self._th[0] += data


# -- 4. sessions end for good --------------------------------------------------------------------
def test_4_signing_out_kills_a_copied_session_cookie(wired):
    leaver = Desk(wired.app, "leaver")
    thief = copy_of(leaver, wired.app)
    assert thief.get("/queue", follow_redirects=False).status_code == 200  # the copy works while signed in
    r = leaver.post("/logout", {})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert not leaver.signed_in()
    r = thief.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert thief.get("/queue.json").status_code == 401
    # signing in again makes a new session; the old cookie stays dead
    again = Desk(wired.app, "leaver")
    assert again.signed_in()
    assert copy_of(leaver, wired.app).get("/queue", follow_redirects=False).status_code == 303


def test_4_a_new_password_or_role_ends_every_session(wired):
    records = wired.records
    changer, changer2 = Desk(wired.app, "changer"), Desk(wired.app, "changer")
    assert changer.signed_in() and changer2.signed_in()
    records.add_user("changer", "editor", hash_password("a brand new passphrase"), by="test")
    assert not changer.signed_in() and not changer2.signed_in()
    assert Desk(wired.app, "changer", "a brand new passphrase").signed_in()

    promoted = Desk(wired.app, "promoted")
    assert 'data-role="editor"' in promoted.get("/queue").text
    row = records.user("promoted")
    records.add_user("promoted", "chief", row.password_hash, by="test")  # the same password
    assert not promoted.signed_in()
    assert 'data-role="chief"' in Desk(wired.app, "promoted").get("/queue").text


def test_4_sessions_are_kept_in_the_store_and_expire_there(wired):
    records = wired.records
    sid = records.start_session(records.user("ed"))
    assert records.session_user(sid, max_age=3600).username == "ed"
    assert records.session_user(sid, max_age=-1) is None  # older than the app's session length
    assert records.session_user(sid + "x") is None and records.session_user(None) is None
    assert records.end_session(sid) is True and records.end_session(sid) is False
    assert records.session_user(sid) is None
    # only a digest of the id is stored
    from sqlalchemy import text
    with wired.store.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT session_hash FROM web_sessions"))]
    assert sid not in stored and all(len(h) == 64 for h in stored)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty database of each kind (PostgreSQL: a schema of its own; skipped without one)."""
    if request.param == "sqlite":
        yield str(tmp_path / "writer.db")
        return
    import uuid

    import psycopg
    from helpers import find_postgres
    from writer.store.db import database_url
    server, reason = find_postgres()
    if server is None:
        pytest.skip(reason)
    u = database_url(server)
    schema = f"writer_test_{uuid.uuid4().hex[:12]}"
    conninfo = dict(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                    dbname=u.database, autocommit=True)
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_4_5_sessions_and_user_names_in_the_store_on_each_database(store_url):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from writer.store.users import UserExists
    store = open_store(store_url)
    try:
        records = ReviewRecords(store)
        alice = records.add_user("alice", "editor", "hash-1", by="test")
        with pytest.raises(UserExists):
            records.add_user("ALICE", "chief", "hash-2", by="test")
        assert records.user("Alice").seq == alice.seq
        sid = records.start_session(alice)
        assert records.session_user(sid, max_age=60).seq == alice.seq
        records.add_user("alice", "chief", "hash-1", by="test")  # a new role: the session ends
        assert records.session_user(sid) is None
        sid = records.start_session(records.user("alice"))
        assert records.session_user(sid).role == "chief"
        assert records.end_session(sid) and records.session_user(sid) is None
        for sql in ("UPDATE web_sessions SET username = 'x'", "DELETE FROM web_session_ends"):
            with pytest.raises(DBAPIError, match="append-only"):
                with store.engine.begin() as conn:
                    conn.execute(text(sql))
    finally:
        store.close()


def test_4_the_origin_check_looks_at_the_scheme_too(wired):
    desk = Desk(wired.app, "scheme")
    sid = "council:oakhurst"
    v = wired.store.latest_story(sid).version
    for origin in ("http://testserver", "ftp://testserver", "https://testserver.evil.example",
                   "https://evil.example", "null"):
        r = desk.post(url(sid, "hold"), {"version": v, "note": "from elsewhere"}, headers={"origin": origin})
        assert r.status_code == 403, origin
    assert wired.store.latest_decision(sid, v) is None
    r = desk.post(url(sid, "hold"), {"version": v, "note": "checking"}, headers={"origin": "https://testserver"})
    assert r.status_code == 303
    # the rule itself
    from writer.web.security import same_origin
    assert same_origin(None, "a.example", "https")  # no Origin: the CSRF token decides
    assert same_origin("https://a.example", "a.example", "https")
    assert not same_origin("http://a.example", "a.example", "https")
    assert not same_origin("http://a.example", "a.example", "http", https_only=True)
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000", "http")
    assert same_origin("https://results.example", "results.example", "http")  # a TLS proxy in front
    assert not same_origin("https://a.example:8443", "a.example", "https")
    assert not same_origin("chrome-extension://abc", "abc", "http")


# -- 5. weak accounts ----------------------------------------------------------------------------
def test_5_blank_short_and_common_passwords_are_refused():
    from writer.web.security import password_problem
    for weak in ("", "        ", "\t \t \t \t ", "short", "12345678", "password", "password1", "qwertyuiop",
                 "iloveyou2", "letmein123", "aaaaaaaaaaaa", "11111111111"):
        assert password_problem(weak) is not None, repr(weak)
    assert "blank" in password_problem("        ")
    assert "at least" in password_problem("abc")
    assert password_problem("alice-alice", username="alice-alice") is not None  # the name itself
    for strong in (PASSWORD, "a long enough password", "Tr0ub4dor&3 stapler", "vexing-quartz-lamp-97"):
        assert password_problem(strong) is None, strong
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^\s*"zxcvbn', pyproject, re.M), "zxcvbn is a dependency"


def test_5_the_users_command_refuses_weak_passwords_and_names_differing_in_case(tmp_path):
    from writer.cli.newsroom import users
    db = str(tmp_path / "users.db")
    runner = CliRunner()
    for weak in ("12345678", "password", "        ", ""):
        r = runner.invoke(users, ["add", "bob", "--role", "editor", "--password-stdin", "--database", db],
                          input=weak + "\n")
        assert r.exit_code == 2, (weak, r.output)
    assert "bob" not in runner.invoke(users, ["list", "--database", db]).output
    r = runner.invoke(users, ["add", "ed", "--role", "editor", "--password-stdin", "--database", db],
                      input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(users, ["add", "ED", "--role", "chief", "--password-stdin", "--database", db],
                      input="another good passphrase\n")
    assert r.exit_code == 2 and "'ed' already exists" in r.output
    r = runner.invoke(users, ["password", "ed", "--password-stdin", "--database", db], input="password\n")
    assert r.exit_code == 2  # a new password is held to the same rule
    r = runner.invoke(users, ["role", "Ed", "chief", "--database", db])  # any case finds the user
    assert r.exit_code == 0, r.output
    assert runner.invoke(users, ["list", "--database", db]).output.splitlines() == ["ed\tchief\tactive"]


def test_5_user_names_are_unique_and_sign_in_ignores_their_case(wired):
    from writer.store.users import UserExists
    records = wired.records
    with pytest.raises(UserExists):
        records.add_user("ED", "chief", hash_password("another good passphrase"), by="test")
    with pytest.raises(UserExists):
        records.add_user("Boss", "editor", hash_password("another good passphrase"), by="test")
    assert records.user("ED").username == "ed" and records.user("bOsS").username == "boss"
    assert [u.username for u in records.users()].count("ed") == 1
    desk = Desk(wired.app, "ED")  # signs in as ed
    page = desk.get("/queue").text
    assert 'data-username="ed"' in page and 'data-role="editor"' in page


# -- 7. HEAD -------------------------------------------------------------------------------------
def concrete(wired, template: str) -> str:
    story = PUBLISHED if ("/feeds/" in template or "chart" in template) else "council:northmoor"
    path = template.replace("{story_id}", quote(story, safe="")).replace("{path}", "app.css")
    if "{slug}" in template:
        scope = template.split("/")[2]
        path = path.replace("{slug}", {"council": "greyhaven", "region": next(iter(wired.publishing.feeds.regions)),
                                       "group": "red-wall"}[scope])
    return path


def test_7_head_answers_as_get_on_every_page(wired, ed):
    gets = sorted(t for m, t in ROUTE_RULES if m == "GET")
    assert len(gets) > 20 and "/favicon.ico" in gets
    anon = TestClient(wired.app, base_url=BASE)
    for template in gets:
        path = concrete(wired, template)
        for client in (anon, ed.client):
            got = client.get(path, follow_redirects=False)
            head = client.head(path, follow_redirects=False)
            assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
            assert head.status_code != 405
            assert head.content == b"", path
            assert head.headers.get("content-type") == got.headers.get("content-type"), path
            if got.status_code == 200 and "content-length" in got.headers:
                assert head.headers["content-length"] == got.headers["content-length"], path
            assert "content-security-policy" in head.headers
    for path in ("/healthz", "/login", "/queue", "/rules", url("council:northmoor")):
        assert anon.head(path, follow_redirects=False).status_code in (200, 303)
        assert ed.client.head(path).status_code == 200


def test_7_every_405_says_what_is_allowed(wired, ed):
    anon = TestClient(wired.app, base_url=BASE)
    for client, method, path, allowed in (
            (anon, "PUT", "/healthz", {"GET", "HEAD"}), (anon, "DELETE", "/login", {"GET", "HEAD", "POST"}),
            (anon, "GET", "/logout", {"POST"}), (ed.client, "PUT", "/queue", {"GET", "HEAD"}),
            (ed.client, "DELETE", "/queue.json", {"GET", "HEAD"}),
            (ed.client, "GET", url("council:northmoor", "approve"), {"POST"}),
            (anon, "POST", "/feeds/night.rss", {"GET", "HEAD"}), (anon, "GET", "/api/declarations", {"POST"})):
        r = client.request(method, path, follow_redirects=False)
        assert r.status_code == 405, (method, path, r.status_code)
        assert "allow" in r.headers, (method, path)
        assert {m.strip() for m in r.headers["allow"].split(",")} == allowed, (method, path, r.headers["allow"])


# -- 11. heading levels --------------------------------------------------------------------------
def test_11_headings_never_skip_a_level(wired, ed):
    assert "<h4" not in (ROOT / "templates" / "web" / "evidence.html").read_text()
    for sid in ("council:northmoor", "ward:local.kingsford.bridge-street.2026-05-07", "group:red-wall",
                "ward:local.ashcombe.goldsmid.2026-05-07"):
        page = ed.get(url(sid))
        assert page.status_code == 200
        levels = [level for level, _ in Markup(page.text).headings]
        assert 1 in levels, sid
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{sid}: an <h{after}> straight after an <h{before}>"


# -- 12. accessibility in the markup ---------------------------------------------------------------
def contrast(fg: str, bg: str) -> float:
    def lum(colour: str) -> float:
        c = colour.lstrip("#")
        rgb = [int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_12_navs_are_labelled_headers_not_empty_and_the_ok_badge_readable(wired, ed):
    pages = {"queue": ed.get("/queue").text, "story": ed.get(url("ward:local.kingsford.bridge-street.2026-05-07")).text,
             "council": ed.get(url("council:northmoor")).text, "rules": ed.get("/rules").text}
    for name, page in pages.items():
        m = Markup(page)
        assert m.navs, name
        labels = [n.get("aria-label") or n.get("aria-labelledby") for n in m.navs]
        assert all(labels), f"{name}: a <nav> without a label"
        assert len(set(labels)) == len(labels), f"{name}: two <nav>s with one label"
        assert all(m.ths), f"{name}: an empty <th>"
    assert len(Markup(pages["story"]).navs) == 2
    # the "ok" check badge on a published row (the row takes the status's background)
    css = (ROOT / "writer" / "web" / "static" / "app.css").read_text()
    ok = re.search(r"--ok:\s*(#[0-9a-fA-F]{6})", css).group(1)
    backgrounds = dict(re.findall(r"\.status-(\w+)\s*\{\s*background:\s*(#[0-9a-fA-F]{6})", css))
    assert "published" in backgrounds
    for status, bg in backgrounds.items():
        assert contrast(ok, bg) >= 4.5, f"ok on {status}: {contrast(ok, bg):.2f}"
    assert contrast(ok, "#ffffff") >= 4.5


def retraction_items(night):
    """A published ward story and its retraction, as the publisher makes them."""
    from writer.night import draft_night
    from writer.publish.feeds import FeedItem, item_from_story
    _, _, desk = draft_night(DEMO)
    story = next(s for s in desk.current() if s.kind == "ward")
    t0 = datetime(2026, 5, 7, 23, 0, tzinfo=timezone.utc)
    published = item_from_story(story, published=t0, updated=t0, kind="story")
    retracted = FeedItem(story_id=story.id, kind="retraction", version=story.version + 1,
                         title=f"Withdrawn: {story.headline}",
                         summary="This story has been withdrawn: the result it reported no longer stands.",
                         html="<p>This story has been withdrawn: the result it reported no longer stands.</p>",
                         council=story.council, council_name=None, region=story.region, groups=tuple(story.groups),
                         published=t0, updated=t0 + timedelta(hours=2), correction=None, auto=False)
    return story, published, retracted


def feeds_client(night, items):
    from writer.publish.feeds import night_names
    from writer.web.feeds import StaticSource, feeds_router
    councils, regions, groups = night_names(night)
    source = StaticSource("https://results.example", night.election.id, night.election.name,
                          councils, regions, groups)
    source.set_items(items)
    app = FastAPI()
    app.include_router(feeds_router(source))
    return TestClient(app, base_url="https://results.example")


def test_12_the_public_retracted_page_has_an_h1(night):
    story, published, retracted = retraction_items(night)
    client = feeds_client(night, [published, retracted])
    page = client.get("/feeds/story/" + quote(story.id, safe=""))
    assert page.status_code == 200 and 'id="retraction"' in page.text
    headings = Markup(page.text).headings
    assert headings and headings[0][0] == 1, headings
    assert story.headline in html.unescape(headings[0][1])


# -- 13. feed titles and the public pages ----------------------------------------------------------
def test_13_no_doubled_prefixes_in_feed_titles_and_descriptions(night):
    import feedparser
    from dataclasses import replace
    story, published, retracted = retraction_items(night)
    line = "Correction, 4.56pm Friday 8 May: this story has been updated because a declared result was corrected."
    corrected = replace(published, version=published.version + 1, updated=published.updated + timedelta(hours=1),
                        correction=line)
    for items in ([corrected], [corrected, retracted]):
        client = feeds_client(night, items)
        for path in ("/feeds/night.rss", "/feeds/night.atom"):
            body = client.get(path).text
            parsed = feedparser.parse(body)
            assert not parsed.bozo
            for e in parsed.entries:
                text = " ".join([e.title, e.get("summary", ""), e.get("description", ""),
                                 *(c.value for c in e.get("content", []))])
                plain = re.sub(r"<[^>]+>", "", html.unescape(text))
                assert not re.search(r"(Retracted|Withdrawn):\s*(Retracted|Withdrawn):", plain), e.title
                assert not re.search(r"Correct(ion|ed):?\s*,?\s*Correction", plain), plain[:200]
                assert not re.search(r"Correction:\s*Correction", html.unescape(text)), text[:300]
            titles = [e.title for e in parsed.entries]
            assert f"Corrected: {story.headline}" in titles
            if retracted in items:
                assert f"Retracted: {story.headline}" in titles
            story_entry = next(e for e in parsed.entries if e.title.startswith("Corrected"))
            summary = story_entry.get("summary") or story_entry.get("description")
            assert html.unescape(summary).startswith("Correction, 4.56pm Friday 8 May: this story")


def test_13_the_public_story_pages_are_styled(wired):
    client = TestClient(wired.app, base_url=BASE)
    page = client.get("/feeds/story/" + quote(PUBLISHED, safe=""))
    assert page.status_code == 200
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert links, "the public story page has no stylesheet"
    for href in links:
        css = client.get(href)
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "article" in css.text and "table" in css.text
    assert 'name="viewport"' in page.text
    index = client.get("/feeds/")
    assert re.search(r'<link rel="stylesheet" href="/static/public.css">', index.text)


# -- 18. what editors noticed ----------------------------------------------------------------------
def test_18_tables_print_thousands_with_separators(wired, ed):
    ward = ed.get(url("ward:local.kingsford.bridge-street.2026-05-07")).text
    assert ">1,329<" in ward and ">1329<" not in ward
    env = wired.app.state.templates
    national = {"rows": [{"party": "Labour", "baseline": 35.0, "change": 1.5, "projected": 36.5}],
                "wards_used": 2268, "councils_used": 146, "wards": [], "method": "m.", "baseline_label": "2018",
                "reason": None, "commons_reason": None,
                "commons": {"seats": [("Labour", 1423, 1202)], "largest_party": "Labour", "majority": 1097,
                            "majority_needed": 326, "method": "m.", "changed_hands": 1040}}
    view = SimpleNamespace(evidence={"wards": [], "councils": [{
        "council_name": "Big", "region": "London", "cycle": "all-out", "total_seats": 2268, "seats_up": 2268,
        "majority_needed": 1135, "status": "", "seats_declared": 1423, "result": "", "control_before": "",
        "control_after": "", "composition_estimated": False, "baseline_label": "2018", "comparison_basis": "",
        "comparable": True, "not_comparable_reason": None, "history": "",
        "parties": [{"party": "Labour", "before": 1202, "after": 1423, "won": 1423, "baseline": 1202,
                     "change": 221}]}],
        "others": [], "raw": [], "national": national, "context": []})
    text = env.get_template("evidence.html").render(view=view)
    for figure in ("2,268", "1,423", "1,202", "+221", "1,097", "1,040", "1,135"):
        assert figure in text, figure
    assert not re.search(r"\b(2268|1423|1202|1097|1040|1135)\b", text)


def test_18_publish_at_is_entered_as_britain_writes_it(wired, ed):
    sid = "council:thornley-bridge"
    page = ed.get(url(sid)).text
    assert 'type="datetime-local"' not in page
    m = Markup(page)
    date = next(i for i in m.inputs if i.get("id") == "publish-at")
    clock = next(i for i in m.inputs if i.get("id") == "publish-at-time")
    assert date["name"] == "publish_date" and date["placeholder"] == "dd/mm/yyyy"
    assert clock["name"] == "publish_time" and "24-hour" in page
    v = wired.store.latest_story(sid).version
    r = ed.post(url(sid, "schedule"), {"version": v, "publish_date": "08/05/2026", "publish_time": "03:15"})
    assert r.status_code == 303, r.text
    pt = wired.records.publish_time(sid)
    assert pt.publish_at == datetime(2026, 5, 8, 2, 15, tzinfo=timezone.utc)  # 03:15 BST, 8 May (not 5 August)
    page = ed.get(url(sid)).text
    assert 'value="08/05/2026"' in page and 'value="03:15"' in page
    for bad_date, bad_time in (("05/08", "03:15"), ("31/02/2026", "03:15"), ("08/05/2026", "25:00"),
                               ("08/05/2026", ""), ("", "03:15"), ("2026-13-01", "01:00")):
        r = ed.post(url(sid, "schedule"), {"version": v, "publish_date": bad_date, "publish_time": bad_time})
        assert r.status_code == 400, (bad_date, bad_time)
    r = ed.post(url(sid, "schedule"), {"version": v, "publish_date": "", "publish_time": ""})
    assert r.status_code == 303 and wired.records.publish_time(sid).publish_at is None


def test_18_the_history_diff_goes_paragraph_by_paragraph(wired, ed):
    sid = "council:stourmere"
    row = wired.store.latest_story(sid)
    paragraphs = list(row.story().paragraphs)
    assert len(paragraphs) >= 3
    words = paragraphs[1].split()
    paragraphs[1] = " ".join(words[:-1] + ["(edited)", words[-1]])
    r = ed.post(url(sid, "edit"), {"version": row.version, "headline": row.headline, "body": "\n\n".join(paragraphs)})
    assert r.status_code == 303, r.text
    page = ed.get(url(sid)).text
    latest = re.search(r'<article class="history-version" data-version="%d".*?</article>' % (row.version + 1),
                       page, re.S).group(0)
    ops = re.findall(r'class="diff-para diff-(\w+)[^"]*"', latest)
    assert ops.count("changed") == 1 and "same" in ops, ops
    changed = re.search(r'<p class="diff-para diff-changed[^"]*".*?</p>', latest, re.S).group(0)
    assert "<ins>(edited) </ins>" in changed or "<ins>(edited)" in changed
    assert "<del>" not in latest.replace(changed, "")  # nothing crossed out outside the changed paragraph
    assert latest.count("<p class=\"diff-para") == len(row.story().text().split("\n\n"))


def test_18_decisions_name_the_headline(wired, ed):
    sid = "council:eastbrook-vale"
    row = wired.store.latest_story(sid)
    r = ed.post(url(sid, "hold"), {"version": row.version, "note": "waiting for the count"})
    assert r.status_code == 303
    flash = re.search(r'id="flash"[^>]*>(.*?)</p>', ed.get(r.headers["location"]).text, re.S).group(1)
    assert html.unescape(flash) == f"Held \u201c{row.headline}\u201d (version {row.version})."
    assert sid not in flash


def test_18_new_stories_come_first_by_default(wired, ed):
    rank = {"new": 0, "edited": 0, "held": 1, "approved": 2, "published": 3, "rejected": 4, "retracted": 5}
    rows = ed.get("/queue.json").json()["rows"]
    statuses = [r["status"] for r in rows]
    assert {"new", "published", "retracted"} <= set(statuses)
    assert [rank[s] for s in statuses] == sorted(rank[s] for s in statuses)
    new = [r["score"] for r in rows if r["status"] == "new"]
    assert new == sorted(new, reverse=True)  # highest score first within
    by_score = [r["score"] for r in ed.get("/queue.json?order=score").json()["rows"]]
    assert by_score == sorted(by_score, reverse=True)
    latest = [r["at"] for r in ed.get("/queue.json?order=latest").json()["rows"]]
    assert [datetime.fromisoformat(a) for a in latest] == sorted((datetime.fromisoformat(a) for a in latest),
                                                                 reverse=True)
    page = ed.get("/queue").text
    assert re.search(r'<select name="order" id="filter-order"', page)
    assert re.search(r'<option value="new" selected>new first</option>', page)
    shown = re.findall(r'<tr class="queue-row[^"]*" data-story-id="[^"]+" data-version="\d+"\s+data-status="(\w+)"', page)
    assert shown == statuses
    # the order carries to a story's previous and next
    story = ed.get(url(rows[0]["story_id"]) + "?order=score").text
    assert "order=score" in re.search(r'data-next-url="([^"]*)"', story).group(1)


def test_18_a_published_story_offers_no_approve(wired, ed):
    page = ed.get(url(PUBLISHED)).text
    assert 'data-status="published"' in page
    assert 'id="approve-form"' not in page and 'id="approve-button"' not in page
    assert 'id="story-published"' in page
    row = wired.store.latest_story(PUBLISHED)
    before = len(wired.store.decisions(PUBLISHED))
    assert ed.post(url(PUBLISHED, "approve"), {"version": row.version}).status_code == 400
    assert len(wired.store.decisions(PUBLISHED)) == before
    queue = ed.get("/queue").text
    assert re.search(r'data-story-id="%s"[^>]*data-status="published"' % re.escape(PUBLISHED), queue)


def test_18_a_favicon_is_served(wired):
    client = TestClient(wired.app, base_url=BASE)
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO
    assert "max-age" in r.headers["cache-control"]
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/login").text


def test_18_the_layout_fits_a_narrow_window():
    css = (ROOT / "writer" / "web" / "static" / "app.css").read_text()
    assert re.search(r"header\.top\s*\{[^}]*flex-wrap:\s*wrap", css)
    assert re.search(r"@media \(max-width: 700px\)", css)
    assert ".table-scroll" in css and 'class="table-scroll"' in (ROOT / "templates" / "web" / "queue.html").read_text()


def test_18_the_chart_legend_is_in_the_bars_colours(wired):
    from writer.draft.style import PartyNames
    from writer.publish.chart import chart_data, story_chart
    names = PartyNames.load(RULES / "parties.yaml")
    story = wired.store.latest_story("council:northmoor").story()
    svg, _alt = story_chart(story, names, "2026", "svg")
    text = svg.decode()
    facts = next(e for e in story.evidence if e.get("scope") == "council" and e.get("seats_won"))
    data = chart_data(facts, names, "2026")
    assert data.baseline_label is not None  # a comparison: a legend with two swatches
    assert "#777777" not in text.lower(), "grey legend swatches"
    for colour in {b.colour.lower() for b in data.bars}:
        # two bars (now, then) and two legend swatches (now, then) in each party's colour
        assert text.lower().count(f"fill: {colour}") >= 4, colour


def test_a_chief_withdraws_a_declaration_from_the_review_app(tmp_path):
    """Issue 16, item 1: the withdrawal is also the chief's, in the review app (audited as
    user:<name>); an editor is refused; the night is worked out again without it."""
    import shutil
    from conftest import DEMO
    from writer.night import build
    from writer.ingest import load_night
    from writer.store import Pipeline, open_store
    from writer.store.users import ReviewRecords
    from writer.web.security import hash_password

    night_dir = tmp_path / "demo"
    shutil.copytree(DEMO, night_dir)
    night = load_night(night_dir)
    store = open_store(tmp_path / "w.db")
    try:
        pipeline = Pipeline(store, lambda: build(night))
        pipeline.ingest_all(night.declarations)
        target = next(d for d in night.declarations if d.kind == "ward")
        records = ReviewRecords(store)
        records.add_user("boss", "chief", hash_password(PASSWORD), by="test")
        records.add_user("ed", "editor", hash_password(PASSWORD), by="test")
        from writer.web.app import create_app
        app = create_app(store, night=night, pipeline=pipeline, https_only=True,
                         secret_key="test-secret-key-for-the-review-app")

        url = f"/declaration/{target.id}/withdraw"
        ed, ed_csrf = sign_in(app, "ed", PASSWORD, base_url=BASE)
        assert ed.post(url, data={"reason": "typo", "csrf_token": ed_csrf}, follow_redirects=False).status_code == 403
        assert target.id in pipeline.engine.declarations
        boss, boss_csrf = sign_in(app, "boss", PASSWORD, base_url=BASE)
        r = boss.post(url, data={"reason": "a feed's typo", "csrf_token": boss_csrf}, follow_redirects=False)
        assert r.status_code == 303
        assert target.id not in pipeline.engine.declarations
        assert store.current_declaration(target.id) is None
    finally:
        store.close()
