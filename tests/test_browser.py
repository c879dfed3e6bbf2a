"""The review app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium)
against the app served by uvicorn on 127.0.0.1.

Sign-in, the queue filling while a replay feeds the store, keyboard approval, a failed
fact-check blocking approval, a chief's override, two editors' conflict, hostile text, the
pages at 400 px wide, and axe-core's accessibility rules on the sign-in, queue, story and edit
pages.

Needs ``apt-get install -y chromium`` and ``pip install playwright`` (never ``playwright
install``: the browser is Debian's). Skips with a reason when either is missing. The axe-core
test needs the npm package ``axe-core`` (its ``axe.min.js``: ``.ci/run`` installs it under
``.ci/node/``; or point ``WRITER_AXE_JS`` at one) and skips with a reason without it.
Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow  # a real browser (Chromium) driving the review app: run by .ci/run

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")
pytest.importorskip("argon2")

import uvicorn  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from conftest import DEMO  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.store import Pipeline, open_store  # noqa: E402
from writer.store.users import ReviewRecords  # noqa: E402
from writer.web.security import hash_password  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",                      # running as root: the setuid/namespace sandbox is unavailable
    "--disable-gpu",
    "--disable-background-networking",   # no outbound connections
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_WARD = "ward:local.fernmouth.bay.2026-05-07"  # its lede names the renamed winner
PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ROOT = Path(__file__).resolve().parent.parent
AXE_CANDIDATES = (os.environ.get("WRITER_AXE_JS", ""), ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js",
                  ROOT / "node_modules" / "axe-core" / "axe.min.js")
#: axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules and its best practices
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
POLL = 0.5  # seconds between the pages' polls
TIMEOUT = 10_000  # ms, for expect()


def url(sid: str, action: str = "") -> str:
    return "/story/" + quote(sid, safe="") + (f"/{action}" if action else "")


# -- the night, the store, the app served for real --------------------------------------------
@pytest.fixture(scope="module")
def night(tmp_path_factory):
    d = tmp_path_factory.mktemp("night") / "demo-night"
    shutil.copytree(DEMO, d)
    wards = d / "results" / "wards.csv"
    text = wards.read_text(encoding="utf-8")
    assert "Blackledge J." in text
    wards.write_text(text.replace("Blackledge J.", HOSTILE), encoding="utf-8")
    return load_night(d)


class Replay:
    """Feeds the night's declarations through the pipeline in a thread, a little at a time,
    starting empty. ``start`` is idempotent; ``wait`` blocks until everything is in."""

    def __init__(self, store, night, lock: threading.Lock, delay: float = 0.04) -> None:
        self.store, self.night, self.lock, self.delay = store, night, lock, delay
        self.pipeline = Pipeline(store, lambda: build(night))
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.started_fresh = False

    def _run(self) -> None:
        try:
            for decl in self.night.declarations:
                with self.lock:
                    self.pipeline.ingest(decl)
                time.sleep(self.delay)
        except BaseException as exc:  # noqa: BLE001 - reported by wait()
            self.error = exc

    def start(self) -> bool:
        if self.thread is None:
            self.started_fresh = True
            self.thread = threading.Thread(target=self._run, name="replay", daemon=True)
            self.thread.start()
            return True
        return False

    def wait(self, timeout: float = 120) -> None:
        self.start()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the replay did not finish"
        if self.error:
            raise self.error


def fresh_store(path: Path):
    """A new store with the test users (ed, ed2 editors; boss a chief)."""
    s = open_store(path)
    records = ReviewRecords(s)
    for name, role in (("ed", "editor"), ("ed2", "editor"), ("boss", "chief")):
        records.add_user(name, role, hash_password(PASSWORD), by="test")
    return s


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = fresh_store(tmp_path_factory.mktemp("store") / "browser.db")
    yield s
    s.close()


@pytest.fixture(scope="module")
def replay(store, night):
    r = Replay(store, night, threading.Lock(), delay=0)  # nobody watches this one fill
    yield r
    if r.thread is not None:
        r.thread.join(60)


@pytest.fixture(scope="module")
def loaded(replay):
    """The whole night is in the store."""
    replay.wait()
    return replay


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(store, night, replay: Replay, **app_options):
    """The review app on ``store`` served by uvicorn in a thread; yields its base URL."""
    from writer.web.app import create_app
    app = create_app(store, night=night, pipeline=replay.pipeline, ingest_lock=replay.lock,
                     https_only=False, poll_seconds=POLL,
                     secret_key="browser-test-secret-key-for-the-review-app", **app_options)
    with serving_app(app) as base:
        yield base


@contextmanager
def serving_app(app):
    """Any ASGI app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def base_url(store, night, replay):
    with serving(store, night, replay) as base:
        yield base


