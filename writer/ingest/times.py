"""When a declaration can have been made: the bound every way in applies to ``declared_at``.

A result is declared on the night: no earlier than the close of poll and no later than
:data:`MAX_AFTER_POLLS_CLOSE` (7 days) after it. A recount or a postponed count can run into
the weekend; a time weeks or years later (``2099-05-07T...``) is a typo or a hostile client,
and would pin the ward's result (every real version declared before it would be stale).
While the night is live (the server's clock between the close of poll and that bound), a
time more than :data:`MAX_AHEAD_OF_CLOCK` (5 minutes) ahead of the server's clock is refused
too: nobody declares a result in the future. Replaying a night from another year, or a demo
night before its date, checks the bound only.

A time after the range the store and Python can hold (``9999-12-31T23:59:59-23:59`` is in
the year 10000 in UTC) is refused as out of range; one before it (the year 1 less an offset),
as before polls closed. :func:`declared_at_problem` gives the
problem's type and message (after the value, which each caller shows its own way), or None.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

MAX_AFTER_POLLS_CLOSE = timedelta(days=7)
MAX_AHEAD_OF_CLOCK = timedelta(minutes=5)


def _utc(when: datetime) -> datetime | None:
    try:
        return when.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def declared_at_problem(when: datetime, polls_close: datetime,
                        now: datetime | None = None) -> tuple[str, str] | None:
    """``(type, message)`` when ``when`` (an aware time) cannot be a declaration's time on the
    night whose polls closed at ``polls_close``; ``now``, the server's clock for live input
    (None: replayed input, which only the bound applies to). The message reads after the
    value: ``'2099-05-07T01:00:00+01:00' is more than 7 days after ...``."""
    latest = polls_close + MAX_AFTER_POLLS_CLOSE
    window = f"from the close of poll ({polls_close.isoformat()}) to 7 days after"
    utc = _utc(when)
    if utc is None and when.replace(tzinfo=None) > polls_close.replace(tzinfo=None):
        return ("declared_at_range", f"is out of the range of times that can be kept; expected a time on "
                                     f"the night, {window}")
    if utc is None or utc < polls_close:  # (the year 1 less an offset: long before any poll)
        return ("before_polls_close", f"is before polls closed ({polls_close.isoformat()}); expected a time "
                                      "on the night")
    if utc > latest:
        return ("after_the_night", f"is more than 7 days after polls closed ({polls_close.isoformat()}); "
                                   f"expected a time on the night, {window}")
    if now is not None:
        clock = _utc(now)
        if clock is not None and polls_close <= clock <= latest and utc > clock + MAX_AHEAD_OF_CLOCK:
            return ("in_the_future", f"is ahead of the server's clock ({clock.isoformat(timespec='seconds')}) "
                                     "by more than 5 minutes; expected a time that has come")
    return None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
