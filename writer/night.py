"""Building a night: the one place that wires the pipeline's stages together.

The CLI, the web app and the publisher all build what they need here::

    rules = rules_path(rules_dir)                   # --rules, else $WRITER_RULES, else the writer's
    night = load(night_dir, rules)                  # the election directory, parties resolved
    engine = engine_for(night, rules)               # compare + detect, with the rules and groups
    engine, desk = build(night, rules)              # ... and the desk that drafts every story
    night, engine, desk = draft_night(night_dir, at=when)   # a night replayed (up to ``at``)
    names = party_names(rules)                      # rules/parties.yaml
    groups(rules)                                   # rules/groups.yaml
    checker = fact_checker(night, names)            # the fact-check gate
    pipeline = open_pipeline(store, night, rules)   # declarations into the store

Loading a night raises :class:`writer.errors.InputError` listing every problem; the callers
say it their own way (the CLI exits 3).

The fact-check (spaCy) and the store (SQLAlchemy) are imported only by the functions that
build them: a command that needs neither (``writer results``) starts without them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from writer import resources
from writer.compare.tally import Group, load_groups
from writer.detect.rules import load_rules
from writer.engine import Engine
from writer.identity import default_registry
from writer.ingest import load_night
from writer.model import Declaration, Night
from writer.runtime import YOUNG_GENERATION

if TYPE_CHECKING:
    from writer.check import FactChecker
    from writer.draft.desk import Desk
    from writer.draft.style import PartyNames
    from writer.store import Pipeline, Store

PARTIES_FILE = "parties.yaml"
GROUPS_FILE = "groups.yaml"


def rules_path(rules_dir: str | Path | None = None) -> Path:
    """The rules directory: ``rules_dir`` if given, else ``$WRITER_RULES``, else the writer's own."""
    return Path(rules_dir) if rules_dir else resources.rules_dir()


def _fewer_young_collections() -> None:
    """Pass over the cyclic garbage collector's youngest generation every 20,000 container
    allocations rather than CPython's 700 (``writer.runtime``; a process that set a higher
    threshold keeps it). Loading and replaying a night allocate hundreds of thousands of
    containers that live on: with the default, the collector's passes over them were a
    tenth of ``writer stories`` (about 0.1 s of 1.2 s of CPU on 2022)."""
    young, *older = gc.get_threshold()
    if young < YOUNG_GENERATION:
        gc.set_threshold(YOUNG_GENERATION, *older)


def load(night_dir: str | Path, rules_dir: str | Path | None = None) -> Night:
    """The night's election directory, every party resolved through the party registry of
    ``rules_dir`` (default: the writer's)."""
    _fewer_young_collections()
    return load_night(night_dir, registry=default_registry(Path(rules_dir) if rules_dir else None))


def party_names(rules_dir: str | Path | None = None) -> PartyNames:
    """How copy names each party (``rules/parties.yaml``)."""
    from writer.draft.style import PartyNames
    return PartyNames.load(rules_path(rules_dir) / PARTIES_FILE)


def groups(rules_dir: str | Path | None = None) -> tuple[Group, ...]:
    """The groups of ``rules/groups.yaml`` (London, the Red Wall, ...)."""
    return load_groups(rules_path(rules_dir) / GROUPS_FILE)


def engine_for(night: Night, rules_dir: str | Path | None = None) -> Engine:
    """An engine for the night with the rules and groups of ``rules_dir``."""
    rules = rules_path(rules_dir)
    return Engine(night.setup, load_rules(rules, resources.templates_dir()), load_groups(rules / GROUPS_FILE))


def build(night: Night, rules_dir: Path | None = None, templates_dir: Path | None = None) -> tuple[Engine, Desk]:
    """An engine and a desk for a night, from the writer's rules and templates."""
    # the drafting side is imported here: a command that only replays (``writer results``)
    # starts without it
    from writer.compare.national_rules import NATIONAL_FILE, load_thresholds
    from writer.detect.judgement import FILE as JUDGEMENT_FILE, load_judgement
    from writer.draft.desk import Desk
    from writer.draft.drafter import Drafter, Templates
    from writer.draft.style import PartyNames
    rules_dir = rules_dir or resources.rules_dir()
    templates_dir = templates_dir or resources.templates_dir()
    names = PartyNames.load(rules_dir / PARTIES_FILE)
    engine = Engine(night.setup, load_rules(rules_dir, templates_dir), load_groups(rules_dir / GROUPS_FILE))
    desk = Desk(Drafter(Templates(templates_dir, names), night.election), engine.context,
                load_judgement(rules_dir / JUDGEMENT_FILE), load_thresholds(rules_dir / NATIONAL_FILE))
    return engine, desk


def replay_until(engine: Engine, desk: Desk | None, declarations: Iterable[Declaration],
                 at: datetime | None = None) -> None:
    """Apply ``declarations`` in order (up to and including ``at``) to the engine, and its
    event records to the desk when there is one."""
    for decl in declarations:
        if at is not None and decl.declared_at > at:
            break
        applied = engine.apply(decl)
        if desk is not None:
            desk.apply(applied.events)


def draft_night(directory: str | Path, *, at: datetime | None = None, rules_dir: Path | None = None,
                templates_dir: Path | None = None) -> tuple[Night, Engine, Desk]:
    """Replay a night (up to and including ``at``) through engine and desk."""
    _fewer_young_collections()
    night = load_night(directory, registry=default_registry(rules_dir))
    engine, desk = build(night, rules_dir, templates_dir)
    replay_until(engine, desk, night.declarations, at)
    return night, engine, desk


def fact_checker(night: Night, names: PartyNames) -> FactChecker:
    """The fact-check gate for the night."""
    from writer.check import FactChecker  # spaCy: only where a command checks
    return FactChecker.for_night(night.setup, names)


def open_pipeline(store: Store, night: Night, rules_dir: Path | None = None) -> Pipeline:
    """The night's :class:`writer.store.Pipeline` on ``store``: an engine and desk built
    here, resumed from what the store holds."""
    from writer.store import Pipeline  # SQLAlchemy: only where a command uses the store
    return Pipeline(store, lambda: build(night, rules_dir))


__all__ = ["build", "draft_night", "engine_for", "fact_checker", "groups", "load", "open_pipeline",
           "party_names", "replay_until", "rules_path"]
