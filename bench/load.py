#!/usr/bin/env python3
"""Load benchmark: a night replayed at 100 times real speed into ``writer serve`` while 10
editors work the review app and 50 readers poll the public feeds.

    python bench/load.py                                  # the demo night at 100x, to its end
    python bench/load.py --night synthetic --seconds 120  # a synthetic 1x night, first 2 minutes
    python bench/load.py --editors 10 --readers 50 --speed 100 --think 2 --poll-every 3
    python bench/load.py --night ../shared/data/le2022 --busiest-minute --speed 10 --rounds 5
                                                          # issue 18's figure: 2022's busiest minute at 10x

1. A fresh SQLite store gets an API token (``writer.web.tokens.add_token``), ``--editors``
   users (role editor) and nothing else; ``writer serve --night DIR`` runs on it as a
   subprocess (uvicorn, the publishing scheduler on, as on the night).
2. One feed posts the night's declarations to ``POST /api/declarations``, one per request, each
   when its turn comes: ``declared_at`` after the first declaration, divided by ``--speed``
   (``--max-gap``: night-time gaps longer than this many night seconds are cut to it, to skip
   the idle hours between counts; default: keep them). How late each post goes out is reported:
   if the server cannot keep up, the lag grows.
3. Meanwhile ``--editors`` editors sign in through ``/login`` with its CSRF token and loop:
   ``GET /queue``, open a story (``GET /story/{id}``: one of the top new or edited stories,
   chosen at random, so editors sometimes pick the same one), then approve it (70%), edit it
   (15%: one sentence added) or reject it (15%), with ``--think`` seconds (0.5x to 1.5x) of
   think time before each action.
4. And ``--readers`` feed readers poll ``/feeds/night.atom`` (half of them) or a council's
   ``/feeds/council/<slug>.atom`` every ``--poll-every`` seconds (0.5x to 1.5x), with
   ``If-None-Match`` once they have an ETag.

``--busiest-minute``: only the night's busiest minute is posted (the 60 seconds of night time
holding the most declarations). Everything declared before it is stored first, straight
through the store's pipeline before the server starts (``writer serve`` resumes from it, and
the editors find the queue as it stood then). The night's times are whole minutes, so the
declarations of one minute are spread evenly across it (the k-th of n at k x 60/n seconds)
rather than sent in one burst. The editors and readers start ``--warmup`` seconds (default
20) before the minute, as on the night they would already be at work; what they do then is
not measured. ``--rounds N`` runs it N times, each on a fresh copy of the preloaded store, and
pools the figures.

**Declaration to story in the queue**: a declaration's story versions are stored in the
transaction that answers its ``POST`` (the queue shows them from then on), so this is the time
from the moment the declaration was due (its place in the schedule) to its answer: the
request itself plus any wait behind the declarations before it. Printed with p50, p95 and p99
(issue 18's aim: p99 under 50 ms at the busiest minute replayed at 10x), with the rate of
declarations stored.

Prints, per kind of request: count, p50, p95, p99 and max latency, and statuses; throughput
(requests per second over the run); errors (any 5xx, transport failure or status that
request should not give; must be 0) and, counted apart, the expected outcomes: 409 when two
editors act on the same story (or it moved on), 422 when approval is refused because the
fact-check failed, 400 "already published" when an auto-publish rule released the version
between the editor's opening it and approving it, and a kept-alive connection the server had
closed (re-sent once on a new connection, as HTTP clients do). Exits 1 when there were errors.

The editors use httpx (cookies, forms); the readers and the declaration feed use the minimal
asyncio HTTP/1.1 client of bench/feeds.py, which costs far less per request, so that on a
small machine the load generator takes less of the CPU the server needs. The share of one
core the load generator used is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from feeds import RawClient  # noqa: E402
from review import Server, body_of  # noqa: E402
from stats import machine, percentile, web_missing  # noqa: E402

DEMO = ROOT / "samples" / "demo-night"
PASSWORD = "bench password for the load run"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'id="edit-version" value="(\d+)"')
HEADLINE = re.compile(r'id="edit-headline" name="headline" value="([^"]*)"')
BODY = re.compile(r'<textarea id="edit-body" name="body"[^>]*>(.*?)</textarea>', re.S)
ROW = re.compile(r'<tr class="queue-row[^"]*"([^>]*)>')  # a queue row's attributes, in any order
ATTRIBUTE = re.compile(r'data-([a-z-]+)="([^"]*)"')
ERROR = re.compile(r'<p class="error" id="error" role="alert">(.*?)</p>', re.S)
TIMEOUT = 60.0


class Tally:
    """Latencies and outcomes per kind of request."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors: list[str] = []
        self.expected: Counter = Counter()

    def add(self, kind: str, status: int | str, took: float, ok: bool, expected: str | None = None,
            detail: str = "") -> None:
        self.times[kind].append(took)
        self.statuses[kind][status] += 1
        if expected:
            self.expected[f"{kind} {status} ({expected})"] += 1
        elif not ok:
            self.errors.append(f"{kind}: {status} {detail[:200]}")