@dataclass
class Live:
    """A store of its own, empty, served; its replay not yet started."""

    store: object
    replay: Replay
    base_url: str


@pytest.fixture
def live(tmp_path, night):
    """An empty store of the test's own, served, with a replay ready to start: the live queue
    is watched from empty whatever ran before it."""
    s = fresh_store(tmp_path / "live.db")
    r = Replay(s, night, threading.Lock())
    try:
        with serving(s, night, r) as base:
            yield Live(s, r, base)
            if r.thread is not None:
                r.thread.join(60)
    finally:
        s.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Desk:
    """A browser context (its own cookies) with one page; records any JS dialog and page error."""

    def __init__(self, browser, base_url: str, viewport: dict | None = None) -> None:
        self.base = base_url
        self.context = browser.new_context(base_url=base_url, viewport=viewport or {"width": 1280, "height": 900},
                                           locale="en-GB", timezone_id="Europe/London")
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def sign_in(self, name: str, password: str = PASSWORD) -> "Desk":
        self.page.goto("/login")
        self.page.fill("#login-username", name)
        self.page.fill("#login-password", password)
        with self.page.expect_navigation():
            self.page.click("#login-submit")
        return self

    def open(self, sid: str) -> None:
        self.page.goto(url(sid))
        expect(self.page.locator("body")).to_have_attribute("data-story-id", sid)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def desks(browser, base_url):
    made: list[Desk] = []

    def make(name: str | None = None) -> Desk:
        d = Desk(browser, base_url)
        made.append(d)
        return d.sign_in(name) if name else d

    yield make
    for d in made:
        assert not d.errors, f"JavaScript errors: {d.errors}"
        d.close()


def body_text(store, sid: str) -> str:
    return "\n\n".join(store.latest_story(sid).story().paragraphs)


def save_edit(desk: Desk, new_body: str) -> None:
    """Edit with the keyboard: e focuses the story box, Ctrl+Enter saves."""
    page = desk.page
    page.keyboard.press("e")
    expect(page.locator("#edit-body")).to_be_focused()
    page.fill("#edit-body", new_body)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")


# -- tests --------------------------------------------------------------------------------------
def test_queue_fills_while_a_replay_runs(browser, live):
    ed = Desk(browser, live.base_url).sign_in("ed")
    try:
        watch_the_queue_fill(ed, live.replay)
        assert not ed.errors, f"JavaScript errors: {ed.errors}"
    finally:
        ed.close()


def watch_the_queue_fill(ed: "Desk", replay: Replay) -> None:
    page = ed.page
    assert page.url.endswith("/queue")
    rows = page.locator("#queue-body tr.queue-row")
    assert rows.count() == 0
    expect(page.locator("#queue-empty")).to_be_visible()
    assert replay.start()
    seen = [0]
    deadline = time.monotonic() + 60
    while replay.thread.is_alive() and time.monotonic() < deadline:
        n = rows.count()
        if n != seen[-1]:
            seen.append(n)
        page.wait_for_timeout(200)
    replay.wait()
    final = len(ed.context.request.get("/queue.json").json()["rows"])  # the whole night
    assert final > 0
    expect(rows).to_have_count(final, timeout=TIMEOUT)
    expect(page.locator("#queue-count")).to_have_attribute("data-total", str(final))
    # the page grew in several steps while the replay ran, not once at the end
    growing = [n for n in seen if 0 < n < final]
    assert len(growing) >= 2 and growing == sorted(growing), seen
    expect(page.locator("#queue-empty")).to_have_count(0)
    expect(page.locator("#live-status")).to_contain_text("Updated")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=False)


def test_sign_in(desks, loaded):
    d = desks()
    d.sign_in("ed", "wrong password")
    expect(d.page.locator("#error")).to_contain_text("Wrong name or password")
    assert "/login" in d.page.url
    d.sign_in("ed")
    assert d.page.url.endswith("/queue")
    expect(d.page.locator("#who")).to_have_attribute("data-username", "ed")
    expect(d.page.locator("#queue-body tr.queue-row").first).to_be_visible()
    # sign out: back to the sign-in page, and the queue is closed again
    with d.page.expect_navigation():
        d.page.click("#logout-button")
    assert "/login" in d.page.url
    d.page.goto("/queue")
    assert "/login" in d.page.url


