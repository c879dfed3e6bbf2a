"""A story and what editors do to it.

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
    GET  /story/{id}/chart.svg      the council's seat chart (with the publisher running)
    POST /story/{id}/retry          try a failed delivery again (with the publisher running)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from writer.review.errors import Conflict, Invalid, ReviewError
from writer.review.queue import Filters
from writer.review.workflow import Actor
from writer.web.forms import filters_query, publish_time_of, version_of
from writer.web.pages import csrf_form, flash, render, require_user, story_url
from writer.web.presentation import StoryPage, uk_time, word_diff

router = APIRouter(include_in_schema=False)


# -- the page -----------------------------------------------------------------------------------
def story_page(request: Request, story_id: str, *, status_code: int = 200, error: str | None = None,
               conflict: Conflict | None = None, draft: dict[str, str] | None = None) -> HTMLResponse:
    try:
        view = StoryPage.of(request.app.state.review, story_id)
    except ReviewError as exc:
        raise HTTPException(exc.status, exc.message) from None
    filters = Filters.from_query(request.query_params)
    query = filters.query()
    prev_id, next_id = request.app.state.review.neighbours(story_id, filters)
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
        context["conflict"] = _conflict_view(conflict)
        if conflict.yours:
            context["draft"] = conflict.yours
    publishing = request.app.state.publishing
    context["publishing"] = _publishing_view(request, view) if publishing is not None else None
    return render(request, "story.html", context, status_code=status_code)


def _conflict_view(conflict: Conflict) -> dict[str, Any]:
    """Theirs (the version stored first) and yours (not saved), and the diff between them."""
    theirs = conflict.latest.story()
    yours = dict(conflict.yours or {})
    yours_text = yours.get("headline", "") + "\n\n" + yours.get("body", "")
    theirs_text = theirs.headline + "\n\n" + "\n\n".join(theirs.paragraphs)
    return {
        "message": conflict.message, "version": conflict.latest.version,
        "author": conflict.latest.author, "theirs": theirs_text, "yours": yours_text,
        "diff": word_diff(theirs_text, yours_text),
    }


def _publishing_view(request: Request, view: StoryPage) -> dict[str, Any]:
    """The story's publishing history, the targets whose latest delivery failed, its chart."""
    from writer.publish.chart import chart_data  # matplotlib: loaded once a chart is wanted
    state = request.app.state
    pub = state.publishing.publisher
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
    if view.story.kind == "council" and facts is not None and state.names is not None:
        data = chart_data(facts, state.names, _year(state.night))
        if data is not None:
            chart = {"url": story_url(view.row.story_id, "chart.svg") + f"?v={view.row.version}", "alt": data.alt}
    return {"history": history, "targets": [t.name for t in pub.targets], "failed": failed,
            "chart": chart, "feeds": state.publishing.feeds is not None}


def _year(night) -> str:
    return str(night.election.poll_date.year) if night is not None else ""


