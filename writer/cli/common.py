"""What the command groups share: exit codes, the options several commands take, the
console for messages, and loading a night with its failures said the CLI's way.

Only click, the standard library and :mod:`writer.errors` are imported here: ``writer
--help`` and every ``--help`` must start at once, so each command imports what it uses when
it runs.
"""

from __future__ import annotations

import gc
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from writer.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from writer.detect.events import Event
    from writer.engine import Engine
    from writer.model import Night

EXIT_NOTHING = 1  # nothing to show yet
EXIT_INPUT = 3
EXIT_RULES = 4
EXIT_FAILED = 5  # some deliveries failed (they are recorded, with the reason)

DATABASE_HELP = "The store: a database URL or SQLite file (default: $WRITER_DATABASE_URL, else ./writer.db)."
RULES_HELP = "Rules directory (default: the writer's rules/, or $WRITER_RULES)."

database_option = click.option("--database", "database", metavar="URL", default=None, help=DATABASE_HELP)
rules_option = click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help=RULES_HELP)
progress_option = click.option("--progress/--no-progress", default=True, show_default=True,
                               help="Show a progress bar on stderr.")
night_argument = click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
at_option = click.option("--at", "at", metavar="TIME", help="Stop the replay at this night time (ISO 8601 with offset).")


@cache
def err() -> Console:
    """The console for messages and the progress bar (stderr)."""
    from rich.console import Console
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail_input(exc: InputError) -> NoReturn:
    err().print(exc.render(limit=200), markup=False)
    err().print("Fix the problems listed (file, line, column) and run again.", style="bold")
    sys.exit(EXIT_INPUT)


def open_store(database: str | None):
    """The store at ``database`` (default: ``$WRITER_DATABASE_URL``, else ./writer.db); a
    click error when it cannot be opened."""
    from writer.store import open_store as open_
    try:
        return open_(database)
    except Exception as exc:  # noqa: BLE001 - any failure to open is reported the same way
        raise click.ClickException(f"cannot open the store: {exc}") from exc


def load(night_dir: str, rules_dir: str | None) -> tuple[Night, Engine]:
    """The night and an engine for it; exit 3, listing every problem, on invalid input."""
    from writer import night as wiring
    from writer.runtime import freeze_long_lived
    try:
        night = wiring.load(night_dir, wiring.rules_path(rules_dir))
        engine = wiring.engine_for(night, rules_dir)
    except InputError as exc:
        fail_input(exc)
    gc.collect()
    freeze_long_lived()
    return night, engine


def draft_night(night_dir: str, at, rules_dir: str | None):
    """The night replayed (up to ``at``) through an engine and a desk; exit 3 on invalid input."""
    from writer.night import draft_night as draft
    try:
        return draft(night_dir, at=at, rules_dir=Path(rules_dir) if rules_dir else None)
    except InputError as exc:
        fail_input(exc)


def parse_when(value: str | None):
    """``--at``'s time (ISO 8601 with a UTC offset), or None when not given."""
    if not value:
        return None
    from datetime import datetime
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected an ISO 8601 time such as 2022-05-06T03:00:00+01:00, got {value!r}",
                                 param_hint="--at")
    if when.tzinfo is None:
        raise click.BadParameter("needs a UTC offset, e.g. 2022-05-06T03:00:00+01:00", param_hint="--at")
    return when


def night_time(iso: str) -> str:
    # "2022-05-06T03:20:00+01:00" -> "Fri 03:20"
    from datetime import datetime
    return datetime.fromisoformat(iso).strftime("%a %H:%M")


def event_line(e: Event) -> str:
    mark = {"new": "", "updated": "UPDATED ", "retracted": "RETRACTED "}[e.status]
    prov = " (provisional)" if e.provisional and e.status != "retracted" else ""
    return f"{night_time(e.at)}  {e.score:6.1f}  {mark}{e.title}{prov}"


def report_rule_errors(engine: Engine) -> None:
    if engine.log.errors:
        err().print(f"{len(engine.log.errors)} rule evaluation(s) failed:", style="bold red")
        for message in engine.log.errors[:50]:
            err().print("  " + message, markup=False)
        sys.exit(EXIT_RULES)


def run(night: Night, engine: Engine, *, speed: float = 0.0, progress: bool = True, on_events=None) -> None:
    """Feed the night's declarations through the engine, with a progress bar on stderr where
    stderr is a terminal (rich, imported only then: a bar that would not be drawn costs the
    command its import)."""
    from writer.ingest.replay import replay as replay_order
    from writer.runtime import freeze_long_lived

    def replay(step) -> None:
        for decl in replay_order(night.declarations, speed=speed):
            applied = engine.apply(decl)
            if on_events and applied.events:
                on_events(applied.events)
            if decl.kind == "council":
                freeze_long_lived()
            step(decl)

    if not (progress and sys.stderr.isatty()):
        replay(lambda decl: None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    columns = (TextColumn("[bold]replaying[/]"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[clock]}"), TimeElapsedColumn())
    with Progress(*columns, console=err(), transient=True) as bar:
        task = bar.add_task("replay", total=len(night.declarations), clock="")
        replay(lambda decl: bar.update(task, advance=1, clock=decl.declared_at.strftime("%a %H:%M")))


def council_slug(night: Night, value: str) -> str:
    """The council ``--council`` names: its slug or its name, in any case (``Barnet``,
    ``barnet``, ``Tower Hamlets``, ``tower-hamlets``); else a usage error listing some."""
    if value in night.councils:
        return value
    wanted = value.strip().casefold()
    for slug, council in night.councils.items():
        if wanted in (slug.casefold(), council.name.casefold()):
            return slug
    from writer.model import slugify
    for slug in night.councils:  # "Tower Hamlets" typed for tower-hamlets
        if slugify(value) == slug:
            return slug
    raise click.BadParameter(f"unknown council {value!r}; the night's councils include "
                             + ", ".join(sorted(night.councils)[:8]) + ", ...", param_hint="--council")