def test_refused_without_signing_in(desks, base_url):
    d = desks()
    d.page.goto("/queue")
    assert d.page.url == f"{base_url}/login?next=%2Fqueue"
    expect(d.page.locator("#login-form")).to_be_visible()
    d.page.goto(url("council:northmoor"))
    assert d.page.url.startswith(f"{base_url}/login?next=")
    r = d.context.request.get("/queue.json")
    assert r.status == 401
    d.page.goto("/rules")
    assert "/login" in d.page.url


def test_approve_a_clean_story_with_the_keyboard(desks, loaded, store):
    sid = "council:northmoor"
    ed = desks("ed")
    ed.open(sid)
    page = ed.page
    expect(page.locator("#check-result")).to_have_attribute("data-state", "ok")
    v = int(page.locator("body").get_attribute("data-version"))
    page.keyboard.press("a")
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm-text")).to_have_text("Approve this story?")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text(f"Approved \u201c{store.latest_story(sid).headline}\u201d")
    d = store.latest_decision(sid, v)
    assert (d.decision, d.username) == ("approved", "ed")
    ed.open(sid)
    expect(page.locator("#story-status")).to_have_text("approved")


def test_a_wrong_figure_fails_the_check_and_blocks_approval(desks, loaded, store):
    sid = "council:thornley-bridge"
    ed = desks("ed")
    ed.open(sid)
    page = ed.page
    old = body_text(store, sid)
    assert "12 of the 27 seats" in old
    v = store.latest_story(sid).version
    save_edit(ed, old.replace("12 of the 27 seats", "13 of the 27 seats", 1))
    expect(page.locator("#flash")).to_contain_text("problem(s)")
    assert store.latest_story(sid).version == v + 1
    expect(page.locator("#check-result")).to_have_attribute("data-state", "failed")
    mark = page.locator("#checked-text mark.check-failure")
    expect(mark.first).to_have_text("13")
    expect(mark.first).to_have_css("background-color", re.compile(r"rgb"))  # rendered as a highlight
    expect(page.locator("#check-failures li").first).to_contain_text("the data says")
    expect(page.locator("#approve-blocked")).to_be_visible()
    expect(page.locator("#override-reason")).to_have_count(0)  # an editor cannot override
    # try anyway with the keys: warned, then refused
    page.keyboard.press("a")
    expect(page.locator("#confirm-text")).to_contain_text("will be refused")
    with page.expect_navigation() as nav:
        page.keyboard.press("Enter")
    assert nav.value.status == 422
    expect(page.locator("#error")).to_contain_text("fact-check")
    assert store.latest_decision(sid, v + 1) is None
    ARTIFACTS.mkdir(exist_ok=True)
    ed.open(sid)
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)


def test_a_chief_overrides_a_failed_check_with_a_reason(desks, loaded, store):
    sid = "council:stourmere"
    boss = desks("boss")
    boss.open(sid)
    page = boss.page
    old = body_text(store, sid)
    assert "11 of 24" in old
    save_edit(boss, old.replace("11 of 24", "11 of 34", 1))
    v = store.latest_story(sid).version
    expect(page.locator("#check-result")).to_have_attribute("data-state", "failed")
    # a: no reason yet, so the reason box takes the focus; Enter there submits the approval
    page.keyboard.press("a")
    expect(page.locator("#override-reason")).to_be_focused()
    page.keyboard.type("Confirmed with the count: 34 is right")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check = store.latest_check(sid, v)
    assert check.override_reason == "Confirmed with the count: 34 is right" and check.username == "boss"
    assert [(d.decision, d.username) for d in store.decisions(sid, v)] == [("override", "boss"),
                                                                           ("approved", "boss")]
    boss.open(sid)
    expect(page.locator("#story-status")).to_have_text("approved")
    expect(page.locator("#check-result")).to_have_attribute("data-state", "overridden")
    expect(page.locator("#override-shown")).to_have_text("Confirmed with the count: 34 is right")


