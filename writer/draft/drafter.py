"""Drafting: events in, stories out (pure apart from reading templates once).

Template families live in ``templates/<family>/``; each file ``<n>.j2`` is one phrasing and
defines macros: a *leading* family defines ``headline()`` and ``lede()`` (and optionally
``body()``, paragraphs separated by blank lines); a *supporting* family defines
``paragraph()``, which adds its fact to a story led by another event. Files starting with
``_`` are partials. A family is looked up from the specific to the general: first
``<family>-<region>``, then ``<family>-<group>`` for each of the council's groups, then
``<family>``.

The phrasing is chosen by a hash of the story and its leading event, so re-running gives
the same text; if it would open the same way as the previous story in the feed, the next
phrasing is used instead.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError, nodes, pass_eval_context
from jinja2.environment import TemplateModule
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from writer import parties as party_codes
from writer.detect.events import Event
from writer.draft.story import AUTO_DISCLOSURE, SeatRow, Story, new_row, new_story
from writer.draft.style import PartyNames, filters, number
from writer.errors import InputError, Problem
from writer.model import Election, slugify

LEADING = ("headline", "lede")

#: Every attribute a plain dict has (its type's and ``object``'s): for any other name,
#: ``getattr(a_dict, name)`` fails, and Jinja's sandbox then reads the item.
_DICT_ATTRIBUTES = frozenset(dir(dict))
_LIST_ATTRIBUTES = frozenset(dir(list))
#: Whether a macro takes the evaluation context first, as Jinja's ``Context.call`` decides
#: for it (by the ``pass_eval_context`` mark on ``Macro.__call__``); else no fast path.
_MACRO_EVAL_CONTEXT = (getattr(Macro.__call__, "jinja_pass_arg", None)
                       is getattr(pass_eval_context(lambda: None), "jinja_pass_arg", False))
_BUILTIN_METHOD = type([].append)


class Sandbox(SandboxedEnvironment):
    """Jinja's own :class:`SandboxedEnvironment` (its checks, its refusals) with fast paths
    that give what it gives, for what templates do most (tests/test_speed_paths.py renders
    ordinary and hostile templates in both):

    - ``f.seats`` on a plain dict (templates read facts this way, about 40 times a story):
      Jinja tries ``getattr(a_dict, "seats")``, catches the ``AttributeError`` and reads the
      item; for a name no dict has as an attribute, the item is read at once;
    - a dict's or a list's method not named with ``_`` (``get``, ``items``, ``append``) and an
      imported partial's macro not named with ``_``: Jinja finds these safe (no ``str.format``
      to wrap, no internal attribute of these types), so they are returned at once;
    - calling a macro or a builtin method: Jinja's check that the callable is safe, then what
      ``Context.call`` does for these two types (a macro gets the evaluation context first;
      neither gets the loop's or block's variables).

    Everything else (any other type or name) goes through Jinja's own code. Together these
    take about 40% off drafting a story (bench/RESULTS.md, 8 December)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is dict:
            if attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
            if attribute[:1] != "_":  # a dict's method ("get", "items"): safe, and no str.format
                return getattr(obj, attribute)
        elif kind is list:
            if attribute in _LIST_ATTRIBUTES and attribute[:1] != "_":  # "append": as for a dict's
                return getattr(obj, attribute)
        elif kind is TemplateModule and attribute[:1] != "_":
            value = getattr(obj, attribute, None)  # an imported partial's macro: safe
            if type(value) is Macro:
                return value
        return super().getattr(obj, attribute)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        kind = type(__obj)
        if kind is _BUILTIN_METHOD or (kind is Macro and _MACRO_EVAL_CONTEXT):
            if not __self.is_safe_callable(__obj):
                raise SecurityError(f"{__obj!r} is not safely callable")
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                if kind is Macro:
                    return __obj(__context.eval_ctx, *args, **kwargs)
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.undefined("value was undefined because a callable raised a"
                                        " StopIteration exception")
        return super().call(__context, __obj, *args, **kwargs)


