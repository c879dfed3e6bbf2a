"""503 when the database is away.

PostgreSQL restarted mid-night, a network blip, the pool exhausted: a request that needed the
store just then gets ``503 Service Unavailable`` with ``Retry-After``, not a 500, and the
next request after the database is back works (the store replaces dead connections by
itself: :mod:`writer.store.db`). What was being stored was rolled back (unless the
connection dropped at the very moment of the commit), so the answer to a client is: send the
same thing again. A declaration sent twice is stored once (the API is
idempotent by id and content), and an editor's approval of the same version is the same
approval.

- ``/api/...`` and clients asking for JSON: ``{"detail": "..."}``;
- the review app and the feeds: a short page that reloads itself (GET) after the wait.

Other database errors (a constraint refused, a bad query) are not outages and are not
turned into 503: they stay the errors they are.

    install(app)        # create_app does it
"""

from __future__ import annotations

import logging
import sys
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from writer.store.db import is_outage

log = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds
MESSAGE = ("The results database is unavailable for a moment (restarting, or the connection was lost), "
           "so this request was probably not saved: send it again in a few seconds (sent twice, it is "
           "stored once).")


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def unavailable(request: Request, exc: BaseException | None = None) -> Response:
    """The 503 answer for ``request``."""
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if _wants_json(request):
        return JSONResponse({"detail": MESSAGE, "retry_after": RETRY_AFTER}, status_code=503, headers=headers)
    refresh = f'<meta http-equiv="refresh" content="{RETRY_AFTER}">' if request.method == "GET" else ""
    again = ("This page will try again by itself." if request.method == "GET"
             else "Go back and send the form again.")
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">{refresh}'
            f"<title>Unavailable for a moment</title></head><body><main><h1>Unavailable for a moment</h1>"
            f"<p>{escape(MESSAGE)}</p><p>{again}</p></main></body></html>")
    return HTMLResponse(body, status_code=503, headers=headers)


async def _handler(request: Request, exc: Exception) -> Response:
    if not is_outage(exc):
        raise exc  # not an outage: the error it is (a 500, logged with its traceback)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    log.warning("503 for %s %s: the database is away (%s)", request.method, request.url.path, first[:300])
    return unavailable(request, exc)


def install(app) -> None:
    """Answer database outages with 503 + Retry-After on every route of ``app``."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout
    app.add_exception_handler(DBAPIError, _handler)
    app.add_exception_handler(PoolTimeout, _handler)
    # raised outside SQLAlchemy; only a store on PostgreSQL raises it, and opening one has
    # imported psycopg already (importing it here would cost every SQLite server 0.1 s at start)
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        app.add_exception_handler(psycopg.OperationalError, _handler)


__all__ = ["MESSAGE", "RETRY_AFTER", "install", "unavailable"]
