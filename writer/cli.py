"""The ``writer`` command. Data goes to stdout (``--json`` for JSON lines), messages and
progress to stderr.

Exit codes: 0 success; 1 nothing to show yet (``writer draft --at`` a time before the
council declared anything); 2 usage error (a bad option or value, an unknown council, a port
already in use, an importer told to overwrite another importer's files); 3 invalid input (an
election directory, rules or groups file, or sources that gave no council), with every problem
listed; 4 the night ran but some rules failed on it, or a draft failed its fact-check (listed
on stderr); 5 some deliveries failed (``writer publish``).
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from writer import resources
from writer.compare.tables import council_record, results_frame, tally_frame, tally_record
from writer.compare.tally import load_groups
from writer.detect.events import Event
from writer.detect.rules import load_rules
from writer.engine import Engine
from writer.identity import default_registry
from writer.ingest import InputError, load_night
from writer.ingest.replay import replay as replay_order
from writer.model import Night
from writer.runtime import freeze_long_lived

EXIT_INPUT = 3
EXIT_RULES = 4

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail_input(exc: InputError) -> None:
    err.print(exc.render(limit=200), markup=False)
    err.print("Fix the problems listed (file, line, column) and run again.", style="bold")
    sys.exit(EXIT_INPUT)


def _load(night_dir: str, rules_dir: str | None) -> tuple[Night, Engine]:
    rules_path = Path(rules_dir) if rules_dir else resources.rules_dir()
    try:
        night = load_night(night_dir, registry=default_registry(rules_path))
        rules = load_rules(rules_path, resources.templates_dir())
        groups = load_groups(rules_path / "groups.yaml")
    except InputError as exc:
        _fail_input(exc)
    gc.collect()
    freeze_long_lived()
    return night, Engine(night.setup, rules, groups)


def _night_time(iso: str) -> str:
    # "2022-05-06T03:20:00+01:00" -> "Fri 03:20"
    from datetime import datetime
    return datetime.fromisoformat(iso).strftime("%a %H:%M")


def _event_line(e: Event) -> str:
    mark = {"new": "", "updated": "UPDATED ", "retracted": "RETRACTED "}[e.status]
    prov = " (provisional)" if e.provisional and e.status != "retracted" else ""
    return f"{_night_time(e.at)}  {e.score:6.1f}  {mark}{e.title}{prov}"


def _report_rule_errors(engine: Engine) -> None:
    if engine.log.errors:
        err.print(f"{len(engine.log.errors)} rule evaluation(s) failed:", style="bold red")
        for message in engine.log.errors[:50]:
            err.print("  " + message, markup=False)
        sys.exit(EXIT_RULES)


def _run(night: Night, engine: Engine, *, speed: float = 0.0, progress: bool = True,
         on_events=None) -> None:
    """Feed the night's declarations through the engine with a progress bar on stderr."""
    columns = (TextColumn("[bold]replaying[/]"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[clock]}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not progress) as bar:
        task = bar.add_task("replay", total=len(night.declarations), clock="")
        for decl in replay_order(night.declarations, speed=speed):
            applied = engine.apply(decl)
            if on_events and applied.events:
                on_events(applied.events)
            if decl.kind == "council":
                freeze_long_lived()
            bar.update(task, advance=1, clock=decl.declared_at.strftime("%a %H:%M"))


def _council_slug(night: Night, value: str) -> str:
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


rules_option = click.option("--rules", "rules_dir", type=click.Path(file_okay=False),
                            help="Rules directory (default: the writer's rules/, or $WRITER_RULES).")
