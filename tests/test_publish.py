"""Publishing without a CMS server of its own: what is released when, the feed items, the
signed webhook (to a real HTTP receiver on 127.0.0.1), retries and failures (a receiver that
answers 500 or 400: a fault injected on purpose), the scheduler's job store and its lease.

The store runs on SQLite and on PostgreSQL (a fresh schema; skipped with the reason when the
server cannot be reached). WordPress itself is in ``test_wordpress.py``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import DEMO
from helpers import store_on
from writer.night import build
from writer.draft.style import PartyNames
from writer.ingest import load_night
from writer.publish.cms import SIGNATURE_HEADER, CMSError, Post, Webhook, sign, verify_signature
from writer.publish.publisher import AUTO_DISCLOSURE, CHECKED_DISCLOSURE, Publisher, RetryPolicy
from writer.review.checks import FactChecks
from writer.publish.release import StoryState, decide
from writer.publish.scheduler import NightScheduler
from writer.store import Pipeline, open_store
from writer.store.publishing import PublishRecords
from writer.store.users import ReviewRecords
from writer import resources

NOW = datetime(2026, 5, 8, 3, 0, tzinfo=timezone.utc)
FAST = RetryPolicy(attempts=3, initial=0.01, maximum=0.05, jitter=0.01)
CORRECTION_AT = 89  # the demo night's corrected declaration (Goldsmid ward, Ashcombe)


@pytest.fixture(scope="module")
def night():
    return load_night(DEMO)


@pytest.fixture(scope="module")
def names():
    return PartyNames.load(resources.rules_dir() / "parties.yaml")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    with store_on(request.param, tmp_path, "writer_publish") as s:
        yield s


@pytest.fixture
def pipeline(store, night):
    p = Pipeline(store, lambda: build(night))
    p.ingest_all(night.declarations[:CORRECTION_AT])
    return p


def approve(store, story_id: str, user: str = "alice", ok: bool = True) -> int:
    row = store.latest_story(story_id)
    store.record_check(story_id, row.version, ok)
    store.record_decision(story_id, row.version, "approved", user)
    return row.version


def state(**kw) -> StoryState:
    base = dict(story_id="council:x", version=2, retracted=False, edited=False, decision=None, decided_by=None,
                check="ok", auto_rules=(), publish_at=None, released_version=None, released_action=None)
    base.update(kw)
    return StoryState(**base)


# -- the release decision (pure) ---------------------------------------------------------------
def test_an_approved_version_is_published_once():
    d = decide(state(decision="approved", decided_by="alice"), NOW)
    assert (d.action, d.reason) == ("publish", "approved by alice")
    assert decide(state(decision="approved", decided_by="alice", released_version=2,
                        released_action="publish"), NOW) is None


def test_nothing_goes_out_without_approval_or_a_rule():
    assert decide(state(), NOW) is None
    for decision in ("rejected", "held"):
        assert decide(state(decision=decision, decided_by="bob"), NOW) is None


def test_a_rule_publishes_only_clean_unedited_unreviewed_stories():
    assert decide(state(auto_rules=("ward-gain",)), NOW).reason == "auto-publish: ward-gain"
    assert decide(state(auto_rules=("ward-gain",), check="failed"), NOW) is None
    assert decide(state(auto_rules=("ward-gain",), check="overridden"), NOW) is None
    assert decide(state(auto_rules=("ward-gain",), check="unchecked"), NOW) is None
    assert decide(state(auto_rules=("ward-gain",), edited=True), NOW) is None
    assert decide(state(auto_rules=("ward-gain",), decision="rejected", decided_by="bob"), NOW) is None


def test_an_embargo_waits_until_its_time():
    later = NOW + timedelta(minutes=30)
    d = decide(state(decision="approved", decided_by="alice", publish_at=later), NOW)
    assert (d.action, d.due, bool(d)) == ("wait", later, False)
    assert decide(state(decision="approved", decided_by="alice", publish_at=later), later).action == "publish"


def test_a_newer_draft_waits_for_its_own_approval():
    # v1 was approved and published; v2 (more results, or a corrected one) has no decision yet
    assert decide(state(version=2, released_version=1, released_action="publish"), NOW) is None


def test_a_retracted_story_is_withdrawn_only_if_it_was_published():
    assert decide(state(retracted=True, released_version=1, released_action="publish"), NOW).action == "retract"
    assert decide(state(retracted=True), NOW) is None
    assert decide(state(retracted=True, released_version=1, released_action="retract"), NOW) is None


# -- the publisher on a store ------------------------------------------------------------------
def test_approved_stories_are_released_once_and_show_as_published(store, pipeline, night, names):
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    ids = [r.story_id for r in store.latest_stories()[:3]]
    versions = {sid: approve(store, sid) for sid in ids}
    report = pub.run(NOW)
    assert sorted(r.story_id for r in report.released) == sorted(ids)
    assert all(r.reason == "approved by alice" for r in report.released)
    assert pub.published() == versions
    assert pub.run(NOW).released == []  # idempotent
    # the unique constraint refuses a second release of the same version, from any process
    assert PublishRecords(store).release(ids[0], versions[ids[0]], "publish", "again") is None
    assert len(PublishRecords(store).releases()) == 3


def test_rules_that_auto_publish_release_checked_stories_and_say_so(store, pipeline, night, names):
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    ward = next(r for r in store.latest_stories() if r.kind == "ward")
    rules = pub.rules_of(ward)
    assert rules, "a ward story comes from at least one rule"
    for rule in rules:
        ReviewRecords(store).set_auto_publish(rule, True, "chief")
    assert pub.run(NOW).released == [], "not before its fact-check has passed"
    store.record_check(ward.story_id, ward.version, True)
    (released,) = [r for r in pub.run(NOW).released if r.story_id == ward.story_id]
    assert released.reason.startswith("auto-publish: ")
    post = pub.post_for(released)
    assert AUTO_DISCLOSURE in post.html and CHECKED_DISCLOSURE not in post.html
    (item,) = [i for i in pub.feed_items() if i.story_id == ward.story_id]
    assert item.auto


def test_an_embargoed_story_goes_out_at_its_time(store, pipeline, night, names):
    sid = store.latest_stories()[0].story_id
    version = approve(store, sid)
    ReviewRecords(store).set_publish_time(sid, version, NOW + timedelta(hours=1), "alice")
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    report = pub.run(NOW)
    assert report.released == [] and report.waiting == [(sid, NOW + timedelta(hours=1))]
    assert [r.story_id for r in pub.run(NOW + timedelta(hours=1)).released] == [sid]


def test_a_retraction_is_released_and_is_its_own_feed_item(store, pipeline, night, names):
    sid = "ward:local.ashcombe.goldsmid.2026-05-07"
    approve(store, sid)
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    pub.run(NOW)
    pipeline.ingest(night.declarations[CORRECTION_AT])  # the corrected result: the gain is gone
    assert store.latest_story(sid).status == "retracted"
    (released,) = pub.run(NOW + timedelta(minutes=5)).released
    assert (released.story_id, released.action) == (sid, "retract")
    kinds = sorted(i.kind for i in pub.feed_items() if i.story_id == sid)
    assert kinds == ["retraction", "story"]
    assert sid not in pub.published()


def corrected(decl, extra: int = 7):
    """The declaration with its winner's votes raised: a correction of the same result."""
    top = max((c for c in decl.candidates if c.elected), key=lambda c: c.votes or 0)
    cands = tuple(replace(c, votes=c.votes + extra) if c is top else c for c in decl.candidates)
    return replace(decl, candidates=cands, declared_at=decl.declared_at + timedelta(minutes=40))


