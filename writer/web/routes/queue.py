"""The queue: ``GET /queue``, every story with its status, score, council, region and time;
filters ``?status= &region= &type=`` (event type) ``&kind= &q=``; the order ``?order=new``
(default: new first) ``| score | latest``. ``GET /queue.json``: the same rows as JSON (the
page polls it).

The queue is kept up to date in memory (``Review.queue_state``); the table and the JSON are
made once per revision and filter, and each row once per version of that row
(``Review.memo``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from writer.review.queue import STATUSES, Filters
from writer.review.workflow import Actor
from writer.web.pages import render, require_user, story_url
from writer.web.presentation import queue_row_json

router = APIRouter(include_in_schema=False)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, user: Actor = Depends(require_user)):
    review = request.app.state.review
    filters = Filters.from_query(request.query_params)
    query = filters.query()
    revision, everything = review.queue_state()
    row_template = request.app.state.templates.get_template("_queue_row.html")

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


@router.get("/queue.json")
def queue_json(request: Request, user: Actor = Depends(require_user)):
    review = request.app.state.review
    filters = Filters.from_query(request.query_params)
    query = filters.query()
    revision, everything = review.queue_state()

    def body() -> bytes:
        rows = filters.arrange(everything)
        stamp = hashlib.sha256(repr([(r.story_id, r.version, r.status, r.check, r.publish_at)
                                     for r in rows]).encode()).hexdigest()[:16]
        encoded = ",".join(review.memo.piece(("json", r, query), lambda r=r: json.dumps(
            {**queue_row_json(r), "url": story_url(r.story_id, query=query),
             "approve_url": story_url(r.story_id, "approve")},
            ensure_ascii=False, allow_nan=False, separators=(",", ":"))) for r in rows)
        rest = json.dumps({"count": len(rows), "total": len(everything), "fingerprint": stamp,
                           "counts": {s: sum(1 for r in everything if r.status == s) for s in STATUSES}},
                          ensure_ascii=False, separators=(",", ":"))
        return ('{"rows":[' + encoded + "]," + rest[1:]).encode("utf-8")

    return Response(review.memo.value(revision, ("json", query), body), media_type="application/json")
