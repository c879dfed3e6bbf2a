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
from sqlalchemy.orm import Session

from writer.draft.story import Story
from writer.store.models import WRITER, CheckResult, ReviewDecision, StoryVersion
from writer.store.users import ReviewRecords

log = logging.getLogger(__name__)

STATUSES = ("new", "edited", "held", "approved", "rejected", "published", "retracted")
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

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "Filters":
        def one(name: str, limit: int = 200) -> str:
            value = params.get(name) or ""
            return str(value).strip()[:limit]
        return cls(one("status"), one("region"), one("type"), one("kind"), one("q"))

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
        return any(asdict(self).values())


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

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["types"] = list(self.types)
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


def parse_publish_at(value: str | None) -> datetime | None:
    """A time to publish at: ``YYYY-MM-DDTHH:MM`` (UK time, as a datetime-local input sends
    it) or ISO 8601 with an offset. Empty: None (publish once approved)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"publish time {value!r}: expected a date and time such as 2026-05-08T03:15")
    if t.tzinfo is None:
        t = t.replace(tzinfo=LONDON)
    return t.astimezone(timezone.utc)


def uk_time(t: datetime | None) -> str:
    return t.astimezone(LONDON).strftime("%a %d %b %H:%M") if t else ""


def uk_input(t: datetime | None) -> str:
    """The value for a datetime-local input."""
    return t.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M") if t else ""


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
        self._cache: tuple[Any, list[QueueRow]] | None = None  # (stamp, rows)

    # -- reading ------------------------------------------------------------------------------
    def _session(self) -> Session:
        return Session(self.store.engine, expire_on_commit=False)

    def _decisions(self) -> dict[tuple[str, int], ReviewDecision]:
        """The latest decision (not counting overrides) on every decided version."""
        with self._session() as s:
            rows = s.scalars(select(ReviewDecision).where(ReviewDecision.decision != "override")
                             .order_by(ReviewDecision.seq))
            return {(r.story_id, r.story_version): r for r in rows}

    def _checks(self) -> dict[tuple[str, int], CheckResult]:
        with self._session() as s:
            rows = s.scalars(select(CheckResult).order_by(CheckResult.seq))
            return {(r.story_id, r.story_version): r for r in rows}

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

    def _stamp(self) -> tuple:
        """What the queue depends on: the last row of each table it reads (rows are only ever
        added, so an unchanged stamp means an unchanged queue)."""
        from writer.store.users import PublishTime
        with self._session() as s:
            stamp = tuple(s.scalar(select(func.max(m.seq))) for m in
                          (StoryVersion, ReviewDecision, CheckResult, PublishTime))
        return stamp + (tuple(sorted(self._published().items())) if self.published else (),)

    def queue(self, filters: Filters = Filters()) -> list[QueueRow]:
        """Every story's latest version with its status, highest score first, then the most
        recent; only those matching ``filters``. Versions not yet fact-checked are checked
        (and the results recorded) first."""
        stamp = self._stamp()
        cached = self._cache
        if cached is None or cached[0] != stamp:
            rows = self._rows()
            stamp = self._stamp()  # checks may have been recorded
            self._cache = cached = (stamp, rows)
        return [q for q in cached[1] if filters.matches(q)]

    def _rows(self) -> list[QueueRow]:
        rows = self.store.latest_stories(include_retracted=True)
        self.ensure_checked(rows)
        decisions, checks, published = self._decisions(), self._checks(), self._published()
        times = self.records.publish_times()
        out = []
        for r in rows:
            p = r.payload or {}
            decision = decisions.get((r.story_id, r.version))
            pt = times.get(r.story_id)
            out.append(QueueRow(
                story_id=r.story_id, version=r.version, kind=r.kind,
                status=self.status_of(r, decision, published), score=float(r.score),
                council=r.council, council_name=council_name_of(p), region=p.get("region"),
                at=r.at, headline=r.headline, snippet=str(p.get("lede") or ""),
                types=event_types(p), check=check_state(checks.get((r.story_id, r.version))),
                author=r.author, note=decision.note if decision else None,
                publish_at=pt.publish_at if pt and pt.story_version == r.version else None,
            ))
        out.sort(key=lambda q: (-q.score, _neg_time(q.at), q.story_id))
        return out

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
                "row": h, "text": t, "diff": word_diff(previous, t) if previous else [("eq", t)],
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
                context = [c for c in f["context"] if isinstance(c, Mapping)]
        wards, councils, others = [], [], []
        for (scope, _subject), f in facts.items():
            if scope == "ward":
                wards.append(self._ward_evidence(f))
            elif scope == "council":
                councils.append(self._council_evidence(f))
            else:
                others.append({"scope": scope, "subject": f.get("subject"), "title": _title(f)})
        raw = [{"scope": scope, "subject": subject,
                "facts": [(k, _show(v)) for k, v in f.items() if k != "context"]}
               for (scope, subject), f in facts.items()]
        return {"wards": wards, "councils": councils, "others": others, "raw": raw,
                "context": [{"label": c.get("label"), "source": c.get("source"),
                             "values": [(self.party(p), v) for p, v in (c.get("values") or {}).items()]}
                            for c in context]}

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
            done = self._checks()
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


def _note(note: str | None) -> str | None:
    note = (note or "").strip()[:MAX_NOTE]
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
