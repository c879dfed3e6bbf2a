"""Rules: editable YAML that says which situations are news, validated when loaded.

A rule's ``when`` is an expression in Jinja2's sandboxed expression language (no
``eval``): it can read the facts of its scope and nothing else. Its ``title`` is a
one-line sandboxed template naming the event in results-service words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from writer import yamltext
from writer.detect.facts import FACTS, STAGES
from writer.errors import InputError, Problem, yaml_problem

_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

# Rules are loaded again and again in one process (a scope's block per engine, the rules page,
# every test's night); the same source is parsed and compiled once. Jinja's parsed trees,
# templates and expressions are not changed by rendering, so one copy serves every load. A
# syntax error is not cached (lru_cache keeps only answers) and is raised again each time.


@lru_cache(maxsize=4096)
def _parse(source: str) -> nodes.Template:
    return _ENV.parse(source)


@lru_cache(maxsize=4096)
def _template(source: str):
    return _ENV.from_string(source)


@lru_cache(maxsize=4096)
def _expression(when: str):
    return _ENV.compile_expression(when, undefined_to_none=False)
RULE_KEYS = {"id", "description", "scope", "stage", "when", "importance", "template", "auto_publish", "title"}
REQUIRED = ("id", "description", "scope", "when", "importance", "template", "title")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # ASCII only: no look-alike letters in ids


class RuleError(Exception):
    """A rule failed while being evaluated on the night (e.g. compared None with a number)."""


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    scope: str  # ward, council, group, national
    stage: str  # council rules: counting or declared; others: declared
    when: str
    importance: float
    template: str
    auto_publish: bool
    title: str
    file: str
    names: frozenset[str]  # the facts the rule reads (in when and title)
    _test: Callable[..., Any] = field(repr=False, compare=False)
    _title: Any = field(repr=False, compare=False)

    def matches(self, facts: Mapping[str, Any]) -> bool:
        try:
            return bool(self._test(**{n: facts.get(n) for n in self.names}))
        except Exception as exc:  # the sandbox raises many kinds; report them all the same way
            raise RuleError(f"rule {self.id!r} ({self.file}) failed on {facts.get('subject', '?')}: {exc}") from exc

    def render_title(self, facts: Mapping[str, Any]) -> str:
        try:
            return " ".join(self._title.render({n: facts.get(n) for n in self.names}).split())
        except Exception as exc:
            raise RuleError(f"rule {self.id!r} ({self.file}) title failed on {facts.get('subject', '?')}: {exc}") from exc


class RuleBlock:
    """The rules of one scope and stage, tested together: one sandboxed template renders
    every condition as a digit, so a situation costs one template render however many
    rules there are. If any rule fails, each is tested alone to name the one at fault."""

    def __init__(self, rules: tuple[Rule, ...], *, remember: bool = True) -> None:
        self.rules = rules
        self.remember = remember  # keep each subject's last inputs (for running situations)
        source = "".join("{{ 1 if (" + r.when + ") else 0 }}" for r in rules)
        self._all = _template(source) if rules else None
        if self._all is not None and type(self._all.globals) is not dict:
            # Jinja's globals for a template are a ChainMap over the environment's, which
            # every render copies twice (jinja2.runtime.new_context): as a plain dict it is
            # copied at C speed. Nothing changes the environment's globals once made.
            self._all.globals = dict(self._all.globals)
        self._reads = sorted(set().union(*(_names("{{ (" + r.when + ") }}") for r in rules))) if rules else []
        self._last: dict[str, tuple[list, list[bool]]] = {}  # subject -> (inputs, verdicts)

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def matches(self, facts: Mapping[str, Any], errors: list[str]) -> list[bool | None]:
        """For each rule: True, False, or None when it failed (the failure goes to errors)."""
        if self._all is None:
            return []
        # Conditions are pure functions of the facts they read: a running situation (a
        # council still counting) whose inputs have not moved keeps its verdicts.
        values = [facts.get(n) for n in self._reads]
        subject = facts.get("subject", "")
        last = self._last.get(subject)
        if last is not None and last[0] == values:
            return list(last[1])
        try:
            # the template is given only the facts its conditions read (checked at load)
            verdicts = [ch == "1" for ch in self._all.render(dict(zip(self._reads, values)))]
            if self.remember:
                self._last[subject] = (values, verdicts)
            return list(verdicts)
        except Exception:
            out: list[bool | None] = []
            for rule in self.rules:
                try:
                    out.append(rule.matches(facts))
                except RuleError as exc:
                    errors.append(str(exc))
                    out.append(None)
            return out


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]

    def for_scope(self, scope: str, stage: str = "declared") -> RuleBlock:
        # A declared ward or council is evaluated again only when corrected; remembering
        # its inputs would cost memory for nothing. Running situations are re-evaluated on
        # every declaration, most often with the same inputs.
        running = not (scope == "ward" or (scope == "council" and stage == "declared"))
        return RuleBlock(tuple(r for r in self.rules if r.scope == scope and r.stage == stage),
                         remember=running)

    def get(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@lru_cache(maxsize=4096)
def _names(source: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(_parse(source)))


def _private(source: str) -> list[str]:
    """Attributes starting with _ (``x.__class__``): the sandbox refuses them when the rule
    runs; they are refused when it loads instead."""
    tree = _parse(source)
    found = {n.attr for n in tree.find_all(nodes.Getattr) if n.attr.startswith("_")}
    found |= {n.name for n in tree.find_all(nodes.Name) if n.name.startswith("_")}
    return sorted(found)


def _compile_when(when: str, scope: str, bad: Callable[[str, str], None]) -> tuple[Any, set[str]]:
    """A rule's condition compiled, and the facts it reads; problems go to ``bad``."""
    allowed = FACTS[scope]
    test = None
    names: set[str] = set()
    try:
        # compile first, so a syntax error is reported on the expression as the editor wrote it
        test = _expression(when)
        names |= _names("{{ (" + when + ") }}")
        private = _private("{{ (" + when + ") }}")
        if private:
            bad("when", f"reads {', '.join(private)}; expected facts and their fields (names starting "
                        "with _ are not facts)")
        unknown = names - allowed
        if unknown:
            bad("when", f"uses {', '.join(sorted(unknown))}, which {scope} facts do not have; expected names from: {', '.join(sorted(allowed))}")
    except TemplateSyntaxError as exc:
        message = exc.message or "syntax error"
        if message == "chunk after expression":
            message = "unexpected text after the end of the expression (compare with ==, combine with and / or)"
        elif "end of template" in message:
            message = "the expression ends too soon (something is missing after the last word or operator)"
        bad("when", f"is not a valid expression: {message}")
    return test, names


