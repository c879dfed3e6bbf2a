"""What every page of the review app shares: its settings (:class:`AppSettings`), rendering a
template with the signed-in user, the CSRF token and the flash message; who is signed in
(:func:`current_user`, :func:`require_user`); the CSRF check of every form
(:func:`csrf_form`); and the app's own paths (``story_url``, ``STATIC``, ``templates/web``).

The routers (``writer.web.routes``) take what they work on from ``request.app.state``, which
``create_app`` fills:

    settings     AppSettings          templates   the pages' Jinja2 environment
    store        the store            review      writer.review.Review (the desk)
    night        the Night, or None   records     writer.store.users.ReviewRecords
    names        PartyNames, or None  throttle    writer.web.security.Throttle (sign-in)
    checker      the fact-checker, or None
    pipeline     the pipeline the API ingests through, or None; ingest_lock its lock
    publishing   writer.publish.service.Publishing, or None
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from writer import resources
from writer.review.workflow import Actor
from writer.settings import Settings
from writer.web.security import CSRF_FIELD, CSRF_HEADER, new_token, same_origin, same_token

STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "writer_session"
SESSION_HOURS = 12
POLL_SECONDS = 4


@dataclass(frozen=True)
class AppSettings:
    """The review app's settings.

    ``secret_key`` signs the session cookie (``WRITER_SECRET_KEY``, else a random key:
    sessions end when the app restarts). ``https_only``: mark the cookie Secure and accept
    forms from https origins only (serve over HTTPS, or on localhost only). A session lasts
    ``session_hours``; the queue and story pages poll every ``poll_seconds``. ``rules_dir``:
    the rules (auto-publish settings, party names, the registry); ``fact_check=False`` to
    go without the fact-check."""

    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48), repr=False)
    https_only: bool = False
    session_hours: float = SESSION_HOURS
    poll_seconds: float = POLL_SECONDS
    rules_dir: Path = field(default_factory=resources.rules_dir)
    fact_check: bool = True

    @classmethod
    def from_env(cls, settings: Settings | None = None, **options: Any) -> "AppSettings":
        """The settings from the environment's (``settings``, default ``Settings.from_env()``),
        with ``options`` (any of the fields; None counts as not given) on top."""
        unknown = sorted(set(options) - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"unknown app setting(s) {', '.join(unknown)}: expected any of "
                            + ", ".join(f.name for f in fields(cls)))
        settings = Settings.from_env() if settings is None else settings
        given = {k: v for k, v in options.items() if v is not None}
        given.setdefault("secret_key", settings.secret_key or secrets.token_urlsafe(48))
        given["rules_dir"] = Path(given.get("rules_dir") or settings.rules_dir or resources.rules_dir())
        return cls(**given)


def web_templates_dir() -> Path:
    """templates/web: beside the drafting templates (an editor's own copy of those may not
    have it, so the checkout's or the packaged copy is used then)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (resources.templates_dir() / "web", here.parent / "templates" / "web",
                      here / "_data" / "templates" / "web"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("templates/web (the review app's pages) not found")


def static_version() -> str:
    """A digest of the static files: part of their URLs, so browsers fetch them after a change."""
    h = hashlib.sha256()
    for p in sorted(STATIC.glob("*")):
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:10]


def story_url(story_id: str, action: str = "", query: str = "") -> str:
    url = "/story/" + quote(story_id, safe="")
    if action:
        url += "/" + action
    return url + ("?" + query if query else "")


def wants_json(request: Request) -> bool:
    return (request.url.path.endswith(".json")
            or "application/json" in request.headers.get("accept", "")
            or request.headers.get("x-requested-with") == "fetch")


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //): else the queue."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


# -- rendering ----------------------------------------------------------------------------------
def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """The template ``name`` with ``context``, the signed-in user, the CSRF token and the flash."""
    ctx = dict(context or {})
    ctx.setdefault("user", getattr(request.state, "user", None))
    ctx.setdefault("error", None)
    ctx["request"] = request
    ctx["csrf"] = ensure_csrf(request)
    ctx["flash"] = request.session.pop("flash", None)
    return HTMLResponse(request.app.state.templates.get_template(name).render(ctx), status_code=status_code)


def ensure_csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_token()
    return token


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message


# -- users and CSRF -----------------------------------------------------------------------------
class NeedLogin(Exception):
    """No one is signed in: pages redirect to the sign-in, JSON gets 401."""


def current_user(request: Request) -> Actor | None:
    # the session lives in the store: signed out, a new password or role, a disabled
    # account or older than session_hours, and the cookie (or any copy of it) is dead
    sid = request.session.get("sid")
    if not sid:
        if request.session.get("user"):
            request.session.clear()
        return None
    state = request.app.state
    row = state.records.session_user(sid, max_age=state.settings.session_hours * 3600)
    if row is None:
        request.session.clear()
        return None
    actor = Actor(row.username, row.role)
    request.state.user = actor
    return actor


def require_user(request: Request) -> Actor:
    actor = current_user(request)
    if actor is None:
        raise NeedLogin()
    return actor


async def csrf_form(request: Request) -> FormData:
    form = await request.form()
    token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not same_token(request.session.get("csrf"), token if isinstance(token, str) else None):
        raise HTTPException(403, "The form's security token is missing or out of date: "
                                 "reload the page and try again.")
    # browsers say where a form came from: it must be this site (scheme, host and port)
    if not same_origin(request.headers.get("origin"), request.headers.get("host"),
                       request.url.scheme, https_only=request.app.state.settings.https_only):
        raise HTTPException(403, "This form was sent from another site.")
    return form


__all__ = ["AppSettings", "NeedLogin", "POLL_SECONDS", "SESSION_COOKIE", "SESSION_HOURS", "STATIC",
           "csrf_form", "current_user", "ensure_csrf", "flash", "render", "require_user", "safe_next",
           "static_version", "story_url", "wants_json", "web_templates_dir"]
