"""The review desk's logic, apart from the web: the queue, a story with its evidence and
history, and what editors do to stories (edit, approve, reject, hold, schedule).

Everything is read from and appended to the store. A story's status is derived:

- ``retracted``: its latest version is a retraction;
- ``published``: its latest version was published (``published`` hook, see :class:`Review`);
- ``approved``, ``rejected``, ``held``: the latest decision on its latest version;
- ``edited``: its latest version is a person's edit, not yet decided on;
- ``new``: its latest version is the writer's draft, not yet decided on.

A new draft or edit therefore puts a story back in front of an editor. Every decision names
the version it was made on; a decision or edit made on a version that is no longer the
latest is refused as a :class:`Conflict` (optimistic locking on ``StoryVersion.version``).
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from writer.draft.story import Story
from writer.ingest.text import name_problem
from writer.parties import unresolved_parties
from writer.store.models import WRITER, CheckResult, ReviewDecision, StoryVersion
from writer.store.users import PublishTime, ReviewRecords

log = logging.getLogger(__name__)

STATUSES = ("new", "edited", "held", "approved", "rejected", "published", "retracted")
#: the queue's orders (``?order=``): the first is the default
ORDERS = {"new": "new first", "score": "highest score first", "latest": "latest first"}
DEFAULT_ORDER = "new"
#: "new first": what waits for an editor, then what waits to go out, then what is done;
#: within each, highest score first, then the latest
_STATUS_RANK = {"new": 0, "edited": 0, "held": 1, "approved": 2, "published": 3, "rejected": 4,
                "retracted": 5}
KINDS = ("council", "ward", "group", "roundup")
LONDON = ZoneInfo("Europe/London")
MAX_HEADLINE = 300
MAX_TEXT = 20_000
MAX_NOTE = 2_000
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_TOKENS = re.compile(r"\s+|[^\s]+")


# -- errors -----------------------------------------------------------------------------------
class ReviewError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(ReviewError):
    status = 400


class Forbidden(ReviewError):
    status = 403


class NotFound(ReviewError):
    status = 404


class Conflict(ReviewError):
    """The story has moved on since the editor loaded it: ``latest`` is what is stored now,
    ``yours`` what the editor sent (for an edit), so both can be shown and nothing is lost."""

    status = 409

    def __init__(self, message: str, latest: StoryVersion, yours: dict[str, str] | None = None) -> None:
        super().__init__(message)
        # raised inside a write transaction, the row would be expired by its rollback and
        # unreadable on the 409 page: take it out of the session while it is still loaded
        session = object_session(latest)
        if session is not None:
            session.expunge(latest)
        self.latest = latest
        self.yours = yours


class Refused(ReviewError):
    """Approval refused: the fact-check failed (or could not run) and nobody overrode it."""

    status = 422


# -- plain data -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    username: str
    role: str

    @property
    def chief(self) -> bool:
        return self.role == "chief"


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

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["types"] = list(self.types)
        d["unresolved"] = list(self.unresolved)
        d["publish_at"] = self.publish_at.isoformat() if self.publish_at else None
        d["time"] = night_time(self.at)
        return d


@dataclass
class StoryView:
    row: StoryVersion
    story: Story
    status: str
    text: str
    check: CheckResult | None
    check_state: str
    segments: list[tuple[str, list[str]]]
    evidence: dict[str, Any]
    history: list[dict[str, Any]]
    decision: ReviewDecision | None
    publish_at: datetime | None
    council_name: str | None
    types: tuple[str, ...]
    editable: bool = True
    paragraphs_text: str = ""
    unresolved: tuple[str, ...] = ()  # party codes nobody could name: see QueueRow.unresolved


# -- helpers ----------------------------------------------------------------------------------
def night_time(iso: str | None) -> str:
    """``Fri 02:20`` from a night time as the events carry it."""
    if not iso:
        return ""
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return t.strftime("%a %H:%M")


_UK_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})")
_UK_CLOCK = re.compile(r"(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*([ap]\.?m\.?)?|(\d{2})(\d{2})", re.I)


def _uk_date(value: str) -> tuple[int, int, int] | None:
    """(year, month, day) from 08/05/2026, 8/5/2026, 08-05-2026, 08.05.26 (day first, as in
    Britain) or 2026-05-08; None if it is none of those."""
    m = _UK_DATE.fullmatch(value)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        return (2000 + int(year) if len(year) == 2 else int(year)), month, day
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def _uk_clock(value: str) -> tuple[int, int] | None:
    """(hour, minute) from 03:15, 3.15, 0315, 15:40, 3.15am, 3pm; None if it is none of those."""
    m = _UK_CLOCK.fullmatch(value)
    if not m:
        return None
    if m.group(4):
        hour, minute = int(m.group(4)), int(m.group(5))
    else:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        half = (m.group(3) or "").lower().replace(".", "")
        if half:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if half == "pm" else 0)
        elif m.group(2) is None:
            return None  # a bare number is not a time
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def parse_uk_publish_at(date: str | None, clock: str | None) -> datetime | None:
    """A time to publish at from the story page's two boxes: the date as Britain writes it
    (``08/05/2026``, day first) and the time on the 24-hour clock (``03:15``; ``3.15am`` will
    do), UK time. Both empty: None (publish once approved)."""
    date, clock = " ".join((date or "").split()), " ".join((clock or "").split())
    if not date and not clock:
        return None
    expected = "expected a date such as 08/05/2026 (day, month, year) and a time such as 03:15"
    if not date or not clock:
        raise Invalid(f"publish time: give both the date and the time ({expected})")
    day = _uk_date(date)
    if day is None:
        raise Invalid(f"publish date {date[:40]!r}: {expected}")
    hm = _uk_clock(clock)
    if hm is None:
        raise Invalid(f"publish time {clock[:40]!r}: {expected} (24-hour clock)")
    year, month, mday = day
    if not 2000 <= year <= 2100:
        raise Invalid(f"publish date {date[:40]!r}: a year from 2000 to 2100")
    try:
        local = datetime(year, month, mday, hm[0], hm[1], tzinfo=LONDON)
    except ValueError:
        raise Invalid(f"publish date {date[:40]!r}: no such date ({expected})") from None
    return local.astimezone(timezone.utc)


def parse_publish_at(value: str | None) -> datetime | None:
    """A time to publish at in one box: British ``08/05/2026 03:15`` (day first, 24-hour
    clock), ``YYYY-MM-DDTHH:MM`` (UK time), or ISO 8601 with an offset. Empty: None (publish
    once approved)."""
    value = (value or "").strip()
    if not value:
        return None
    expected = f"publish time {value[:60]!r}: expected a date and time such as 08/05/2026 03:15"
    british = re.fullmatch(r"(\S+)[ ,T]+(\S+(?:\s*[ap]\.?m\.?)?)", value, re.I)
    if british and _UK_DATE.fullmatch(british.group(1)):
        return parse_uk_publish_at(british.group(1), british.group(2))
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(expected) from None
    if not 2000 <= t.year <= 2100:
        raise Invalid(expected + " (a year from 2000 to 2100)")
    if t.tzinfo is None:
        t = t.replace(tzinfo=LONDON)
    try:
        return t.astimezone(timezone.utc)
    except OverflowError:  # pragma: no cover - the year check keeps times well inside the calendar
        raise Invalid(expected) from None


def uk_time(t: datetime | None) -> str:
    return t.astimezone(LONDON).strftime("%a %d %b %H:%M") if t else ""


def uk_input(t: datetime | None) -> str:
    """The value for a datetime-local input (ISO, UK time)."""
    return t.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M") if t else ""


def uk_date(t: datetime | None) -> str:
    """The date box's value: ``08/05/2026`` (UK time, day first)."""
    return t.astimezone(LONDON).strftime("%d/%m/%Y") if t else ""


