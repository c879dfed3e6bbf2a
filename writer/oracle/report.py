"""Disagreements between copy and the CSVs, their classes, and how they are printed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

#: Defect classes, in the order a report lists them, with what each means.
CLASSES = {
    "so-far": "'so far' counts (councillors not up plus seats declared)",
    "ordinal": "running counts and time words ('the sixth council ... so far tonight')",
    "basis": "a total and its change on different bases, or seats won called councillors",
    "won": "'won' used for seats held rather than seats won tonight",
    "share": "vote shares and share changes (like for like only)",
    "rivals": "margins between candidates of one party",
    "first-seat": "first-seat claims",
    "party-identity": "raw party codes, one party under two names, false gains from them",
    "lump": "claims that lumped 'Other' seats could contradict",
    "control": "control words (take, hold, lose, on course to) and certainty",
    "history": "control history ('first time since ...')",
    "verdict": "a verdict on a party's night that rules/judgement.yaml does not give",
    "headline": "a headline naming one subject, or using one verb, twice",
    "stale": "figures true when an earlier version was drafted but no longer at this version's time",
    "figure": "other figures (compositions, seat changes, majorities, counts, votes)",
    "hygiene": "capitals, surname-first names, separators, source strings printed",
    "disclosure": "the disclosure line",
    "unread": "a figure no reader rule accounts for",
}
# hygiene and the disclosure line come last in listings: they are the least urgent
CLASSES = {k: CLASSES[k] for k in [*[c for c in CLASSES if c not in ("hygiene", "disclosure")], "hygiene", "disclosure"]}


@dataclass(frozen=True)
class Disagreement:
    """One claim in one story version that the CSVs do not support."""

    story: str  # story id
    version: int
    at: str  # the story's night time
    sentence: str
    claim: str  # what kind of claim ("so-far count", "ordinal", ...)
    copy: str  # what the copy says
    truth: str  # what the CSVs say
    kind: str  # defect class (a key of CLASSES)

    def to_dict(self) -> dict:
        return asdict(self)


def counts(found: Iterable[Disagreement]) -> Counter:
    return Counter(d.kind for d in found)


def format_disagreements(found: list[Disagreement], *, limit: int | None = None) -> str:
    """Plain text for editors: a count by class, then each disagreement."""
    found = list(found)
    lines = [f"Oracle: {len(found)} disagreements"]
    by = counts(found)
    for kind in CLASSES:
        if by.get(kind):
            lines.append(f"  {kind:15} {by[kind]:5}  {CLASSES[kind]}")
    order = {k: i for i, k in enumerate(CLASSES)}
    found.sort(key=lambda d: order.get(d.kind, len(order)))  # the substantive classes first
    shown = found if limit is None else found[:limit]
    for d in shown:
        lines.append("")
        lines.append(f"- {d.story} v{d.version} ({d.at}) [{d.kind}] {d.claim}")
        lines.append(f"  sentence: {d.sentence}")
        lines.append(f"  copy says: {d.copy}")
        lines.append(f"  CSVs say:  {d.truth}")
    if limit is not None and len(found) > limit:
        lines.append("")
        lines.append(f"... and {len(found) - limit} more")
    return "\n".join(lines)
