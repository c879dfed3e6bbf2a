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
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from writer.publish import blocks
from writer.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
SIGNATURE_HEADER = "X-Writer-Signature"
MAX_SIGNATURE_AGE = 300  # seconds


@dataclass(frozen=True)
class Image:
    png: bytes
    alt: str
    filename: str
    title: str = ""  # the media library's title, in words
    caption: str = ""  # shown under the chart in the post

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
    slug: str = ""  # the readable, stable WordPress slug ("barnet-council-result-2022"); else ``key``
    date_gmt: str | None = None  # the declaration time, UTC ("2022-05-06T05:55:00")
    sticky: bool = False  # the story of the night: the site's lead
    story: Any = field(default=None, compare=False, repr=False)  # the Story, for block markup


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
RETRACT_MODES = ("notice", "draft")


def wordpress_fields(post: Post, media=None, *, status: str = "publish", author: int | None = None,
                     comments: str = "closed", retract: str = "notice", creating: bool = True,
                     tags: list[int] | None = None, categories: list[int] | None = None) -> dict[str, Any]:
    """The JSON body of the ``POST /wp/v2/posts`` request that makes WordPress show ``post``
    (pure: the adapter only adds the ids of terms and media it looked up or uploaded).

    The content is block markup (:mod:`writer.publish.blocks`); the slug is the readable one,
    sent only when the post is made, so that a post keeps its URL; the date is the declaration
    time (``date_gmt``: WordPress shows it in the site's time zone), also only on creation;
    comments are closed unless configured; the story of the night is sticky. A retraction keeps
    the URL and replaces the story with a withdrawal notice (``retract="notice"``) or, with
    ``retract="draft"``, takes the post down (readers then get a 404)."""
    story = post.story
    if post.action == "retract":
        if retract == "draft":
            content = blocks.withdrawal_blocks(story) if story is not None else post.html
            return {"status": "draft", "title": post.title, "content": content}
        content = blocks.withdrawal_blocks(story) if story is not None else post.html
        return {"status": "publish", "title": post.title, "content": content, "excerpt": blocks.WITHDRAWN,
                "featured_media": 0, "sticky": False, "comment_status": comments, "ping_status": "closed"}
    if story is not None:
        content = blocks.story_blocks(story, media=media, correction=post.correction)
    else:  # a post made without its story (old callers): the safe HTML as it is
        content = post.html
    fields: dict[str, Any] = {"title": post.title, "content": content, "excerpt": post.excerpt,
                              "status": status, "comment_status": comments, "ping_status": "closed",
                              "sticky": bool(post.sticky)}
    if tags is not None:
        fields["tags"] = tags
    if categories:
        fields["categories"] = categories
    if media is not None and media.id is not None:
        fields["featured_media"] = int(media.id)
    if author is not None:
        fields["author"] = int(author)
    if creating:
        fields["slug"] = post.slug or post.key
        if post.date_gmt:
            fields["date_gmt"] = post.date_gmt
    return fields


