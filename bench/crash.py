"""The crash harness from the command line: a night through the whole pipeline, killed with
SIGKILL again and again, and checked against an uninterrupted run.

    python bench/crash.py                       # 24 kills on SQLite, seed 20260507
    python bench/crash.py --kills 30 --seed 7 --database postgresql+psycopg://postgres@127.0.0.1/test

The harness itself, and what it checks, is ``tests/crash_harness.py`` (the tests run a shorter
seeded version of it: ``tests/test_crash_night.py``). With ``WP_URL``/``WP_USER``/
``WP_APP_PASSWORD`` set it publishes to that WordPress too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crash_harness import run  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=24)
    ap.add_argument("--seed", type=int, default=20260507)
    ap.add_argument("--database", default=None, help="a SQLAlchemy URL (default: a fresh SQLite file)")
    args = ap.parse_args(argv)
    wp = {k: os.environ.get(k, "") for k in ("WP_URL", "WP_USER", "WP_APP_PASSWORD")}
    wp = wp if all(wp.values()) else None
    url = args.database or str(Path(tempfile.mkdtemp(prefix="writer-crash-")) / "writer.db")
    print(f"crash harness: {args.kills} kills, seed {args.seed}, store {url}, "
          f"WordPress {'at ' + wp['WP_URL'] if wp else 'not configured'}", flush=True)
    report = run(url, kills=args.kills, seed=args.seed, wordpress=wp, say=lambda s: print(s, flush=True))
    print(json.dumps({k: v for k, v in report.__dict__.items() if k != "kills"}, indent=2))
    print("OK: every check held" if not report.problems else "FAILED:\n- " + "\n- ".join(report.problems))
    return 0 if not report.problems else 1


if __name__ == "__main__":
    sys.exit(main())
