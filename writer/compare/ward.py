"""Compare one ward's declaration with the last time its seats were fought (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from writer import parties
from writer.ingest.wards import ward_key  # normalise_ward_name, each name worked out once
from writer.model import BaselineWard, Candidate, Council, WardDeclaration


@dataclass(frozen=True)
class BaselineIndex:
    """A council's baseline wards, looked up by ONS ward code first, then by normalised name."""

    by_code: dict[str, BaselineWard]
    by_name: dict[str, BaselineWard]
    baseline_cycle: str | None
    shares: dict[tuple[str, str], dict[str, float]]  # (code, name) -> vote shares, worked out once
    slates: dict[tuple[str, str], dict[str, int]]  # (code, name) -> candidates by party

    @classmethod
    def build(cls, wards: tuple[BaselineWard, ...], baseline_cycle: str | None) -> "BaselineIndex":
        by_code = {w.ward_code: w for w in wards if w.ward_code}
        by_name = {ward_key(w.ward): w for w in wards}
        shares = {(w.ward_code, w.ward): vote_shares(w.candidates)[1] for w in wards}
        slates = {(w.ward_code, w.ward): slates_of(w.candidates) for w in wards}
        return cls(by_code, by_name, baseline_cycle, shares, slates)

    def match(self, ward_code: str, ward: str) -> tuple[BaselineWard | None, str | None]:
        if ward_code and ward_code in self.by_code:
            return self.by_code[ward_code], "ward code"
        found = self.by_name.get(ward_key(ward))
        return (found, "name") if found else (None, None)


@dataclass(frozen=True)
class WardResult:
    """What a ward declaration means, compared like for like where that is possible."""

    declaration_id: str
    council: str
    ward: str
    seats: int
    winners: tuple[Candidate, ...]  # by votes, highest first
    won: dict[str, int]  # seats won by party
    has_votes: bool
    # comparison with the baseline (empty / None where not like for like)
    comparable: bool
    not_comparable_reason: str | None
    baseline_ward: str | None
    matched_by: str | None
    baseline_holders: dict[str, int]  # who held these seats: the baseline's top-placed winners
    seat_change: dict[str, int]  # won - baseline_holders, every party in either
    gains: tuple[tuple[str, str], ...]  # (gaining party, losing party), one per seat
    extra_seats: int  # seats elected tonight beyond the baseline's (a double vacancy): won, not gained from anyone
    holds: dict[str, int]
    # votes
    total_votes: int  # every vote cast for a candidate (a voter has as many votes as seats)
    shares: dict[str, float]  # % by party, by the top-candidate method (see vote_shares)
    share_change: dict[str, float]  # percentage points, like for like only (see like_for_like)
    majority: int | None  # votes: the last winner's lead over the best candidate of another party
    turnout_pct: float | None
    electorate: int | None

    @property
    def changed_hands(self) -> bool:
        return bool(self.gains)


def not_comparable(council: Council, baseline_cycle: str | None) -> tuple[str, str] | None:
    """Why seat changes in this council cannot be claimed ward by ward, as (code, reason), or
    None. The code is what rules and templates test (``new_council``, ``cycle_changed``,
    ``wards_redrawn``); the reason is the words editors see in the evidence."""
    if council.new_council:
        return "new_council", "new council: no baseline"
    if baseline_cycle is not None and baseline_cycle != council.cycle and council.cycle == "all-out":
        return "cycle_changed", f"cycle changed ({baseline_cycle} to all-out): no like-for-like comparison"
    if council.boundary_change:
        return "wards_redrawn", "wards redrawn since the baseline: no ward-by-ward comparison"
    return None


