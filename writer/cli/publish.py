"""``writer publish``: run the publisher without the review app (the review app's
``writer serve`` runs it on its scheduler).

    writer publish --night DIR --once            # release what is due and deliver it, then stop
    writer publish --night DIR --every 5         # the same every five seconds until Ctrl-C

CMS targets come from the environment (``writer.publish.service``, ``writer.settings``):
WordPress with ``WP_URL``, ``WP_USER`` and ``WP_APP_PASSWORD``; the webhook with
``WRITER_WEBHOOK_URL`` and ``WRITER_WEBHOOK_SECRET``. Without any, releases go to the feeds only.
"""

from __future__ import annotations

import sys
import time

import click

from writer.cli.common import EXIT_FAILED, database_option, open_store
from writer.errors import InputError


@click.command("publish")
@click.option("--night", "night_dir", type=click.Path(exists=True, file_okay=False), envvar="WRITER_NIGHT",
              required=True, help="The night's election directory ($WRITER_NIGHT).")
@click.option("--once", "once", is_flag=True, help="One run, then stop (the default is to keep going).")
@click.option("--every", type=click.FloatRange(0.5, 3600), default=5.0, show_default=True,
              help="Seconds between runs.")
@click.option("--namespace", default=None, help="Prefix of the CMS keys (default: the election id).")
@database_option
def publish(night_dir: str, once: bool, every: float, namespace: str | None, database: str | None) -> None:
    """Release approved (and rule-approved) stories whose time has come, and deliver them to
    each CMS: create once, update in place after edits and corrections."""
    from writer import night as wiring
    from writer.publish.service import Publishing
    from writer.review.checks import FactChecks
    try:
        night = wiring.load(night_dir)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    store = open_store(database)
    names = wiring.party_names()
    try:  # stories a rule publishes unreviewed are fact-checked first, as the review app does
        checker = wiring.fact_checker(night, names)
    except Exception as exc:  # noqa: BLE001 - without the check, nothing auto-publishes
        click.echo(f"The fact-check is unavailable ({exc}): only approved stories will go out.", err=True)
        checker = None
    try:
        publishing = Publishing.build(store, night, checker=FactChecks(store, checker), names=names,
                                      namespace=namespace)
    except ValueError as exc:
        store.close()
        raise click.ClickException(str(exc)) from exc
    targets = ", ".join(t.name for t in publishing.targets) or "the feeds only (no CMS configured)"
    click.echo(f"Publishing from {store.url} to {targets}", err=True)
    failed = 0
    try:
        while True:
            report = publishing.publisher.run()
            if report.skipped:
                click.echo(f"Nothing done: {report.skipped}.", err=True)
            failed = len(report.failed)
            for r in report.released:
                click.echo(f"released {r.story_id} v{r.story_version} ({r.action}: {r.reason})")
            for d in report.sent:
                click.echo(f"sent {d.story_id} to {d.target}: {d.remote_url or d.remote_id}")
            for d in report.failed:
                click.echo(f"FAILED {d.story_id} to {d.target}: {d.error}", err=True)
            if once:
                break
            time.sleep(every)
    except KeyboardInterrupt:
        pass
    finally:
        publishing.stop()
        store.close()
    sys.exit(EXIT_FAILED if failed else 0)


COMMANDS = (publish,)