class WordPress:
    """WordPress through its REST API (``/wp-json/wp/v2``), authenticated with an
    Application Password. Posts are sent as block markup; tags and categories are created as
    needed; the seat chart is uploaded (again only when it changed), attached to the post,
    shown in the body and made the featured image, and the chart it replaces is deleted.

    Configuration (``from_env``): ``WP_AUTHOR`` (a user id or login name; default: the
    Application Password's user), ``WP_COMMENTS`` (``open`` or ``closed``, the default),
    ``WP_RETRACT`` (``notice``, the default: the post stays at its URL with a withdrawal
    notice; ``draft``: the post is taken down)."""

    name = "wordpress"

    def __init__(self, url: str, user: str, app_password: str, *, client: httpx.Client | None = None,
                 status: str = "publish", author: int | str | None = None, comments: str = "closed",
                 retract: str = "notice") -> None:
        if comments not in ("open", "closed"):
            raise ValueError(f"WP_COMMENTS={comments!r}: expected open or closed")
        if retract not in RETRACT_MODES:
            raise ValueError(f"WP_RETRACT={retract!r}: expected notice or draft")
        self.url = url.rstrip("/")
        self.api = f"{self.url}/wp-json/wp/v2"
        self.status = status
        self.comments = comments
        self.retract = retract
        self._author = author
        self.client = client or httpx.Client(auth=(user, app_password), timeout=TIMEOUT,
                                             headers={"User-Agent": "results-night-writer"})
        self._terms: dict[tuple[str, str], int] = {}  # (taxonomy, name) -> term id

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "WordPress | None":
        """The WordPress target ``env`` (default: the environment) configures, or None."""
        return cls.from_settings(Settings.from_env(env))

    @classmethod
    def from_settings(cls, settings: Settings) -> "WordPress | None":
        """The WordPress target of ``settings`` (``WP_*``), or None without a URL, user and password."""
        s = settings
        if s.wp_url and s.wp_user and s.wp_app_password:
            return cls(s.wp_url, s.wp_user, s.wp_app_password, author=s.wp_author,
                       comments=(s.wp_comments or "closed").strip().lower(),
                       retract=(s.wp_retract or "notice").strip().lower())
        return None

    def close(self) -> None:
        self.client.close()

    def _call(self, what: str, method: str, path: str, **kw) -> Any:
        try:
            r = self.client.request(method, f"{self.api}{path}", **kw)
        except httpx.HTTPError as exc:
            raise _error("WordPress", exc) from exc
        return _check("WordPress", what, r).json()

    def author(self) -> int | None:
        """``WP_AUTHOR`` as a user id (a login name is looked up once)."""
        a = self._author
        if a is None or isinstance(a, int):
            return a
        if str(a).strip().isdigit():
            self._author = int(a)
            return self._author
        found = self._call(f"looking author {a!r} up", "GET", "/users",
                           params={"slug": str(a), "context": "edit", "_fields": "id"})
        if not found:
            raise CMSError(f"WordPress: WP_AUTHOR={a!r} is no user of the site", transient=False)
        self._author = int(found[0]["id"])
        return self._author

    def find(self, key: str, *also: str) -> Remote | None:
        """The post with slug ``key`` (or, failing that, one of ``also``: slugs of older
        releases) in any status (trashed ones included), if it exists."""
        for slug in (key, *also):
            if not slug:
                continue
            found = self._call("looking the post up", "GET", "/posts",
                               params={"slug": slug, "status": "publish,future,draft,pending,private,trash",
                                       "context": "edit", "_fields": "id,link,featured_media"})
            if found:
                post = found[0]
                return Remote(str(post["id"]), post.get("link"), str(post.get("featured_media") or "") or None)
        return None

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
            term = self._same_term(taxonomy, noun, name, found)
            if term is None:
                try:
                    term = self._call(f"creating {noun} {name!r}", "POST", f"/{taxonomy}", json={"name": name})["id"]
                except CMSError as exc:  # created meanwhile: WordPress says which term exists
                    if exc.status != 400:
                        raise
                    found = self._call(f"looking {noun} {name!r} up", "GET", f"/{taxonomy}",
                                       params={"search": name, "per_page": 100, "_fields": "id,name"})
                    term = self._same_term(taxonomy, noun, name, found)
                    if term is None:
                        raise
            self._terms[taxonomy, name] = term
            ids.append(term)
        return ids

    def _same_term(self, taxonomy: str, noun: str, name: str, found) -> int | None:
        """The term named ``name`` among ``found``. WordPress's term names are unique
        regardless of case, so a term spelt otherwise ("south of England", made before tags
        were capitalised) is the same term: it is renamed to the house spelling."""
        exact = next((t["id"] for t in found if html.unescape(t["name"]) == name), None)
        if exact is not None:
            return exact
        other = next((t["id"] for t in found if html.unescape(t["name"]).casefold() == name.casefold()), None)
        if other is not None:
            try:
                self._call(f"renaming {noun} {name!r}", "POST", f"/{taxonomy}/{other}", json={"name": name})
            except CMSError as exc:  # the old spelling stays: the post is tagged all the same
                if not exc.status or exc.status >= 500:
                    raise
        return other

    def upload(self, image: Image) -> tuple[str, str]:
        """Uploads the chart and describes it (alt text, title, caption): ``(id, URL)``."""
        media = self._call("uploading the chart", "POST", "/media", content=image.png, headers={
            "Content-Type": "image/png",
            "Content-Disposition": f'attachment; filename="{image.filename}"'})
        described = {"alt_text": image.alt}
        if image.title:
            described["title"] = image.title
        if image.caption:
            described["caption"] = image.caption
        self._call("describing the chart", "POST", f"/media/{media['id']}", json=described)
        return str(media["id"]), str(media.get("source_url") or "")

    def media_url(self, media_id: str) -> str | None:
        try:
            got = self._call("reading the chart", "GET", f"/media/{media_id}", params={"_fields": "id,source_url"})
        except CMSError as exc:
            if exc.status == 404:
                return None
            raise
        return got.get("source_url") or None

    def delete_media(self, media_id: str) -> None:
        """Deletes a chart a newer one replaced (best effort: a failure leaves it orphaned,
        logged, rather than failing the delivery and uploading yet another chart)."""
        try:
            self._call("deleting the old chart", "DELETE", f"/media/{media_id}", params={"force": "true"})
        except CMSError as exc:
            if exc.status != 404:
                log.warning("the old chart %s was not deleted: %s", media_id, exc)

    def body(self, post: Post) -> str:
        """The post's content as sent (without the chart, which has no URL until uploaded)."""
        return wordpress_fields(post, None, retract=self.retract)["content"]

    def deliver(self, post: Post, known: Remote | None) -> Remote:
        remote = known if known and known.id else self.find(post.slug or post.key, post.key)
        if post.action == "retract":
            if remote is None:
                return Remote(None)
            fields = wordpress_fields(post, None, comments=self.comments, retract=self.retract, creating=False)
            out = self._call("retracting the post", "POST", f"/posts/{remote.id}", json=fields)
            if self.retract == "notice" and remote.media_id:
                self.delete_media(remote.media_id)  # the withdrawn result's chart goes too
                return Remote(str(out["id"]), out.get("link"))
            return Remote(str(out["id"]), out.get("link"), remote.media_id, remote.media_digest)
        old_media = remote.media_id if remote else None
        media_id, media_digest = (remote.media_id, remote.media_digest) if remote else (None, None)
        media = None
        new_media = False
        if post.image is not None:
            url = None
            if media_id is not None and media_digest == post.image.digest:
                url = self.media_url(media_id)
            if url is None:
                media_id, url = self.upload(post.image)
                media_digest, new_media = post.image.digest, True
            media = blocks.Media(int(media_id), url, post.image.alt, post.image.caption)
        fields = wordpress_fields(
            post, media, status=self.status, author=self.author(), comments=self.comments, retract=self.retract,
            creating=remote is None, tags=self.tag_ids(post.tags),
            categories=self.category_ids(post.categories) if post.categories else None)
        if media is None and media_id:
            fields["featured_media"] = int(media_id)
        if remote is None:
            out = self._call("creating the post", "POST", "/posts", json=fields)
        else:
            out = self._call("updating the post", "POST", f"/posts/{remote.id}", json=fields)
        if new_media:  # attached to its post, and the chart it replaced deleted rather than orphaned
            self._call("attaching the chart", "POST", f"/media/{media_id}", json={"post": int(out["id"])})
            if old_media and old_media != media_id:
                self.delete_media(old_media)
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
