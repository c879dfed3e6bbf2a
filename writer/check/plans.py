"""What to check in a sentence, read from its skeleton alone: the claim frames that match
(:mod:`writer.check.claims`), each number's role (:mod:`writer.check.numbers`), and the claim
verbs no frame or figure explains, with the party each is said of. A night's templates give
a few dozen skeletons, so each is read once (the checker keeps the plans by skeleton).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from writer.check.claims import FRAMES
from writer.check.numbers import Role, clause_start, follows_from, read_role
from writer.check.types import Item, Skeleton


def _frame_index():
    """Which frames a sentence may hold: by the trigger words it contains and the kinds of
    item (party, council, ward, ordinal) the frame needs."""
    triggers: dict[str, list[int]] = {}
    for i, frame in enumerate(FRAMES):
        for trigger in frame.triggers:
            triggers.setdefault(trigger, []).append(i)
    return list(triggers.items()), [frame.needs for frame in FRAMES]


_TRIGGERS, _NEEDS = _frame_index()


def unit_key(item: Item) -> str | None:
    """A number's unit as the matcher read it, for its skeleton: "%", "points" or "time",
    "signed" for a figure with a sign, "year" for one that could be a year."""
    if item.kind != "N":
        return None
    if item.unit:
        return item.unit
    value = item.value
    if item.signed:
        return "signed"
    if isinstance(value, int) and 1800 <= value <= 2100 and item.decimals == 0 and "," not in item.text:
        return "year"  # (a figure written with a thousands separator, "2,031", is never a year)
    return None


class FrozenMatch:
    """A regex match's groups and spans, kept after the match (plans outlive sentences)."""

    __slots__ = ("_groups", "_spans", "_span")

    def __init__(self, match: re.Match) -> None:
        self._groups = match.groupdict()
        self._spans = {name: match.span(name) for name in self._groups}
        self._span = match.span()

    def groupdict(self) -> dict:
        return self._groups

    def group(self, name: str | int = 0):
        return self._groups.get(name) if name else None

    def start(self, name: str | None = None) -> int:
        return self._span[0] if name is None else self._spans[name][0]

    def end(self, name: str | None = None) -> int:
        return self._span[1] if name is None else self._spans[name][1]


class Plan:
    """The checks a skeleton calls for: frames (frame index, match, first and last item it
    covers), numbers (item index, role) and verbs (verb index, index of the party item it is
    said of)."""

    __slots__ = ("frames", "numbers", "verbs")

    def __init__(self) -> None:
        self.frames: list[tuple[int, FrozenMatch, int, int]] = []
        self.numbers: list[tuple[int, Role]] = []
        self.verbs: list[tuple[int, int]] = []

    @classmethod
    def read(cls, skeleton: Skeleton, verbs: tuple) -> Plan:
        """The plan for a skeleton; ``verbs``: (index of the item after the verb, the verb)
        for each claim verb in the sentence."""
        plan = cls()
        covered = plan._read_frames(skeleton)
        roles: list[Role | None] = [None] * len(skeleton.kinds)
        for index, kind in enumerate(skeleton.kinds):
            if kind == "N":
                roles[index] = read_role(skeleton, index, roles)
                plan.numbers.append((index, roles[index]))
        plan._read_verbs(skeleton, verbs, covered)
        return plan

    def _read_frames(self, skeleton: Skeleton) -> list[tuple[int, int]]:
        text = skeleton.text
        starts = [start for start, _ in skeleton.spans]
        present = set(skeleton.kinds)
        candidates = sorted({i for trigger, frames in _TRIGGERS if trigger in text
                             for i in frames if _NEEDS[i] <= present})
        covered = []
        for i in candidates:
            for match in FRAMES[i].regex.finditer(text):
                first, last = bisect_left(starts, match.start()), bisect_left(starts, match.end())
                self.frames.append((i, FrozenMatch(match), first, last))
                covered.append((first, last))
        return covered

    def _read_verbs(self, skeleton: Skeleton, verbs: tuple, covered: list[tuple[int, int]]) -> None:
        """A claim verb no frame covers and no figure after it explains ("gained eight
        seats": the figure's role checks it) is said of the nearest party before it in its
        clause (not one after "from")."""
        kinds, spans = skeleton.kinds, skeleton.spans
        gaps = [gap for gap, _ in verbs]
        for verb_index, (gap, _) in enumerate(verbs):
            if any(first <= gap <= last for first, last in covered):
                continue
            if gap < len(kinds) and kinds[gap] in "NO" and gaps.count(gap) == 1:
                continue
            if not gap:
                continue
            clause = clause_start(skeleton.text, spans[gap - 1][1] + 1)
            for index in range(gap - 1, -1, -1):
                if spans[index][0] < clause:
                    break
                if kinds[index] == "P" and not follows_from(skeleton, index):
                    self.verbs.append((verb_index, index))
                    break
