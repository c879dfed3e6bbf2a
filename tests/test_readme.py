"""The README's examples and promises, checked.

Blocks of shell commands in README.md that are marked, on the line before the fence, with

    <!-- runnable: ... with nights/ in a temporary directory -->

are run here exactly as printed, one command at a time, from the project's directory, with
nothing substituted but the temporary directory the marker names (``nights/`` above). The
``writer`` they call is this checkout's (``python -m writer.cli``, through a shim on PATH).
A block that reads ``../shared/data`` is skipped, with the reason, where that is absent.

The rest checks what the README promises about the commands: exit codes, ``--council`` by
name, the port check of ``writer demo`` and ``writer serve``, importers that refuse to
overwrite each other's files and fail when they write no council, and the figures it gives.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEMO, ROOT
from writer.cli import main

README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"
MARK = re.compile(r"^<!-- runnable(?P<note>[^>]*)-->\n```(?:sh|bash)\n(?P<body>.*?)^```", re.M | re.S)
TMP_NOTE = re.compile(r"with (\S+) in a temporary directory")
COMMAND_TIMEOUT = 600


@dataclass(frozen=True)
class Block:
    section: str
    line: int
    body: str
    tmp: str | None  # the path prefix to put in a temporary directory

    @property
    def commands(self) -> list[str]:
        """Logical command lines: continuations joined; blank and comment lines left out."""
        out, current = [], ""
        for raw in self.body.splitlines():
            if raw.rstrip().endswith("\\"):
                current += raw.rstrip()[:-1] + " "
                continue
            current += raw
            if current.strip() and not current.lstrip().startswith("#"):
                out.append(current.strip())
            current = ""
        return out

    def shared_paths(self) -> list[str]:
        return sorted({w for c in self.commands for w in shlex.split(c, comments=True) if w.startswith("../shared/")})


def runnable_blocks(text: str | None = None) -> list[Block]:
    text = README.read_text(encoding="utf-8") if text is None else text
    blocks = []
    for m in MARK.finditer(text):
        before = text[:m.start()]
        headings = re.findall(r"^#+ (.+)$", before, re.M)
        tmp = TMP_NOTE.search(m.group("note"))
        blocks.append(Block(headings[-1] if headings else "(top)", before.count("\n") + 2, m.group("body"),
                            tmp.group(1) if tmp else None))
    return blocks


def _shim(directory: Path) -> Path:
    """A ``writer`` on PATH that runs this checkout (the installed script may be another's)."""
    directory.mkdir(parents=True, exist_ok=True)
    shim = directory / "writer"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m writer.cli "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directory


def _substitute(command: str, prefix: str | None, tmp: Path) -> str:
    if not prefix:
        return command
    return re.sub(rf"(?<![\w./-]){re.escape(prefix)}", str(tmp / prefix).rstrip("/") + "/", command)


def _outs(commands: list[str]) -> list[Path]:
    outs = []
    for c in commands:
        words = shlex.split(c, comments=True)
        outs += [Path(words[i + 1]) for i, w in enumerate(words[:-1]) if w == "--out"]
    return outs


# -- the blocks ---------------------------------------------------------------------------------
def test_the_readme_marks_its_runnable_blocks():
    blocks = runnable_blocks()
    sections = [b.section for b in blocks]
    assert "Preparing a night" in sections, sections
    ctx = main.make_context("writer", ["--help"], resilient_parsing=True)
    for block in blocks:
        assert block.commands, f"README.md line {block.line}: an empty runnable block"
        for command in block.commands:
            assert not re.search(r"\[--|\.\.\.|<[A-Z]+>", command), f"a placeholder in a runnable command: {command}"
            for part in re.split(r"&&|\|\||;|\|", command):
                words = shlex.split(part, comments=True)
                if words and words[0] == "writer":
                    assert main.get_command(ctx, words[1]) is not None, f"no command writer {words[1]}"
        if block.tmp:
            for command in block.commands:
                for out in _outs([command]):
                    assert str(out).startswith(block.tmp.rstrip("/")), \
                        f"{command}: writes outside {block.tmp}, which the test puts in a temporary directory"


def _params():
    out = []
    for b in runnable_blocks():
        marks = [pytest.mark.slow] if b.shared_paths() else []  # the real sources: a minute or so
        out.append(pytest.param(b, id=re.sub(r"\W+", "-", b.section.lower()).strip("-"), marks=marks))
    return out


@pytest.mark.parametrize("block", _params())
def test_a_runnable_block_runs_as_printed(block: Block, tmp_path):
    missing = [p for p in block.shared_paths() if not (ROOT / p).exists()]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (../shared/data beside the project), absent here")
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    env["PATH"] = f"{_shim(tmp_path / 'bin')}{os.pathsep}{env.get('PATH', '')}"
    env.pop("WRITER_DATABASE_URL", None)
    work = tmp_path / "work"
    work.mkdir()
    timings = []
    for command in block.commands:
        run = _substitute(command, block.tmp, work)
        started = time.perf_counter()
        done = subprocess.run(["bash", "-o", "pipefail", "-c", run], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT)
        timings.append((command.split(" --")[0][:70], time.perf_counter() - started))
        assert done.returncode == 0, (f"README.md line {block.line}: `{command}` exited {done.returncode}\n"
                                      f"{done.stderr[-3000:]}")
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
    print("\n" + "\n".join(f"  {s:6.1f} s  {c}" for c, s in timings))
    # every directory a command wrote holds councils: a night that loads, or a baseline
    from writer.ingest import load_night
    counts = {}
    for out in _outs(block.commands):
        where = Path(_substitute(str(out), block.tmp, work))
        if (where / "councils.csv").exists():
            counts[out.name] = len(load_night(where).councils)
        else:
            counts[out.name] = len((where / "baseline" / "councils.csv").read_text(encoding="utf-8").splitlines()) - 1
        assert counts[out.name] > 0, f"{out}: no councils"
    print(f"  councils: {counts}")
    # and as many as the README says, where it says
    text = README.read_text(encoding="utf-8")
    for name, n in counts.items():
        said = re.search(rf"`{re.escape(block.tmp or '')}{re.escape(name)}`: [^(]*\((\d+) ", text)
        if said:
            assert int(said.group(1)) == n, (name, said.group(1), n)


def test_the_preparing_block_builds_what_the_readme_says(tmp_path):
    """The numbers the README gives for the block (councils in each directory)."""
    block = next(b for b in runnable_blocks() if b.section == "Preparing a night")
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Preparing a night"):text.index("## Party identity")]
    assert "(154 councils)" in section and "(146 English" in section
    assert block.tmp == "nights/"


# -- exit codes, --council, the port check ---------------------------------------------------
def _readme_exit_codes() -> dict[int, str]:
    text = README.read_text(encoding="utf-8")
    para = text[text.index("Exit codes:"):]
    para = para[:para.index("\n\n")]
    parts = re.split(r"(?:^|[\s,(])`(\d)` ", para)
    return {int(code): rest for code, rest in zip(parts[1::2], parts[2::2])}


def test_every_exit_code_is_documented():
    codes = _readme_exit_codes()
    assert set(codes) == {0, 1, 2, 3, 4, 5}, codes
    assert "draft --at" in codes[1] or "writer draft" in codes[1]
    assert "port" in codes[2] and "invalid input" in codes[3]


def test_draft_before_anything_was_declared_exits_1():
    r = CliRunner().invoke(main, ["draft", str(DEMO), "--council", "ashcombe", "--at", "2026-05-07T22:30:00+01:00"])
    assert r.exit_code == 1, r.output
    assert "has no story yet" in r.output


@pytest.mark.parametrize("given", ["Ashcombe", "ASHCOMBE", "ashcombe", " ashcombe "])
def test_council_is_found_by_slug_or_name_in_any_case(given):
    r = CliRunner().invoke(main, ["draft", str(DEMO), "--council", given, "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"council": "ashcombe"' in r.stdout


def test_events_take_a_council_by_name_too():
    r = CliRunner().invoke(main, ["events", str(DEMO), "--council", "Greyhaven", "--no-progress", "--limit", "3"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["events", str(DEMO), "--council", "Nowhere", "--no-progress"])
    assert r.exit_code == 2 and "unknown council 'Nowhere'" in r.output


def _busy_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_port_in_use_is_said_first_with_a_documented_exit_code(command, tmp_path):
    busy = _busy_port()
    port = busy.getsockname()[1]
    try:
        args = [command, "--port", str(port)] + (["--speed", "0"] if command == "demo"
                                                 else ["--database", str(tmp_path / "w.db")])
        started = time.perf_counter()
        r = CliRunner().invoke(main, args)
        seconds = time.perf_counter() - started
    finally:
        busy.close()
    assert r.exit_code == 2, (r.exit_code, r.output)
    assert f"port {port} is in use: try --port" in r.output
    assert "Traceback" not in r.output and "password" not in r.output.lower()
    assert not (tmp_path / "w.db").exists(), "nothing is made for a server that cannot start"
    assert seconds < 5, f"said at once, before the night is replayed ({seconds:.1f} s)"
    assert 2 in _readme_exit_codes()


def test_the_readme_says_how_long_speed_60_takes_on_the_demo_night():
    from writer.ingest import load_night
    times = sorted(d.declared_at for d in load_night(DEMO).declarations)
    minutes = (times[-1] - times[0]).total_seconds() / 60 / 60  # night-minutes at one per second
    text = README.read_text(encoding="utf-8")
    m = re.search(r"`--speed 60`[^.]*?the demo night[^.]*?takes about (\d+) minutes", text)
    assert m, "the README says how long --speed 60 takes on the demo night"
    assert abs(int(m.group(1)) - minutes) <= 1.5, (m.group(1), minutes)


# -- importers: who wrote what; no council, no success ----------------------------------------
ADUR = '"Adur","E07000223","Buckingham","E05007562","A Smith","C","634","1"'


def _leap(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "leap-2018-05-03.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_an_importer_does_not_overwrite_another_importers_files(tmp_path):
    leap = _leap(tmp_path, [ADUR])
    out = tmp_path / "night"
    r = CliRunner().invoke(main, ["import", "leap", str(leap), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "1 council written" in r.stderr
    baseline = {k: v for k, v in _tree(out).items() if k.startswith("baseline/")}
    # results into the same directory would limit the baseline in place: refused, nothing touched
    r = CliRunner().invoke(main, ["import", "leap", str(leap), "--as", "results", "--date", "2022-05-05",
                                  "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "baseline/councils.csv: written by `writer import leap --as baseline`" in r.output
    assert "--baseline DIR" in r.output and "--force" in r.output
    assert {k: v for k, v in _tree(out).items() if k.startswith("baseline/")} == baseline
    # the same command again replaces its own files
    r = CliRunner().invoke(main, ["import", "leap", str(leap), "--out", str(out)])
    assert r.exit_code == 0, r.output
    # a file written by hand is not overwritten either
    other = tmp_path / "hand"
    (other / "baseline").mkdir(parents=True)
    (other / "baseline" / "wards.csv").write_text("mine\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["import", "leap", str(leap), "--out", str(other)])
    assert r.exit_code == 2 and "baseline/wards.csv: written by someone else" in r.output
    assert (other / "baseline" / "wards.csv").read_text(encoding="utf-8") == "mine\n"
    r = CliRunner().invoke(main, ["import", "leap", str(leap), "--out", str(other), "--force"])
    assert r.exit_code == 0, r.output


def test_an_importer_that_writes_no_council_fails(tmp_path):
    leap = _leap(tmp_path, [ADUR])
    base = tmp_path / "base"
    assert CliRunner().invoke(main, ["import", "leap", str(leap), "--out", str(base)]).exit_code == 0
    # results compared with that baseline: Adur's size is unknown without compositions
    r = CliRunner().invoke(main, ["import", "leap", str(leap), "--as", "results", "--date", "2022-05-05",
                                  "--baseline", str(base), "--out", str(tmp_path / "night")])
    assert r.exit_code == 3, r.output
    assert "none of the 1 councils" in r.stderr and "--compositions" in r.stderr
    assert sorted(_tree(tmp_path / "night")) == ["import-leap-results.report.csv"]
    # a new night from a baseline that does not say the council's cycle
    r = CliRunner().invoke(main, ["new-night", "--baseline", str(base), "--date", "2022-05-05",
                                  "--out", str(tmp_path / "next")])
    assert r.exit_code == 3, r.output
    assert not (tmp_path / "next" / "councils.csv").exists()
    # a source whose every row is bad
    bad = _leap(tmp_path, ['"Adur","E07000223","Buckingham","E05007562","NULL","C","NULL","NULL"'])
    r = CliRunner().invoke(main, ["import", "leap", str(bad), "--out", str(tmp_path / "empty")])
    assert r.exit_code == 3, r.output
    assert not (tmp_path / "empty" / "baseline" / "councils.csv").exists()
