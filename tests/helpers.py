"""Shared test helpers: published answers (reference/expected.csv) for comparison, the
PostgreSQL server that store tests run against (``bench/`` uses it too: tests never import
``bench``), and Democracy Club-shaped results feeds served on 127.0.0.1."""

from __future__ import annotations

import csv
import os
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from writer.ingest.dcfeed import ee_slug
from writer.model import WardDeclaration


def registry_with(entries: list[dict], directory: Path, *, rules: Path | None = None) -> Path:
    """A copy of the party registry (``rules/party-registry.yaml``) with ``entries`` added:
    ``{"code": ..., "ids": [...]}``; an entry whose code is already there has its lists
    extended. Written to ``directory/party-registry.yaml``; returns its path."""
    import yaml

    rules = rules or Path(__file__).resolve().parent.parent / "rules"
    data = yaml.safe_load((rules / "party-registry.yaml").read_text(encoding="utf-8"))
    by_code = {e["code"]: e for e in data["parties"]}
    for extra in entries:
        entry = by_code.get(extra["code"])
        if entry is None:
            data["parties"].append(dict(extra))
            continue
        for key, values in extra.items():
            if key != "code":
                entry[key] = list(entry.get(key) or []) + list(values)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "party-registry.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


#: Democracy Club-style ids for the demo night's invented parties (added to a registry copy).
DEMO_FEED_PARTIES = [{"code": "Res", "ids": ["party:9001"]},
                     {"code": "Other (Brackenfield First)", "ids": ["party:9002"]}]


def signed_seats(text: str) -> dict[str, int] | None:
    """``Con:-16;Lab:+16`` -> {"Con": -16, "Lab": 16}; empty -> None (not comparable)."""
    if not text:
        return None
    out = {}
    for pair in text.split(";"):
        party, n = pair.rsplit(":", 1)
        out[party] = int(n)
    return out


def as_the_night_names_them(night, change: dict[str, int] | None) -> dict[str, int] | None:
    """A published seat change with its parties named as the night names them. The reference
    writes parties as its sources did (``Other (LEAP code BPIP)`` beside ``Other (Burnley &
    Padiham Independents Group)``, one party); the night resolves each to one code."""
    if change is None:
        return None
    out: dict[str, int] = {}
    for party, n in change.items():
        code = night.parties.canonical(party)
        out[code] = out.get(code, 0) + n
    return out


def expected(night_dir: Path) -> dict[str, dict]:
    with open(night_dir / "reference" / "expected.csv", encoding="utf-8") as f:
        return {row["slug"]: row for row in csv.DictReader(f)}


# -- PostgreSQL: the server store tests (and bench/night.py) run against ------------------------
PG_CANDIDATES = ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                 "postgresql+psycopg://root@127.0.0.1:5432/test")


