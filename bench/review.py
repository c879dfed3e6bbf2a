#!/usr/bin/env python3
"""Review-app benchmark: the queue, a story page and an approve action with every story of a
real night in the store, and declarations ingested per second over HTTP.

    python bench/review.py                        # the 2022 night (../shared/data/le2022)
    python bench/review.py --night DIR --requests 100

1. The night is replayed into a fresh SQLite store through the store's Pipeline, and a chief
   is added. ``writer serve`` runs on it as a subprocess (a real uvicorn server) and an httpx
   client signs in and times, over ``--requests`` requests each (after a few warm-ups):
   ``GET /queue`` (every story of the night), ``GET /story/{id}`` (different stories, highest
   score first) and ``POST /story/{id}/approve`` (the same stories, as an editor opens and
   then approves; a failed fact-check is overridden with a reason, which a chief may do).
   p50 and p99 in milliseconds. Aim: the queue under 150 ms at p99.
2. The night's declarations are posted to ``POST /api/declarations`` on a fresh store, one
   per request and then 50 per request, and the rate of declarations stored per second is
   printed (a request the API refuses is reported and skipped).

Skips with a message when the night is absent.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import percentile, web_missing  # noqa: E402

LE2022 = ROOT.parent / "shared" / "data" / "le2022"
PASSWORD = "bench password for the review app"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
AIM_QUEUE_P99_MS = 150.0
START_TIMEOUT = 300.0
REQUEST_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``writer serve`` on a store, as a subprocess."""

    def __init__(self, night: Path, database: Path, log: Path) -> None:
        import httpx
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        env = dict(os.environ, WRITER_SECRET_KEY=secrets.token_urlsafe(48))
        env.pop("WRITER_DATABASE_URL", None)
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "writer.cli", "serve", "--night", str(night), "--database",
                 str(database), "--port", str(self.port), "--log-level", "warning"],
                cwd=str(ROOT), env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        started = time.perf_counter()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"writer serve exited ({self.proc.returncode}):\n{self.log()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"writer serve did not start in {START_TIMEOUT:g}s:\n{self.log()}")
            time.sleep(0.2)
        self.startup_s = time.perf_counter() - started

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


def ms(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1000:7.1f} ms   p90 {percentile(values, 90) * 1000:7.1f} ms   "
            f"p99 {percentile(values, 99) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms   (n={len(values)}, "
            f"{sum(v * 1000 > AIM_QUEUE_P99_MS for v in values)} over {AIM_QUEUE_P99_MS:g} ms)")


def last_error(log: str) -> str:
    lines = [ln for ln in log.splitlines() if ln and not ln.startswith((" ", "[", "(", "Traceback"))]
    return lines[-1][:200] if lines else "(nothing logged)"


def timed(fn, n: int, warmup: int = 3) -> tuple[list[float], list]:
    for i in range(warmup):
        fn(-1 - i)
    times, results = [], []
    for i in range(n):
        t = time.perf_counter()
        results.append(fn(i))
        times.append(time.perf_counter() - t)
    return times, results


def story_url(sid: str, action: str = "") -> str:
    return "/story/" + quote(sid, safe="") + (f"/{action}" if action else "")


# -- 1. the review app ---------------------------------------------------------------------------
def fill_store(night_dir: Path, database: Path):
    from writer.night import build
    from writer.ingest import load_night
    from writer.store import Pipeline, open_store
    from writer.store.users import ReviewRecords
    from writer.web.security import hash_password

    night = load_night(night_dir)
    store = open_store(database)
    pipeline = Pipeline(store, lambda: build(night))
    failed: list[str] = []
    t = time.perf_counter()
    for decl in night.declarations:
        try:
            pipeline.ingest(decl)
        except Exception as exc:  # noqa: BLE001 - reported: the rest of the night still goes in
            failed.append(f"{decl.id}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    took = time.perf_counter() - t
    ReviewRecords(store).add_user("bench", "chief", hash_password(PASSWORD), by="bench")
    stories = store.latest_stories()
    print(f"store: {len(night.declarations)} declarations replayed through the Pipeline in {took:.1f} s "
          f"({len(night.declarations) / took:.0f}/s); {len(stories)} standing stories")
    if failed:
        print(f"  !! {len(failed)} declaration(s) could not be stored (skipped):")
        for line in failed[:5]:
            print("     " + line)
    return night, store, stories, failed


def bench_review(night_dir: Path, work: Path, n: int) -> dict:
    import httpx

    database = work / "review.db"
    night, store, stories, failed = fill_store(night_dir, database)
    store.close()
    server = Server(night_dir, database, work / "serve-review.log")
    print(f"writer serve started in {server.startup_s:.1f} s (resuming the night from the store)")
    out: dict = {"stories": len(stories), "store_failures": len(failed)}
    try:
        with httpx.Client(base_url=server.base, timeout=REQUEST_TIMEOUT) as c:
            token = CSRF.search(c.get("/login").text).group(1)
            r = c.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False)
            assert r.status_code == 303, (r.status_code, r.text[:500])

            page = c.get("/queue")
            assert page.status_code == 200, page.status_code
            csrf = CSRF.search(page.text).group(1)
            ids = [s.story_id for s in stories]
            shown = sum(1 for sid in ids if quote(sid, safe="") in page.text or sid in page.text)
            print(f"queue page: {len(page.content) / 1024:.0f} KiB, {shown} of {len(ids)} stories linked")

            def queue(_):
                r = c.get("/queue")
                assert r.status_code == 200, r.status_code
                return len(r.content)

            out["queue"], _ = timed(queue, n)
            print(f"GET /queue           {ms(out['queue'])}")

            def queue_json(_):
                r = c.get("/queue.json")
                assert r.status_code == 200, r.status_code
            out["queue_json"], _ = timed(queue_json, n)
            print(f"GET /queue.json      {ms(out['queue_json'])}")

            picked = ids[:n + 3]  # highest score first; the first three are the warm-ups
            versions = {s.story_id: s.version for s in stories}

            def story(i):
                r = c.get(story_url(picked[i + 3 if i >= 0 else -1 - i]))
                assert r.status_code == 200, r.status_code
            out["story"], _ = timed(story, min(n, len(picked) - 3))
            print(f"GET /story/{{id}}      {ms(out['story'])}")

            def approve(i):
                sid = picked[i + 3 if i >= 0 else -1 - i]
                r = c.post(story_url(sid, "approve"), follow_redirects=False,
                           data={"version": str(versions[sid]), "csrf_token": csrf,
                                 "override_reason": "bench: approving every story"})
                return r.status_code
            out["approve"], codes = timed(approve, min(n, len(picked) - 3))
            print(f"POST /story/approve  {ms(out['approve'])}   statuses {sorted(set(codes))}")
    finally:
        server.stop()
    from writer.store import ReviewDecision, open_store
    s = open_store(database)
    try:
        decisions = [d for sid in picked for d in s.decisions(sid)]
        print(f"  recorded: {sum(d.decision == 'approved' for d in decisions)} approvals, "
              f"{sum(d.decision == 'override' for d in decisions)} fact-check overrides "
              f"({s.count(ReviewDecision)} decisions in the store)")
    finally:
        s.close()
    p99 = percentile(out["queue"], 99) * 1000
    verdict = "meets" if p99 < AIM_QUEUE_P99_MS else "MISSES"
    print(f"queue p99 {p99:.1f} ms with {len(stories)} stories: {verdict} the aim of "
          f"{AIM_QUEUE_P99_MS:g} ms")
    return out


