"""The publisher: releases what is due to readers and delivers each release to every CMS.

    publisher = Publisher(store, night, checker=FactChecks(store, fact_checker),
                          targets=[WordPress(...), Webhook(...)])
    report = publisher.run()        # release what is due, then deliver what is undelivered

The fact-check gate (``checker``) is part of the publisher: a story a rule would publish
unreviewed is fact-checked first, and goes out only when its check passed. A publisher
cannot be built without one; a gate whose checker cannot run (no night, spaCy missing)
checks nothing, and then only what an editor approved goes out.

``run`` is what the scheduler calls every few seconds; it is idempotent, and safe to call
again after a crash at any point:

- a release is one row per (story, version, action) under a unique constraint, so a version
  is never released twice;
- a delivery is recorded after the CMS call; if the process dies between the two, the next
  run delivers again and the adapter finds the post it made (WordPress: by its slug) and
  updates it instead of creating a second one;
- only a story's latest release is delivered: an update overtaken by a newer one is skipped;
- one run at a time per store, across processes too (``writer serve`` twice on one database,
  or ``writer publish`` beside ``writer serve``): a run takes the store's ``publish`` lock
  (:func:`writer.store.db.exclusive`) and, if another process holds it, does nothing
  (``RunReport.skipped``), so two processes never deliver the same release at once.

Transient CMS failures (timeouts, connection errors, 5xx, 429) are retried with exponential
backoff and jitter up to ``RetryPolicy.attempts``; then, and at once for any other failure
(4xx: a person has to look), the delivery is recorded as failed with the reason. A failed
delivery stays failed until someone presses retry in the review app (``request_retry``).
A target that failed transiently is not tried again in the same run: the other stories
wait for the next run rather than each spending its retries on a CMS that is down.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import yaml
from markupsafe import escape
from sqlalchemy import func, select
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from writer import resources
from writer.detect.rules import load_rules
from writer.draft.story import AUTO_DISCLOSURE, CHECKED_DISCLOSURE, Story, to_html
from writer.draft.style import PartyNames
from writer.model import slugify
from writer.parties import unresolved_parties
from writer.publish.blocks import chart_caption, chart_title, date_gmt, readable_slug
from writer.publish.cms import CMS, CMSError, Image, Post, Remote
from writer.publish.corrections import correction_line, updated_line, what_changed
from writer.publish.feeds import FeedItem
from writer.publish.release import StoryState, decide
from writer.settings import Settings
from writer.store.db import exclusive
from writer.store.models import CheckResult, Declaration, EventRecord, ReviewDecision, StoryVersion
from writer.store.publishing import Delivery, PublishRecords, Release
from writer.store.users import ReviewRecords

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
#: A CMS category for each kind of story (beside one for the election).
STORY_CATEGORIES = {"council": "Council results", "ward": "Ward results", "group": "Election analysis",
                    "roundup": "Election analysis"}



@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # calls in all, the first included
    initial: float = 0.5  # seconds before the first retry, doubling, plus up to ``jitter``
    maximum: float = 20.0
    jitter: float = 0.5


@dataclass
class RunReport:
    released: list[Release] = field(default_factory=list)
    waiting: list[tuple[str, datetime]] = field(default_factory=list)  # (story, embargo)
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    skipped: str | None = None  # why nothing was done (another process was publishing)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _fault(point: str) -> None:
    """Fault injection for the crash tests: ``WRITER_FAULT=kill-after-cms`` kills the process
    with SIGKILL right after a CMS call succeeds and before it is recorded."""
    if Settings.from_env().fault == point:
        os.kill(os.getpid(), signal.SIGKILL)


class FactCheckGate(Protocol):
    """What the publisher checks stories through (:class:`writer.review.checks.FactChecks`,
    shared with the review desk): fact-check, and record, every stored version of ``rows``
    not yet checked."""

    def ensure_checked(self, rows: Iterable[StoryVersion]) -> None: ...


class Publisher:
    """Releases and deliveries for one store and night.

    ``checker``: the fact-check gate (required): stories a rule would publish unreviewed are
    checked through it first. ``targets``: the CMS adapters to deliver to (none: releases go
    to the feeds only). ``names``: PartyNames, for the charts. ``clock``: the time now (tests
    move it).
    """

    def __init__(self, store, night=None, *, checker: FactCheckGate, targets: Sequence[CMS] = (), names=None,
                 retry: RetryPolicy = RetryPolicy(), clock=_now, charts: bool = True,
                 rules_dir=None, namespace: str | None = None) -> None:
        if not callable(getattr(checker, "ensure_checked", None)):
            raise TypeError(f"the publisher needs the fact-check gate (checker=, such as "
                            f"writer.review.checks.FactChecks), not {checker!r}")
        self.store = store
        self.night = night
        self.election = night.election if night is not None else None
        self.targets = list(targets)
        self.names = names
        self.retry = retry
        self.clock = clock
        self.charts = charts and names is not None
        self.rules_dir = rules_dir
        self.namespace = namespace  # the CMS keys' prefix (default: the election id)
        self.checker = checker  # the fact-check gate: stories a rule would publish unreviewed are checked first
        self.records = PublishRecords(store)
        self.review = ReviewRecords(store)
        self._rules: dict[tuple[str, int], tuple[str, ...]] = {}  # story versions are immutable
        self._unresolved: dict[tuple[str, int], tuple[str, ...]] = {}  # unnamed parties, by version
        self._lock = threading.Lock()  # one run at a time in this process
        self._items: dict[tuple[int, int, int], tuple[Any, ...]] = {}  # feed items by their releases

    # -- reading the state --------------------------------------------------------------------
    def _rule_defaults(self) -> dict[str, bool]:
        if not hasattr(self, "_defaults"):
            try:
                rules = load_rules(self.rules_dir or resources.rules_dir(), resources.templates_dir())
                self._defaults = {r.id: bool(r.auto_publish) for r in rules.rules}
            except Exception:  # noqa: BLE001 - without the rules nothing publishes unreviewed
                log.exception("reading the rules' auto-publish settings failed")
                self._defaults = {}
        return self._defaults

    def auto_settings(self) -> dict[str, bool]:
        """Each rule's auto-publish setting: a chief's latest choice, else the rules file."""
        out = dict(self._rule_defaults())
        out.update({rid: s.auto_publish for rid, s in self.review.auto_publish_settings().items()})
        return out

    def _story_rules(self, s, rows) -> None:
        """Work out (once: versions never change) the rules behind each of ``rows`` (anything
        with ``seq``, ``story_id`` and ``version``), reading only the payloads not yet seen."""
        todo = [r for r in rows if (r.story_id, r.version) not in self._rules]
        for i in range(0, len(todo), 500):
            chunk = todo[i:i + 500]
            payloads = dict(s.execute(select(StoryVersion.seq, StoryVersion.payload)
                                      .where(StoryVersion.seq.in_([r.seq for r in chunk]))).all())
            ids = {r.seq: tuple((payloads.get(r.seq) or {}).get("events") or ()) for r in chunk}
            for r in chunk:  # a story naming a party nobody could name waits for an editor
                self._unresolved[(r.story_id, r.version)] = unresolved_parties(
                    (payloads.get(r.seq) or {}).get("evidence"))
            wanted = {e for evs in ids.values() for e in evs}
            rule_of = dict(s.execute(select(EventRecord.event_id, EventRecord.rule)
                                     .where(EventRecord.event_id.in_(wanted))).all()) if wanted else {}
            for r in chunk:
                self._rules[(r.story_id, r.version)] = tuple(sorted({rule_of.get(e, "?") for e in ids[r.seq]}))

    def rules_of(self, row: StoryVersion) -> tuple[str, ...]:
        """The ids of the rules behind a stored story version."""
        with self.store._read() as s:
            self._story_rules(s, [row])
        return self._rules[(row.story_id, row.version)]

    def states(self) -> list[StoryState]:
        """Every story's state, as the release decision needs it."""
        releases = self.records.latest_releases()
        times = self.review.publish_times()
        settings = self.auto_settings()
        with self.store._read() as s:
            latest = (select(StoryVersion.story_id, func.max(StoryVersion.version).label("v"))
                      .group_by(StoryVersion.story_id).subquery())
            # columns only: this runs every few seconds, and payloads are the bulk of the store
            rows = s.execute(select(StoryVersion.seq, StoryVersion.story_id, StoryVersion.version,
                                    StoryVersion.status, StoryVersion.author).join(
                latest, (StoryVersion.story_id == latest.c.story_id) & (StoryVersion.version == latest.c.v))).all()
            decisions = {(d.story_id, d.story_version): d for d in s.execute(
                select(ReviewDecision.story_id, ReviewDecision.story_version, ReviewDecision.decision,
                       ReviewDecision.username).where(ReviewDecision.decision != "override")
                .order_by(ReviewDecision.seq))}
            checks = {(c.story_id, c.story_version): c for c in s.execute(
                select(CheckResult.story_id, CheckResult.story_version, CheckResult.ok, CheckResult.override_reason)
                .order_by(CheckResult.seq))}
            self._story_rules(s, rows)
            corrected = self._corrected_versions(s, releases, rows)
        out = []
        for r in rows:
            d = decisions.get((r.story_id, r.version))
            c = checks.get((r.story_id, r.version))
            check = ("unchecked" if c is None else "overridden" if c.override_reason else "ok" if c.ok else "failed")
            rules = self._rules.get((r.story_id, r.version), ())
            auto = rules if rules and "?" not in rules and all(settings.get(x, False) for x in rules) else ()
            rel = releases.get(r.story_id)
            pt = times.get(r.story_id)
            out.append(StoryState(
                story_id=r.story_id, version=r.version, retracted=r.status == "retracted",
                edited=r.author != "writer", decision=d.decision if d else None,
                decided_by=d.username if d else None, check=check, auto_rules=auto,
                publish_at=pt.publish_at if pt else None,
                released_version=rel.story_version if rel else None, released_action=rel.action if rel else None,
                unresolved=self._unresolved.get((r.story_id, r.version), ()),
                corrected=bool(rel and rel.action == "publish" and r.version > rel.story_version
                               and any(v > rel.story_version for v in corrected.get(r.story_id, ())))))
        return out

    # -- releasing ----------------------------------------------------------------------------
    @staticmethod
    def _corrected_versions(s, releases, rows) -> dict[str, list[int]]:
        """Story -> its versions drafted because a declared result was corrected. The story
        of the night is redrafted from the whole night: a version of it follows a correction
        when a corrected result was stored after the declaration the released version reflects."""
        corrected: dict[str, list[int]] = {}
        for sid, version in s.execute(select(StoryVersion.story_id, StoryVersion.version).join(
                Declaration, Declaration.seq == StoryVersion.declaration_seq).where(
                Declaration.outcome == "correction")):
            corrected.setdefault(sid, []).append(version)
        for r in rows:
            rel = releases.get(r.story_id)
            if not r.story_id.startswith("roundup:") or rel is None or r.version == rel.story_version:
                continue
            seqs = dict(s.execute(select(StoryVersion.version, StoryVersion.declaration_seq).where(
                StoryVersion.story_id == r.story_id,
                StoryVersion.version.in_([rel.story_version, r.version]))).all())
            since, until = seqs.get(rel.story_version) or 0, seqs.get(r.version) or 0
            if s.scalar(select(func.count()).select_from(Declaration).where(
                    Declaration.seq > since, Declaration.seq <= until, Declaration.outcome == "correction")):
                corrected.setdefault(r.story_id, []).append(r.version)
        return corrected

    def _corrected(self, story_id: str, since: int, version: int) -> bool:
        """Whether a version after ``since`` (up to ``version``) was drafted because a
        declared result was corrected."""
        with self.store._read() as s:
            return bool(s.scalar(select(func.count()).select_from(StoryVersion).join(
                Declaration, Declaration.seq == StoryVersion.declaration_seq).where(
                StoryVersion.story_id == story_id, StoryVersion.version > since,
                StoryVersion.version <= version, Declaration.outcome == "correction")))

    def party_names(self):
        if self.names is None:
            self.names = PartyNames.load((Path(self.rules_dir) if self.rules_dir else resources.rules_dir())
                                         / "parties.yaml")
        return self.names

    def correction_line(self, story_id: str, since: int | None, version: int, at: datetime) -> str | None:
        """The line a released version carries: for a version that corrects one readers saw
        (a version after it was drafted because a declared result was corrected), what
        changed ("an earlier version of this story gave Labour 42 seats; it won 41"); for a
        new version of the story of the night, "Updated" with the time."""
        if since is None:
            return None
        if story_id.startswith("roundup:"):
            return updated_line(at) if version != since else None
        if not self._corrected(story_id, since, version):
            return None
        old, new = self.store.story_version(story_id, since), self.store.story_version(story_id, version)
        changes = what_changed(old.story(), new.story(), self.party_names()) if old and new else []
        return correction_line(at, changes)

    def release_due(self, now: datetime | None = None) -> tuple[list[Release], list[tuple[str, datetime]]]:
        now = now or self.clock()
        released, waiting = [], []
        states = self.states()
        unchecked = [s for s in states if s.auto_rules and s.check == "unchecked" and s.decision is None
                     and not s.edited and not s.retracted and not s.unresolved]
        if unchecked:
            # a rule may publish these unreviewed: fact-check them first (nobody may have opened the queue)
            self.checker.ensure_checked([self.store.story_version(s.story_id, s.version) for s in unchecked])
            states = self.states()
        for state in states:
            decision = decide(state, now)
            if decision is None:
                continue
            if decision.action == "wait":
                waiting.append((state.story_id, decision.due))
                continue
            correction = (self.correction_line(state.story_id, state.released_version, state.version, now)
                          if decision.action == "publish" else None)
            row = self.records.release(state.story_id, state.version, decision.action, decision.reason,
                                       correction=correction, created_at=now)
            if row is not None:
                released.append(row)
                log.info("released %s v%d (%s: %s)", state.story_id, state.version, decision.action, decision.reason)
        return released, waiting

    # -- delivering ---------------------------------------------------------------------------
    def story_for(self, release: Release) -> Story:
        row = self.store.story_version(release.story_id, release.story_version)
        story = row.story()
        auto = release.reason.startswith("auto-publish")
        return replace(story, disclosure=AUTO_DISCLOSURE if auto else CHECKED_DISCLOSURE)

    def key(self, story_id: str) -> str:
        """The story's deterministic CMS key (the WordPress slug)."""
        prefix = self.namespace or (self.election.id if self.election is not None else "night")
        return slugify(f"{prefix} {story_id}")[:190]

    def slug(self, story_id: str) -> str:
        """The story's readable WordPress slug, the same for every version of it
        ("barnet-council-result-2022"); prefixed with the namespace when one is set."""
        year = self.election.poll_date.year if self.election is not None else None
        readable = readable_slug(story_id, year)
        return slugify(f"{self.namespace} {readable}")[:190] if self.namespace else readable

    def tags(self, story: Story) -> tuple[str, ...]:
        names = []
        council = next((e.get("council_name") for e in story.evidence if e.get("council_name")), None)
        groups = [g[4:] if g.startswith("the ") else g for g in self.group_names(story.groups)]
        groups = [g[:1].upper() + g[1:] for g in groups]  # a tag is a name: "South of England"
        for name in (council, story.region, *groups):
            if name and name not in names:
                names.append(name)
        return tuple(names)

    def categories(self, story: Story) -> tuple[str, ...]:
        """The election (its name) and the kind of story: results of councils, results of
        wards, or the night's analysis (group stories and the round-up)."""
        kind = STORY_CATEGORIES.get(story.kind)
        return tuple(c for c in (self.election.name if self.election is not None else None, kind) if c)

    def group_names(self, groups: Iterable[str]) -> list[str]:
        if not hasattr(self, "_groups"):
            try:
                doc = yaml.safe_load(((self.rules_dir or resources.rules_dir()) / "groups.yaml").read_text(encoding="utf-8")) or {}
                self._groups = {g["id"]: g["name"] for g in doc.get("groups", [])}
            except Exception:  # noqa: BLE001 - groups shown by id
                self._groups = {}
        return [self._groups.get(g, g) for g in groups if g != "national"]

    def image(self, story: Story) -> Image | None:
        if not self.charts or story.kind != "council":
            return None
        from writer.publish.chart import chart_data, render  # matplotlib: only when a chart is drawn
        year = str(self.election.poll_date.year) if self.election is not None else ""
        try:
            facts = next((e for e in story.evidence if e.get("scope") == "council" and e.get("seats_won")), None)
            data = chart_data(facts, self.names, year) if facts is not None else None
            if data is None:
                return None
            png = render(data, "png")
        except Exception:  # noqa: BLE001 - a story goes out without its chart rather than not at all
            log.exception("the chart for %s failed", story.id)
            return None
        return Image(png, data.alt, f"{self.slug(story.id)}-seats.png", title=chart_title(data),
                     caption=chart_caption(data))

    def post_for(self, release: Release) -> Post:
        story = self.story_for(release)
        html = to_html(story)
        html = html.replace(f"<h1>{_esc(story.headline)}</h1>\n", "", 1)
        if release.action == "retract":
            title = f"Withdrawn: {story.headline}"
            html = ("<p><strong>This story has been withdrawn: the result it reported no longer "
                    "stands.</strong></p>\n" + html)
        else:
            title = story.headline
        return Post(key=self.key(story.id), story_id=story.id, version=release.story_version,
                    action=release.action, title=title, html=html, excerpt=story.lede,
                    tags=self.tags(story), categories=self.categories(story),
                    image=self.image(story) if release.action == "publish" else None,
                    correction=release.correction, data=story.to_dict(), slug=self.slug(story.id),
                    date_gmt=date_gmt(story, min(self.clock(), _now())), sticky=story.kind == "roundup", story=story)

    def _deliver(self, target: CMS, post: Post, known: Remote | None) -> tuple[Remote, int]:
        attempts = 0
        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=wait_exponential_jitter(multiplier=self.retry.initial, max=self.retry.maximum, jitter=self.retry.jitter),
            retry=retry_if_exception(lambda e: isinstance(e, CMSError) and e.transient),
            reraise=True,
            before_sleep=lambda rs: log.warning("%s: %s (attempt %d), retrying", target.name,
                                                rs.outcome.exception(), rs.attempt_number),
        )
        for attempt in retrying:
            with attempt:
                attempts = attempt.retry_state.attempt_number
                remote = target.deliver(post, known)
        return remote, attempts

    def pending(self) -> list[tuple[Release, str]]:
        """(release, target) pairs still to deliver: each story's latest release, for every
        target whose latest delivery of it is missing or asked again."""
        latest = self.records.latest_releases()
        states = self.records.delivery_states()
        out = []
        for release in sorted(latest.values(), key=lambda r: r.seq):
            for target in self.targets:
                d = states.get((release.seq, target.name))
                if d is None or d.state == "pending":
                    out.append((release, target.name))
        return out

    def deliver_pending(self) -> tuple[list[Delivery], list[Delivery]]:
        sent, failed = [], []
        by_name = {t.name: t for t in self.targets}
        down: set[str] = set()  # targets that failed transiently in this run: the rest wait for the next
        for release, name in self.pending():
            if name in down:
                continue
            target = by_name[name]
            post = self.post_for(release)
            last = self.records.last_sent(release.story_id, name)
            known = Remote(last.remote_id, last.remote_url, last.media_id, last.media_digest) if last else None
            try:
                remote, attempts = self._deliver(target, post, known)
            except CMSError as exc:
                row = self.records.record_delivery(release, name, "failed", attempts=self.retry.attempts
                                                   if exc.transient else 1, error=str(exc))
                failed.append(row)
                if exc.transient:
                    down.add(name)
                log.error("%s: %s v%d not delivered: %s", name, release.story_id, release.story_version, exc)
                continue
            _fault("kill-after-cms")
            row = self.records.record_delivery(release, name, "sent", remote_id=remote.id, remote_url=remote.url,
                                               media_id=remote.media_id, media_digest=remote.media_digest,
                                               attempts=attempts)
            sent.append(row)
        return sent, failed

    def run(self, now: datetime | None = None) -> RunReport:
        """Release what is due, then deliver every undelivered release. Nothing (a report
        with ``skipped`` set) if another process is publishing from the same store."""
        with self._lock, exclusive(self.store.engine, "publish") as mine:
            report = RunReport()
            if not mine:
                report.skipped = "another process is publishing from this store"
                return report
            report.released, report.waiting = self.release_due(now)
            if self.targets:
                report.sent, report.failed = self.deliver_pending()
            return report

    def request_retry(self, story_id: str, target: str, user: str) -> Delivery:
        """A person asks for a failed delivery to be tried again (the next run does it)."""
        release = self.records.latest_releases().get(story_id)
        if release is None:
            raise LookupError(f"{story_id} has not been released")
        d = self.records.delivery_states().get((release.seq, target))
        if d is None or d.state != "failed":
            raise LookupError(f"{story_id} has no failed delivery to {target} to retry")
        return self.records.record_delivery(release, target, "pending", user=user)

    # -- what readers see ---------------------------------------------------------------------
    def published(self) -> dict[str, int]:
        """``{story_id: version}`` of what is out (the review app's 'published' status)."""
        return self.records.published_versions()

    def history(self, story_id: str) -> list[dict[str, Any]]:
        """The story's publishing history, oldest first: releases and each delivery."""
        out: list[dict[str, Any]] = []
        for r in self.records.releases(story_id):
            out.append({"at": r.created_at, "what": r.action, "where": "feeds", "version": r.story_version,
                        "state": "released", "detail": r.reason, "link": None, "correction": r.correction})
        for d in self.records.deliveries(story_id):
            out.append({"at": d.created_at, "what": "deliver", "where": d.target, "version": None,
                        "release_seq": d.release_seq, "state": d.state, "detail": d.error or
                        (f"asked again by {d.username}" if d.state == "pending" else f"{d.attempts} attempt(s)"),
                        "link": d.remote_url, "remote_id": d.remote_id, "correction": None})
        seqs = {r.seq: r.story_version for r in self.records.releases(story_id)}
        for h in out:
            if h["version"] is None:
                h["version"] = seqs.get(h.get("release_seq"))
        return sorted(out, key=lambda h: h["at"])

    def feed_items(self) -> list[Any]:
        """Every released story as feed items (the story, and its retraction if withdrawn)."""
        by_story: dict[str, list[Release]] = {}
        for r in self.records.releases():
            by_story.setdefault(r.story_id, []).append(r)
        items = []
        for sid, rels in by_story.items():
            pubs = [r for r in rels if r.action == "publish"]
            if not pubs:
                continue
            cache_key = (pubs[0].seq, pubs[-1].seq, rels[-1].seq)  # release rows never change
            cached = self._items.get(cache_key)
            if cached is None:
                cached = self._items[cache_key] = self._feed_items(sid, rels, pubs)
            items.extend(cached)
        return items

    def _feed_items(self, sid: str, rels: list[Release], pubs: list[Release]) -> tuple[Any, ...]:
        items = []
        first, last = pubs[0], pubs[-1]
        story = self.story_for(last)
        council_name = next((e.get("council_name") for e in story.evidence if e.get("council_name")), None)
        auto = last.reason.startswith("auto-publish")
        common = dict(council=story.council, council_name=council_name, region=story.region,
                      groups=tuple(story.groups), published=first.created_at, auto=auto)
        items.append(FeedItem(story_id=sid, kind="story", version=last.story_version, title=story.headline,
                              summary=story.lede, html=to_html(story), updated=last.created_at,
                              correction=last.correction, **common))
        retract = next((r for r in reversed(rels) if r.action == "retract" and r.seq > last.seq), None)
        if retract is not None:
            items.append(FeedItem(story_id=sid, kind="retraction", version=retract.story_version,
                                  title=f"Withdrawn: {story.headline}",
                                  summary="This story has been withdrawn: the result it reported no longer stands.",
                                  html="<p>This story has been withdrawn: the result it reported no longer stands.</p>",
                                  updated=retract.created_at, correction=None, **common))
        return tuple(items)


def _esc(text: str) -> str:
    return str(escape(text))
