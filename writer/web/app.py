"""The review app: FastAPI with server-rendered Jinja2 pages (``templates/web/``) and a little
JavaScript (``writer/web/static/``, served by the app).

    app = create_app(open_store(), "samples/demo-night")
    uvicorn.run(app, host="127.0.0.1", port=8000)

Pages and endpoints (all but ``/login``, ``/healthz``, ``/favicon.ico`` and ``/static`` need a
signed-in user; every POST form carries the session's CSRF token; every GET answers HEAD too,
and every 405 says what is allowed in ``Allow``):

    GET  /                          -> /queue
    GET  /login, POST /login        sign in (argon2 password hashes; throttled; the name's case
                                    does not matter); a session kept in the store
    POST /logout                    ends the session in the store: a copy of the cookie is dead
    GET  /favicon.ico
    GET  /queue                     every story: status, score, council, region, time; filters
                                    ?status= &region= &type= (event type) &kind= &q=; the order
                                    ?order=new (default: new first) | score | latest
    GET  /queue.json                the same rows as JSON (the page polls it)
    GET  /story/{id}                the story as it would publish, its evidence, the fact-check
                                    with failing spans marked, the editor, decisions, history
    GET  /story/{id}/state.json     the story's latest version (the page polls it)
    POST /story/{id}/edit           save an edit (new version, re-checked); 409 with both
                                    versions when someone else saved first
    POST /story/{id}/approve        422 when the check failed; a chief may override with a
                                    reason (an editor gets 403); optional publish time
    POST /story/{id}/reject
    POST /story/{id}/hold           with a note
    POST /story/{id}/schedule       set or clear the time to publish at
    GET  /rules, POST /rules/{id}/auto-publish   rules' auto-publish settings (chief only)
    GET  /healthz

The app reads stories and decisions from the store and appends to it; it never holds the
night in memory, so it follows whatever process is feeding the store.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from writer import resources
from writer.store.users import ReviewRecords
from writer.web.review import (ORDERS, STATUSES, Actor, Conflict, Filters, Invalid, Review,
                               ReviewError, night_time, parse_publish_at, parse_uk_publish_at,
                               thousands, uk_clock, uk_date, uk_input, uk_time, word_diff)
from writer.web import outage
from writer.web.security import (CSRF_FIELD, CSRF_HEADER, SecurityHeaders, Throttle, needs_rehash,
                                 new_token, same_origin, same_token, verify_password)

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "writer_session"
SESSION_HOURS = 12
POLL_SECONDS = 4


def web_templates_dir() -> Path:
    """templates/web: beside the drafting templates (an editor's own copy of those may not
    have it, so the checkout's or the packaged copy is used then)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (resources.templates_dir() / "web", here.parent / "templates" / "web",
                      here / "_data" / "templates" / "web"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("templates/web (the review app's pages) not found")


class NeedLogin(Exception):
    pass


def _wants_json(request: Request) -> bool:
    return (request.url.path.endswith(".json")
            or "application/json" in request.headers.get("accept", "")
            or request.headers.get("x-requested-with") == "fetch")


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //): else the queue."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


def story_url(story_id: str, action: str = "", query: str = "") -> str:
    url = "/story/" + quote(story_id, safe="")
    if action:
        url += "/" + action
    return url + ("?" + query if query else "")


def _static_version() -> str:
    h = hashlib.sha256()
    for p in sorted(STATIC.glob("*")):
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:10]


