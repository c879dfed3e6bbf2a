"""The review desk, apart from the web: the queue (:mod:`writer.review.queue`), a story with its
check, decisions and versions, and what editors do to stories (edit, approve, reject, hold,
schedule).

Everything is read from and appended to the store. A story's status is derived:

- ``retracted``: its latest version is a retraction;
- ``published``: its latest version was published (``published`` hook, see :class:`Review`);
- ``approved``, ``rejected``, ``held``: the latest decision on its latest version;
- ``edited``: its latest version is a person's edit, not yet decided on;
- ``new``: its latest version is the writer's draft, not yet decided on.

A new draft or edit therefore puts a story back in front of an editor. Every decision names
the version it was made on; a decision or edit made on a version that is no longer the
latest is refused as a :class:`~writer.review.errors.Conflict` (optimistic locking on
``StoryVersion.version``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from writer.draft.story import Story
from writer.text import name_problem
from writer.parties import unresolved_parties
from writer.review.checks import FactChecks, check_state, failures_of
from writer.review.errors import Conflict, Forbidden, Invalid, NotFound, Refused
from writer.review.queue import (KINDS, STATUSES, Filters, QueueMemo, QueueRow, QueueState,
                                 council_name_of, event_types)
from writer.store.models import WRITER, CheckResult, ReviewDecision, StoryVersion
from writer.store.users import ReviewRecords

log = logging.getLogger(__name__)

MAX_HEADLINE = 300
MAX_TEXT = 20_000
MAX_NOTE = 2_000
PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")  # a blank line between paragraphs


@dataclass(frozen=True)
class Actor:
    """Who acts on a story: a signed-in user and their role (``editor`` or ``chief``)."""

    username: str
    role: str

    @property
    def chief(self) -> bool:
        return self.role == "chief"


@dataclass
class StoryView:
    """A story as the desk sees it: its latest version, status, check and decision, and every
    version (oldest first: ``{"row", "text", "checks", "decisions"}``)."""

    row: StoryVersion
    story: Story
    status: str
    text: str
    check: CheckResult | None
    check_state: str
    decision: ReviewDecision | None
    publish_at: datetime | None
    council_name: str | None
    types: tuple[str, ...]
    versions: list[dict[str, Any]] = field(default_factory=list)
    editable: bool = True
    paragraphs_text: str = ""
    unresolved: tuple[str, ...] = ()  # party codes nobody could name: see QueueRow.unresolved


def paragraphs_of(story: Story) -> str:
    return "\n\n".join(story.paragraphs)


class Review:
    """The review desk on a store.

    ``checker``: a :class:`writer.check.FactChecker` for the night (None: fact-checks cannot
    run, and approving needs a chief's override); or ``checks``, the
    :class:`~writer.review.checks.FactChecks` to share with the publisher. ``night``: the
    night's :class:`writer.model.Night` and ``names`` its PartyNames, for whoever lays the
    stories out beside what they do not carry (a council's history, the baseline's
    candidates, party names). ``published``: a callable returning ``{story_id: version}`` of
    what has been published (the publisher's; none yet).
    """

    def __init__(self, store, checker=None, night=None, names=None,
                 published: Callable[[], Mapping[str, int]] | None = None, *,
                 checks: FactChecks | None = None) -> None:
        self.store = store
        self.checks = checks if checks is not None else FactChecks(store, checker)
        self.checker = self.checks.checker
        self.night = night
        self.names = names
        self.published = published
        self.records = ReviewRecords(store)
        self._queue = QueueState()
        self.memo = QueueMemo()
        engine = store.engine
        self._snapshot_engine = (engine.execution_options(isolation_level="REPEATABLE READ")
                                 if engine.dialect.name == "postgresql" else engine)

    # -- reading ------------------------------------------------------------------------------
    def snapshot(self) -> Session:
        """A session whose reads all see one snapshot of the store."""
        return Session(self._snapshot_engine, expire_on_commit=False)

    def published_versions(self) -> Mapping[str, int]:
        """``{story_id: version}`` of what has been published (empty if the hook fails)."""
        if self.published is None:
            return {}
        try:
            return self.published() or {}
        except Exception:  # noqa: BLE001 - a failing publisher must not take the desk down
            log.exception("reading what has been published failed")
            return {}

    def status_of(self, row: StoryVersion, decision: ReviewDecision | None,
                  published: Mapping[str, int]) -> str:
        if row.status == "retracted":
            return "retracted"
        if published.get(row.story_id) == row.version:
            return "published"
        if decision is not None:
            return {"approved": "approved", "rejected": "rejected", "held": "held"}.get(decision.decision, "new")
        return "new" if row.author == WRITER else "edited"

    def queue(self, filters: Filters = Filters()) -> list[QueueRow]:
        """Every story's latest version with its status, in the filters' order (by default new
        first: what waits for an editor, then held, approved, published, rejected, retracted;
        within each, highest score first, then the most recent); only those matching ``filters``. Versions not yet fact-checked are checked
        (and the results recorded) first.

        The rows are kept in memory and brought up to date from the store on every call: a
        cheap stamp (the last ``seq`` and the number of rows of each table the queue reads)
        says whether anything was added, and only the rows added since the last call are
        read (the tables are append-only). A new story version, decision, check, publish
        time or publication therefore shows at once, and an unchanged store costs one query."""
        _revision, rows = self._queue.refresh(self)
        return filters.arrange(rows)

    def queue_state(self) -> tuple[int, list[QueueRow]]:
        """(revision, every row): the queue brought up to date, with a number that changes
        whenever its rows change (for caching what is derived from them: see ``memo``).
        The list must not be changed."""
        return self._queue.refresh(self)

    def queue_row(self, r: StoryVersion, decision: ReviewDecision | None, check: CheckResult | None,
                  pt: Any, published: Mapping[str, int]) -> QueueRow:
        p = r.payload or {}
        return QueueRow(
            story_id=r.story_id, version=r.version, kind=r.kind,
            status=self.status_of(r, decision, published), score=float(r.score),
            council=r.council, council_name=council_name_of(p), region=p.get("region"),
            at=r.at, headline=r.headline, snippet=str(p.get("lede") or ""),
            types=event_types(p), check=check_state(check),
            author=r.author, note=decision.note if decision else None,
            publish_at=pt.publish_at if pt is not None and pt.story_version == r.version else None,
            unresolved=unresolved_parties(p.get("evidence")),
        )

    @staticmethod
    def facets(rows: Iterable[QueueRow]) -> dict[str, list[str]]:
        rows = list(rows)
        return {
            "status": list(STATUSES),
            "region": sorted({r.region for r in rows if r.region}),
            "type": sorted({t for r in rows for t in r.types}),
            "kind": [k for k in KINDS if any(r.kind == k for r in rows)],
        }

    def neighbours(self, story_id: str, filters: Filters = Filters()) -> tuple[str | None, str | None]:
        """The stories before and after ``story_id`` in the (filtered) queue."""
        ids = [r.story_id for r in self.queue(filters)]
        if story_id not in ids:
            return None, (ids[0] if ids else None)
        i = ids.index(story_id)
        return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)

    def story_view(self, story_id: str) -> StoryView:
        """The story's latest version (fact-checked first, unless retracted) with its status,
        check, decision and publish time, and every version with its checks and decisions."""
        history_rows = self.store.story_history(story_id)
        if not history_rows:
            raise NotFound(f"no story {story_id!r}")
        row = history_rows[-1]
        if row.status != "retracted":
            self.ensure_checked([row])
        story = row.story()
        checks = self.store.checks(story_id)
        decisions = self.store.decisions(story_id)
        check = next((c for c in reversed(checks) if c.story_version == row.version), None)
        decision = next((d for d in reversed(decisions)
                         if d.story_version == row.version and d.decision != "override"), None)
        pt = self.records.publish_time(story_id)
        versions = [{"row": h, "text": h.story().text(),
                     "checks": [c for c in checks if c.story_version == h.version],
                     "decisions": [d for d in decisions if d.story_version == h.version]}
                    for h in history_rows]
        return StoryView(
            row=row, story=story,
            status=self.status_of(row, decision, self.published_versions()),
            text=story.text(), check=check, check_state=check_state(check), decision=decision,
            publish_at=pt.publish_at if pt and pt.story_version == row.version else None,
            council_name=council_name_of(row.payload or {}), types=event_types(story), versions=versions,
            editable=row.status != "retracted", paragraphs_text=paragraphs_of(story),
            unresolved=unresolved_parties(story.evidence),
        )

    def version_state(self, story_id: str) -> dict[str, Any]:
        row = self.store.latest_story(story_id)
        if row is None:
            raise NotFound(f"no story {story_id!r}")
        check = self.store.latest_check(story_id, row.version)
        decision = next((d for d in reversed(self.store.decisions(story_id, row.version))
                         if d.decision != "override"), None)
        return {"story_id": story_id, "version": row.version, "author": row.author,
                "status": self.status_of(row, decision, self.published_versions()),
                "check": check_state(check), "headline": row.headline}

    # -- fact-checks --------------------------------------------------------------------------
    def run_checks(self, stories: list[Story]) -> list[Any] | None:
        """The checker's results for ``stories`` (None when there is no checker)."""
        return self.checks.run_checks(stories)

    def ensure_checked(self, rows: Iterable[StoryVersion]) -> None:
        """Fact-check (and record) every standing version in ``rows`` not yet checked."""
        self.checks.ensure_checked(rows)

    # -- acting -------------------------------------------------------------------------------
    def _latest_for(self, story_id: str, version: int, *, what: str) -> StoryVersion:
        latest = self.store.latest_story(story_id)
        if latest is None:
            raise NotFound(f"no story {story_id!r}")
        if latest.version != version:
            raise Conflict(f"{what}: the story has changed since you opened it (you had version "
                           f"{version}; it is now at version {latest.version}, by {latest.author})", latest)
        if latest.status == "retracted":
            raise Invalid(f"{what}: the story has been retracted")
        return latest

    def save_edit(self, actor: Actor, story_id: str, base_version: int, headline: str,
                  body: str) -> StoryVersion:
        """Store an editor's edit of the latest version as a new version and fact-check it.
        Raises :class:`Conflict` (with both versions) when ``base_version`` is not the latest."""
        headline = " ".join((headline or "").split())
        body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
        yours = {"headline": headline, "body": body}
        paragraphs = [" ".join(p.split()) for p in PARAGRAPHS.split(body.strip())]
        paragraphs = [p for p in paragraphs if p]
        if not headline:
            raise Invalid("the headline is empty")
        _plain("the headline", headline)
        _plain("the story", " ".join(paragraphs))
        if len(headline) > MAX_HEADLINE:
            raise Invalid(f"the headline is longer than {MAX_HEADLINE} characters")
        if not paragraphs:
            raise Invalid("the story has no text")
        if sum(map(len, paragraphs)) > MAX_TEXT:
            raise Invalid(f"the story is longer than {MAX_TEXT} characters")
        current = self.store.latest_story(story_id)
        if current is None:
            raise NotFound(f"no story {story_id!r}")
        if current.version != base_version:
            raise Conflict("someone else saved this story while you were editing it", current, yours)
        if current.status == "retracted":
            raise Invalid("the story has been retracted")
        edited = replace(current.story(), headline=headline, lede=paragraphs[0], body=tuple(paragraphs[1:]))
        if edited.text() == current.story().text():
            return current  # nothing changed: no new version
        results = self.run_checks([edited])
        try:
            with self.store.transaction():
                latest = self.store.latest_story(story_id)
                if latest.version != base_version:
                    raise Conflict("someone else saved this story while you were editing it", latest, yours)
                (row,) = self.store.record_stories([edited], author=actor.username)
                if results is not None:
                    self.store.record_check(story_id, row.version, results[0].ok, failures_of(results[0]))
        except IntegrityError:  # another writer took the same version number first
            raise Conflict("someone else saved this story while you were editing it",
                           self.store.latest_story(story_id), yours) from None
        return row

    def approve(self, actor: Actor, story_id: str, version: int, *, override_reason: str | None = None,
                publish_at: datetime | None = None, note: str | None = None) -> ReviewDecision:
        """Approve a version. A failed (or missing) fact-check blocks approval unless a chief
        overrides it with a reason; the override is recorded with the check results."""
        latest = self._latest_for(story_id, version, what="approve")
        self.ensure_checked([latest])
        check = self.store.latest_check(story_id, version)
        passed = check is not None and (check.ok or bool(check.override_reason))
        reason = " ".join((override_reason or "").split())[:MAX_NOTE]
        if not passed:
            why = ("the fact-check could not run" if check is None
                   else f"the fact-check found {len(check.failures)} problem(s)")
            if not reason:
                raise Refused(f"not approved: {why}. Fix the story, or a chief can override the check "
                              "with a reason.")
            if not actor.chief:
                raise Forbidden(f"not approved: {why}, and only a chief can override a fact-check")
        with self.store.transaction():
            self._latest_for(story_id, version, what="approve")
            if not passed:
                self.store.record_check(story_id, version, False, check.failures if check else
                                        [{"start": 0, "end": 0, "text": "", "reason": "the fact-check could not run"}],
                                        override_reason=reason, user=actor.username)
                self.store.record_decision(story_id, version, "override", actor.username, note=reason)
            decision = self.store.record_decision(story_id, version, "approved", actor.username,
                                                  note=_note(note))
            if publish_at is not None:
                self.records.set_publish_time(story_id, version, publish_at, actor.username)
        return decision

    def reject(self, actor: Actor, story_id: str, version: int, note: str | None = None) -> ReviewDecision:
        self._latest_for(story_id, version, what="reject")
        with self.store.transaction():
            self._latest_for(story_id, version, what="reject")
            return self.store.record_decision(story_id, version, "rejected", actor.username, note=_note(note))

    def hold(self, actor: Actor, story_id: str, version: int, note: str | None) -> ReviewDecision:
        note = _note(note)
        if not note:
            raise Invalid("hold: say why (the note is what the next editor reads)")
        self._latest_for(story_id, version, what="hold")
        with self.store.transaction():
            self._latest_for(story_id, version, what="hold")
            return self.store.record_decision(story_id, version, "held", actor.username, note=note)

    def schedule(self, actor: Actor, story_id: str, version: int, publish_at: datetime | None) -> None:
        self._latest_for(story_id, version, what="schedule")
        with self.store.transaction():
            self._latest_for(story_id, version, what="schedule")
            self.records.set_publish_time(story_id, version, publish_at, actor.username)


def _plain(what: str, text: str) -> None:
    """Refuse control, invisible and text-direction characters (a NUL cannot even be stored
    on PostgreSQL; a right-to-left override makes copy read backwards)."""
    problem = name_problem(text.replace("\n", " ").replace("\t", " "))
    if problem is not None:
        raise Invalid(f"{what} {problem}")


def _note(note: str | None) -> str | None:
    note = (note or "").strip()[:MAX_NOTE]
    _plain("the note", note)
    return note or None


__all__ = ["MAX_HEADLINE", "MAX_NOTE", "MAX_TEXT", "Actor", "Review", "StoryView", "paragraphs_of"]
