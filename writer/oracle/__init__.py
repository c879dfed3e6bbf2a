"""An independent oracle for the writer's copy.

The writer's fact-check gate compares a draft with the engine's own facts, so a fault in
the engine's reasoning passes the gate. The oracle instead recomputes the night from the
election directory's CSVs (:mod:`writer.oracle.truth`, pandas and PyYAML only, no writer
stage) and reads every claim out of a story's text (:mod:`writer.oracle.reader`), then says
where the two disagree.

    from writer.oracle import NightTruth, audit_night, audit_story, format_disagreements
    truth = NightTruth("../shared/data/le2022")
    found = audit_story(truth, story.text(), meta_of(story))

``audit_night(directory, stories)`` audits many story versions (and adds the checks that
span stories: an ordinal claimed for two councils, more than one "first seats" story for one
new council).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from writer.oracle.lexicon import Lexicon
from writer.oracle.reader import audit_text
from writer.oracle.reading import StoryMeta
from writer.oracle.report import CLASSES, Disagreement, counts, format_disagreements
from writer.oracle.text import clock
from writer.oracle.truth import NightTruth, when

__all__ = ["CLASSES", "Disagreement", "NightTruth", "StoryMeta", "audit_night", "audit_story", "counts",
           "format_disagreements", "load_truth", "meta_of"]

_LEXICONS: dict[int, Lexicon] = {}


def load_truth(directory: str | Path, **options: Any) -> NightTruth:
    return NightTruth(directory, **options)


def _lexicon(truth: NightTruth) -> Lexicon:
    lex = _LEXICONS.get(id(truth))
    if lex is None or lex.truth is not truth:
        lex = _LEXICONS[id(truth)] = Lexicon(truth)
    return lex


def meta_of(story: Any, *, reviewed: bool | None = None) -> StoryMeta:
    """Plain metadata of a story object or dict (id, version, at, kind, status; review
    state from ``reviewed``/``approved`` where it has one). Never its evidence."""
    get = story.get if isinstance(story, dict) else (lambda k, d=None: getattr(story, k, d))
    if reviewed is None:
        reviewed = bool(get("reviewed", False) or get("approved", False))
    return StoryMeta(str(get("id")), int(get("version", 1) or 1), str(get("at")), str(get("kind", "") or ""),
                     str(get("status", "draft") or "draft"), reviewed)


#: Classes that do not depend on the moment a story is read at.
_TIMELESS = {"hygiene", "disclosure", "unread"}


def audit_story(truth: NightTruth, story_text: str, meta: StoryMeta | dict) -> list[Disagreement]:
    """Every claim in one story version that the CSVs do not support."""
    if isinstance(meta, dict):
        meta = StoryMeta(**meta)
    found, _ = _best_reading(truth, _lexicon(truth), story_text, meta)
    return found


def _best_reading(truth: NightTruth, lex: Lexicon, text: str, meta: StoryMeta,
                  earlier: list[str] | None = None) -> tuple[list[Disagreement], list[dict]]:
    """Read a story at the point of the night it reflects. Several results can share a
    minute and a story drafted at that minute may have been drafted after only some of them:
    it is read at each point of its minute from its own subject's event on, and judged at
    the one it agrees with best (all its claims at one and the same point). Claims that fail
    there but held at an earlier point (earlier that minute, or when an earlier version was
    drafted) are stale."""
    points = candidate_points(truth, meta)
    best: tuple[list[Disagreement], list[dict]] | None = None
    best_point = points[-1]
    for p in reversed(points):
        got = audit_text(truth, lex, text, meta, p)
        if best is None or len(got[0]) < len(best[0]):
            best, best_point = got, p
        if all(d.kind in _TIMELESS for d in best[0]):
            break
    if meta.scope[0] != "roundup" and any(d.kind not in _TIMELESS for d in best[0]):
        before = [p for p in truth.points_at(meta.at) if p < best_point][::-1]
        for at in sorted({t for t in earlier or () if when(t) < when(meta.at)}, key=when, reverse=True):
            before += candidate_points(truth, StoryMeta(meta.id, meta.version, at, meta.kind, meta.status))[::-1]
        mine = _subjects(truth, meta)
        if mine is not None:  # other councils' results do not change what the story reads
            before = [p for p in before if truth.event_slug(p - 1) in mine]
        if before:
            best = (_mark_stale(truth, lex, text, meta, best[0], before), best[1])
    return best


def _mark_stale(truth: NightTruth, lex: Lexicon, text: str, meta: StoryMeta, found: list[Disagreement],
                points: list[int]) -> list[Disagreement]:
    """A claim that fails now but held at an earlier point (with nothing else in its sentence
    failing then that does not fail now) is a stale figure: the story was redrafted without
    it being brought up to date."""
    def failing(ds: list[Disagreement]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for d in ds:
            if d.kind not in _TIMELESS:
                out.setdefault(d.sentence, set()).add(d.claim)
        return out

    now = failing(found)
    open_ = {(d.sentence, d.claim) for d in found if d.kind not in _TIMELESS}
    stale: dict[tuple[str, str], int] = {}
    for p in points:
        if not open_:
            break
        if not _present(truth, meta, p):
            continue
        then = failing(audit_text(truth, lex, text, meta, p)[0])
        for sentence, claim in list(open_):
            was = then.get(sentence, set())
            if claim not in was and was <= now.get(sentence, set()):
                stale[(sentence, claim)] = p
                open_.discard((sentence, claim))
    out = []
    for d in found:
        p = stale.get((d.sentence, d.claim))
        if p is not None:
            d = replace(d, kind="stale", truth=f"{d.truth} (it was right at {clock(truth.time_of(p))}, after "
                        f"{truth.event_slug(p - 1)}'s result: not brought up to date)")
        out.append(d)
    return out


def _subjects(truth: NightTruth, meta: StoryMeta) -> set[str] | None:
    """The councils whose results a story depends on (None: every council)."""
    kind, slug, sub = meta.scope
    if kind in ("ward", "council") and slug:
        return {slug}
    if kind == "group" and sub in truth.groups:
        return set(truth.groups[sub].members)
    return None


def _present(truth: NightTruth, meta: StoryMeta, point: int) -> bool:
    """Whether a story's subject (its ward, its council) had any result at ``point``."""
    kind, slug, sub = meta.scope
    if kind == "ward" and slug and sub:
        return truth.ward(slug, sub, point) is not None
    if kind == "council" and slug in truth.councils:
        wards, total = truth.standing(slug, point)
        return bool(wards) or total is not None
    return True


