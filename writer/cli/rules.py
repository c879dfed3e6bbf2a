"""``writer rules check``: the editable rules, checked before the night."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from writer.cli.common import fail_input, load, report_rule_errors, rules_option, run
from writer.errors import InputError

if TYPE_CHECKING:
    from writer.model import Night


@click.group()
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
    from writer import resources
    from writer.compare.national_rules import NATIONAL_FILE, load_thresholds
    from writer.compare.tally import load_groups
    from writer.detect.judgement import FILE as JUDGEMENT_FILE, load_judgement
    from writer.detect.rules import load_rules
    from writer.draft.style import PartyNames
    from writer.identity import REGISTRY_FILE, PartyRegistry
    from writer.night import rules_path
    path = rules_path(rules_dir)
    try:
        ruleset = load_rules(path, resources.templates_dir())
        groups = load_groups(path / "groups.yaml")
        PartyNames.load(path / "parties.yaml")  # the party tables are rules too: checked alike
        load_judgement(path / JUDGEMENT_FILE)  # the round-up's news judgement
        registry = PartyRegistry.load(path / REGISTRY_FILE)
        thresholds = load_thresholds(path / NATIONAL_FILE)
    except InputError as exc:
        fail_input(exc)
    by_scope: dict[str, int] = {}
    for r in ruleset.rules:
        by_scope[r.scope] = by_scope.get(r.scope, 0) + 1
    click.echo(f"{len(ruleset.rules)} rules OK in {path} ("
               + ", ".join(f"{n} {s}" for s, n in sorted(by_scope.items())) + f"); {len(groups)} groups; "
               f"party tables OK ({len(registry.parties)} parties in {REGISTRY_FILE}); national estimate "
               f"from {thresholds.min_wards} wards in {thresholds.min_councils} councils"
               + ("" if (path / NATIONAL_FILE).exists() else f" (no {NATIONAL_FILE}: the defaults)"))
    if night_dir:
        night, engine = load(night_dir, str(path))
        run(night, engine, progress=False)
        fired: dict[str, int] = {}
        for e in engine.log.records:
            fired[e.rule] = fired.get(e.rule, 0) + 1
        for r in ruleset.rules:
            click.echo(f"  {r.id:28} {fired.get(r.id, 0):5d} event records on {night_dir}")
        for line in unresolved_report(night, night_dir):
            click.echo(line)
        report_rule_errors(engine)


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


COMMANDS = (rules,)