def _reusable(env: SandboxedEnvironment, name: str) -> bool:
    """Whether a phrasing's top level only imports (without context) and defines macros:
    then its macros read ``f``, ``events``, ``night`` and ``election`` from the context when
    called, and one module can serve every draft with the context's values swapped (see
    :class:`_Reusable`)."""
    try:
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source)
    except Exception:  # noqa: BLE001 - such a template is made afresh every time
        return False
    for node in tree.body:
        if isinstance(node, (nodes.Import, nodes.FromImport)):
            if node.with_context:
                return False
        elif isinstance(node, nodes.Output):
            if not all(isinstance(x, nodes.TemplateData) and not x.data.strip() for x in node.nodes):
                return False
        elif not isinstance(node, nodes.Macro):
            return False
    return True


def _config_key(env: SandboxedEnvironment) -> str:
    """What the code Jinja compiles a template to depends on, besides its source: Jinja's
    version, the environment's class and options, and the filters and tests it knows (an
    unknown one is an error when compiling, not when loading compiled code)."""
    import jinja2
    parts = (jinja2.__version__, type(env).__module__, type(env).__qualname__, env.block_start_string,
             env.block_end_string, env.variable_start_string, env.variable_end_string,
             env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
             env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
             env.keep_trailing_newline, env.optimized, bool(env.autoescape), env.is_async,
             sorted(env.filters), sorted(env.tests), sorted(env.extensions))
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


def _bytecode_cache(env: SandboxedEnvironment):
    """Jinja's bytecode cache for the templates: compiled once, then loaded (a fifth of the
    time); a file whose source changed is compiled again (its checksum is in the cache). In
    Jinja's own per-user directory under the system's temporary directory, one set of files per
    configuration (:func:`_config_key`). None (compile every time) where it cannot be made."""
    from jinja2 import FileSystemBytecodeCache
    try:
        return FileSystemBytecodeCache(pattern=f"__writer_{_config_key(env)}_%s.cache")
    except (OSError, RuntimeError):
        return None


def _reusable_cached(env: SandboxedEnvironment, name: str) -> bool:
    """:func:`_reusable`, remembered beside the compiled template (parsing a template again to
    find out costs as much as compiling it)."""
    cache = env.bytecode_cache
    if cache is None:
        return _reusable(env, name)
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except Exception:  # noqa: BLE001 - as _reusable: such a template is made afresh every time
        return False
    key = hashlib.sha1(f"reusable|{name}|{filename}|".encode() + source.encode("utf-8")).hexdigest()
    path = Path(cache.directory) / (cache.pattern % key)
    try:
        return path.read_bytes() == b"1"
    except OSError:
        pass
    found = _reusable(env, name)
    try:
        tmp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
        tmp.write_bytes(b"1" if found else b"0")
        tmp.replace(path)
    except OSError:
        pass
    return found


@dataclass(frozen=True)
class Phrasing:
    family: str
    name: str  # "council-gain/2"
    template: Any
    reusable: bool = False  # see _reusable
    _has: dict = field(default_factory=dict, compare=False, repr=False)

    def has(self, macro: str) -> bool:
        """``hasattr(template.module, macro)``, read once."""
        got = self._has.get(macro)
        if got is None:
            got = self._has[macro] = hasattr(self.template.module, macro)
        return got


