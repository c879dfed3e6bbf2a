"""The review app (writer/web): sign-in, CSRF, roles, the queue, a story's fact-check, edits,
decisions, optimistic locking, escaping and security headers.

The demo night (with one candidate renamed to hostile markup) is replayed into a SQLite
store in tmp_path through the store's Pipeline, once for the module; each test works on its
own stories so that tests do not depend on each other's order.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("argon2")

from click.testing import CliRunner  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from conftest import DEMO  # noqa: E402
from helpers import csrf_of, sign_in  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.store import Pipeline, open_store  # noqa: E402
from writer.store.users import ReviewRecords  # noqa: E402
from writer.web.security import hash_password  # noqa: E402

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_WARD = "ward:local.fernmouth.bay.2026-05-07"  # its lede names the renamed winner
PASSWORD = "correct horse battery"
BASE = "https://testserver"


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def night_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("night") / "demo-night"
    shutil.copytree(DEMO, d)
    wards = d / "results" / "wards.csv"
    text = wards.read_text(encoding="utf-8")
    assert "Blackledge J." in text
    wards.write_text(text.replace("Blackledge J.", HOSTILE), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def night(night_dir):
    return load_night(night_dir)


@pytest.fixture(scope="module")
def store(tmp_path_factory, night):
    s = open_store(tmp_path_factory.mktemp("store") / "web.db")
    pipeline = Pipeline(s, lambda: build(night))
    pipeline.ingest_all(night.declarations)
    records = ReviewRecords(s)
    for name, role in (("ed", "editor"), ("ed2", "editor"), ("boss", "chief"), ("throttled", "editor")):
        records.add_user(name, role, hash_password(PASSWORD), by="test")
    s.pipeline = pipeline
    yield s
    s.close()


@pytest.fixture(scope="module")
def app(store, night):
    from writer.web.app import create_app
    return create_app(store, night=night, pipeline=store.pipeline, https_only=True,
                      secret_key="test-secret-key-for-the-review-app")


class Desk:
    """A signed-in browser: a TestClient with the session cookie and the page's CSRF token."""

    def __init__(self, app, name: str) -> None:
        self.client, self.csrf = sign_in(app, name, PASSWORD, base_url=BASE)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def story(self, sid: str):
        r = self.client.get(url(sid))
        assert r.status_code == 200, r.text
        return r

    def post(self, sid: str, action: str, **data):
        data.setdefault("csrf_token", self.csrf)
        return self.client.post(url(sid, action), data=data, follow_redirects=False)


def url(sid: str, action: str = "") -> str:
    return "/story/" + quote(sid, safe="") + (f"/{action}" if action else "")


def version_of(html: str) -> int:
    return int(re.search(r'id="edit-version" value="(\d+)"', html).group(1))


@pytest.fixture(scope="module")
def ed(app):
    return Desk(app, "ed")


@pytest.fixture(scope="module")
def ed2(app):
    return Desk(app, "ed2")


@pytest.fixture(scope="module")
def boss(app):
    return Desk(app, "boss")


def paragraphs(store, sid: str) -> str:
    return "\n\n".join(store.latest_story(sid).story().paragraphs)


def make_wrong(desk: Desk, store, sid: str, old: str, new: str) -> int:
    """Edit a figure in the story so that the fact-check fails; returns the new version."""
    row = store.latest_story(sid)
    body = paragraphs(store, sid)
    assert old in body
    r = desk.post(sid, "edit", version=row.version, headline=row.headline, body=body.replace(old, new, 1))
    assert r.status_code == 303, r.text
    latest = store.latest_story(sid)
    assert latest.version == row.version + 1 and latest.author == desk_name(desk)
    check = store.latest_check(sid, latest.version)
    assert check is not None and not check.ok and check.failures
    return latest.version


def desk_name(desk: Desk) -> str:
    return re.search(r'data-username="([^"]+)"', desk.get("/queue").text).group(1)