progress_option = click.option("--progress/--no-progress", default=True, show_default=True,
                               help="Show a progress bar on stderr.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="results-night-writer")
def main() -> None:
    """The results-night writer: election-night results into ranked, checked news.

    \b
    Example:
      writer replay samples/demo-night
      writer results ../shared/data/le2022 --json
    """


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--speed", type=float, default=0.0, show_default=True,
              help="Night-time seconds per real second (60 = one night-minute per second); 0 = as fast as possible.")
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines.")
@click.option("--min-score", type=float, default=0.0, help="Only print events scoring at least this.")
@rules_option
@progress_option
def replay(night_dir: str, speed: float, as_json: bool, min_score: float, rules_dir: str | None,
           progress: bool) -> None:
    """Replay a night, printing events as they are detected.

    \b
    Example:
      writer replay samples/demo-night --speed 600
    """
    if speed < 0:
        raise click.BadParameter("must be 0 (as fast as possible) or more", param_hint="--speed")
    night, engine = _load(night_dir, rules_dir)

    def show(events: tuple[Event, ...]) -> None:
        for e in events:
            if e.score < min_score and e.status == "new":
                continue
            click.echo(e.to_json() if as_json else _event_line(e))

    _run(night, engine, speed=speed, progress=progress, on_events=show)
    finals = sum(1 for r in engine.council_results() if r.final)
    err.print(f"{len(night.declarations)} declarations, {len(engine.log.records)} event records, "
              f"{finals} of {len(night.councils)} councils final.")
    _report_rule_errors(engine)


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: each council, then the tallies.")
@rules_option
@progress_option
def results(night_dir: str, as_json: bool, rules_dir: str | None, progress: bool) -> None:
    """Replay a whole night and print every council's result and the tallies."""
    night, engine = _load(night_dir, rules_dir)
    _run(night, engine, progress=progress)
    councils = engine.council_results()
    tallies = [engine.tally(g) for g in engine.builders]
    if as_json:
        for r in councils:
            click.echo(json.dumps({"kind": "council", **council_record(r)}, ensure_ascii=False))
        for t in tallies:
            click.echo(json.dumps({"kind": "national" if t.group.id == "national" else "group",
                                   **tally_record(t)}, ensure_ascii=False))
    else:
        with _wide():
            click.echo(results_frame(councils).to_string(index=False))
            for t in tallies:
                click.echo(f"\n{t.group.name}: {t.councils_final} of {t.councils_total} councils declared")
                click.echo(tally_frame(t).to_string())
    _report_rule_errors(engine)


def _wide():
    import pandas as pd
    return pd.option_context("display.max_rows", None, "display.max_columns", None,
                             "display.width", 250, "display.max_colwidth", 80)


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--council", "council", metavar="COUNCIL", help="Only this council's events (its slug or name, any case).")
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines.")
@click.option("--limit", type=int, default=0, help="Print at most this many (0: all).")
@rules_option
@progress_option
def events(night_dir: str, council: str | None, as_json: bool, limit: int, rules_dir: str | None,
           progress: bool) -> None:
    """List the night's events as they stand at the end, highest score first."""
    night, engine = _load(night_dir, rules_dir)
    if council:
        council = _council_slug(night, council)
    _run(night, engine, progress=progress)
    shown = [e for e in engine.events() if council is None or e.council == council]
    for e in shown[: limit or None]:
        click.echo(e.to_json() if as_json else f"{e.score:6.1f}  {e.title}{' (provisional)' if e.provisional else ''}")
    _report_rule_errors(engine)


@main.group()
def rules() -> None:
    """Editable rules: check them before the night."""


@rules.command("check")
@click.option("--night", "night_dir", type=click.Path(exists=True, file_okay=False),
              help="Also run every rule over this night, report any that fail on it, and list the party "
                   "names on it that nobody could name.")
@rules_option
def rules_check(night_dir: str | None, rules_dir: str | None) -> None:
    """Validate every rule, groups.yaml, national.yaml and the party tables (parties.yaml, party-registry.yaml);
    errors name the file and rule id or key. With --night, also list every party name on the
    night that is a source's code nobody could name (a warning: the exit code stays 0)."""
    path = Path(rules_dir) if rules_dir else resources.rules_dir()
    from writer.draft.style import PartyNames
    from writer.identity import REGISTRY_FILE, PartyRegistry
    from writer.compare.national_rules import NATIONAL_FILE, load_thresholds
    try:
        ruleset = load_rules(path, resources.templates_dir())
        groups = load_groups(path / "groups.yaml")
        PartyNames.load(path / "parties.yaml")  # the party tables are rules too: checked alike
        from writer.detect.judgement import FILE as JUDGEMENT_FILE, load_judgement
        load_judgement(path / JUDGEMENT_FILE)  # the round-up's news judgement
        registry = PartyRegistry.load(path / REGISTRY_FILE)
        thresholds = load_thresholds(path / NATIONAL_FILE)
    except InputError as exc:
        _fail_input(exc)
    by_scope: dict[str, int] = {}
    for r in ruleset.rules:
        by_scope[r.scope] = by_scope.get(r.scope, 0) + 1
    click.echo(f"{len(ruleset.rules)} rules OK in {path} ("
               + ", ".join(f"{n} {s}" for s, n in sorted(by_scope.items())) + f"); {len(groups)} groups; "
               f"party tables OK ({len(registry.parties)} parties in {REGISTRY_FILE}); national estimate "
               f"from {thresholds.min_wards} wards in {thresholds.min_councils} councils"
               + ("" if (path / NATIONAL_FILE).exists() else f" (no {NATIONAL_FILE}: the defaults)"))
    if night_dir:
        night, engine = _load(night_dir, str(path))
        _run(night, engine, progress=False)
        fired: dict[str, int] = {}
        for e in engine.log.records:
            fired[e.rule] = fired.get(e.rule, 0) + 1
        for r in ruleset.rules:
            click.echo(f"  {r.id:28} {fired.get(r.id, 0):5d} event records on {night_dir}")
        for line in unresolved_report(night, night_dir):
            click.echo(line)
        _report_rule_errors(engine)


