"""Signing in and out, and the pages anyone may fetch: ``/`` (to the queue), ``/healthz``,
``/favicon.ico``, ``GET``/``POST /login`` (argon2 password hashes; throttled; the name's case
does not matter; a session kept in the store) and ``POST /logout`` (ends the session in the
store: a copy of the cookie is dead)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from starlette.datastructures import FormData

from writer.web.pages import STATIC, csrf_form, current_user, render, safe_next
from writer.web.security import hash_password, needs_rehash, new_token, verify_password
from writer.web.startup import RETRY_AFTER, health

router = APIRouter(include_in_schema=False)


@router.get("/")
def home():
    return RedirectResponse("/queue", status_code=303)


@router.get("/healthz")
def healthz(request: Request):
    """200 when the app can answer everything; 503 while its night is still being made, or
    when that failed (:mod:`writer.web.startup`)."""
    state = request.app.state
    status, body = health(getattr(state, "startup", None), state.checker)
    if status == 200:
        return body
    return JSONResponse(body, status_code=status,
                        headers={"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"})


@router.get("/favicon.ico")
def favicon():
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/queue"):
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: FormData = Depends(csrf_form)):
    records, throttle = request.app.state.records, request.app.state.throttle
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/queue"))
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
        row = records.add_user(row.username, row.role, hash_password(password), by=row.username)
    records.end_session(request.session.get("sid"), "signed in again")
    request.session.clear()
    request.session.update({"user": row.username, "sid": records.start_session(row),
                            "csrf": new_token()})
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormData = Depends(csrf_form)):
    request.app.state.records.end_session(request.session.get("sid"), "signed out")  # copies of the cookie die too
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