def test_two_editors_conflict_and_see_both_versions(desks, loaded, store):
    sid = "council:brackenfield"
    ed, ed2 = desks("ed"), desks("ed2")
    ed.open(sid)
    ed2.open(sid)
    base = body_text(store, sid)
    v = store.latest_story(sid).version
    first = base + "\n\nFirst editor's added paragraph."
    second = base + "\n\nSecond editor's added paragraph."
    save_edit(ed, first)
    assert store.latest_story(sid).version == v + 1
    # ed2's page notices the newer version while it is open
    expect(ed2.page.locator("#newer-version")).to_be_visible()
    expect(ed2.page.locator("#newer-version")).to_contain_text("saved by ed")
    ed2.page.locator("#newer-version").blur()
    with ed2.page.expect_navigation() as nav:
        ed2.page.fill("#edit-body", second)
        ed2.page.click("#save-button")
    assert nav.value.status == 409
    conflict = ed2.page.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_have_attribute("data-latest-version", str(v + 1))
    expect(ed2.page.locator("#conflict-theirs")).to_contain_text("First editor's added paragraph.")
    expect(ed2.page.locator("#conflict-yours")).to_contain_text("Second editor's added paragraph.")
    expect(ed2.page.locator("#conflict-diff ins")).to_contain_text(["Second"])
    # nothing lost: ed2's text stays in the box, ready to save on top of version v+1
    expect(ed2.page.locator("#edit-body")).to_have_value(re.compile("Second editor's added paragraph."))
    expect(ed2.page.locator("#edit-version")).to_have_value(str(v + 1))
    assert store.latest_story(sid).version == v + 1 and store.latest_story(sid).author == "ed"
    with ed2.page.expect_navigation():
        ed2.page.click("#save-button")
    latest = store.latest_story(sid)
    assert (latest.version, latest.author) == (v + 2, "ed2")


def test_hostile_strings_show_as_text(desks, loaded, store):
    assert HOSTILE in store.latest_story(HOSTILE_WARD).story().lede
    ed = desks("ed")
    page = ed.page
    # the queue (server-rendered, then rebuilt from queue.json by the poll)
    page.goto("/queue?q=fernmouth")
    row = page.locator(f'#queue-body tr[data-story-id="{HOSTILE_WARD}"]')
    expect(row).to_contain_text(HOSTILE)
    ed.open(HOSTILE_WARD)
    expect(page.locator("#story-preview")).to_contain_text(HOSTILE)
    expect(page.locator("#checked-text")).to_contain_text(HOSTILE)
    expect(page.locator("#edit-body")).to_have_value(re.compile(re.escape(HOSTILE)))
    assert page.locator("main img").count() == 0
    # an editor's hostile headline, saved through the form, is shown as text too
    hostile_headline = "<img src=y onerror=alert(2)> wins <script>alert(3)</script>"
    page.fill("#edit-headline", hostile_headline)
    with page.expect_navigation():
        page.click("#save-button")
    expect(page.locator("#preview-headline")).to_have_text(hostile_headline)
    page.goto("/queue")
    expect(page.locator(f'#queue-body tr[data-story-id="{HOSTILE_WARD}"] .story-link')).to_have_text(hostile_headline)
    page.wait_for_timeout(int(POLL * 3000))  # let the poll rebuild the rows from JSON
    expect(page.locator(f'#queue-body tr[data-story-id="{HOSTILE_WARD}"] .story-link')).to_have_text(hostile_headline)
    assert page.locator("main img").count() == 0
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert ed.dialogs == [], f"a dialog fired: {ed.dialogs}"


# -- a narrow window ----------------------------------------------------------------------------
def test_the_pages_fit_a_400_pixel_window(browser, base_url, loaded):
    """At 400 px wide nothing is wider than the window and "Sign out" can be reached."""
    d = Desk(browser, base_url, viewport={"width": 400, "height": 800})
    try:
        d.sign_in("ed")
        for path in ("/queue", url("council:northmoor"), url("ward:local.kingsford.bridge-street.2026-05-07"),
                     "/rules", "/login"):
            d.page.goto(path)
            width = d.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 400, f"{path} is {width} px wide at 400"
            if path != "/login":
                box = d.page.locator("#logout-button").bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= 400, (path, box)
                expect(d.page.locator("#logout-button")).to_be_visible()
        d.page.goto("/queue")
        ARTIFACTS.mkdir(exist_ok=True)
        d.page.screenshot(path=str(ARTIFACTS / "queue-400.png"), full_page=False)
        with d.page.expect_navigation():
            d.page.click("#logout-button")
        assert "/login" in d.page.url
        assert not d.errors, f"JavaScript errors: {d.errors}"
    finally:
        d.close()


# -- axe-core -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def axe_source() -> str:
    for candidate in AXE_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    pytest.skip("axe-core is not installed (.ci/run: npm install --prefix .ci/node axe-core; "
                "or set WRITER_AXE_JS to its axe.min.js)")