# -- 2. ingest over HTTP ---------------------------------------------------------------------------
def body_of(decl) -> dict:
    from writer.store import declaration_to_payload
    d = declaration_to_payload(decl)
    for key in ("v", "id"):
        d.pop(key)
    if d.get("source") is None:
        d.pop("source")
    return d


def bench_ingest(night_dir: Path, work: Path, batch: int) -> dict:
    import httpx

    from writer.ingest import load_night
    from writer.store import Declaration, open_store
    from writer.web.tokens import add_token

    night = load_night(night_dir)
    bodies = [body_of(d) for d in sorted(night.declarations, key=lambda d: d.declared_at)]
    database = work / f"ingest-{batch}.db"
    store = open_store(database)
    token = add_token(store, "bench-feed")
    store.close()
    server = Server(night_dir, database, work / f"serve-ingest-{batch}.log")
    refused: list[str] = []
    latencies = []
    resets = 0
    try:
        with httpx.Client(base_url=server.base, timeout=REQUEST_TIMEOUT,
                          headers={"Authorization": f"Bearer {token}"}) as c:
            t0 = time.perf_counter()
            for i in range(0, len(bodies), batch):
                chunk = bodies[i:i + batch]
                t = time.perf_counter()
                r = None
                for attempt in (1, 2):  # a connection dropped before any answer is re-sent once
                    try:
                        r = c.post("/api/declarations", json=chunk[0] if batch == 1 else chunk)
                        break
                    except httpx.TransportError as exc:
                        resets += 1
                        if server.proc.poll() is not None or attempt == 2:
                            refused.append(f"declarations {i}..{i + len(chunk) - 1}: no response ({exc})")
                if r is None:
                    if server.proc.poll() is not None:
                        print(f"  !! the server died (exit {server.proc.returncode})")
                        break
                    continue
                latencies.append(time.perf_counter() - t)
                if r.status_code not in (200, 201):
                    refused.append(f"declarations {i}..{i + len(chunk) - 1}: HTTP {r.status_code} "
                                   f"{r.text[:160]!r}; server: {last_error(server.log())}")
            took = time.perf_counter() - t0
    finally:
        server.stop()
    s = open_store(database)
    try:
        stored = s.count(Declaration)
    finally:
        s.close()
    rate = stored / took
    print(f"POST /api/declarations, {batch:>2} per request: {stored} of {len(bodies)} stored in {took:.1f} s "
          f"= {rate:.0f} declarations/s; per request {ms(latencies)}")
    if resets:
        print(f"  !! {resets} request(s) got no response (connection reset) and were re-sent")
    if refused:
        print(f"  !! {len(refused)} request(s) refused:")
        for line in refused[:5]:
            print("     " + line)
    return {"rate": rate, "stored": stored, "refused": len(refused)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--night", type=Path, default=LE2022, help="election directory (default: the 2022 night)")
    ap.add_argument("--requests", type=int, default=50, help="timed requests of each kind (default 50)")
    ap.add_argument("--no-ingest", action="store_true", help="skip the HTTP ingest figures")
    args = ap.parse_args(argv)
    if not (args.night / "councils.csv").exists():
        print(f"skipped: no night at {args.night} (the 2022 night lives in ../shared/data/le2022)")
        return 0
    missing = web_missing()
    if missing:
        print(missing)
        return 0
    with tempfile.TemporaryDirectory(prefix="writer-bench-review-") as tmp:
        work = Path(tmp)
        print(f"night: {args.night}")
        bench_review(args.night, work, args.requests)
        if not args.no_ingest:
            for batch in (1, 50):
                bench_ingest(args.night, work, batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
