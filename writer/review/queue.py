"""The review queue: every story's latest version with its status, kept up to date from the
store, filtered and ordered as editors ask (:class:`Filters`); and :class:`QueueMemo`, the
cache of what is derived from its rows while they are unchanged.

A story's status is derived (see :meth:`writer.review.workflow.Review.status_of`):

- ``retracted``: its latest version is a retraction;
- ``published``: its latest version was published;
- ``approved``, ``rejected``, ``held``: the latest decision on its latest version;
- ``edited``: its latest version is a person's edit, not yet decided on;
- ``new``: its latest version is the writer's draft, not yet decided on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from writer.draft.story import Story
from writer.review.checks import CHUNK
from writer.store.models import CheckResult, ReviewDecision, StoryVersion
from writer.store.users import PublishTime

if TYPE_CHECKING:
    from writer.review.workflow import Review


STATUSES = ("new", "edited", "held", "approved", "rejected", "published", "retracted")
#: the queue's orders (``?order=``): the first is the default
ORDERS = {"new": "new first", "score": "highest score first", "latest": "latest first"}
DEFAULT_ORDER = "new"
#: "new first": what waits for an editor, then what waits to go out, then what is done;
#: within each, highest score first, then the latest
_STATUS_RANK = {"new": 0, "edited": 0, "held": 1, "approved": 2, "published": 3, "rejected": 4,
                "retracted": 5}
KINDS = ("council", "ward", "group", "roundup")


@dataclass(frozen=True)
class Filters:
    status: str = ""
    region: str = ""
    type: str = ""  # event type: the rule behind one of the story's events
    kind: str = ""
    q: str = ""  # words in the headline, council or story id
    order: str = ""  # one of ORDERS other than the default ("" is the default, new first)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "Filters":
        def one(name: str, limit: int = 200) -> str:
            value = params.get(name) or ""
            return str(value).strip()[:limit]
        order = one("order")
        if order not in ORDERS or order == DEFAULT_ORDER:
            order = ""
        return cls(one("status"), one("region"), one("type"), one("kind"), one("q"), order)

    @property
    def sort(self) -> str:
        """The queue's order: one of :data:`ORDERS`."""
        return self.order or DEFAULT_ORDER

    def arrange(self, rows: list["QueueRow"]) -> list["QueueRow"]:
        """The rows (highest score first, as the queue keeps them) that match, in this order."""
        if self.active:
            rows = [r for r in rows if self.matches(r)]
        if self.sort == "new":
            return sorted(rows, key=lambda r: _STATUS_RANK.get(r.status, 9))  # stable: by score within
        if self.sort == "latest":
            return sorted(rows, key=lambda r: (_neg_time(r.at), -r.score, r.story_id))
        return list(rows)

    def matches(self, row: "QueueRow") -> bool:
        if self.status and row.status != self.status:
            return False
        if self.region and (row.region or "") != self.region:
            return False
        if self.type and self.type not in row.types:
            return False
        if self.kind and row.kind != self.kind:
            return False
        if self.q:
            hay = " ".join([row.headline, row.snippet, row.council_name or "", row.story_id]).lower()
            if not all(word in hay for word in self.q.lower().split()):
                return False
        return True

    def query(self) -> str:
        """The filters as a query string ("" when none is set)."""
        return urlencode({k: v for k, v in asdict(self).items() if v})

    @property
    def active(self) -> bool:
        """Whether any filter is set (the order is not a filter)."""
        return any(v for k, v in asdict(self).items() if k != "order")


@dataclass(frozen=True)
class QueueRow:
    story_id: str
    version: int
    kind: str
    status: str
    score: float
    council: str | None
    council_name: str | None
    region: str | None
    at: str
    headline: str
    snippet: str
    types: tuple[str, ...]
    check: str  # ok, failed, overridden, unchecked
    author: str
    note: str | None  # the latest decision's note (why it is held, say)
    publish_at: datetime | None
    #: party codes nobody could name (copy says "a local party"): an editor must look
    unresolved: tuple[str, ...] = ()


def event_types(story: Story | Mapping[str, Any]) -> tuple[str, ...]:
    """The rules behind a story's events (event ids are ``rule:subject#version``)."""
    ids = story.events if isinstance(story, Story) else story.get("events", ())
    out: list[str] = []
    for eid in ids or ():
        rule = str(eid).split(":", 1)[0]
        if rule and rule not in out:
            out.append(rule)
    return tuple(out)


