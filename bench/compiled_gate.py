#!/usr/bin/env python3
"""What compiling the fact-check gate would buy: its modules built with Cython, timed against
the same modules run as Python, and their verdicts compared.

    pip install cython && python bench/compiled_gate.py [--rounds 3] [--repeat 5] [--keep DIR]

The writer does not ship a compiled gate (``bench/RESULTS.md`` says why); this measures the
option. It copies ``writer/`` to a temporary directory and compiles ``writer/check/*.py`` there
with Cython, unchanged (no C types added). That takes 2-3 minutes and needs a C compiler. Then
it:

- runs ``bench/check_speed.py --all`` against each tree in turn, ``--rounds`` times interleaved
  (these machines' speed drifts from minute to minute), and prints the best of each measure
  and the ratio;
- checks every story version of the 2022 night, and every standing story with each of its
  figures given a minus sign (stories that must fail), with both trees, and requires identical
  verdicts: the same pass or fail, claims counted, failures, spans and reasons.

Skips with a reason where Cython, a C compiler or ``../shared/data`` is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NIGHT = ROOT.parent / "shared" / "data" / "le2022"
MEASURES = ("cold", "warm", "repeat")
_LINE = re.compile(r"^\s+(cold|warm|repeat)\s+(\d+) µs/story")
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")


def missing() -> str | None:
    try:
        import Cython  # noqa: F401
    except ImportError:
        return "skipped: Cython is not installed (pip install cython)"
    if not (shutil.which("cc") or shutil.which("gcc")):
        return "skipped: no C compiler"
    if not NIGHT.is_dir():
        return f"skipped: {NIGHT} is not here"
    return None


def build(into: Path) -> None:
    """``writer/`` copied to ``into`` with its gate's modules compiled in place."""
    shutil.copytree(ROOT / "writer", into / "writer", ignore=shutil.ignore_patterns("__pycache__"))
    for data in ("rules", "templates", "samples"):  # found beside the package, as in a checkout
        (into / data).symlink_to(ROOT / data, target_is_directory=True)
    modules = sorted(str(p.relative_to(into)) for p in (into / "writer" / "check").glob("*.py")
                     if p.name != "__init__.py")
    script = ("import sys; from Cython.Build import cythonize; from setuptools import Distribution\n"
              f"exts = cythonize({modules!r}, compiler_directives={{'language_level': 3}}, quiet=True)\n"
              "d = Distribution({'ext_modules': exts}); c = d.get_command_obj('build_ext'); c.inplace = True\n"
              "d.run_command('build_ext')\n")
    log = into / "build.log"
    with log.open("w") as out:
        done = subprocess.run([sys.executable, "-c", script], cwd=into, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"the Cython build failed; see {log}")
    built = sorted(p.name for p in (into / "writer" / "check").glob("*.so"))
    print(f"compiled {len(built)} modules: {', '.join(b.split('.')[0] for b in built)}")


def timings(code: Path | None, repeat: int) -> dict[str, float]:
    cmd = [sys.executable, str(HERE / "check_speed.py"), "--all", "--repeat", str(repeat), "--night", str(NIGHT)]
    if code is not None:
        cmd += ["--code", str(code)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    got = {m.group(1): float(m.group(2)) for m in map(_LINE.match, out.splitlines()) if m}
    if set(got) != set(MEASURES):
        sys.exit(f"bench/check_speed.py printed no figures:\n{out}")
    return got


def verdicts(code: Path | None) -> tuple[str, list]:
    """Run in a child process: which checker module was imported, and every verdict."""
    cmd = [sys.executable, __file__, "--dump"] + ([str(code)] if code is not None else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    got = json.loads(out)
    return got["module"], got["verdicts"]


def dump(code: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    if code:
        sys.path.insert(0, code)
    from writer.check import FactChecker
    from writer.check import checker as module
    from writer.night import draft_night
    from writer.draft.style import PartyNames

    night, _, desk = draft_night(str(NIGHT))
    checker = FactChecker.for_night(night.setup, PartyNames.load(ROOT / "rules" / "parties.yaml"))
    versions = [(s.text(), s.evidence) for s in desk.feed if s.status != "retracted"]
    negated = []
    for s in desk.current():
        text = s.text()
        for m in _FIGURE.finditer(text):
            negated.append((text[:m.start()] + "-" + text[m.start():], s.evidence))
    results = checker.check_many_texts(versions) + checker.check_many_texts(negated)
    rows = [[r.ok, r.claims, [[f.start, f.end, f.text, f.reason] for f in r.failures]] for r in results]
    json.dump({"module": Path(module.__file__).name, "verdicts": rows}, sys.stdout)


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--dump":
        dump(sys.argv[2] if len(sys.argv) > 2 else None)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", help="build in this directory and keep it (default: a temporary one)")
    args = ap.parse_args()
    why = missing()
    if why:
        print(why)
        return
    sys.path.insert(0, str(HERE))
    from stats import machine
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(args.keep or tmp)
        if args.keep and tree.exists():
            if any(tree.iterdir()) and not (tree / "build.log").exists():
                sys.exit(f"--keep {tree}: not empty and not an earlier build; give a new directory")
            shutil.rmtree(tree)  # an earlier build: built again
        tree.mkdir(parents=True, exist_ok=True)
        build(tree)

        python_mod, python_v = verdicts(None)
        compiled_mod, compiled_v = verdicts(tree)
        if not compiled_mod.endswith(".so") or python_mod != "checker.py":
            sys.exit(f"the trees imported {python_mod} and {compiled_mod}: not the builds meant")
        same = python_v == compiled_v
        failing = sum(1 for v in python_v if not v[0])
        print(f"verdicts: {len(python_v)} checks ({failing} failing), "
              f"{'identical' if same else 'DIFFERENT'} compiled and as Python")

        best = {"python": dict.fromkeys(MEASURES, float("inf")), "compiled": dict.fromkeys(MEASURES, float("inf"))}
        for _ in range(args.rounds):
            for name, code in (("python", None), ("compiled", tree)):
                for k, v in timings(code, args.repeat).items():
                    best[name][k] = min(best[name][k], v)
        print(f"bench/check_speed.py --all, best of {args.rounds} interleaved rounds, CPU µs per story:")
        for k in MEASURES:
            py, cy = best["python"][k], best["compiled"][k]
            print(f"  {k:<7} python {py:5.0f}   compiled {cy:5.0f}   {py / cy:4.2f}x")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
