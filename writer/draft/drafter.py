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

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError, nodes
from jinja2.environment import TemplateModule
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment

from writer import parties as party_codes
from writer.detect.events import Event
from writer.draft.story import AUTO_DISCLOSURE, CHECKED_DISCLOSURE, SeatRow, Story
from writer.draft.style import PartyNames, filters
from writer.ingest.problems import InputError, Problem
from writer.model import Election, slugify

LEADING = ("headline", "lede")

#: Names a dict has as attributes: ``f.items`` is the method, ``f.winner`` the item (Jinja's rule).
_DICT_ATTRS = frozenset(dir(dict))
_PLAIN = frozenset((dict, list, tuple, str, LoopContext))
_FORMAT = frozenset(("format", "format_map"))
_NOTHING = object()


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with fast paths for what templates do most (read a fact from a dict,
    call a macro) that give exactly what :class:`SandboxedEnvironment` gives, without its
    general checks: an attribute of a plain dict that is not one of dict's own names is an
    item (the sandbox's own rule: ``getattr`` fails, then ``obj[name]``), and a macro is
    safely callable and takes no context. Everything else goes the sandbox's way."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRS:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        if type(obj) is TemplateModule and not attribute.startswith("_"):
            value = obj.__dict__.get(attribute)
            if type(value) is Macro:
                return value
        elif type(obj) in _PLAIN and not attribute.startswith("_") and attribute not in _FORMAT:
            # a public method of a plain dict, list, tuple or str (``f.get``, ``items.append``)
            # or a loop's ``loop.first``: the sandbox finds these safe and returns them as they
            # are (only str.format and names with underscores are wrapped or refused)
            value = getattr(obj, attribute, _NOTHING)
            if value is not _NOTHING:
                return value
        return super().getattr(obj, attribute)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja's
        if type(__obj) is Macro and "_loop_vars" not in kwargs and "_block_vars" not in kwargs:
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.undefined("value was undefined because a callable raised a StopIteration exception")
        return super().call(__context, __obj, *args, **kwargs)


def _reusable(env: SandboxedEnvironment, name: str) -> bool:
    """Whether a phrasing's top level only imports (without context) and defines macros:
    then its macros read ``f``, ``events``, ``night`` and ``election`` from the context when
    called, and one module can serve every draft with the context's values swapped."""
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
        # templates are read once (auto_reload off: no stat of every partial on every import)
        self.env = _Sandbox(loader=FileSystemLoader(str(directory)), undefined=StrictUndefined,
                            autoescape=False, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
        self.env.filters.update(filters(names))
        self.names = names
        self.families: dict[str, list[Phrasing]] = {}
        self._found: dict[tuple, list[Phrasing]] = {}
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
                                          _reusable(self.env, f"{family_dir.name}/{path.name}")))
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


