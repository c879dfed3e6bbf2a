"""The chief's controls: ``GET /rules`` (every rule's auto-publish setting; editors may look),
``POST /rules/{id}/auto-publish`` (a chief turns it on or off) and
``POST /declaration/{id}/withdraw`` (a chief withdraws a declaration)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from writer.detect.rules import load_rules
from writer.review.workflow import Actor
from writer.store.withdrawals import WithdrawalError
from writer.web.pages import csrf_form, flash, render, require_user

router = APIRouter(include_in_schema=False)


def rule_rows(request: Request) -> list[dict[str, Any]]:
    """Every rule with its auto-publish setting: the rule's own, or who set it and when."""
    settings = request.app.state.records.auto_publish_settings()
    out = []
    for rule in load_rules(request.app.state.settings.rules_dir).rules:
        s = settings.get(rule.id)
        out.append({"id": rule.id, "scope": rule.scope, "importance": rule.importance,
                    "template": rule.template, "default": bool(rule.auto_publish),
                    "auto_publish": s.auto_publish if s else bool(rule.auto_publish),
                    "set_by": s.username if s else None, "set_at": s.created_at if s else None})
    return out


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, user: Actor = Depends(require_user)):
    return render(request, "rules.html", {"rules": rule_rows(request)})


@router.post("/rules/{rule_id}/auto-publish")
def set_auto_publish(request: Request, rule_id: str, user: Actor = Depends(require_user),
                     form: FormData = Depends(csrf_form)):
    if not user.chief:
        raise HTTPException(403, "Only a chief can change a rule's auto-publish setting.")
    if rule_id not in {r["id"] for r in rule_rows(request)}:
        raise HTTPException(404, f"no rule {rule_id!r}")
    value = str(form.get("auto_publish") or "").lower() in ("1", "on", "true", "yes")
    request.app.state.records.set_auto_publish(rule_id, value, user.username)
    flash(request, f"{rule_id}: auto-publish {'on' if value else 'off'}.")
    return RedirectResponse("/rules", status_code=303)


@router.post("/declaration/{declaration_id}/withdraw")
def withdraw_declaration(request: Request, declaration_id: str, user: Actor = Depends(require_user),
                         form: FormData = Depends(csrf_form)):
    """A chief withdraws a declaration that should never have been taken (a feed's typo, a
    ward that is not in the night): the night is worked out again without it, as the API's
    DELETE does; recorded as ``user:<name>`` with the reason given."""
    if not user.chief:
        raise HTTPException(403, "Only a chief can withdraw a declaration.")
    pipeline = request.app.state.pipeline
    if pipeline is None:
        raise HTTPException(404, "no results pipeline is running here")
    reason = str(form.get("reason") or "").strip()
    if not reason:
        raise HTTPException(400, "Say why the declaration is withdrawn (reason).")
    try:
        with request.app.state.ingest_lock:
            _row, events, stories = pipeline.withdraw(declaration_id, by=f"user:{user.username}", reason=reason)
    except WithdrawalError as exc:
        flash(request, f"Nothing withdrawn: {exc}")
    else:
        flash(request, f"Withdrew {declaration_id}: {len(events)} events and {len(stories)} story versions changed.")
    back = str(form.get("next") or "/queue")
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/queue",
                            status_code=303)
