"""CMS adapters behind one interface: WordPress (REST API, Application Passwords) and a
generic signed webhook.

An adapter's ``deliver(post, known)`` makes the CMS show ``post``: it creates the story's
post the first time and updates the same post after that. It is idempotent, so the
publisher can retry it, and safe after a crash between the CMS call and the commit that
records it: before creating anything, WordPress looks the post up by its deterministic slug
(``Post.key``), and a webhook receiver deduplicates by the ``X-Writer-Delivery`` key.

Errors: :class:`CMSError` with ``transient=True`` for timeouts, connection failures and 5xx
(the publisher retries them with backoff) and ``transient=False`` for 4xx (not retried
blindly: a person has to look).

The webhook, for receivers (see also ``docs/webhook.md``):

    POST <url>  Content-Type: application/json
    X-Writer-Event: publish | retract
    X-Writer-Delivery: <story key>:<version>:<action>     (the same on every retry)
    X-Writer-Timestamp: <unix seconds>
    X-Writer-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret>

Verify the signature in constant time (``hmac.compare_digest``; :func:`verify_signature` does)
and refuse timestamps more than five minutes old.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
SIGNATURE_HEADER = "X-Writer-Signature"
MAX_SIGNATURE_AGE = 300  # seconds


@dataclass(frozen=True)
class Image:
    png: bytes
    alt: str
    filename: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.png).hexdigest()


@dataclass(frozen=True)
class Post:
    """What a CMS is asked to show for one released story version."""

    key: str  # deterministic: the WordPress slug and the webhook's idempotency key
    story_id: str
    version: int
    action: str  # "publish" or "retract"
    title: str
    html: str  # the body, safe HTML
    excerpt: str  # plain text
    tags: tuple[str, ...] = ()  # council, region and groups, by name
    categories: tuple[str, ...] = ()  # the election and the kind of story, by name
    image: Image | None = None
    correction: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the story as JSON, for webhooks


@dataclass(frozen=True)
class Remote:
    """Where the post is on the CMS."""

    id: str | None
    url: str | None = None
    media_id: str | None = None
    media_digest: str | None = None


class CMSError(Exception):
    def __init__(self, message: str, *, transient: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status


class CMS(Protocol):
    name: str

    def deliver(self, post: Post, known: Remote | None) -> Remote: ...


def _error(target: str, exc: Exception) -> CMSError:
    if isinstance(exc, CMSError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return CMSError(f"{target}: timed out ({type(exc).__name__})", transient=True)
    if isinstance(exc, httpx.TransportError):
        return CMSError(f"{target}: cannot connect ({exc or type(exc).__name__})", transient=True)
    return CMSError(f"{target}: {exc}", transient=False)


def _check(target: str, what: str, r: httpx.Response) -> httpx.Response:
    if r.status_code < 400:
        return r
    try:
        detail = r.json().get("message") or r.text
    except (ValueError, AttributeError):
        detail = r.text
    detail = " ".join(str(detail).split())[:300]
    raise CMSError(f"{target}: {what} answered {r.status_code}: {detail}",
                   transient=r.status_code >= 500 or r.status_code == 429, status=r.status_code)


# -- WordPress ------------------------------------------------------------------------------
class WordPress:
    """WordPress through its REST API (``/wp-json/wp/v2``), authenticated with an
    Application Password. Tags and categories are created as needed; the seat chart is
    uploaded as the featured image (again only when it changed)."""

    name = "wordpress"

    def __init__(self, url: str, user: str, app_password: str, *, client: httpx.Client | None = None,
                 status: str = "publish") -> None:
        self.url = url.rstrip("/")
        self.api = f"{self.url}/wp-json/wp/v2"
        self.status = status
        self.client = client or httpx.Client(auth=(user, app_password), timeout=TIMEOUT,
                                             headers={"User-Agent": "results-night-writer"})
        self._terms: dict[tuple[str, str], int] = {}  # (taxonomy, name) -> term id

    @classmethod
    def from_env(cls, env) -> "WordPress | None":
        if env.get("WP_URL") and env.get("WP_USER") and env.get("WP_APP_PASSWORD"):
            return cls(env["WP_URL"], env["WP_USER"], env["WP_APP_PASSWORD"])
        return None

    def close(self) -> None:
        self.client.close()

    def _call(self, what: str, method: str, path: str, **kw) -> Any:
        try:
            r = self.client.request(method, f"{self.api}{path}", **kw)
        except httpx.HTTPError as exc:
            raise _error("WordPress", exc) from exc
        return _check("WordPress", what, r).json()

    def find(self, key: str) -> Remote | None:
        """The post with slug ``key`` in any status (trashed ones included), if it exists."""
        found = self._call("looking the post up", "GET", "/posts",
                           params={"slug": key, "status": "publish,future,draft,pending,private,trash",
                                   "context": "edit", "_fields": "id,link,featured_media"})
        if not found:
            return None
        post = found[0]
        return Remote(str(post["id"]), post.get("link"), str(post.get("featured_media") or "") or None)

    def tag_ids(self, names) -> list[int]:
        return self._term_ids("tags", "tag", names)

    def category_ids(self, names) -> list[int]:
        return self._term_ids("categories", "category", names)

    def _term_ids(self, taxonomy: str, noun: str, names) -> list[int]:
        """The ids of the terms of a taxonomy (``tags``, ``categories``) with these names,
        each created if WordPress has none of that name (remembered once known)."""
        ids = []
        for name in names:
            known = self._terms.get((taxonomy, name))
            if known is not None:
                ids.append(known)
                continue
            found = self._call(f"looking {noun} {name!r} up", "GET", f"/{taxonomy}",
                               params={"search": name, "per_page": 100, "_fields": "id,name"})
            term = next((t["id"] for t in found if html.unescape(t["name"]) == name), None)
            if term is None:
                try:
                    term = self._call(f"creating {noun} {name!r}", "POST", f"/{taxonomy}", json={"name": name})["id"]
                except CMSError as exc:  # created meanwhile: WordPress says which term exists
                    if exc.status != 400:
                        raise
                    found = self._call(f"looking {noun} {name!r} up", "GET", f"/{taxonomy}", params={"search": name})
                    term = next((t["id"] for t in found if html.unescape(t["name"]) == name), None)
                    if term is None:
                        raise
            self._terms[taxonomy, name] = term
            ids.append(term)
        return ids

    def upload(self, image: Image) -> str:
        media = self._call("uploading the chart", "POST", "/media", content=image.png, headers={
            "Content-Type": "image/png",
            "Content-Disposition": f'attachment; filename="{image.filename}"'})
        self._call("describing the chart", "POST", f"/media/{media['id']}", json={"alt_text": image.alt})
        return str(media["id"])

    def body(self, post: Post) -> str:
        if post.correction:
            from markupsafe import escape
            return f'<p class="correction"><strong>{escape(post.correction)}</strong></p>\n{post.html}'
        return post.html

    def deliver(self, post: Post, known: Remote | None) -> Remote:
        remote = known if known and known.id else self.find(post.key)
        if post.action == "retract":
            if remote is None:
                return Remote(None)
            out = self._call("retracting the post", "POST", f"/posts/{remote.id}", json={
                "status": "draft", "title": post.title, "content": self.body(post)})
            return Remote(str(out["id"]), out.get("link"), remote.media_id, remote.media_digest)
        fields: dict[str, Any] = {"title": post.title, "content": self.body(post), "excerpt": post.excerpt,
                                  "status": self.status, "slug": post.key, "tags": self.tag_ids(post.tags)}
        if post.categories:
            fields["categories"] = self.category_ids(post.categories)
        media_id, media_digest = (remote.media_id, remote.media_digest) if remote else (None, None)
        if post.image is not None and (media_id is None or media_digest != post.image.digest):
            media_id, media_digest = self.upload(post.image), post.image.digest
        if media_id:
            fields["featured_media"] = int(media_id)
        if remote is None:
            out = self._call("creating the post", "POST", "/posts", json=fields)
        else:
            out = self._call("updating the post", "POST", f"/posts/{remote.id}", json=fields)
        return Remote(str(out["id"]), out.get("link"), media_id, media_digest)


# -- webhook --------------------------------------------------------------------------------
def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str,
                     now: float | None = None, max_age: int = MAX_SIGNATURE_AGE) -> bool:
    """Whether ``signature`` is ours for this body and timestamp (constant-time compare) and
    the timestamp is fresh."""
    try:
        age = (now if now is not None else time.time()) - int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(age) > max_age:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), (signature or "").encode())


class Webhook:
    """POSTs each release as JSON to ``url``, signed with HMAC-SHA256 (module docstring)."""

    name = "webhook"

    def __init__(self, url: str, secret: str, *, client: httpx.Client | None = None) -> None:
        if not secret:
            raise ValueError("a webhook needs a shared secret to sign its requests")
        self.url = url
        self.secret = secret
        self.client = client or httpx.Client(timeout=TIMEOUT, headers={"User-Agent": "results-night-writer"})

    def close(self) -> None:
        self.client.close()

    def payload(self, post: Post) -> bytes:
        doc = {"action": post.action, "key": post.key, "story_id": post.story_id, "version": post.version,
               "title": post.title, "html": post.html, "excerpt": post.excerpt, "tags": list(post.tags),
               "categories": list(post.categories),
               "correction": post.correction, "image_alt": post.image.alt if post.image else None,
               "story": post.data}
        return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()

    def deliver(self, post: Post, known: Remote | None) -> Remote:
        body = self.payload(post)
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Writer-Event": post.action,
                   "X-Writer-Delivery": f"{post.key}:{post.version}:{post.action}",
                   "X-Writer-Timestamp": ts, SIGNATURE_HEADER: sign(self.secret, ts, body)}
        try:
            r = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise _error("webhook", exc) from exc
        _check("webhook", "the receiver", r)
        try:
            answer = r.json() if r.content else {}
        except ValueError:
            answer = {}
        remote_id = answer.get("id") if isinstance(answer, dict) else None
        url = answer.get("url") if isinstance(answer, dict) else None
        return Remote(str(remote_id) if remote_id is not None else post.key, url)
