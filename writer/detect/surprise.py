"""Surprise: how far a result departs from what the night so far would predict.

The night's expectation is the average so far: for wards, each party's mean change in
vote share in comparable wards; for councils, each party's mean net seat change per seat
up in comparable councils. A result far from that is news beyond its rule's importance.
History ("first time since 1978") adds to it. Every figure is kept per subject, so a
correction replaces its earlier contribution instead of adding to it.
"""

from __future__ import annotations

from writer.compare.council import CouncilResult
from writer.compare.ward import WardResult

WARD_SCALE = 25.0  # percentage points of departure that count as fully surprising
LONG_RUN = 30  # years: ending or reviving control after this long is itself news


class _RunningMean:
    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.by_subject: dict[str, dict[str, float]] = {}

    def mean(self, party: str, excluding: str) -> float:
        """The mean so far, leaving out ``excluding``'s own earlier figure (a correction
        is judged against the rest of the night, not against itself)."""
        own = self.by_subject.get(excluding, {})
        n = self.counts.get(party, 0) - (party in own)
        return (self.sums.get(party, 0.0) - own.get(party, 0.0)) / n if n else 0.0

    def put(self, subject: str, values: dict[str, float]) -> None:
        for p, v in self.by_subject.pop(subject, {}).items():
            self.sums[p] -= v
            self.counts[p] -= 1
        for p, v in values.items():
            self.sums[p] = self.sums.get(p, 0.0) + v
            self.counts[p] = self.counts.get(p, 0) + 1
        self.by_subject[subject] = dict(values)


class NightModel:
    def __init__(self, poll_year: int) -> None:
        self.poll_year = poll_year
        self.shares = _RunningMean()
        self.seat_rates = _RunningMean()

    def ward_surprise(self, w: WardResult) -> float:
        """Largest departure of a party's share change from its mean so far, scaled to 0..1.
        Observes the ward afterwards, so the prediction never includes the ward itself."""
        departure = max((abs(v - self.shares.mean(p, w.declaration_id)) for p, v in w.share_change.items()), default=0.0)
        self.shares.put(w.declaration_id, w.share_change)
        return min(1.0, departure / WARD_SCALE)

    def council_surprise(self, r: CouncilResult) -> float:
        """Seat departure from the night's rates (0..1), plus history (up to 1 more)."""
        surprise = 0.0
        if r.seat_change is not None and r.seats_up:
            departure = sum(abs(n - self.seat_rates.mean(p, r.slug) * r.seats_up) for p, n in r.seat_change.items())
            surprise = min(1.0, departure / r.seats_up)
            self.seat_rates.put(r.slug, {p: n / r.seats_up for p, n in r.seat_change.items()})
        h = r.history
        if r.result_kind == "gain":
            if h.first_ever:
                surprise += 0.6
            elif h.last_controlled_to is not None and self.poll_year - h.last_controlled_to >= LONG_RUN:
                surprise += 0.4
        if r.result_kind in ("gain", "lose") and h.before_since is not None and self.poll_year - h.before_since >= LONG_RUN:
            surprise += 0.3
        return min(2.0, surprise)
