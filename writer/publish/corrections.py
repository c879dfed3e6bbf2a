"""What a correction changed, said in the correction line readers see (pure).

When a declared result is corrected, every story citing it is drafted again and waits for an
editor (``writer.publish.release``). The version that goes out carries a line saying what
changed since the version readers saw, read from the two versions' evidence, the facts each
was drafted from: "Correction, 4.02am Friday 8 May: an earlier version of this story gave
Labour 42 seats; it won 41." Where no figure the story states has changed, the line says
only that a declared result was corrected. The story of the night is redrafted as results come
in rather than corrected: a new version of it carries "Updated" with the time instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from writer.draft.style import PartyNames, count, number

LONDON = ZoneInfo("Europe/London")
MAX_CHANGES = 3  # a line names at most this many changed figures; more are "and other figures"
GENERIC = "this story has been updated because a declared result was corrected"


def clock(at: datetime) -> str:
    """"4.02am Friday 8 May" (house style), in UK time."""
    t = at.astimezone(LONDON)
    hour = t.hour % 12 or 12
    half = "am" if t.hour < 12 else "pm"
    time = f"{hour}{half}" if t.minute == 0 else f"{hour}.{t.minute:02d}{half}"
    return f"{time} {t:%A} {t.day} {t:%B}"


def correction_line(at: datetime, changes: list[str]) -> str:
    """The visible line: what changed, or that a declared result was corrected."""
    if not changes:
        return f"Correction, {clock(at)}: {GENERIC}."
    shown = changes[:MAX_CHANGES]
    sentences = [f"an earlier version of this story {shown[0]}."] + [f"It {c}." for c in shown[1:]]
    if len(changes) > MAX_CHANGES:
        sentences.append("Other figures have been corrected too.")
    return f"Correction, {clock(at)}: " + " ".join(sentences)


def updated_line(at: datetime) -> str:
    """The line a new version of the story of the night carries."""
    return f"Updated {clock(at)}."


def _lead(evidence: Any) -> Mapping[str, Any]:
    for facts in evidence or ():
        if isinstance(facts, Mapping) and "scope" in facts:
            return facts
    return {}


def _seats_changes(old: Mapping[str, int], new: Mapping[str, int], names: PartyNames, *,
                   where: str = "", after: bool = False) -> list[str]:
    """"gave Labour 42 seats; it won 41" (seats won tonight), or with ``after`` "gave Labour 42
    seats on the council; it has 41" (the council's make-up after the election)."""
    out = []
    for party in sorted(set(old) | set(new), key=lambda p: (-max(old.get(p, 0), new.get(p, 0)), p)):
        before, now = int(old.get(party, 0) or 0), int(new.get(party, 0) or 0)
        if before == now or party == "Vacant":
            continue
        plural = names.is_plural(party)
        verb = ("have" if plural else "has") if after else "won"
        out.append(f"gave {names.party(party)} {count(before, 'seat')}{where}; "
                   f"{'they' if plural else 'it'} {verb} {number(now)}")
    return out


def _council(old: Mapping[str, Any], new: Mapping[str, Any], names: PartyNames) -> list[str]:
    changes = _seats_changes(old.get("seats_won") or {}, new.get("seats_won") or {}, names)
    if not changes:
        changes = _seats_changes(old.get("composition_after") or {}, new.get("composition_after") or {},
                                 names, where=" on the council", after=True)
    if old.get("control_after") != new.get("control_after") and new.get("final"):
        council = new.get("council_name") or "the council"
        was, now = old.get("control_after"), new.get("control_after")
        plural = names.is_plural(now) if now and now != "NOC" else False
        if now == "NOC":
            changes.insert(0, f"said {names.party(was)} controlled {council}; no party has a majority")
        elif was and was != "NOC":
            changes.insert(0, f"said {names.party(was)} controlled {council}; "
                              f"{names.party(now)} {'do' if plural else 'does'}")
        else:
            changes.insert(0, f"said no party had a majority on {council}; "
                              f"{names.party(now)} {'have' if plural else 'has'} one")
    return changes


def _ward(old: Mapping[str, Any], new: Mapping[str, Any], names: PartyNames) -> list[str]:
    before = {(w.get("name"), w.get("party")): w.get("votes") for w in old.get("winners") or ()}
    after = {(w.get("name"), w.get("party")): w.get("votes") for w in new.get("winners") or ()}
    out = []
    gone = [k for k in before if k not in after]
    came = [k for k in after if k not in before]
    if gone or came:
        def who(keys):
            return ", ".join(f"{names.possessive(names.party(p))} {n}" if p else str(n) for n, p in keys)
        if gone and came:
            out.append(f"said {who(gone)} {'was' if len(gone) == 1 else 'were'} elected; "
                       f"{who(came)} {'was' if len(came) == 1 else 'were'}")
        elif gone:
            out.append(f"said {who(gone)} {'was' if len(gone) == 1 else 'were'} elected")
    for key in after:
        if key in before and before[key] is not None and after[key] is not None and before[key] != after[key]:
            out.append(f"gave {key[0]} {count(int(before[key]), 'vote')}; the corrected count is "
                       f"{number(int(after[key]))}")
    return out


def _group(old: Mapping[str, Any], new: Mapping[str, Any], names: PartyNames) -> list[str]:
    party = new.get("party")
    if not party or old.get("party") != party:
        return []
    name = names.party(party)
    pronoun = "they" if names.is_plural(party) else "it"
    where = f" in {new.get('group_name')}" if new.get("group_name") else ""
    out = []
    for key in ("seats_won_compared", "seats_won"):
        if old.get(key) is not None and new.get(key) is not None and old[key] != new[key]:
            out.append(f"gave {name} {count(int(old[key]), 'seat')}{where}; {pronoun} won {number(int(new[key]))}")
            break
    was, now = old.get("councils_controlled"), new.get("councils_controlled")
    if was is not None and now is not None and was != now:
        runs = "run" if pronoun == "they" else "runs"
        out.append(f"said {name} {runs} {count(int(was), 'council')}{where}; {pronoun} {runs} {number(int(now))}")
    return out


def what_changed(old: Any, new: Any, names: PartyNames) -> list[str]:
    """The figures the story states that differ between two versions of it (each a
    :class:`writer.draft.story.Story`), as clauses of "an earlier version of this story ..."."""
    before, after = _lead(old.evidence), _lead(new.evidence)
    if not before or not after or before.get("scope") != after.get("scope"):
        return []
    by_kind = {"council": _council, "ward": _ward, "group": _group}
    work = by_kind.get(new.kind)
    return work(before, after, names) if work else []
