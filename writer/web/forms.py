"""What the review app's forms send, read: the time to publish at as Britain writes it, the
story version a decision is made on, and the queue's filters carried through a form.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from fastapi import HTTPException
from starlette.datastructures import FormData

from writer.review.errors import Invalid
from writer.review.queue import Filters
from writer.web.presentation import LONDON

_UK_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})")
_UK_CLOCK = re.compile(r"(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*([ap]\.?m\.?)?|(\d{2})(\d{2})", re.I)


def _uk_date(value: str) -> tuple[int, int, int] | None:
    """(year, month, day) from 08/05/2026, 8/5/2026, 08-05-2026, 08.05.26 (day first, as in
    Britain) or 2026-05-08; None if it is none of those."""
    m = _UK_DATE.fullmatch(value)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        return (2000 + int(year) if len(year) == 2 else int(year)), month, day
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def _uk_clock(value: str) -> tuple[int, int] | None:
    """(hour, minute) from 03:15, 3.15, 0315, 15:40, 3.15am, 3pm; None if it is none of those."""
    m = _UK_CLOCK.fullmatch(value)
    if not m:
        return None
    if m.group(4):
        hour, minute = int(m.group(4)), int(m.group(5))
    else:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        half = (m.group(3) or "").lower().replace(".", "")
        if half:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if half == "pm" else 0)
        elif m.group(2) is None:
            return None  # a bare number is not a time
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def parse_uk_publish_at(date: str | None, clock: str | None) -> datetime | None:
    """A time to publish at from the story page's two boxes: the date as Britain writes it
    (``08/05/2026``, day first) and the time on the 24-hour clock (``03:15``; ``3.15am`` will
    do), UK time. Both empty: None (publish once approved)."""
    date, clock = " ".join((date or "").split()), " ".join((clock or "").split())
    if not date and not clock:
        return None
    expected = "expected a date such as 08/05/2026 (day, month, year) and a time such as 03:15"
    if not date or not clock:
        raise Invalid(f"publish time: give both the date and the time ({expected})")
    day = _uk_date(date)
    if day is None:
        raise Invalid(f"publish date {date[:40]!r}: {expected}")
    hm = _uk_clock(clock)
    if hm is None:
        raise Invalid(f"publish time {clock[:40]!r}: {expected} (24-hour clock)")
    year, month, mday = day
    if not 2000 <= year <= 2100:
        raise Invalid(f"publish date {date[:40]!r}: a year from 2000 to 2100")
    try:
        local = datetime(year, month, mday, hm[0], hm[1], tzinfo=LONDON)
    except ValueError:
        raise Invalid(f"publish date {date[:40]!r}: no such date ({expected})") from None
    return local.astimezone(timezone.utc)


def parse_publish_at(value: str | None) -> datetime | None:
    """A time to publish at in one box: British ``08/05/2026 03:15`` (day first, 24-hour
    clock), ``YYYY-MM-DDTHH:MM`` (UK time), or ISO 8601 with an offset. Empty: None (publish
    once approved)."""
    value = (value or "").strip()
    if not value:
        return None
    expected = f"publish time {value[:60]!r}: expected a date and time such as 08/05/2026 03:15"
    british = re.fullmatch(r"(\S+)[ ,T]+(\S+(?:\s*[ap]\.?m\.?)?)", value, re.I)
    if british and _UK_DATE.fullmatch(british.group(1)):
        return parse_uk_publish_at(british.group(1), british.group(2))
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(expected) from None
    if not 2000 <= t.year <= 2100:
        raise Invalid(expected + " (a year from 2000 to 2100)")
    if t.tzinfo is None:
        t = t.replace(tzinfo=LONDON)
    try:
        return t.astimezone(timezone.utc)
    except OverflowError:  # pragma: no cover - the year check keeps times well inside the calendar
        raise Invalid(expected) from None


def publish_time_of(form: FormData) -> datetime | None:
    """The time to publish at: the story page's date and time boxes (British: 08/05/2026,
    03:15), else one ``publish_at`` field (08/05/2026 03:15, or ISO 8601)."""
    if "publish_date" in form or "publish_time" in form:
        return parse_uk_publish_at(str(form.get("publish_date") or ""), str(form.get("publish_time") or ""))
    return parse_publish_at(str(form.get("publish_at") or ""))


def version_of(form: FormData) -> int:
    """The story version the form was made on."""
    try:
        return int(str(form.get("version") or ""))
    except ValueError:
        raise HTTPException(400, "the form has no story version") from None


def filters_query(form: FormData) -> str:
    """The queue's filters the form carries (its ``query`` field), as a query string."""
    return Filters.from_query(dict(parse_qsl(str(form.get("query") or "")[:1000]))).query()


__all__ = ["filters_query", "parse_publish_at", "parse_uk_publish_at", "publish_time_of", "version_of"]