def unresolved_report(night: Night, night_dir: str) -> list[str]:
    """Every party name on the night that is a source's code nobody could name, with the file
    and line it came from (once per file: the first line, and how many more), or a line
    saying plainly that there are none."""
    from writer.identity import REGISTRY_FILE
    found = night.parties.where() if night.parties is not None else []
    if not found:
        return [f"No unresolved party names on {night_dir}: every party has a name copy can print."]
    rows: list[tuple[str, int, str, int]] = []  # (file, first line, code, rows)
    for code, places in found:
        per_file: dict[str, list[int]] = {}
        for place in places:
            file, _, line = place.rpartition(":")
            if not file or not line.isdigit():
                file, line = place, "0"
            per_file.setdefault(file, []).append(int(line))
        rows += [(file, min(lines), code, len(lines)) for file, lines in per_file.items()]
    out = [f"{len(found)} unresolved party names on {night_dir} (copy calls each \"a local party\" and "
           f"the review queue flags its stories; name a party in {REGISTRY_FILE} once its name is known):"]
    for file, line, code, n in sorted(rows):
        where = f"{file}:{line}" if line else file
        more = f"  (and {n - 1} more row{'s' if n > 2 else ''} in this file)" if n > 1 else ""
        out.append(f"  {where}: {code}{more}")
    return out


# -- drafting ----------------------------------------------------------------------------------

def _when(value: str | None, night_dir: str):
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


def _draft_night(night_dir: str, at, rules_dir: str | None):
    from writer.draft.desk import draft_night
    try:
        night, engine, desk = draft_night(night_dir, at=at, rules_dir=Path(rules_dir) if rules_dir else None)
    except InputError as exc:
        _fail_input(exc)
    return night, engine, desk


def _checker(night, rules_dir: str | None):
    from writer.check import FactChecker
    from writer.draft.style import PartyNames
    path = Path(rules_dir) if rules_dir else resources.rules_dir()
    return FactChecker.for_night(night.setup, PartyNames.load(path / "parties.yaml"))


def _wordpress_body(night, story, rules_dir: str | None) -> str:
    """The post body exactly as the WordPress adapter sends it, the chart included; the
    chart's ``src`` is its file name (and it has no media id) until WordPress has it."""
    from writer.draft.style import PartyNames
    from writer.publish.blocks import Media, chart_caption, readable_slug, story_blocks
    from writer.publish.chart import chart_data
    path = Path(rules_dir) if rules_dir else resources.rules_dir()
    year = str(night.election.poll_date.year)
    facts = next((e for e in story.evidence if e.get("scope") == "council" and e.get("seats_won")), None)
    data = chart_data(facts, PartyNames.load(path / "parties.yaml"), year) if facts is not None else None
    media = (Media(None, f"{readable_slug(story.id, year)}-seats.png", data.alt, chart_caption(data))
             if data is not None else None)
    return story_blocks(story, media=media)


