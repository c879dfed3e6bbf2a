#!/usr/bin/env python3
"""The story of the night: how long the round-up and the national picture take to draft.

    python bench/roundup.py                  # the 2022 night (if ../shared/data is there) and the demo night
    python bench/roundup.py --night DIR      # any election directory
    python bench/roundup.py --points 12      # how many moments of the night to draft at

The night is replayed once through engine and desk, stopping at ``--points`` moments spread
over its declarations; at each, the national picture (the share estimate over every ward
declared so far and the Commons projection) and the whole round-up (news judgement,
verdicts, groups, what to watch; drafted and fact-checked) are timed, best of ``--repeat``.
Prints latency percentiles for each part, and peak memory (tracemalloc) of one round-up.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import machine, percentile  # noqa: E402

from writer.check import FactChecker  # noqa: E402
from writer.compare.national import national_picture  # noqa: E402
from writer.night import build  # noqa: E402
from writer.draft.roundup import draft_roundup  # noqa: E402
from writer.identity import default_registry  # noqa: E402
from writer.ingest import load_night  # noqa: E402


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench(label: str, directory: Path, points: int, repeat: int) -> None:
    night = load_night(directory, registry=default_registry(None))
    engine, desk = build(night)
    checker = FactChecker.for_night(night.setup, desk.drafter.names)
    decls = night.declarations
    stops = {max(0, round(len(decls) * (i + 1) / points) - 1) for i in range(points)}
    picture_ms, draft_ms, check_ms, wards = [], [], [], []
    for i, decl in enumerate(decls):
        desk.apply(engine.apply(decl).events)
        if i not in stops:
            continue
        t_pic, pic = _best(lambda: national_picture(engine), repeat)
        t_draft, story = _best(lambda: draft_roundup(night, engine, desk, decl.declared_at), repeat)
        t_check, result = _best(lambda: checker.check(story), repeat)
        assert result.ok, result.failures[:3]
        picture_ms.append(t_pic * 1e3)
        draft_ms.append(t_draft * 1e3)
        check_ms.append(t_check * 1e3)
        wards.append(pic.to_dict()["wards_used"])
    tracemalloc.start()
    draft_roundup(night, engine, desk)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label}: {len(decls):,} declarations, {len(stops)} moments; wards in the estimate "
          f"{min(wards)}..{max(wards)}")
    for name, ms in (("national picture", picture_ms), ("round-up draft (incl. picture)", draft_ms),
                     ("round-up fact-check", check_ms)):
        print(f"  {name:32} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   "
              f"max {max(ms):7.1f} ms")
    print(f"  peak memory of one round-up draft: {peak:.1f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--night", type=Path, action="append")
    ap.add_argument("--points", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(machine())
    nights = args.night or [p for p in (ROOT.parent / "shared" / "data" / "le2022", ROOT / "samples" / "demo-night")
                            if p.is_dir()]
    for d in nights:
        bench(d.name, d, args.points, args.repeat)


if __name__ == "__main__":
    main()
