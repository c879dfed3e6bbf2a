"""``writer poll``: read a results feed into the store, once or every N seconds.

    writer poll https://candidates.democracyclub.org.uk/results/all.atom --night DIR --every 30
    writer poll http://127.0.0.1:8001/results/all.atom --night samples/demo-night --once

Each poll fetches the feed (its first page, then older pages until one it has read: all of
them on the first poll), reads its entries in Democracy Club's shape
(:mod:`writer.ingest.dcfeed`) and ingests every new or changed ward
declaration through :class:`writer.store.Pipeline`, the same path as replay and the HTTP API:
one line per declaration on stdout (``<id>\\t<outcome>``: new, correction, stale, or seen when
the store already holds it), problems and a summary of each poll on stderr. A restarted
``writer poll`` reads the whole feed again and the store skips what it already holds; what
stands in the store decides, so a ward whose winners were all retracted while it was
stopped is withdrawn as it would have been by a running poller.

The store is ``--database URL`` (a SQLAlchemy URL or SQLite file), else
``WRITER_DATABASE_URL``, else ``./writer.db``. Party ids and names in the feed map to party
codes through the party registry, ``rules/party-registry.yaml`` (``--rules DIR`` or
``WRITER_RULES`` for another copy), then the night's own parties, so a winner's party is the
code the loaded night uses. Exit codes: 0 done (entry problems are listed but do not fail a poll); 1 the store
failed; 3 invalid input (the night, the rules or the party registry, or with ``--once`` a
feed that could not be read). Ctrl-C stops it between polls.
"""

from __future__ import annotations

import sys
import time

import click

from writer.cli.common import EXIT_INPUT, database_option, open_store, rules_option
from writer.errors import InputError


def _echo_problems(problems) -> None:
    for p in problems:
        click.echo(f"  {p}", err=True)


def _night_and_store(night_dir: str, rules_dir: str | None, database: str | None):
    """The night, its rules directory, an engine and desk built from them (so the rules and
    templates are checked before the store is touched) and the open store; exit 3 on invalid
    input, a click error when the store cannot be opened."""
    from writer import night as wiring

    rules_path = wiring.rules_path(rules_dir)
    try:
        night = wiring.load(night_dir, rules_path)
        engine_and_desk = wiring.build(night, rules_path)
    except InputError as exc:
        click.echo(exc.render(limit=200), err=True)
        sys.exit(EXIT_INPUT)
    return night, rules_path, engine_and_desk, open_store(database)


@click.command("poll")
@click.argument("url")
@click.option("--night", "night_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="The night's election directory: its councils, wards and baseline.")
@database_option
@click.option("--every", type=click.FloatRange(min=1.0), default=30.0, show_default=True,
              help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Poll once and stop.")
@rules_option
def poll(url: str, night_dir: str, database: str | None, every: float, once: bool,
         rules_dir: str | None) -> None:
    """Poll the results feed at URL and ingest its declarations into the store."""
    from writer.identity import default_registry
    from writer.ingest.feeds import FeedPoller
    from writer.night import build
    from writer.store import Pipeline

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("expected an http:// or https:// address", param_hint="URL")
    night, rules_path, engine_and_desk, store = _night_and_store(night_dir, rules_dir, database)
    registry = default_registry(rules_path)  # the same registry the night was loaded with
    first = [engine_and_desk]  # the desk built above (rules checked) serves the first resume

    def factory():
        return first.pop() if first else build(night, rules_path)

    pipeline = None
    poller = FeedPoller(url, night, registry=registry,
                        standing=lambda: pipeline.engine.declarations if pipeline is not None else {})
    try:
        pipeline = Pipeline(store, factory)
        if pipeline.resumed.declarations:
            click.echo(f"Resumed from {pipeline.resumed.declarations} stored declarations.", err=True)
        while True:
            polled = poller.poll()
            outcomes: dict[str, int] = {}
            for i, decl in enumerate(polled.declarations):
                try:
                    done = pipeline.ingest(decl)
                except Exception as exc:  # noqa: BLE001 - reported; the rest is retried next poll
                    poller.requeue(polled.declarations[i:])
                    click.echo(f"cannot store {decl.id}: {exc}", err=True)
                    if once:
                        sys.exit(1)
                    break
                outcomes[done.outcome] = outcomes.get(done.outcome, 0) + 1
                click.echo(f"{decl.id}\t{done.outcome}")
            summary = (
                f"{polled.entries} entries read, " + (", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
                                                      or "no declarations")
                + (f", {len(polled.pending)} wards waiting for winners" if polled.pending else ""))
            click.echo(f"HTTP {polled.status if polled.status is not None else '-'}: {summary}"
                       + (f"; {len(polled.problems)} problems:" if polled.problems else ""), err=True)
            _echo_problems(polled.problems)
            if once:
                if not polled.ok:
                    sys.exit(EXIT_INPUT)
                break
            time.sleep(every)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        poller.close()
        store.close()


@click.command("withdraw")
@click.argument("declaration_id")
@click.option("--night", "night_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="The night's election directory.")
@database_option
@click.option("--reason", required=True, help="Why it is withdrawn (kept with the withdrawal).")
@click.option("--by", "by", default=None, help="Who withdraws it (default: the login name).")
@rules_option
def withdraw(declaration_id: str, night_dir: str, database: str | None, reason: str, by: str | None,
             rules_dir: str | None) -> None:
    """Withdraw the standing version of DECLARATION_ID (a ward's ballot id, or a council's
    election id) from the store: the night is worked out again without it, its events are
    retracted or updated and its stories redrafted or retracted, as after a correction; the
    withdrawal is recorded with --by and --reason. A ``writer serve`` running on the same
    store takes it into account before its next declaration (its API does the same:
    ``DELETE /api/declarations/ID``). Exit codes: 0 done; 1 nothing of that id stands, or the
    store failed; 3 invalid input (the night or the rules)."""
    import getpass

    from writer.night import open_pipeline
    from writer.store.withdrawals import WithdrawalError
    from writer.text import name_problem

    why = name_problem(reason) if reason.strip() else "is empty; expected why the declaration is withdrawn"
    if why is not None:
        raise click.BadParameter(why, param_hint="--reason")
    night, rules_path, _, store = _night_and_store(night_dir, rules_dir, database)
    try:
        pipeline = open_pipeline(store, night, rules_path)
        try:
            row, records, stories = pipeline.withdraw(declaration_id, by=f"cli:{by or getpass.getuser()}",
                                                      reason=reason)
        except WithdrawalError as exc:
            raise click.ClickException(str(exc)) from None
        standing = pipeline.engine.declarations.get(declaration_id)
        click.echo(f"withdrew declaration #{row.declaration_seq} {declaration_id}; "
                   + (f"the version declared at {standing.declared_at.isoformat()} stands"
                      if standing is not None else "no version stands"), err=True)
        for e in records:
            click.echo(f"{e.id}\t{e.status}\t{e.title}")
        for st in dict.fromkeys(s.id for s in stories):
            click.echo(f"{st}\tredrafted")
    finally:
        store.close()


COMMANDS = (poll, withdraw)