class Templates:
    """Every family and its phrasings, loaded and checked once."""

    def __init__(self, directory: Path, names: PartyNames) -> None:
        self.directory = directory
        # Jinja's own sandbox, with fast paths that change nothing it allows or refuses
        # (templates are editable rules: they must not reach past it); templates are read
        # once (auto_reload off: no stat of every partial on every import)
        self.env = Sandbox(loader=FileSystemLoader(str(directory)), undefined=StrictUndefined,
                           autoescape=False, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
        self.env.filters.update(filters(names))
        self.env.bytecode_cache = _bytecode_cache(self.env)
        self.names = names
        self.families: dict[str, list[Phrasing]] = {}
        self._found: dict[tuple, list[Phrasing]] = {}
        self._leads: dict[tuple, bool] = {}
        self._paragraphs: dict[tuple, list[Phrasing]] = {}
        problems: list[Problem] = []
        for family_dir in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("_")):
            phrasings = []
            for path in sorted(family_dir.glob("*.j2")):
                if path.name.startswith("_"):
                    continue
                name = f"{family_dir.name}/{path.stem}"
                try:
                    template = self.env.get_template(f"{family_dir.name}/{path.name}")
                except TemplateNotFound as exc:
                    problems.append(Problem(name, None, None, f"uses a missing template {exc.name}"))
                    continue
                except TemplateSyntaxError as exc:  # and TemplateAssertionError: an unknown filter, say
                    problems.append(Problem(f"templates/{name}.j2", getattr(exc, "lineno", None), None,
                                            f"is not a valid template: {exc}"))
                    continue
                except UnicodeDecodeError as exc:
                    try:  # the loader decodes in chunks: find the byte in the whole file
                        path.read_bytes().decode("utf-8")
                        where = exc.start
                    except UnicodeDecodeError as whole:
                        where = whole.start
                    problems.append(Problem(f"templates/{name}.j2", None, None,
                                            f"is not valid UTF-8 (byte {where} of the file); expected a "
                                            "UTF-8 template"))
                    continue
                try:
                    module = template.make_module({"f": {}, "events": [], "night": {}})
                except TemplateNotFound as exc:
                    problems.append(Problem(name, None, None, f"uses a missing template {exc.name}"))
                    continue
                except Exception:  # noqa: BLE001 - macros are only called later; an empty context may fail here
                    module = None
                if module is not None and not (all(hasattr(module, m) for m in LEADING) or hasattr(module, "paragraph")):
                    problems.append(Problem(f"templates/{name}.j2", None, None,
                                            "defines neither headline() and lede() nor paragraph()"))
                    continue
                phrasings.append(Phrasing(family_dir.name, name, template,
                                          _reusable_cached(self.env, f"{family_dir.name}/{path.name}")))
            if phrasings:
                self.families[family_dir.name] = phrasings
        if problems:
            raise InputError(problems, f"invalid templates in {directory}")

    def find(self, family: str, region: str | None, groups: tuple[str, ...] = ()) -> list[Phrasing]:
        """Phrasings for ``family``, the most specific that exists."""
        key = (family, region, groups)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._find(family, region, groups)
        return found

    def leads(self, family: str, region: str | None, groups: tuple[str, ...] = ()) -> bool:
        """Whether a phrasing of ``family`` (as :meth:`find` finds it) can lead a story."""
        key = (family, region, groups)
        got = self._leads.get(key)
        if got is None:
            got = self._leads[key] = any(p.has("lede") for p in self.find(family, region, groups))
        return got

    def paragraphs(self, family: str, region: str | None, groups: tuple[str, ...] = ()) -> list[Phrasing]:
        """The phrasings of ``family`` (as :meth:`find` finds it) that define ``paragraph()``."""
        key = (family, region, groups)
        got = self._paragraphs.get(key)
        if got is None:
            got = self._paragraphs[key] = [p for p in self.find(family, region, groups) if p.has("paragraph")]
        return got

    def _find(self, family: str, region: str | None, groups: tuple[str, ...]) -> list[Phrasing]:
        candidates = []
        if region:
            candidates.append(f"{family}-{slugify(region)}")
        candidates += [f"{family}-{g}" for g in groups if g != "national"]
        candidates.append(family)
        for name in candidates:
            if name in self.families:
                return self.families[name]
        return []

    def missing(self, families: set[str]) -> list[str]:
        return sorted(f for f in families if f not in self.families)


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big")


_TABLES_KEPT = 1024  # ward seat tables a drafter keeps (see Drafter._table)


def _rank(e: Event) -> tuple:
    return (-e.score, e.key)


class _Reusable:
    """A reusable phrasing's module for one thread, made once with Jinja's public
    ``make_module(vars, shared=True)``: its context reads the drafter's own dict of values
    (the template's globals, ``f``, ``events``, ``night`` and ``election``), which is swapped
    for each draft, and its macros read them from there when called. Making a module for every
    draft costs about a third of the drafting time."""

    __slots__ = ("values", "has_body", "headline", "lede", "body", "paragraph")

    def __init__(self, phrasing: Phrasing, values: dict[str, Any]) -> None:
        self.values = dict(phrasing.template.globals, **values)
        module = phrasing.template.make_module(self.values, shared=True)
        self.has_body = phrasing.has("body")
        for name in ("headline", "lede", "body", "paragraph"):
            if phrasing.has(name):  # else unset: reading it fails as reading the module's would
                setattr(self, name, getattr(module, name))


