"""What to release to readers, and when: pure decisions on one story's state.

A story's latest version is published when

- an editor approved that version (after its fact-check passed, or a chief overrode it), or
- every rule behind it lets its stories publish without review (``auto_publish``, as the
  rules say or as a chief set it in the review app), its fact-check passed (never
  overridden: nobody looked), nobody has edited it, and it names no party nobody could
  name (a source's code, which copy calls "a local party": an editor must find out who it
  is, so such a story always waits for review), and it does not correct a version readers
  saw (a corrected result always waits for an editor, whatever the rules say);

and its publish time (the embargo an editor set, if any) has come. Only the latest version
is ever published: an approved version overtaken by a newer draft (more results, or a
corrected result) waits for the newer one to be approved, so a corrected figure never goes
out in an old version. A story whose latest version is a retraction is withdrawn if it was
ever published; a rejected or held version is not published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StoryState:
    """Everything the decision depends on, read from the store."""

    story_id: str
    version: int
    retracted: bool  # the latest version is a retraction
    edited: bool  # a person wrote the latest version
    decision: str | None  # the latest decision on the latest version (approved, rejected, held)
    decided_by: str | None
    check: str  # "ok", "failed", "overridden", "unchecked"
    auto_rules: tuple[str, ...]  # the rules behind the story, if every one auto-publishes; else ()
    publish_at: datetime | None  # the embargo, if an editor set one
    released_version: int | None  # the version last released, if any
    released_action: str | None  # "publish" or "retract"
    unresolved: tuple[str, ...] = ()  # party codes in its evidence nobody could name
    corrected: bool = False  # a version since the one readers saw was drafted because a result was corrected


@dataclass(frozen=True)
class Decision:
    action: str  # "publish", "retract" or "wait"
    reason: str
    due: datetime | None = None  # for "wait": when the embargo lifts

    def __bool__(self) -> bool:
        return self.action != "wait"


def decide(state: StoryState, now: datetime) -> Decision | None:
    """What to do with this story now: publish or retract (a :class:`Decision`), wait for
    its embargo (``Decision("wait", ..., due)``), or nothing (None)."""
    if state.retracted:
        if state.released_action == "publish":
            return Decision("retract", "the result behind it no longer stands")
        return None
    if state.released_action == "publish" and state.released_version == state.version:
        return None  # already out
    if state.decision == "approved":
        reason = f"approved by {state.decided_by}"
    elif (state.decision is None and state.auto_rules and not state.edited and state.check == "ok"
          and not state.unresolved and not state.corrected):
        reason = f"auto-publish: {', '.join(state.auto_rules)}"
    else:
        return None
    if state.publish_at is not None and state.publish_at > now:
        return Decision("wait", reason, state.publish_at)
    return Decision("publish", reason)