@router.get("/story/{story_id}/chart.svg")
def story_chart_svg(request: Request, story_id: str, user: Actor = Depends(require_user)):
    from writer.publish.chart import story_chart  # matplotlib: loaded once a chart is wanted
    state = request.app.state
    if state.publishing is None or state.names is None:
        raise HTTPException(404, "charts are drawn by the publisher, which is not running")
    row = state.store.latest_story(story_id)
    if row is None:
        raise HTTPException(404, f"no story {story_id!r}")
    made = story_chart(row.story(), state.names, _year(state.night), "svg")
    if made is None:
        raise HTTPException(404, f"{story_id} has no seat chart")
    return Response(made[0], media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@router.post("/story/{story_id}/retry", response_class=HTMLResponse)
def retry_delivery(request: Request, story_id: str, user: Actor = Depends(require_user),
                   form: FormData = Depends(csrf_form)):
    publishing = request.app.state.publishing
    if publishing is None:
        raise HTTPException(404, "publishing is not running")
    target = str(form.get("target") or "")
    try:
        publishing.publisher.request_retry(story_id, target, user.username)
    except LookupError as exc:
        return story_page(request, story_id, status_code=409, error=str(exc))
    flash(request, f"Publishing to {target} will be tried again in a moment.")
    return RedirectResponse(story_url(story_id), status_code=303)


@router.get("/story/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str, user: Actor = Depends(require_user)):
    return story_page(request, story_id)


@router.get("/story/{story_id}/state.json")
def story_state(request: Request, story_id: str, user: Actor = Depends(require_user)):
    try:
        return request.app.state.review.version_state(story_id)
    except ReviewError as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)


# -- decisions ----------------------------------------------------------------------------------
def _named(request: Request, story_id: str, version: int) -> str:
    """A story as a message names it: its headline in quotes (else its id)."""
    store = request.app.state.store
    row = store.story_version(story_id, version) or store.latest_story(story_id)
    headline = " ".join((row.headline if row is not None else "").split())
    if not headline:
        return story_id
    return "\u201c" + (headline if len(headline) <= 120 else headline[:119] + "\u2026") + "\u201d"


def _after_decision(request: Request, story_id: str, form: FormData, message: str) -> RedirectResponse:
    flash(request, message)
    query = filters_query(form)
    if form.get("return") == "queue":
        return RedirectResponse("/queue" + (f"?{query}" if query else ""), status_code=303)
    nxt = str(form.get("next") or "")
    if nxt and request.app.state.store.latest_story(nxt) is not None:
        return RedirectResponse(story_url(nxt, query=query), status_code=303)
    return RedirectResponse(story_url(story_id, query=query), status_code=303)


def _failed(request: Request, story_id: str, exc: ReviewError, draft: dict[str, str] | None = None):
    if isinstance(exc, Conflict):
        return story_page(request, story_id, status_code=409, error=exc.message, conflict=exc)
    if exc.status == 404:
        raise HTTPException(404, exc.message)
    return story_page(request, story_id, status_code=exc.status, error=exc.message, draft=draft)


@router.post("/story/{story_id}/edit", response_class=HTMLResponse)
def edit(request: Request, story_id: str, user: Actor = Depends(require_user),
         form: FormData = Depends(csrf_form)):
    version = version_of(form)
    headline, body = str(form.get("headline") or ""), str(form.get("body") or "")
    try:
        row = request.app.state.review.save_edit(user, story_id, version, headline, body)
    except ReviewError as exc:
        return _failed(request, story_id, exc, draft={"headline": headline, "body": body})
    check = request.app.state.store.latest_check(story_id, row.version)
    if row.version == version:
        message = "Nothing changed."
    elif check is None:
        message = f"Saved version {row.version}. The fact-check is unavailable."
    elif check.ok:
        message = f"Saved version {row.version}. The fact-check passed."
    else:
        message = f"Saved version {row.version}. The fact-check found {len(check.failures)} problem(s)."
    flash(request, message)
    return RedirectResponse(story_url(story_id, query=filters_query(form)), status_code=303)


@router.post("/story/{story_id}/approve", response_class=HTMLResponse)
def approve(request: Request, story_id: str, user: Actor = Depends(require_user),
            form: FormData = Depends(csrf_form)):
    review = request.app.state.review
    version = version_of(form)
    try:
        publish_at = publish_time_of(form)
        if review.version_state(story_id).get("status") == "published" and \
                request.app.state.store.latest_story(story_id).version == version:
            raise Invalid("approve: this version is already published")
        review.approve(user, story_id, version, override_reason=str(form.get("override_reason") or ""),
                       publish_at=publish_at, note=str(form.get("note") or ""))
    except ReviewError as exc:
        return _failed(request, story_id, exc)
    when = f", to publish at {uk_time(publish_at)}" if publish_at else ""
    return _after_decision(request, story_id, form,
                           f"Approved {_named(request, story_id, version)} (version {version}){when}.")


def _set_aside(request: Request, story_id: str, user: Actor, form: FormData, action: str, done: str):
    """Reject or hold a version (``action``, the review workflow's method) with the editor's note."""
    version = version_of(form)
    try:
        getattr(request.app.state.review, action)(user, story_id, version, str(form.get("note") or ""))
    except ReviewError as exc:
        return _failed(request, story_id, exc)
    return _after_decision(request, story_id, form,
                           f"{done} {_named(request, story_id, version)} (version {version}).")


@router.post("/story/{story_id}/reject", response_class=HTMLResponse)
def reject(request: Request, story_id: str, user: Actor = Depends(require_user),
           form: FormData = Depends(csrf_form)):
    return _set_aside(request, story_id, user, form, "reject", "Rejected")


@router.post("/story/{story_id}/hold", response_class=HTMLResponse)
def hold(request: Request, story_id: str, user: Actor = Depends(require_user),
         form: FormData = Depends(csrf_form)):
    return _set_aside(request, story_id, user, form, "hold", "Held")


@router.post("/story/{story_id}/schedule", response_class=HTMLResponse)
def schedule(request: Request, story_id: str, user: Actor = Depends(require_user),
             form: FormData = Depends(csrf_form)):
    version = version_of(form)
    try:
        when = publish_time_of(form)
        request.app.state.review.schedule(user, story_id, version, when)
    except ReviewError as exc:
        return _failed(request, story_id, exc)
    flash(request, f"To publish at {uk_time(when)}." if when else "Publishes once approved.")
    return RedirectResponse(story_url(story_id, query=filters_query(form)), status_code=303)
