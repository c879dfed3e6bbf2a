"""Two ``writer serve`` processes on one PostgreSQL database, as a newsroom runs them behind a
proxy: one takes the results API, the other serves editors and the feeds (README, "Two
processes, one database").

- a story approved on either is published exactly once (one release per version, one
  webhook delivery per release), and every approved story goes out;
- only one scheduler runs (the lease: one holder all night);
- both queues show a new story, and a decision made on the other, within the queue's
  refresh interval;
- the public feeds are byte for byte the same from both;
- a declaration sent to the other process by mistake is worked out from the whole night
  (the process catches up with what the first stored): events and story versions are those
  of one uninterrupted process.

Runs on a fresh schema of the shared PostgreSQL server (it restarts nothing), with a webhook
receiver of its own as the CMS; skips, with the reason, where PostgreSQL cannot be reached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

httpx = pytest.importorskip("httpx")

from crash_harness import HASH_SEED, PATH, Editor, Server, _setup_store, body_of  # noqa: E402
from conftest import DEMO, ROOT  # noqa: E402
from helpers import postgres_schema  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.store import open_store  # noqa: E402

POLL_SECONDS = 4  # the review queue's refresh interval (writer.web.app.POLL_SECONDS)
PUBLIC_URL = "https://results.example"
SECRET = "webhook-secret-" + "s" * 32


class Receiver:
    """A webhook receiver: every delivery, by its X-Writer-Delivery id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deliveries: list[tuple[str, str, int, str]] = []  # (delivery id, key, version, action)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.deliveries.append((self.headers["X-Writer-Delivery"], body["key"], body["version"],
                                                body["action"]))
                answer = json.dumps({"id": body["key"], "url": f"{PUBLIC_URL}/{body['key']}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


REFERENCE = """
import sys
from writer.night import build
from writer.ingest import load_night
from writer.store import Pipeline, open_store
night = load_night(sys.argv[1])
store = open_store(sys.argv[2])
pipeline = Pipeline(store, lambda: build(night))
for decl in sorted(night.declarations, key=lambda d: d.declared_at):
    pipeline.ingest(decl)
store.close()
"""


def _queue(client: httpx.Client, base: str, editor: Editor) -> dict[str, dict]:
    """The queue as an editor's browser polls it (signed in with the editor's session)."""
    client = editor.client
    r = client.get(base + "/queue.json")
    if r.status_code in (303, 401):
        editor.sign_in(base)
        r = client.get(base + "/queue.json")
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return {row["story_id"]: row for row in r.json()["rows"]}


def _wait(predicate, timeout: float, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


@pytest.mark.slow  # two `writer serve` processes (a spaCy model each) through the demo night: 20-25 s here
def test_two_serve_processes_on_one_database(tmp_path):
    from writer.publish.publisher import Publisher
    from writer.review.checks import FactChecks
    from writer.store.publishing import PublishRecords, SchedulerLease

    night = load_night(DEMO)
    declarations = sorted(night.declarations, key=lambda d: d.declared_at)
    with postgres_schema("writer_two_processes") as url, Receiver() as hook:
        token = _setup_store(url)
        env = {"WRITER_PUBLIC_URL": PUBLIC_URL, "WRITER_WEBHOOK_URL": hook.url, "WRITER_WEBHOOK_SECRET": SECRET,
               "WP_URL": "", "WP_USER": "", "WP_APP_PASSWORD": "", "WRITER_FEEDS_IN": ""}
        (tmp_path / "api").mkdir()
        (tmp_path / "desk").mkdir()
        api = Server(url, tmp_path / "api", env)    # takes the results API
        desk = Server(url, tmp_path / "desk", env)  # serves the editors and the feeds
        editor = Editor("ed")
        headers = {"Authorization": f"Bearer {token}"}
        seen_in_time: list[float] = []
        approved: dict[str, str] = {}  # story -> the process it was approved on
        try:
            api.start()
            desk.start()
            with httpx.Client(timeout=60) as client, httpx.Client(timeout=60) as watcher:
                for i, decl in enumerate(declarations):
                    # one in five goes to the wrong process, as a proxy might send it
                    target = desk if i % 5 == 4 else api
                    r = client.post(target.base + PATH, json=body_of(decl), headers=headers)
                    assert r.status_code in (200, 201), (i, target.base, r.status_code, r.text[:500])
                    stories = r.json()["declarations"][0]["stories"]
                    if i % 10 == 0 and stories:
                        # the other process's queue shows it within the refresh interval
                        other = api if target is desk else desk
                        t0 = time.monotonic()
                        assert _wait(lambda: set(stories) <= set(_queue(watcher, other.base, editor)),
                                     POLL_SECONDS), (i, stories)
                        seen_in_time.append(time.monotonic() - t0)
                    if i % 12 == 6:
                        store = open_store(url)
                        try:
                            rows = [r.story_id for r in store.latest_stories()
                                    if r.kind == "council" and r.story_id not in approved]
                        finally:
                            store.close()
                        if rows:
                            on = api if len(approved) % 2 else desk  # approved on either
                            if editor.approve(on.base, rows[0]):
                                approved[rows[0]] = on.base
                # settle: everything approved (or rule-published) released and delivered
                store = open_store(url)
                try:
                    def settled() -> bool:
                        states = Publisher(store, night, checker=FactChecks(store, None)).states()
                        due = [s for s in states if s.decision == "approved" and not
                               (s.released_action == "publish" and s.released_version == s.version)]
                        records = PublishRecords(store)
                        undelivered = [r for r in records.latest_releases().values()
                                       if records.delivery_states().get((r.seq, "webhook")) is None]
                        return not due and not undelivered
                    assert _wait(settled, 120, 1.0), "publishing did not settle"
                    # both queues show the same: every story, version and status (published
                    # where it was approved on either, whichever process published it)
                    def same_queues():
                        a, b = _queue(watcher, api.base, editor), _queue(watcher, desk.base, editor)
                        pick = lambda q: {k: (v["version"], v["status"]) for k, v in q.items()}  # noqa: E731
                        return (pick(a), pick(b)) if pick(a) == pick(b) else None
                    shown = _wait(same_queues, POLL_SECONDS)
                    assert shown, "the two queues differ"
                    for sid in approved:
                        latest = store.latest_story(sid)
                        decision = store.latest_decision(sid, latest.version)
                        if decision is not None and decision.decision == "approved":
                            assert shown[0][sid] == (latest.version, "published"), sid
                    # the feeds: the same bytes from both
                    for feed in ("/feeds/night.atom", "/feeds/night.rss", "/feeds/council/greyhaven.xml"):
                        a, b = watcher.get(api.base + feed), watcher.get(desk.base + feed)
                        assert a.status_code == b.status_code == 200, (feed, a.status_code, b.status_code)
                        assert a.content == b.content, feed
                        assert a.headers.get("etag") == b.headers.get("etag"), feed
                    # one scheduler: one holder of the lease all night
                    from sqlalchemy import select
                    with store._read() as s:
                        holders = set(s.scalars(select(SchedulerLease.holder)))
                    assert len(holders) == 1, holders
                    # published exactly once
                    records = PublishRecords(store)
                    releases = Counter((r.story_id, r.story_version, r.action) for r in records.releases())
                    assert releases and all(c == 1 for c in releases.values())
                    ids = Counter(d[0] for d in hook.deliveries)
                    assert [k for k, c in ids.items() if c > 1] == [], "a release delivered twice"
                    # every story's latest release delivered (one overtaken before its turn is not)
                    pub = Publisher(store, night, checker=FactChecks(store, None))
                    latest = {f"{pub.key(r.story_id)}:{r.story_version}:{r.action}"
                              for r in records.latest_releases().values()}
                    assert latest <= set(ids), sorted(latest - set(ids))[:5]
                    made = {f"{pub.key(sid)}:{v}:{a}" for sid, v, a in releases}
                    assert set(ids) <= made, "a delivery of something never released"
                    published = records.published_versions()
                    for sid in approved:
                        latest = store.latest_story(sid)
                        decision = store.latest_decision(sid, latest.version)
                        if decision is not None and decision.decision == "approved":
                            assert published.get(sid) == latest.version, sid
                    # nothing lost, doubled, or worked out from half the night
                    rows = store.declaration_rows()
                    assert len(rows) == len(declarations)
                    assert len({(r.declaration_id, r.content_digest) for r in rows}) == len(rows)
                    ref_db = tmp_path / "reference.db"
                    env_ref = dict(os.environ, PYTHONHASHSEED=HASH_SEED, PYTHONPATH=str(ROOT))
                    env_ref.pop("WRITER_DATABASE_URL", None)
                    done = subprocess.run([sys.executable, "-c", REFERENCE, str(DEMO), str(ref_db)], cwd=ROOT,
                                          env=env_ref, capture_output=True, text=True, timeout=600)
                    assert done.returncode == 0, done.stderr[-3000:]
                    ref = open_store(ref_db)
                    try:
                        got = [(e.event_id, e.status, e.version) for e in store.event_rows()]
                        want = [(e.event_id, e.status, e.version) for e in ref.event_rows()]
                        assert got == want
                        mine = sorted((r.story_id, r.version, r.story().text()) for r in store.latest_stories(
                            include_retracted=True) if not r.story_id.startswith("roundup:"))
                        theirs = sorted((r.story_id, r.version, r.story().text())
                                        for r in ref.latest_stories(include_retracted=True))
                        assert mine == theirs
                    finally:
                        ref.close()
                finally:
                    store.close()
        except BaseException:
            print("\n--- api log ---\n" + api.log() + "\n--- desk log ---\n" + desk.log())
            raise
        finally:
            api.kill()
            desk.kill()
            editor.close()
        print(f"\n{len(declarations)} declarations, {len(approved)} approved on either process, "
              f"{len(hook.deliveries)} webhook deliveries; the other queue showed new stories within "
              f"{max(seen_in_time, default=0):.2f} s (at most {POLL_SECONDS} s allowed)")
