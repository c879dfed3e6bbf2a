"""Wiring: the publisher, its CMS targets, the scheduler and the feeds for a running night.

    checks = FactChecks(store, writer.night.fact_checker(night, names))   # the fact-check gate
    publishing = Publishing.build(store, night, checker=checks, pipeline=pipeline, ingest_lock=lock)
    app = create_app(store, night=night, pipeline=pipeline, publishing=publishing)
    publishing.start()    # the scheduler (it contends for the lease in the database)

CMS targets come from the environment (:mod:`writer.settings`; or are passed in):

    WP_URL, WP_USER, WP_APP_PASSWORD        WordPress, with an Application Password
    WP_AUTHOR, WP_COMMENTS, WP_RETRACT      its posts' author, comments (closed) and withdrawals
                                            (notice: keep the URL; draft: take the post down)
    WRITER_WEBHOOK_URL, WRITER_WEBHOOK_SECRET   the signed webhook (``writer.publish.cms``)
    WRITER_PUBLIC_URL                       the feeds' absolute links (default: the app's address)
    WRITER_FEEDS_IN                         inbound results feeds to poll, separated by spaces
    WRITER_CMS_NAMESPACE                    the CMS keys' prefix (default: the election id)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from writer import night as wiring
from writer.draft.roundup import draft_roundup
from writer.ingest.feeds import FeedPoller
from writer.publish.cms import CMS, Webhook, WordPress
from writer.publish.feeds import night_names
from writer.publish.publisher import FactCheckGate, Publisher, RetryPolicy
from writer.publish.scheduler import NightScheduler
from writer.settings import Settings

log = logging.getLogger(__name__)


def targets_from_env(env: Mapping[str, str] | None = None) -> list[CMS]:
    """The CMS targets the environment (``env``, default: the process environment) configures."""
    settings = Settings.from_env(env)
    targets: list[CMS] = []
    wp = WordPress.from_settings(settings)
    if wp is not None:
        targets.append(wp)
    if settings.webhook_url:
        if not settings.webhook_secret:
            raise ValueError("WRITER_WEBHOOK_URL is set without WRITER_WEBHOOK_SECRET: the webhook "
                             "signs every request and needs the shared secret")
        targets.append(Webhook(settings.webhook_url, settings.webhook_secret))
    return targets


class FeedSource:
    """What the public feeds read (``writer.web.feeds.feeds_router``): the publisher's items,
    a cheap stamp, and the names of the night's councils, regions and groups."""

    def __init__(self, publisher: Publisher, night, base_url: str, rules_dir: Path | None = None) -> None:
        self.publisher = publisher
        self.base_url = base_url.rstrip("/")
        self.election_id = night.election.id
        self.election_title = night.election.name
        self.councils, self.regions, self.groups = night_names(night, wiring.groups(rules_dir))

    def items(self):
        return self.publisher.feed_items()

    def stamp(self) -> str:
        a, b = self.publisher.records.stamp()
        return f"{a}.{b}"


@dataclass
class Publishing:
    publisher: Publisher
    scheduler: NightScheduler
    feeds: FeedSource | None
    targets: list[CMS] = field(default_factory=list)
    started: bool = False

    @classmethod
    def build(cls, store, night, *, checker: FactCheckGate, pipeline=None, ingest_lock=None, names=None,
              rules_dir: Path | None = None, targets: Sequence[CMS] | None = None,
              env: Mapping[str, str] | None = None, base_url: str = "http://127.0.0.1:8000",
              publish_every: float = 5.0, roundup_every: float = 600.0, poll_every: float = 30.0,
              feeds_in: Sequence[str] | None = None, retry: RetryPolicy = RetryPolicy(),
              namespace: str | None = None) -> "Publishing":
        """``checker``: the fact-check gate (:class:`writer.review.checks.FactChecks`, shared
        with the review app). The CMS targets, feeds in, public URL and CMS namespace come
        from ``env`` (default: the environment; :mod:`writer.settings`) unless given."""
        settings = Settings.from_env(env)
        if names is None:
            names = wiring.party_names(rules_dir)
        targets = list(targets_from_env(env) if targets is None else targets)
        publisher = Publisher(store, night, checker=checker, targets=targets, names=names, retry=retry,
                              rules_dir=rules_dir, namespace=namespace or settings.cms_namespace)
        lock = ingest_lock or threading.Lock()

        roundup = ingest = None
        pollers = []
        if pipeline is not None:
            def roundup() -> Any:
                return redraft_roundup(store, night, pipeline, lock)

            def ingest(decl) -> Any:
                with lock:
                    return pipeline.ingest(decl)

            urls = list(feeds_in if feeds_in is not None else settings.feeds_in_urls)
            if urls:
                # what the store holds (not this process's memory): a restarted server withdraws
                # a ward whose winners were all retracted while it was down
                pollers = [FeedPoller(u, night.setup, standing=lambda: pipeline.engine.declarations) for u in urls]
        scheduler = NightScheduler(store, publisher, roundup=roundup, pollers=pollers, ingest=ingest,
                                   publish_every=publish_every, roundup_every=roundup_every,
                                   poll_every=poll_every)
        feeds = FeedSource(publisher, night, settings.public_url or base_url, rules_dir)
        return cls(publisher, scheduler, feeds, targets)

    def start(self) -> None:
        if not self.started:
            self.scheduler.start()
            self.started = True

    def stop(self) -> None:
        if self.started:
            self.scheduler.stop()
            self.started = False
        for t in self.targets:
            close = getattr(t, "close", None)
            if close:
                close()


def redraft_roundup(store, night, pipeline, lock) -> Any:
    """Redraft the story of the night from the pipeline's engine; store it as a new version
    only when its text changed. Returns the stored row, or None."""
    with lock:
        sync = getattr(pipeline, "sync", None)
        if sync is not None:  # the declarations another process took (two `writer serve` on one database)
            sync()
        if not pipeline.engine.declarations:
            return None
        story_id = f"roundup:{night.election.id}"
        latest = store.latest_story(story_id)
        story = draft_roundup(night, pipeline.engine, pipeline.desk,
                              version=(latest.draft_version + 1) if latest else 1)
        if latest is not None and latest.story().text() == story.text():
            return None
        # linked to the last declaration it reflects: a version that follows a corrected
        # result waits for an editor like any other correction (writer.publish.release)
        (row,) = store.record_stories([story], declaration_seq=store.last_declaration_seq())
        return row
