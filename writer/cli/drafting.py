"""``writer draft``, ``writer stories``, ``writer roundup``, ``writer quality`` and ``writer
oracle``: the night's stories, drafted, fact-checked and read against the CSVs."""

from __future__ import annotations

import json
import sys

import click

from writer.cli.common import (EXIT_NOTHING, EXIT_RULES, at_option, council_slug, draft_night, err, fail_input,
                               night_argument, parse_when, rules_option)
from writer.errors import InputError

FORMATS = ("text", "html", "md", "json", "wordpress")
format_option = click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
                             default="text", show_default=True,
                             help="Output format (wordpress: the post body in block markup, as sent).")


def _render(fmt: str, story) -> str:
    """``story`` in the output format ``fmt`` (wordpress: the post body without a chart)."""
    if fmt == "wordpress":
        from writer.publish.blocks import story_blocks
        return story_blocks(story)
    from writer.draft.story import RENDERERS
    return RENDERERS[fmt](story)


def _checker(night, rules_dir: str | None):
    from writer.night import fact_checker, party_names
    return fact_checker(night, party_names(rules_dir))


def _wordpress_body(night, story, rules_dir: str | None) -> str:
    """The post body exactly as the WordPress adapter sends it, the chart included; the
    chart's ``src`` is its file name (and it has no media id) until WordPress has it."""
    from writer.night import party_names
    from writer.publish.blocks import Media, chart_caption, readable_slug, story_blocks
    from writer.publish.chart import chart_data
    year = str(night.election.poll_date.year)
    facts = next((e for e in story.evidence if e.get("scope") == "council" and e.get("seats_won")), None)
    data = chart_data(facts, party_names(rules_dir), year) if facts is not None else None
    media = (Media(None, f"{readable_slug(story.id, year)}-seats.png", data.alt, chart_caption(data))
             if data is not None else None)
    return story_blocks(story, media=media)


@click.command()
@night_argument
@click.option("--council", "council", metavar="COUNCIL", required=True,
              help="The council's slug or name, in any case, e.g. barnet or Barnet.")
@at_option
@format_option
@rules_option
def draft(night_dir: str, council: str, at: str | None, fmt: str, rules_dir: str | None) -> None:
    """Print one council's story as it stood (after the night, or --at TIME), fact-checked.

    \b
    Example:
      writer draft ../shared/data/le2022 --council barnet --format html
    """
    night, engine, desk = draft_night(night_dir, parse_when(at), rules_dir)
    council = council_slug(night, council)
    story = desk.story(f"council:{council}")
    if story is None:
        err().print(f"{night.councils[council].name} has no story yet: nothing declared by then.")
        sys.exit(EXIT_NOTHING)
    click.echo(_wordpress_body(night, story, rules_dir) if fmt == "wordpress" else _render(fmt, story))
    result = _checker(night, rules_dir).check(story)
    if not result.ok:
        err().print(f"FACT-CHECK FAILED ({len(result.failures)}):", style="bold red")
        for failure in result.failures:
            err().print(f"  {failure.text!r}: {failure.reason}", markup=False)
        sys.exit(EXIT_RULES)


@click.command()
@night_argument
@at_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story.")
@click.option("--kind", type=click.Choice(["council", "ward", "group"]), help="Only stories of this kind.")
@rules_option
def stories(night_dir: str, at: str | None, as_json: bool, kind: str | None, rules_dir: str | None) -> None:
    """Draft every story of the night, highest score first."""
    from writer.draft.story import to_json
    night, engine, desk = draft_night(night_dir, parse_when(at), rules_dir)
    for story in desk.current():
        if kind and story.kind != kind:
            continue
        click.echo(to_json(story) if as_json else story.text() + "\n\n" + "-" * 72)


@click.command()
@night_argument
@at_option
@format_option
@rules_option
def roundup(night_dir: str, at: str | None, fmt: str, rules_dir: str | None) -> None:
    """The running story of the night, as it stood at the end (or --at TIME)."""
    from writer.draft.roundup import draft_roundup
    when = parse_when(at)
    night, engine, desk = draft_night(night_dir, when, rules_dir)
    click.echo(_render(fmt, draft_roundup(night, engine, desk, when)))


@click.command()
@night_argument
@rules_option
@click.option("--limit", type=int, default=20, show_default=True, help="items listed per section")
def quality(night_dir: str, rules_dir: str | None, limit: int) -> None:
    """Report on the whole night's copy: repeats, readability, lengths, fact-check failures
    (every story, and the round-up at 2am, 4am, 1pm and the end of the night), and the
    independent oracle's disagreements with the CSVs (every story version and those round-ups)."""
    from writer.audit import roundups as roundups_at
    from writer.draft.quality import format_quality, quality as measure
    from writer.night import rules_path
    from writer.oracle import NightTruth, audit_night
    night, engine, desk = draft_night(night_dir, None, rules_dir)
    rules = rules_path(rules_dir)
    roundups = roundups_at(night_dir, rules_dir=rules) if night.declarations else []
    truth = NightTruth(night_dir, rules_dir=rules)
    report = measure(desk.current(), desk.feed, _checker(night, rules_dir),
                     oracle=audit_night(truth, list(desk.feed) + roundups), roundups=roundups)
    click.echo(format_quality(report, limit=limit))


@click.command()
@night_argument
@click.option("--json", "as_json", is_flag=True, help="one JSON object per disagreement")
@click.option("--limit", type=int, default=50, show_default=True, help="disagreements listed (0: all)")
@rules_option
def oracle(night_dir: str, as_json: bool, limit: int, rules_dir: str | None) -> None:
    """Read every story version of the night, and the round-up at 2am, 4am, 1pm and the end,
    against the CSVs with the independent oracle (writer/oracle), and list the disagreements."""
    from writer.audit import drafted_versions
    from writer.night import rules_path
    from writer.oracle import NightTruth, audit_night, format_disagreements
    rules = rules_path(rules_dir)
    try:
        stories = drafted_versions(night_dir, rules_dir=rules)
    except InputError as exc:
        fail_input(exc)
    found = audit_night(NightTruth(night_dir, rules_dir=rules), stories)
    if as_json:
        for d in found:
            click.echo(json.dumps(d.to_dict(), ensure_ascii=False))
    else:
        click.echo(f"Story versions read: {len(stories)}")
        click.echo(format_disagreements(found, limit=limit or None))


COMMANDS = (draft, stories, roundup, quality, oracle)
