"""The command line: data on stdout, messages on stderr, documented exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import DEMO
from helpers import as_the_night_names_them, expected, signed_seats
from writer.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_replay_prints_events_as_detected():
    result = run("replay", DEMO, "--no-progress")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("Northmoor: Lab gain from Con" in line for line in lines)
    assert any("RETRACTED Goldsmid (Ashcombe): Lab gain from Con" in line for line in lines)
    assert "134 declarations" in result.stderr


def test_replay_json_lines_in_night_order():
    result = run("replay", DEMO, "--json", "--no-progress")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all({"id", "key", "status", "facts", "score", "title"} <= set(r) for r in records)
    times = [r["at"] for r in records]
    assert times == sorted(times)


def test_replay_at_a_speed_waits_in_proportion(monkeypatch):
    waits = []
    monkeypatch.setattr("time.sleep", waits.append)
    from writer.ingest.replay import replay
    from writer.ingest import load_night
    night = load_night(DEMO)
    list(replay(night.declarations, speed=60, sleep=waits.append))
    total_night = (night.declarations[-1].declared_at - night.declarations[0].declared_at).total_seconds()
    assert abs(sum(waits) - total_night / 60) < 1e-6


def test_negative_speed_is_a_usage_error():
    result = run("replay", DEMO, "--speed", "-1")
    assert result.exit_code == 2 and "--speed" in result.output


@pytest.mark.slow  # whole-night run: `writer results` over the 2022 night
def test_results_json_equals_the_reference(le2022_dir):
    # the acceptance check of the engine: `writer results DIR --json` on the real night
    result = run("results", le2022_dir, "--json", "--no-progress")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    councils = {r["slug"]: r for r in records if r["kind"] == "council"}
    from writer.ingest import load_night
    night = load_night(le2022_dir)
    for slug, row in expected(le2022_dir).items():
        got = councils[slug]
        assert {"slug", "control_before", "control_after", "result", "seats_won", "seat_change",
                "composition_after", "comparable"} <= set(got)
        assert got["control_after"] == row["control_after"], slug
        assert got["seat_change"] == as_the_night_names_them(night, signed_seats(row["seat_change"])), slug
        assert got["comparable"] == bool(row["seat_change"]), slug
    national = next(r for r in records if r["kind"] == "national")
    assert national["councils_controlled"] == {"Lab": 64, "NOC": 30, "Con": 35, "LD": 16, "Other (Aspire)": 1}


def test_results_table():
    result = run("results", DEMO, "--no-progress")
    assert result.exit_code == 0
    assert "LD gain from Con" in result.stdout and "England: 12 of 12 councils declared" in result.stdout


def test_events_for_one_council():
    result = run("events", DEMO, "--council", "northmoor", "--no-progress")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].endswith("Northmoor: Lab gain from Con")


def test_events_unknown_council_shows_the_fix():
    result = run("events", DEMO, "--council", "atlantis")
    assert result.exit_code == 2 and "unknown council 'atlantis'" in result.output


def test_rules_check():
    result = run("rules", "check", "--night", DEMO)
    assert result.exit_code == 0
    assert "rules OK" in result.stdout and "council-gain" in result.stdout
    assert "party tables OK" in result.stdout and "parties in party-registry.yaml" in result.stdout
    assert f"No unresolved party names on {DEMO}" in result.stdout


@pytest.mark.parametrize("file, text, expected", [
    ("party-registry.yaml", "parties:\n  - code: Labour\n    ids: [\"party:53\"]\n",
     "party-registry.yaml, line 2, key parties[1] (Labour): code 'Labour' is not a party code"),
    ("party-registry.yaml", "parties:\n  - code: Lab\n    leap: [Lab]\n  - code: Con\n    leap: [Lab]\n",
     "party-registry.yaml, line 4, key parties[2] (Con): LEAP code 'Lab' is already claimed by parties[1] (Lab); "
     "expected each LEAP code in one entry"),
    ("parties.yaml", "parties:\n  Lab: {name: Labour}\n",
     "parties.yaml, key parties.Lab: missing later, headline, plural, colour"),
])
def test_rules_check_validates_the_party_tables(tmp_path, file, text, expected):
    import shutil
    rules = tmp_path / "rules"
    shutil.copytree(DEMO.parent.parent / "rules", rules)
    (rules / file).write_text(text, encoding="utf-8")
    result = run("rules", "check", "--rules", rules)
    assert result.exit_code == 3, result.output
    assert expected in result.output


def test_a_rule_that_fails_at_run_time_is_reported_not_fatal(tmp_path):
    import shutil
    rules = tmp_path / "rules"
    shutil.copytree(DEMO.parent.parent / "rules", rules)
    (rules / "extra.yaml").write_text(
        "rules:\n  - id: bad-compare\n    description: reads a field of a missing value\n    scope: ward\n"
        "    when: biggest_rise.points > 100\n    title: x\n    importance: 1\n    template: ward-gain\n",
        encoding="utf-8")
    result = run("replay", DEMO, "--rules", rules, "--no-progress")
    assert result.exit_code == 4
    assert "rule 'bad-compare' (extra.yaml) failed on" in result.stderr
    assert "Northmoor: Lab gain from Con" in result.stdout  # the night still ran


# -- starting at once (issue 18): `writer --help` imports none of the heavy libraries -----------
HEAVY = ("pandas", "sqlalchemy", "fastapi", "spacy", "matplotlib")


def _modules_after(code: str) -> set[str]:
    """The top-level modules imported by a fresh interpreter that runs ``code``."""
    import subprocess
    import sys

    from conftest import ROOT
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_importing_the_cli_imports_none_of_the_heavy_libraries():
    loaded = _modules_after("import writer.cli")
    assert "click" in loaded  # the probe sees what the import brought in
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def _every_command(group, path=()):
    for name, command in sorted(group.commands.items()):
        yield (*path, name)
        if hasattr(command, "commands"):
            yield from _every_command(command, (*path, name))


def test_every_help_imports_none_of_the_heavy_libraries():
    commands = [()] + list(_every_command(main))
    assert ("serve",) in commands and ("import", "leap") in commands and ("tokens", "add") in commands
    calls = "\n".join(f"runner.invoke(main, {[*c, '--help']!r}, catch_exceptions=False)" for c in commands)
    loaded = _modules_after("from click.testing import CliRunner\nfrom writer.cli import main\n"
                            f"runner = CliRunner()\n{calls}")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_cli_has_one_database_and_one_rules_option():
    """Options shared by several commands are defined once (writer.cli.common)."""
    from writer.cli import common
    takers = ("poll", "withdraw", "serve", "publish")
    options = [p for name in takers for p in main.commands[name].params if p.name == "database"]
    assert len(options) == len(takers) and {p.help for p in options} == {common.DATABASE_HELP}
    rules_helps = {p.help for name in ("replay", "results", "events", "draft", "stories", "serve", "poll")
                   for p in main.commands[name].params if p.name == "rules_dir"}
    assert rules_helps == {common.RULES_HELP}
