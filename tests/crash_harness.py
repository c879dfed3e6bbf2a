"""The crash harness: a night through the whole pipeline, killed with SIGKILL again and again.
``run(store_url, kills=..., seed=...)`` returns a ``Report`` whose ``problems`` are empty when
every check held. ``python bench/crash.py`` runs it from the command line.

``writer serve`` runs as a subprocess on a fresh store with the publishing scheduler on
(every 0.3 s) and, when ``WP_URL``/``WP_USER``/``WP_APP_PASSWORD`` are set, a real WordPress
as its CMS (posts under a namespace of their own). The harness posts the demo night's
declarations to ``POST /api/declarations`` one at a time, as a results feed would; at seeded
points an editor signs in and approves or edits stories through the app's forms. At seeded
declarations it SIGKILLs the server while the POST is in flight (after a seeded delay, so
kills land in ingest, in fact-checks, in publishing and in WordPress calls), and at other
seeded moments while it is idle (so kills land in scheduled publishing runs); each time it
starts the server again on the same store and carries on, re-sending a POST that got no
answer, as a real client would.

At the end it waits for publishing to settle and checks:

- every declaration is stored exactly once;
- the events and the desk's story versions are identical to an uninterrupted run of the
  same night (a fresh process, the same hash seed);
- no editor edit was lost: every edit the app acknowledged is in the store, word for word;
- the feed items (story, version, title, text) are identical to those of an uninterrupted run
  given the same editors' decisions; (correction lines depend on which versions were
  released in between, so on timing, and are not compared)
- every published story has exactly one WordPress post, found by its slug.

``tests/test_crash_night.py`` runs a shorter seeded harness in CI on SQLite and PostgreSQL;
``bench/crash.py`` is the full run (at least 20 kills), reporting each kill.
``tests/test_crash.py`` and ``tests/test_two_processes.py`` use its ``Server`` and ``Editor``.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from writer.ingest import load_night
from writer.store import Declaration, declaration_to_payload, open_store

ROOT = Path(__file__).resolve().parent.parent

DEMO = ROOT / "samples" / "demo-night"
PATH = "/api/declarations"
HASH_SEED = "0"
SECRET = "crash-harness-secret-key-" + "x" * 32
PASSWORD = "crash-harness-password"
START_TIMEOUT = 120.0
REQUEST_TIMEOUT = 90.0
SETTLE_TIMEOUT = 240.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``writer serve`` with the scheduler, as a subprocess on one store."""

    def __init__(self, database: str, log_dir: Path, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ("--publish-every", "0.5", "--roundup-every", "0")) -> None:
        self.database = database
        self.log_dir = log_dir
        self.env = env or {}
        self.args = args
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.proc is None
        self.port = _free_port()
        self.starts += 1
        env = dict(os.environ, WRITER_SECRET_KEY=SECRET, PYTHONHASHSEED=HASH_SEED, PYTHONPATH=str(ROOT), **self.env)
        env.pop("WRITER_DATABASE_URL", None)
        env.pop("WRITER_FAULT", None)
        log = open(self.log_dir / f"serve-{self.starts}.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "writer.cli", "serve", "--night", str(DEMO), "--database", self.database,
             "--port", str(self.port), "--log-level", "warning", *self.args],
            cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"writer serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"writer serve did not answer within {START_TIMEOUT:g}s:\n{self.log()}")
            time.sleep(0.1)

    def kill(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=15)
        finally:
            self.proc = None

    def log(self) -> str:
        path = self.log_dir / f"serve-{self.starts}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def body_of(decl) -> dict:
    d = declaration_to_payload(decl)
    for key in ("v", "id"):
        d.pop(key)
    if d.get("source") is None:
        d.pop("source")
    return d


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_VERSION = re.compile(r'id="edit-version" value="(\d+)"')


