"""PostgreSQL restarted mid-night, on a private cluster of the test's own.

The shared server (127.0.0.1:5432) is never touched: each test module makes a cluster with
``initdb`` in a temporary directory, on a port of its own, and starts, stops and restarts
it at will. The tests skip, with the reason, where ``initdb`` and ``pg_ctl`` are absent (or,
as root, where there is no unprivileged ``postgres`` user to run them as).

What a restart must not do (issue 16, item 9):

- the app does not need restarting: dead connections are replaced (pool pre-ping);
- a request that needed the database while it was away gets 503 with ``Retry-After`` (JSON
  for the API, a page for editors), never a 500, and sending it again works;
- nothing is lost or doubled: every declaration is stored once, and the events and story
  versions are those of an uninterrupted run of the same night;
- nothing is published twice: one release per approved version, one post per story in the
  CMS, and every approved story goes out.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow  # a private PostgreSQL cluster, crashed and restarted: run by .ci/run

pytest.importorskip("psycopg")
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from conftest import DEMO  # noqa: E402
from writer.store import open_store  # noqa: E402
from writer.store.db import exclusive, is_outage  # noqa: E402
from writer.store.models import Declaration  # noqa: E402

PASSWORD = "restart-test-password-1"
API = "/api/declarations"


# -- a private PostgreSQL ---------------------------------------------------------------------
def pg_bin() -> Path | None:
    """The directory of initdb and pg_ctl: Debian's newest, else whatever is on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
                   if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCluster:
    """A PostgreSQL cluster in ``root``, on a free port, run as an unprivileged user."""

    def __init__(self, root: Path) -> None:
        self.bin = pg_bin()
        if self.bin is None:
            pytest.skip("initdb and pg_ctl are not installed (PostgreSQL's server packages): "
                        "no private cluster to restart")
        self.prefix: list[str] = []
        self.owner = None
        if os.geteuid() == 0:  # initdb refuses to run as root
            import pwd
            try:
                self.owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no 'postgres' user to run a private cluster as")
            runuser = shutil.which("runuser")
            if runuser is None:
                pytest.skip("running as root without runuser: cannot run a private cluster as 'postgres'")
            self.prefix = [runuser, "-u", "postgres", "--"]
        self.root = root
        self.data = root / "data"
        self.run_dir = root / "run"
        self.port = _free_port()
        self.running = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _call(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                                 + self.log())
        return done

    def log(self) -> str:
        path = self.run_dir / "postgres.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def init(self) -> "PrivateCluster":
        self.root.chmod(0o755)
        for d in (self.data, self.run_dir):
            d.mkdir(parents=True, exist_ok=True)
            if self.owner is not None:
                os.chown(d, self.owner.pw_uid, self.owner.pw_gid)
        self._call(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                   "-E", "UTF8", "--no-sync", "--no-instructions")
        return self

    def start(self) -> None:
        # fsync off is safe here: the server process may crash (stop -m immediate), the
        # machine does not. synchronous_commit stays on: a committed row survives a crash.
        options = (f"-p {self.port} -k {self.run_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off")
        self._call(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                   str(self.run_dir / "postgres.log"), "-w", "-t", "60", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """``fast``: a clean shutdown (sessions are ended); ``immediate``: as if it crashed."""
        self._call(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def restart(self, mode: str = "fast", down: float = 0.0) -> None:
        self.stop(mode)
        time.sleep(down)
        self.start()

    def close(self) -> None:
        if self.running:
            self._call(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop",
                       check=False)
            self.running = False


@pytest.fixture(scope="module")
def cluster():
    import tempfile
    # not under pytest's own temporary directory: it is private to this user, and the cluster
    # runs as another ('postgres') when the tests run as root
    root = Path(tempfile.mkdtemp(prefix="writer-pg-"))
    try:
        pg = PrivateCluster(root).init()
        pg.start()
        try:
            yield pg
        finally:
            pg.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database(cluster):
    """A fresh database on the private cluster, dropped afterwards."""
    import psycopg
    name = f"night_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    if not cluster.running:
        cluster.start()
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield cluster.url.rsplit("/", 1)[0] + f"/{name}"
    if not cluster.running:
        cluster.start()
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the store on its own ---------------------------------------------------------------------
def test_the_store_reconnects_by_itself_and_knows_an_outage(cluster, database):
    store = open_store(database)
    other = open_store(database)
    try:
        assert store.count(Declaration) == 0
        cluster.restart("fast")  # every pooled connection is now dead
        assert store.count(Declaration) == 0  # pre-ping: replaced, no error
        cluster.restart("immediate")  # as if the server crashed
        assert store.count(Declaration) == 0
        cluster.stop("fast")
        with pytest.raises(OperationalError) as caught:
            store.count(Declaration)
        assert is_outage(caught.value)
        cluster.start()
        assert store.count(Declaration) == 0
        # one publishing run at a time across processes: the lock is the store's
        with exclusive(store.engine, "publish") as mine:
            assert mine
            with exclusive(other.engine, "publish") as theirs:
                assert not theirs
        with exclusive(other.engine, "publish") as theirs:
            assert theirs
    finally:
        store.close()
        other.close()


def test_a_refused_write_is_not_an_outage(database):
    from sqlalchemy.exc import IntegrityError

    from writer.store.publishing import PublishRecords, SchedulerLease
    store = open_store(database)
    try:
        assert PublishRecords(store).acquire_lease("a", 30)
        with pytest.raises(IntegrityError) as caught:
            with store.transaction() as s:
                from datetime import datetime, timezone
                now = datetime.now(timezone.utc)
                s.add(SchedulerLease(term=1, holder="b", expires_at=now, created_at=now))
                s.flush()
        assert not is_outage(caught.value)
    finally:
        store.close()


# -- the night, with the database restarted under it -------------------------------------------
class FakeCMS:
    """A CMS that finds a post by its key before creating one (as the WordPress adapter finds
    it by its slug), and counts every post it creates."""

    name = "fakecms"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posts: dict[str, dict] = {}
        self.created: Counter[str] = Counter()
        self.calls: list[tuple[str, int, str]] = []

    def deliver(self, post, known):
        from writer.publish.cms import Remote
        with self.lock:
            self.calls.append((post.key, post.version, post.action))
            have = self.posts.get(post.key)
            if have is None:
                if post.action == "retract":
                    return Remote(None, None)  # nothing to take down
                self.created[post.key] += 1
                have = self.posts[post.key] = {"id": str(len(self.posts) + 1)}
            have.update(version=post.version, action=post.action, title=post.title)
            return Remote(have["id"], f"https://cms.example/{post.key}/")


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_VERSION = re.compile(r'id="edit-version" value="(\d+)"')


def _body(decl) -> dict:
    from writer.store import declaration_to_payload
    d = declaration_to_payload(decl)
    for key in ("v", "id"):
        d.pop(key)
    if d.get("source") is None:
        d.pop("source")
    return d


class Client:
    """A results feed or an editor: retries on 503 (after its Retry-After, capped for the
    test), and keeps every status it saw."""

    def __init__(self, app) -> None:
        self.http = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        self.statuses: Counter = Counter()
        self.unavailable: list = []

    def send(self, method: str, url: str, **kw):
        for _ in range(400):
            r = self.http.request(method, url, **kw)
            self.statuses[r.status_code] += 1
            if r.status_code != 503:
                return r
            self.unavailable.append(r)
            time.sleep(min(float(r.headers.get("retry-after", "1")), 0.25))
        raise AssertionError(f"{method} {url}: still 503 after 100 s")


def _sign_in(editor: Client) -> None:
    page = editor.send("GET", "/login")
    r = editor.send("POST", "/login", data={"username": "ed", "password": PASSWORD,
                                           "csrf_token": _CSRF.search(page.text).group(1)})
    assert r.status_code == 303, (r.status_code, r.text[:300])


def _approve(editor: Client, sid: str) -> tuple[int, str]:
    page = editor.send("GET", f"/story/{quote(sid, safe='')}")
    if page.status_code != 200:
        return page.status_code, page.text
    version = int(_VERSION.search(page.text).group(1))
    r = editor.send("POST", f"/story/{quote(sid, safe='')}/approve",
                    data={"version": version, "csrf_token": _CSRF.search(page.text).group(1)})
    return r.status_code, r.text


def _reference(night, declarations, tmp_path):
    """The same declarations, in the same order, with nothing in the way (SQLite)."""
    from writer.night import build
    from writer.store import Pipeline
    ref = open_store(tmp_path / "reference.db")
    pipeline = Pipeline(ref, lambda: build(night))
    for decl in declarations:
        pipeline.ingest(decl)
    return ref


def _story_rows(store):
    from sqlalchemy import select

    from writer.store.models import StoryVersion
    with store._read() as s:
        return sorted((r.story_id, r.version, r.status, r.story().text())
                      for r in s.scalars(select(StoryVersion)))


def test_the_app_answers_503_while_the_database_is_away_and_carries_on(cluster, database):
    from writer.night import build
    from writer.ingest import load_night
    from writer.store import Pipeline
    from writer.store.users import ReviewRecords
    from writer.web.app import create_app
    from writer.web.security import hash_password
    from writer.web.tokens import add_token

    night = load_night(DEMO)
    declarations = sorted(night.declarations, key=lambda d: (d.declared_at, 0 if d.kind == "ward" else 1))[:3]
    store = open_store(database)
    try:
        token = add_token(store, "results-feed")
        ReviewRecords(store).add_user("ed", "editor", hash_password(PASSWORD), by="test")
        pipeline = Pipeline(store, lambda: build(night))
        app = create_app(store, night=night, pipeline=pipeline, fact_check=False, secret_key="k" * 48)
        headers = {"Authorization": f"Bearer {token}"}
        feed, editor = Client(app), Client(app)
        assert feed.send("POST", API, json=_body(declarations[0]), headers=headers).status_code == 201
        _sign_in(editor)
        assert editor.http.get("/queue").status_code == 200
        cluster.stop("immediate")
        try:
            r = feed.http.post(API, json=_body(declarations[1]), headers=headers)
            assert r.status_code == 503, (r.status_code, r.text[:300])
            assert r.headers["retry-after"].isdigit() and r.headers["cache-control"] == "no-store"
            assert "send it again" in r.json()["detail"]
            page = editor.http.get("/queue")
            assert page.status_code == 503 and "Unavailable for a moment" in page.text
        finally:
            cluster.start()
        # the same request again: stored once, and the engine was not left half-rebuilt
        assert feed.send("POST", API, json=_body(declarations[1]), headers=headers).status_code == 201
        again = feed.send("POST", API, json=_body(declarations[1]), headers=headers)
        assert again.status_code == 200 and again.json()["declarations"][0]["outcome"] == "repeat"
        assert feed.send("POST", API, json=_body(declarations[2]), headers=headers).status_code == 201
        assert editor.send("GET", "/queue").status_code == 200
        assert [r.declaration_id for r in store.declaration_rows()] == [d.id for d in declarations]
        assert feed.statuses[500] == 0 and editor.statuses[500] == 0
    finally:
        store.close()


def test_a_pipeline_whose_rebuild_failed_rebuilds_before_it_ingests(cluster, database, monkeypatch):
    """The database goes away after the engine took a declaration and before it was stored:
    the rebuild that follows cannot read the store either. The pipeline must not carry on
    with a half-built engine (it rebuilds before its next ingest)."""
    from writer.night import build
    from writer.ingest import load_night
    from writer.store import Pipeline

    night = load_night(DEMO)
    declarations = sorted(night.declarations, key=lambda d: (d.declared_at, 0 if d.kind == "ward" else 1))[:4]
    store = open_store(database)
    try:
        pipeline = Pipeline(store, lambda: build(night))
        pipeline.ingest(declarations[0])
        pipeline.ingest(declarations[1])
        record = store.record_declaration

        def record_then_crash(*args, **kwargs):  # the server dies as the row is written
            cluster.stop("immediate")
            return record(*args, **kwargs)

        monkeypatch.setattr(store, "record_declaration", record_then_crash)
        try:
            with pytest.raises(OperationalError):
                pipeline.ingest(declarations[2])
        finally:
            monkeypatch.setattr(store, "record_declaration", record)
            cluster.start()
        for decl in declarations[2:]:
            pipeline.ingest(decl)
        assert set(pipeline.engine.declarations) == {d.id for d in declarations}
        assert [r.declaration_id for r in store.declaration_rows()] == [d.id for d in declarations]
    finally:
        store.close()


def test_postgresql_restarted_mid_night(cluster, database, tmp_path):
    """The declarations API taking the demo night and an editor approving council stories
    while the database is restarted three times (a crash, a clean restart, two seconds down).
    About 10 s here (under the ~20 s at which a test is marked slow)."""
    from writer.night import build, fact_checker, party_names
    from writer.ingest import load_night
    from writer.publish.publisher import Publisher
    from writer.review.checks import FactChecks
    from writer.publish.scheduler import NightScheduler
    from writer.publish.service import FeedSource, Publishing
    from writer.store import Pipeline
    from writer.store.publishing import PublishRecords
    from writer.store.users import ReviewRecords
    from writer.web.app import create_app
    from writer.web.security import hash_password
    from writer.web.tokens import add_token

    night = load_night(DEMO)
    declarations = sorted(night.declarations, key=lambda d: (d.declared_at, 0 if d.kind == "ward" else 1))
    store = open_store(database)
    token = add_token(store, "results-feed")
    ReviewRecords(store).add_user("ed", "editor", hash_password(PASSWORD), by="test")
    lock = threading.Lock()
    pipeline = Pipeline(store, lambda: build(night))
    cms = FakeCMS()
    checker = fact_checker(night, party_names())  # one fact-checker for the app and the publisher, as writer serve
    publisher = Publisher(store, night, checker=FactChecks(store, checker), targets=[cms])
    scheduler = NightScheduler(store, publisher, publish_every=0.3, lease_seconds=6)
    publishing = Publishing(publisher, scheduler, FeedSource(publisher, night, "http://results.example"), [cms])
    app = create_app(store, night=night, pipeline=pipeline, ingest_lock=lock, publishing=publishing,
                     checker=checker, secret_key="k" * 48)
    feed, editor = Client(app), Client(app)
    headers = {"Authorization": f"Bearer {token}"}
    n = len(declarations)
    faults = {n // 4: ("immediate", 0.0), n // 2: ("fast", 0.0), (3 * n) // 4: ("fast", 2.0)}
    approved: set[str] = set()
    answers: list = []  # (index, id, status, outcomes) of every declaration sent
    stop = threading.Event()
    problems: list[str] = []

    def edit_desk() -> None:
        try:
            _sign_in(editor)
            while not stop.is_set():
                try:  # (what an editor sees in the queue; read here straight from the store)
                    rows = [r for r in store.latest_stories() if r.kind == "council" and r.story_id not in approved]
                except Exception as exc:  # noqa: BLE001
                    if not is_outage(exc):
                        raise
                    time.sleep(0.2)
                    continue
                for row in rows[:2]:
                    status, text = _approve(editor, row.story_id)
                    # approved; overtaken by a newer version; refused by the fact-check; or out
                    # already (a rule published it, or an approval whose answer the outage took)
                    if status in (303, 409, 422) or (status == 400 and "already published" in text):
                        approved.add(row.story_id)
                    else:
                        problems.append(f"approving {row.story_id}: {status} {text[:300]}")
                time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            if not stop.is_set() or not is_outage(exc):
                problems.append(f"the editor thread failed: {exc!r}")

    def results_feed() -> None:
        try:
            for i, decl in enumerate(declarations):
                r = feed.send("POST", API, json=_body(decl), headers=headers)
                if r.status_code not in (200, 201):
                    problems.append(f"declaration {i}: {r.status_code} {r.text[:500]}")
                    return
                answers.append((i, decl.id, r.status_code, [o["outcome"] for o in r.json()["declarations"]]))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            problems.append(f"the results feed failed: {exc!r}")

    def faulty_night() -> None:
        """The feed posts on its own thread; the database is restarted under it (and under
        the editor and the scheduler) as the night reaches each fault."""
        poster = threading.Thread(target=results_feed, name="results-feed", daemon=True)
        poster.start()
        for at in sorted(faults):
            while len(answers) < at and poster.is_alive():
                time.sleep(0.01)
            mode, down = faults[at]
            cluster.restart(mode, down)
        poster.join(timeout=300)
        assert not poster.is_alive(), "the results feed did not finish"

    started = time.monotonic()
    scheduler.start()
    desk = threading.Thread(target=edit_desk, name="editor", daemon=True)
    desk.start()
    # and one request certainly in flight: the database goes down during a batch
    try:
        faulty_night()
        cluster.stop("fast")
        r = feed.http.post(API, json=_body(declarations[-1]), headers=headers)
        assert r.status_code == 503 and r.headers["retry-after"].isdigit(), (r.status_code, r.text[:300])
        assert "send it again" in r.json()["detail"]
        page = editor.http.get("/queue")
        assert page.status_code == 503 and "Unavailable for a moment" in page.text
        assert 'http-equiv="refresh"' in page.text
        feeds = editor.http.get("/feeds/night.atom")
        assert feeds.status_code == 503 and "retry-after" in feeds.headers
        cluster.start()
        stop.set()
        desk.join(timeout=60)
        # settle: every approved or rule-published version out, and delivered
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            report = publisher.run()
            if not (report.released or report.sent or report.failed or report.skipped):
                break
            time.sleep(0.3)
    finally:
        stop.set()
        scheduler.stop()
    seconds = time.monotonic() - started
    print(f"\n{n} declarations, 3 restarts, {sum(feed.statuses.values())} API requests "
          f"({feed.statuses[503]} answered 503), editor requests {dict(editor.statuses)}, "
          f"{len(approved)} council stories approved, {len(cms.calls)} CMS calls, {seconds:.1f} s")

    assert not problems, problems
    assert feed.statuses[500] == 0 and editor.statuses[500] == 0, (feed.statuses, editor.statuses)
    assert feed.statuses[503] + editor.statuses[503] > 0, "the restarts were seen by nobody"
    for r in feed.unavailable:
        assert r.headers["retry-after"].isdigit() and r.json()["retry_after"] > 0
    # nothing lost or doubled
    rows = store.declaration_rows()
    pairs = Counter((r.declaration_id, r.content_digest) for r in rows)
    assert [p for p, c in pairs.items() if c > 1] == []
    stored = {r.declaration_id for r in rows}
    assert [a for a in answers if a[1] not in stored] == []
    assert len(rows) == n
    ref = _reference(night, declarations, tmp_path)
    try:
        got = [(e.event_id, e.status, e.version) for e in store.event_rows()]
        want = [(e.event_id, e.status, e.version) for e in ref.event_rows()]
        assert got == want
        writer_rows = [r for r in _story_rows(store) if not r[0].startswith("roundup:")]
        assert writer_rows == _story_rows(ref)
    finally:
        ref.close()
    # nothing published twice, and every approved story published
    records = PublishRecords(store)
    releases = Counter((r.story_id, r.story_version, r.action) for r in records.releases())
    assert all(c == 1 for c in releases.values())
    assert all(c == 1 for c in cms.created.values()), [k for k, c in cms.created.items() if c > 1]
    published = publisher.published()
    for sid in approved:
        latest = store.latest_story(sid)
        decision = store.latest_decision(sid, latest.version)
        if decision is not None and decision.decision == "approved":
            assert published.get(sid) == latest.version, sid
    assert published, "something was published"
    sent = {d.story_id for d in records.deliveries() if d.state == "sent" and d.remote_id}
    assert len(cms.posts) == len(sent), "one post for every story delivered"
    store.close()
