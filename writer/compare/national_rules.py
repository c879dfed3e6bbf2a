"""Reading ``rules/national.yaml``: the thresholds of the writer's national share estimate
(:class:`writer.compare.national.Thresholds`), validated when loaded.

The file is a mapping, not a rules file (it has no top-level ``rules:`` list, so the rules
loader passes over it)::

    min_wards: 30
    min_councils: 3

An unknown key, a missing key, a value that is not a whole number of 1 or more, or more
councils than wards is an error naming the file and key. A rules directory without the file
uses the defaults (the shipped values).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from writer import yamltext
from writer.compare.national import Thresholds
from writer.errors import InputError, Problem, yaml_problem

NATIONAL_FILE = "national.yaml"
KEYS = ("min_wards", "min_councils")


def load_thresholds(path: Path) -> Thresholds:
    """The thresholds in ``path`` (a ``national.yaml``); the defaults when there is no such
    file. Raises :class:`InputError` listing every problem."""

    name = path.name
    if not path.exists():
        return Thresholds()
    summary = f"bad national estimate settings in {path}"
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(name, None, None, "is UTF-16 (it starts with a UTF-16 byte order mark); "
                                  "expected a UTF-8 YAML file")], summary)
    try:
        data = yamltext.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, raw[: exc.start].count(b"\n") + 1, None,
                                  f"is not valid UTF-8 (byte {exc.start} of the file); expected a UTF-8 YAML file")],
                         summary)
    except yaml.YAMLError as exc:
        raise InputError([yaml_problem(name, exc)], summary)
    expected = "expected " + " and ".join(KEYS) + ", each a whole number of 1 or more"
    if data is None:
        raise InputError([Problem(name, None, None, f"is empty; {expected}")], summary)
    if not isinstance(data, dict):
        raise InputError([Problem(name, None, None, f"is not a mapping of settings; {expected}")], summary)
    problems: list[Problem] = []
    for key in data:
        if key not in KEYS:
            problems.append(Problem(name, None, str(key), "is not a setting of the national estimate; "
                                    "expected only " + ", ".join(KEYS)))
    values: dict[str, int] = {}
    for key in KEYS:
        if key not in data:
            problems.append(Problem(name, None, key, f"is missing; {expected}"))
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(name, None, key, f"expected a whole number of 1 or more, got {value!r}"))
        elif value < 1:
            problems.append(Problem(name, None, key, f"expected a whole number of 1 or more, got {value}"))
        else:
            values[key] = value
    if len(values) == len(KEYS) and values["min_councils"] > values["min_wards"]:
        problems.append(Problem(name, None, "min_councils", f"is {values['min_councils']}, more than min_wards "
                                f"{values['min_wards']}; expected at most min_wards (each council counts "
                                "through at least one ward)"))
    if problems:
        raise InputError(problems, summary)
    return Thresholds(**values)
