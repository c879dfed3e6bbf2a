"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import os
import sys
import time


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def reference_ms() -> float:
    """CPU milliseconds for ``sum(range(100_000))``, best of five: how fast this core is just
    now (about 0.6-0.9 ms on a current laptop core), to compare runs made on other days or
    under other load."""
    best = float("inf")
    for _ in range(5):
        t = time.process_time()
        sum(range(100_000))
        best = min(best, time.process_time() - t)
    return best * 1e3


def machine() -> str:
    """"python 3.11.7; 2 cores; load average 0.9 1.0 1.2; sum(range(100_000)) in 1.11 ms":
    what every report starts with."""
    try:
        load = os.getloadavg()
        load_s = f"; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    except OSError:
        load_s = ""
    return (f"python {sys.version.split()[0]}; {os.cpu_count()} cores{load_s}; "
            f"sum(range(100_000)) in {reference_ms():.2f} ms")


def web_missing() -> str | None:
    """Why the web benchmarks cannot run here (httpx or uvicorn missing), else None."""
    try:
        import httpx  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"skipped: {exc} (pip install -e '.[web]')"
    return None
