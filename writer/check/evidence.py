"""A story's evidence, indexed for checking: which parties, councils, wards and years it
names, and the figures behind each kind of claim, by party.

Built once per evidence tuple (the checker caches it); every lookup is computed on first
use, so a story that states three numbers costs three lookups.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from writer import parties as party_codes
from writer.check.lexicon import Lexicon, norm, party_codes_in, ward_key

NOC = party_codes.NOC
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


_MISSING = object()


class cached_property:  # noqa: N801 - named as functools' is
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every first
    read; an Evidence is made and read by one check): computed on first read, then read
    from the instance's ``__dict__`` as a plain attribute."""

    def __init__(self, method) -> None:
        self.method = method
        self.name = method.__name__
        self.__doc__ = method.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.method(instance)
        return value


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


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _year_of(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 1800 <= value <= 2100:
        return value
    if isinstance(value, str):
        found = _YEAR.search(value)
        return int(found.group(1)) if found else None
    return None


def _roundup_tallies(summary: Mapping) -> list[dict]:
    """The round-up's summary (national and group tallies, party by party inside) as one
    tally fact per group and party, in the shape of a group event's facts."""
    out = []
    tallies = [("national", summary.get("national"))]
    groups = summary.get("groups")
    if isinstance(groups, Mapping):
        tallies += list(groups.items())
    for group, tally in tallies:
        if not isinstance(tally, Mapping):
            continue
        by_party = [tally.get(key) if isinstance(tally.get(key), Mapping) else {} for key in
                    ("control", "control_before", "control_change", "gained", "lost", "seats_won", "seat_change")]
        control, before, change, gained, lost, won, seat_change = by_party
        for party in set().union(*by_party):
            out.append({
                "scope": "national" if group == "national" else "group", "subject": f"{group}:{party}",
                "group": tally.get("group", group), "group_name": tally.get("group_name"), "party": party,
                "councils_total": tally.get("councils_total"), "councils_final": tally.get("councils_final"),
                "councils_controlled": control.get(party, 0), "councils_controlled_before": before.get(party, 0),
                "councils_change": change.get(party, 0), "councils_gained": len(gained.get(party) or ()),
                "councils_lost": len(lost.get(party) or ()), "gained": list(gained.get(party) or ()),
                "lost": list(lost.get(party) or ()), "seats_won": won.get(party, 0),
                "seat_change": seat_change.get(party, 0),
                "councils_compared": tally.get("councils_compared"), "baseline_label": summary.get("baseline_label"),
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
        for fact in evidence:
            if not isinstance(fact, Mapping):
                continue
            if len(fact) == 1 and "context" in fact:  # the drafter's context figures
                context.extend(figure for figure in fact.get("context") or () if isinstance(figure, Mapping))
                continue
            if fact.get("scope") == "roundup":  # the round-up's tallies, read as group facts
                facts.extend(_roundup_tallies(fact))
                if isinstance(fact.get("watch"), Mapping):
                    facts.append({"scope": "watch", **{key: value for key, value in fact["watch"].items()
                                                      if _num(value) is not None}})
            key = (fact.get("scope"), fact.get("subject"), fact.get("party"), fact.get("at"))
            if key in seen and fact.get("scope") in ("ward", "council"):
                continue  # one story's events share their subject's facts
            seen.add(key)
            facts.append(fact)
            context.extend(figure for figure in fact.get("context") or () if isinstance(figure, Mapping))
        self.facts = facts
        self.context = context
        self._memo: dict[tuple, Any] = {}
        self._codes: dict[int, tuple[Any, set[str]]] = {}  # id(fact) -> (fact, its party codes)
        self.councils_f = [fact for fact in facts if fact.get("scope") == "council"]
        self.wards_f = [fact for fact in facts if fact.get("scope") == "ward"]
        self.tallies_f = [fact for fact in facts if fact.get("scope") in ("group", "national")]

    # -- names ------------------------------------------------------------------------------
    def party_codes(self, fact) -> set[str]:
        """``party_codes_in(fact)``, computed once per fact: the lexicon learns the story's
        parties from the same facts (:meth:`Lexicon.learn`) before :attr:`parties` asks.
        The set is shared: callers must not change it."""
        hit = self._codes.get(id(fact))
        if hit is not None and hit[0] is fact:
            return hit[1]
        codes = party_codes_in(fact)
        self._codes[id(fact)] = (fact, codes)  # the fact is kept, so its id is not reused
        return codes

    @cached_property
    def parties(self) -> set[str]:
        out: set[str] = set()
        for fact in self.facts:
            out |= self.party_codes(fact)
        for figure in self.context:
            if isinstance(figure.get("values"), Mapping):
                out.update(figure["values"])
        return out

    @cached_property
    def council_slugs(self) -> set[str]:
        """The story's own councils."""
        return {fact["council"] for fact in self.facts if isinstance(fact.get("council"), str)}

    @cached_property
    def listed_councils(self) -> dict[str, set[tuple[str, str]]]:
        """Councils named in group facts: slug -> {(party, "gained"|"lost")}."""
        out: dict[str, set[tuple[str, str]]] = {}
        for fact in self.tallies_f:
            for how in ("gained", "lost"):
                for name in fact.get(how) or ():
                    name = str(name)
                    slug = name if name in self.lex.council_names else \
                        self.lex.council_by_name.get(norm(name), "name:" + norm(name))
                    out.setdefault(slug, set()).add((fact.get("party"), how))
        return out

    @cached_property
    def council_ids(self) -> set[str]:
        """The councils the story may name: its own and those its group facts list."""
        return self.council_slugs | set(self.listed_councils)

    @cached_property
    def ward_keys(self) -> set[str]:
        out = set()
        for fact in self.wards_f:
            for key in ("ward", "baseline_ward"):
                if isinstance(fact.get(key), str):
                    out.add(ward_key(fact[key]))
        return out

    def council_fact(self, slug: str | None) -> Mapping | None:
        for fact in self.councils_f:
            if slug is None or fact.get("council") == slug:
                return fact
        return None

    @cached_property
    def main_council(self) -> Mapping | None:
        return self.councils_f[0] if self.councils_f else None

    # -- numbers ----------------------------------------------------------------------------
    @cached_property
    def years(self) -> set[int]:
        out: set[int] = set()
        for fact in self.facts:
            for key in ("baseline_label", "poll_year", "history_from", "last_controlled_to",
                        "before_since", "at"):
                year = _year_of(fact.get(key))
                if year:
                    out.add(year)
        for figure in self.context:
            for key in ("label", "source", "key"):
                year = _year_of(figure.get(key))
                if year:
                    out.add(year)
        return out

    @cached_property
    def baseline_years(self) -> set[int]:
        out = {year for fact in self.facts for year in (_year_of(fact.get("baseline_label")),) if year}
        out |= {fact["poll_year"] for fact in self.facts if isinstance(fact.get("poll_year"), int)}
        return out

    @cached_property
    def comparison_years(self) -> set[int]:
        """The years the story compares with (its facts' baseline labels)."""
        out: set[int] = set()
        for fact in self.facts:
            label = fact.get("baseline_label")
            if isinstance(label, str):
                out.update(int(year) for year in _YEAR.findall(label))
            elif _year_of(label):
                out.add(label)
        return out

    def year_fact(self, key: str) -> set[int]:
        return {year for fact in self.councils_f for year in (_year_of(fact.get(key)),) if year}

    @cached_property
    def all_numbers(self) -> set[float]:
        """Every figure in the evidence (and its size, for changes): the last resort for a
        number no contextual rule explains."""
        out: set[float] = set()

        def walk(value: Any, depth: int = 0) -> None:
            if depth > 4:
                return
            if isinstance(value, bool):
                return
            if isinstance(value, (int, float)):
                out.add(round(float(value), 1))
                out.add(round(abs(float(value)), 1))
            elif isinstance(value, Mapping):
                for inner in value.values():
                    walk(inner, depth + 1)
            elif isinstance(value, (list, tuple)):
                out.add(float(len(value)))
                for inner in value:
                    walk(inner, depth + 1)
        for fact in self.facts:
            for key, value in fact.items():
                if key not in ("at", "settled_at", "context"):
                    walk(value)
        for figure in self.context:
            walk(figure.get("values"))
        return out

    @_memo
    def scalars(self, *keys: str) -> list[tuple[float, str]]:
        out = []
        for fact in self.facts:
            for key in keys:
                value = _num(fact.get(key))
                if value is not None:
                    out.append((value, key))
        return out

    # -- per-party figures ------------------------------------------------------------------------
    @_memo
    def seat_change(self, party: str) -> list[int]:
        out = []
        for fact in self.councils_f + self.wards_f:
            change = fact.get("seat_change")
            if isinstance(change, Mapping):
                out.append(change.get(party, 0))
        for fact in self.tallies_f:
            if fact.get("party") == party and _num(fact.get("seat_change")) is not None:
                out.append(fact["seat_change"])
        return out

    @_memo
    def holdings(self, party: str) -> list[tuple[int, str]]:
        """Seats a party has: whole council, won tonight, won in the ward, group total (0
        where the council's figures leave the party out)."""
        out = []
        for fact in self.councils_f:
            for key in ("composition_after", "seats_won", "seats_won_compared"):
                seats = fact.get(key)
                if isinstance(seats, Mapping):
                    out.append((seats.get(party, 0), key))
        for fact in self.wards_f:
            seats = fact.get("won")
            if isinstance(seats, Mapping):
                out.append((seats.get(party, 0), "won"))
        for fact in self.tallies_f:
            if fact.get("party") == party:
                # a group's or the nation's seats: in every council declared, or in the
                # councils that can be compared (the base of its change)
                for key in ("seats_won", "seats_won_compared"):
                    if _num(fact.get(key)) is not None:
                        out.append((fact[key], "tally_" + key))
        return out

    @_memo
    def composition(self, party: str) -> list[int]:
        """A party's seats on the council after the election (0 where the council's make-up
        leaves the party out)."""
        return [seats.get(party, 0) for fact in self.councils_f for seats in (fact.get("composition_after"),)
                if isinstance(seats, Mapping)]

    @_memo
    def seat_pairs(self, party: str, then: bool = False) -> list[tuple[int, float, str]]:
        """(seats, out of, what) for a party: its seats on the council of the council's total
        ("council"); won tonight of the seats up ("won"); won in a ward of the ward's seats
        ("ward"); or, where the sentence speaks of last time (``then``), only what it won
        last time of the council's total then, or of the ward's seats ("then")."""
        out = []
        if then:
            kinds = (("baseline_seats_won", "baseline_total_seats", "then"),)
        else:
            kinds = (("composition_after", "total_seats", "council"), ("seats_won", "seats_up", "won"))
        for key, total_key, what in kinds:
            for fact in self.councils_f:
                seats, total = fact.get(key), _num(fact.get(total_key))
                if isinstance(seats, Mapping) and total is not None:
                    out.append((seats.get(party, 0), total, what))
        for fact in self.wards_f:
            total = _num(fact.get("seats"))
            for key, what in (("baseline_holders", "then"),) if then else (("won", "ward"),):
                seats = fact.get(key)
                if isinstance(seats, Mapping) and total is not None:
                    out.append((seats.get(party, 0), total, what))
        return out

    @_memo
    def gains_count(self, party: str, loser: str | None = None) -> list[int]:
        """Seats a party took in a ward (from one party, or from any)."""
        if not self.wards_f:
            return []
        return [sum(1 for gainer, lost in self.ward_gains() if gainer == party and (loser is None or lost == loser))]

    @_memo
    def baseline(self, party: str) -> list[int]:
        """Seats a party won last time (0 for a party winning its first seat)."""
        out = []
        if any(party in (fact.get("first_seat") or ()) for fact in self.wards_f):
            out.append(0)
        for fact in self.councils_f:
            seats = fact.get("baseline_seats_won")
            if isinstance(seats, Mapping) and party in seats:
                out.append(seats[party])
        for fact in self.wards_f:
            seats = fact.get("baseline_holders")
            if isinstance(seats, Mapping) and party in seats:
                out.append(seats[party])
        return out

    @_memo
    def shares(self, party: str) -> list[float]:
        out = []
        for fact in self.wards_f:
            shares = fact.get("shares")
            if isinstance(shares, Mapping) and _num(shares.get(party)) is not None:
                out.append(shares[party])
        return out

    def context_shares(self, party: str, sentence: str = "") -> list[float]:
        """A party's context figures (projected national shares and the like), only where
        the sentence names the figure ("the BBC projected national share put Labour on 35%")."""
        out = []
        for figure in self.context:
            label, values = figure.get("label"), figure.get("values")
            if not isinstance(label, str) or not isinstance(values, Mapping):
                continue
            head = label.split(",")[0].lower().strip()
            if head and head in sentence and _num(values.get(party)) is not None:
                out.append(values[party])
        return out

    @_memo
    def share_change(self, party: str) -> list[float]:
        out = []
        for fact in self.wards_f:
            changes = fact.get("share_change")
            if isinstance(changes, Mapping) and _num(changes.get(party)) is not None:
                out.append(changes[party])
            for key in ("biggest_rise", "biggest_fall"):
                biggest = fact.get(key)
                if isinstance(biggest, Mapping) and biggest.get("party") == party \
                        and _num(biggest.get("points")) is not None:
                    out.append(biggest["points"])
        return out

    @_memo
    def tally(self, party: str, key: str) -> list[float]:
        return [fact[key] for fact in self.tallies_f if fact.get("party") == party and _num(fact.get(key)) is not None]

    @_memo
    def tally_any(self, key: str) -> list[float]:
        return [fact[key] for fact in self.tallies_f if _num(fact.get(key)) is not None]

    # -- control ----------------------------------------------------------------------------
    @_memo
    def gained(self, party: str) -> set[str]:
        return {slug for slug, how in self.listed_councils.items() if (party, "gained") in how}

    @_memo
    def lost(self, party: str) -> set[str]:
        return {slug for slug, how in self.listed_councils.items() if (party, "lost") in how}

    @_memo
    def council_sets(self, how: str) -> dict[str, dict[str, set[str]]]:
        """The councils each party ``how`` ("gained" or "lost"), tally by tally: group (or
        "national") -> party -> slugs; and "elsewhere", the national tally's councils that no
        group lists (the round-up's paragraph on the councils outside the groups)."""
        out: dict[str, dict[str, set[str]]] = {}
        for fact in self.tallies_f:
            party, names = fact.get("party"), fact.get(how) or ()
            if not isinstance(party, str) or not isinstance(names, (list, tuple)):
                continue
            slugs = {self._slug(str(name)) for name in names}
            out.setdefault(str(fact.get("group")), {}).setdefault(party, set()).update(slugs)
        national = out.get("national", {})
        grouped = [by_party for group, by_party in out.items() if group != "national"]
        if national and grouped:
            out["elsewhere"] = {party: slugs - set().union(*(g.get(party, set()) for g in grouped))
                                for party, slugs in national.items()}
        return out

    def _slug(self, name: str) -> str:
        return name if name in self.lex.council_names else self.lex.council_by_name.get(norm(name), "name:" + norm(name))

    @_memo
    def ward_gains(self) -> list[tuple[str, str]]:
        """(gainer, loser) of each seat that changed hands in the story's wards."""
        return [(gain.get("party"), gain.get("from")) for fact in self.wards_f for gain in fact.get("gains") or ()
                if isinstance(gain, Mapping)]

    def any_gain(self, party: str) -> bool:
        if any(change > 0 for change in self.seat_change(party)):
            return True
        if any(fact.get("winner") == party and fact.get("result_kind") in ("gain", "new_win")
               for fact in self.councils_f):
            return True
        if any(gainer == party for gainer, _ in self.ward_gains()) or self.gained(party):
            return True
        if any(count > 0 for count in self.tally(party, "councils_gained")):
            return True
        return any(party in (fact.get("first_seat") or ()) for fact in self.wards_f)

    def any_loss(self, party: str) -> bool:
        if any(change < 0 for change in self.seat_change(party)):
            return True
        if any(fact.get("control_before") == party and fact.get("control_after") != party for fact in self.councils_f):
            return True
        if any(loser == party for _, loser in self.ward_gains()) or self.lost(party):
            return True
        if any(count > 0 for count in self.tally(party, "councils_lost")):
            return True
        return any(change < 0 for change in self.share_change(party))

    def any_hold(self, party: str) -> bool:
        if any(fact.get("winner") == party and fact.get("result_kind") == "hold" for fact in self.councils_f):
            return True
        if any(fact.get("settled_control") == party and fact.get("control_before") == party
               for fact in self.councils_f):
            return True
        return any(isinstance(fact.get("holds"), Mapping) and fact["holds"].get(party) for fact in self.wards_f)

    def any_win(self, party: str) -> bool:
        if any(seats > 0 for seats, _ in self.holdings(party)):
            return True
        return any(fact.get("winner") == party or fact.get("settled_control") == party for fact in self.councils_f)

    def any_control(self, party: str) -> bool:
        if any(party in (fact.get("control_after"), fact.get("settled_control"), fact.get("control_before"))
               for fact in self.councils_f):
            return True
        return any(count > 0 for count in self.tally(party, "councils_controlled"))
