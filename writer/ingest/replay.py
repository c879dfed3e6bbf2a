"""Replaying a recorded night: declarations in ``declared_at`` order, as fast as possible
or at a chosen speed (``speed=60``: one night-minute per second)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from writer.model import Declaration


def replay(declarations: Iterable[Declaration], speed: float = 0.0,
           sleep: Callable[[float], None] = time.sleep) -> Iterator[Declaration]:
    """Yield declarations in order; with ``speed`` > 0, wait between them in proportion to
    the night-time gap between their declared_at times."""
    previous = None
    for decl in sorted(declarations, key=lambda d: (d.declared_at, 0 if d.kind == "ward" else 1)):
        if speed > 0 and previous is not None:
            gap = (decl.declared_at - previous).total_seconds() / speed
            if gap > 0:
                sleep(gap)
        previous = decl.declared_at
        yield decl
