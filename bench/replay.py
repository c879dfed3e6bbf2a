#!/usr/bin/env python3
"""Replay benchmark: a night through ingest, compare and detect.

    python bench/replay.py                       # the 2022 night (if ../shared/data is there) and synthetic 1x, 4x, 10x
    python bench/replay.py --night DIR           # any election directory
    python bench/replay.py --scales 1,10 --repeat 3

For each night it prints: load time (reading and validating every file), engine
throughput in declarations per second, per-declaration latency (p50, p99, max) and peak
memory (tracemalloc, Python allocations) for load and replay. Synthetic nights are made by
bench/synth.py into a temporary directory.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import percentile  # noqa: E402
from synth import generate  # noqa: E402

from writer.compare.tally import load_groups  # noqa: E402
from writer.detect.rules import load_rules  # noqa: E402
from writer.engine import Engine  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.runtime import freeze_long_lived  # noqa: E402


def bench_night(label: str, directory: Path, repeat: int) -> dict:
    rules = load_rules(ROOT / "rules")
    groups = load_groups(ROOT / "rules" / "groups.yaml")
    gc.collect()
    t0 = time.perf_counter()
    night = load_night(directory)
    load_s = time.perf_counter() - t0
    # peak memory of loading, measured in a second load so tracing does not slow the timed one
    gc.collect()
    tracemalloc.start()
    load_night(directory)
    _, load_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    freeze_long_lived()  # as the CLI does

    best = None
    for _ in range(repeat):
        gc.collect()
        engine = Engine(night.setup, rules, groups)
        latencies = []
        clock = time.perf_counter
        start = clock()
        for decl in night.declarations:
            t = clock()
            engine.apply(decl)
            latencies.append(clock() - t)
            if decl.kind == "council":
                freeze_long_lived()  # as the CLI does
        total = clock() - start
        if best is None or total < best[0]:
            best = (total, latencies, engine)
    total, latencies, engine = best
    # peak memory of one replay, measured separately so tracing does not slow the timed runs
    gc.collect()
    tracemalloc.start()
    Engine(night.setup, rules, groups).apply_all(night.declarations)
    _, replay_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.unfreeze()
    n = len(night.declarations)
    row = {
        "night": label, "councils": len(night.councils), "declarations": n,
        "events": len(engine.log.records), "load_s": load_s, "replay_s": total,
        "per_s": n / total, "p50_us": percentile(latencies, 50) * 1e6,
        "p99_us": percentile(latencies, 99) * 1e6, "max_us": max(latencies) * 1e6,
        "mean_us": statistics.fmean(latencies) * 1e6,
        "load_peak_mb": load_peak / 2**20, "replay_peak_mb": replay_peak / 2**20,
    }
    print(f"{label:>14}  {row['councils']:5d} councils {n:6d} decls {row['events']:6d} events | "
          f"load {load_s:6.2f}s | replay {total:6.2f}s = {row['per_s']:7.0f} decl/s | "
          f"p50 {row['p50_us']:6.0f}us p99 {row['p99_us']:6.0f}us max {row['max_us']:7.0f}us | "
          f"peak {row['load_peak_mb']:6.1f} MB load, {row['replay_peak_mb']:6.1f} MB replay", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--night", type=Path, help="benchmark this election directory only")
    parser.add_argument("--scales", default="1,4,10", help="synthetic night sizes (default 1,4,10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed replays per night; the best is reported")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {sys.platform}; best of {args.repeat} replays", flush=True)
    if args.night:
        bench_night(args.night.name, args.night, args.repeat)
        return
    real = ROOT.parent / "shared" / "data" / "le2022"
    if (real / "councils.csv").exists():
        bench_night("le2022", real, args.repeat)
    else:
        print(f"(skipping the real night: {real} not found)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (float(s) for s in args.scales.split(",")):
            out = Path(tmp) / f"synth-{scale:g}"
            generate(out, scale=scale, seed=args.seed)
            rows.append((scale, bench_night(f"synthetic {scale:g}x", out, args.repeat)))
    if len(rows) > 1:
        base_scale, base = rows[0]
        print("growth against the smallest synthetic night (1.0 = linear):")
        for scale, row in rows[1:]:
            k = scale / base_scale
            print(f"  {scale:g}x: declarations x{row['declarations'] / base['declarations']:.1f}, "
                  f"replay time per declaration x{(row['replay_s'] / row['declarations']) / (base['replay_s'] / base['declarations']):.2f}, "
                  f"load time per declaration x{(row['load_s'] / row['declarations']) / (base['load_s'] / base['declarations']):.2f}, "
                  f"replay memory x{row['replay_peak_mb'] / base['replay_peak_mb']:.1f} (size x{k:g})")


if __name__ == "__main__":
    main()