at_option = click.option("--at", "at", metavar="TIME", help="Stop the replay at this night time (ISO 8601 with offset).")
format_option = click.option("--format", "fmt", type=click.Choice(["text", "html", "md", "json", "wordpress"]),
                             default="text", show_default=True,
                             help="Output format (wordpress: the post body in block markup, as sent).")


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
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
    from writer.draft.story import RENDERERS
    night, engine, desk = _draft_night(night_dir, _when(at, night_dir), rules_dir)
    council = _council_slug(night, council)
    story = desk.story(f"council:{council}")
    if story is None:
        err.print(f"{night.councils[council].name} has no story yet: nothing declared by then.")
        sys.exit(1)
    click.echo(_wordpress_body(night, story, rules_dir) if fmt == "wordpress" else RENDERERS[fmt](story))
    result = _checker(night, rules_dir).check(story)
    if not result.ok:
        err.print(f"FACT-CHECK FAILED ({len(result.failures)}):", style="bold red")
        for failure in result.failures:
            err.print(f"  {failure.text!r}: {failure.reason}", markup=False)
        sys.exit(EXIT_RULES)


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@at_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story.")
@click.option("--kind", type=click.Choice(["council", "ward", "group"]), help="Only stories of this kind.")
@rules_option
def stories(night_dir: str, at: str | None, as_json: bool, kind: str | None, rules_dir: str | None) -> None:
    """Draft every story of the night, highest score first."""
    from writer.draft.story import to_json
    night, engine, desk = _draft_night(night_dir, _when(at, night_dir), rules_dir)
    for story in desk.current():
        if kind and story.kind != kind:
            continue
        click.echo(to_json(story) if as_json else story.text() + "\n\n" + "-" * 72)


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@at_option
@format_option
@rules_option
def roundup(night_dir: str, at: str | None, fmt: str, rules_dir: str | None) -> None:
    """The running story of the night, as it stood at the end (or --at TIME)."""
    from writer.draft.roundup import draft_roundup
    from writer.draft.story import RENDERERS
    when = _when(at, night_dir)
    night, engine, desk = _draft_night(night_dir, when, rules_dir)
    click.echo(RENDERERS[fmt](draft_roundup(night, engine, desk, when)))


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@at_option
@click.option("--json", "as_json", is_flag=True, help="Print the national picture as one JSON object.")
@rules_option
def national(night_dir: str, at: str | None, as_json: bool, rules_dir: str | None) -> None:
    """The national picture at the end of the night (or --at TIME): councils and seats by
    party, the writer's own estimate of national shares of the vote and what it would mean in
    the House of Commons (a projection, not a result). Method: DOMAIN.md.

    \b
    Example:
      writer national ../shared/data/le2022 --at 2022-05-06T03:00:00+01:00
    """
    from writer.compare.national import national_picture
    from writer.compare.national_rules import NATIONAL_FILE, load_thresholds
    when = _when(at, night_dir)
    rules_path = Path(rules_dir) if rules_dir else resources.rules_dir()
    try:
        thresholds = load_thresholds(rules_path / NATIONAL_FILE)
    except InputError as exc:
        _fail_input(exc)
    night, engine = _load(night_dir, rules_dir)
    for decl in night.declarations:
        if when is not None and decl.declared_at > when:
            break
        engine.apply(decl)
    picture = national_picture(engine, when.isoformat() if when else None, thresholds=thresholds)
    if as_json:
        click.echo(json.dumps(picture.to_dict(), ensure_ascii=False))
    else:
        click.echo(national_report(night, picture))
    _report_rule_errors(engine)


_CORE_CODES = frozenset({"Con", "Lab", "LD", "Green", "Reform", "UKIP", "Ind", "Res", "Other", "NOC"})


