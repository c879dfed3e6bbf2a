"""Passwords, CSRF tokens, sign-in throttling, the security headers on every response, and
the table of every route's access rule (:data:`ROUTE_RULES`).

Passwords are hashed with argon2id (argon2-cffi's defaults); a new password must not be
blank, short or easy to guess (:func:`password_problem`: zxcvbn's estimate, which knows the
common passwords, words, names, keyboard patterns and repeats). A session cookie (Starlette's
``SessionMiddleware``: signed with itsdangerous, HTTP-only, SameSite=Strict, Secure when the
app is served over HTTPS) carries the id of a session kept in the store
(:meth:`writer.store.users.ReviewRecords.start_session`: signing out, a new password, a new
role or a disabled account ends it) and the CSRF token that every form posts back, with its
``Origin`` checked by :func:`same_origin`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


@cache
def dummy_hash() -> str:
    """A hash no password matches, verified for unknown users so that they cost the same as
    known ones. Made on first use (hashing takes a tenth of a second: not at import, which
    every command and the server's start would pay); the app makes it as it starts."""
    return _hasher.hash("not a password anyone has")


MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MIN_STRENGTH = 3  # zxcvbn's score, 0-4: 3 is "safely unguessable" (about 10^8 guesses or more)
#: words a newsroom's passwords should not lean on (zxcvbn counts them as known words)
HOUSE_WORDS = ("results", "night", "writer", "election", "elections", "editor", "chief", "review",
               "council", "newsroom")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


class WeakPassword(ValueError):
    """A new password refused by :func:`check_password` (the message says why)."""


def password_problem(password: str, *, username: str = "", words: Iterable[str] = ()) -> str | None:
    """Why ``password`` will not do as a new password, or None: blank (only spaces), shorter
    than :data:`MIN_PASSWORD`, longer than :data:`MAX_PASSWORD`, or easy to guess by zxcvbn's
    estimate (a common password such as ``password`` or ``12345678``, a word, a name, a date, a
    keyboard pattern, a repeat, the user's own name or the house words)."""
    if not password or not password.strip():
        return "the password is blank"
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    from zxcvbn import zxcvbn
    inputs = [w for w in (username, *HOUSE_WORDS, *words) if w]
    result = zxcvbn(password[:128], user_inputs=inputs)  # the estimate's cost grows with the length
    if result["score"] >= MIN_STRENGTH:
        return None
    feedback = result.get("feedback") or {}
    why = " ".join(x for x in [feedback.get("warning") or "", *(feedback.get("suggestions") or ())] if x)
    return "the password is too easy to guess" + (f" ({why.strip()})" if why.strip() else "") + \
        ": try a few uncommon words together"


def check_password(password: str, *, username: str = "") -> str:
    """``password`` if it will do as a new password; else :class:`WeakPassword`."""
    problem = password_problem(password, username=username)
    if problem is not None:
        raise WeakPassword(problem)
    return password


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; an unknown user (``password_hash`` None) costs the same."""
    try:
        return _hasher.verify(password_hash or dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def hash_fingerprint(password_hash: str) -> str:
    """What a session remembers of the password hash it was signed in with."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def same_origin(origin: str | None, host: str | None, scheme: str, *, https_only: bool = False) -> bool:
    """Whether a form's ``Origin`` header is this site: the same host and port as the request's
    ``Host``, and a scheme that is this site's. Served over HTTPS (``https_only``, or the
    request came in over https) only ``https`` will do: a plain-HTTP page on the same host and
    port (anyone on the network can write one) is another origin. Served over plain HTTP, an
    ``https`` origin is accepted too (a TLS proxy in front whose scheme the app does not see).
    No Origin (older browsers, the command line) is left to the CSRF token; ``null`` (a
    sandboxed frame, a redirect from another site, a ``file:`` page) is refused."""
    if origin is None:
        return True
    if origin == "null":
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    allowed = {"https"} if https_only or scheme == "https" else {"https", scheme}
    return (parts.scheme.lower() in allowed and not parts.path.strip("/")
            and parts.netloc.lower() == (host or "").lower() and bool(parts.netloc))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class Throttle:
    """Refuses sign-in for a name after ``limit`` failures within ``window`` seconds.

    Keyed by the user name as typed (case-insensitive), not by address: behind a proxy every
    address is the proxy's. A success clears the name's failures. Names that only ever fail
    (an attacker trying random names) are forgotten once their failures are older than the
    window, and at most ``max_names`` are remembered, so the table cannot grow without bound.
    """

    def __init__(self, limit: int = 5, window: float = 300.0, *, max_names: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.max_names = max_names
        self.clock = clock
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _count(self, key: str, now: float) -> int:
        q = self._fails.get(key)
        if q is None:
            return 0
        while q and q[0] <= now - self.window:
            q.popleft()
        if not q:
            del self._fails[key]
            return 0
        return len(q)

    def _prune(self, now: float) -> None:
        for key in list(self._fails):
            self._count(key, now)
        while len(self._fails) >= self.max_names:  # still full: forget the stalest names
            stalest = min(self._fails, key=lambda k: self._fails[k][-1])
            del self._fails[stalest]

    def blocked(self, key: str) -> bool:
        with self._lock:
            return self._count(key.lower(), self.clock()) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            key = key.lower()
            if key not in self._fails and len(self._fails) >= self.max_names:
                self._prune(now)
            q = self._fails.setdefault(key, deque())
            q.append(now)
            while len(q) > self.limit:  # only the last ``limit`` failures matter
                q.popleft()

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key.lower(), None)

    def __len__(self) -> int:
        return len(self._fails)


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response (pages are not cached).

    Responses that set their own ``Cache-Control`` (the public feeds, the seat chart) keep it;
    static files get none added. A HEAD request gets GET's status and headers (its
    ``Content-Length`` too) and no body, whichever route answered it. An exception that
    escapes the app before a response has started is answered here with a plain 500 carrying
    the headers (Starlette's own 500 page is sent from outside this middleware and would go
    without them), then re-raised so the server still logs it.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        head = scope.get("method") == "HEAD"
        started = False

        async def send_with_headers(message):
            nonlocal started
            if head and message["type"] == "http.response.body" and message.get("body"):
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                body = b"Internal Server Error"
                await send_with_headers({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
            raise


# -- who may use which route --------------------------------------------------------------------
PUBLIC = "public"          # anyone on the internet, no sign-in
SIGNED_IN = "signed-in"    # any active user (editor or chief) with a session
CHIEF = "chief"            # a signed-in chief; an editor gets 403
API_TOKEN = "api-token"    # an active API token (Authorization: Bearer); sessions do not count
ACCESS = (PUBLIC, SIGNED_IN, CHIEF, API_TOKEN)


@dataclass(frozen=True)
class AccessRule:
    """Who may use a route (``access``, one of :data:`ACCESS`) and, for a public one, why."""

    access: str
    reason: str = ""  # required for a public route: why it needs no sign-in

    def __post_init__(self) -> None:
        if self.access not in ACCESS:
            raise ValueError(f"unknown access {self.access!r}; expected one of {ACCESS}")
        if self.access == PUBLIC and not self.reason.strip():
            raise ValueError("a public route needs a reason")


#: Every route the review app can serve (``create_app`` with the feeds and the API mounted):
#: ``(method, path template)`` -> who may use it. GET covers HEAD. ``tests/test_security.py``
#: fails when a route has no rule here or a rule names a route that no longer exists, and
#: checks each route behaves as its rule says. Every POST form route (not the API) also checks
#: the session's CSRF token and the Origin header (:func:`writer.web.pages.csrf_form`).
ROUTE_RULES: dict[tuple[str, str], AccessRule] = {
    # sign-in and the plumbing
    ("GET", "/"): AccessRule(PUBLIC, "only redirects to /queue, which asks for sign-in"),
    ("GET", "/healthz"): AccessRule(PUBLIC, "liveness check for the supervisor; says only ok and whether the fact-check loaded"),
    ("GET", "/favicon.ico"): AccessRule(PUBLIC, "the app's icon; no data"),
    ("GET", "/login"): AccessRule(PUBLIC, "the sign-in form"),
    ("POST", "/login"): AccessRule(PUBLIC, "signing in (CSRF-checked, throttled per name)"),
    ("POST", "/logout"): AccessRule(PUBLIC, "ends the caller's own session, if any (CSRF-checked)"),
    ("GET", "/static/{path}"): AccessRule(PUBLIC, "the app's own CSS and JavaScript; no data"),
    ("GET", "/api/openapi.json"): AccessRule(PUBLIC, "the declarations API's schema for its clients; no data"),
    # the review desk
    ("GET", "/queue"): AccessRule(SIGNED_IN),
    ("GET", "/queue.json"): AccessRule(SIGNED_IN),
    ("GET", "/story/{story_id}"): AccessRule(SIGNED_IN),
    ("GET", "/story/{story_id}/state.json"): AccessRule(SIGNED_IN),
    ("GET", "/story/{story_id}/chart.svg"): AccessRule(SIGNED_IN, "charts of unpublished stories too"),
    ("POST", "/story/{story_id}/edit"): AccessRule(SIGNED_IN),
    ("POST", "/story/{story_id}/approve"): AccessRule(
        SIGNED_IN, "overriding a failed fact-check is chief-only inside the handler (editor: 403)"),
    ("POST", "/story/{story_id}/reject"): AccessRule(SIGNED_IN),
    ("POST", "/story/{story_id}/hold"): AccessRule(SIGNED_IN),
    ("POST", "/story/{story_id}/schedule"): AccessRule(SIGNED_IN),
    ("POST", "/story/{story_id}/retry"): AccessRule(SIGNED_IN, "asks for a failed delivery to be tried again"),
    ("GET", "/rules"): AccessRule(SIGNED_IN, "editors may see the auto-publish settings"),
    ("POST", "/rules/{rule_id}/auto-publish"): AccessRule(CHIEF, "lets stories publish without review"),
    ("POST", "/declaration/{declaration_id}/withdraw"): AccessRule(
        CHIEF, "withdraws a declaration and works the night out again without it (audited: the chief's name)"),
    # the declarations API
    ("POST", "/api/declarations"): AccessRule(API_TOKEN),
    ("DELETE", "/api/declarations/{declaration_id}"): AccessRule(API_TOKEN, "withdraws a declaration (audited: the token's name)"),
    # the public feeds (writer/web/feeds.py): only what has been published
    ("GET", "/feeds/"): AccessRule(PUBLIC, "index of the public feeds"),
    ("GET", "/feeds/index.json"): AccessRule(PUBLIC, "index of the public feeds"),
    ("GET", "/feeds/night.rss"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/night.atom"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/council/{slug}.xml"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/council/{slug}.atom"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/region/{slug}.xml"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/region/{slug}.atom"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/group/{slug}.xml"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/group/{slug}.atom"): AccessRule(PUBLIC, "published stories, for outlets"),
    ("GET", "/feeds/story/{story_id}"): AccessRule(PUBLIC, "a published story's page (the feed items' link)"),
}


def app_routes(app) -> Iterator[tuple[str, str]]:
    """Every ``(method, path template)`` ``app`` serves, included routers and mounts too
    (a mount ``/static`` is ``/static/{path}``); HEAD is left out where GET is there."""
    try:  # FastAPI >= 0.16x keeps included routers as one entry each
        from fastapi.routing import iter_route_contexts
        routes = list(iter_route_contexts(app.routes))
    except ImportError:
        routes = list(app.routes)
    seen = set()
    for route in routes:
        original = getattr(route, "original_route", route)
        path = route.path
        methods = route.methods
        if methods is None:  # a mount (static files): whatever is under it, read-only
            from starlette.routing import Mount
            if not isinstance(original, Mount):
                raise TypeError(f"a route without methods that is not a mount: {path!r}")
            path, methods = path.rstrip("/") + "/{path}", {"GET"}
        for method in sorted(methods):
            if method == "HEAD" and "GET" in methods:
                continue
            if (method, path) not in seen:
                seen.add((method, path))
                yield method, path


def unruled_routes(app, rules: dict[tuple[str, str], AccessRule] = ROUTE_RULES) -> tuple[list, list]:
    """``(routes without a rule, rules without a route)`` for ``app``."""
    served = set(app_routes(app))
    return sorted(served - set(rules)), sorted(set(rules) - served)