def find_postgres() -> tuple[str | None, str]:
    """A reachable PostgreSQL URL (``WRITER_TEST_DATABASE_URL``, else 127.0.0.1:5432/test),
    or None and why not."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed (pip install 'psycopg[binary]')"
    from writer.store import database_url
    override = os.environ.get("WRITER_TEST_DATABASE_URL")
    reasons = []
    for url in ((override,) if override else PG_CANDIDATES):
        u = database_url(url)
        try:
            psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                            dbname=u.database, connect_timeout=3).close()
            return url, ""
        except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
            reasons.append(f"{u.render_as_string(hide_password=True)}: {str(exc).strip().splitlines()[0]}")
    return None, "PostgreSQL cannot be reached (" + "; ".join(reasons) + ")"


@contextmanager
def fresh_schema(server: str, prefix: str = "writer_test"):
    """A URL to a fresh, empty schema on ``server``, dropped afterwards."""
    import psycopg

    from writer.store import database_url
    u = database_url(server)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conninfo = dict(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                    dbname=u.database, autocommit=True, connect_timeout=5)
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in server else "?"
    try:
        yield f"{server}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(**conninfo) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def postgres_schema(prefix: str = "writer_test"):
    """A URL to a fresh, empty schema on the PostgreSQL server (dropped afterwards); skips
    the test, with the reason, when no server can be reached."""
    import pytest

    server, reason = find_postgres()
    if server is None:
        pytest.skip(reason)
    with fresh_schema(server, prefix) as url:
        yield url


@contextmanager
def store_on(kind: str, folder: Path, prefix: str):
    """A fresh store, closed afterwards: SQLite in ``folder`` (kind "sqlite"), or a schema of
    its own on the PostgreSQL server (kind "postgresql"; skips where none can be reached)."""
    from writer.store import open_store

    if kind == "sqlite":
        s = open_store(Path(folder) / "writer.db")
        try:
            yield s
        finally:
            s.close()
        return
    with postgres_schema(prefix) as url:
        s = open_store(url)
        try:
            yield s
        finally:
            s.close()


# -- results feeds in Democracy Club's shape, served on 127.0.0.1 ---------------------------------
# Democracy Club's party ids and names for the demo night's parties (the last two are the
# demo's own, invented, and are added to a copy of the party registry below).
DC_PARTIES = {
    "Lab": ("party:53", "Labour Party"),
    "Con": ("party:52", "Conservative and Unionist Party"),
    "LD": ("party:90", "Liberal Democrats"),
    "Green": ("party:63", "Green Party"),
    "Reform": ("", "Reform UK"),  # no id: found by name
    "Ind": ("ynmp-party:2", "Independent"),
    "Res": ("party:9001", "Demo Residents"),
    "Other (Brackenfield First)": ("party:9002", "Brackenfield First"),
}


# -- feeds in Democracy Club's shape ------------------------------------------------------------
@dataclass
class Entry:
    id: str
    at: str
    election_slug: str
    post_id: str
    post_name: str
    person_id: str
    name: str
    party_id: str
    party_name: str
    retraction: int = 0
    source: str = "Council website"


def entry(n: int, decl: WardDeclaration, name: str, party: str, *, at: datetime | None = None,
          retraction: int = 0, person_id: str | None = None) -> Entry:
    pid, pname = DC_PARTIES[party]
    post_id = ee_slug(decl.ward)  # Every Election's ward slug, as the feed's post_id
    return Entry(f"https://results.test/#{n}", (at or decl.declared_at).isoformat(),
                 f"local.{decl.council}.2026-05-07", post_id, decl.ward,
                 person_id or str(1000 + n), name, pid, pname, retraction)


def _fields(e: Entry) -> list[tuple[str, str]]:
    return [("retraction", str(e.retraction)), ("election_slug", e.election_slug),
            ("election_name", "Demo local election"), ("election_date", "2026-05-07"),
            ("post_id", e.post_id), ("winner_person_id", e.person_id),
            ("winner_person_name", e.name), ("winner_party_id", e.party_id),
            ("winner_party_name", e.party_name), ("user_id", "7"), ("post_name", e.post_name),
            ("information_source", e.source)]


def atom(entries: list[Entry], links: dict[str, str] | None = None) -> bytes:
    """A page of the feed: ``entries`` in the order recorded, written newest first as
    YourNextRepresentative does, with RFC 5005 paging ``links`` (rel -> href)."""
    newest_first = list(reversed(entries))
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-gb">',
           "<title>Election results (with extra data)</title>",
           '<link href="https://results.test/" rel="alternate"/><id>https://results.test/</id>',
           f"<updated>{newest_first[0].at if entries else '2026-05-07T22:00:00+01:00'}</updated>"]
    out += [f'<link href="{escape(href)}" rel="{rel}"/>' for rel, href in (links or {}).items()]
    for e in newest_first:
        title = ("Correction: retracting the statement that " if e.retraction else "") + \
            f"{e.name} ({e.party_name}) won in {e.post_name}"
        out.append(f"<entry><title>{escape(title)}</title><link href=\"{escape(e.id)}\" rel=\"alternate\"/>"
                   f"<published>{e.at}</published><updated>{e.at}</updated>"
                   f"<author><name>volunteer</name></author><id>{escape(e.id)}</id>"
                   f"<summary type=\"html\">{escape(title)}</summary>")
        out += [f"<{k}>{escape(v)}</{k}>" for k, v in _fields(e)]
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")


def put_pages(server: FeedServer, path: str, entries: list[Entry], size: int) -> str:
    """The feed at ``path`` in pages of ``size`` (``?page=N``), newest first, with first, last
    and next links as YourNextRepresentative writes them; the address of its first page."""
    newest_first = list(reversed(entries))
    chunks = [newest_first[i:i + size] for i in range(0, len(newest_first), size)] or [[]]
    base = server.url(path)
    for n, chunk in enumerate(chunks, start=1):
        links = {"first": f"{base}?page=1", "last": f"{base}?page={len(chunks)}"}
        if n > 1:
            links["previous"] = f"{base}?page={n - 1}"
        if n < len(chunks):
            links["next"] = f"{base}?page={n + 1}"
        body = atom(list(reversed(chunk)), links)
        server.put(f"{path}?page={n}", body)
        if n == 1:
            server.put(path, body)
    return base


# -- a feed server on 127.0.0.1 (Last-Modified, no ETag, as YourNextRepresentative) ---------------
class FeedServer:
    """Serves the bodies ``put`` at their paths (query string included), recording every
    request as (path, headers, status). The ``feed_server`` fixture (conftest) gives one."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[tuple[str, dict[str, str], int]] = []
        self._version = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                found = server.files.get(self.path)
                headers = dict(self.headers.items())
                if found is None:
                    server.requests.append((self.path, headers, 404))
                    self.send_error(404)
                    return
                body, modified = found
                server.requests.append((self.path, headers, 200))
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Last-Modified", modified)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # a short poll interval: shutdown() waits up to one interval (0.5 s by default)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def put(self, path: str, body: bytes) -> str:
        self._version += 1
        modified = f"Fri, 08 May 2026 01:{self._version % 60:02d}:00 GMT"
        self.files[path] = (body, modified)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def latest_wards(night) -> dict[str, WardDeclaration]:
    out: dict[str, WardDeclaration] = {}
    for d in night.declarations:
        if isinstance(d, WardDeclaration):
            out[d.id] = d
    return out