def national_report(night: Night, picture) -> str:
    """``writer national`` as text: a short report for an editor."""
    d = picture.to_dict()
    label = d["baseline_label"]
    out = [f"{night.election.name}: the national picture"
           + (f" at {_night_time(d['at'])}" if d["at"] else " before any declaration")
           + f" ({d['councils_declared']} of {d['councils_total']} councils declared)", ""]
    out.append("Councils controlled (change since the eve of poll), among the councils declared:")
    out += [f"  {p:16} {v['count']:6,} {v['change']:+6d}" for p, v in d["councils"].items()] or ["  none yet"]
    out.append(f"Councillors won (change since {label}), in the {d['councils_compared']} councils compared:")
    small = {p: v for p, v in d["seats"].items() if p not in _CORE_CODES and v["count"] < 10}
    out += [f"  {p:16} {v['count']:6,} {v['change']:+6d}" + ("" if v["exact"] else "  (some councils lump it as Other)")
            for p, v in d["seats"].items() if p not in small] or ["  none yet"]
    if small:
        out.append(f"  and {len(small)} smaller part{'y' if len(small) == 1 else 'ies'}: "
                   f"{sum(v['count'] for v in small.values()):,} seats, "
                   f"{sum(v['change'] for v in small.values()):+d} (every party in --json)")
    out.append("")
    who = f"{d['baseline_cite']}'s " if d["baseline_cite"] else ""
    if d["projected_share"]:
        out.append(f"Projected national share, the writer's estimate from {d['wards_used']:,} wards in "
                   f"{d['councils_used']:,} councils, against {who}projection for {label}:")
        for p, share in d["projected_share"].items():
            base = d["baseline_share"][p]
            out.append(f"  {p:16} {share:5.1f}%   {label}: {base:4.1f}%   {share - base:+5.1f}")
    else:
        out.append(f"Projected national share: no estimate yet. {d['reason'][:1].upper()}{d['reason'][1:]}.")
        if d["baseline_share"]:
            what = f"{who}projection for {label}"
            out.append(f"  {what[:1].upper()}{what[1:]}: " + ", ".join(f"{p} {v:g}%" for p, v in d["baseline_share"].items()))
    if d["not_estimated"]:
        shown = d["not_estimated"][:6]
        more = len(d["not_estimated"]) - len(shown)
        out.append(f"  Not estimated (no projected share for {label}): " + ", ".join(shown)
                   + (f" and {more} more" if more > 0 else ""))
    out.append(f"  Method: {d['method']}")
    out.append("")
    cp = d["commons_projection"]
    if cp is None:
        out.append(f"House of Commons projection: none ({d['commons_reason']}).")
    else:
        out.append("House of Commons projection (a projection, not a result), by uniform change from the last "
                   "general election:")
        for p, n in cp["seats"].items():
            out.append(f"  {p:16} {n:4d} {n - cp['seats_before'].get(p, 0):+5d}")
        top = cp["largest_party"]
        if top is None:
            out.append(f"  No single largest party; {cp['majority_needed']} seats are needed for a majority.")
        elif cp["majority"] >= 0:
            out.append(f"  {top} would have a majority: {cp['majority'] + cp['majority_needed']} seats, "
                       f"{cp['majority_needed']} needed.")
        else:
            out.append(f"  {top} would be the largest party, {-cp['majority']} short of the "
                       f"{cp['majority_needed']} seats a majority needs.")
        out.append("  Change in share used: " + ", ".join(f"{p} {v:+.1f}" for p, v in cp["change"].items()))
    return "\n".join(out)


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@rules_option
@click.option("--limit", type=int, default=20, show_default=True, help="items listed per section")
def quality(night_dir: str, rules_dir: str | None, limit: int) -> None:
    """Report on the whole night's copy: repeats, readability, lengths, fact-check failures
    (every story, and the round-up at 2am, 4am, 1pm and the end of the night), and the
    independent oracle's disagreements with the CSVs (every story version and those round-ups)."""
    from writer.draft.audit import roundups as roundups_at
    from writer.draft.quality import format_quality, quality as measure
    from writer.oracle import NightTruth, audit_night
    night, engine, desk = _draft_night(night_dir, None, rules_dir)
    rules = Path(rules_dir) if rules_dir else resources.rules_dir()
    roundups = roundups_at(night_dir, rules_dir=rules) if night.declarations else []
    truth = NightTruth(night_dir, rules_dir=rules)
    report = measure(desk.current(), desk.feed, _checker(night, rules_dir),
                     oracle=audit_night(truth, list(desk.feed) + roundups), roundups=roundups)
    click.echo(format_quality(report, limit=limit))


@main.command()
@click.argument("night_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per disagreement")
@click.option("--limit", type=int, default=50, show_default=True, help="disagreements listed (0: all)")
@rules_option
def oracle(night_dir: str, as_json: bool, limit: int, rules_dir: str | None) -> None:
    """Read every story version of the night, and the round-up at 2am, 4am, 1pm and the end,
    against the CSVs with the independent oracle (writer/oracle), and list the disagreements."""
    from writer.draft.audit import drafted_versions
    from writer.oracle import NightTruth, audit_night, format_disagreements
    rules = Path(rules_dir) if rules_dir else resources.rules_dir()
    try:
        stories = drafted_versions(night_dir, rules_dir=rules)
    except InputError as exc:
        _fail_input(exc)
    found = audit_night(NightTruth(night_dir, rules_dir=rules), stories)
    if as_json:
        for d in found:
            click.echo(json.dumps(d.to_dict(), ensure_ascii=False))
    else:
        click.echo(f"Story versions read: {len(stories)}")
        click.echo(format_disagreements(found, limit=limit or None))


# -- the newsroom: review app, users and API tokens (writer/web) -------------------------------
from writer.web.commands import demo, serve, users  # noqa: E402
from writer.web.token_commands import tokens  # noqa: E402

for _command in (serve, demo, users, tokens):
    main.add_command(_command)

from writer.importers.commands import COMMANDS as _IMPORTERS  # noqa: E402

for _command in _IMPORTERS:
    main.add_command(_command)

from writer.ingest.commands import poll, withdraw  # noqa: E402  (results feeds in; withdrawing a declaration)
main.add_command(poll)
main.add_command(withdraw)

from writer.publish.commands import publish  # noqa: E402  (releases, CMS delivery)
main.add_command(publish)


if __name__ == "__main__":  # pragma: no cover
    main()