def test_a_corrected_result_needs_approval_and_carries_a_correction_line(store, pipeline, night, names):
    ward = next(r for r in store.latest_stories() if r.kind == "ward" and r.status == "draft"
                and "majority" in (r.payload.get("lede", "") + " ".join(r.payload.get("body", []))))
    approve(store, ward.story_id)
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    pub.run(NOW)
    decl = next(d for d in night.declarations[:CORRECTION_AT] if f"ward:{d.id}" == ward.story_id)
    result = pipeline.ingest(corrected(decl))
    assert result.outcome == "correction"
    latest = store.latest_story(ward.story_id)
    assert latest.version > ward.version
    assert pub.run(NOW + timedelta(minutes=1)).released == [], "the corrected version waits for an editor"
    approve(store, ward.story_id, "bob")
    (released,) = pub.run(NOW + timedelta(minutes=2)).released
    assert released.story_version == latest.version
    top = max((c for c in decl.candidates if c.elected), key=lambda c: c.votes or 0)
    assert released.correction.startswith("Correction, 4.02am Friday 8 May: an earlier version of this story gave ")
    assert released.correction.endswith(f" {top.votes:,} votes; the corrected count is {top.votes + 7:,}.")
    (item,) = [i for i in pub.feed_items() if i.story_id == ward.story_id]
    assert (item.version, item.correction, item.published, item.updated) == (
        latest.version, released.correction, NOW, NOW + timedelta(minutes=2))


