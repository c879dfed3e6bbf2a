#!/usr/bin/env python3
"""The writer's drafting and fact-checking against RosaeNLG's rendering, in one run.

    python bench/versus_rosaenlg.py [--rounds 3] [--records 5000] [--night ../shared/data/le2022]
                                    [--scratch DIR] [--code DIR]

RosaeNLG (a Node library for natural-language generation) renders a 116-word council story
from seeded records with no fact-check, in the shared harness ``../shared/bench/rosaenlg``
(read-only: it is copied to a scratch folder, where ``npm install`` fetches rosaenlg 3.2.6 the
first time, and ``gen_data.js`` makes the records). The writer drafts every standing story of
the 2022 night from its events and checks each draft with the night's gate. The two are run
in turn, ``--rounds`` times (these machines' speed drifts from minute to minute), with
``sum(range(100_000))`` timed each round as the machine's speed.

Each round, the gate's caches by paragraph text and by evidence are dropped first, so every
draft is read by spaCy and indexed afresh; what the gate has learnt of the night stays (its
plans by sentence skeleton, as an hour into a night: the drafts are the night's latest
versions, which it has read, so they are warm, as the drafting's compiled templates are;
``bench/check_speed.py`` measures a cold gate too).

``--code DIR`` imports the writer from another checkout (the rules and templates are that
checkout's too, where it has them).

Prints, per round and best of the rounds: µs per story and stories a second for RosaeNLG's
rendering, the writer's drafting, checking and both, and the ratio of RosaeNLG's time per
story to the writer's. Where Node or npm is absent (or the install fails), says so and prints
the writer's half alone.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import machine, reference_ms  # noqa: E402

HARNESS = ROOT.parent / "shared" / "bench" / "rosaenlg"
NIGHT = ROOT.parent / "shared" / "data" / "le2022"


class Rosae:
    """The shared RosaeNLG harness, copied to a scratch folder and installed there."""

    def __init__(self, scratch: Path, records: int) -> None:
        self.folder = scratch / "rosaenlg"
        self.records = records
        self.problem: str | None = None
        node, npm = shutil.which("node"), shutil.which("npm")
        if not node or not npm:
            self.problem = f"RosaeNLG skipped: {'node' if not node else 'npm'} is not installed"
        elif not (HARNESS / "bench_rosae.js").exists():
            self.problem = f"RosaeNLG skipped: the harness is not at {HARNESS}"
        else:
            self._install()

    def _run(self, *command: str, timeout: int = 900) -> subprocess.CompletedProcess:
        return subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=timeout)

    def _install(self) -> None:
        if not self.folder.exists():
            shutil.copytree(HARNESS, self.folder)
            for path in [self.folder, *self.folder.rglob("*")]:  # the shared copy is read-only
                path.chmod(path.stat().st_mode | 0o200)
        (self.folder / "results").mkdir(exist_ok=True)
        steps = []
        if not (self.folder / "node_modules" / "rosaenlg").exists():
            steps.append(("npm", "install", "--no-audit", "--no-fund"))
        steps.append(("node", "gen_data.js", str(self.records)))
        for step in steps:
            done = self._run(*step)
            if done.returncode:
                self.problem = f"RosaeNLG skipped: `{' '.join(step)}` failed: {(done.stderr or done.stdout)[-300:]}"
                return

    def ms_per_story(self, repeats: int) -> tuple[float, dict]:
        """The best of ``repeats`` timed passes over the records (after one untimed pass),
        in ms per story, and the harness's whole report."""
        done = self._run("node", "bench_rosae.js", "once", str(repeats))
        if done.returncode:
            raise RuntimeError(f"bench_rosae.js failed: {done.stderr[-300:]}")
        report = json.loads(done.stdout[done.stdout.index("{"):])
        return report["msPerText"]["min"], report