GOLDSMID = "local.ashcombe.goldsmid.2026-05-07"


def night_entries(night) -> list[Entry]:
    """One entry per winner of every ward, as first declared; a ward corrected on the night
    (Goldsmid) gets a retraction of the first winner and an entry for the real one."""
    first: dict[str, WardDeclaration] = {}
    for d in night.declarations:
        if isinstance(d, WardDeclaration):
            first.setdefault(d.id, d)
    last = latest_wards(night)
    entries, n = [], 0
    for wid, d in first.items():
        for c in d.candidates:
            if c.elected:
                n += 1
                entries.append(entry(n, d, c.name, c.party))
        if last[wid] is not d:
            later = last[wid]
            for c in d.candidates:
                if c.elected and c not in [x for x in later.candidates if x.elected and x.name == c.name]:
                    n += 1
                    entries.append(entry(n, d, c.name, c.party, at=later.declared_at, retraction=1,
                                         person_id=next(e.person_id for e in entries if e.name == c.name
                                                        and e.post_name == d.ward)))
            for c in later.candidates:
                if c.elected and not any(e.name == c.name and e.post_name == d.ward for e in entries):
                    n += 1
                    entries.append(entry(n, later, c.name, c.party))
    return sorted(entries, key=lambda e: e.at)


# -- the review app: signing in as an editor would ------------------------------------------------
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a review app page carries (its forms post it back)."""
    m = CSRF.search(html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def sign_in(app, name: str, password: str, *, base_url: str = "https://testserver"):
    """A browser signed in to the review ``app`` as ``name``: (a TestClient holding the session
    cookie, the CSRF token of its pages). Fails the test if the sign-in is refused."""
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url=base_url)
    r = client.post("/login", data={"username": name, "password": password,
                                    "csrf_token": csrf_of(client.get("/login").text)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client, csrf_of(client.get("/queue").text)
