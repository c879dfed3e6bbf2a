#!/usr/bin/env python3
"""Feeds benchmark: the night's feed and a council feed under 50 concurrent readers.

    python bench/feeds.py                          # the 2022 night (../shared/data/le2022), 30 s
    python bench/feeds.py --seconds 10 --clients 50 --conditional 0.9 --interval 0
    python bench/feeds.py --change-every 5         # publish a correction every 5 s meanwhile

1. The 2022 night is drafted with writer.draft.desk and every version of every story is
   published as a feed item (first publication and update times from the night's clock).
2. The feeds router (writer/web/feeds.py) on that source is served by uvicorn on 127.0.0.1 in
   a forked process (so the load generator does not share its interpreter).
3. ``--clients`` httpx async clients poll for ``--seconds``: half the night's RSS feed
   (``/feeds/night.rss``, the newest 100 items) and half a council's Atom feed (the council with
   the most items, or ``--council``). Like feed readers, a client that has an ETag re-polls with
   ``If-None-Match`` (with probability ``--conditional``; otherwise it asks for the whole feed),
   waiting ``--interval`` seconds between polls (0: as fast as it can, which measures the server
   saturated: latency is then mostly the queue, by Little's law).

Prints p50 and p99 latency for 304s and for full feeds, requests per second, the share of 304s
and the feeds' sizes. Aim: p99 under 20 ms for a 304 and under 50 ms for a full feed.
Skips with a message when the night is absent.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import random
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import percentile  # noqa: E402

from writer.runtime import freeze_long_lived  # noqa: E402

LE2022 = ROOT.parent / "shared" / "data" / "le2022"
AIM_304_P99_MS = 20.0
AIM_FULL_P99_MS = 50.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def published_night(directory: Path):
    """(night, items, names): every version of every story of the night as a feed item."""
    from writer import resources
    from writer.compare.tally import load_groups
    from writer.night import draft_night
    from writer.publish.feeds import item_from_story
    from writer.publish.feeds import night_names

    night, _engine, desk = draft_night(directory)
    names = night_names(night, load_groups(resources.rules_dir() / "groups.yaml"))
    councils = names[0]
    first: dict[str, datetime] = {}
    items = []
    for story in desk.feed:
        at = datetime.fromisoformat(story.at).astimezone(timezone.utc)
        if story.status != "retracted":
            first.setdefault(story.id, at)
        published = at if story.status == "retracted" else first[story.id]
        items.append(item_from_story(story, published=published, updated=at,
                                     council_name=councils.get(story.council)))
    return night, items, names


def serve(app, port: int, ready, source, change_every: float) -> None:
    """The server process: uvicorn on 127.0.0.1 (and, optionally, a correction every N s)."""
    import uvicorn

    if change_every > 0:
        def publish() -> None:
            n = 0
            while True:
                time.sleep(change_every)
                n += 1
                items = list(source.published)
                i = random.Random(n).randrange(len(items))
                items[i] = replace(items[i], version=items[i].version + 1000 + n,
                                   updated=datetime.now(timezone.utc), correction=f"Correction number {n}.")
                source.set_items(items)
        threading.Thread(target=publish, daemon=True).start()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                            lifespan="off", backlog=2048)
    server = uvicorn.Server(config)
    ready.set()
    server.run()


class RawClient:
    """A minimal keep-alive HTTP/1.1 GET over asyncio streams (``--client raw``): a load
    generator that costs far less per request than httpx, so the figures are the server's."""

    def __init__(self, base: str) -> None:
        host_port = base.split("://", 1)[1]
        self.host, port = host_port.split(":")
        self.port = int(port)
        self.conn = None

    async def get(self, url: str, headers: dict[str, str]):
        if self.conn is None:
            self.conn = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.conn
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(f"GET {url} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{extra}\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
        body = await reader.readexactly(int(fields.get("content-length", "0"))) if status != 304 else b""
        return status, fields, body

    async def aclose(self) -> None:
        if self.conn is not None:
            self.conn[1].close()


async def load(base: str, urls: list[str], clients: int, seconds: float, conditional: float,
               interval: float, seed: int, kind: str = "httpx") -> tuple[list[tuple[str, str, float]], Counter, float]:
    import httpx

    results: list[tuple[str, str, float]] = []  # (url, "304"/"full", seconds)
    errors: Counter = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    raw = [RawClient(base) for _ in range(clients)] if kind == "raw" else None
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        async def get(n: int, url: str, headers: dict[str, str]):
            if raw is None:
                r = await client.get(url, headers=headers)
                return r.status_code, r.headers, r.content
            return await raw[n].get(url, headers)

        # warm up: render each feed once, and open the connections
        for url in urls:
            (await client.get(url)).raise_for_status()
        start = time.perf_counter()
        deadline = start + seconds

        async def reader(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            url = urls[n % len(urls)]
            etag = None
            while time.perf_counter() < deadline:
                headers = {"If-None-Match": etag} if etag and rng.random() < conditional else {}
                t = time.perf_counter()
                try:
                    status, fields, body = await get(n, url, headers)
                except (httpx.HTTPError, OSError, asyncio.IncompleteReadError) as exc:
                    errors[type(exc).__name__] += 1
                    if raw is not None:
                        raw[n].conn = None
                    continue
                took = time.perf_counter() - t
                if status == 304:
                    results.append((url, "304", took))
                elif status == 200 and body:
                    results.append((url, "full", took))
                    etag = fields.get("etag")
                else:
                    errors[f"HTTP {status}"] += 1
                if interval:
                    await asyncio.sleep(interval * (0.5 + rng.random()))

        await asyncio.gather(*(reader(n) for n in range(clients)))
        elapsed = time.perf_counter() - start
        for c in raw or ():
            await c.aclose()
    return results, errors, elapsed


def ms(values: list[float]) -> str:
    if not values:
        return "(none)"
    return (f"p50 {percentile(values, 50) * 1000:6.1f} ms   p99 {percentile(values, 99) * 1000:6.1f} ms   "
            f"max {max(values) * 1000:6.1f} ms   (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--night", type=Path, default=LE2022)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--conditional", type=float, default=0.9,
                        help="chance that a client holding an ETag re-polls conditionally (default 0.9)")
    parser.add_argument("--interval", type=float, default=0.0,
                        help="mean seconds a client waits between polls (default 0: as fast as it can)")
    parser.add_argument("--council", help="the council feed to poll (default: the one with most items)")
    parser.add_argument("--change-every", type=float, default=0.0,
                        help="publish a correction every N seconds during the run (default 0: never)")
    parser.add_argument("--client", choices=("httpx", "raw"), default="httpx",
                        help="load generator: httpx.AsyncClient (default) or a minimal asyncio HTTP/1.1 "
                             "client that costs far less per request (the server's own figures)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if not (args.night / "councils.csv").exists():
        print(f"(skipping: the night is not at {args.night}; it lives in ../shared/data beside the project)")
        return
    from fastapi import FastAPI

    from writer.web.feeds import StaticSource, feeds_router

    t = time.perf_counter()
    night, items, (councils, regions, groups) = published_night(args.night)
    drafted = time.perf_counter() - t
    gc.collect()  # the drafting's garbage; then keep the published items out of the collector's passes
    freeze_long_lived()
    council = args.council or Counter(i.council for i in items if i.council).most_common(1)[0][0]
    source = StaticSource("http://127.0.0.1", night.election.id, night.election.name, councils, regions, groups)
    source.set_items(items)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(feeds_router(source))
    urls = ["/feeds/night.rss", f"/feeds/council/{council}.atom"]
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} cores; {night.election.name}: "
          f"{len(items)} published items ({len({i.story_id for i in items})} stories) drafted in {drafted:.1f} s",
          flush=True)

    port = free_port()
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    proc = ctx.Process(target=serve, args=(app, port, ready, source, args.change_every), daemon=True)
    proc.start()
    try:
        import httpx
        ready.wait(60)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/feeds/index.json", timeout=2.0).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or not proc.is_alive():
                    raise SystemExit("the feeds server did not start")
                time.sleep(0.1)
        sizes = {u: len(httpx.get(base + u, timeout=30.0).content) for u in urls}
        print("feeds: " + ", ".join(f"{u} {n / 1024:.0f} KiB" for u, n in sizes.items()), flush=True)
        print(f"{args.client} clients: ", end="")
        print(f"{args.clients} clients for {args.seconds:g} s, conditional re-polls {args.conditional:.0%}, "
              f"interval {args.interval:g} s, a correction every {args.change_every:g} s"
              if args.change_every else
              f"{args.clients} clients for {args.seconds:g} s, conditional re-polls {args.conditional:.0%}, "
              f"interval {args.interval:g} s, nothing published meanwhile", flush=True)
        results, errors, elapsed = asyncio.run(load(base, urls, args.clients, args.seconds, args.conditional,
                                                    args.interval, args.seed, args.client))
    finally:
        proc.terminate()
        proc.join(10)
        if proc.is_alive():
            proc.kill()

    n = len(results)
    not_modified = [s for _, kind, s in results if kind == "304"]
    full = [s for _, kind, s in results if kind == "full"]
    print(f"requests {n} in {elapsed:.1f} s = {n / elapsed:,.0f}/s; 304s {len(not_modified) / max(n, 1):.1%}; "
          f"errors {sum(errors.values())}{' ' + dict(errors).__repr__() if errors else ''}")
    print(f"  304        {ms(not_modified)}")
    print(f"  full feed  {ms(full)}")
    for url in urls:
        mine = [(kind, s) for u, kind, s in results if u == url]
        print(f"  {url:<34} 304 {ms([s for k, s in mine if k == '304'])}")
        print(f"  {'':<34} 200 {ms([s for k, s in mine if k == 'full'])}")
    ok304 = not_modified and percentile(not_modified, 99) * 1000 < AIM_304_P99_MS
    okfull = full and percentile(full, 99) * 1000 < AIM_FULL_P99_MS
    print(f"aim: 304 p99 < {AIM_304_P99_MS:g} ms {'met' if ok304 else 'NOT met'}; "
          f"full p99 < {AIM_FULL_P99_MS:g} ms {'met' if okfull else 'NOT met'}")


if __name__ == "__main__":
    main()