class Editor:
    """An editor working the app's forms (sign-in, approve, edit), across server restarts."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.client = httpx.Client(timeout=REQUEST_TIMEOUT, follow_redirects=False)
        self.acknowledged: list[tuple[str, int, str, str]] = []  # edits the app confirmed
        self.actions: list[tuple[int, str, str]] = []  # (after declaration i, action, story) as done

    def sign_in(self, base: str) -> None:
        page = self.client.get(base + "/login")
        r = self.client.post(base + "/login", data={"username": self.name, "password": PASSWORD,
                                                     "csrf_token": _CSRF.search(page.text).group(1)})
        assert r.status_code == 303, (r.status_code, r.text[:500])

    def story(self, base: str, sid: str) -> tuple[str, int]:
        from urllib.parse import quote
        r = self.client.get(f"{base}/story/{quote(sid, safe='')}")
        if r.status_code in (303, 401):
            self.sign_in(base)
            r = self.client.get(f"{base}/story/{quote(sid, safe='')}")
        assert r.status_code == 200, (r.status_code, r.text[:500])
        return r.text, int(_VERSION.search(r.text).group(1))

    def approve(self, base: str, sid: str) -> bool:
        from urllib.parse import quote
        page, version = self.story(base, sid)
        r = self.client.post(f"{base}/story/{quote(sid, safe='')}/approve",
                             data={"version": version, "csrf_token": _CSRF.search(page).group(1)})
        return r.status_code == 303

    def edit(self, base: str, sid: str, store_url: str) -> bool:
        from urllib.parse import quote
        page, version = self.story(base, sid)
        store = open_store(store_url)
        try:
            row = store.latest_story(sid)
        finally:
            store.close()
        story = row.story()
        body = "\n\n".join(story.paragraphs) + "\n\nCounting continues elsewhere in the region."
        r = self.client.post(f"{base}/story/{quote(sid, safe='')}/edit",
                             data={"version": version, "csrf_token": _CSRF.search(page).group(1),
                                   "headline": story.headline, "body": body, "query": ""})
        if r.status_code == 303:
            self.acknowledged.append((sid, version + 1, story.headline, body))
            return True
        return False

    def close(self) -> None:
        self.client.close()


@dataclass
class Report:
    seed: int
    kills: list[dict] = field(default_factory=list)
    resent: int = 0
    answered_before_kill: int = 0
    stored_before_kill: int = 0
    edits: int = 0
    approvals: int = 0
    declarations: int = 0
    published: int = 0
    posts: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def _post(client, url, body, headers, result):
    try:
        result.append(client.post(url, json=body, headers=headers))
    except httpx.HTTPError as exc:
        result.append(exc)


def _setup_store(store_url: str) -> str:
    from writer.store.users import ReviewRecords
    from writer.web.security import hash_password
    from writer.web.tokens import add_token
    store = open_store(store_url)
    try:
        token = add_token(store, "crash-feed")
        ReviewRecords(store).add_user("ed", "editor", hash_password(PASSWORD), by="harness")
    finally:
        store.close()
    return token


def run(store_url: str, *, kills: int = 24, seed: int = 20260507, log_dir: Path | None = None,
        wordpress: dict[str, str] | None = None, say=lambda *_: None) -> Report:
    """The whole harness; returns the report (``problems`` empty when every check held)."""
    t0 = time.monotonic()
    night = load_night(DEMO)
    declarations = sorted(night.declarations, key=lambda d: d.declared_at)
    n = len(declarations)
    rng = random.Random(seed)
    in_flight_kills = sorted(rng.sample(range(1, n - 1), kills - kills // 3))
    idle_kills = sorted(rng.sample([i for i in range(1, n - 1) if i not in in_flight_kills], kills // 3))
    delays = {i: rng.uniform(0.0, 0.25) for i in in_flight_kills}
    idle_waits = {i: rng.uniform(0.2, 1.5) for i in idle_kills}
    editor_at = {i: rng.choice(("approve", "approve", "edit")) for i in
                 sorted(rng.sample([i for i in range(10, n) if i not in in_flight_kills], max(6, n // 12)))}
    namespace = f"crash-{seed}-{uuid.uuid4().hex[:8]}"
    env = {"WRITER_CMS_NAMESPACE": namespace}
    if wordpress:
        env.update(wordpress)
    else:
        for k in ("WP_URL", "WP_USER", "WP_APP_PASSWORD"):
            env[k] = ""
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="writer-crash-"))
    report = Report(seed=seed, declarations=n)
    token = _setup_store(store_url)
    headers = {"Authorization": f"Bearer {token}"}
    server = Server(store_url, log_dir, env)
    editor = Editor("ed")
    try:
        server.start()
        with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
            i = 0
            while i < n:
                body = body_of(declarations[i])
                if i in delays:
                    delay = delays.pop(i)
                    result: list = []
                    t = threading.Thread(target=_post, args=(client, server.base + PATH, body, headers, result))
                    t.start()
                    time.sleep(delay)
                    server.kill()
                    t.join(timeout=REQUEST_TIMEOUT + 5)
                    server.start()
                    answer = result[0] if result else None
                    kill = {"at": f"declaration {i} in flight", "after_ms": round(delay * 1000)}
                    if isinstance(answer, httpx.Response) and answer.status_code in (200, 201):
                        report.answered_before_kill += 1
                        kill["outcome"] = "answered first"
                    else:
                        report.resent += 1
                        r = client.post(server.base + PATH, json=body, headers=headers)
                        if r.status_code not in (200, 201):
                            raise AssertionError((i, r.status_code, r.text[:1000]))
                        got = [o["outcome"] for o in r.json()["declarations"]]
                        if got == ["repeat"]:
                            report.stored_before_kill += 1
                            kill["outcome"] = "stored, answer lost"
                        else:
                            kill["outcome"] = "not stored, re-sent"
                    report.kills.append(kill)
                    say(f"kill {len(report.kills):2d}: {kill['at']} after {kill['after_ms']} ms: {kill['outcome']}")
                    i += 1
                    continue
                r = client.post(server.base + PATH, json=body, headers=headers)
                if r.status_code not in (200, 201):
                    raise AssertionError((i, r.status_code, r.text[:1000]))
                if i in editor_at:
                    _editor_action(editor, server.base, store_url, editor_at[i], i, report)
                if i in idle_waits:
                    wait = idle_waits.pop(i)
                    time.sleep(wait)  # the scheduler is publishing meanwhile
                    server.kill()
                    server.start()
                    kill = {"at": f"idle after declaration {i} (publishing)", "after_ms": round(wait * 1000),
                            "outcome": "restarted"}
                    report.kills.append(kill)
                    say(f"kill {len(report.kills):2d}: {kill['at']} after {kill['after_ms']} ms")
                i += 1
        _settle(store_url, bool(wordpress), report)
    finally:
        server.kill()
        editor.close()
    _check(store_url, night, declarations, editor, wordpress, namespace, report)
    report.seconds = round(time.monotonic() - t0, 1)
    return report


def _editor_action(editor: Editor, base: str, store_url: str, action: str, i: int, report: Report) -> None:
    store = open_store(store_url)
    try:
        rows = [r for r in store.latest_stories() if r.author == "writer" and r.kind == "council"]
        decided = {d.story_id for r in rows for d in store.decisions(r.story_id, r.version)}
    finally:
        store.close()
    candidates = [r for r in rows if r.story_id not in decided]
    if not candidates:
        return
    sid = candidates[0].story_id
    if action == "edit":
        if editor.edit(base, sid, store_url):
            report.edits += 1
            editor.actions.append((i, "edit", sid))
    elif editor.approve(base, sid):
        report.approvals += 1
        editor.actions.append((i, "approve", sid))


def _settle(store_url: str, with_cms: bool, report: Report) -> None:
    """Wait until the scheduler has released everything due and delivered every release."""
    from writer.publish.publisher import Publisher
    from writer.review.checks import FactChecks
    from writer.store.publishing import PublishRecords
    deadline = time.monotonic() + SETTLE_TIMEOUT
    last = None
    while time.monotonic() < deadline:
        store = open_store(store_url)
        try:
            records = PublishRecords(store)
            latest = records.latest_releases()
            states = records.delivery_states()
            undelivered = [r for r in latest.values()
                           if with_cms and (states.get((r.seq, "wordpress")) is None
                                            or states[(r.seq, "wordpress")].state == "pending")]
            due = [s for s in Publisher(store, None, checker=FactChecks(store, None)).states() if s.decision == "approved"
                   and not (s.released_action == "publish" and s.released_version == s.version)]
            stamp = (len(latest), records.stamp())
        finally:
            store.close()
        if not undelivered and not due and stamp == last:
            return
        last = stamp
        time.sleep(2.0)
    report.problems.append("publishing did not settle within the time allowed")


REFERENCE_RUN = """
import json, sys
from writer import resources
from writer.check import FactChecker
from writer.night import build
from writer.draft.style import PartyNames
from writer.ingest import load_night
from writer.publish.publisher import Publisher
from writer.store import Pipeline, open_store
from writer.review import Actor, Review
night = load_night(sys.argv[1])
store = open_store(sys.argv[2])
actions = json.load(open(sys.argv[3]))
names = PartyNames.load(resources.rules_dir() / "parties.yaml")
review = Review(store, checker=FactChecker.for_night(night.setup, names), night=night, names=names)
ed = Actor("ed", "editor")
pipeline = Pipeline(store, lambda: build(night))
for i, decl in enumerate(sorted(night.declarations, key=lambda d: d.declared_at)):
    pipeline.ingest(decl)
    for a in (a for a in actions if a["after"] == i):
        version = store.latest_story(a["story"]).version
        if a["action"] == "edit":
            review.save_edit(ed, a["story"], version, a["headline"], a["body"])
        else:
            review.approve(ed, a["story"], version)