def party_votes(candidates: tuple[Candidate, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in candidates:
        out[c.party] = out.get(c.party, 0) + (c.votes or 0)
    return out


def slates_of(candidates: tuple[Candidate, ...]) -> dict[str, int]:
    """How many candidates each party stood."""
    return parties.count_parties(c.party for c in candidates)


def vote_shares(candidates: tuple[Candidate, ...]) -> tuple[int, dict[str, float]]:
    """Every vote cast for a candidate, and each party's share of the vote by the
    top-candidate method (DOMAIN.md): its best-placed candidate's votes as a percentage of
    the sum of every party's best-placed candidate's votes, each independent counting on
    their own. In a single-member ward this is the plain share of the vote; in a
    multi-member ward, where each voter has as many votes as seats, it does not grow with
    the number of candidates a party stands."""
    best: dict[str, int] = {}
    independents = 0
    cast = 0
    for c in candidates:
        votes = c.votes or 0
        cast += votes
        if c.party == "Ind":
            independents += votes
        if votes > best.get(c.party, -1):
            best[c.party] = votes
    denominator = sum(v for p, v in best.items() if p != "Ind") + independents
    if not denominator:
        return cast, {}
    return cast, {p: 100.0 * v / denominator for p, v in best.items()}


def like_for_like(seats: int, slates: dict[str, int], baseline_seats: int,
                  baseline_slates: dict[str, int]) -> frozenset[str]:
    """The parties whose share can be compared with the baseline contest: the ward elected
    as many seats both times, and the party stood as many candidates both times.
    Independents and residents' groups are not one party from contest to contest."""
    if seats != baseline_seats:
        return frozenset()
    return frozenset(p for p, n in slates.items()
                     if p not in ("Ind", "Res") and baseline_slates.get(p) == n)


def rival_margin(winners: tuple[Candidate, ...], losers: list[Candidate]) -> int | None:
    """The last-placed winner's lead over the best-placed loser of another party (in votes,
    both lists highest first): a seat decided between a party's own candidates decided
    nothing between parties. Independents are each their own rival. None where no other
    party's candidate lost."""
    if not winners:
        return None
    last = winners[-1]
    for loser in losers:
        if loser.party != last.party or loser.party == "Ind":
            return (last.votes or 0) - (loser.votes or 0)
    return None


def pair_gains(change: dict[str, int]) -> tuple[tuple[str, str], ...]:
    """Seats that changed hands, as (gainer, loser) pairs, largest movements first."""
    gainers = [p for p in sorted(change, key=lambda p: (-change[p], p)) for _ in range(max(change[p], 0))]
    losers = [p for p in sorted(change, key=lambda p: (change[p], p)) for _ in range(max(-change[p], 0))]
    return tuple(zip(gainers, losers))


def compare_ward(decl: WardDeclaration, council: Council, index: BaselineIndex | None) -> WardResult:
    ranked = sorted(decl.candidates, key=lambda c: -(c.votes or 0))
    winners = tuple(c for c in ranked if c.elected)
    losers = [c for c in ranked if not c.elected]
    won = parties.count_parties(c.party for c in winners)
    has_votes = decl.has_votes
    total, shares = vote_shares(decl.candidates) if has_votes else (0, {})
    majority = rival_margin(winners, losers) if has_votes else None

    gap = not_comparable(council, index.baseline_cycle if index else None)
    reason = gap[1] if gap else None
    baseline, matched_by = (None, None)
    if reason is None:
        baseline, matched_by = index.match(decl.ward_code, decl.ward) if index else (None, None)
        if baseline is None:
            reason = "no baseline ward matches this ward"
    holders: dict[str, int] = {}
    change: dict[str, int] = {}
    gains: tuple[tuple[str, str], ...] = ()
    extra = 0
    holds: dict[str, int] = {}
    share_change: dict[str, float] = {}
    if reason is None and baseline is not None:
        # Tonight's seats against the baseline's top-placed winners; where tonight elects more
        # (a double vacancy in a thirds council), the extra seats count as won outright.
        holders = parties.count_parties(c.party for c in baseline.top_winners(len(winners)))
        extra = len(winners) - sum(holders.values())
        change = parties.subtract_seats(won, holders)
        gains = pair_gains(change)
        holds = {p: min(n, holders.get(p, 0)) for p, n in won.items() if min(n, holders.get(p, 0))}
        if has_votes:
            key = (baseline.ward_code, baseline.ward)
            before = index.shares[key]
            same = like_for_like(decl.seats, slates_of(decl.candidates), baseline.seats, index.slates[key])
            share_change = {p: shares[p] - before[p] for p in shares if p in same and p in before}
    return WardResult(
        declaration_id=decl.id, council=decl.council, ward=decl.ward, seats=decl.seats,
        winners=winners, won=won, has_votes=has_votes,
        comparable=reason is None, not_comparable_reason=reason,
        baseline_ward=baseline.ward if baseline else None, matched_by=matched_by,
        baseline_holders=holders, seat_change=change, gains=gains, extra_seats=extra, holds=holds,
        total_votes=total, shares=shares, share_change=share_change, majority=majority,
        turnout_pct=decl.turnout_pct, electorate=decl.electorate,
    )
