#!/usr/bin/env python3
"""Drafting benchmark: draft and fact-check every story of a night.

    python bench/draft.py                 # the 2022 night (if ../shared/data is there) and a synthetic night of 40,000+ stories
    python bench/draft.py --night DIR     # any election directory
    python bench/draft.py --stories 40000 # size of the synthetic night, in stories

A night is replayed once through engine and desk; then every standing story is drafted
again from its events (the drafting cost alone) and fact-checked, best of ``--repeat``
runs. Each run checks as if for the first time (the gate's paragraph analyses and evidence
are dropped between runs), except that the sentence shapes and plans it has read stay known,
as they would be an hour into a night. Prints stories per second for drafting, checking and both, per-story latency
(p50, p99), words per story and peak memory (tracemalloc).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import machine, percentile  # noqa: E402
from synth import generate  # noqa: E402

from writer.check import FactChecker  # noqa: E402
from writer.night import draft_night  # noqa: E402
from writer.draft.style import PartyNames  # noqa: E402
from writer.runtime import freeze_long_lived  # noqa: E402


def bench(label: str, directory: Path, repeat: int) -> dict:
    night, engine, desk = draft_night(directory)
    gc.collect()
    freeze_long_lived()
    stories = desk.current()
    drafter = desk.drafter
    work = [(s.id, s.kind, list(desk.events[s.id].values())) for s in stories]
    checker = FactChecker.for_night(night.setup, PartyNames.load(ROOT / "rules" / "parties.yaml"))
    best = None
    for _ in range(repeat):
        # every run checks text the gate has not seen: its paragraph analyses and evidence
        # are dropped (the sentence plans it has learnt stay, as they would on a night)
        checker.reader.cache.clear()
        checker._evidence_cache.clear()
        draft_lat, check_lat, failures = [], [], 0
        drafted = []
        start = time.perf_counter()
        for sid, kind, events in work:
            t = time.perf_counter()
            final = [e for e in events if not e.provisional] or events
            drafted.append(drafter.draft(sid, kind, final))
            draft_lat.append(time.perf_counter() - t)
        mid = time.perf_counter()
        for story in drafted:
            t = time.perf_counter()
            failures += not checker.check(story).ok
            check_lat.append(time.perf_counter() - t)
        end = time.perf_counter()
        run = (end - start, mid - start, end - mid, draft_lat, check_lat, failures, drafted)
        if best is None or run[0] < best[0]:
            best = run
    total, draft_s, check_s, draft_lat, check_lat, failures, drafted = best
    gc.collect()
    tracemalloc.start()
    for sid, kind, events in work[:2000]:
        checker.check(drafter.draft(sid, kind, [e for e in events if not e.provisional] or events))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(drafted)
    words = sorted(len(s.text().split()) for s in drafted)
    print(f"{label:>16}  {n:6d} stories ({sum(s.kind == 'council' for s in drafted)} council, "
          f"{sum(s.kind == 'ward' for s in drafted)} ward, {sum(s.kind == 'group' for s in drafted)} group), "
          f"median {words[n // 2]} words | draft {n / draft_s:6.0f}/s p50 {percentile(draft_lat, 50) * 1e6:4.0f}us "
          f"p99 {percentile(draft_lat, 99) * 1e6:5.0f}us | check {n / check_s:6.0f}/s p50 {percentile(check_lat, 50) * 1e6:4.0f}us "
          f"p99 {percentile(check_lat, 99) * 1e6:5.0f}us | both {n / total:6.0f} stories/s | "
          f"fact-check failures {failures} | peak {peak / 2**20:.1f} MB (2,000 stories)", flush=True)
    return {"stories": n, "per_s": n / total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--night", type=Path)
    parser.add_argument("--stories", type=int, default=40_000, help="minimum stories in the synthetic night")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{machine()}; best of {args.repeat} runs", flush=True)
    if args.night:
        bench(args.night.name, args.night, args.repeat)
        return
    real = ROOT.parent / "shared" / "data" / "le2022"
    if (real / "councils.csv").exists():
        bench("le2022", real, args.repeat)
    else:
        print(f"(skipping the real night: {real} not found)")
    with tempfile.TemporaryDirectory() as tmp:
        # a synthetic night of scale 1 gives about 1,250 stories (notable wards, every
        # council, the groups): size the night to give at least --stories
        scale = max(1.0, args.stories / 1_200)
        out = Path(tmp) / "synthetic"
        generate(out, scale=scale, seed=args.seed)
        bench(f"synthetic {scale:.0f}x", out, max(1, args.repeat - 2))


if __name__ == "__main__":
    main()
