"""The writer's own estimate of national shares of the vote, and what it would mean in the
House of Commons (pure: data in, data out; DOMAIN.md, "The national share estimate and the
Commons projection").

- :func:`estimate_shares`: each main party's projected national share tonight is its
  projected share at the baseline election (the ``pns_`` context of election.toml) moved by
  its average change in share across the wards fought like for like tonight.
- :func:`project_commons`: those shares applied to the last general election by uniform
  change, constituency by constituency.
- :func:`national_picture`: both, with the councils and seats by party from the engine's
  national tally, as the ``writer national`` command and the review app show them.

Reading ``rules/national.yaml`` (the thresholds) is :mod:`writer.compare.national_rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from writer import parties
from writer.compare.ward import WardResult
from writer.model import BaselineWard, Constituency, ContextFigure

if TYPE_CHECKING:
    from writer.compare.tally import Tally
    from writer.engine import Engine

NORTHERN_IRELAND = "Northern Ireland"
SPEAKER = "Spk"
LUMPED = "Other"


@dataclass(frozen=True)
class Thresholds:
    """How much of the night must be in before the writer estimates national shares: at least
    ``min_wards`` like-for-like wards in at least ``min_councils`` councils. The defaults are
    the shipped ``rules/national.yaml`` (a test keeps them equal)."""

    min_wards: int = 30
    min_councils: int = 3


# -- the baseline ------------------------------------------------------------------------------

def baseline_projection(context: Iterable[ContextFigure]) -> ContextFigure | None:
    """The baseline election's projected national share: the first context figure whose key
    starts with ``pns_`` (FORMAT.md), or None."""
    return next((c for c in context if c.key.startswith("pns_")), None)


#: What the estimate needs of a ward's baseline: the baseline contest and its vote shares
#: (top-candidate method, :func:`writer.compare.ward.vote_shares`), by declaration id.
BaselineLookup = Mapping[str, tuple[BaselineWard, Mapping[str, float]]]


# -- the share estimate --------------------------------------------------------------------------

@dataclass(frozen=True)
class ShareEstimate:
    shares: dict[str, float]  # main party -> projected national share tonight (%, one decimal); empty: none
    baseline_share: dict[str, float]  # main party -> its projected share at the baseline
    change: dict[str, float]  # main party -> mean change in share over the wards used (points)
    main_parties: tuple[str, ...]
    not_estimated: tuple[str, ...]  # parties standing tonight with no baseline projected share
    wards_used: tuple[str, ...]  # ward declaration ids, in the order given
    councils_used: tuple[str, ...]  # council slugs, in the order first used
    wards_with_votes: int  # wards declared with votes, comparable or not
    reason: str | None  # why there is no estimate (None when there is one)
    min_wards: int
    min_councils: int

    @property
    def estimated(self) -> bool:
        return bool(self.shares)


def _counts(ward: WardResult, lookup: BaselineLookup, main: tuple[str, ...]) -> Mapping[str, float] | None:
    """The baseline shares the ward is compared with, or None when the ward does not count:
    it must have votes tonight, be matched like for like to a baseline ward whose contest had
    votes, elect as many seats both times, and have every main party standing both times."""
    if not (ward.has_votes and ward.shares and ward.comparable and ward.baseline_ward is not None):
        return None
    found = lookup.get(ward.declaration_id)
    if found is None:
        return None
    baseline, before = found
    if baseline.ward != ward.baseline_ward or baseline.seats != ward.seats:
        return None
    if not before or not baseline.candidates or any(c.votes is None for c in baseline.candidates):
        return None
    if not all(p in ward.shares and p in before for p in main):
        return None
    return before


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def estimate_shares(ward_results: Mapping[str, WardResult], baseline_lookup: BaselineLookup,
                    baseline_share: Mapping[str, float], *, min_wards: int, min_councils: int) -> ShareEstimate:
    """Each main party's projected national share tonight: its baseline projected share plus
    the unweighted mean, over the wards that count (see :func:`_counts`), of its share tonight
    less its share at the baseline (one decimal place). The main parties are those with a
    baseline projected share (``baseline_share``); any other party gets no estimate. No
    estimate (and a ``reason``) until ``min_wards`` wards in ``min_councils`` councils count.

    ``ward_results``: the current version of every declared ward (``Engine.ward_results``),
    by declaration id; ``baseline_lookup``: each one's baseline contest and shares (see
    :func:`baseline_lookup`)."""
    main = tuple(sorted(baseline_share, key=lambda p: (-baseline_share[p], p)))
    standing: dict[str, int] = {}
    with_votes = 0
    used: list[str] = []
    councils: dict[str, None] = {}
    totals = {p: 0.0 for p in main}
    for ward_id, ward in ward_results.items():
        if not ward.has_votes:
            continue
        with_votes += 1
        for p in ward.shares:
            if parties.can_control(p) and p not in baseline_share:
                standing[p] = standing.get(p, 0) + 1
        if not main:
            continue
        before = _counts(ward, baseline_lookup, main)
        if before is None:
            continue
        used.append(ward_id)
        councils.setdefault(ward.council, None)
        for p in main:
            totals[p] += ward.shares[p] - before[p]
    not_estimated = tuple(sorted(standing, key=lambda p: (-standing[p], p)))
    reason = None
    if not main:
        reason = ("there is no projected national share for the baseline (no context whose key starts with "
                  "pns_ in election.toml): nothing to start an estimate from")
    elif not with_votes:
        reason = ("no ward has declared its votes yet: the estimate needs ward-by-ward votes, and council "
                  "totals alone give none")
    elif len(used) < min_wards or len(councils) < min_councils:
        reason = (f"only {_plural(len(used), 'ward')} in {_plural(len(councils), 'council')} can be compared "
                  f"like for like so far; the estimate needs at least {_plural(min_wards, 'ward')} in at least "
                  f"{_plural(min_councils, 'council')}")
    change = {p: totals[p] / len(used) for p in main} if used else {}
    shares = {} if reason else {p: round(baseline_share[p] + change[p], 1) for p in main}
    return ShareEstimate(shares, {p: float(baseline_share[p]) for p in main}, change, main, not_estimated,
                         tuple(used), tuple(councils), with_votes, reason, min_wards, min_councils)


# -- the Commons projection -----------------------------------------------------------------------

@dataclass(frozen=True)
class CommonsProjection:
    seats: dict[str, int]  # party (or the source's code) -> seats; sums to the number of constituencies
    seats_before: dict[str, int]  # the last general election's winners
    largest_party: str | None  # None where two parties tie for the most seats
    majority: int  # the largest party's seats less the seats a majority needs (negative: short)
    majority_needed: int  # floor(n/2) + 1
    ge_share: dict[str, float]  # every party column's share of the GB vote at the last general election
    change: dict[str, float]  # party -> projected share less its GB share (points): the uniform change
    changed_hands: tuple[tuple[str, str, str, str], ...]  # (ons_id, constituency, from, to)

    @property
    def constituencies(self) -> int:
        return sum(self.seats.values())


def gb_shares(constituencies: Iterable[Constituency]) -> dict[str, float]:
    """Each party column's share of the vote in Great Britain (every constituency outside
    Northern Ireland): its votes as a percentage of the valid votes, both summed over GB."""
    totals: dict[str, int] = {}
    valid = 0
    for c in constituencies:
        if c.country == NORTHERN_IRELAND:
            continue
        valid += c.valid_votes
        for p, n in c.votes.items():
            totals[p] = totals.get(p, 0) + n
    return {p: 100.0 * n / valid for p, n in totals.items()} if valid else {}


def _winner(c: Constituency, change: Mapping[str, float]) -> str:
    if c.country == NORTHERN_IRELAND or c.winner == SPEAKER or not c.valid_votes:
        return c.winner
    shares = {p: max(0.0, 100.0 * n / c.valid_votes + change.get(p, 0.0)) for p, n in c.votes.items()}
    top = max(shares, key=lambda p: (shares[p], c.votes[p], p))
    return c.winner if top == LUMPED else top


def project_commons(constituencies: Iterable[Constituency], projected_share: Mapping[str, float]) -> CommonsProjection:
    """What the projected shares would mean at a general election, by uniform change: each
    party with a projected share moves by the same amount (its projected share less its GB
    share at the last general election) in every GB constituency, clipped at 0; the seat
    goes to the party with the largest resulting share. Northern Ireland's seats and the
    Speaker's stay as they were, and so does a seat whose top share is the lumped ``Other``
    column (it is no one party). A party with no column in the file is not projected."""
    rows = tuple(constituencies)
    ge = gb_shares(rows)
    change = {p: float(projected_share[p]) - ge[p] for p in projected_share if p in ge}
    seats: dict[str, int] = {}
    before: dict[str, int] = {}
    moved: list[tuple[str, str, str, str]] = []
    for c in rows:
        won = _winner(c, change)
        seats[won] = seats.get(won, 0) + 1
        before[c.winner] = before.get(c.winner, 0) + 1
        if won != c.winner:
            moved.append((c.ons_id, c.name, c.winner, won))
    needed = len(rows) // 2 + 1
    ranked = sorted(seats, key=lambda p: (-seats[p], p))
    top = ranked[0] if ranked else None
    largest = top if top is not None and (len(ranked) == 1 or seats[ranked[1]] < seats[top]) else None
    majority = (seats[top] if top else 0) - needed
    return CommonsProjection(dict(sorted(seats.items(), key=lambda kv: (-kv[1], kv[0]))),
                             dict(sorted(before.items(), key=lambda kv: (-kv[1], kv[0]))),
                             largest, majority, needed, ge, change, tuple(moved))


# -- the national picture --------------------------------------------------------------------------

def method_statement(label: str, cite: str | None, main: Iterable[str]) -> str:
    who = f" ({cite})" if cite else ""
    return (f"Each of {', '.join(main)} starts from its projected national share at the {label} local "
            f"elections{who} and moves by its average change in share since {label} across the wards "
            f"fought like for like tonight (the same ward, as many seats, and every one of these parties "
            f"standing both times); a party's share in a ward is its best-placed candidate's votes as a "
            f"share of every party's best-placed candidate's votes.")


COMMONS_METHOD = ("Uniform change: each party's change from its share of the GB vote at the last general "
                  "election is applied in every GB constituency; Northern Ireland and the Speaker's seat stay "
                  "as they were. A projection, not a result: local elections are not a general election.")


@dataclass(frozen=True)
class NationalPicture:
    at: str | None  # the night time it stands at (ISO 8601), or None before any declaration
    estimate: ShareEstimate
    baseline_key: str | None
    baseline_label: str
    baseline_cite: str | None
    method: str
    commons_projection: CommonsProjection | None
    commons_reason: str | None
    councils: dict[str, dict[str, int]]  # party (or NOC) -> {count, change}, final councils only
    seats: dict[str, dict[str, Any]]  # party -> {count, change, exact}, over the councils compared
    seats_declared: dict[str, int]  # party -> every seat declared, compared or not
    councils_declared: int
    councils_total: int
    councils_compared: int

    @property
    def projected_share(self) -> dict[str, float]:
        return self.estimate.shares

    @property
    def reason(self) -> str | None:
        return self.estimate.reason

    def to_dict(self) -> dict[str, Any]:
        e, cp = self.estimate, self.commons_projection
        return {
            "at": self.at,
            "projected_share": dict(e.shares),
            "baseline_share": dict(e.baseline_share),
            "baseline_label": self.baseline_label,
            "baseline_key": self.baseline_key,
            "baseline_cite": self.baseline_cite,
            "share_change": {p: round(v, 2) for p, v in e.change.items()},
            "wards_used": len(e.wards_used),
            "ward_declarations": list(e.wards_used),
            "councils_used": len(e.councils_used),
            "council_slugs_used": list(e.councils_used),
            "wards_with_votes": e.wards_with_votes,
            "min_wards": e.min_wards,
            "min_councils": e.min_councils,
            "not_estimated": list(e.not_estimated),
            "reason": e.reason,
            "method": self.method,
            "commons_projection": None if cp is None else {
                "seats": dict(cp.seats),
                "largest_party": cp.largest_party,
                "majority": cp.majority,
                "majority_needed": cp.majority_needed,
                "constituencies": cp.constituencies,
                "seats_before": dict(cp.seats_before),
                "ge_share": {p: round(v, 2) for p, v in cp.ge_share.items()},
                "change": {p: round(v, 2) for p, v in cp.change.items()},
                "changed_hands": [{"ons_id": i, "constituency": n, "from": a, "to": b}
                                  for i, n, a, b in cp.changed_hands],
                "method": COMMONS_METHOD,
            },
            "commons_reason": self.commons_reason,
            "councils": {p: dict(v) for p, v in self.councils.items()},
            "seats": {p: dict(v) for p, v in self.seats.items()},
            "seats_declared": dict(self.seats_declared),
            "councils_declared": self.councils_declared,
            "councils_total": self.councils_total,
            "councils_compared": self.councils_compared,
        }


def baseline_lookup(engine: "Engine") -> dict[str, tuple[BaselineWard, Mapping[str, float]]]:
    """Each declared ward's baseline contest and its shares, matched exactly as the engine
    matched it (``BaselineIndex.match`` on the current declaration's ward code and name)."""
    out: dict[str, tuple[BaselineWard, Mapping[str, float]]] = {}
    for ward_id, ward in engine.ward_results.items():
        decl = engine.declarations.get(ward_id)
        index = engine.indices.get(ward.council)
        if not ward.comparable or decl is None or index is None or decl.kind != "ward":
            continue
        baseline, _ = index.match(decl.ward_code, decl.ward)
        if baseline is not None:
            out[ward_id] = (baseline, index.shares[(baseline.ward_code, baseline.ward)])
    return out


def _by_party(counts: Mapping[str, int], changes: Mapping[str, int],
              extra: Callable[[str], dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    names = set(counts) | {p for p, n in changes.items() if n}
    order = sorted(names, key=lambda p: (-counts.get(p, 0), p))
    return {p: {"count": counts.get(p, 0), "change": changes.get(p, 0), **(extra(p) if extra else {})}
            for p in order}


def _tally_tables(tally: "Tally") -> tuple[dict, dict]:
    councils = _by_party(tally.control, tally.control_change())
    seats = _by_party(tally.seats_won_compared, tally.seat_change, lambda p: {"exact": tally.seats_exact(p)})
    return councils, seats


def national_picture(engine: "Engine", at: str | None = None, *,
                     thresholds: Thresholds | None = None) -> NationalPicture:
    """The national picture as the engine has it: the share estimate (from the current
    version of every declared ward), the Commons projection (when there is an estimate and
    the night has general_election.csv), and councils and seats by party from the national
    tally. ``at``: the night time the engine stands at, reported as given (default: the
    latest declaration the engine has applied); replay the engine to that time first.
    ``thresholds``: default :class:`Thresholds` (the shipped rules/national.yaml)."""
    thresholds = thresholds or Thresholds()
    setup = engine.setup
    pns = baseline_projection(setup.election.context)
    base = dict(pns.values) if pns else {}
    estimate = estimate_shares(engine.ward_results, baseline_lookup(engine), base,
                               min_wards=thresholds.min_wards, min_councils=thresholds.min_councils)
    if at is None and engine.declarations:
        at = max(d.declared_at for d in engine.declarations.values()).isoformat()
    label = setup.election.baseline_label
    projection, why = None, None
    if not setup.general_election:
        why = "the night has no general_election.csv: no general election to project onto"
    elif not estimate.estimated:
        why = "no national share estimate yet"
    else:
        projection = project_commons(setup.general_election, estimate.shares)
    tally = engine.tally()
    councils, seats = _tally_tables(tally)
    return NationalPicture(
        at=at, estimate=estimate, baseline_key=pns.key if pns else None, baseline_label=label,
        baseline_cite=pns.cite if pns else None,
        method=method_statement(label, pns.cite if pns else None, estimate.main_parties) if pns else
        "No estimate: the night gives no projected national share for the baseline to start from.",
        commons_projection=projection, commons_reason=why, councils=councils, seats=seats,
        seats_declared=dict(sorted(tally.seats_won.items(), key=lambda kv: (-kv[1], kv[0]))),
        councils_declared=tally.councils_final, councils_total=tally.councils_total,
        councils_compared=tally.councils_compared)
