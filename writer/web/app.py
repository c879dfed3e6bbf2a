"""The review app: FastAPI with server-rendered Jinja2 pages (``templates/web/``) and a little
JavaScript (``writer/web/static/``, served by the app).

    app = create_app(open_store(), "samples/demo-night")
    uvicorn.run(app, host="127.0.0.1", port=8000)

Pages and endpoints (all but ``/login``, ``/healthz``, ``/favicon.ico`` and ``/static`` need a
signed-in user; every POST form carries the session's CSRF token; every GET answers HEAD too,
and every 405 says what is allowed in ``Allow``), one router each:

    sign-in      /, /healthz, /favicon.ico, /login, /logout          writer.web.routes.auth
    the queue    /queue, /queue.json                                 writer.web.routes.queue
    a story      /story/{id} and what editors do to it               writer.web.routes.story
    the chief's  /rules, /rules/{id}/auto-publish,                   writer.web.routes.rules
                 /declaration/{id}/withdraw
    the API      /api/declarations (bearer tokens)                   writer.web.api
    the feeds    /feeds/... (public; with the publisher)             writer.web.feeds

The app reads stories and decisions from the store and appends to it; it never holds the
night in memory, so it follows whatever process is feeding the store.
"""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Route

from writer import night as nights
from writer.review.checks import FactChecks
from writer.review.queue import ORDERS, STATUSES
from writer.review.workflow import Review
from writer.store.users import ReviewRecords
from writer.web import api, outage
from writer.web.feeds import feeds_router
from writer.web.pages import (POLL_SECONDS, SESSION_COOKIE, SESSION_HOURS, STATIC, AppSettings, NeedLogin,
                              render, static_version, story_url, wants_json, web_templates_dir)
from writer.web.presentation import night_time, thousands, uk_clock, uk_date, uk_input, uk_time
from writer.web.routes import PAGES
from writer.web.security import SecurityHeaders, Throttle, dummy_hash
from writer.web.startup import HoldUntilReady, NightParts, Startup

log = logging.getLogger(__name__)


def create_app(store, night: Any = None, *, settings: AppSettings | None = None, pipeline: Any = None,
               ingest_lock: Any = None, publishing: Any = None, checker: Any = None, published=None,
               startup: Startup | None = None, **options: Any) -> FastAPI:
    """The review app on ``store``.

    ``night``: the night (a :class:`writer.model.Night`, or its election directory), needed
    for the fact-check and for evidence the stories do not carry. ``settings``: the app's
    :class:`~writer.web.pages.AppSettings` (default: from the environment, with ``options``,
    any of its fields, on top: ``secret_key``, ``https_only``, ``session_hours``,
    ``poll_seconds``, ``rules_dir``, ``fact_check``). ``pipeline``: the
    :class:`writer.store.Pipeline` that ``POST /api/declarations`` ingests through (built here
    from the night when not given); ``ingest_lock``: a lock shared with anything else driving
    that pipeline (a replay, say). ``publishing``: a :class:`writer.publish.service.Publishing`
    (the publisher, its scheduler and the feeds): mounts the public feeds, shows each story's
    publishing history, chart and retry button; the caller starts and stops its scheduler.
    The fact-check gate is the publisher's when it runs (one gate: a story is checked once),
    else one with ``checker`` (a :class:`writer.check.FactChecker`; default: built here from
    the night); none with ``fact_check`` off. ``published``:
    ``{story_id: version}`` of what is published (default: the publisher's).

    ``startup``: a :class:`writer.web.startup.Startup` that makes the night, the pipeline,
    the fact-checker and the publisher in the background once the server runs (give none of
    those here then): the app answers the sign-in page at once and holds the requests that
    need the night until they are in place (:mod:`writer.web.startup`).
    """
    if startup is not None and any(x is not None for x in (night, pipeline, publishing, checker, published)):
        raise TypeError("create_app: with a startup, the night, pipeline, publishing, checker and "
                        "published come from it, not from the arguments")
    if settings is None:
        settings = AppSettings.from_env(**options)
    elif options:
        raise TypeError(f"create_app: give settings or {', '.join(sorted(options))}, not both")
    if isinstance(night, (str, Path)):
        night = nights.load(night, settings.rules_dir)
    names = _party_names(settings.rules_dir)
    if pipeline is None and night is not None:
        pipeline = nights.open_pipeline(store, night, settings.rules_dir)
    if published is None and publishing is not None:
        published = publishing.publisher.published
    checks = _fact_checks(store, night, names, settings, publishing, checker)
    review = Review(store, night=night, names=names, published=published, checks=checks)

    app = FastAPI(title="The results-night writer: review", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=_lifespan)
    state = app.state
    state.startup = startup
    state.settings, state.store, state.night, state.names = settings, store, night, names
    state.review, state.records, state.throttle = review, ReviewRecords(store), Throttle()
    state.checker = checks.checker
    state.pipeline = pipeline  # what the declarations API ingests through
    state.ingest_lock = ingest_lock or threading.Lock()
    state.publishing = publishing
    state.templates = _templates(settings, fact_check_available=checks.checker is not None)
    if startup is not None:  # innermost: what waits for the night waits with its session read
        app.add_middleware(HoldUntilReady, startup=startup)
    # outermost first: headers on everything, then the session cookie
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=SESSION_COOKIE,
                       max_age=int(settings.session_hours * 3600), same_site="strict",
                       https_only=settings.https_only)
    app.add_middleware(SecurityHeaders)
    outage.install(app)  # the database away (PostgreSQL restarting): 503 + Retry-After, not 500
    app.add_exception_handler(NeedLogin, _need_login)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # ours, and the router's 404 and 405
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    # the API and the feeds first: their requests are the night's most frequent, and every
    # router before a request's own is tried on it first (no path is in two routers)
    routers = [api.router]
    if publishing is not None and publishing.feeds is not None:  # public: outlets read them
        routers.append(feeds_router(publishing.feeds))
    for router in (*routers, *PAGES):
        _include(app, router)
    _answer_head_as_get(app.routes)
    return app


