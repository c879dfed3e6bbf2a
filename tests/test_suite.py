"""The test suite itself: tests never import the benchmarks, the README names the inner loop
(``pytest -m "not slow"``), and CI runs every test, slow ones included."""

from __future__ import annotations

import ast
import shlex
import tomllib

from conftest import ROOT

TESTS = ROOT / "tests"


def _bench_imports(path) -> list[str]:
    """Where the module at ``path`` imports ``bench`` (or puts ``bench/`` on ``sys.path``)."""
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name == "bench" or a.name.startswith("bench.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and (node.module == "bench" or node.module.startswith("bench.")):
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("insert", "append") and "sys.path" in ast.unparse(node.func.value) \
                and "bench" in ast.unparse(node):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_test_module_imports_bench():
    offenders = {p.name: where for p in sorted(TESTS.glob("*.py")) if (where := _bench_imports(p))}
    assert offenders == {}, "tests share helpers from tests/ (or the package), never from bench/"


def test_the_bench_check_finds_an_import_of_bench(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text("import sys\nsys.path.insert(0, str(ROOT / 'bench'))\nfrom bench.crash import run\n"
                      "import bench.synth as synth\n", encoding="utf-8")
    assert sorted(w.split(":")[0] for w in _bench_imports(module)) == ["line 2", "line 3", "line 4"]


def _readme_test_command() -> str:
    """The README's test command: the shell block that runs the tests, at the top."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:]]
    return next(b for b in blocks if "pytest" in b)


def test_ci_runs_the_readmes_test_command_which_selects_every_test():
    command = _readme_test_command()
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert ci[-1] == command, ".ci/run ends with exactly the README's test command"
    pytest_args = shlex.split(command.rsplit("&&", 1)[-1])
    assert pytest_args[:3] == ["python", "-m", "pytest"]
    assert not {"-m", "-k", "--deselect", "--ignore"} & set(pytest_args[3:]), "CI deselects nothing"
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    addopts = shlex.split(options.get("addopts", ""))
    assert not {"-m", "-k", "--deselect", "--ignore"} & set(addopts), "pytest's own options deselect nothing"


def test_the_readme_names_the_inner_loop_and_the_marker_is_declared():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'python -m pytest -m "not slow"' in readme
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert any(m.split(":", 1)[0] == "slow" for m in options["markers"])
    assert "--strict-markers" in shlex.split(options.get("addopts", ""))
