"""The story desk: follows the night's event records and keeps every story up to date.

Each event belongs to one story: ward events to that ward's snippet, council events to the
council's story, group events to the group's story (national events feed the round-up).
When a story's events change, it is re-drafted as a new version; every version is kept. A
story whose events are all retracted gets a retracted version of its own.

``writer.night.build`` makes an engine and a desk for a night; ``writer.night.draft_night``
runs a whole night (or up to ``at``) through them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from writer import resources
from writer.compare.national import Thresholds
from writer.detect.events import Event
from writer.detect.judgement import FILE as JUDGEMENT_FILE, Judgement, load_judgement
from writer.draft.drafter import Drafter
from writer.draft.story import Story


def story_of(event: Event) -> tuple[str, str] | None:
    """(story id, kind) for an event; None for national events (the round-up's)."""
    if event.scope == "ward":
        return f"ward:{event.subject}", "ward"
    if event.scope == "council":
        return f"council:{event.council}", "council"
    if event.scope == "group":
        return f"group:{event.subject.split(':', 1)[0]}", "group"
    return None


class Desk:
    def __init__(self, drafter: Drafter, context: list[dict] | None = None,
                 judgement: Judgement | None = None, national_thresholds: Thresholds | None = None) -> None:
        self.drafter = drafter
        self.context = context or []
        #: the news judgement the round-up leads with (rules/judgement.yaml)
        self.judgement = judgement or load_judgement(resources.rules_dir() / JUDGEMENT_FILE)
        #: when the national share estimate starts (rules/national.yaml)
        self.national_thresholds = national_thresholds or Thresholds()
        self.events: dict[str, dict[str, Event]] = {}  # story id -> event key -> standing event
        self.kinds: dict[str, str] = {}
        self.versions: dict[str, list[Story]] = {}
        self.feed: list[Story] = []  # every version, in the order drafted

    def apply(self, records: Iterable[Event], *, correction: bool = False) -> list[Story]:
        """Take event records (new, updated, retracted); return the story versions drafted.
        ``correction``: the records follow a corrected or withdrawn result, so each story
        keeps the wording of its last standing version and only its figures change."""
        touched: list[str] = []
        for e in records:
            target = story_of(e)
            if target is None:
                continue
            sid, kind = target
            self.kinds[sid] = kind
            standing = self.events.setdefault(sid, {})
            if e.status == "retracted":
                standing.pop(e.key, None)
            else:
                standing[e.key] = e
            if sid not in touched:
                touched.append(sid)
        out = []
        for sid in touched:
            story = self._redraft(sid, correction)
            if story is not None:
                out.append(story)
        return out

    def _redraft(self, sid: str, correction: bool = False) -> Story | None:
        versions = self.versions.setdefault(sid, [])
        version = len(versions) + 1
        standing = list(self.events.get(sid, {}).values())
        if not standing:
            if not versions or versions[-1].status == "retracted":
                return None
            story = replace(versions[-1], version=version, status="retracted")
        else:
            # once a result is final, provisional events (control settled mid-count) no
            # longer shape the story: final wording replaces "on course to"
            final = [e for e in standing if not e.provisional]
            standing_before = [v for v in versions if v.status != "retracted"] if correction else []
            story = self.drafter.draft(sid, self.kinds[sid], final or standing, version=version,
                                       night={"context": self.context},
                                       keep=standing_before[-1].template if standing_before else None)
        versions.append(story)
        self.feed.append(story)
        return story

    def current(self) -> list[Story]:
        """The latest version of every story that stands, highest score first."""
        latest = [v[-1] for v in self.versions.values() if v and v[-1].status != "retracted"]
        return sorted(latest, key=lambda s: (-s.score, s.at, s.id))

    def story(self, sid: str) -> Story | None:
        versions = self.versions.get(sid)
        return versions[-1] if versions else None