Publisher(store, night, checker=review.checks).run()
store.close()
"""


def _check(store_url, night, declarations, editor, wordpress, namespace, report: Report) -> None:
    from writer.review.checks import FactChecks

    problems = report.problems
    store = open_store(store_url)
    try:
        rows = store.declaration_rows()
        pairs = Counter((r.declaration_id, r.content_digest) for r in rows)
        dupes = {p: c for p, c in pairs.items() if c > 1}
        if dupes:
            problems.append(f"declarations stored more than once: {dupes}")
        if store.count(Declaration) != len(declarations):
            problems.append(f"{store.count(Declaration)} declarations stored, {len(declarations)} sent")
        # the reference: the same night without interruption, in a fresh process
        with tempfile.TemporaryDirectory() as tmp:
            ref_db = Path(tmp) / "reference.db"
            actions_file = Path(tmp) / "actions.json"
            edits = iter(editor.acknowledged)  # in the order the editor made them
            actions = []
            for i, action, sid in editor.actions:
                a = {"after": i, "action": action, "story": sid}
                if action == "edit":
                    _sid, _version, headline, body = next(edits)
                    a.update(headline=headline, body=body)
                actions.append(a)
            actions_file.write_text(json.dumps(actions))
            env = dict(os.environ, PYTHONHASHSEED=HASH_SEED, PYTHONPATH=str(ROOT))
            env.pop("WRITER_DATABASE_URL", None)
            done = subprocess.run([sys.executable, "-c", REFERENCE_RUN, str(DEMO), str(ref_db), str(actions_file)],
                                  cwd=str(ROOT),
                                  env=env, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                raise AssertionError(done.stderr[-3000:])
            ref = open_store(ref_db)
            try:
                got_events = [(e.event_id, e.status, e.version) for e in store.event_rows()]
                want_events = [(e.event_id, e.status, e.version) for e in ref.event_rows()]
                if got_events != want_events:
                    problems.append(f"events differ from an uninterrupted run ({len(got_events)} vs {len(want_events)})")
                got = sorted((r.story_id, r.version, r.author, r.status, r.story().text()) for r in store_rows(store))
                want = sorted((r.story_id, r.version, r.author, r.status, r.story().text()) for r in store_rows(ref))
                if got != want:
                    diff = sorted(set(got) ^ set(want))[:3]
                    problems.append(f"story versions differ from an uninterrupted run: {diff}")
                from writer.publish.publisher import Publisher
                ref_pub = Publisher(ref, night, checker=FactChecks(ref, None))
                crashed = Publisher(store, night, checker=FactChecks(store, None))
                problems.extend(compare_feeds(crashed, ref_pub))
                report.published = len([i for i in crashed.feed_items() if i.kind == "story"])
            finally:
                ref.close()
        # no acknowledged edit lost
        for sid, version, headline, body in editor.acknowledged:
            row = store.story_version(sid, version)
            if row is None or row.author != editor.name or row.headline != headline or \
                    "\n\n".join(row.story().paragraphs) != body:
                problems.append(f"the edit of {sid} (version {version}) is not in the store as saved")
        # exactly one WordPress post per published story
        if wordpress:
            from writer.publish.cms import WordPress
            from writer.store.publishing import PublishRecords
            wp = WordPress(wordpress["WP_URL"], wordpress["WP_USER"], wordpress["WP_APP_PASSWORD"])
            try:
                pub = Publisher(store, night, checker=FactChecks(store, None), namespace=namespace)
                # a story withdrawn before its publication reached WordPress has no post (its
                # retraction was delivered as "nothing to take down"): only posts made count
                delivered = {d.story_id for d in PublishRecords(store).deliveries() if d.state == "sent" and d.remote_id}
                for sid in sorted(delivered):
                    found = wp._call("listing posts", "GET", "/posts", params={
                        "slug": pub.slug(sid), "status": "publish,future,draft,pending,private,trash",
                        "_fields": "id"})
                    if len(found) != 1:
                        problems.append(f"{sid}: {len(found)} WordPress posts with slug {pub.slug(sid)}")
                report.posts = len(delivered)
            finally:
                wp.close()
    finally:
        store.close()


def compare_feeds(crashed, reference) -> list[str]:
    """The crashed run's feed against an uninterrupted run that published once, at the end.

    Where the reference published a story, the crashed run's item must be the same version
    with the same text. The crashed run published during the night, so it may also carry an
    earlier version of a story whose latest version nobody approved (more results came in):
    that is allowed only if the release was valid for that version (approved by someone, or
    published by a rule after a passed fact-check); likewise a retraction of a story it
    published before its result was corrected away."""
    out = []
    # the same version means the same text (versions are compared above); the disclosure line
    # says "checked by an editor" or not, depending on whether a rule or a person got there first
    key = lambda i: (i.kind, i.version, i.title, i.summary)  # noqa: E731
    got = {(i.story_id, i.kind): i for i in crashed.feed_items()}
    want = {(i.story_id, i.kind): i for i in reference.feed_items()}
    for k, item in want.items():
        if k not in got:
            out.append(f"{k[0]}: the uninterrupted run published it ({k[1]} v{item.version}); the crashed run did not")
        elif key(got[k]) != key(item):
            out.append(f"{k[0]}: {k[1]} v{got[k].version} in the crashed run, v{item.version} uninterrupted")
    store = crashed.store
    latest = crashed.records.latest_releases()
    for (sid, kind), item in got.items():
        if (sid, kind) in want:
            continue
        if kind == "retraction":
            # published during the night, then withdrawn when its result was corrected; the
            # reference, publishing only at the end, never published it
            if store.latest_story(sid).status != "retracted":
                out.append(f"{sid}: retracted in the crashed run, but its latest version stands")
            continue
        release = next(r for r in crashed.records.releases(sid) if r.action == "publish"
                       and r.story_version == item.version)
        if release.reason.startswith("approved by "):
            ok = any(d.decision == "approved" for d in store.decisions(sid, item.version))
        else:
            check = store.latest_check(sid, item.version)
            ok = check is not None and check.ok and not check.override_reason
        if not ok or latest.get(sid) is None:
            out.append(f"{sid}: v{item.version} released in the crashed run without grounds ({release.reason})")
    return out


def store_rows(store):
    from sqlalchemy import select

    from writer.store.models import StoryVersion
    with store._read() as s:
        return list(s.scalars(select(StoryVersion).order_by(StoryVersion.seq)))