def create_app(store, night_dir: str | Path | None = None, *, secret_key: str | None = None,
               https_only: bool = False, checker: Any = None, night: Any = None,
               rules_dir: Path | None = None, names: Any = None, published=None,
               session_hours: float = SESSION_HOURS, poll_seconds: float = POLL_SECONDS,
               fact_check: bool = True, pipeline: Any = None, with_pipeline: bool = True,
               ingest_lock: Any = None, publishing: Any = None) -> FastAPI:
    """The review app on ``store``.

    ``night_dir``: the night's election directory (or pass ``night``): needed for the
    fact-check (built here unless ``checker`` is given; ``fact_check=False`` to go without)
    and for evidence the stories do not carry. ``secret_key`` signs the session cookie
    (``WRITER_SECRET_KEY``, else a random key: sessions end when the app restarts).
    ``https_only``: mark the cookie Secure (serve over HTTPS, or on localhost only).
    ``pipeline``: the :class:`writer.store.Pipeline` that ``POST /api/declarations`` ingests
    through (built here from the night unless ``with_pipeline=False``); ``ingest_lock``: a lock
    shared with anything else driving that pipeline (a replay, say). ``publishing``: a
    :class:`writer.publish.service.Publishing` (the publisher, its scheduler and the feeds):
    mounts the public feeds, shows each story's publishing history, chart and retry button.
    The caller starts and stops its scheduler.
    """
    rules_dir = Path(rules_dir) if rules_dir else resources.rules_dir()
    if night is None and night_dir is not None:
        from writer.identity import default_registry
        from writer.ingest import load_night
        night = load_night(night_dir, registry=default_registry(rules_dir))
    if names is None:
        try:
            from writer.draft.style import PartyNames
            names = PartyNames.load(rules_dir / "parties.yaml")
        except Exception:  # noqa: BLE001 - party codes will do
            log.warning("party names not loaded from %s", rules_dir, exc_info=True)
    if checker is None and fact_check and night is not None and names is not None:
        try:
            from writer.check import FactChecker
            checker = FactChecker.for_night(night.setup, names)
        except Exception:  # noqa: BLE001 - the app runs; approving then needs a chief's override
            log.warning("the fact-check is unavailable", exc_info=True)
    secret_key = secret_key or os.environ.get("WRITER_SECRET_KEY") or secrets.token_urlsafe(48)

    if pipeline is None and with_pipeline and night is not None:
        from writer.draft.desk import build
        from writer.store import Pipeline
        pipeline = Pipeline(store, lambda: build(night, rules_dir))

    if published is None and publishing is not None:
        published = publishing.publisher.published
    review = Review(store, checker=checker, night=night, names=names, published=published)
    if publishing is not None and publishing.publisher.ensure_checked is None:
        publishing.publisher.ensure_checked = review.ensure_checked  # rule-published stories are checked first
    records = ReviewRecords(store)
    throttle = Throttle()

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(web_templates_dir())),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(story_url=story_url, night_time=night_time, uk_time=uk_time, uk_input=uk_input,
                       uk_date=uk_date, uk_clock=uk_clock, STATUSES=STATUSES, ORDERS=ORDERS,
                       static_version=_static_version(), poll_seconds=poll_seconds,
                       fact_check_available=checker is not None)
    env.filters["num"] = thousands  # 2,268 in tables, as the copy prints it

    app = FastAPI(title="The results-night writer: review", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.store = store
    app.state.night = night
    app.state.review = review
    app.state.records = records
    app.state.checker = checker
    app.state.pipeline = pipeline  # what the declarations API ingests through
    app.state.ingest_lock = ingest_lock or threading.Lock()
    app.state.publishing = publishing
    app.state.templates = env  # the pages' Jinja2 environment (tests render parts with it)
    # outermost first: headers on everything, then the session cookie
    app.add_middleware(SessionMiddleware, secret_key=secret_key, session_cookie=SESSION_COOKIE,
                       max_age=int(session_hours * 3600), same_site="strict", https_only=https_only)
    app.add_middleware(SecurityHeaders)
    outage.install(app)  # the database away (PostgreSQL restarting): 503 + Retry-After, not 500
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    # -- rendering ------------------------------------------------------------------------------
    def render(request: Request, name: str, context: dict[str, Any] | None = None,
               status_code: int = 200) -> HTMLResponse:
        ctx = dict(context or {})
        ctx.setdefault("user", getattr(request.state, "user", None))
        ctx.setdefault("error", None)
        ctx["request"] = request
        ctx["csrf"] = ensure_csrf(request)
        ctx["flash"] = request.session.pop("flash", None)
        return HTMLResponse(env.get_template(name).render(ctx), status_code=status_code)

    def ensure_csrf(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = request.session["csrf"] = new_token()
        return token

    def flash(request: Request, message: str) -> None:
        request.session["flash"] = message

    # -- users and CSRF -------------------------------------------------------------------------
    def current_user(request: Request) -> Actor | None:
        # the session lives in the store: signed out, a new password or role, a disabled
        # account or older than session_hours, and the cookie (or any copy of it) is dead
        sid = request.session.get("sid")
        if not sid:
            if request.session.get("user"):
                request.session.clear()
            return None
        row = records.session_user(sid, max_age=session_hours * 3600)
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
                           request.url.scheme, https_only=https_only):
            raise HTTPException(403, "This form was sent from another site.")
        return form

    @app.exception_handler(NeedLogin)
    async def _need_login(request: Request, _exc: NeedLogin):
        if _wants_json(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method not in ("GET", "HEAD"):
            target = "/queue"
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(StarletteHTTPException)  # ours, and the router's 404 and 405
    async def _http_error(request: Request, exc: StarletteHTTPException):
        headers = getattr(exc, "headers", None)  # a 405's Allow, a 401's WWW-Authenticate
        if exc.status_code == 405:  # every method the path takes, not only the first route's
            allowed = _allowed_methods(app, request.scope)
            if allowed:
                headers = {**(headers or {}), "Allow": ", ".join(sorted(allowed))}
        if _wants_json(request) or request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
        page = render(request, "error.html", {"status": exc.status_code, "message": str(exc.detail)},
                      status_code=exc.status_code)
        for name, value in (headers or {}).items():
            page.headers[name] = value
        return page

    # -- sign-in --------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/queue", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True, "fact_check": checker is not None}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/queue"):
        if current_user(request) is not None:
            return RedirectResponse(_safe_next(next), status_code=303)
        return render(request, "login.html", {"next": _safe_next(next), "username": ""})

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, form: FormData = Depends(csrf_form)):
        username = str(form.get("username") or "").strip()[:64]
        password = str(form.get("password") or "")
        target = _safe_next(str(form.get("next") or "/queue"))
        if throttle.blocked(username):
            return render(request, "login.html", {"next": target, "username": username,
                                                  "error": "Too many failed attempts: wait a few minutes."},
                          status_code=429)
        row = records.user(username) if username else None
        ok = verify_password(row.password_hash if row is not None and row.active else None, password)
        if not ok:
            throttle.failed(username)
            return render(request, "login.html", {"next": target, "username": username,
                                                  "error": "Wrong name or password."}, status_code=401)
        throttle.succeeded(username)
        if needs_rehash(row.password_hash):
            from writer.web.security import hash_password
            row = records.add_user(row.username, row.role, hash_password(password), by=row.username)
        records.end_session(request.session.get("sid"), "signed in again")
        request.session.clear()
        request.session.update({"user": row.username, "sid": records.start_session(row),
                                "csrf": new_token()})
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    def logout(request: Request, form: FormData = Depends(csrf_form)):
        records.end_session(request.session.get("sid"), "signed out")  # copies of the cookie die too
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # -- the queue ------------------------------------------------------------------------------
    @app.get("/queue", response_class=HTMLResponse)
    def queue_page(request: Request, user: Actor = Depends(require_user)):
        # The queue is kept up to date in memory (Review.queue_state); the table is rendered
        # once per revision and filter (each row once per version of that row) and kept.
        from markupsafe import Markup
        filters = Filters.from_query(request.query_params)
        query = filters.query()
        revision, everything = review.queue_state()
        row_template = env.get_template("_queue_row.html")

        def table() -> dict[str, Any]:
            rows = filters.arrange(everything)
            html = "".join(review.memo.piece(("html", r, query), lambda r=r: row_template.render(r=r, query=query))
                           for r in rows)
            return {"rows": rows, "rows_html": Markup(html), "facets": review.facets(everything),
                    "counts": {s: sum(1 for r in everything if r.status == s) for s in STATUSES}}

        parts = review.memo.value(revision, ("page", query), table)
        return render(request, "queue.html", {
            **parts, "filters": filters, "total": len(everything), "query": query,
        })

    @app.get("/queue.json")
    def queue_json(request: Request, user: Actor = Depends(require_user)):
        # Encoded once per revision and filter, each row once per version of that row.
        import json
        from fastapi.responses import Response
        filters = Filters.from_query(request.query_params)
        query = filters.query()
        revision, everything = review.queue_state()

        def body() -> bytes:
            rows = filters.arrange(everything)
            stamp = hashlib.sha256(repr([(r.story_id, r.version, r.status, r.check, r.publish_at)
                                         for r in rows]).encode()).hexdigest()[:16]
            encoded = ",".join(review.memo.piece(("json", r, query), lambda r=r: json.dumps(
                {**r.to_json(), "url": story_url(r.story_id, query=query),
                 "approve_url": story_url(r.story_id, "approve")},
                ensure_ascii=False, allow_nan=False, separators=(",", ":"))) for r in rows)
            rest = json.dumps({"count": len(rows), "total": len(everything), "fingerprint": stamp,
                               "counts": {s: sum(1 for r in everything if r.status == s) for s in STATUSES}},
                              ensure_ascii=False, separators=(",", ":"))
            return ('{"rows":[' + encoded + "]," + rest[1:]).encode("utf-8")

        return Response(review.memo.value(revision, ("json", query), body), media_type="application/json")

    # -- a story --------------------------------------------------------------------------------
    def story_page(request: Request, story_id: str, *, status_code: int = 200, error: str | None = None,
                   conflict: Conflict | None = None, draft: dict[str, str] | None = None) -> HTMLResponse:
        try:
            view = review.story_view(story_id)
        except ReviewError as exc:
            raise HTTPException(exc.status, exc.message) from None
        filters = Filters.from_query(request.query_params)
        query = filters.query()
        prev_id, next_id = review.neighbours(story_id, filters)
        context: dict[str, Any] = {
            "view": view, "filters": filters, "query": query, "error": error,
            "prev_url": story_url(prev_id, query=query) if prev_id else "",
            "next_url": story_url(next_id, query=query) if next_id else "",
            "next_id": next_id or "",
            "queue_url": "/queue" + (f"?{query}" if query else ""),
            "draft": draft or {"headline": view.story.headline, "body": view.paragraphs_text},
            "conflict": None,
        }
        if conflict is not None:
            theirs = conflict.latest.story()
            yours = dict(conflict.yours or {})
            yours_text = yours.get("headline", "") + "\n\n" + yours.get("body", "")
            theirs_text = theirs.headline + "\n\n" + "\n\n".join(theirs.paragraphs)
            context["conflict"] = {
                "message": conflict.message, "version": conflict.latest.version,
                "author": conflict.latest.author, "theirs": theirs_text, "yours": yours_text,
                "diff": word_diff(theirs_text, yours_text),
            }
            if conflict.yours:
                context["draft"] = conflict.yours
        context["publishing"] = publishing_view(view) if publishing is not None else None
        return render(request, "story.html", context, status_code=status_code)

    # -- publishing: history, chart, retry -------------------------------------------------------
    def publishing_view(view) -> dict[str, Any]:
        from writer.publish.chart import chart_data
        pub = publishing.publisher
        history = pub.history(view.row.story_id)
        latest: dict[str, dict[str, Any]] = {}
        for h in history:
            if h["what"] == "deliver":
                latest[h["where"]] = h
        release = pub.records.latest_releases().get(view.row.story_id)
        failed = [t for t, h in latest.items()
                  if h["state"] == "failed" and release is not None and h.get("release_seq") == release.seq]
        facts = next((e for e in view.story.evidence if e.get("scope") == "council" and e.get("seats_won")), None)
        chart = None
        if view.story.kind == "council" and facts is not None and names is not None:
            data = chart_data(facts, names, str(night.election.poll_date.year) if night is not None else "")
            if data is not None:
                chart = {"url": story_url(view.row.story_id, "chart.svg") + f"?v={view.row.version}", "alt": data.alt}
        return {"history": history, "targets": [t.name for t in pub.targets], "failed": failed,
                "chart": chart, "feeds": publishing.feeds is not None}

    @app.get("/story/{story_id}/chart.svg")
    def story_chart_svg(story_id: str, user: Actor = Depends(require_user)):
        from writer.publish.chart import story_chart
        if publishing is None or names is None:
            raise HTTPException(404, "charts are drawn by the publisher, which is not running")
        row = store.latest_story(story_id)
        if row is None:
            raise HTTPException(404, f"no story {story_id!r}")
        made = story_chart(row.story(), names, str(night.election.poll_date.year) if night is not None else "", "svg")
        if made is None:
            raise HTTPException(404, f"{story_id} has no seat chart")
        return Response(made[0], media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})

    @app.post("/story/{story_id}/retry", response_class=HTMLResponse)
    def retry_delivery(request: Request, story_id: str, user: Actor = Depends(require_user),
                       form: FormData = Depends(csrf_form)):
        if publishing is None:
            raise HTTPException(404, "publishing is not running")
        target = str(form.get("target") or "")
        try:
            publishing.publisher.request_retry(story_id, target, user.username)
        except LookupError as exc:
            return story_page(request, story_id, status_code=409, error=str(exc))
        flash(request, f"Publishing to {target} will be tried again in a moment.")
        return RedirectResponse(story_url(story_id), status_code=303)

    @app.get("/story/{story_id}", response_class=HTMLResponse)
    def story(request: Request, story_id: str, user: Actor = Depends(require_user)):
        return story_page(request, story_id)

    @app.get("/story/{story_id}/state.json")
    def story_state(story_id: str, user: Actor = Depends(require_user)):
        try:
            return review.version_state(story_id)
        except ReviewError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)

    def publish_time_of(form: FormData):
        """The time to publish at: the story page's date and time boxes (British: 08/05/2026,
        03:15), else one ``publish_at`` field (08/05/2026 03:15, or ISO 8601)."""
        if "publish_date" in form or "publish_time" in form:
            return parse_uk_publish_at(str(form.get("publish_date") or ""), str(form.get("publish_time") or ""))
        return parse_publish_at(str(form.get("publish_at") or ""))

    def named(story_id: str, version: int) -> str:
        """A story as a message names it: its headline in quotes (else its id)."""
        row = store.story_version(story_id, version) or store.latest_story(story_id)
        headline = " ".join((row.headline if row is not None else "").split())
        if not headline:
            return story_id
        return "\u201c" + (headline if len(headline) <= 120 else headline[:119] + "\u2026") + "\u201d"

    def version_of(form: FormData) -> int:
        try:
            return int(str(form.get("version") or ""))
        except ValueError:
            raise HTTPException(400, "the form has no story version") from None

    def after_decision(request: Request, story_id: str, form: FormData, message: str) -> RedirectResponse:
        flash(request, message)
        query = Filters.from_query(_parse_qs(str(form.get("query") or ""))).query()
        if form.get("return") == "queue":
            return RedirectResponse("/queue" + (f"?{query}" if query else ""), status_code=303)
        nxt = str(form.get("next") or "")
        if nxt and store.latest_story(nxt) is not None:
            return RedirectResponse(story_url(nxt, query=query), status_code=303)
        return RedirectResponse(story_url(story_id, query=query), status_code=303)

    def failed(request: Request, story_id: str, exc: ReviewError, draft: dict[str, str] | None = None):
        if isinstance(exc, Conflict):
            return story_page(request, story_id, status_code=409, error=exc.message, conflict=exc)
        if exc.status == 404:
            raise HTTPException(404, exc.message)
        return story_page(request, story_id, status_code=exc.status, error=exc.message, draft=draft)

    @app.post("/story/{story_id}/edit", response_class=HTMLResponse)
    def edit(request: Request, story_id: str, user: Actor = Depends(require_user),
             form: FormData = Depends(csrf_form)):
        version = version_of(form)
        headline, body = str(form.get("headline") or ""), str(form.get("body") or "")
        try:
            row = review.save_edit(user, story_id, version, headline, body)
        except ReviewError as exc:
            return failed(request, story_id, exc, draft={"headline": headline, "body": body})
        check = store.latest_check(story_id, row.version)
        if row.version == version:
            message = "Nothing changed."
        elif check is None:
            message = f"Saved version {row.version}. The fact-check is unavailable."
        elif check.ok:
            message = f"Saved version {row.version}. The fact-check passed."
        else:
            message = f"Saved version {row.version}. The fact-check found {len(check.failures)} problem(s)."
        flash(request, message)
        query = Filters.from_query(_parse_qs(str(form.get("query") or ""))).query()
        return RedirectResponse(story_url(story_id, query=query), status_code=303)

    @app.post("/story/{story_id}/approve", response_class=HTMLResponse)
    def approve(request: Request, story_id: str, user: Actor = Depends(require_user),
                form: FormData = Depends(csrf_form)):
        version = version_of(form)
        try:
            publish_at = publish_time_of(form)
            if review.version_state(story_id).get("status") == "published" and \
                    store.latest_story(story_id).version == version:
                raise Invalid("approve: this version is already published")
            review.approve(user, story_id, version, override_reason=str(form.get("override_reason") or ""),
                           publish_at=publish_at, note=str(form.get("note") or ""))
        except ReviewError as exc:
            return failed(request, story_id, exc)
        when = f", to publish at {uk_time(publish_at)}" if publish_at else ""
        return after_decision(request, story_id, form,
                              f"Approved {named(story_id, version)} (version {version}){when}.")

    @app.post("/story/{story_id}/reject", response_class=HTMLResponse)
    def reject(request: Request, story_id: str, user: Actor = Depends(require_user),
               form: FormData = Depends(csrf_form)):
        version = version_of(form)
        try:
            review.reject(user, story_id, version, str(form.get("note") or ""))
        except ReviewError as exc:
            return failed(request, story_id, exc)
        return after_decision(request, story_id, form, f"Rejected {named(story_id, version)} (version {version}).")

    @app.post("/story/{story_id}/hold", response_class=HTMLResponse)
    def hold(request: Request, story_id: str, user: Actor = Depends(require_user),
             form: FormData = Depends(csrf_form)):
        version = version_of(form)
        try:
            review.hold(user, story_id, version, str(form.get("note") or ""))
        except ReviewError as exc:
            return failed(request, story_id, exc)
        return after_decision(request, story_id, form, f"Held {named(story_id, version)} (version {version}).")

    @app.post("/story/{story_id}/schedule", response_class=HTMLResponse)
    def schedule(request: Request, story_id: str, user: Actor = Depends(require_user),
                 form: FormData = Depends(csrf_form)):
        version = version_of(form)
        try:
            when = publish_time_of(form)
            review.schedule(user, story_id, version, when)
        except ReviewError as exc:
            return failed(request, story_id, exc)
        flash(request, f"To publish at {uk_time(when)}." if when else "Publishes once approved.")
        query = Filters.from_query(_parse_qs(str(form.get("query") or ""))).query()
        return RedirectResponse(story_url(story_id, query=query), status_code=303)

    # -- rules ----------------------------------------------------------------------------------
    def rule_rows() -> list[dict[str, Any]]:
        from writer.detect.rules import load_rules
        settings = records.auto_publish_settings()
        out = []
        for rule in load_rules(rules_dir).rules:
            s = settings.get(rule.id)
            out.append({"id": rule.id, "scope": rule.scope, "importance": rule.importance,
                        "template": rule.template, "default": bool(rule.auto_publish),
                        "auto_publish": s.auto_publish if s else bool(rule.auto_publish),
                        "set_by": s.username if s else None, "set_at": s.created_at if s else None})
        return out

    @app.get("/rules", response_class=HTMLResponse)
    def rules_page(request: Request, user: Actor = Depends(require_user)):
        return render(request, "rules.html", {"rules": rule_rows()})

    @app.post("/rules/{rule_id}/auto-publish")
    def set_auto_publish(request: Request, rule_id: str, user: Actor = Depends(require_user),
                         form: FormData = Depends(csrf_form)):
        if not user.chief:
            raise HTTPException(403, "Only a chief can change a rule's auto-publish setting.")
        if rule_id not in {r["id"] for r in rule_rows()}:
            raise HTTPException(404, f"no rule {rule_id!r}")
        value = str(form.get("auto_publish") or "").lower() in ("1", "on", "true", "yes")
        records.set_auto_publish(rule_id, value, user.username)
        flash(request, f"{rule_id}: auto-publish {'on' if value else 'off'}.")
        return RedirectResponse("/rules", status_code=303)

    @app.post("/declaration/{declaration_id}/withdraw")
    def withdraw_declaration(request: Request, declaration_id: str, user: Actor = Depends(require_user),
                             form: FormData = Depends(csrf_form)):
        """A chief withdraws a declaration that should never have been taken (a feed's typo, a
        ward that is not in the night): the night is worked out again without it, as the API's
        DELETE does; recorded as ``user:<name>`` with the reason given."""
        if not user.chief:
            raise HTTPException(403, "Only a chief can withdraw a declaration.")
        if pipeline is None:
            raise HTTPException(404, "no results pipeline is running here")
        reason = str(form.get("reason") or "").strip()
        if not reason:
            raise HTTPException(400, "Say why the declaration is withdrawn (reason).")
        from writer.store.withdrawals import WithdrawalError
        try:
            with app.state.ingest_lock:
                _row, events, stories = pipeline.withdraw(declaration_id, by=f"user:{user.username}", reason=reason)
        except WithdrawalError as exc:
            flash(request, f"Nothing withdrawn: {exc}")
        else:
            flash(request, f"Withdrew {declaration_id}: {len(events)} events and {len(stories)} story versions changed.")
        back = str(form.get("next") or "/queue")
        return RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/queue",
                                status_code=303)

    # the pages are not part of the API's schema
    from fastapi.routing import APIRoute
    for route in app.routes:
        if isinstance(route, APIRoute):
            route.include_in_schema = False

    # -- the public feeds (no sign-in: outlets read them) ----------------------------------------
    if publishing is not None and publishing.feeds is not None:
        from writer.web.feeds import feeds_router
        app.include_router(feeds_router(publishing.feeds))

    # -- the API (bearer tokens; another module) ------------------------------------------------
    try:
        from writer.web.api import router as api_router
    except ImportError:
        api_router = None
    if api_router is not None:
        app.include_router(api_router)

    _answer_head_as_get(app)
    return app


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


def _answer_head_as_get(app: FastAPI) -> None:
    """HEAD wherever GET is (FastAPI's routes take only the methods they are given; Starlette's
    add HEAD themselves): the response is GET's with its body left off (``SecurityHeaders``),
    and a 405 lists HEAD in ``Allow``."""
    from starlette.routing import Route
    routes = list(app.routes) + [getattr(c, "original_route", c) for c in _routes(app)]
    for route in routes:
        if isinstance(route, Route) and route.methods and "GET" in route.methods:
            route.methods.add("HEAD")


def _parse_qs(query: str) -> dict[str, str]:
    from urllib.parse import parse_qsl
    return dict(parse_qsl(query[:1000]))


__all__ = ["create_app", "story_url", "web_templates_dir"]