def candidate_points(truth: NightTruth, meta: StoryMeta) -> list[int]:
    kind, slug, sub = meta.scope
    points = truth.points_at(meta.at)
    if kind == "roundup" or len(points) == 1:
        return [points[-1]]
    mine: set[str] = set()
    if slug:
        mine = {slug}
    elif kind == "group" and sub in truth.groups:
        mine = set(truth.groups[sub].members)
    own = [p for p in points if truth.event_slug(p - 1) in mine]
    if kind == "ward" and slug and sub:
        own = [p for p in points if truth.event_slug(p - 1) == slug
               and getattr(truth.events[p - 1], "key", None) == sub] or own
    if own:
        points = [p for p in points if p >= own[0]]
    return points


def _text_of(story: Any) -> str:
    if isinstance(story, dict):
        return story["text"]
    return story.text() if callable(getattr(story, "text", None)) else str(story.text)


def audit_night(directory: str | Path | NightTruth, stories: Iterable[Any]) -> list[Disagreement]:
    """Audit story versions (Story objects, or dicts with ``text`` and the metadata) of one
    night, in the order given, and check what spans stories."""
    truth = directory if isinstance(directory, NightTruth) else NightTruth(directory)
    lex = _lexicon(truth)
    out: list[Disagreement] = []
    claims: list[tuple[StoryMeta, str, dict]] = []
    times: dict[str, list[str]] = {}
    for story in stories:
        meta = meta_of(story)
        earlier = times.get(meta.id, [])
        found, kept = _best_reading(truth, lex, _text_of(story), meta, earlier)
        times.setdefault(meta.id, []).append(meta.at)
        out += found
        claims += [(meta, c.get("sentence", ""), c) for c in kept]
    out += across_stories(claims)
    return out


def across_stories(claims: list[tuple[StoryMeta, str, dict]]) -> list[Disagreement]:
    """Ordinals must be unique per party and verb and agree between stories; a new council
    gets one "first seats" story."""
    out: list[Disagreement] = []
    latest: dict[str, tuple[StoryMeta, str, dict]] = {}
    for meta, sentence, c in claims:  # the latest version of each story states its current view
        key = f"{meta.id}|{c['type']}|{c.get('party')}|{c.get('verb')}|{c.get('council')}"
        prev = latest.get(key)
        if prev is None or (prev[0].version, when(prev[0].at)) <= (meta.version, when(meta.at)):
            latest[key] = (meta, sentence, c)
    holders: dict[tuple, tuple[StoryMeta, str, dict]] = {}
    for meta, sentence, c in sorted(latest.values(), key=lambda x: when(x[0].at)):
        if c["type"] == "ordinal":
            key = (c["party"], c["verb"], c["n"])
            prev = holders.get(key)
            if prev and prev[2]["council"] != c["council"]:
                out.append(Disagreement(meta.id, meta.version, meta.at, sentence, "ordinal claimed twice",
                                        f"{c['council']}: {c['n']}", f"{prev[2]['council']} already claims it "
                                        f"({prev[0].id} v{prev[0].version})", "ordinal"))
            holders.setdefault(key, (meta, sentence, c))
    firsts: dict[str, list[tuple[StoryMeta, str, dict]]] = {}
    for meta, sentence, c in sorted(latest.values(), key=lambda x: when(x[0].at)):
        if c["type"] == "first-seat" and c.get("new"):
            stories = firsts.setdefault(c["council"], [])
            if any(m.id == meta.id for m, _, _ in stories):
                continue
            if stories:
                first = stories[0][0]
                out.append(Disagreement(meta.id, meta.version, meta.at, sentence, "first-seats story for a new council",
                                        "another first-seats story", f"{c['council']} already has one ({first.id})",
                                        "first-seat"))
            stories.append((meta, sentence, c))
    return out