def uk_clock(t: datetime | None) -> str:
    """The time box's value: ``03:15`` (UK time, 24-hour clock)."""
    return t.astimezone(LONDON).strftime("%H:%M") if t else ""


def thousands(value: Any) -> Any:
    """A whole number with thousands separators, as the copy prints it (``2,268``); anything
    else (None, text, a share such as 35.2) as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return value


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


def highlight(text: str, failures: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """``text`` cut into (piece, reasons) where reasons are the failures covering the piece."""
    spans = []
    for f in failures:
        try:
            s, e = max(0, int(f["start"])), min(len(text), int(f["end"]))
        except (KeyError, TypeError, ValueError):
            continue
        if e <= s:  # a failure with no extent: mark the character it points at
            e = min(len(text), s + 1)
        if e > s:
            spans.append((s, e, str(f.get("reason", ""))))
    cuts = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    out: list[tuple[str, list[str]]] = []
    for a, b in zip(cuts, cuts[1:]):
        reasons = [r for s, e, r in spans if s <= a and b <= e]
        piece = text[a:b]
        if out and out[-1][1] == reasons:
            out[-1] = (out[-1][0] + piece, reasons)
        else:
            out.append((piece, reasons))
    return out or [(text, [])]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) pieces, op one of ``eq``, ``del``, ``ins``: how ``old`` became ``new``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[tuple[str, str]] = []

    def put(op: str, piece: str) -> None:
        if not piece:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + piece)
        else:
            out.append((op, piece))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            put("eq", "".join(a[i1:i2]))
        else:
            put("del", "".join(a[i1:i2]))
            put("ins", "".join(b[j1:j2]))
    return out


def paragraph_diff(old: str, new: str) -> list[dict[str, Any]]:
    """How ``old`` became ``new``, paragraph by paragraph (paragraphs are separated by a blank
    line): each ``{"op": "same" | "changed" | "added" | "removed", "old", "new", "words"}``,
    where a changed paragraph carries its word diff (``word_diff``). A paragraph rewritten
    beyond recognition (under half its words kept) is shown removed, then added, rather than
    as a jumble of crossed-out words."""
    a = [p for p in _PARAGRAPHS.split(old.strip()) if p] if old.strip() else []
    b = [p for p in _PARAGRAPHS.split(new.strip()) if p] if new.strip() else []
    out: list[dict[str, Any]] = []

    def add(op: str, o: str = "", n: str = "", words=None) -> None:
        out.append({"op": op, "old": o, "new": n, "words": words or []})

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for p in a[i1:i2]:
                add("same", p, p)
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else None
            n = news[k] if k < len(news) else None
            if o is None:
                add("added", "", n)
            elif n is None:
                add("removed", o, "")
            elif difflib.SequenceMatcher(None, o.split(), n.split(), autojunk=False).ratio() < 0.5:
                add("removed", o, "")
                add("added", "", n)
            else:
                add("changed", o, n, word_diff(o, n))
    return out


def paragraphs_of(story: Story) -> str:
    return "\n\n".join(story.paragraphs)


def failures_of(result) -> list[dict[str, Any]]:
    return [{"start": f.start, "end": f.end, "text": f.text, "reason": f.reason} for f in result.failures]


def check_state(check: CheckResult | None) -> str:
    if check is None:
        return "unchecked"
    if check.override_reason:
        return "overridden"
    return "ok" if check.ok else "failed"


# -- the queue, kept up to date ----------------------------------------------------------------
_CHUNK = 500  # ids per IN (...) list
_QUEUE_TABLES = (StoryVersion, ReviewDecision, CheckResult, PublishTime)  # what the queue reads


def _adds_up(was: tuple, now: tuple, read: int) -> bool:
    """Whether ``read`` rows after the last seq account for every row added (see marks)."""
    return now[1] is None or (was[1] or 0) + read == now[1]


def _sort_key(q: QueueRow) -> tuple:
    return (-q.score, _neg_time(q.at), q.story_id)


class _QueueState:
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
            for i in range(0, len(seqs), _CHUNK):
                for row in s.scalars(select(StoryVersion).where(StoryVersion.seq.in_(seqs[i:i + _CHUNK]))):
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
        with review._snapshot() as s:
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
            published = dict(review._published())
            if published != self.published:
                old, self.published = self.published, published
                touched |= {sid for sid, _ in set(old.items()) ^ set(published.items())}
            if touched:
                for sid in touched:
                    row = self.latest.get(sid)
                    if row is not None:
                        self.by_id[sid] = review._queue_row(row, self.decisions.get(sid), self.checks.get(sid),
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


# -- the desk ---------------------------------------------------------------------------------
class Review:
    """The review desk on a store.

    ``checker``: a :class:`writer.check.FactChecker` for the night (None: fact-checks cannot
    run, and approving needs a chief's override). ``night``: the night's
    :class:`writer.model.Night`, for evidence the stories do not carry (a council's history,
    the baseline's candidates). ``names``: PartyNames for party names. ``published``: a callable
    returning ``{story_id: version}`` of what has been published (the publisher's; none yet).
    """

    def __init__(self, store, checker=None, night=None, names=None,
                 published: Callable[[], Mapping[str, int]] | None = None) -> None:
        self.store = store
        self.checker = checker
        self.night = night
        self.names = names
        self.published = published
        self.records = ReviewRecords(store)
        self._check_lock = threading.Lock()
        self._queue = _QueueState()
        self.memo = QueueMemo()
        engine = store.engine
        self._snapshot_engine = (engine.execution_options(isolation_level="REPEATABLE READ")
                                 if engine.dialect.name == "postgresql" else engine)

    # -- reading ------------------------------------------------------------------------------
    def _session(self) -> Session:
        return Session(self.store.engine, expire_on_commit=False)

    def _snapshot(self) -> Session:
        """A session whose reads all see one snapshot of the store."""
        return Session(self._snapshot_engine, expire_on_commit=False)

    def _checked(self, pairs: set[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which of the (story id, version) pairs have a fact-check result."""
        ids = sorted({sid for sid, _ in pairs})
        done: set[tuple[str, int]] = set()
        with self._session() as s:
            for i in range(0, len(ids), _CHUNK):
                done.update((sid, v) for sid, v in s.execute(select(CheckResult.story_id, CheckResult.story_version)
                                      .where(CheckResult.story_id.in_(ids[i:i + _CHUNK]))).all())
        return done & pairs

    def _published(self) -> Mapping[str, int]:
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

    def _queue_row(self, r: StoryVersion, decision: ReviewDecision | None, check: CheckResult | None,
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
        text = story.text()
        pt = self.records.publish_time(story_id)
        history = []
        previous = ""
        for h in history_rows:
            t = h.story().text()
            history.append({
                "row": h, "text": t, "diff": paragraph_diff(previous, t) if previous else [],
                "first": not previous,
                "checks": [c for c in checks if c.story_version == h.version],
                "decisions": [d for d in decisions if d.story_version == h.version],
            })
            previous = t
        history.reverse()  # newest first
        return StoryView(
            row=row, story=story,
            status=self.status_of(row, decision, self._published()),
            text=text, check=check, check_state=check_state(check),
            segments=highlight(text, check.failures if check else ()),
            evidence=self.evidence(story), history=history, decision=decision,
            publish_at=pt.publish_at if pt and pt.story_version == row.version else None,
            council_name=council_name_of(row.payload or {}), types=event_types(story),
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
                "status": self.status_of(row, decision, self._published()),
                "check": check_state(check), "headline": row.headline}

    # -- evidence -----------------------------------------------------------------------------
    def party(self, code: str | None) -> str:
        if not code:
            return ""
        if self.names is not None:
            try:
                return self.names.party(code, "tally")
            except Exception:  # noqa: BLE001 - unknown code: show it as it is
                return code
        return code

    def evidence(self, story: Story) -> dict[str, Any]:
        """What the story may state, laid out for an editor: each ward's candidates, votes
        and shares, seats before and after, the baseline; each council's seats before and
        after, control and its history line; and every fact, raw."""
        facts: dict[tuple[str, str], dict[str, Any]] = {}
        context: list[dict[str, Any]] = []
        for f in story.evidence:
            if not isinstance(f, Mapping):
                continue
            if "scope" in f:
                facts[(str(f.get("scope")), str(f.get("subject")))] = dict(f)
            elif isinstance(f.get("context"), list):
                context += [c for c in f["context"] if isinstance(c, Mapping)]
        wards, councils, others = [], [], []
        national = None
        for (scope, _subject), f in facts.items():
            if scope == "ward":
                wards.append(self._ward_evidence(f))
            elif scope == "council":
                councils.append(self._council_evidence(f))
            elif scope == "projection" and isinstance(f.get("national_picture"), Mapping):
                national = self._national_evidence(f["national_picture"])
            else:
                others.append({"scope": scope, "subject": f.get("subject"), "title": _title(f)})
        raw = [{"scope": scope, "subject": subject,
                "facts": [(k, _show(v)) for k, v in f.items() if k != "context"]}
               for (scope, subject), f in facts.items()]
        return {"wards": wards, "councils": councils, "others": others, "raw": raw, "national": national,
                "context": [{"label": c.get("label"), "source": c.get("source"),
                             "values": [(self.party(p), v) for p, v in (c.get("values") or {}).items()]}
                            for c in context]}

    def _national_evidence(self, pic: Mapping[str, Any]) -> dict[str, Any]:
        """The round-up's national share estimate and Commons projection: each party's share at
        the baseline, its average change in the wards used and the projection; the wards used
        (by name, from the store where it has them); the seats at a general election."""
        shares = pic.get("projected_share") or {}
        base = pic.get("baseline_share") or {}
        change = pic.get("share_change") or {}
        rows = [{"party": self.party(p), "baseline": base.get(p), "change": change.get(p), "projected": v}
                for p, v in sorted(shares.items(), key=lambda kv: -kv[1])]
        # ballot ids (local.<council>.<ward>.<date>), shown as "ward (council)": no lookup per ward
        wards = []
        for wid in pic.get("ward_declarations") or ():
            parts = str(wid).split(".")
            wards.append(f"{parts[2]} ({parts[1]})" if len(parts) >= 4 else str(wid))
        cp = pic.get("commons_projection") or None
        commons = None
        if isinstance(cp, Mapping):
            seats = cp.get("seats") or {}
            commons = {"seats": [(self.party(p), n, (cp.get("seats_before") or {}).get(p, 0))
                                 for p, n in sorted(seats.items(), key=lambda kv: -kv[1])],
                       "largest_party": self.party(cp.get("largest_party")), "majority": cp.get("majority"),
                       "majority_needed": cp.get("majority_needed"), "method": cp.get("method"),
                       "changed_hands": len(cp.get("changed_hands") or ())}
        return {"rows": rows, "wards_used": pic.get("wards_used"), "councils_used": pic.get("councils_used"),
                "wards": wards, "method": pic.get("method"), "baseline_label": pic.get("baseline_label"),
                "reason": pic.get("reason"), "commons": commons, "commons_reason": pic.get("commons_reason")}

    def _ward_evidence(self, f: dict[str, Any]) -> dict[str, Any]:
        candidates = []
        decl = self.store.current_declaration(str(f.get("ward_id") or f.get("subject") or ""))
        if decl is not None and decl.kind == "ward":
            cands = decl.payload.get("candidates") or []
            total = sum(c.get("votes") or 0 for c in cands)
            for c in sorted(cands, key=lambda c: -(c.get("votes") or 0)):
                votes = c.get("votes")
                candidates.append({
                    "name": c.get("name"), "party": self.party(c.get("party")), "code": c.get("party"),
                    "votes": votes, "elected": bool(c.get("elected")),
                    "share": round(100 * votes / total, 1) if votes is not None and total else None,
                })
        shares = f.get("shares") or {}
        share_change = f.get("share_change") or {}
        before = f.get("baseline_holders") or {}
        after = f.get("won") or {}
        change = f.get("seat_change") or {}
        parties = _ordered(after, before, shares)
        baseline_candidates = []
        if self.night is not None and f.get("baseline_ward"):
            for bw in self.night.setup.baseline_wards.get(f.get("council"), ()):
                if bw.ward == f.get("baseline_ward"):
                    baseline_candidates = [{"name": c.name, "party": self.party(c.party), "votes": c.votes,
                                            "elected": c.elected}
                                           for c in sorted(bw.candidates, key=lambda c: -(c.votes or 0))]
                    break
        return {
            "ward": f.get("ward"), "council_name": f.get("council_name"), "seats": f.get("seats"),
            "candidates": candidates, "turnout_pct": f.get("turnout_pct"), "electorate": f.get("electorate"),
            "total_votes": f.get("total_votes"), "majority": f.get("majority"),
            "baseline_label": f.get("baseline_label"), "baseline_ward": f.get("baseline_ward"),
            "matched_by": f.get("matched_by"), "comparable": f.get("comparable"),
            "not_comparable_reason": f.get("not_comparable_reason"),
            "parties": [{"party": self.party(p), "code": p, "before": before.get(p), "after": after.get(p),
                         "change": change.get(p), "share": shares.get(p), "share_change": share_change.get(p)}
                        for p in parties],
            "baseline_candidates": baseline_candidates,
        }

    def _council_evidence(self, f: dict[str, Any]) -> dict[str, Any]:
        slug = f.get("council")
        council = self.night.setup.councils.get(slug) if self.night is not None else None
        before_all = (council.composition_before if council is not None else None) or {}
        after = f.get("composition_after") or {}
        won = f.get("seats_won") or {}
        change = f.get("seat_change") or {}
        baseline = f.get("baseline_seats_won") or {}
        parties = _ordered(after, before_all, won, baseline)
        return {
            "council_name": f.get("council_name"), "region": f.get("region"), "cycle": f.get("cycle"),
            "total_seats": f.get("total_seats"), "seats_up": f.get("seats_up"),
            "majority_needed": f.get("majority_needed"), "status": f.get("status"),
            "seats_declared": f.get("seats_declared"), "result": f.get("result"),
            "control_before": self.party(f.get("control_before")), "control_after": self.party(f.get("control_after")),
            "composition_estimated": f.get("composition_estimated"),
            "baseline_label": f.get("baseline_label"), "comparison_basis": f.get("comparison_basis"),
            "comparable": f.get("comparable"), "not_comparable_reason": f.get("not_comparable_reason"),
            "parties": [{"party": self.party(p), "code": p, "before": before_all.get(p), "after": after.get(p),
                         "won": won.get(p), "baseline": baseline.get(p), "change": change.get(p)}
                        for p in parties],
            "history": self.history_line(slug, f),
        }

    def history_line(self, slug: str | None, f: Mapping[str, Any]) -> str:
        periods = self.night.setup.history.get(slug, ()) if self.night is not None and slug else ()
        if periods:
            parts = []
            for p in periods:
                who = "no overall control" if p.control == "NOC" else self.party(p.control)
                parts.append(f"{who} since {p.from_year}" if p.to_year is None
                             else f"{who} {p.from_year}\u2013{p.to_year}")
            return "; ".join(parts)
        bits = []
        if f.get("history_from"):
            bits.append(f"records from {f['history_from']}")
        if f.get("before_since") and f.get("control_before"):
            bits.append(f"{self.party(f['control_before'])} since {f['before_since']}")
        if f.get("last_controlled_to") and f.get("winner"):
            bits.append(f"{self.party(f['winner'])} last in control until {f['last_controlled_to']}")
        if f.get("first_ever"):
            bits.append("first time in control")
        return "; ".join(bits)

    # -- fact-checks --------------------------------------------------------------------------
    def run_checks(self, stories: list[Story]) -> list[Any] | None:
        """The checker's results for ``stories`` (None when there is no checker)."""
        if self.checker is None or not stories:
            return None
        with self._check_lock:
            return self.checker.check_many(stories)

    def ensure_checked(self, rows: Iterable[StoryVersion]) -> None:
        """Fact-check (and record) every standing version in ``rows`` not yet checked."""
        if self.checker is None:
            return
        rows = [r for r in rows if r.status != "retracted"]
        if not rows:
            return
        with self._check_lock:
            done = self._checked({(r.story_id, r.version) for r in rows})
            todo = [r for r in rows if (r.story_id, r.version) not in done]
            if not todo:
                return
            try:
                results = self.checker.check_many([r.story() for r in todo])
            except Exception:  # noqa: BLE001 - an unreadable story stays unchecked, and says so
                log.exception("fact-check failed to run")
                return
            with self.store.transaction():
                for r, res in zip(todo, results):
                    self.store.record_check(r.story_id, r.version, res.ok, failures_of(res))

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
        paragraphs = [" ".join(p.split()) for p in _PARAGRAPHS.split(body.strip())]
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


def _neg_time(iso: str) -> float:
    try:
        return -datetime.fromisoformat(iso).timestamp()
    except (TypeError, ValueError):
        return 0.0


def _ordered(*tables: Mapping[str, Any]) -> list[str]:
    """Parties in any of the tables, the biggest in the first table first."""
    seen: list[str] = []
    first = tables[0] if tables else {}
    for t in tables:
        for p in sorted(t, key=lambda p: -(first.get(p) or 0) if isinstance(first.get(p), (int, float)) else 0):
            if p not in seen:
                seen.append(p)
    return sorted(seen, key=lambda p: (-(first.get(p) or 0) if isinstance(first.get(p), (int, float)) else 0))


def _title(f: Mapping[str, Any]) -> str:
    return str(f.get("group_name") or f.get("name") or f.get("subject") or "")


def _show(v: Any) -> str:
    if isinstance(v, str):
        return v
    try:
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(v)