def axe_violations(page, source: str) -> list[dict]:
    """axe-core run on the page as it stands (injected through the DevTools protocol, so the
    app's Content-Security-Policy, which allows no script but its own, is left as it is)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def test_axe_core_finds_nothing_on_the_sign_in_queue_story_and_edit_pages(desks, loaded, store, axe_source):
    found: dict[str, list] = {}

    def check(name: str, page) -> None:
        page.wait_for_load_state("load")
        violations = axe_violations(page, axe_source)
        if violations:
            found[name] = violations

    anon = desks()
    anon.page.goto("/login")
    check("sign-in", anon.page)
    anon.sign_in("ed", "wrong password")
    check("sign-in, wrong password", anon.page)

    ed = desks("ed")
    page = ed.page
    page.goto("/queue")
    expect(page.locator("#queue-body tr.queue-row").first).to_be_visible()
    check("queue", page)
    page.goto("/queue?status=new&kind=ward&order=score")
    check("queue, filtered", page)
    for sid in ("council:northmoor", "ward:local.kingsford.bridge-street.2026-05-07", "group:red-wall",
                "ward:local.ashcombe.goldsmid.2026-05-07"):
        ed.open(sid)
        check(f"story {sid}", page)
    # the edit page: an edit saved (the history shows its diff), the fact-check failing on it
    sid = "council:fernmouth"
    ed.open(sid)
    old = body_text(store, sid)
    save_edit(ed, old + "\n\nAn added paragraph for the accessibility check.")
    check(f"edit {sid}", page)
    page.keyboard.press("e")
    check(f"editing {sid}", page)
    page.keyboard.press("?")
    check("keys help", page)

    # a published story: its row in the queue (the "ok" badge on the published background)
    # and its page, which offers no approval
    published = {"council:greyhaven": store.latest_story("council:greyhaven").version}
    with serving(store, night_of(loaded), loaded, published=lambda: dict(published)) as other:
        pub = Desk(ed.context.browser, other).sign_in("ed")
        try:
            pub.page.goto("/queue")  # the published row is not the first, so not the selected one
            expect(pub.page.locator("#queue-body tr.status-published .check-ok").first).to_be_visible()
            expect(pub.page.locator("#queue-body tr.status-published.selected")).to_have_count(0)
            check("queue, published", pub.page)
            pub.open("council:greyhaven")
            expect(pub.page.locator("#story-published")).to_be_visible()
            check("story, published", pub.page)
            assert not pub.errors, pub.errors
        finally:
            pub.close()

    # the public pages the feeds link to: a story, and a retracted one
    with serving_app(public_app(store)) as public:
        reader = Desk(ed.context.browser, public)
        try:
            for sid in ("council:northmoor", "ward:local.kingsford.bridge-street.2026-05-07"):
                reader.page.goto("/feeds/story/" + quote(sid, safe=""))
                check(f"public {sid}", reader.page)
            reader.page.goto("/feeds/")
            check("public feeds index", reader.page)
        finally:
            reader.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(found, indent=1))
    assert not found, "axe-core found:\n" + json.dumps(found, indent=1)


def night_of(replay: Replay):
    return replay.night


def public_app(store):
    """The public feeds (a story published, a ward story published then retracted) with the
    app's static files and security headers, as ``writer serve`` serves them."""
    from datetime import datetime, timedelta, timezone

    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    from writer.publish.feeds import FeedItem, item_from_story
    from writer.web.app import STATIC
    from writer.web.feeds import StaticSource, feeds_router
    from writer.web.security import SecurityHeaders

    t0 = datetime(2026, 5, 7, 23, 0, tzinfo=timezone.utc)
    council = store.latest_story("council:northmoor").story()
    ward = store.latest_story("ward:local.kingsford.bridge-street.2026-05-07").story()
    items = [item_from_story(council, published=t0, updated=t0, kind="story"),
             item_from_story(ward, published=t0, updated=t0, kind="story"),
             FeedItem(story_id=ward.id, kind="retraction", version=ward.version + 1,
                      title=f"Withdrawn: {ward.headline}",
                      summary="This story has been withdrawn: the result it reported no longer stands.",
                      html="<p>This story has been withdrawn: the result it reported no longer stands.</p>",
                      council=ward.council, council_name=None, region=ward.region, groups=tuple(ward.groups),
                      published=t0, updated=t0 + timedelta(hours=1), correction=None, auto=False)]
    source = StaticSource("http://127.0.0.1", "local.2026-05-07", "Local elections 2026",
                          {"northmoor": "Northmoor", "kingsford": "Kingsford"}, {}, {})
    source.set_items(items)
    app = FastAPI()
    app.include_router(feeds_router(source))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_middleware(SecurityHeaders)
    return app
