"""The round-up: the running story of the night ("the story so far") as it stood at a moment.

``draft_roundup(night, engine, desk, at)`` reads the engine's state (replayed up to ``at`` by
the caller, e.g. with :func:`writer.night.draft_night`) and drafts one story:

- the lede and headline lead with the night's highest-scoring council results, ranked by the
  writer itself (``engine.events()``, highest score first);
- results are then grouped: London, the Red Wall, the Blue Wall and the south (the group
  ids below, defined in ``rules/groups.yaml``), then the rest of England;
- the national tally so far (councils declared, councils controlled with change, councillors
  with change on the baseline year) comes from ``engine.tally()``;
- the baseline year's context figures from ``election.toml`` are quoted with their source;
- it ends with what to watch: councils still counting whose control could change (or, once
  every council has declared, says so).

Everything worded lives in ``templates/roundup/`` (macros ``headline()``, ``lede()`` and
``body()`` over the ``f`` dict built here); this module only selects and orders facts, with
small pure functions over the engine's council results, tallies and events. No council is
named in code: every name comes from the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from writer import parties
from writer.compare.council import CouncilResult
from writer.compare.national import NationalPicture, Thresholds, national_picture
from writer.compare.tally import Tally
from writer.detect.events import Event
from writer.detect.facts import council_facts, tally_facts
from writer.detect.judgement import Judgement, Movement, movements, ran_before, verdict, verdict_parties
from writer.draft.drafter import _clean, _paragraphs, _stable
from writer.draft.story import AUTO_DISCLOSURE, SeatRow, Story

FAMILY = "roundup"
#: The groups the round-up covers, in the house-style order, and whether copy must say
#: "areas such as" for them (groupings with no official definition).
GROUPS: tuple[tuple[str, bool], ...] = (("london", False), ("red-wall", True),
                                        ("blue-wall", True), ("south", False))
#: Kinds of council result that are news in a round-up (holds and "no change" are not,
#: except as examples of a party standing still).
NEWS_KINDS = ("gain", "lose", "new_win", "new_noc")
#: The rules (or their template families) whose events the round-up reads for history, a
#: party's advance across a group and a party standing still in one.
HISTORIC = ("historic-gain", "historic-control")
ADVANCE = ("group-advance",)
STANDING_STILL = ("group-standing-still",)
LEDE_POOL = 8  # the lede draws on the top-ranked councils...
LEDE_CLAUSES = 2  # ...in at most two kinds of result
NAMES_PER_CLAUSE = 4  # councils named in one clause; the rest are counted
CLAUSES_PER_GROUP = 4
CLAUSES_ELSEWHERE = 4
EXAMPLES = 3  # "areas such as" examples
WATCH_COUNTING = 3  # councils part-declared, named in what to watch
WATCH_WAITING = 3  # councils with no seats declared yet, named in what to watch
TALLY_PARTIES = 4  # parties named with their councillors
BASELINE_FIGURES = 2  # context figures for the baseline year quoted


# -- ranking --------------------------------------------------------------------------------
def council_ranking(events: Iterable[Event]) -> dict[str, Event]:
    """Each council's highest-scoring standing council event, in the writer's own order
    (``events`` come highest score first)."""
    out: dict[str, Event] = {}
    for e in events:
        if e.scope == "council" and e.council and e.council not in out:
            out[e.council] = e
    return out


def group_events(events: Iterable[Event], gid: str) -> list[Event]:
    """A group's standing events (one per party and rule), highest score first."""
    return [e for e in events if e.scope == "group" and e.subject.split(":", 1)[0] == gid]


# -- council outcomes -----------------------------------------------------------------------
def outcome(r: CouncilResult) -> dict[str, Any] | None:
    """What a council's result says for the round-up, or None when it is not news: a final
    gain, loss or new council; or, while counting, control already beyond doubt and
    different from before (worded "on course to")."""
    if r.final:
        kind = r.result_kind
        if kind not in NEWS_KINDS:
            return None
        control, provisional = r.control_after, False
    elif r.settled is not None:
        control, provisional = r.settled.control, True
        if r.new_council:
            kind = "new_noc" if control == parties.NOC else "new_win"
        elif control == r.control_before or r.control_before is None:
            return None
        else:
            kind = "lose" if control == parties.NOC else "gain"
    else:
        return None
    party = {"gain": control, "new_win": control, "lose": r.control_before}.get(kind)
    return {
        "council": r.slug, "name": r.name, "kind": kind, "party": party,
        "other": r.control_before if kind == "gain" else None, "provisional": provisional,
        "seats": r.composition_after.get(party) if kind == "new_win" and not provisional else None,
        "total_seats": r.total_seats,
    }