# -- sign-in -----------------------------------------------------------------------------------
def test_sign_in_is_required(app):
    c = TestClient(app, base_url=BASE)
    r = c.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fqueue")
    assert c.get(url("council:northmoor"), follow_redirects=False).status_code == 303
    assert c.get("/queue.json").status_code == 401
    assert c.get(url("council:northmoor", "state.json")).status_code == 401
    r = c.post(url("council:northmoor", "approve"), data={"version": 1}, follow_redirects=False)
    assert r.status_code in (303, 401, 403)
    assert c.get("/healthz").json()["ok"] is True
    assert c.get("/login").status_code == 200


def test_wrong_password_is_refused(app, store):
    c = TestClient(app, base_url=BASE)
    token = csrf_of(c.get("/login").text)
    for name, password in (("ed", "wrong password"), ("nobody", PASSWORD), ("ed", "")):
        r = c.post("/login", data={"username": name, "password": password, "csrf_token": token},
                   follow_redirects=False)
        assert r.status_code == 401
        assert "Wrong name or password" in r.text
    assert c.get("/queue", follow_redirects=False).status_code == 303  # still signed out
    # the right password signs in; the session cookie is HTTP-only, SameSite=Strict, Secure
    r = c.post("/login", data={"username": "ed", "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert c.get("/queue").status_code == 200


def test_sign_in_is_throttled_after_repeated_failures(app):
    c = TestClient(app, base_url=BASE)
    token = csrf_of(c.get("/login").text)
    codes = [c.post("/login", data={"username": "throttled", "password": "nope nope", "csrf_token": token},
                    follow_redirects=False).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    r = c.post("/login", data={"username": "throttled", "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 429  # even the right password, for a while


def test_sign_in_never_redirects_off_site(app):
    c = TestClient(app, base_url=BASE)
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "ed", "password": PASSWORD, "csrf_token": token,
                               "next": "//evil.example/x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue"


def test_sign_out_ends_the_session(app):
    d = Desk(app, "ed2")
    r = d.client.post("/logout", data={"csrf_token": d.csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert d.get("/queue", follow_redirects=False).status_code == 303


# -- CSRF --------------------------------------------------------------------------------------
def test_forms_without_the_csrf_token_are_refused(app, store, ed):
    sid = "council:oakhurst"
    v = store.latest_story(sid).version
    before = len(store.decisions(sid))
    assert ed.post(sid, "approve", version=v, csrf_token="").status_code == 403
    assert ed.post(sid, "approve", version=v, csrf_token="not-the-token").status_code == 403
    r = ed.client.post(url(sid, "approve"), data={"version": v}, follow_redirects=False)
    assert r.status_code == 403
    assert ed.post(sid, "edit", version=v, headline="x", body="y", csrf_token="").status_code == 403
    assert len(store.decisions(sid)) == before
    assert store.latest_story(sid).version == v
    # sign-in and sign-out forms need it too
    c = TestClient(app, base_url=BASE)
    c.get("/login")
    r = c.post("/login", data={"username": "ed", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    # a form posted from another site is refused even with the token
    r = ed.client.post(url(sid, "approve"), data={"version": v, "csrf_token": ed.csrf},
                       headers={"origin": "https://evil.example"}, follow_redirects=False)
    assert r.status_code == 403


# -- approving ---------------------------------------------------------------------------------
def test_editor_approves_a_clean_story(store, ed):
    sid = "council:northmoor"
    page = ed.story(sid)
    assert 'data-check="ok"' in page.text and 'id="approve-form"' in page.text
    v = version_of(page.text)
    r = ed.post(sid, "approve", version=v, next="council:eastbrook-vale")
    assert r.status_code == 303
    assert r.headers["location"].startswith(url("council:eastbrook-vale"))  # on to the next story
    d = store.latest_decision(sid, v)
    assert (d.decision, d.username) == ("approved", "ed")
    rows = {row["story_id"]: row for row in ed.get("/queue.json").json()["rows"]}
    assert rows[sid]["status"] == "approved"
    assert 'data-status="approved"' in ed.story(sid).text
    # a decision on a version that is no longer the latest is a conflict
    assert ed.post(sid, "reject", version=v - 1).status_code == 409


def test_approve_with_a_time_to_publish_at(store, ed):
    sid = "council:greyhaven"
    v = store.latest_story(sid).version
    assert ed.post(sid, "approve", version=v, publish_at="2026-05-08T03:15").status_code == 303
    pt = ReviewRecords(store).publish_time(sid)
    assert pt.story_version == v
    assert pt.publish_at == datetime(2026, 5, 8, 2, 15, tzinfo=timezone.utc)  # 03:15 BST
    row = next(r for r in ed.get("/queue.json").json()["rows"] if r["story_id"] == sid)
    assert row["publish_at"].startswith("2026-05-08T02:15")
    assert ed.post(sid, "schedule", version=v, publish_at="not a time").status_code == 400


def test_an_edit_that_makes_a_figure_wrong_fails_the_check_and_blocks_approval(store, ed):
    sid = "council:thornley-bridge"
    v = make_wrong(ed, store, sid, "12 of the 27 seats", "13 of the 27 seats")
    page = ed.story(sid)
    assert 'data-check="failed"' in page.text
    assert re.search(r'<mark class="check-failure"[^>]*>13</mark>', page.text), "the failing span is marked"
    assert "the data says" in page.text
    r = ed.post(sid, "approve", version=v)
    assert r.status_code == 422
    assert "fact-check" in r.text
    assert store.latest_decision(sid, v) is None
    # the history shows the edit as a diff
    assert "<del>12</del>" in page.text and "<ins>13</ins>" in page.text
    # fixing it passes the check, and then it can be approved
    body = paragraphs(store, sid).replace("13 of the 27 seats", "12 of the 27 seats")
    r = ed.post(sid, "edit", version=v, headline=store.latest_story(sid).headline, body=body)
    assert r.status_code == 303
    assert store.latest_check(sid, v + 1).ok
    assert ed.post(sid, "approve", version=v + 1).status_code == 303


def test_a_chief_can_override_a_failed_check_with_a_reason(store, boss):
    sid = "council:stourmere"
    v = make_wrong(boss, store, sid, "11 of 24", "11 of 34")
    assert boss.post(sid, "approve", version=v).status_code == 422  # no reason, no override
    assert boss.post(sid, "approve", version=v, override_reason="   ").status_code == 422
    r = boss.post(sid, "approve", version=v, override_reason="Confirmed with the count: 34 is right")
    assert r.status_code == 303
    check = store.latest_check(sid, v)
    assert not check.ok and check.failures
    assert check.override_reason == "Confirmed with the count: 34 is right" and check.username == "boss"
    decisions = [(d.decision, d.username) for d in store.decisions(sid, v)]
    assert decisions == [("override", "boss"), ("approved", "boss")]
    page = boss.story(sid)
    assert 'data-status="approved"' in page.text and "overridden" in page.text
    assert "Confirmed with the count: 34 is right" in page.text


def test_an_editor_cannot_override_a_failed_check(store, ed, boss):
    sid = "council:fernmouth"
    v = make_wrong(ed, store, sid, "12 of the 22 seats", "13 of the 22 seats")
    page = ed.story(sid)
    assert 'id="override-reason"' not in page.text and 'id="approve-blocked"' in page.text
    assert 'id="override-reason"' in boss.story(sid).text
    r = ed.post(sid, "approve", version=v, override_reason="I am sure")
    assert r.status_code == 403
    assert store.latest_decision(sid, v) is None
    assert all(c.override_reason is None for c in store.checks(sid, v))


# -- editing -----------------------------------------------------------------------------------
def test_two_editors_saving_the_same_story_conflict_and_nothing_is_lost(store, ed, ed2):
    sid = "council:brackenfield"
    v = version_of(ed.story(sid).text)
    assert version_of(ed2.story(sid).text) == v
    row = store.latest_story(sid)
    body = paragraphs(store, sid)
    first = body + "\n\nFirst editor's extra paragraph."
    second = body + "\n\nSecond editor's different paragraph."
    assert ed.post(sid, "edit", version=v, headline=row.headline, body=first).status_code == 303
    r = ed2.post(sid, "edit", version=v, headline=row.headline, body=second)
    assert r.status_code == 409
    html = r.text
    assert 'id="conflict"' in html and f'data-latest-version="{v + 1}"' in html
    theirs = re.search(r'<pre id="conflict-theirs"[^>]*>(.*?)</pre>', html, re.S).group(1)
    yours = re.search(r'<pre id="conflict-yours"[^>]*>(.*?)</pre>', html, re.S).group(1)
    assert "First editor&#39;s extra paragraph." in theirs
    assert "Second editor&#39;s different paragraph." in yours
    # the second editor's text waits in the editor, now based on the latest version
    editor = re.search(r'<textarea id="edit-body"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "Second editor&#39;s different paragraph." in editor
    assert version_of(html) == v + 1
    latest = store.latest_story(sid)
    assert (latest.version, latest.author) == (v + 1, "ed")  # the first edit stands
    # saving again on top of the latest keeps both edits in the history
    assert ed2.post(sid, "edit", version=v + 1, headline=row.headline, body=second).status_code == 303
    history = store.story_history(sid)
    assert [(h.version, h.author) for h in history[-2:]] == [(v + 1, "ed"), (v + 2, "ed2")]
    assert "First editor's extra paragraph." in history[-2].story().lede + " ".join(history[-2].story().body)
    rows = {r["story_id"]: r for r in ed.get("/queue.json").json()["rows"]}
    assert rows[sid]["status"] == "edited" and rows[sid]["author"] == "ed2"


def test_an_edit_is_validated(store, ed):
    sid = "council:millbridge"
    row = store.latest_story(sid)
    r = ed.post(sid, "edit", version=row.version, headline="", body="Some text.")
    assert r.status_code == 400
    r = ed.post(sid, "edit", version=row.version, headline="A headline", body="  \n\n ")
    assert r.status_code == 400
    assert store.latest_story(sid).version == row.version
    # saving the same text makes no new version
    r = ed.post(sid, "edit", version=row.version, headline=row.headline, body=paragraphs(store, sid))
    assert r.status_code == 303 and store.latest_story(sid).version == row.version


def test_hold_needs_a_note_and_reject_is_recorded(store, ed):
    sid = "council:ashcombe"
    v = store.latest_story(sid).version
    assert ed.post(sid, "hold", version=v, note="").status_code == 400
    assert ed.post(sid, "hold", version=v, note="Waiting for the recount in Elmstead").status_code == 303
    d = store.latest_decision(sid, v)
    assert (d.decision, d.note) == ("held", "Waiting for the recount in Elmstead")
    rows = {r["story_id"]: r for r in ed.get("/queue.json").json()["rows"]}
    assert rows[sid]["status"] == "held" and rows[sid]["note"] == "Waiting for the recount in Elmstead"
    assert "Waiting for the recount in Elmstead" in ed.story(sid).text
    sid = "council:kingsford"
    v = store.latest_story(sid).version
    assert ed.post(sid, "reject", version=v, note="Duplicate").status_code == 303
    assert store.latest_decision(sid, v).decision == "rejected"


# -- escaping ----------------------------------------------------------------------------------
def test_a_hostile_candidate_name_shows_as_text(store, ed):
    assert HOSTILE in store.latest_story(HOSTILE_WARD).story().lede
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    page = ed.story(HOSTILE_WARD).text
    assert escaped in page
    assert "<img" not in page
    queue = ed.get("/queue").text
    assert escaped in queue and "<img" not in queue
    # an editor's hostile headline too
    row = store.latest_story(HOSTILE_WARD)
    r = ed.post(HOSTILE_WARD, "edit", version=row.version, headline="<script>alert('x')</script> wins",
                body=paragraphs(store, HOSTILE_WARD))
    assert r.status_code == 303
    queue = ed.get("/queue").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; wins" in queue
    assert "<script>alert" not in queue and "<script>alert" not in ed.story(HOSTILE_WARD).text
    # the JSON the queue polls carries the text as data (the page sets it with textContent)
    rows = {r["story_id"]: r for r in ed.get("/queue.json").json()["rows"]}
    assert rows[HOSTILE_WARD]["headline"] == "<script>alert('x')</script> wins"


# -- the queue ---------------------------------------------------------------------------------
def test_the_queue_lists_every_story_sorted_and_filters(store, ed):
    everything = ed.get("/queue.json?order=score").json()
    rows = everything["rows"]
    assert len(rows) == len(store.latest_stories(include_retracted=True)) == everything["total"]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    # by default new first: what waits for an editor, then the rest (tests/test_hardening_web.py)
    rank = {"new": 0, "edited": 0, "held": 1, "approved": 2, "published": 3, "rejected": 4, "retracted": 5}
    default = [rank[r["status"]] for r in ed.get("/queue.json").json()["rows"]]
    assert default == sorted(default)
    for r in rows:
        assert {"status", "score", "council_name", "region", "at", "time", "check"} <= set(r)
        assert r["status"] in ("new", "edited", "held", "approved", "rejected", "published", "retracted")

    def ids(query):
        return [r["story_id"] for r in ed.get("/queue.json?" + query).json()["rows"]]

    london = ids("region=London")
    assert london and all(r["region"] == "London" for r in rows if r["story_id"] in london)
    assert set(london) == {r["story_id"] for r in rows if r["region"] == "London"}
    gains = ids("type=council-gain")
    assert "council:northmoor" in gains and all("council-gain" in r["types"] for r in rows if r["story_id"] in gains)
    wards = ids("kind=ward")
    assert wards and all(i.startswith("ward:") for i in wards)
    approved = ids("status=approved")
    assert "council:northmoor" in approved
    assert all(r["status"] == "approved" for r in rows if r["story_id"] in approved)
    assert ids("status=new&region=London&kind=council") == [
        r["story_id"] for r in rows if r["status"] == "new" and r["region"] == "London" and r["kind"] == "council"]
    assert ids("q=northmoor+falls") == ["council:northmoor"]
    # the page itself: rows for the filter only, the filter kept in the form
    html = ed.get("/queue?region=London").text
    shown = re.findall(r'<tr class="queue-row[^"]*" data-story-id="([^"]+)"', html)
    assert shown == london
    assert '<option value="London" selected>' in html
    # a story's previous and next follow the filtered queue
    page = ed.story(london[0])
    assert "data-next-url" in page.text


def test_the_queue_follows_the_store(store, night, ed):
    """A new version in the store (a correction, another process) shows on the next poll."""
    before = {r["story_id"]: r["version"] for r in ed.get("/queue.json").json()["rows"]}
    row = store.latest_story("council:oakhurst")
    from dataclasses import replace
    store.record_stories([replace(row.story(), headline=row.headline + " (updated)")])
    after = {r["story_id"]: r for r in ed.get("/queue.json").json()["rows"]}
    assert after["council:oakhurst"]["version"] == before["council:oakhurst"] + 1
    assert after["council:oakhurst"]["headline"].endswith("(updated)")
    state = ed.get(url("council:oakhurst", "state.json")).json()
    assert state["version"] == row.version + 1 and state["check"] in ("ok", "failed")


def test_the_cached_queue_shows_every_change_at_once(store, night):
    """The queue is kept in memory and rendered once per change; a new story version, a
    decision, a fact-check, a publish time and a publication each show on the very next
    request, in the page and the JSON, exactly as a queue read afresh from the store."""
    from dataclasses import replace

    from writer.web.app import create_app
    from writer.review import Review

    published: dict[str, int] = {}
    app = create_app(store, night=night, pipeline=store.pipeline, https_only=True, fact_check=False,
                     published=lambda: dict(published), secret_key="test-secret-key-for-the-review-app")
    review = app.state.review
    boss = Desk(app, "boss")

    def json_rows(query: str = "") -> dict[str, dict]:
        return {r["story_id"]: r for r in boss.get("/queue.json" + query).json()["rows"]}

    def page_row(sid: str, query: str = "") -> str:
        html = boss.get("/queue" + query).text
        m = re.search(r'<tr class="queue-row[^"]*" data-story-id="%s".*?</tr>' % re.escape(sid), html, re.S)
        assert m, f"{sid} is not in the queue page"
        return m.group(0)

    def same_as_fresh() -> None:
        fresh = Review(store, published=lambda: dict(published)).queue()
        assert review.queue() == fresh
        assert [r["story_id"] for r in boss.get("/queue.json").json()["rows"]] == [r.story_id for r in fresh]

    sid = "council:severnside"
    json_rows(), page_row(sid), page_row(sid, "?kind=council")  # warm every cache
    revision = review.queue_state()[0]
    assert review.queue_state()[0] == revision  # nothing changed: nothing re-read

    # a new story version (from another process: straight into the store)
    row = store.latest_story(sid)
    store.record_stories([replace(row.story(), headline="Severnside <b>cached</b>?")])
    v = row.version + 1
    assert json_rows()[sid]["version"] == v and json_rows()[sid]["headline"] == "Severnside <b>cached</b>?"
    tr = page_row(sid)
    assert f'data-version="{v}"' in tr and "Severnside &lt;b&gt;cached&lt;/b&gt;?" in tr and "<b>" not in tr
    assert f'data-version="{v}"' in page_row(sid, "?kind=council")
    assert json_rows()[sid]["check"] == "unchecked"  # no fact-check in this app
    same_as_fresh()

    # a fact-check result
    store.record_check(sid, v, False, [{"start": 0, "end": 4, "text": "Fern", "reason": "test"}])
    assert json_rows()[sid]["check"] == "failed" and 'data-check="failed"' in page_row(sid)
    store.record_check(sid, v, False, [], override_reason="the chief says so", user="boss")
    assert json_rows()[sid]["check"] == "overridden"
    same_as_fresh()

    # decisions
    store.record_decision(sid, v, "held", "boss", note="waiting for the count")
    assert json_rows()[sid]["status"] == "held" and json_rows()[sid]["note"] == "waiting for the count"
    assert 'data-status="held"' in page_row(sid) and 'data-status="held"' in page_row(sid, "?kind=council")
    assert sid in json_rows("?status=held") and sid not in json_rows("?status=new")
    store.record_decision(sid, v, "override", "boss", note="not a status")
    assert json_rows()[sid]["status"] == "held"
    store.record_decision(sid, v, "approved", "boss")
    assert json_rows()[sid]["status"] == "approved" and 'data-status="approved"' in page_row(sid)
    same_as_fresh()

    # a time to publish at
    when = datetime(2026, 5, 8, 2, 15, tzinfo=timezone.utc)
    ReviewRecords(store).set_publish_time(sid, v, when, "boss")
    assert json_rows()[sid]["publish_at"].startswith("2026-05-08T02:15") and "publish-at" in page_row(sid)

    # publication (the publisher's record)
    published[sid] = v
    assert json_rows()[sid]["status"] == "published" and 'data-status="published"' in page_row(sid)
    same_as_fresh()

    # a newer version puts the story back in front of an editor, without the old decisions
    store.record_stories([replace(row.story(), headline="Severnside again")])
    r = json_rows()[sid]
    assert (r["version"], r["status"], r["check"], r["publish_at"]) == (v + 1, "new", "unchecked", None)
    assert 'data-status="new"' in page_row(sid)
    same_as_fresh()

    # if the rows read do not add up (PostgreSQL can commit a lower seq after a higher one),
    # the queue is read again from scratch
    review._queue.counted = True  # as on PostgreSQL (SQLite commits rows in seq order)
    same_as_fresh()
    marks = review._queue.marks
    review._queue.marks = (marks[0], (marks[1][0], marks[1][1] - 1)) + marks[2:]
    store.record_decision(sid, v + 1, "rejected", "boss")
    assert json_rows()[sid]["status"] == "rejected"
    same_as_fresh()


def test_story_page_shows_the_evidence(store, ed):
    page = ed.story("council:northmoor").text
    assert 'id="evidence"' in page and "History: " in page and "Conservatives since 2019" in page
    ward = ed.story("ward:local.kingsford.bridge-street.2026-05-07").text
    assert 'id="evidence-candidates"' in ward
    for name in ("Gupta B.", "Usher D.", "Pilling D.", "1,329", "22.0%"):
        assert name in ward
    assert "Bridge Street in 2022" in ward
    assert ed.get(url("council:nowhere")).status_code == 404


# -- roles and rules ---------------------------------------------------------------------------
def test_only_a_chief_changes_rules_auto_publish(store, ed, boss):
    page = ed.get("/rules").text
    rule = re.search(r'data-rule-id="([^"]+)" data-auto-publish="(on|off)"', page)
    rid, state = rule.group(1), rule.group(2)
    want = "off" if state == "on" else "on"
    r = ed.client.post(f"/rules/{rid}/auto-publish", data={"auto_publish": want, "csrf_token": ed.csrf},
                       follow_redirects=False)
    assert r.status_code == 403
    assert rid not in ReviewRecords(store).auto_publish_settings()
    r = boss.client.post(f"/rules/{rid}/auto-publish", data={"auto_publish": want, "csrf_token": boss.csrf},
                         follow_redirects=False)
    assert r.status_code == 303
    setting = ReviewRecords(store).auto_publish_settings()[rid]
    assert setting.auto_publish == (want == "on") and setting.username == "boss"
    assert f'data-rule-id="{rid}" data-auto-publish="{want}"' in boss.get("/rules").text


class Tags(HTMLParser):
    """What a page's markup (not its text) holds: scripts, on* and style attributes, images."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[bool] = []  # has a src
        self.inline: list[str] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        names = [k.lower() for k, _ in attrs]
        if tag == "script":
            self.scripts.append("src" in names)
        if tag == "img":
            self.images += 1
        self.inline += [f"<{tag} {n}>" for n in names if n.startswith("on") or n == "style"]


# -- headers and pages -------------------------------------------------------------------------
def test_security_headers_and_no_inline_script(ed):
    for path in ("/login", "/queue", url("council:northmoor"), "/rules", "/static/app.js"):
        r = ed.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        if not path.startswith("/static"):
            html = r.text
            assert "no-store" in r.headers["cache-control"]
            tags = Tags()
            tags.feed(html)
            assert tags.scripts and all(tags.scripts), f"{path}: an inline script"
            assert not tags.inline, f"{path}: inline handlers or styles {tags.inline}"
            assert not tags.images, f"{path}: an <img> element"
    assert "javascript" in ed.get("/static/app.js").headers["content-type"]
    assert ed.get("/static/app.css").status_code == 200


def test_interactive_elements_have_stable_ids(ed):
    queue = ed.get("/queue").text
    for i in ("filter-form", "filter-status", "filter-region", "filter-type", "filter-kind", "filter-q",
              "queue-table", "queue-body", "logout-button", "confirm"):
        assert f'id="{i}"' in queue, i
    page = ed.story("council:severnside").text
    for i in ("edit-form", "edit-headline", "edit-body", "edit-version", "save-button", "approve-form",
              "approve-button", "publish-at", "reject-form", "reject-button", "hold-form", "hold-note",
              "hold-button", "check-result", "checked-text", "history", "evidence", "newer-version"):
        assert f'id="{i}"' in page, i


# -- commands ----------------------------------------------------------------------------------
def test_users_commands(tmp_path):
    from writer.cli.newsroom import users
    db = str(tmp_path / "users.db")
    runner = CliRunner()
    r = runner.invoke(users, ["add", "alice", "--role", "chief", "--password-stdin", "--database", db],
                      input="a long enough password\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(users, ["add", "alice", "--role", "editor", "--password-stdin", "--database", db],
                      input="another password\n")
    assert r.exit_code == 2  # already there
    r = runner.invoke(users, ["add", "bob", "--role", "editor", "--password-stdin", "--database", db],
                      input="short\n")
    assert r.exit_code == 2
    r = runner.invoke(users, ["add", "bob", "--role", "admin", "--password-stdin", "--database", db], input="x" * 10)
    assert r.exit_code == 2
    r = runner.invoke(users, ["list", "--database", db])
    assert r.exit_code == 0 and "alice\tchief\tactive" in r.output
    s = open_store(db)
    row = ReviewRecords(s).user("alice")
    assert row.password_hash.startswith("$argon2") and "a long enough password" not in row.password_hash
    s.close()
    r = runner.invoke(users, ["disable", "alice", "--database", db])
    assert r.exit_code == 0
    assert "alice\tchief\tdisabled" in runner.invoke(users, ["list", "--database", db]).output
    for change in (["disable", "alice"], ["role", "alice", "editor"], ["password", "nobody", "--password-stdin"]):
        r = runner.invoke(users, [*change, "--database", db], input="a long enough password\n")
        assert r.exit_code == 2 and f"no user '{change[1]}'" in r.output, r.output


def test_demo_loads_the_night_into_a_fresh_store(tmp_path):
    from writer.cli.newsroom import demo
    db = tmp_path / "demo.db"
    r = CliRunner().invoke(demo, ["--speed", "0", "--no-serve", "--database", str(db)])
    assert r.exit_code == 0, r.output
    s = open_store(db)
    assert len(s.latest_stories()) > 10
    assert {u.username: u.role for u in ReviewRecords(s).users()} == {"editor": "editor", "chief": "chief"}
    s.close()
    r = CliRunner().invoke(demo, ["--speed", "0", "--no-serve", "--database", str(db)])
    assert r.exit_code == 2  # never over an existing store


def test_a_retracted_story_shows_but_cannot_be_decided(store, ed):
    sid = "ward:local.ashcombe.goldsmid.2026-05-07"  # the Ashcombe correction retracts it
    row = store.latest_story(sid)
    assert row.status == "retracted"
    page = ed.story(sid).text
    assert 'data-status="retracted"' in page and 'id="story-retracted"' in page
    assert 'id="approve-form"' not in page and 'id="edit-form"' not in page
    assert ed.post(sid, "approve", version=row.version).status_code == 400
    assert store.latest_decision(sid) is None
    rows = {r["story_id"]: r for r in ed.get("/queue.json?status=retracted").json()["rows"]}
    assert sid in rows


def test_a_form_from_this_site_behind_a_proxy_is_accepted(store, ed):
    sid = "council:eastbrook-vale"
    v = store.latest_story(sid).version
    r = ed.client.post(url(sid, "hold"), data={"version": v, "note": "Checking the boundary note",
                                               "csrf_token": ed.csrf},
                       headers={"origin": "https://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    assert store.latest_decision(sid, v).decision == "held"


def test_the_declarations_api_is_mounted_and_takes_no_cookies(ed):
    pytest.importorskip("writer.web.api")
    r = ed.client.post("/api/declarations", json=[])  # signed in to the pages, but no API token
    assert r.status_code == 401
    assert "bearer" in r.headers.get("www-authenticate", "").lower()


def test_a_conflict_found_inside_the_write_transaction_still_shows_both_versions(tmp_path, night):
    """Two editors acting on a story at the same instant: the second's version check inside
    the transaction fails, the transaction rolls back, and the 409 page must still read the
    stored version (it used to be expired by the rollback: a 500)."""
    from writer.night import draft_night
    from writer.review import Conflict, Review
    _, _, desk = draft_night(DEMO)
    story = desk.current()[0]
    s = open_store(tmp_path / "conflict.db")
    s.record_stories([story])
    s.record_stories([story])  # version 2
    review = Review(s)
    with pytest.raises(Conflict) as caught:
        with s.transaction():
            review._latest_for(story.id, 1, what="approve")
    assert caught.value.latest.version == 2
    assert caught.value.latest.story().headline == story.headline  # readable after the rollback
    s.close()