def council_name_of(payload: Mapping[str, Any]) -> str | None:
    for fact in payload.get("evidence") or ():
        if isinstance(fact, Mapping) and fact.get("council_name"):
            return str(fact["council_name"])
    council = payload.get("council")
    if council:
        return str(council)
    sid = str(payload.get("id", ""))
    if sid.startswith("group:"):
        return sid.split(":", 1)[1].replace("-", " ").title()
    return None


def _neg_time(iso: str) -> float:
    try:
        return -datetime.fromisoformat(iso).timestamp()
    except (TypeError, ValueError):
        return 0.0


# -- the queue, kept up to date ----------------------------------------------------------------
_QUEUE_TABLES = (StoryVersion, ReviewDecision, CheckResult, PublishTime)  # what the queue reads


def _adds_up(was: tuple, now: tuple, read: int) -> bool:
    """Whether ``read`` rows after the last seq account for every row added (see marks)."""
    return now[1] is None or (was[1] or 0) + read == now[1]


def _sort_key(q: QueueRow) -> tuple:
    return (-q.score, _neg_time(q.at), q.story_id)


class QueueState:
    """The queue's rows, kept in step with the store's append-only tables.

    ``marks`` holds, for each table the queue reads, the last ``seq`` and the number of rows
    seen. Rows are only ever added, so unchanged marks mean an unchanged queue; when they
    move, only the rows after the last ``seq`` are read and folded in. If the count does not
    add up (on PostgreSQL a transaction can commit a lower ``seq`` after a higher one), the
    state is read again from scratch. Everything is read in one snapshot."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.marks: tuple | None = None
        self.counted: bool | None = None  # count rows too (None: unless on SQLite)
        self.latest: dict[str, StoryVersion] = {}        # story id -> latest version
        self.decisions: dict[str, ReviewDecision] = {}   # the latest decision on that version
        self.checks: dict[str, CheckResult] = {}         # the latest check of that version
        self.times: dict[str, PublishTime] = {}          # the latest publish time (any version)
        self.published: dict[str, int] = {}
        self.unchecked: set[str] = set()                 # standing versions with no check yet
        self.by_id: dict[str, QueueRow] = {}
        self.rows: list[QueueRow] = []
        self.revision = 0

    # -- reading the store ------------------------------------------------------------------
    def _read_marks(self, s: Session) -> tuple:
        """(last seq, row count) of each table. On SQLite writers take the lock at BEGIN
        (``sqlite_immediate``), so rows commit in ``seq`` order and the last ``seq`` says it
        all: the count (a scan of the table) is left out there (None)."""
        counted = self.counted if self.counted is not None else s.get_bind().dialect.name != "sqlite"
        cols = []
        for m in _QUEUE_TABLES:
            cols.append(select(func.coalesce(func.max(m.seq), 0)).scalar_subquery())
            if counted:
                cols.append(select(func.count()).select_from(m).scalar_subquery())
        values = s.execute(select(*cols)).one()
        if not counted:
            return tuple((int(v), None) for v in values)
        return tuple((int(values[i]), int(values[i + 1])) for i in range(0, len(values), 2))

    def _reset(self) -> None:
        self.marks = None
        self.latest, self.decisions, self.checks, self.times = {}, {}, {}, {}
        self.unchecked = set()
        self.by_id = {}

    def _fold(self, s: Session, marks: tuple) -> set[str] | None:
        """Fold in the rows added since ``self.marks``; the story ids touched, or None when
        the rows read do not add up to ``marks`` (read everything again)."""
        old = self.marks or tuple((0, 0) for _ in _QUEUE_TABLES)
        touched: set[str] = set()
        (sv_old, sv_new), (d_old, d_new), (c_old, c_new), (t_old, t_new) = zip(old, marks)
        if sv_new != sv_old:
            heads = s.execute(select(StoryVersion.seq, StoryVersion.story_id, StoryVersion.version)
                              .where(StoryVersion.seq > sv_old[0])).all()
            if not _adds_up(sv_old, sv_new, len(heads)):
                return None
            best: dict[str, tuple[int, int]] = {}
            for seq, sid, version in heads:
                have = self.latest.get(sid)
                if (have is None or version > have.version) and version > best.get(sid, (0, 0))[1]:
                    best[sid] = (seq, version)
            seqs = [seq for seq, _ in best.values()]
            for i in range(0, len(seqs), CHUNK):
                for row in s.scalars(select(StoryVersion).where(StoryVersion.seq.in_(seqs[i:i + CHUNK]))):
                    self.latest[row.story_id] = row
                    self.decisions.pop(row.story_id, None)  # they were on an older version
                    self.checks.pop(row.story_id, None)
                    touched.add(row.story_id)
        for model, (was, now), target in ((ReviewDecision, (d_old, d_new), self.decisions),
                                          (CheckResult, (c_old, c_new), self.checks)):
            if now == was:
                continue
            rows = list(s.scalars(select(model).where(model.seq > was[0]).order_by(model.seq)))
            if not _adds_up(was, now, len(rows)):
                return None
            for r in rows:
                latest = self.latest.get(r.story_id)
                if latest is None or r.story_version != latest.version:
                    continue  # on a version that no longer stands: the queue does not show it
                if model is ReviewDecision and r.decision == "override":
                    continue
                target[r.story_id] = r
                touched.add(r.story_id)
        if t_new != t_old:
            rows = list(s.scalars(select(PublishTime).where(PublishTime.seq > t_old[0])
                                  .order_by(PublishTime.seq)))
            if not _adds_up(t_old, t_new, len(rows)):
                return None
            for r in rows:
                self.times[r.story_id] = r
                touched.add(r.story_id)
        self.marks = marks
        for sid in touched:
            row = self.latest.get(sid)
            if row is not None and row.status != "retracted" and sid not in self.checks:
                self.unchecked.add(sid)
            else:
                self.unchecked.discard(sid)
        return touched

    def _sync(self, review: "Review") -> tuple[bool, set[str]]:
        """Bring the state up to the store; (anything changed, story ids touched)."""
        with review.snapshot() as s:
            marks = self._read_marks(s)
            if marks == self.marks:
                return False, set()
            touched = self._fold(s, marks)
            if touched is None:  # did not add up: read it all again, in this snapshot
                self._reset()
                touched = self._fold(s, marks)
                if touched is None:  # cannot happen within one snapshot
                    raise RuntimeError("the store changed under a read snapshot")
                touched |= set(self.latest)
        return True, touched

    # -- the rows ----------------------------------------------------------------------------
    def refresh(self, review: "Review") -> tuple[int, list[QueueRow]]:
        """(revision, rows): the rows brought up to date, and a number that changes with them."""
        with self.lock:
            changed, touched = self._sync(review)
            if changed and self.unchecked and review.checker is not None:
                # fact-check what stands unchecked (new versions, or ones whose check could
                # not run before), then fold in the results
                review.ensure_checked([self.latest[sid] for sid in sorted(self.unchecked)])
                touched |= self._sync(review)[1]
            published = dict(review.published_versions())
            if published != self.published:
                old, self.published = self.published, published
                touched |= {sid for sid, _ in set(old.items()) ^ set(published.items())}
            if touched:
                for sid in touched:
                    row = self.latest.get(sid)
                    if row is not None:
                        self.by_id[sid] = review.queue_row(row, self.decisions.get(sid), self.checks.get(sid),
                                                            self.times.get(sid), self.published)
                for sid in [sid for sid in self.by_id if sid not in self.latest]:
                    del self.by_id[sid]
                self.rows = sorted(self.by_id.values(), key=_sort_key)
                self.revision += 1
            return self.revision, self.rows


class QueueMemo:
    """What the web app derives from the queue's rows (a page's table, the JSON), kept while
    the rows are unchanged: ``value(revision, key, make)`` holds values for the latest
    revision only; ``piece(key, make)`` holds per-row pieces (the key names the row itself, so
    an unchanged row is not rendered again after another row changes)."""

    def __init__(self, limit: int = 64, pieces: int = 20_000) -> None:
        self.lock = threading.Lock()
        self.limit, self.max_pieces = limit, pieces
        self.revision: int | None = None
        self.values: dict[Any, Any] = {}
        self.pieces: dict[Any, Any] = {}

    def value(self, revision: int, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if revision == self.revision and key in self.values:
                return self.values[key]
        value = make()
        with self.lock:
            if self.revision is None or revision > self.revision:
                self.revision, self.values = revision, {}
            if revision == self.revision and len(self.values) < self.limit:
                self.values[key] = value
        return value

    def piece(self, key: Any, make: Callable[[], Any]) -> Any:
        value = self.pieces.get(key)
        if value is None:
            value = make()
            with self.lock:
                if len(self.pieces) >= self.max_pieces:
                    self.pieces.clear()
                self.pieces[key] = value
        return value