def clauses(items: Sequence[dict[str, Any]], limit: int | None = None,
            names: int = NAMES_PER_CLAUSE) -> list[dict[str, Any]]:
    """Outcomes of the same kind for the same parties, together, in rank order: one clause
    each ("Labour has taken A, B and C from the Conservatives")."""
    order: list[tuple] = []
    grouped: dict[tuple, list[dict[str, Any]]] = {}
    for item in items:
        key = (item["kind"], item["party"], item["other"], item["provisional"])
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        grouped[key].append(item)
    out = []
    for key in order[:limit]:
        members = grouped[key]
        kind, party, other, provisional = key
        out.append({"kind": kind, "party": party, "other": other, "provisional": provisional,
                    "names": [m["name"] for m in members[:names]], "more": max(0, len(members) - names),
                    "councils": [m["council"] for m in members],
                    "seats": members[0]["seats"] if len(members) == 1 else None,
                    "total_seats": members[0]["total_seats"] if len(members) == 1 else None})
    return out


def by_party(cs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clauses gathered into one sentence per party, in order of first appearance ("Labour
    has taken A from the Conservatives and has lost B to no overall control")."""
    out: dict[Any, dict[str, Any]] = {}
    for c in cs:
        out.setdefault(c["party"], {"party": c["party"], "clauses": []})["clauses"].append(c)
    return list(out.values())


def standing_still(results: Iterable[CouncilResult], party: str, members: set[str],
                   rank: dict[str, int]) -> list[str]:
    """Councils of a group the party held with no net change in its own seats (against the
    same seats last time), best-ranked first: examples of it standing still."""
    held = [r for r in results if r.slug in members and r.final and r.result_kind == "hold"
            and r.control_after == party and r.seat_change is not None and r.seat_change.get(party, 0) == 0]
    return [r.slug for r in sorted(held, key=lambda r: (rank.get(r.slug, len(rank)), r.slug))]


def group_parties(t: Tally) -> list[str]:
    """A group's parties with seats that can be compared and are whole (no source lumped
    them), most seats first: who a group paragraph gives figures for."""
    won = {p: n for p, n in t.seats_won_compared.items() if parties.can_control(p) and t.seats_exact(p) and n > 0}
    return parties.order_parties(won)


def advancing_in(results: Iterable[CouncilResult], party: str, members: set[str]) -> list[str]:
    """A group's councils where the party gained seats net, most gained first."""
    up = [r for r in results if r.slug in members and r.seat_change and r.seat_change.get(party, 0) > 0]
    return [r.slug for r in sorted(up, key=lambda r: (-r.seat_change[party], r.slug))]


# -- the national tally ---------------------------------------------------------------------
def tally_dict(t: Tally) -> dict[str, Any]:
    """A tally as plain data (what the round-up states, and its evidence)."""
    return {
        "group": t.group.id, "group_name": t.group.name, "councils_total": t.councils_total,
        "councils_final": t.councils_final, "complete": t.complete, "control": dict(t.control),
        "control_before": dict(t.control_before), "control_change": {
            p: n for p, n in t.control_change().items() if n},
        "gained": {p: list(v) for p, v in t.gained.items()}, "lost": {p: list(v) for p, v in t.lost.items()},
        "seats_won": dict(t.seats_won), "seat_change": {p: n for p, n in t.seat_change.items() if n},
        "seats_won_compared": dict(t.seats_won_compared), "councils_compared": t.councils_compared,
        "seats_exact": {p: t.seats_exact(p) for p in t.seats_won},
    }


def national_lines(t: Tally) -> dict[str, Any]:
    """Who controls how many councils (with the change against the same councils before the
    election) and the parties with most councillors (with the change on the same seats
    last time)."""
    change = t.control_change()
    controllers = [p for p in parties.order_parties({p: t.control.get(p, 0) for p in set(t.control) | set(t.control_before)})
                   if p != parties.NOC]
    control = [{"party": p, "councils": t.control.get(p, 0), "change": change.get(p, 0)} for p in controllers]
    # seats and their change on one base: the councils that can be compared; then the same
    # parties' seats in all, counting the councils that cannot be compared. A party that a
    # source lumped with others somewhere is not given a figure it could contradict.
    compared = {p: n for p, n in t.seats_won_compared.items() if parties.can_control(p) and t.seats_exact(p)}
    listed = parties.order_parties(compared)[:TALLY_PARTIES]
    seats = [{"party": p, "seats": compared[p], "change": t.seat_change.get(p, 0)} for p in listed]
    in_all = [{"party": p, "seats": t.seats_won.get(p, 0)} for p in listed]
    return {"control": control, "noc": t.control.get(parties.NOC, 0), "noc_change": change.get(parties.NOC, 0),
            "seats": seats, "seats_in_all": in_all if in_all != [{"party": s["party"], "seats": s["seats"]} for s in seats] else [],
            "councils_not_compared": t.councils_final - t.councils_compared}


# -- context ----------------------------------------------------------------------------------
def baseline_context(context: Sequence[dict[str, Any]], baseline_label: str) -> list[dict[str, Any]]:
    """The context figures about the baseline year (their label names it), each with its
    parties in order of share (ties keep the file's order) and whether the top two tie."""
    out = []
    for c in context:
        if baseline_label not in str(c.get("label", "")) or c.get("unit") != "percent" or not c.get("values"):
            continue
        values = list(c["values"].items())
        ranked = sorted(values, key=lambda kv: -kv[1])
        out.append({"key": c["key"], "label": c["label"], "cite": c.get("cite"),
                    "shares": [{"party": p, "value": v} for p, v in ranked],
                    "level": len(ranked) > 1 and ranked[0][1] == ranked[1][1]})
    return out[:BASELINE_FIGURES]


# -- what to watch --------------------------------------------------------------------------
def _leaders(r: CouncilResult) -> list[str]:
    """The parties with most councillors so far (those not up plus the seats declared)."""
    comp = {p: n for p, n in r.so_far.items() if parties.can_control(p) and n > 0}
    if not comp:
        return []
    top = max(comp.values())
    return [p for p in parties.order_parties(comp) if comp[p] == top]


def watch_list(results: Iterable[CouncilResult],
               before: dict[str, dict[str, int] | None] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Councils still counting whose control could change: those with seats declared, the
    closest first (a leader other than the party in control before, then the fewest seats
    short of a majority); and those yet to declare a seat (new councils first, then the
    slimmest majorities on the eve of poll). Councils whose control is already beyond doubt
    are left out. ``before`` is each council's make-up on the eve of poll, by slug.
    Returns (counting, waiting, councils not final)."""
    before = before or {}
    counting, waiting, open_ = [], [], 0
    for r in results:
        if r.final:
            continue
        open_ += 1
        if r.settled is not None:
            continue
        item = {"council": r.slug, "name": r.name, "control_before": r.control_before,
                "new_council": r.new_council, "cycle": r.cycle, "total_seats": r.total_seats,
                "majority_needed": r.majority_needed, "seats_declared": r.seats_declared,
                "seats_up": r.seats_up, "composition_estimated": r.composition_estimated}
        leaders = _leaders(r)
        if r.seats_declared and leaders:
            seats = r.so_far[leaders[0]]
            item |= {"leaders": leaders, "leader_seats": seats, "short": r.majority_needed - seats}
            challenger = any(p != r.control_before for p in leaders)
            counting.append(((0 if challenger else 1, abs(item["short"]), r.slug), item))
        elif not r.seats_declared:
            waiting.append(((0 if r.new_council else 1, _eve_margin(r, before.get(r.slug)), r.slug), item))
    counting.sort(key=lambda kv: kv[0])
    waiting.sort(key=lambda kv: kv[0])
    return [i for _, i in counting], [i for _, i in waiting], open_


def _eve_margin(r: CouncilResult, before: dict[str, int] | None) -> int:
    """How safe control looked on the eve of poll (smaller is closer): the ruling party's
    seats beyond half the council or, for a council under no overall control, how far its
    largest party was from a majority. A council with no known make-up comes last."""
    comp = {p: n for p, n in (before or {}).items() if parties.can_control(p)}
    if not comp:
        return r.total_seats
    if r.control_before and r.control_before != parties.NOC:
        return abs(2 * comp.get(r.control_before, 0) - r.total_seats)
    return abs(r.majority_needed - max(comp.values()))


# -- the story ------------------------------------------------------------------------------
class _Sources:
    """What ``build_facts`` reads from the engine, and the events it has drawn on so far."""

    def __init__(self, engine) -> None:
        self.events = engine.events()
        self.ranking = council_ranking(self.events)
        self.rank = {slug: i for i, slug in enumerate(self.ranking)}
        self.results = engine.council_results()
        self.by_slug = {r.slug: r for r in self.results}
        # every newsworthy council outcome, in the writer's order (ranked councils first)
        ordered = sorted(self.results, key=lambda r: (self.rank.get(r.slug, len(self.rank)), r.slug))
        self.outcomes = [o for o in (outcome(r) for r in ordered) if o is not None]
        for o in self.outcomes:
            e = self.ranking.get(o["council"])
            o["score"] = e.score if e else 0.0
        self.used: dict[str, Event] = {}
        self.final_event: dict[str, Event] = {}
        for e in self.events:
            if e.scope == "council" and e.council and e.facts.get("final") and e.council not in self.final_event:
                self.final_event[e.council] = e

    def use(self, slugs: Iterable[str]) -> None:
        """Keep as evidence each council's best-ranked event, preferring one drafted from
        its final result (a council may still have a standing event from while it counted)."""
        for s in slugs:
            e = self.final_event.get(s) or self.ranking.get(s)
            if e is not None:
                self.used.setdefault(e.key, e)

    def keep(self, e: Event) -> None:
        self.used.setdefault(e.key, e)


def build_facts(night, engine, at: datetime | None = None, judgement: Judgement | None = None,
                thresholds: Thresholds | None = None) -> tuple[dict[str, Any], list[Event]]:
    """The ``f`` the round-up templates are written from, and the events it draws on."""
    src = _Sources(engine)
    events, results, outcomes = src.events, src.results, src.outcomes
    national = engine.tally()
    moved, lead, lead_clauses, lead_examples, headline_second = _lede_facts(src, night, national, judgement)

    # the groups, each council told once (in the first group it belongs to)
    told: set[str] = set()
    said: set[tuple] = set()
    covered_groups = [gid for gid, _ in GROUPS if gid in engine.groups]
    group_blocks = [_group_block(src, engine, gid, such_as, told, said) for gid, such_as in GROUPS
                    if gid in engine.groups]

    # the rest of England
    in_groups = {slug for slug, gids in engine.council_groups.items() if set(gids) & set(covered_groups)}
    elsewhere = clauses([o for o in outcomes if o["council"] not in in_groups], CLAUSES_ELSEWHERE)
    src.use(c for k in elsewhere for c in k["councils"])
    outside = [r for r in results if r.slug not in in_groups]
    elsewhere_count = {"councils_total": len(outside), "councils_final": sum(1 for r in outside if r.final)}

    verdicts = _verdicts(engine, national, moved, judgement)
    share = share_facts(national_picture(engine, thresholds=thresholds), engine)
    counting, waiting, still_open = watch_list(
        results, {slug: c.composition_before for slug, c in night.councils.items()})
    when = at.isoformat() if at is not None else max((e.at for e in events), default=None)
    f = {
        "election": night.election.name, "election_id": night.election.id,
        "baseline_label": engine.baseline_label, "poll_year": night.election.poll_date.year,
        "at": when, "provisional": not national.complete,
        "wards_declared": sum(r.wards_declared for r in results),
        "units": " and ".join(sorted({f"{r.unit}s" for r in results}, reverse=True)),  # "wards and divisions"
        "leads": lead_clauses, "lede": by_party(lead_clauses), "groups": group_blocks,
        "lead": _movement_dict(lead) if lead is not None else None, "lead_examples": lead_examples,
        "headline_second": headline_second, "verdicts": verdicts, "share": share,
        "elsewhere": by_party(elsewhere), "elsewhere_count": elsewhere_count,
        "national": tally_dict(national), "tally": national_lines(national),
        "context": baseline_context(engine.context, engine.baseline_label),
        "watch": {"counting": counting[:WATCH_COUNTING], "waiting": waiting[:WATCH_WAITING],
                  "counting_total": len(counting), "waiting_total": len(waiting), "open": still_open},
    }
    return f, sorted(src.used.values(), key=lambda e: (-e.score, e.key))


def _lede_facts(src: _Sources, night, national: Tally, judgement: Judgement | None):
    """The lede: the night's biggest national movement (rules/judgement.yaml), with the
    councils that make it; early in the night, the top-ranked councils' results. Returns the
    movements, the lead one (or None), the lede's clauses, the lead's examples and the
    headline's second clause."""
    outcomes = src.outcomes
    moved: list[Movement] = []
    if judgement is not None:
        moved = movements(national, ran_before(night.setup.councils.values(), night.setup.history), judgement)
    lead = moved[0] if moved and judgement is not None and moved[0].score >= judgement.lead_at_least else None
    final = [o for o in outcomes if not o["provisional"]] or outcomes
    lead_clauses = []
    headline_second = None
    lead_examples = None
    if lead is not None:
        lead_examples, headline_second = lead_plan(lead, moved, [o for o in outcomes if not o["provisional"]],
                                                   judgement)
        if lead_examples:
            src.use(lead_examples["councils"])
        if headline_second and headline_second.get("clause"):
            src.use(headline_second["clause"]["councils"])
    else:
        pool = final[:LEDE_POOL]
        if pool:
            lead_clauses = clauses(pool, LEDE_CLAUSES)
            src.use(c for k in lead_clauses for c in k["councils"])
    return moved, lead, lead_clauses, lead_examples, headline_second


def _group_block(src: _Sources, engine, gid: str, such_as: bool, told: set[str], said: set[tuple]) -> dict[str, Any]:
    """One group's paragraph facts: its councils' results (each council told once, in the
    first group it belongs to: ``told``), history, parties advancing or standing still, and
    the other side's figures (a figure given for an earlier group is not repeated: ``said``)."""
    events, results, by_slug, rank = src.events, src.results, src.by_slug, src.rank
    group = engine.groups[gid]
    members = {slug for slug, gids in engine.council_groups.items() if gid in gids}
    items = [o for o in src.outcomes if o["council"] in members and o["council"] not in told]
    g_clauses = clauses(items, CLAUSES_PER_GROUP)
    for c in g_clauses:
        told.update(c["councils"])
    src.use(c for k in g_clauses for c in k["councils"])
    tally = engine.tally(gid)
    g_events = group_events(events, gid)
    mine = {c for k in g_clauses for c in k["councils"]}
    historic = next((e for e in events if _is(e, HISTORIC) and e.council in mine), None)
    if historic is not None:
        src.keep(historic)
    advance = _advance(src, tally, g_events, members, such_as, said)
    still = None
    for e in g_events:
        if _is(e, STANDING_STILL):
            party = e.facts["party"]
            examples = standing_still(results, party, members, rank)
            if examples:
                still = {"party": party, "seat_change": tally.seat_change.get(party, 0),
                         "examples": [by_slug[s].name for s in examples[:EXAMPLES]]}
                src.use(examples[:EXAMPLES])
                src.keep(e)
                break
    declared = [s for s in sorted(members, key=lambda s: (rank.get(s, len(rank)), s)) if by_slug[s].final]
    if such_as and not advance and still is None:
        src.use(declared[:EXAMPLES])  # named as examples of the group's councils
    rival, seats_line = _other_side(tally, advance, still, said)
    return {
        "id": gid, "name": group.name, "label": _label(group.name), "such_as": such_as,
        "definition": group.definition, "clauses": g_clauses, "sentences": by_party(g_clauses),
        "historic": _historic(historic.facts) if historic is not None else None,
        "advance": advance, "still": still, "tally": tally_dict(tally),
        "declared_examples": [by_slug[s].name for s in declared[:EXAMPLES]],
        "rival": rival, "seats_line": seats_line,
    }


def _advance(src: _Sources, tally: Tally, g_events: list[Event], members: set[str], such_as: bool,
             said: set[tuple]) -> list[dict[str, Any]]:
    """The (at most two) parties advancing across a group, biggest gain first."""
    results, by_slug = src.results, src.by_slug
    advance = []
    for e in g_events:
        if _is(e, ADVANCE) and tally.seat_change.get(e.facts["party"], 0) > 0:
            party = e.facts["party"]
            if party not in [a["party"] for a in advance]:
                advance.append({"party": party, "seat_change": tally.seat_change[party], "event": e,
                                "examples": [by_slug[s].name for s in advancing_in(results, party, members)[:EXAMPLES]]})
    advance.sort(key=lambda a: (-a["seat_change"], a["party"]))
    # a group made up of the same councils as an earlier one (for its comparable seats)
    # would repeat the same figure: say it once
    advance = [a for a in advance if (a["party"], a["seat_change"], tally.councils_compared) not in said]
    said.update((a["party"], a["seat_change"], tally.councils_compared) for a in advance)
    advance = advance[:2]
    for a in advance:
        e = a.pop("event")
        src.keep(e)
        if such_as:  # named as examples ("areas such as")
            src.use(advancing_in(results, a["party"], members)[:EXAMPLES])
    return advance


def _other_side(tally: Tally, advance: list[dict[str, Any]], still: dict[str, Any] | None,
                said: set[tuple]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The other side's figures (the largest party not already given), and the group's seats
    line where no party advanced or stood still."""
    given = [a["party"] for a in advance] + ([still["party"]] if still else [])
    ranked = group_parties(tally)
    rival = next(({"party": p, "seat_change": tally.seat_change.get(p, 0)} for p in ranked if p not in given), None)
    if len(advance) > 1 or not tally.councils_compared:
        rival = None
    seats_line = None
    if not advance and still is None and tally.councils_compared and ranked:
        seats_line = {"party": ranked[0], "seat_change": tally.seat_change.get(ranked[0], 0)}
        rival = next(({"party": p, "seat_change": tally.seat_change.get(p, 0)} for p in ranked[1:]), None)
        if (seats_line["party"], seats_line["seat_change"], tally.councils_compared) in said:
            seats_line = rival = None  # the same councils' figures, given for an earlier group
        else:
            said.add((seats_line["party"], seats_line["seat_change"], tally.councils_compared))
    return rival, seats_line


def _verdicts(engine, national: Tally, moved: list[Movement], judgement: Judgement | None) -> list[dict[str, Any]]:
    """Each party's verdict (good, bad, mixed, steady) once enough councils have declared."""
    verdicts = []
    if judgement is not None and national.councils_final >= judgement.councils_declared_at_least:
        majors = {p for c in engine.context if str(c.get("key", "")).startswith("pns_")
                  for p in (c.get("values") or {})}
        for m in verdict_parties(moved, majors, judgement):
            rule = verdict(m.figures, judgement)
            if rule is not None:
                verdicts.append({"party": m.party, "verdict": rule.verdict, "rule": rule.id,
                                 "index": len(verdicts), **m.figures})
    return verdicts


# -- the national share estimate and the Commons projection ---------------------------------
SHARE_LABEL = "A projection of the national share"  # how copy names the writer's estimate
LEFT_OUT_SHARE = 10  # a party not estimated is said to be left out once it has won 1/10 of the seats


def share_facts(picture: NationalPicture, engine) -> dict[str, Any]:
    """What the round-up says of the writer's national share estimate and the Commons
    projection (DOMAIN.md): the shares, highest first, the wards they rest on, and the
    largest party at a general election with its seats and how far it is over or short of a
    majority. ``estimated`` is False (with ``reason``) until enough wards have declared;
    ``totals_only`` when the night gives no ward-level votes at all."""
    e, cp = picture.estimate, picture.commons_projection
    units = {r.unit for r in engine.council_results()}
    out: dict[str, Any] = {
        "estimated": e.estimated, "reason": e.reason, "wards_used": len(e.wards_used),
        "councils_used": len(e.councils_used), "unit": "division" if units == {"division"} else "ward",
        "shares": [{"party": p, "value": v} for p, v in sorted(e.shares.items(), key=lambda kv: (-kv[1], kv[0]))],
        "baseline_label": picture.baseline_label,
        "totals_only": e.wards_with_votes == 0 and picture.councils_declared > 0 and not any(
            w.has_votes for w in engine.ward_results.values()),
        "projection": None, "picture": picture.to_dict(),
    }
    # a party with no baseline share is not estimated; where it has won a tenth of the seats
    # declared, the copy says it is left out, and gives no general election projection that
    # would read as if it did not exist
    won = picture.seats_declared
    total = sum(won.values())
    out["left_out"] = [p for p in sorted(won, key=lambda p: (-won[p], p))
                       if e.estimated and p not in e.shares and parties.can_control(p)
                       and total and won[p] * LEFT_OUT_SHARE >= total]
    if cp is not None and cp.largest_party is not None and not out["left_out"]:
        out["projection"] = {"party": cp.largest_party, "seats": cp.seats[cp.largest_party],
                             "majority": cp.majority, "needed": cp.majority_needed,
                             "constituencies": cp.constituencies}
    return out


# -- the lead -------------------------------------------------------------------------------
#: The verb each kind of headline clause uses, and the one it uses instead where the other
#: clause already has it (None: the clause is left out). A headline never says the same
#: verb, or names the same subject, twice.
HEADLINE_VERBS = {"first": ("win", "take"), "loss": ("lose", None), "gain": ("take", "gain"),
                  "seats": (None, None), "clause-gain": ("take", "gain"), "clause-lose": ("lose", None),
                  "clause-new_win": ("win", "take"), "clause-new_noc": (None, None)}


def lead_plan(lead: Movement, moved: Sequence[Movement], finals: Sequence[dict[str, Any]],
              judgement: Judgement) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The councils the lede names for the leading movement (the best-ranked clause that
    makes it: councils the party took, or those it lost and to whom), and the headline's
    second clause: a result that shows the other side of it (another party taking the
    leader's councils), else the next biggest movement of another party."""
    p = lead.party
    if lead.kind == "loss":
        mine = [o for o in finals if (o["kind"] == "gain" and o["other"] == p) or (o["kind"] == "lose" and o["party"] == p)]
    else:
        # councils taken from someone (the count: a new council is won, not taken)
        mine = [o for o in finals if o["kind"] == "gain" and o["party"] == p]
    examples = None
    if mine:
        top = clauses(mine, 1, names=3)[0]
        examples = {"names": top["names"], "more": top["more"], "councils": top["councils"],
                    "kind": top["kind"], "to": top["party"] if top["kind"] == "gain" and lead.kind == "loss" else None,
                    "other": top["other"] if lead.kind != "loss" else None}
    first_verb = HEADLINE_VERBS[lead.kind][0]
    second = None
    if lead.kind == "loss":
        theirs = [o for o in finals if o["kind"] == "gain" and o["other"] == p and o["party"] != p]
        if theirs:
            c = clauses(theirs, 1, names=2)[0]
            second = {"clause": c, "verb_key": f"clause-{c['kind']}"}
    if second is None:
        rival = next((m for m in moved[1:] if m.party != p and m.score >= judgement.lead_at_least), None)
        if rival is not None:
            second = {"movement": _movement_dict(rival), "verb_key": rival.kind}
    if second is not None:
        verb, alternative = HEADLINE_VERBS[second["verb_key"]]
        if verb is not None and verb == first_verb:
            verb = alternative
        if verb is None and HEADLINE_VERBS[second["verb_key"]][0] is not None:
            second = None  # no other way to say it without repeating the verb
        else:
            second["verb"] = verb
    return examples, second


def _movement_dict(m: Movement) -> dict[str, Any]:
    return {"party": m.party, "kind": m.kind, "score": m.score, **m.figures}


def _is(e: Event, names: tuple[str, ...]) -> bool:
    """Whether an event comes from one of the named rules (or uses their template family)."""
    return e.rule in names or e.template in names


def _label(name: str) -> str:
    """``Red Wall`` from ``the Red Wall`` (a group's name used as an adjective)."""
    return name[4:] if name.startswith("the ") else name


def _historic(facts: dict[str, Any]) -> dict[str, Any]:
    return {"council": facts["council"], "name": facts["council_name"], "party": facts["winner"],
            "first_ever": facts["first_ever"], "records_from": facts["history_from"],
            "last_controlled_to": facts["last_controlled_to"]}


def draft_roundup(night, engine, desk, at: datetime | None = None, *, version: int = 1) -> Story:
    """The story of the night so far (kind ``roundup``, id ``roundup:<election id>``)."""
    f, used = build_facts(night, engine, at, getattr(desk, "judgement", None),
                          getattr(desk, "national_thresholds", None))
    story_id = f"{FAMILY}:{night.election.id}"
    templates = desk.drafter.templates
    phrasings = templates.find(FAMILY, None)
    if not phrasings:
        raise LookupError(f"no template family {FAMILY!r} in {templates.directory}")
    phrasing = phrasings[_stable(f"{story_id}|{f['at']}") % len(phrasings)]
    module = phrasing.template.make_module({"f": f, "events": [e.facts for e in used],
                                            "night": {"context": engine.context},
                                            "election": night.election})
    headline, lede = _clean(module.headline()), _clean(module.lede())
    body = _paragraphs(module.body()) if hasattr(module, "body") else []
    summary = {"scope": "roundup", "subject": story_id, "at": f["at"], "baseline_label": f["baseline_label"],
               "national": f["national"], "groups": {g["id"]: g["tally"] for g in f["groups"]},
               "elsewhere": f["elsewhere_count"],
               "standing_still": {g["id"]: g["still"] for g in f["groups"] if g["still"]},
               "watch": f["watch"], "context": [dict(c) for c in engine.context],
               "wards_declared": f["wards_declared"]}
    evidence = _evidence(engine, f, used, at) + (summary,)
    return Story(
        id=story_id, kind=FAMILY, version=version, status="draft", headline=headline, lede=lede,
        body=tuple(body), table=_table(desk, f["national"]), table_caption=table_caption(f),
        disclosure=AUTO_DISCLOSURE,  # a draft: the publisher says 'checked' once an editor approves
        events=tuple(e.id for e in used), council=None, region=None,
        groups=("national",) + tuple(g["id"] for g in f["groups"]),
        score=max((e.score for e in used), default=0.0), provisional=f["provisional"],
        template=phrasing.name, at=f["at"] or night.election.polls_close.isoformat(),
        evidence=evidence,
    )


def _evidence(engine, f: dict[str, Any], used: Sequence[Event], at: datetime | None) -> tuple[dict[str, Any], ...]:
    """What the round-up states, in the shapes the fact-check reads: the events' facts; the
    national tally and each group figure quoted, one tally fact set per party (as the
    group and national events carry them); the facts of each council named in what to
    watch; and the context figures."""
    when = at or (datetime.fromisoformat(f["at"]) if f["at"] else engine.election.polls_close)
    out = [e.facts for e in used]
    national = engine.tally()
    stated = {c["party"] for c in f["tally"]["control"]} | {s["party"] for s in f["tally"]["seats"]}
    stated |= {row.party for row in _table_rows(f["national"])}
    stated |= {p for c in f["leads"] for p in (c["party"], c["other"]) if p and p != parties.NOC}
    stated |= {v["party"] for v in f["verdicts"]} | ({f["lead"]["party"]} if f["lead"] else set())
    second = (f["headline_second"] or {}).get("movement")
    stated |= {second["party"]} if second else set()
    for party in sorted(stated):
        out.append(tally_facts(national, party, when, engine.baseline_label, engine.names).to_dict())
    for g in f["groups"]:
        tally = engine.tally(g["id"])
        said = {a["party"] for a in g["advance"]} | ({g["still"]["party"]} if g["still"] else set())
        said |= {x["party"] for x in (g["rival"], g["seats_line"]) if x}
        for party in sorted(said):
            out.append(tally_facts(tally, party, when, engine.baseline_label, engine.names).to_dict())
    results = {r.slug: r for r in engine.council_results()}
    for w in f["watch"]["counting"] + f["watch"]["waiting"]:
        r = results[w["council"]]
        out.append(council_facts(r, engine.council_groups[r.slug], when, engine.baseline_label,
                                 engine.election.poll_date.year, None, engine.context).to_dict())
    if engine.context:
        out.append({"context": [dict(c) for c in engine.context]})
    share = f["share"]
    if share["estimated"]:
        # the writer's own estimate, checked as a context figure named in its sentence, and
        # the Commons projection from it (said only as what "would" happen)
        out.append({"context": [{"key": "writer_projected_share", "label": SHARE_LABEL, "unit": "percent",
                                 "values": {s["party"]: s["value"] for s in share["shares"]}}]})
        out.append({"scope": "projection", "subject": "commons", "wards_used": share["wards_used"],
                    "national_picture": share["picture"]})
    return tuple(out)


def table_caption(f: dict[str, Any]) -> str:
    n = f["national"]["councils_compared"]
    return (f"Seats won of those that can be compared with {f['baseline_label']}, in {n:,} declared "
            f"{'council' if n == 1 else 'councils'}, and the change on the same seats.")


def _table_rows(national: dict[str, Any]) -> list[SeatRow]:
    """Seats won by party in the councils that can be compared, with the change on the same
    seats last time (one base for both; see :func:`table_caption`). A party lumped with
    others by some council's figures is left out. Rows without their names."""
    won, change = national["seats_won_compared"], national["seat_change"]
    exact = national["seats_exact"]
    named = {p: n for p, n in won.items() if (parties.can_control(p) or p in ("Ind", "Res")) and exact.get(p, True)}
    top = set(parties.order_parties({p: n for p, n in named.items() if parties.can_control(p)})[:TALLY_PARTIES])
    return [SeatRow(p, "", won[p], change.get(p, 0))
            for p in parties.order_parties(named) if won[p] >= 10 or p in top or p in national["control"]]


def _table(desk, national: dict[str, Any]) -> tuple[SeatRow, ...]:
    names = desk.drafter.names
    return tuple(SeatRow(r.party, names.party(r.party, "tally"), r.seats, r.change) for r in _table_rows(national))