def _include(app: FastAPI, router) -> None:
    _answer_head_as_get(router.routes)  # before it is included: the app keeps its own copy
    app.include_router(router)


def _attach(app: FastAPI, parts: NightParts) -> None:
    """Put the night's parts, made by the app's startup, in place (in the server's event loop,
    before any request held for them goes on): what ``create_app`` does with them when they
    are given to it."""
    state = app.state
    store, settings, names, publishing = state.store, state.settings, state.names, parts.publishing
    published = publishing.publisher.published if publishing is not None else None
    checks = _fact_checks(store, parts.night, names, settings, publishing, parts.checker)
    state.night, state.pipeline, state.publishing = parts.night, parts.pipeline, publishing
    state.review = Review(store, night=parts.night, names=names, published=published, checks=checks)
    state.checker = checks.checker
    state.templates.globals["fact_check_available"] = checks.checker is not None
    if publishing is not None and publishing.feeds is not None:
        _include(app, feeds_router(publishing.feeds))


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """When a server runs the app: its startup (if any) begins making the night's parts, and
    the dummy password hash is made beside it (argon2 leaves the interpreter's lock free)."""
    threading.Thread(target=dummy_hash, name="writer-dummy-hash", daemon=True).start()
    startup = getattr(app.state, "startup", None)
    if startup is not None:
        startup.begin(lambda parts: _attach(app, parts), warm=lambda parts: api.prepare(app.state, parts.night))
    yield


# -- what the app is built from -------------------------------------------------------------------
def _party_names(rules_dir: Path):
    try:
        return nights.party_names(rules_dir)
    except Exception:  # noqa: BLE001 - party codes will do
        log.warning("party names not loaded from %s", rules_dir, exc_info=True)
        return None


def _fact_checks(store, night, names, settings: AppSettings, publishing, checker) -> FactChecks:
    """The fact-check gate: the publisher's when it runs, else one with ``checker`` or with a
    checker for the night built here."""
    if not settings.fact_check:
        return FactChecks(store, None)
    if publishing is not None:
        return publishing.publisher.checker
    if checker is not None:
        return FactChecks(store, checker)
    if night is None or names is None:
        return FactChecks(store, None)
    try:
        return FactChecks(store, nights.fact_checker(night, names))
    except Exception:  # noqa: BLE001 - the app runs; approving then needs a chief's override
        log.warning("the fact-check is unavailable", exc_info=True)
        return FactChecks(store, None)


def _templates(settings: AppSettings, *, fact_check_available: bool) -> jinja2.Environment:
    """The pages' Jinja2 environment (``app.state.templates``; tests render parts with it)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(web_templates_dir())),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(story_url=story_url, night_time=night_time, uk_time=uk_time, uk_input=uk_input,
                       uk_date=uk_date, uk_clock=uk_clock, STATUSES=STATUSES, ORDERS=ORDERS,
                       static_version=static_version(), poll_seconds=settings.poll_seconds,
                       fact_check_available=fact_check_available)
    env.filters["num"] = thousands  # 2,268 in tables, as the copy prints it
    return env


# -- errors ---------------------------------------------------------------------------------------
async def _need_login(request: Request, _exc: NeedLogin):
    if wants_json(request):
        return JSONResponse({"error": "sign in first"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in ("GET", "HEAD"):
        target = "/queue"
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


async def _http_error(request: Request, exc: StarletteHTTPException):
    headers = getattr(exc, "headers", None)  # a 405's Allow, a 401's WWW-Authenticate
    if exc.status_code == 405:  # every method the path takes, not only the first route's
        allowed = _allowed_methods(request.app, request.scope)
        if allowed:
            headers = {**(headers or {}), "Allow": ", ".join(sorted(allowed))}
    if wants_json(request) or request.url.path.startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    page = render(request, "error.html", {"status": exc.status_code, "message": str(exc.detail)},
                  status_code=exc.status_code)
    for name, value in (headers or {}).items():
        page.headers[name] = value
    return page


def _routes(app: FastAPI) -> list[Any]:
    """Every route the app serves: its own and those of included routers."""
    try:  # FastAPI >= 0.16x keeps included routers as one entry each
        from fastapi.routing import iter_route_contexts
        return list(iter_route_contexts(app.routes))
    except ImportError:
        return list(app.routes)


def _allowed_methods(app: FastAPI, scope) -> set[str]:
    """The methods of every route whose path matches the request's (for a 405's ``Allow``)."""
    from starlette.routing import Match
    probe = {**scope, "method": "\0"}  # no route takes it: a path match is a partial match
    out: set[str] = set()
    for route in _routes(app):
        methods = getattr(route, "methods", None)
        if not methods:
            continue
        try:
            match, _ = route.matches(probe)
        except Exception:  # noqa: BLE001 - a route that cannot say is left out
            continue
        if match != Match.NONE:
            out |= set(methods)
    return out


def _answer_head_as_get(routes: list[Any]) -> None:
    """HEAD wherever GET is (FastAPI's routes take only the methods they are given; Starlette's
    add HEAD themselves): the response is GET's with its body left off (``SecurityHeaders``),
    and a 405 lists HEAD in ``Allow``."""
    for route in routes:
        if isinstance(route, Route) and route.methods and "GET" in route.methods:
            route.methods.add("HEAD")


__all__ = ["POLL_SECONDS", "SESSION_HOURS", "STATIC", "AppSettings", "create_app", "story_url",
           "web_templates_dir"]
