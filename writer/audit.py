"""Every story version of a night, drafted by the writer and read by the oracle.

The writer produces the stories (:func:`writer.night.draft_night` and ``draft_roundup``);
the oracle (:mod:`writer.oracle`, which imports no stage of the writer) checks them against
the CSVs.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from writer.draft.roundup import draft_roundup
from writer.draft.story import Story
from writer.night import draft_night
from writer.oracle import audit_night

LONDON = ZoneInfo("Europe/London")
ROUNDUP_HOURS = (2, 4, 13)  # the morning after polling day, local time


def roundup_times(directory: str | Path) -> list[datetime | None]:
    """2am, 4am and 1pm on the day after the poll, and the end of the night (None)."""
    data = tomllib.loads((Path(directory) / "election.toml").read_text(encoding="utf-8"))
    poll = data["poll_date"]
    poll = poll if isinstance(poll, date) else date.fromisoformat(str(poll))
    day = poll + timedelta(days=1)
    return [datetime.combine(day, time(h), LONDON) for h in ROUNDUP_HOURS] + [None]


def roundups(directory: str | Path, times: list[datetime | None] | None = None,
             rules_dir: Path | None = None) -> list[Story]:
    """The round-up as it stood at each time (None: the end of the night)."""
    out = []
    for t in roundup_times(directory) if times is None else times:
        night, engine, desk = draft_night(directory, at=t, rules_dir=rules_dir)
        at = t or max(d.declared_at for d in night.declarations)
        out.append(draft_roundup(night, engine, desk, at))
    return out


def drafted_versions(directory: str | Path, times: list[datetime | None] | None = None,
                     rules_dir: Path | None = None) -> list[Story]:
    """Every story version of the night in feed order, then the round-ups."""
    _, _, desk = draft_night(directory, rules_dir=rules_dir)
    return list(desk.feed) + roundups(directory, times, rules_dir)


def audit_drafted_night(directory: str | Path, times: list[datetime | None] | None = None):
    """(stories, disagreements) for a night drafted by the writer and read by the oracle."""
    stories = drafted_versions(directory, times)
    return stories, audit_night(directory, stories)
