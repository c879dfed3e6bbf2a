"""A story's evidence, indexed for checking: which parties, councils, wards and years it
names, and the figures behind each kind of claim, by party.

Built once per evidence tuple (the checker caches it); every lookup is computed on first
use, so a story that states three numbers costs three lookups.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from writer import parties as party_codes
from writer.check.lexicon import Lexicon, norm, party_codes_in, ward_key

NOC = party_codes.NOC
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


_MISSING = object()


def _memo(method):
    """A lookup (per party, mostly), computed once per evidence (the table and the prose ask
    again)."""
    name = method.__name__

    def wrapper(self, *args):
        key = (name, *args)
        try:
            value = self._memo.get(key, _MISSING)
        except TypeError:  # an unhashable argument: compute
            return method(self, *args)
        if value is _MISSING:  # (most lookups are a story's first: no KeyError to raise)
            value = self._memo[key] = method(self, *args)
        return value
    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def _year_of(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int) and 1800 <= v <= 2100:
        return v
    if isinstance(v, str):
        m = _YEAR.search(v)
        return int(m.group(1)) if m else None
    return None


def _roundup_tallies(summary: Mapping) -> list[dict]:
    """The round-up's summary (national and group tallies, party by party inside) as one
    tally fact per group and party, in the shape of a group event's facts."""
    out = []
    tallies = [("national", summary.get("national"))]
    groups = summary.get("groups")
    if isinstance(groups, Mapping):
        tallies += list(groups.items())
    for gid, t in tallies:
        if not isinstance(t, Mapping):
            continue
        by_party = [t.get(k) if isinstance(t.get(k), Mapping) else {} for k in
                    ("control", "control_before", "control_change", "gained", "lost", "seats_won", "seat_change")]
        control, before, change, gained, lost, won, seat_change = by_party
        parties = set().union(*by_party)
        for p in parties:
            out.append({
                "scope": "national" if gid == "national" else "group", "subject": f"{gid}:{p}",
                "group": t.get("group", gid), "group_name": t.get("group_name"), "party": p,
                "councils_total": t.get("councils_total"), "councils_final": t.get("councils_final"),
                "councils_controlled": control.get(p, 0), "councils_controlled_before": before.get(p, 0),
                "councils_change": change.get(p, 0), "councils_gained": len(gained.get(p) or ()),
                "councils_lost": len(lost.get(p) or ()), "gained": list(gained.get(p) or ()),
                "lost": list(lost.get(p) or ()), "seats_won": won.get(p, 0), "seat_change": seat_change.get(p, 0),
                "councils_compared": t.get("councils_compared"), "baseline_label": summary.get("baseline_label"),
            })
    # the councils outside every group ("Elsewhere, in the 43 declared councils outside these
    # groups"): counts only, no party
    rest = summary.get("elsewhere")
    if isinstance(rest, Mapping):
        out.append({"scope": "group", "subject": "elsewhere", "group": "elsewhere",
                    "councils_total": rest.get("councils_total"), "councils_final": rest.get("councils_final")})
    return out


