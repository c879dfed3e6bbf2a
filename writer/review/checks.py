"""The fact-check gate: stored story versions are fact-checked (``writer.check``'s checker)
and the results recorded in the store, before an editor can approve a story and before a
rule may publish one unreviewed.

    checks = FactChecks(store, FactChecker.for_night(night.setup, names))
    checks.ensure_checked(rows)     # every standing version in rows not yet checked

Both the review desk (:class:`writer.review.workflow.Review`) and the publisher use it; the
checker is used by one thread at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from writer.draft.story import Story
from writer.store.models import CheckResult, StoryVersion

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list


def failures_of(result) -> list[dict[str, Any]]:
    return [{"start": f.start, "end": f.end, "text": f.text, "reason": f.reason} for f in result.failures]


def check_state(check: CheckResult | None) -> str:
    if check is None:
        return "unchecked"
    if check.override_reason:
        return "overridden"
    return "ok" if check.ok else "failed"


class FactChecks:
    """The fact-checks of ``store``'s story versions by ``checker`` (a
    :class:`writer.check.FactChecker`; None: no check can run, and nothing is checked)."""

    def __init__(self, store, checker=None) -> None:
        self.store = store
        self.checker = checker
        self._lock = threading.Lock()

    def _checked(self, pairs: set[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which of the (story id, version) pairs have a fact-check result."""
        ids = sorted({sid for sid, _ in pairs})
        done: set[tuple[str, int]] = set()
        with Session(self.store.engine, expire_on_commit=False) as s:
            for i in range(0, len(ids), CHUNK):
                done.update((sid, v) for sid, v in s.execute(select(CheckResult.story_id, CheckResult.story_version)
                                      .where(CheckResult.story_id.in_(ids[i:i + CHUNK]))).all())
        return done & pairs

    def run_checks(self, stories: list[Story]) -> list[Any] | None:
        """The checker's results for ``stories`` (None when there is no checker)."""
        if self.checker is None or not stories:
            return None
        with self._lock:
            return self.checker.check_many(stories)

    def ensure_checked(self, rows: Iterable[StoryVersion]) -> None:
        """Fact-check (and record) every standing version in ``rows`` not yet checked."""
        if self.checker is None:
            return
        rows = [r for r in rows if r.status != "retracted"]
        if not rows:
            return
        with self._lock:
            done = self._checked({(r.story_id, r.version) for r in rows})
            todo = [r for r in rows if (r.story_id, r.version) not in done]
            if not todo:
                return
            try:
                results = self.checker.check_many([r.story() for r in todo])
            except Exception:  # noqa: BLE001 - an unreadable story stays unchecked, and says so
                log.exception("fact-check failed to run")
                return
            with self.store.transaction():
                for r, res in zip(todo, results):
                    self.store.record_check(r.story_id, r.version, res.ok, failures_of(res))


__all__ = ["CHUNK", "FactChecks", "check_state", "failures_of"]