# -- the webhook, to a real receiver --------------------------------------------------------------
class Receiver:
    """An HTTP receiver on 127.0.0.1 that verifies the signature and keeps what it gets;
    ``answer`` makes it fail on purpose (fault injection: 500, 400, or a slow answer)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.answer = 200
        self.got: list[dict] = []
        self.requests = 0
        self.bad_signatures = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                outer.requests += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not verify_signature(outer.secret, self.headers["X-Writer-Timestamp"], body,
                                        self.headers[SIGNATURE_HEADER]):
                    outer.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                if outer.answer != 200:
                    self.send_response(outer.answer)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps({"message": f"receiver says {outer.answer}"}).encode())
                    return
                doc = json.loads(body)
                doc["_delivery"] = self.headers["X-Writer-Delivery"]
                outer.got.append(doc)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": f"post-{doc['key']}", "url": f"https://cms.example/{doc['key']}"}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver("s3cret-shared")
    yield r
    r.close()


def test_signatures_verify_in_constant_time_and_refuse_stale_or_forged_ones():
    body = b'{"a": 1}'
    ts = str(int(time.time()))
    good = sign("k", ts, body)
    assert good.startswith("sha256=") and len(good) == 7 + 64
    assert verify_signature("k", ts, body, good)
    assert not verify_signature("k", ts, body + b" ", good)
    assert not verify_signature("other", ts, body, good)
    assert not verify_signature("k", str(int(ts) - 301), body, sign("k", str(int(ts) - 301), body))
    assert not verify_signature("k", "not-a-time", body, good)
    assert not verify_signature("k", ts, body, "")
    with pytest.raises(ValueError, match="shared secret"):
        Webhook("http://127.0.0.1:1/", "")


def test_the_webhook_gets_each_release_signed_once_with_a_stable_key(store, pipeline, night, names, receiver):
    hook = Webhook(receiver.url, receiver.secret)
    pub = Publisher(store, night, checker=FactChecks(store, None), targets=[hook], names=names, retry=FAST)
    sid = "council:northmoor"
    approve(store, sid)
    report = pub.run(NOW)
    assert [d.state for d in report.sent] == ["sent"] and report.failed == []
    (doc,) = receiver.got
    assert receiver.bad_signatures == 0
    assert doc["story_id"] == sid and doc["action"] == "publish" and doc["key"] == pub.key(sid)
    assert doc["_delivery"] == f"{pub.key(sid)}:{doc['version']}:publish"
    assert doc["title"] == store.latest_story(sid).headline and "<p>" in doc["html"]
    assert doc["image_alt"].startswith("Bar chart. Seats won in Northmoor")
    assert doc["categories"] == ["English local elections 2026 (demo night)", "Council results"]
    assert report.sent[0].remote_url == f"https://cms.example/{pub.key(sid)}"
    assert pub.run(NOW).sent == [] and len(receiver.got) == 1  # delivered once
    hook.close()


def test_5xx_is_retried_with_backoff_then_failed_and_a_person_can_retry(store, pipeline, night, names, receiver):
    receiver.answer = 500
    hook = Webhook(receiver.url, receiver.secret)
    pub = Publisher(store, night, checker=FactChecks(store, None), targets=[hook], names=names, retry=FAST)
    sid = "council:northmoor"
    approve(store, sid)
    report = pub.run(NOW)
    assert receiver.requests == FAST.attempts
    (failed,) = report.failed
    assert (failed.state, failed.attempts) == ("failed", FAST.attempts)
    assert failed.error == "webhook: the receiver answered 500: receiver says 500"
    assert pub.run(NOW).failed == [] and receiver.requests == FAST.attempts, "failed stays failed"
    history = pub.history(sid)
    assert [h["state"] for h in history] == ["released", "failed"]
    receiver.answer = 200
    with pytest.raises(LookupError, match="has not been released"):
        pub.request_retry("council:nowhere", "webhook", "alice")
    pub.request_retry(sid, "webhook", "alice")
    (sent,) = pub.run(NOW).sent
    assert sent.state == "sent" and len(receiver.got) == 1
    assert [h["state"] for h in pub.history(sid)] == ["released", "failed", "pending", "sent"]
    hook.close()


def test_4xx_is_not_retried_blindly(store, pipeline, night, names, receiver):
    receiver.answer = 400
    hook = Webhook(receiver.url, receiver.secret)
    pub = Publisher(store, night, checker=FactChecks(store, None), targets=[hook], names=names, retry=FAST)
    approve(store, "council:northmoor")
    (failed,) = pub.run(NOW).failed
    assert receiver.requests == 1 and failed.attempts == 1
    assert "answered 400" in failed.error
    hook.close()


def test_a_receiver_that_is_down_is_a_transient_failure(store, pipeline, night, names):
    hook = Webhook("http://127.0.0.1:9/hook", "k")  # the discard port: nothing listens
    pub = Publisher(store, night, checker=FactChecks(store, None), targets=[hook], names=names, retry=FAST)
    approve(store, "council:northmoor")
    (failed,) = pub.run(NOW).failed
    assert failed.attempts == FAST.attempts and failed.error.startswith("webhook: cannot connect")
    hook.close()


def test_only_the_latest_release_of_a_story_is_delivered(store, pipeline, night, names, receiver):
    hook = Webhook(receiver.url, receiver.secret)
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names, retry=FAST)  # no targets yet: the feeds only
    sid = "ward:local.ashcombe.goldsmid.2026-05-07"
    approve(store, sid)
    pub.run(NOW)
    pipeline.ingest(night.declarations[CORRECTION_AT])
    pub.run(NOW)  # the retraction, released while the CMS was not configured
    pub.targets = [hook]
    report = pub.run(NOW)
    assert [d.story_id for d in report.sent] == [sid]
    assert [doc["action"] for doc in receiver.got] == ["retract"]
    hook.close()


def test_posts_carry_title_tags_chart_and_the_seats_table(store, pipeline, night, names):
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    approve(store, "council:northmoor")
    (released,) = pub.run(NOW).released
    post = pub.post_for(released)
    row = store.latest_story("council:northmoor")
    assert post.title == row.headline and "<h1>" not in post.html and 'class="seats"' in post.html
    assert post.key == "local-2026-05-07-council-northmoor"
    assert post.tags[:2] == ("Northmoor", "North West") and "Red Wall" in post.tags
    assert post.categories == ("English local elections 2026 (demo night)", "Council results")
    assert post.image.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert post.image.alt == ("Bar chart. Seats won in Northmoor in 2026, with the seats won when they were "
                              "last fought in 2022: Labour 8 (3 in 2022), Conservatives 1 (6 in 2022), "
                              "Lib Dems 1 (1 in 2022).")


# -- the scheduler --------------------------------------------------------------------------------
def wait_for(predicate, timeout: float = 90.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_scheduler_keeps_its_jobs_in_the_database_and_publishes(store, pipeline, night, names):
    from sqlalchemy import text
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    sched = NightScheduler(store, pub, publish_every=0.2, lease_seconds=10, roundup=lambda: None,
                           roundup_every=60)
    sched.start()
    try:
        assert sched.running
        with store.engine.connect() as conn:
            jobs = {r[0] for r in conn.execute(text("SELECT id FROM apscheduler_jobs"))}
        assert {"publish", "roundup"} <= jobs
        sid = store.latest_stories()[0].story_id
        version = approve(store, sid)
        assert wait_for(lambda: pub.published().get(sid) == version)
        # an embargo gets a job of its own at its time
        other = store.latest_stories()[1].story_id
        v2 = approve(store, other)
        due = datetime.now(timezone.utc) + timedelta(hours=2)
        ReviewRecords(store).set_publish_time(other, v2, due, "alice")
        assert wait_for(lambda: any(j["id"] == f"embargo:{other}" for j in sched.jobs()))
        assert other not in pub.published()
    finally:
        sched.stop()
    assert not sched.running


def test_only_one_scheduler_runs_per_database_and_another_takes_over(store, night, names):
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names)
    first = NightScheduler(store, pub, publish_every=5, lease_seconds=1.5, holder="first")
    second = NightScheduler(store, pub, publish_every=5, lease_seconds=1.5, holder="second")
    first.start()
    second.start()
    try:
        assert first.running and not second.running
        time.sleep(1.2)  # several renewals later: still the first
        assert first.running and not second.running
        assert PublishRecords(store).lease_holder() == "first"
        first.stop()  # gives the lease up
        assert wait_for(lambda: second.running, timeout=5)
        assert PublishRecords(store).lease_holder() == "second"
    finally:
        first.stop()
        second.stop()


def test_a_dead_holder_loses_the_lease_when_it_expires(store):
    records = PublishRecords(store)
    t0 = datetime.now(timezone.utc)
    assert records.acquire_lease("a", 10, now=t0)
    assert not records.acquire_lease("b", 10, now=t0 + timedelta(seconds=5))
    assert records.acquire_lease("a", 10, now=t0 + timedelta(seconds=5))  # renewal
    assert records.acquire_lease("b", 10, now=t0 + timedelta(seconds=16))  # a stopped renewing
    assert not records.acquire_lease("a", 10, now=t0 + timedelta(seconds=17))


def test_the_roundup_job_redrafts_the_story_of_the_night_only_when_it_changes(store, pipeline, night):
    from writer.publish.service import redraft_roundup
    lock = threading.Lock()
    row = redraft_roundup(store, night, pipeline, lock)
    assert row is not None and row.kind == "roundup" and row.story_id == f"roundup:{night.election.id}"
    assert redraft_roundup(store, night, pipeline, lock) is None  # nothing new
    pipeline.ingest_all(night.declarations[CORRECTION_AT:])
    again = redraft_roundup(store, night, pipeline, lock)
    assert again is not None and again.version == row.version + 1


def test_cms_errors_say_what_failed():
    exc = CMSError("WordPress: creating the post answered 503: busy", transient=True, status=503)
    assert exc.transient and exc.status == 503 and "503" in str(exc)
    post = Post(key="k", story_id="s", version=1, action="publish", title="<b>t</b>", html="<p>x</p>", excerpt="x")
    body = Webhook("http://127.0.0.1:9/", "k").payload(post)
    assert json.loads(body)["title"] == "<b>t</b>"  # JSON carries the text; the CMS escapes it


# -- the review app shows publishing; the feeds are mounted ------------------------------------------
def test_the_review_app_shows_history_chart_failure_and_retry_and_serves_the_feeds(tmp_path, night, names, receiver):
    import feedparser
    from fastapi.testclient import TestClient
    from test_web import PASSWORD, csrf_of, url
    from writer.night import fact_checker
    from writer.publish.service import Publishing
    from writer.web.app import create_app
    from writer.web.security import hash_password

    store = open_store(tmp_path / "app.db")
    pipeline = Pipeline(store, lambda: build(night))
    pipeline.ingest_all(night.declarations[:CORRECTION_AT])
    ReviewRecords(store).add_user("ed", "editor", hash_password(PASSWORD), by="test")
    receiver.answer = 500
    publishing = Publishing.build(store, night, checker=FactChecks(store, fact_checker(night, names)),
                                  pipeline=pipeline, names=names, env={},
                                  targets=[Webhook(receiver.url, receiver.secret)], retry=FAST,
                                  base_url="https://results.example")
    for rule in publishing.publisher.auto_settings():  # a chief turns auto-publish off: only what ed approves goes
        ReviewRecords(store).set_auto_publish(rule, False, "chief")
    app = create_app(store, night=night, pipeline=pipeline, publishing=publishing, https_only=True,
                     secret_key="test-secret-key-for-the-review-app")
    client = TestClient(app, base_url="https://testserver")
    r = client.post("/login", data={"username": "ed", "password": PASSWORD,
                                    "csrf_token": csrf_of(client.get("/login").text)}, follow_redirects=False)
    assert r.status_code == 303
    sid = "council:northmoor"
    page = client.get(url(sid)).text
    assert 'id="publishing"' in page and "Not published yet." in page
    version = int(__import__("re").search(r'id="edit-version" value="(\d+)"', page).group(1))
    r = client.post(url(sid, "approve"), data={"version": version, "csrf_token": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    publishing.publisher.run()  # what the scheduler does every few seconds
    page = client.get(url(sid)).text
    assert 'id="retry-webhook"' in page and "Publishing to webhook failed." in page
    assert "the receiver answered 500" in page
    assert 'alt="Bar chart. Seats won in Northmoor in 2026' in page
    svg = client.get(url(sid, "chart.svg"))
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
    assert TestClient(app).get(url(sid, "chart.svg"), follow_redirects=False).status_code in (303, 401)
    # the queue says published; the feed has it, with absolute links to this site
    rows = {r["story_id"]: r for r in client.get("/queue.json").json()["rows"]}
    assert rows[sid]["status"] == "published"
    feed = client.get("/feeds/night.atom")
    assert feed.status_code == 200
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo and store.latest_story(sid).headline in [e.title for e in parsed.entries]
    assert all(e.link.startswith("https://results.example/") for e in parsed.entries)
    assert client.get("/feeds/council/northmoor.xml").status_code == 200
    # retry after the receiver recovers
    receiver.answer = 200
    r = client.post(url(sid, "retry"), data={"target": "webhook", "csrf_token": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.post(url(sid, "retry"), data={"target": "webhook"}, follow_redirects=False).status_code == 403
    publishing.publisher.run()
    page = client.get(url(sid)).text
    assert 'id="retry-webhook"' not in page and "https://cms.example/" in page
    assert [d["story_id"] for d in receiver.got] == [sid]
    publishing.stop()
    store.close()


def test_stories_a_rule_publishes_are_fact_checked_first_even_if_nobody_opened_the_queue(store, pipeline, night, names):
    from writer.check import FactChecker
    from writer.review import Review
    review = Review(store, checker=FactChecker.for_night(night.setup, names), night=night, names=names)
    pub = Publisher(store, night, checker=review.checks, names=names)
    assert store.latest_check("council:northmoor") is None
    auto = [s for s in pub.states() if s.auto_rules]
    assert auto, "the demo night has stories whose rules publish without review"
    released = pub.run(NOW).released
    assert {r.story_id for r in released} == {s.story_id for s in auto}
    for r in released:
        check = store.latest_check(r.story_id, r.story_version)
        assert check is not None and check.ok and r.reason.startswith("auto-publish: ")
    # and nothing a rule does not cover went out
    assert all(store.latest_check(s.story_id) is None for s in pub.states() if not s.auto_rules)