class Drafter:
    def __init__(self, templates: Templates, election: Election) -> None:
        self.templates = templates
        self.names = templates.names
        self.election = election
        self.last_opening: str | None = None  # of the previous story in the feed
        self._local = threading.local()  # reusable modules, one set per thread

    # -- helpers -----------------------------------------------------------------------------
    def _module(self, phrasing: Phrasing, f: dict[str, Any], events: list[Event], night: dict[str, Any]):
        values = {"f": f, "events": [e.facts for e in events], "night": night, "election": self.election}
        if not phrasing.reusable:
            return phrasing.template.make_module(values)
        modules = getattr(self._local, "modules", None)
        if modules is None:
            modules = self._local.modules = {}
        got = modules.get(phrasing.name)
        if got is None:
            # the context's own dict of values (the template's globals and these): its macros
            # resolve f, events, night and election in it when they are called
            context = phrasing.template.new_context(values)
            module = TemplateModule(phrasing.template, context)
            got = modules[phrasing.name] = (module, context.parent)
        else:
            got[1].update(values)
        return got[0]

    def _lead(self, story_id: str, lead: Event, events: list[Event], night: dict[str, Any],
              region: str | None, groups: tuple[str, ...]) -> tuple[str, str, list[str], str]:
        phrasings = [p for p in self.templates.find(lead.template, region, groups)]
        if not phrasings:
            raise LookupError(f"no template family {lead.template!r} for rule {lead.rule!r}")
        start = _stable(f"{story_id}|{lead.key}") % len(phrasings)
        chosen = None
        for i in range(len(phrasings)):
            phrasing = phrasings[(start + i) % len(phrasings)]
            module = self._module(phrasing, lead.facts, events, night)
            headline, lede = _clean(module.headline()), _clean(module.lede())
            body = _paragraphs(module.body()) if phrasing.has("body") else []
            opening = " ".join(lede.split()[:3]).lower()
            chosen = (headline, lede, body, phrasing.name)
            if opening != self.last_opening:
                break
        return chosen

    def _supporting(self, event: Event, events: list[Event], night: dict[str, Any], region, groups) -> str | None:
        phrasings = self.templates.find(event.template, region, groups)
        usable = [p for p in phrasings if p.has("paragraph")]
        if not usable:
            return None
        phrasing = usable[_stable(event.key) % len(usable)]
        return _clean(self._module(phrasing, event.facts, events, night).paragraph()) or None

    def _disclosure(self, events: list[Event]) -> str:
        if all(e.auto_publish for e in events):
            return AUTO_DISCLOSURE
        return CHECKED_DISCLOSURE

    # -- stories -----------------------------------------------------------------------------
    def draft(self, story_id: str, kind: str, events: list[Event], *, version: int = 1,
              night: dict[str, Any] | None = None) -> Story:
        """One story from its standing events (highest score leads)."""
        night = night or {}
        ranked = sorted(events, key=lambda e: (-e.score, e.key))
        leads = [e for e in ranked if any(p.has("lede")
                                          for p in self.templates.find(e.template, _region(e), _groups(e)))]
        if not leads:
            raise LookupError(f"no leading template among {[e.template for e in ranked]} for {story_id}")
        lead = leads[0]
        region, groups = _region(lead), _groups(lead)
        headline, lede, body, template = self._lead(story_id, lead, ranked, night, region, groups)
        for event in ranked:
            if event is lead:
                continue
            paragraph = self._supporting(event, ranked, night, region, groups)
            if paragraph and paragraph not in body:
                body.append(paragraph)
        self.last_opening = " ".join(lede.split()[:3]).lower()
        return Story(
            id=story_id, kind=kind, version=version, status="draft", headline=headline, lede=lede,
            body=tuple(body), table=self._table(kind, lead), disclosure=self._disclosure(ranked),
            events=tuple(e.id for e in ranked), council=lead.council, region=region,
            groups=groups, score=max(e.score for e in ranked), provisional=any(e.provisional for e in ranked),
            template=template, at=max(e.at for e in ranked),
            evidence=tuple(e.facts for e in ranked) + ({"context": [dict(c) for c in night.get("context", [])]},)
            if night.get("context") else tuple(e.facts for e in ranked),
        )

    def _table(self, kind: str, lead: Event) -> tuple[SeatRow, ...]:
        f = lead.facts
        if kind == "council":
            won, change = f.get("seats_won") or {}, f.get("seat_change")
        elif kind == "ward":
            won, change = f.get("won") or {}, f.get("seat_change") if f.get("comparable") else None
        else:
            return ()
        rows = []
        for code in party_codes.order_parties({p: n for p, n in won.items()} | {p: 0 for p in (change or {}) if p not in won}):
            delta = None if change is None else change.get(code, 0)
            rows.append(SeatRow(code, self.names.party(code, "tally"), won.get(code, 0), delta))
        return tuple(r for r in rows if r.seats or r.change)


def _region(e: Event) -> str | None:
    return e.facts.get("region")


def _groups(e: Event) -> tuple[str, ...]:
    return tuple(e.facts.get("groups") or ())


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in str(text).split("\n\n") if p.strip()]
