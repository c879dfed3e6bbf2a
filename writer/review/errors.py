"""What the review desk refuses, each with the HTTP status the web app answers it with."""

from __future__ import annotations

from sqlalchemy.orm import object_session

from writer.store.models import StoryVersion


class ReviewError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(ReviewError):
    status = 400


class Forbidden(ReviewError):
    status = 403


class NotFound(ReviewError):
    status = 404


class Conflict(ReviewError):
    """The story has moved on since the editor loaded it: ``latest`` is what is stored now,
    ``yours`` what the editor sent (for an edit), so both can be shown and nothing is lost."""

    status = 409

    def __init__(self, message: str, latest: StoryVersion, yours: dict[str, str] | None = None) -> None:
        super().__init__(message)
        # raised inside a write transaction, the row would be expired by its rollback and
        # unreadable on the 409 page: take it out of the session while it is still loaded
        session = object_session(latest)
        if session is not None:
            session.expunge(latest)
        self.latest = latest
        self.yours = yours


class Refused(ReviewError):
    """Approval refused: the fact-check failed (or could not run) and nobody overrode it."""

    status = 422


__all__ = ["Conflict", "Forbidden", "Invalid", "NotFound", "Refused", "ReviewError"]