class Drafter:
    def __init__(self, templates: Templates, election: Election) -> None:
        self.templates = templates
        self.names = templates.names
        self.election = election
        self.last_opening: str | None = None  # of the previous story in the feed
        self._local = threading.local()  # reusable modules, one set per thread
        self._tallies: dict[str, str] = {}  # party code -> its name in seat tables
        self._tables: dict[tuple, tuple[SeatRow, ...]] = {}  # ward seat tables, see _table

    # -- helpers -----------------------------------------------------------------------------
    def _module(self, phrasing: Phrasing, f: dict[str, Any], events: list[Event], night: dict[str, Any]):
        """The phrasing's module with these values: a reusable one (see :class:`_Reusable`)
        with its values swapped in, else a new module."""
        facts = [e.facts for e in events]  # a list of its own for each module, as ever
        if not phrasing.reusable:
            return phrasing.template.make_module({"f": f, "events": facts, "night": night, "election": self.election})
        try:
            modules = self._local.modules
        except AttributeError:
            modules = self._local.modules = {}
        got = modules.get(phrasing.name)
        if got is None:
            got = modules[phrasing.name] = _Reusable(
                phrasing, {"f": f, "events": facts, "night": night, "election": self.election})
        else:
            values = got.values
            values["f"] = f
            values["events"] = facts
            values["night"] = night
            values["election"] = self.election
        return got

    def _lead(self, story_id: str, lead: Event, events: list[Event], night: dict[str, Any],
              region: str | None, groups: tuple[str, ...],
              keep: str | None = None) -> tuple[str, str, list[str], str, str]:
        phrasings = self.templates.find(lead.template, region, groups)
        n = len(phrasings)
        if not n:
            raise LookupError(f"no template family {lead.template!r} for rule {lead.rule!r}")
        kept = [i for i, p in enumerate(phrasings) if p.name == keep] if keep else []
        if kept:  # a corrected story keeps its wording: only the corrected figures change
            phrasing = phrasings[kept[0]]
            module = self._module(phrasing, lead.facts, events, night)
            headline, lede = _clean(module.headline()), _clean(module.lede())
            has_body = module.has_body if type(module) is _Reusable else phrasing.has("body")
            body = _paragraphs(module.body()) if has_body else []
            return headline, lede, body, phrasing.name, " ".join(lede.split(" ", 3)[:3]).lower()
        start = _stable(f"{story_id}|{lead.key}") % n if n > 1 else 0
        chosen = None
        for i in range(n):
            phrasing = phrasings[(start + i) % n]
            module = self._module(phrasing, lead.facts, events, night)
            headline, lede = _clean(module.headline()), _clean(module.lede())
            has_body = module.has_body if type(module) is _Reusable else phrasing.has("body")
            body = _paragraphs(module.body()) if has_body else []
            opening = " ".join(lede.split(" ", 3)[:3]).lower()  # as lede.split()[:3]: lede is clean
            chosen = (headline, lede, body, phrasing.name, opening)
            if opening != self.last_opening:
                break
        return chosen

    def _supporting(self, event: Event, events: list[Event], night: dict[str, Any], region, groups) -> str | None:
        usable = self.templates.paragraphs(event.template, region, groups)
        n = len(usable)
        if not n:
            return None
        phrasing = usable[_stable(event.key) % n if n > 1 else 0]
        return _clean(self._module(phrasing, event.facts, events, night).paragraph()) or None

    # -- stories -----------------------------------------------------------------------------
    def draft(self, story_id: str, kind: str, events: list[Event], *, version: int = 1,
              night: dict[str, Any] | None = None, keep: str | None = None) -> Story:
        """One story from its standing events (highest score leads). ``keep``: the phrasing
        of the version it replaces (``family/n``), kept where the same family leads (a
        correction changes the figures, not the wording)."""
        night = night or {}
        ranked = sorted(events, key=_rank) if len(events) > 1 else list(events)
        leads = self.templates.leads
        lead = region = groups = None
        for e in ranked:  # the first event with a leading phrasing leads
            facts = e.facts
            e_region, e_groups = facts.get("region"), tuple(facts.get("groups") or ())
            if leads(e.template, e_region, e_groups) and lead is None:
                lead, region, groups = e, e_region, e_groups
        if lead is None:
            raise LookupError(f"no leading template among {[e.template for e in ranked]} for {story_id}")
        headline, lede, body, template, opening = self._lead(story_id, lead, ranked, night, region, groups, keep)
        for e in ranked:
            if e is not lead:
                paragraph = self._supporting(e, ranked, night, region, groups)
                if paragraph and paragraph not in body:
                    body.append(paragraph)
        self.last_opening = opening
        # max() and any() over the events, in one pass
        score, at = ranked[0].score, ranked[0].at
        provisional = False
        for e in ranked:
            if e.score > score:
                score = e.score
            if e.at > at:
                at = e.at
            if e.provisional:
                provisional = True
        evidence = tuple([e.facts for e in ranked])
        context = night.get("context")
        if context:
            evidence += ({"context": [dict(c) for c in context]},)
        return new_story(
            id=story_id, kind=kind, version=version, status="draft", headline=headline, lede=lede,
            body=tuple(body), table=self._table(kind, lead), disclosure=AUTO_DISCLOSURE,
            events=tuple([e.id for e in ranked]), council=lead.council, region=region,
            groups=groups, score=score, provisional=provisional, template=template, at=at, evidence=evidence,
            table_caption=self._caption(kind, lead),
        )

    def _table(self, kind: str, lead: Event) -> tuple[SeatRow, ...]:
        f = lead.facts
        if kind == "council":
            # seats and change on one base: where some declared wards cannot be compared,
            # the seats of the wards that can
            compared = f.get("seats_won_compared")
            won = compared if compared is not None and f.get("seat_change") is not None else f.get("seats_won")
            return self._seat_rows(won or {}, f.get("seat_change"))
        if kind != "ward":
            return ()
        won, change = f.get("won") or {}, f.get("seat_change") if f.get("comparable") else None
        # a ward's table depends only on these figures, and most wards' are alike ("Lab 1,
        # +1"): the first thousand or so different tables of a night are kept and reused
        try:
            key = (tuple(won.items()), None if change is None else tuple(change.items()))
            rows = self._tables.get(key)
        except (TypeError, AttributeError):  # figures that cannot be a key (never from the engine)
            return self._seat_rows(won, change)
        if rows is None:
            rows = self._seat_rows(won, change)
            if len(self._tables) < _TABLES_KEPT:
                self._tables[key] = rows
        return rows

    @staticmethod
    def _caption(kind: str, lead: Event) -> str:
        """What a council's table counts, where that is not simply tonight's seats: the
        wards that can be compared, when some cannot."""
        f = lead.facts
        if kind != "council" or f.get("seat_change") is None:
            return ""
        left_out = f.get("wards_left_out") or 0
        if not left_out or f.get("seats_won_compared") == f.get("seats_won"):
            return ""
        unit = f.get("unit") or "ward"
        wards = f"one declared {unit}" if left_out == 1 else f"{number(left_out)} declared {unit}s"
        return (f"Seats won in the {unit}s that can be compared with {f.get('baseline_label')}, and the change "
                f"on the same seats ({wards} left out).")

    def _seat_rows(self, won: dict[str, int], change: dict[str, int] | None) -> tuple[SeatRow, ...]:
        seats_of = dict(won)  # every party with seats or a change: those with seats first
        if change:
            for p in change:
                if p not in won:
                    seats_of[p] = 0
        tallies = self._tallies
        rows = []
        for code in party_codes.order_parties(seats_of):
            seats = won.get(code, 0)
            delta = None if change is None else change.get(code, 0)
            if seats or delta:  # a party with no seats and no change is left out
                name = tallies.get(code)
                if name is None:
                    name = tallies[code] = self.names.party(code, "tally")
                rows.append(new_row(code, name, seats, delta))
        return tuple(rows)


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in str(text).split("\n\n") if p.strip()]