class Evidence:
    """The facts a story may state."""

    def __init__(self, evidence: Sequence[Mapping[str, Any]], lex: Lexicon) -> None:
        self.lex = lex
        facts, context = [], []
        seen = set()
        for f in evidence:
            if not isinstance(f, Mapping):
                continue
            if len(f) == 1 and "context" in f:  # the drafter's context figures
                context.extend(c for c in f.get("context") or () if isinstance(c, Mapping))
                continue
            if f.get("scope") == "roundup":  # the round-up's tallies, read as group facts
                facts.extend(_roundup_tallies(f))
                if isinstance(f.get("watch"), Mapping):
                    facts.append({"scope": "watch", **{k: v for k, v in f["watch"].items() if _num(v) is not None}})
            key = (f.get("scope"), f.get("subject"), f.get("party"), f.get("at"))
            if key in seen and f.get("scope") in ("ward", "council"):
                continue  # one story's events share their subject's facts
            seen.add(key)
            facts.append(f)
            context.extend(c for c in f.get("context") or () if isinstance(c, Mapping))
        self.facts = facts
        self.context = context
        self._memo: dict[tuple, Any] = {}
        self._codes: dict[int, tuple[Any, set[str]]] = {}  # id(fact) -> (fact, its party codes)
        self.councils_f = [f for f in facts if f.get("scope") == "council"]
        self.wards_f = [f for f in facts if f.get("scope") == "ward"]
        self.tallies_f = [f for f in facts if f.get("scope") in ("group", "national")]

    # -- names ------------------------------------------------------------------------------
    def party_codes(self, f) -> set[str]:
        """``party_codes_in(f)``, computed once per fact: the lexicon learns the story's
        parties from the same facts (:meth:`Lexicon.learn`) before :attr:`parties` asks.
        The set is shared: callers must not change it."""
        hit = self._codes.get(id(f))
        if hit is not None and hit[0] is f:
            return hit[1]
        codes = party_codes_in(f)
        self._codes[id(f)] = (f, codes)  # the fact is kept, so its id is not reused
        return codes

    @cached_property
    def parties(self) -> set[str]:
        out: set[str] = set()
        for f in self.facts:
            out |= self.party_codes(f)
        for c in self.context:
            if isinstance(c.get("values"), Mapping):
                out.update(c["values"])
        return out

    @cached_property
    def council_slugs(self) -> set[str]:
        """The story's own councils."""
        return {f["council"] for f in self.facts if isinstance(f.get("council"), str)}

    @cached_property
    def listed_councils(self) -> dict[str, set[tuple[str, str]]]:
        """Councils named in group facts: slug -> {(party, "gained"|"lost")}."""
        out: dict[str, set[tuple[str, str]]] = {}
        for f in self.tallies_f:
            for how in ("gained", "lost"):
                for name in f.get(how) or ():
                    name = str(name)
                    slug = name if name in self.lex.council_names else \
                        self.lex.council_by_name.get(norm(name), "name:" + norm(name))
                    out.setdefault(slug, set()).add((f.get("party"), how))
        return out

    @cached_property
    def council_ids(self) -> set[str]:
        """The councils the story may name: its own and those its group facts list."""
        return self.council_slugs | set(self.listed_councils)

    @cached_property
    def ward_keys(self) -> set[str]:
        out = set()
        for f in self.wards_f:
            for key in ("ward", "baseline_ward"):
                if isinstance(f.get(key), str):
                    out.add(ward_key(f[key]))
        return out

    def council_fact(self, slug: str | None) -> Mapping | None:
        for f in self.councils_f:
            if slug is None or f.get("council") == slug:
                return f
        return None

    @cached_property
    def main_council(self) -> Mapping | None:
        return self.councils_f[0] if self.councils_f else None

    # -- numbers ----------------------------------------------------------------------------
    @cached_property
    def years(self) -> set[int]:
        out: set[int] = set()
        for f in self.facts:
            for key in ("baseline_label", "poll_year", "history_from", "last_controlled_to",
                        "before_since", "at"):
                y = _year_of(f.get(key))
                if y:
                    out.add(y)
        for c in self.context:
            for key in ("label", "source", "key"):
                y = _year_of(c.get(key))
                if y:
                    out.add(y)
        return out

    @cached_property
    def baseline_years(self) -> set[int]:
        out = {y for f in self.facts for y in (_year_of(f.get("baseline_label")),) if y}
        out |= {f["poll_year"] for f in self.facts if isinstance(f.get("poll_year"), int)}
        return out

    @cached_property
    def comparison_years(self) -> set[int]:
        """The years the story compares with (its facts' baseline labels)."""
        out: set[int] = set()
        for f in self.facts:
            label = f.get("baseline_label")
            if isinstance(label, str):
                out.update(int(y) for y in _YEAR.findall(label))
            elif _year_of(label):
                out.add(label)
        return out

    def year_fact(self, key: str) -> set[int]:
        return {y for f in self.councils_f for y in (_year_of(f.get(key)),) if y}

    @cached_property
    def all_numbers(self) -> set[float]:
        """Every figure in the evidence (and its size, for changes): the last resort for a
        number no contextual rule explains."""
        out: set[float] = set()

        def walk(v: Any, depth: int = 0) -> None:
            if depth > 4:
                return
            if isinstance(v, bool):
                return
            if isinstance(v, (int, float)):
                out.add(round(float(v), 1))
                out.add(round(abs(float(v)), 1))
            elif isinstance(v, Mapping):
                for x in v.values():
                    walk(x, depth + 1)
            elif isinstance(v, (list, tuple)):
                out.add(float(len(v)))
                for x in v:
                    walk(x, depth + 1)
        for f in self.facts:
            for k, v in f.items():
                if k not in ("at", "settled_at", "context"):
                    walk(v)
        for c in self.context:
            walk(c.get("values"))
        return out

    @_memo
    def scalars(self, *keys: str) -> list[tuple[float, str]]:
        out = []
        for f in self.facts:
            for k in keys:
                v = _num(f.get(k))
                if v is not None:
                    out.append((v, k))
        return out

    # -- per-party figures ------------------------------------------------------------------------
    @_memo
    def seat_change(self, p: str) -> list[int]:
        out = []
        for f in self.councils_f + self.wards_f:
            d = f.get("seat_change")
            if isinstance(d, Mapping):
                out.append(d.get(p, 0))
        for f in self.tallies_f:
            if f.get("party") == p and _num(f.get("seat_change")) is not None:
                out.append(f["seat_change"])
        return out

    @_memo
    def holdings(self, p: str) -> list[tuple[int, str]]:
        """Seats a party has: whole council, won tonight, won in the ward, group total (0
        where the council's figures leave the party out)."""
        out = []
        for f in self.councils_f:
            for key in ("composition_after", "seats_won", "seats_won_compared"):
                d = f.get(key)
                if isinstance(d, Mapping):
                    out.append((d.get(p, 0), key))
        for f in self.wards_f:
            d = f.get("won")
            if isinstance(d, Mapping):
                out.append((d.get(p, 0), "won"))
        for f in self.tallies_f:
            if f.get("party") == p:
                # a group's or the nation's seats: in every council declared, or in the
                # councils that can be compared (the base of its change)
                for key in ("seats_won", "seats_won_compared"):
                    if _num(f.get(key)) is not None:
                        out.append((f[key], "tally_" + key))
        return out

    @_memo
    def composition(self, p: str) -> list[int]:
        """A party's seats on the council after the election (0 where the council's make-up
        leaves the party out)."""
        return [d.get(p, 0) for f in self.councils_f for d in (f.get("composition_after"),)
                if isinstance(d, Mapping)]

    @_memo
    def seat_pairs(self, p: str, then: bool = False) -> list[tuple[int, float, str]]:
        """(seats, out of, what) for a party: its seats on the council of the council's total
        ("council"); won tonight of the seats up ("won"); won in a ward of the ward's seats
        ("ward"); or, where the sentence speaks of last time (``then``), only what it won
        last time of the council's total then, or of the ward's seats ("then")."""
        out = []
        if then:
            kinds = (("baseline_seats_won", "baseline_total_seats", "then"),)
        else:
            kinds = (("composition_after", "total_seats", "council"), ("seats_won", "seats_up", "won"))
        for key, total, what in kinds:
            for f in self.councils_f:
                d, t = f.get(key), _num(f.get(total))
                if isinstance(d, Mapping) and t is not None:
                    out.append((d.get(p, 0), t, what))
        for f in self.wards_f:
            t = _num(f.get("seats"))
            for key, what in (("baseline_holders", "then"),) if then else (("won", "ward"),):
                d = f.get(key)
                if isinstance(d, Mapping) and t is not None:
                    out.append((d.get(p, 0), t, what))
        return out

    @_memo
    def gains_count(self, p: str, frm: str | None = None) -> list[int]:
        """Seats a party took in a ward (from one party, or from any)."""
        if not self.wards_f:
            return []
        return [sum(1 for g, l in self.ward_gains() if g == p and (frm is None or l == frm))]

    @_memo
    def baseline(self, p: str) -> list[int]:
        """Seats a party won last time (0 for a party winning its first seat)."""
        out = []
        if any(p in (f.get("first_seat") or ()) for f in self.wards_f):
            out.append(0)
        for f in self.councils_f:
            d = f.get("baseline_seats_won")
            if isinstance(d, Mapping) and p in d:
                out.append(d[p])
        for f in self.wards_f:
            d = f.get("baseline_holders")
            if isinstance(d, Mapping) and p in d:
                out.append(d[p])
        return out

    @_memo
    def shares(self, p: str) -> list[float]:
        out = []
        for f in self.wards_f:
            d = f.get("shares")
            if isinstance(d, Mapping) and _num(d.get(p)) is not None:
                out.append(d[p])
        return out

    def context_shares(self, p: str, sentence: str = "") -> list[float]:
        """A party's context figures (projected national shares and the like), only where
        the sentence names the figure ("the BBC projected national share put Labour on 35%")."""
        out = []
        for c in self.context:
            label, vals = c.get("label"), c.get("values")
            if not isinstance(label, str) or not isinstance(vals, Mapping):
                continue
            head = label.split(",")[0].lower().strip()
            if head and head in sentence and _num(vals.get(p)) is not None:
                out.append(vals[p])
        return out

    @_memo
    def share_change(self, p: str) -> list[float]:
        out = []
        for f in self.wards_f:
            d = f.get("share_change")
            if isinstance(d, Mapping) and _num(d.get(p)) is not None:
                out.append(d[p])
            for key in ("biggest_rise", "biggest_fall"):
                b = f.get(key)
                if isinstance(b, Mapping) and b.get("party") == p and _num(b.get("points")) is not None:
                    out.append(b["points"])
        return out

    @_memo
    def tally(self, p: str, key: str) -> list[float]:
        return [f[key] for f in self.tallies_f if f.get("party") == p and _num(f.get(key)) is not None]

    @_memo
    def tally_any(self, key: str) -> list[float]:
        return [f[key] for f in self.tallies_f if _num(f.get(key)) is not None]

    # -- control ----------------------------------------------------------------------------
    @_memo
    def gained(self, p: str) -> set[str]:
        return {slug for slug, how in self.listed_councils.items() if (p, "gained") in how}

    @_memo
    def lost(self, p: str) -> set[str]:
        return {slug for slug, how in self.listed_councils.items() if (p, "lost") in how}

    @_memo
    def ward_gains(self) -> list[tuple[str, str]]:
        """(gainer, loser) of each seat that changed hands in the story's wards."""
        return [(g.get("party"), g.get("from")) for f in self.wards_f for g in f.get("gains") or ()
                if isinstance(g, Mapping)]

    def any_gain(self, p: str) -> bool:
        if any(v > 0 for v in self.seat_change(p)):
            return True
        if any(f.get("winner") == p and f.get("result_kind") in ("gain", "new_win") for f in self.councils_f):
            return True
        if any(g == p for g, _ in self.ward_gains()) or self.gained(p):
            return True
        if any(v > 0 for v in self.tally(p, "councils_gained")):
            return True
        return any(p in (f.get("first_seat") or ()) for f in self.wards_f)

    def any_loss(self, p: str) -> bool:
        if any(v < 0 for v in self.seat_change(p)):
            return True
        if any(f.get("control_before") == p and f.get("control_after") != p for f in self.councils_f):
            return True
        if any(l == p for _, l in self.ward_gains()) or self.lost(p):
            return True
        if any(v > 0 for v in self.tally(p, "councils_lost")):
            return True
        return any(v < 0 for v in self.share_change(p))

    def any_hold(self, p: str) -> bool:
        if any(f.get("winner") == p and f.get("result_kind") == "hold" for f in self.councils_f):
            return True
        if any(f.get("settled_control") == p and f.get("control_before") == p for f in self.councils_f):
            return True
        return any(isinstance(f.get("holds"), Mapping) and f["holds"].get(p) for f in self.wards_f)

    def any_win(self, p: str) -> bool:
        if any(v > 0 for v, _ in self.holdings(p)):
            return True
        return any(f.get("winner") == p or f.get("settled_control") == p for f in self.councils_f)

    def any_control(self, p: str) -> bool:
        if any(p in (f.get("control_after"), f.get("settled_control"), f.get("control_before"))
               for f in self.councils_f):
            return True
        return any(v > 0 for v in self.tally(p, "councils_controlled"))