class Writer:
    """The writer's half: every standing story of the night drafted and checked."""

    def __init__(self, night_dir: Path) -> None:
        from writer.check import FactChecker
        from writer.draft.style import PartyNames
        from writer.night import draft_night
        from writer.runtime import freeze_long_lived

        night, _, desk = draft_night(night_dir)
        stories = desk.current()
        self.work = [(s.id, s.kind, [e for e in desk.events[s.id].values() if not e.provisional]
                      or list(desk.events[s.id].values())) for s in stories]
        self.drafter = desk.drafter
        from writer import resources

        names = PartyNames.load(resources.rules_dir() / "parties.yaml")
        # the night's gate as an hour into the night: it has read the night's stories
        self.checker = FactChecker.for_night(night.setup, names)
        self.checker.check_many(desk.feed)
        self.words = sorted(len(s.text().split()) for s in stories)
        gc.collect()
        freeze_long_lived()

    def round(self) -> dict[str, float]:
        """Seconds per story: drafting and checking."""
        clock = time.perf_counter
        self.checker.reader.cache.clear()
        self.checker._evidence_cache.clear()
        start = clock()
        drafted = [self.drafter.draft(sid, kind, events) for sid, kind, events in self.work]
        drafting = clock() - start
        start = clock()
        verdicts = [self.checker.check(story) for story in drafted]
        checking = clock() - start
        if not all(verdict.ok for verdict in verdicts):
            raise AssertionError(f"{sum(not v.ok for v in verdicts)} drafts failed the gate")
        size = len(drafted)
        return {"draft": drafting / size, "check": checking / size}


def _rate(seconds: float) -> str:
    return f"{seconds * 1e6:7.0f} µs {1 / seconds:9,.0f}/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records", type=int, default=5000, help="RosaeNLG's records (its gen_data.js)")
    parser.add_argument("--repeats", type=int, default=3, help="RosaeNLG's timed passes a round (best taken)")
    parser.add_argument("--night", type=Path, default=NIGHT)
    parser.add_argument("--scratch", type=Path, help="where to copy and install the harness (default: a "
                                                     "temporary folder, removed after)")
    parser.add_argument("--code", type=Path, help="import the writer from this checkout instead")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    if not (args.night / "councils.csv").exists():
        sys.exit(f"{args.night} is absent (the real 2022 night lives in ../shared/data)")
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = args.scratch or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        rosae = Rosae(scratch, args.records)
        if rosae.problem:
            print(rosae.problem, flush=True)
        writer = Writer(args.night)
        import writer as package

        rosae_line = "" if rosae.problem else f"; RosaeNLG: {args.records} records, one 116-word story each"
        print(f"writer ({Path(package.__file__).parent.parent}): {len(writer.work)} standing stories of "
              f"{args.night.name}, median {writer.words[len(writer.words) // 2]} words{rosae_line}", flush=True)
        rounds = []
        for number in range(1, args.rounds + 1):
            got = {"reference ms": reference_ms()}
            if not rosae.problem:
                got["rosaenlg"] = rosae.ms_per_story(args.repeats)[0] / 1e3
            got.update(writer.round())
            got["both"] = got["draft"] + got["check"]
            rounds.append(got)
            line = "  ".join(f"{key} {value * 1e6:.0f} µs" for key, value in got.items() if key != "reference ms")
            print(f"round {number}: sum(range(100_000)) {got['reference ms']:.2f} ms  {line}", flush=True)
        _summary(rounds, rosae.problem is None)


def _summary(rounds: list[dict[str, float]], with_rosae: bool) -> None:
    best = {key: min(got[key] for got in rounds) for key in rounds[0]}
    print(f"best of {len(rounds)} rounds (sum(range(100_000)) {best['reference ms']:.2f} ms at best):")
    if with_rosae:
        print(f"  RosaeNLG rendering, no check   {_rate(best['rosaenlg'])}")
    print(f"  writer drafting                {_rate(best['draft'])}")
    print(f"  writer checking                {_rate(best['check'])}")
    print(f"  writer drafting and checking   {_rate(best['both'])}")
    if with_rosae:
        ratios = [got["rosaenlg"] / got["both"] for got in rounds]
        print(f"  ratio, RosaeNLG's time per story to the writer's drafting and checking: best rounds "
              f"{best['rosaenlg'] / best['both']:.2f}x; each round {', '.join(f'{r:.2f}x' for r in ratios)} "
              f"(the aim: 2.5x)")


if __name__ == "__main__":
    main()