def _compile_title(source: str, scope: str, bad: Callable[[str, str], None]) -> tuple[Any, set[str]]:
    """A rule's title compiled, and the facts it reads; problems go to ``bad``."""
    allowed = FACTS[scope]
    title = None
    names: set[str] = set()
    try:
        title_names = _names(source)
        private = _private(source)
        if private:
            bad("title", f"reads {', '.join(private)}; expected facts and their fields (names starting "
                         "with _ are not facts)")
        loads = sorted({type(n).__name__.lower() for n in _parse(source).find_all(
            (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends))})
        if loads:
            bad("title", f"uses {', '.join(loads)}; expected one line of text and facts (a title cannot "
                         "load other templates)")
        names |= title_names
        unknown = title_names - allowed
        if unknown:
            bad("title", f"uses {', '.join(sorted(unknown))}, which {scope} facts do not have")
        title = _template(source)
    except TemplateSyntaxError as exc:
        bad("title", f"is not a valid template: {exc.message}")
    return title, names


def _check_rule(item: Any, where: str, file: str, templates: Path | None,
                problems: list[Problem]) -> Rule | None:
    def bad(key: str | None, message: str) -> None:
        problems.append(Problem(file, None, f"{where}.{key}" if key else where, message))

    if not isinstance(item, dict):
        bad(None, "expected a mapping with " + ", ".join(REQUIRED))
        return None
    before = len(problems)
    for key in REQUIRED:
        if key not in item:
            bad(key, "is missing; every rule needs " + ", ".join(REQUIRED))
    for key in sorted(set(item) - RULE_KEYS):
        bad(key, "is not a rule setting; expected one of " + ", ".join(sorted(RULE_KEYS)))
    if len(problems) > before:
        return None
    rid, scope = item["id"], item["scope"]
    if not isinstance(rid, str) or not _ID.match(rid):
        bad("id", f"expected lower-case letters, digits and hyphens, got {rid!r}")
    if not isinstance(scope, str) or scope not in FACTS:
        bad("scope", f"expected one of {', '.join(FACTS)}, got {scope!r}")
        return None
    stage = item.get("stage", "declared")
    if stage not in STAGES[scope]:
        bad("stage", f"expected one of {', '.join(STAGES[scope])} for a {scope} rule, got {stage!r}")
    importance = item["importance"]
    if isinstance(importance, bool) or not isinstance(importance, (int, float)) or not 0 <= importance <= 100:
        bad("importance", f"expected a number from 0 to 100, got {importance!r}")
    auto = item.get("auto_publish", False)
    if not isinstance(auto, bool):
        bad("auto_publish", f"expected true or false, got {auto!r}")
    for key in ("description", "template", "when", "title"):
        if not isinstance(item[key], str) or not item[key].strip():
            bad(key, "expected a non-empty string")
    if len(problems) > before:
        return None
    template = item["template"]
    if not _ID.match(template):
        bad("template", f"expected a template family name (lower-case letters, digits and hyphens), got {template!r}")
        return None
    if templates is not None and not (templates / template).is_dir():
        bad("template", f"names template family {template!r}, but {templates / template} does not exist")
    test, when_names = _compile_when(item["when"], scope, bad)
    title, title_names = _compile_title(item["title"], scope, bad)
    names = when_names | title_names
    if len(problems) > before:
        return None
    return Rule(rid, item["description"].strip(), scope, stage, item["when"], float(importance),
                template, auto, item["title"], file, frozenset(names), test, title)


