"""``writer replay``, ``writer results``, ``writer events`` and ``writer national``: a night
replayed through ingest, compare and detect, and what it found."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from writer.cli.common import (at_option, council_slug, err, event_line, fail_input, load, night_argument,
                               night_time, parse_when, progress_option, report_rule_errors, rules_option, run)
from writer.errors import InputError

if TYPE_CHECKING:
    from writer.detect.events import Event
    from writer.model import Night


@click.command()
@night_argument
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
    night, engine = load(night_dir, rules_dir)

    def show(events: tuple[Event, ...]) -> None:
        for e in events:
            if e.score < min_score and e.status == "new":
                continue
            click.echo(e.to_json() if as_json else event_line(e))

    run(night, engine, speed=speed, progress=progress, on_events=show)
    finals = sum(1 for r in engine.council_results() if r.final)
    err().print(f"{len(night.declarations)} declarations, {len(engine.log.records)} event records, "
                f"{finals} of {len(night.councils)} councils final.")
    report_rule_errors(engine)


@click.command()
@night_argument
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: each council, then the tallies.")
@rules_option
@progress_option
def results(night_dir: str, as_json: bool, rules_dir: str | None, progress: bool) -> None:
    """Replay a whole night and print every council's result and the tallies."""
    from writer.compare.tables import council_record, results_text, tally_record, tally_text
    night, engine = load(night_dir, rules_dir)
    run(night, engine, progress=progress)
    councils = engine.council_results()
    tallies = [engine.tally(g) for g in engine.builders]
    if as_json:
        for r in councils:
            click.echo(json.dumps({"kind": "council", **council_record(r)}, ensure_ascii=False))
        for t in tallies:
            click.echo(json.dumps({"kind": "national" if t.group.id == "national" else "group",
                                   **tally_record(t)}, ensure_ascii=False))
    else:
        # the tables as pandas' to_string prints them (no wrapping, no truncation), without pandas
        click.echo(results_text(councils))
        for t in tallies:
            click.echo(f"\n{t.group.name}: {t.councils_final} of {t.councils_total} councils declared")
            click.echo(tally_text(t))
    report_rule_errors(engine)


@click.command()
@night_argument
@click.option("--council", "council", metavar="COUNCIL", help="Only this council's events (its slug or name, any case).")
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines.")
@click.option("--limit", type=int, default=0, help="Print at most this many (0: all).")
@rules_option
@progress_option
def events(night_dir: str, council: str | None, as_json: bool, limit: int, rules_dir: str | None,
           progress: bool) -> None:
    """List the night's events as they stand at the end, highest score first."""
    night, engine = load(night_dir, rules_dir)
    if council:
        council = council_slug(night, council)
    run(night, engine, progress=progress)
    shown = [e for e in engine.events() if council is None or e.council == council]
    for e in shown[: limit or None]:
        click.echo(e.to_json() if as_json else f"{e.score:6.1f}  {e.title}{' (provisional)' if e.provisional else ''}")
    report_rule_errors(engine)


@click.command()
@night_argument
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
    from writer.night import replay_until, rules_path
    when = parse_when(at)
    try:
        thresholds = load_thresholds(rules_path(rules_dir) / NATIONAL_FILE)
    except InputError as exc:
        fail_input(exc)
    night, engine = load(night_dir, rules_dir)
    replay_until(engine, None, night.declarations, when)
    picture = national_picture(engine, when.isoformat() if when else None, thresholds=thresholds)
    if as_json:
        click.echo(json.dumps(picture.to_dict(), ensure_ascii=False))
    else:
        click.echo(national_report(night, picture))
    report_rule_errors(engine)


_CORE_CODES = frozenset({"Con", "Lab", "LD", "Green", "Reform", "UKIP", "Ind", "Res", "Other", "NOC"})


def national_report(night: Night, picture) -> str:
    """``writer national`` as text: a short report for an editor."""
    d = picture.to_dict()
    label = d["baseline_label"]
    out = [f"{night.election.name}: the national picture"
           + (f" at {night_time(d['at'])}" if d["at"] else " before any declaration")
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


COMMANDS = (replay, results, events, national)