# -- the declaration feed -------------------------------------------------------------------------
def schedule(declarations, speed: float, max_gap: float | None,
             spread_minutes: bool = False) -> list[tuple[float, object]]:
    """(seconds after the start, declaration) for each, from ``declared_at`` / ``speed``.
    ``spread_minutes``: the declarations of one whole minute (times to the minute, as the
    2022 night's) are spread evenly across it instead of all being due at its first second."""
    ordered = sorted(declarations, key=lambda d: d.declared_at)
    out, night_s, prev = [], 0.0, ordered[0].declared_at
    for d in ordered:
        gap = (d.declared_at - prev).total_seconds()
        night_s += min(gap, max_gap) if max_gap is not None else gap
        prev = d.declared_at
        out.append((night_s / speed, d))
    if spread_minutes:
        by_time: dict[object, list[int]] = defaultdict(list)
        for i, (_due, d) in enumerate(out):
            by_time[d.declared_at].append(i)
        for when, indices in by_time.items():
            if when.second or when.microsecond:
                continue  # not a whole minute: its time stands
            for k, i in enumerate(indices):
                due, d = out[i]
                out[i] = (due + k * 60.0 / len(indices) / speed, d)
        out.sort(key=lambda item: item[0])
    return out


def busiest_minute(declarations) -> tuple[list, list]:
    """(declared before the busiest minute, declared in it): the 60 seconds of night time,
    starting at a declaration, that hold the most declarations (the first such)."""
    ordered = sorted(declarations, key=lambda d: d.declared_at)
    times = [d.declared_at for d in ordered]
    best_start, best_count, end = 0, 0, 0
    for start, t in enumerate(times):
        end = max(end, start)
        while end < len(times) and (times[end] - t).total_seconds() < 60:
            end += 1
        if end - start > best_count:
            best_start, best_count = start, end - start
    return ordered[:best_start], ordered[best_start:best_start + best_count]


def drop_if_closed(client: RawClient) -> None:
    """Forget a kept-alive connection the server has closed meanwhile (uvicorn closes idle
    ones after 5 s), as any HTTP client checks before reusing one."""
    if client.conn is not None and client.conn[0].at_eof():
        client.conn[1].close()
        client.conn = None


async def request(client: RawClient, send, tally: Tally):
    """``send()`` on the raw client; a kept-alive connection that turns out closed before any
    byte of the answer came back is opened again and the request sent once more (safe here:
    GETs, and declarations are idempotent by id). Counted apart as reconnects."""
    drop_if_closed(client)
    reused = client.conn is not None
    try:
        return await send()
    except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError) as exc:
        if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
            raise
        client.conn = None
        tally.expected["stale keep-alive connection, re-sent"] += 1
        return await send()