def load_rules(directory: Path, templates: Path | None = None) -> RuleSet:
    """Load every ``*.yaml`` rules file in ``directory`` (except ``groups.yaml`` and other
    files without a top-level ``rules:`` list), or raise :class:`InputError` naming each
    problem with its file and rule id."""
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    files = sorted(directory.glob("*.yaml"))
    for path in files:
        raw = path.read_bytes()
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            problems.append(Problem(path.name, None, None, "is UTF-16 (it starts with a UTF-16 byte order "
                                    "mark); expected a UTF-8 YAML file"))
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(path.name, raw[: exc.start].count(b"\n") + 1, None,
                                    f"is not valid UTF-8 (byte {exc.start} of the file); expected a UTF-8 YAML file"))
            continue
        try:
            data = yamltext.safe_load(text)
        except yaml.YAMLError as exc:
            problems.append(yaml_problem(path.name, exc))
            continue
        if data is None:
            problems.append(Problem(path.name, None, None, "is empty; expected a top-level 'rules:' list "
                                    "(or remove the file)"))
            continue
        if not isinstance(data, dict) or "rules" not in data:
            continue  # another kind of data file (groups.yaml, parties.yaml)
        if not isinstance(data["rules"], list):
            problems.append(Problem(path.name, None, "rules", "expected a list of rules"))
            continue
        for i, item in enumerate(data["rules"], start=1):
            where = f"rule {item['id']!r}" if isinstance(item, dict) and isinstance(item.get("id"), str) else f"rules[{i}]"
            rule = _check_rule(item, where, path.name, templates, problems)
            if rule is None:
                continue
            if rule.id in seen:
                problems.append(Problem(path.name, None, where, f"id is already used in {seen[rule.id]}; expected unique rule ids"))
                continue
            seen[rule.id] = path.name
            rules.append(rule)
    if not files:
        problems.append(Problem(str(directory), None, None, "has no *.yaml rules files"))
    if problems:
        raise InputError(problems, f"invalid rules in {directory}")
    return RuleSet(tuple(rules))
