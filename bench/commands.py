#!/usr/bin/env python3
"""The commands a person types, timed as whole processes: a fresh interpreter each run.

    python bench/commands.py                  # everything below, best and median of 5
    python bench/commands.py --repeat 3       # fewer runs
    python bench/commands.py --only serve     # only the commands whose label contains "serve"

What is timed (``python -m writer.cli``, from the project's root, so the code of this checkout
runs whatever an installed ``writer`` script points at):

- ``writer stories ../shared/data/le2022`` and ``writer results ../shared/data/le2022``, to
  their exit (their output goes to a pipe that is read and thrown away, as a terminal would
  show it);
- ``writer --help`` and every subcommand's ``--help`` (nested groups' commands too);
- ``writer serve --night ../shared/data/le2022`` until it answers its first request
  (``GET /login``, a page rendered from the store; polled every 10 ms from the moment the
  process is started), and until it is ready for everything (``GET /healthz`` answers 200:
  the night loaded, the store's declarations replayed, the fact-checker and the publisher
  made): on a fresh database (no file yet), and on one that already holds the whole night
  (every declaration, event and story version of 2022, made once with
  ``writer.night.open_pipeline`` and copied afresh for each run). Then the server is stopped.

For each: best and median wall time, and best and median peak memory (the process's peak
resident set: ``os.wait4``'s rusage for the commands run to their exit, ``VmHWM`` from
``/proc`` at the moment of the answer for ``serve``). This process imports none of the writer
(what it needs of it runs in a child), since a child's rusage counts the parent's resident
set at the fork. The machine line comes first
(load average and the reference loop ``sum(range(100_000))``): these machines are shared and
their speed varies from day to day, so compare figures only between runs made together.

The 2022 night lives in ``../shared/data/le2022`` beside the project; where it is absent,
the commands that need it are skipped with a message and the ``--help`` timings still run.
Exits 1 if any command failed (its stderr is shown).
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import machine  # noqa: E402

LE2022 = ROOT.parent / "shared" / "data" / "le2022"
CLI = (sys.executable, "-m", "writer.cli")
SERVE_TIMEOUT = 120.0  # seconds for serve to answer before the run counts as failed
POLL_EVERY = 0.01


@dataclass
class Timing:
    label: str
    walls: list[float] = field(default_factory=list)
    peaks_kb: list[int] = field(default_factory=list)
    failure: str | None = None

    def row(self) -> str:
        if self.failure:
            return f"| {self.label} | failed | | | |"
        walls = sorted(self.walls)
        peaks = sorted(self.peaks_kb)
        return (f"| {self.label} | {walls[0]:.2f} s | {statistics.median(walls):.2f} s | "
                f"{peaks[0] / 1024:.0f} MB | {statistics.median(peaks) / 1024:.0f} MB |")


def environment() -> dict[str, str]:
    """The environment every timed process gets: this checkout first on the path, no store
    URL from the caller's shell, a fixed session key (none generated and printed)."""
    env = dict(os.environ)
    env.pop("WRITER_DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["WRITER_SECRET_KEY"] = "bench-commands-session-key-not-secret-0123456789"
    return env


def run_to_exit(args: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS in KB, exit code, stderr tail) of one process run to its exit."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen([*CLI, *args], cwd=str(ROOT), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=errors)
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):  # drained as a terminal would (a full pipe would block it)
            pass
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        proc.stdout.close()
        errors.seek(0)
        tail = errors.read().decode(errors="replace")[-2000:]
    return wall, usage.ru_maxrss, proc.returncode, tail


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answered(port: int, path: str) -> int | None:
    """The status of ``GET path`` on 127.0.0.1:port, or None while nothing listens."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=SERVE_TIMEOUT) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            head = b""
            while b"\r\n" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    return None
                head += chunk
    except OSError:
        return None
    return int(head.split(b" ", 2)[1])


def peak_rss_kb(pid: int) -> int | None:
    """The process's peak resident set so far (Linux ``/proc/PID/status`` ``VmHWM``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def serve_times(night: Path, database: Path, env: dict[str, str], log: Path) -> tuple[float, int, float, int, int, str]:
    """``writer serve`` started on ``database``: (seconds to its first answer to ``GET
    /login``, peak RSS in KB then, seconds until ``GET /healthz`` answers 200 (the night
    loaded, the store's declarations replayed, the fact-checker and publisher made), peak RSS
    then, exit code (0 when both came), log tail)."""
    port = free_port()
    args = ["serve", "--night", str(night), "--database", str(database), "--port", str(port),
            "--log-level", "warning"]
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen([*CLI, *args], cwd=str(ROOT), env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
    got: list[tuple[float, int, int | None]] = []  # (seconds, status, peak) for /login, then /healthz
    try:
        for path in ("/login", "/healthz"):
            status = None
            while time.perf_counter() - start < SERVE_TIMEOUT and proc.poll() is None:
                status = answered(port, path)
                if status == 200 or (status is not None and path == "/login"):
                    break
                time.sleep(POLL_EVERY)
            got.append((time.perf_counter() - start, status, peak_rss_kb(proc.pid)))
            if status != 200:
                break
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    tail = log.read_text(errors="replace")[-2000:]
    if len(got) < 2 or got[-1][1] != 200:
        path = ("/login", "/healthz")[len(got) - 1]
        said = f"GET {path} answered {got[-1][1]}" if got[-1][1] is not None else f"GET {path} got no answer"
        return 0.0, 0, 0.0, 0, proc.returncode if proc.returncode not in (None, 0) else 1, f"{said}\n{tail}"
    (first, _, first_peak), (ready, _, ready_peak) = got
    return first, first_peak or 0, ready, ready_peak or 0, 0, tail  # peak 0: no /proc (not Linux)


def remove_database(database: Path) -> None:
    """A SQLite file and its journal (a stale ``-wal`` would be read into the next one)."""
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        path.unlink(missing_ok=True)


def in_child(call: str, env: dict[str, str]) -> str:
    """``call`` (an expression on this module) evaluated in a fresh interpreter; its printed
    result. This process imports nothing of the writer: a child's peak memory (``ru_maxrss``)
    counts the parent's resident set at the fork, which must stay small."""
    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import commands; print(repr(commands.{call}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=str(ROOT), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench/commands.py: {call} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def subcommands() -> list[list[str]]:
    """Every command path of ``writer`` (``["serve"]``, ``["users", "add"]``, ...), nested
    groups included, from the click group itself."""
    import click

    from writer.cli import main

    paths: list[list[str]] = []

    def walk(group: click.Group, prefix: list[str]) -> None:
        for name in sorted(group.commands):
            command = group.commands[name]
            paths.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(main, [])
    return paths


def full_night_store(night: Path, database: Path) -> int:
    """A SQLite store holding the whole night (every declaration ingested as ``writer serve``
    and the API would); returns how many declarations."""
    from writer import night as wiring
    from writer.store import open_store

    loaded = wiring.load(night)
    store = open_store(database)
    try:
        pipeline = wiring.open_pipeline(store, loaded)
        for decl in loaded.declarations:
            pipeline.ingest(decl)
    finally:
        store.close()
    return len(loaded.declarations)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each command (default 5)")
    ap.add_argument("--night", type=Path, default=LE2022, help=f"the night (default {LE2022})")
    ap.add_argument("--only", action="append", default=[],
                    help="only the commands whose label contains this (repeatable)")
    ap.add_argument("--no-help", action="store_true", help="leave out the --help timings")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    env = environment()
    night = args.night.resolve()
    have_night = night.is_dir()
    plan: list[tuple[str, str, list[str]]] = []  # (label, kind, args)
    if have_night:
        plan += [("writer stories le2022", "exit", ["stories", str(night)]),
                 ("writer results le2022", "exit", ["results", str(night)])]
    if not args.no_help:
        plan.append(("writer --help", "exit", ["--help"]))
        plan += [(f"writer {' '.join(p)} --help", "exit", [*p, "--help"])
                 for p in ast.literal_eval(in_child("subcommands()", env))]
    if have_night:
        plan += [("writer serve le2022, fresh database", "serve-fresh", []),
                 ("writer serve le2022, the whole night stored", "serve-full", [])]
    if args.only:
        plan = [p for p in plan if any(o in p[0] for o in args.only)]

    print(machine(), flush=True)
    if not have_night:
        print(f"skipped: stories, results and serve (no night at {night}; the 2022 night lives in "
              "../shared/data/le2022 beside the project)", flush=True)
    failed = 0
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory(prefix="writer-bench-commands-") as tmp:
        work = Path(tmp)
        full_db = work / "full-night.db"
        if any(kind == "serve-full" for _, kind, _ in plan):
            t = time.perf_counter()
            n = int(in_child(f"full_night_store(commands.Path({str(night)!r}), commands.Path({str(full_db)!r}))", env))
            print(f"(a store holding the whole night, {n} declarations, made in {time.perf_counter() - t:.1f} s)",
                  flush=True)
        for label, kind, cmd in plan:
            timing = Timing(label)
            ready = Timing(label.replace("writer serve", "writer serve ready") + " (GET /healthz 200)")
            for i in range(args.repeat):
                if kind == "exit":
                    wall, peak, code, tail = run_to_exit(cmd, env)
                else:
                    database = work / f"serve-{i}.db"
                    remove_database(database)
                    if kind == "serve-full":
                        shutil.copyfile(full_db, database)
                    wall, peak, ready_wall, ready_peak, code, tail = serve_times(night, database, env,
                                                                                 work / "serve.log")
                    remove_database(database)
                    if code == 0:
                        ready.walls.append(ready_wall)
                        ready.peaks_kb.append(ready_peak)
                if code != 0:
                    timing.failure = ready.failure = f"exit code {code}:\n{tail}"
                    break
                timing.walls.append(wall)
                timing.peaks_kb.append(peak)
            for t in (timing, ready) if kind != "exit" else (timing,):
                timings.append(t)
                if t.failure:
                    failed += 1
                    print(f"{t.label}: FAILED, {t.failure}", flush=True)
                else:
                    print(f"{t.label}: best {min(t.walls):.2f} s, median {statistics.median(t.walls):.2f} s, "
                          f"peak {statistics.median(t.peaks_kb) / 1024:.0f} MB", flush=True)

    print(f"\n{machine()}")
    print(f"best and median of {args.repeat} runs, each in a fresh interpreter "
          f"({' '.join(Path(c).name for c in CLI)}); serve: until it answers GET /login, and until "
          "GET /healthz answers 200\n")
    print("| command | best | median | peak memory, best | median |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for timing in timings:
        print(timing.row())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