async def post_json(client: RawClient, url: str, body: bytes, token: str):
    """POST with the raw client (same connection handling as its GET)."""
    if client.conn is None:
        client.conn = await asyncio.open_connection(client.host, client.port)
    reader, writer = client.conn
    writer.write((f"POST {url} HTTP/1.1\r\nHost: {client.host}:{client.port}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
    data = await reader.readexactly(int(fields.get("content-length", "0")))
    if fields.get("connection", "").lower() == "close":
        writer.close()
        client.conn = None
    return status, data


async def feed(base: str, token: str, plan, tally: Tally, start: float, stop: asyncio.Event,
               deadline: float, lags: list[float], to_queue: list[float]) -> int:
    client = RawClient(base)
    sent = 0
    try:
        for due, decl in plan:
            now = time.perf_counter() - start
            if now < due:
                try:
                    await asyncio.wait_for(stop.wait(), due - now)
                except asyncio.TimeoutError:
                    pass
            if stop.is_set() or time.perf_counter() >= deadline:
                break
            lags.append(max(0.0, time.perf_counter() - start - due))
            body = json.dumps(body_of(decl)).encode()
            t = time.perf_counter()
            try:
                status, data = await request(client, lambda: post_json(client, "/api/declarations", body, token),
                                             tally)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                client.conn = None
                tally.add("POST /api/declarations", type(exc).__name__, time.perf_counter() - t, False, detail=str(exc))
                continue
            done = time.perf_counter()
            tally.add("POST /api/declarations", status, done - t, status in (200, 201),
                      detail=data[:200].decode(errors="replace"))
            if status in (200, 201):  # stored with its stories: in the queue from now on
                to_queue.append(done - (start + due))
            sent += 1
    finally:
        await client.aclose()
    return sent


# -- editors ----------------------------------------------------------------------------------------
async def editor(n: int, base: str, tally: Tally, stop: asyncio.Event, think: float, seed: int,
                 actions: Counter) -> None:
    import httpx

    rng = random.Random(seed * 7919 + n)
    name = f"editor{n}"
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, follow_redirects=False) as c:
        async def timed(kind: str, method: str, url: str, ok: tuple[int, ...], expected: dict[int, str] | None = None,
                        **kw):
            t = time.perf_counter()
            try:
                r = await c.request(method, url, **kw)
            except httpx.HTTPError as exc:
                tally.add(kind, type(exc).__name__, time.perf_counter() - t, False, detail=str(exc))
                return None
            took = time.perf_counter() - t
            said = ERROR.search(r.text)  # a page's error message says more than its first bytes
            detail = html.unescape(said.group(1)) if said else r.text[:200]
            why = (expected or {}).get(r.status_code)
            if isinstance(why, tuple):  # (what it means, what the message must say)
                why = why[0] if why[1] in detail else None
            tally.add(kind, r.status_code, took, r.status_code in ok, why, detail=detail)
            return r

        async def sign_in() -> bool:
            page = await timed("GET /login", "GET", "/login", (200,))
            if page is None or page.status_code != 200:
                return False
            r = await timed("POST /login", "POST", "/login", (303,), data={
                "username": name, "password": PASSWORD, "csrf_token": CSRF.search(page.text).group(1)})
            return r is not None and r.status_code == 303

        async def pause(scale: float = 1.0) -> None:
            try:
                await asyncio.wait_for(stop.wait(), think * scale * (0.5 + rng.random()))
            except asyncio.TimeoutError:
                pass

        await pause(0.5)  # editors do not all start at the same instant
        if not await sign_in():
            return
        while not stop.is_set():
            q = await timed("GET /queue", "GET", "/queue", (200,))
            if q is None or q.status_code != 200:
                await pause()
                continue
            rows = [(html.unescape(a["story-id"]), int(a["version"]), a["status"], a["check"], html.unescape(a["url"]))
                    for a in (dict(ATTRIBUTE.findall(attrs)) for attrs in ROW.findall(q.text))]
            if not rows and "queue-row" in q.text:
                raise RuntimeError("bench/load.py cannot read the queue's rows: has their markup changed?")
            todo = [r for r in rows if r[2] in ("new", "edited")]
            if not todo:
                await pause()
                continue
            sid, _v, _st, check, url = rng.choice(todo[:20])  # the top of the queue: editors collide
            page = await timed("GET /story/{id}", "GET", url, (200,))
            if page is None or page.status_code != 200:
                await pause()
                continue
            m_version, m_csrf = VERSION.search(page.text), CSRF.search(page.text)
            if m_version is None or m_csrf is None:  # not editable (retracted meanwhile)
                actions["not editable"] += 1
                await pause()
                continue
            version, csrf = m_version.group(1), m_csrf.group(1)
            await pause()  # reading the story
            if stop.is_set():
                break
            action = rng.choices(("approve", "edit", "reject"), (70, 15, 15))[0]
            path = "/story/" + quote(sid, safe="")
            if action == "approve":
                r = await timed("POST approve", "POST", path + "/approve", (303,),
                                {409: "conflict", 422: "fact-check failed, approval refused",
                                 400: ("a rule published it meanwhile", "already published")},
                                data={"version": version, "csrf_token": csrf, "return": "queue"})
            elif action == "reject":
                r = await timed("POST reject", "POST", path + "/reject", (303,), {409: "conflict"},
                                data={"version": version, "csrf_token": csrf, "note": "bench: not worth a story",
                                      "return": "queue"})
            else:
                headline = HEADLINE.search(page.text)
                body = BODY.search(page.text)
                if headline is None or body is None:
                    actions["no edit form"] += 1
                    continue
                text = html.unescape(body.group(1)).strip() + "\n\nCounting continues elsewhere in the region."
                r = await timed("POST edit", "POST", path + "/edit", (303,), {409: "conflict"},
                                data={"version": version, "csrf_token": csrf, "headline": html.unescape(headline.group(1)),
                                      "body": text, "query": ""})
            if r is not None:
                actions[f"{action} {r.status_code}"] += 1
                if r.status_code in (303, 401) and "/login" in r.headers.get("location", ""):
                    await sign_in()  # the session ran out


# -- feed readers -------------------------------------------------------------------------------------
async def reader(n: int, base: str, urls: list[str], tally: Tally, stop: asyncio.Event, every: float,
                 seed: int) -> None:
    rng = random.Random(seed * 104729 + n)
    client = RawClient(base)
    url = urls[n % len(urls)]
    kind = "GET /feeds/night.atom" if url == "/feeds/night.atom" else "GET /feeds/council/*.atom"
    etag = None
    try:
        await asyncio.sleep(every * rng.random())
        while not stop.is_set():
            headers = {"If-None-Match": etag} if etag else {}
            t = time.perf_counter()
            try:
                status, fields, body = await request(client, lambda: client.get(url, headers), tally)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                client.conn = None
                tally.add(kind, type(exc).__name__, time.perf_counter() - t, False, detail=str(exc))
            else:
                took = time.perf_counter() - t
                tally.add(kind + (" (304)" if status == 304 else ""), status, took, status in (200, 304),
                          detail=f"{url}: {body[:160]!r}")
                if status == 200:
                    etag = fields.get("etag")
                if fields.get("connection", "").lower() == "close":
                    client.conn = None
            try:
                await asyncio.wait_for(stop.wait(), every * (0.5 + rng.random()))
            except asyncio.TimeoutError:
                pass
    finally:
        await client.aclose()


# -- the run -------------------------------------------------------------------------------------
async def run(base: str, token: str, plan, args, councils: list[str]) -> tuple[Tally, dict]:
    tally = Tally()
    stop = asyncio.Event()
    actions: Counter = Counter()
    lags: list[float] = []
    to_queue: list[float] = []
    rng = random.Random(args.seed)
    urls = ["/feeds/night.atom"] + [f"/feeds/council/{quote(c, safe='')}.atom"
                                    for c in rng.sample(councils, min(len(councils), max(1, args.readers // 2)))]
    # half the readers on the night's feed, the rest spread over councils
    reader_urls = [urls[0] if i % 2 == 0 else urls[1 + (i // 2) % (len(urls) - 1)] for i in range(args.readers)]
    tasks = [asyncio.create_task(editor(i, base, tally, stop, args.think, args.seed, actions))
             for i in range(args.editors)]
    tasks += [asyncio.create_task(reader(i, base, [u], tally, stop, args.poll_every, args.seed))
              for i, u in enumerate(reader_urls)]
    if args.warmup > 0:  # editors signed in and readers polling before the first declaration
        await asyncio.sleep(args.warmup)
        tally.times.clear()  # what is measured starts now (errors and outcomes are kept)
        tally.statuses.clear()
    start = time.perf_counter()
    cpu0 = time.process_time()
    last_due = plan[-1][0] if plan else 0.0
    deadline = start + (min(args.seconds, last_due + 1) if args.seconds else last_due + 1)
    sent = await feed(base, token, plan, tally, start, stop, deadline, lags, to_queue)
    if args.tail > 0:  # the editors and readers carry on a little after the last declaration
        await asyncio.sleep(args.tail)
    stop.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    return tally, {"elapsed": elapsed, "client_cpu": cpu, "sent": sent, "lags": lags, "actions": actions,
                   "planned": len(plan), "feeds": len(urls), "to_queue": to_queue,
                   "posting": (min(args.seconds, last_due) if args.seconds else last_due)}


def ms(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1000:7.1f} ms  p95 {percentile(values, 95) * 1000:7.1f} ms  "
            f"p99 {percentile(values, 99) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms")


def setup_store(database: Path, editors: int, night=None, before=()) -> str:
    """A store with an API token and ``editors`` editors; and ``before``, declarations of
    ``night``, ingested through the store's pipeline as ``writer serve`` would have."""
    from writer.store import open_store
    from writer.store.users import ReviewRecords
    from writer.web.security import hash_password
    from writer.web.tokens import add_token

    store = open_store(database)
    try:
        token = add_token(store, "bench-load-feed")
        records = ReviewRecords(store)
        hashed = hash_password(PASSWORD)
        for i in range(editors):
            records.add_user(f"editor{i}", "editor", hashed, by="bench")
        if before:
            from writer.night import open_pipeline
            pipeline = open_pipeline(store, night)
            for decl in before:
                pipeline.ingest(decl)
    finally:
        store.close()
    return token


def merge(into: tuple[Tally, dict] | None, got: tuple[Tally, dict]) -> tuple[Tally, dict]:
    """Two runs' figures pooled (``--rounds``)."""
    if into is None:
        return got
    tally, info = into
    more, extra = got
    for kind, times in more.times.items():
        tally.times[kind].extend(times)
        tally.statuses[kind].update(more.statuses[kind])
    tally.errors.extend(more.errors)
    tally.expected.update(more.expected)
    for key in ("elapsed", "client_cpu", "sent", "planned", "posting"):
        info[key] += extra[key]
    for key in ("lags", "to_queue"):
        info[key].extend(extra[key])
    info["actions"].update(extra["actions"])
    return tally, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--night", default="demo",
                    help="'demo' (samples/demo-night, default), 'synthetic' (bench/synth.py at 1x) or an election directory")
    ap.add_argument("--speed", type=float, default=100.0, help="night seconds per real second (default 100)")
    ap.add_argument("--max-gap", type=float, default=None,
                    help="cut night-time gaps longer than this many night seconds (default: keep them)")
    ap.add_argument("--seconds", type=float, default=0.0,
                    help="stop posting after this many seconds (default 0: when the whole night has been posted)")
    ap.add_argument("--busiest-minute", action="store_true",
                    help="store everything before the night's busiest minute first, then post only that minute")
    ap.add_argument("--rounds", type=int, default=1,
                    help="runs, each on a fresh store, whose figures are pooled (default 1)")
    ap.add_argument("--warmup", type=float, default=None,
                    help="seconds editors and readers work before the first declaration is posted, not measured "
                         "(default: 20 with --busiest-minute, else 0)")
    ap.add_argument("--tail", type=float, default=5.0, help="seconds editors and readers go on after the last post")
    ap.add_argument("--editors", type=int, default=10)
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--think", type=float, default=2.0, help="editors' mean think time in seconds (default 2)")
    ap.add_argument("--poll-every", type=float, default=3.0, help="readers' mean poll interval in seconds (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--in-process", action="store_true",
                    help="no server, editors or readers: the declarations to post go straight through the "
                         "API's check-and-ingest (writer.web.api._check_and_ingest) in this process, one per "
                         "call; prints the CPU time and SQL statements each took")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if args.warmup is None:
        args.warmup = 20.0 if args.busiest_minute else 0.0
    missing = web_missing()
    if missing:
        print(missing)
        return 0
    if args.in_process:
        args.editors = 0

    from writer.ingest import load_night

    with tempfile.TemporaryDirectory(prefix="writer-bench-load-") as tmp:
        work = Path(tmp)
        if args.night == "demo":
            night_dir = DEMO
        elif args.night == "synthetic":
            from synth import generate
            night_dir = work / "synth-1"
            generate(night_dir, scale=1, seed=args.seed)
        else:
            night_dir = Path(args.night)
            if not night_dir.is_dir():
                print(f"skipped: no night at {night_dir} (the 2022 night lives in ../shared/data/le2022)")
                return 0
        night = load_night(night_dir)
        before: list = []
        posted = night.declarations
        if args.busiest_minute:
            before, posted = busiest_minute(night.declarations)
        plan = schedule(posted, args.speed, args.max_gap, spread_minutes=args.busiest_minute)
        prepared = work / "prepared.db"
        t = time.perf_counter()
        token = setup_store(prepared, args.editors, night, before)
        print(machine(), flush=True)
        if before:
            print(f"stored first: the {len(before)} declarations before the busiest minute "
                  f"({posted[0].declared_at:%a %H:%M}), in {time.perf_counter() - t:.1f} s", flush=True)
        if args.in_process:
            return in_process(night, [decl for _, decl in plan], prepared, work, args.rounds)
        print(f"night: {night_dir.name}, {len(plan)} declarations over {plan[-1][0]:.1f} s at {args.speed:g}x"
              + (f" (gaps cut to {args.max_gap:g} night seconds)" if args.max_gap is not None else "")
              + (" (each minute's declarations spread across it)" if args.busiest_minute else "")
              + (f", stopping after {args.seconds:g} s" if args.seconds else "")
              + f"; {args.editors} editors (think {args.think:g} s), {args.readers} feed readers "
              f"(every {args.poll_every:g} s)" + (f", at work {args.warmup:g} s before" if args.warmup else "")
              + (f"; {args.rounds} rounds" if args.rounds > 1 else ""), flush=True)
        pooled: tuple[Tally, dict] | None = None
        alive = True
        full_log = ""
        counts: dict[str, int] = {}
        for round_no in range(args.rounds):
            database = work / f"load-{round_no}.db"
            shutil.copyfile(prepared, database)
            server = Server(night_dir, database, work / f"serve-{round_no}.log")
            print(f"round {round_no + 1}: writer serve ready in {server.startup_s:.1f} s", flush=True)
            try:
                got = asyncio.run(run(server.base, token, plan, args, sorted(night.councils)))
                alive = alive and server.proc.poll() is None
            finally:
                server.stop()
            pooled = merge(pooled, got)
            counts = store_counts(database, counts)
            full_log += server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    assert pooled is not None
    tally, info = pooled
    return report(tally, info, counts, alive, full_log, args)


def in_process(night, posted: list, prepared: Path, work: Path, rounds: int) -> int:
    """``--in-process``: each declaration through the API's check-and-ingest, one call each,
    as ``POST /api/declarations`` makes it (no HTTP, no other request beside it), each round
    on a fresh copy of the prepared store. The first call of a round is left out of the
    figures (the store's SQL statements are compiled then)."""
    import types

    from sqlalchemy import event

    from writer.night import open_pipeline
    from writer.store import open_store
    from writer.web import api

    cpu: list[float] = []
    statements: list[int] = []
    for round_no in range(rounds):
        database = work / f"in-process-{round_no}.db"
        shutil.copyfile(prepared, database)
        store = open_store(database)
        try:
            state = types.SimpleNamespace(pipeline=open_pipeline(store, night), night=night)
            issued: list[str] = []
            event.listen(store.engine, "before_cursor_execute", lambda *a: issued.append(a[2]))
            for i, decl in enumerate(posted):
                body = body_of(decl)
                issued.clear()
                t = time.process_time()
                result, problems = api._check_and_ingest(state, body, "bench")
                took = time.process_time() - t
                if problems or result is None or not result.stored:
                    print(f"failed: {decl.id}: {problems or 'nothing stored'}")
                    return 1
                if i:
                    cpu.append(took)
                    statements.append(len(issued))
        finally:
            store.close()
    print(f"in process, {rounds} round(s) of {len(posted)} declarations (the first of each left out): "
          f"CPU per declaration p50 {percentile(cpu, 50) * 1000:.2f} ms, mean {statistics.mean(cpu) * 1000:.2f} ms, "
          f"p99 {percentile(cpu, 99) * 1000:.2f} ms; SQL statements per declaration "
          f"{min(statements)}-{max(statements)} (mean {statistics.mean(statements):.1f}, BEGIN included)")
    return 0


def store_counts(database: Path, counts: dict[str, int]) -> dict[str, int]:
    from writer.store import CheckResult, Declaration, ReviewDecision, StoryVersion, open_store
    store = open_store(database)
    try:
        for m in (Declaration, StoryVersion, CheckResult, ReviewDecision):
            counts[m.__name__] = counts.get(m.__name__, 0) + store.count(m)
    finally:
        store.close()
    return counts


def report(tally: Tally, info: dict, counts: dict[str, int], alive: bool, full_log: str, args) -> int:
    elapsed = info["elapsed"]
    total = sum(len(v) for v in tally.times.values())
    lags = info["lags"]
    print(f"ran {elapsed:.1f} s: {info['sent']} of {info['planned']} declarations posted "
          f"(lag behind the schedule p50 {percentile(lags, 50) * 1000:.0f} ms, p99 {percentile(lags, 99) * 1000:.0f} ms, "
          f"max {max(lags) * 1000:.0f} ms)" if lags else f"ran {elapsed:.1f} s: no declaration posted")
    print(f"{total} requests = {total / elapsed:.1f}/s; load generator used {info['client_cpu'] / elapsed:.0%} of a core")
    for kind in sorted(tally.times):
        times = tally.times[kind]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses[kind].items(), key=str))
        print(f"  {kind:<30} n={len(times):5d} {len(times) / elapsed:6.1f}/s  {ms(times)}   [{statuses}]")
    to_queue = info["to_queue"]
    if to_queue:
        rate = len(to_queue) / info["posting"] if info["posting"] > 0 else float("nan")
        print(f"declaration to story in the queue (due -> stored): n={len(to_queue)} {ms(to_queue)}; "
              f"{len(to_queue)} declarations stored while {rate:.1f}/s were due")
    print("editors' actions: " + (", ".join(f"{k} x{v}" for k, v in sorted(info["actions"].items())) or "none"))
    print("stored: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print("expected outcomes: " + (", ".join(f"{k} x{v}" for k, v in sorted(tally.expected.items())) or "none"))
    errors = list(tally.errors)
    if not alive:
        errors.append("writer serve died during the run")
    if errors or "Traceback" in full_log or "ERROR" in full_log:
        kept = Path(tempfile.gettempdir()) / f"writer-bench-load-serve-{os.getpid()}.log"
        kept.write_text(full_log)
        print(f"server log kept in {kept}; its tail:\n" + full_log[-3000:])
    print(f"errors: {len(errors)}")
    for e in errors[:10]:
        print("  !! " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
