"""The HTTP API for declarations: ``POST /api/declarations`` and
``DELETE /api/declarations/{id}``.

A returning officer's feed (or a person with a script) posts ward and council declarations
as JSON, one object or a list of them, authenticated by an API token
(``Authorization: Bearer <token>``, from ``writer tokens add NAME``)::

    {"kind": "ward", "council": "greyhaven", "ward": "Pallion", "ward_code": "E05901106",
     "seats": 1, "declared_at": "2026-05-07T23:30:00+01:00",
     "candidates": [{"name": "Obi C.", "party": "Lab", "votes": 1057, "elected": true}, ...]}

    {"kind": "council", "council": "greyhaven", "declared_at": "2026-05-08T01:00:00+01:00",
     "seats_won": {"Lab": 4, "Reform": 2, "Con": 1, "LD": 1},
     "composition_after": {"Lab": 14, "Con": 4, "Reform": 3, "LD": 2, "Ind": 1}}

Each declaration is checked as the election-directory loader checks a file: its shape
(pydantic models, published in the OpenAPI schema) and then its sense against the night
(a council of tonight's election, party codes, no more winners than seats, seats won adding
up to the seats up and the make-up to the council's size, a ward id that matches the ward,
a ward of the council: one of its baseline's or the night's wards by ward code or name,
``unknown_ward`` otherwise, new wards only where the council is new or has new boundaries
(:mod:`writer.ingest.wards`); a ward code no other ward of the council has tonight
(``ward_code_conflict``); a ``declared_at`` on the night: not before polls closed, not more
than 7 days after, not more than 5 minutes ahead of the server's clock while the night is
live, and within the range of times the store keeps (:mod:`writer.ingest.times`)).
Its party codes are then resolved as the loader resolves them, through the night's party
table (the registry, then the parties the night has seen: :mod:`writer.identity`), so a
party sent as ``Other (The Walton Society)`` is the night's ``Other (Walton Society)``.
Every problem in every declaration is reported together, as a 422 whose ``detail`` lists
``{"loc", "msg", "type"}`` entries like FastAPI's own (``loc`` starts ``["body", <index>]``
for a list). A batch is all or nothing: one bad declaration and none is stored, and the
good ones are stored in one transaction.

Declarations are idempotent by id: the same id with the same content is a ``repeat`` and
stores nothing; the same id with new content declared no earlier than the standing version
is a ``correction`` (its events are updated or retracted); an older version arriving late
is ``stale`` and changes nothing. A version that was replaced comes back as a
``correction`` only when declared after the standing one (a recount that restores the first
result); sent again with its old time, it is ``stale``. The response (201 when anything was stored, else 200)
gives each declaration's outcome and the event records and stories it produced.

Text is data: names and sources are stored exactly as sent (no HTML escaping here; pages
escape on output). Names are plain text, as the loader requires: control characters,
invisible and text-direction characters and look-alike letters are refused in names of
candidates, wards and parties (``Other (Name)``), and a candidate's name needs a letter or a
digit.

The token is checked before the body is read: a request without a valid token gets 401,
whatever its body. A body that is not UTF-8 gets 400; one that is not JSON, 422.

``DELETE /api/declarations/{id}`` (the same tokens; ``?reason=``) withdraws the version of a
declaration that stands, as if it had never arrived: the night is worked out again without
it and its events and stories are updated, retracted or redrafted as after a correction
(:mod:`writer.store.withdrawals`); the withdrawal is stored with the token's name, the
reason and the time. 404 when no version of that id stands.

Mounting it. The router reads everything it needs from ``app.state``:

``app.state.pipeline``   (required) a :class:`writer.store.Pipeline` for the night:
                         declarations go through its engine, desk and store.
``app.state.store``      (optional, default ``app.state.pipeline.store``) the store API
                         tokens are checked against.
``app.state.night``      (optional, default the pipeline engine's setup) the
                         :class:`writer.model.Night` whose councils and poll date
                         declarations are checked against.
``app.state.ingest_lock`` (optional) a ``threading.Lock`` held while a batch is checked
                         and ingested; share it with anything else that drives the same
                         pipeline (default: one lock for the whole process).
``app.state.clock``      (optional, default the system clock in UTC) a callable giving the
                         server's time, which live declarations may not be ahead of.

    app = FastAPI()
    app.state.store = store = open_store()
    app.state.night = night = load_night("samples/demo-night")
    app.state.pipeline = Pipeline(store, lambda: build(night))
    app.include_router(writer.web.api.router)
"""

from __future__ import annotations

import inspect
import logging
import threading
import weakref
from collections.abc import Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import (AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field,
                      StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError)
from pydantic_core import PydanticCustomError

from writer import parties
from writer.identity import resolve_declaration
from writer.ingest.election_dir import MAX_SEATS_IN_WARD
from writer.text import name_problem
from writer.ingest.times import declared_at_problem, utc_now
from writer.ingest.wards import NightWards
from writer.model import (Candidate, CouncilDeclaration, Declaration, WardDeclaration,
                          council_declaration_id, elected_below, slugify, ward_declaration_id)
from writer.store.pipeline import Ingested, ingest
from writer.web.tokens import bearer_scheme, require_token

log = logging.getLogger(__name__)

PATH = "/api/declarations"
MAX_BATCH = 1000
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_CANDIDATES = 100
MAX_VOTES = 10_000_000
TIME_EXAMPLE = "2026-05-08T03:20:00+01:00"

_LOCK = threading.Lock()
_needs_resync: "weakref.WeakSet[Any]" = weakref.WeakSet()  # pipelines whose memory may be ahead


# -- the request's shape ----------------------------------------------------------------------
def _plain_text(value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise PydanticCustomError("control_characters", "contains control characters; expected plain text")
    problem = name_problem(value)  # invisible and text-direction characters, look-alike letters
    if problem is not None:
        raise PydanticCustomError("plain_text", problem.replace("{", "{{").replace("}", "}}"))
    return value


def _timestamp(value: Any) -> datetime:
    """ISO 8601 with a UTC offset, as the loader reads ``declared_at``; nothing else."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            "datetime_iso", "expected an ISO 8601 date and time with offset such as {example}, got {got}",
            {"example": TIME_EXAMPLE, "got": repr(value)})
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "datetime_iso", "expected an ISO 8601 date and time with offset such as {example}, got {got}",
            {"example": TIME_EXAMPLE, "got": repr(value[:60])}) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise PydanticCustomError(
            "datetime_offset", "has no UTC offset; expected an ISO 8601 time with offset such as {example}, got {got}",
            {"example": TIME_EXAMPLE, "got": repr(value[:60])})
    return when


def _person_name(value: str) -> str:
    if not any(ch.isalnum() for ch in value):
        raise PydanticCustomError("no_letters", "{value} has no letters or digits; expected a candidate's name",
                                  {"value": repr(value[:60])})
    return value


def _party_name_problem(code: str) -> None:
    """The name in 'Other (Name)' is plain text, as candidates' and wards' names are."""
    why = parties.party_name_problem(code)
    if why is not None:
        raise PydanticCustomError("plain_text", "{code} " + why.replace("{", "{{").replace("}", "}}"),
                                  {"code": repr(code[:120])})


def _candidate_party(code: str) -> str:
    _party_name_problem(code)
    if not parties.is_party_code(code):
        if parties.is_party_code(code, in_composition=True):
            raise PydanticCustomError(
                "party_code", "{code} is for council compositions only; a candidate stands for {help} "
                "(e.g. 'Other (Aspire)')", {"code": repr(code), "help": parties.party_code_help()})
        raise PydanticCustomError("party_code", "unknown party code {code}; expected {help}",
                                  {"code": repr(code[:120]), "help": parties.party_code_help()})
    return code


Text = Annotated[StrictStr, Field(min_length=1, max_length=200), AfterValidator(_plain_text)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp), Field(
    description=f"ISO 8601 date and time with a UTC offset, e.g. {TIME_EXAMPLE}; naive times are refused, "
                "and so are times before the close of poll, more than 7 days after it, or (while the night "
                "is live) more than 5 minutes ahead of the server's clock")]
SeatCount = Annotated[StrictInt, Field(ge=0, le=1000)]
SeatList = Annotated[dict[Annotated[StrictStr, Field(max_length=120)], SeatCount], Field(
    description="Seats by party code (Con, Lab, LD, Green, Reform, UKIP, 'Other (Name)', Ind, Res; "
                "and Other for smaller parties taken together where a source lumps them; compositions also Vacant)",
    examples=[{"Lab": 14, "Con": 4, "Reform": 3, "LD": 2, "Ind": 1}])]


class CandidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, AfterValidator(_person_name)]
    party: Annotated[StrictStr, Field(max_length=120, description=(
        "Party code: " + parties.party_code_help())), AfterValidator(_candidate_party)]
    votes: Annotated[StrictInt | None, Field(ge=0, le=MAX_VOTES, description=(
        "Votes; null when the winner is known but the votes are not (a partial declaration)"))]
    elected: StrictBool


class WardDeclarationIn(BaseModel):
    """One ward's result as the returning officer declared it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "ward", "council": "greyhaven", "ward": "Pallion", "ward_code": "E05901106", "seats": 1,
        "declared_at": "2026-05-07T23:30:00+01:00", "electorate": 9420, "turnout_pct": 26.2,
        "total_votes": 2466, "candidates": [
            {"name": "Obi C.", "party": "Lab", "votes": 1057, "elected": True},
            {"name": "Newbould Z.", "party": "Reform", "votes": 629, "elected": False}]}]})

    kind: Literal["ward"]
    id: Annotated[StrictStr | None, Field(max_length=300, description=(
        "Democracy Club ballot id local.<council>.<ward-slug>.<poll date>; worked out when absent, "
        "and refused when it does not match the council, ward and poll date"))] = None
    council: Annotated[StrictStr, Field(min_length=1, max_length=100, description="The council's slug, e.g. greyhaven")]
    ward: Text
    ward_code: Annotated[StrictStr, Field(max_length=40, description="GSS ward code (may be empty)"),
                         AfterValidator(_plain_text)]
    seats: Annotated[StrictInt, Field(ge=1, le=MAX_SEATS_IN_WARD, description="Seats filled in this ward tonight")]
    candidates: Annotated[list[CandidateIn], Field(min_length=1, max_length=MAX_CANDIDATES)]
    declared_at: Timestamp
    electorate: Annotated[StrictInt | None, Field(ge=0, le=MAX_VOTES)] = None
    turnout_pct: Annotated[StrictFloat | None, Field(ge=0, le=100)] = None
    total_votes: Annotated[StrictInt | None, Field(ge=0, le=MAX_VOTES)] = None
    source: Annotated[Text | None, Field(description="Where it came from (kept with the declaration)")] = None


class CouncilDeclarationIn(BaseModel):
    """A council's announcement of the seats won tonight and its whole make-up afterwards."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "council", "council": "greyhaven", "declared_at": "2026-05-08T01:00:00+01:00",
        "seats_won": {"Lab": 4, "Reform": 2, "Con": 1, "LD": 1},
        "composition_after": {"Lab": 14, "Con": 4, "Reform": 3, "LD": 2, "Ind": 1}}]})

    kind: Literal["council"]
    id: Annotated[StrictStr | None, Field(max_length=300, description=(
        "Democracy Club council election id local.<council>.<poll date>; worked out when absent"))] = None
    council: Annotated[StrictStr, Field(min_length=1, max_length=100, description="The council's slug, e.g. greyhaven")]
    seats_won: SeatList
    composition_after: SeatList
    declared_at: Timestamp
    source: Annotated[Text | None, Field(description="Where it came from (kept with the declaration)")] = None


DeclarationIn = Annotated[Union[WardDeclarationIn, CouncilDeclarationIn], Field(discriminator="kind")]
DeclarationsBody = Union[DeclarationIn, Annotated[list[DeclarationIn], Field(min_length=1, max_length=MAX_BATCH)]]

_MODELS: dict[str, type[BaseModel]] = {"ward": WardDeclarationIn, "council": CouncilDeclarationIn}


# -- the response -----------------------------------------------------------------------------
class EventOut(BaseModel):
    id: str
    key: str
    status: Literal["new", "updated", "retracted"]
    title: str


class DeclarationOutcome(BaseModel):
    index: int = Field(description="Position in the request (0 for a single declaration)")
    id: str
    kind: Literal["ward", "council"]
    outcome: Literal["new", "correction", "repeat", "stale"]
    stored: bool = Field(description="Whether this request stored it (a repeat, or a stale version "
                                     "already on record, stores nothing)")
    events: list[EventOut] = Field(description="Event records it produced: new, updated, retracted")
    stories: list[str] = Field(description="Ids of the stories it re-drafted")


class IngestResult(BaseModel):
    stored: int = Field(description="How many declarations this request stored")
    declarations: list[DeclarationOutcome]


class DeclarationProblem(BaseModel):
    loc: list[str | int] = Field(description='Where: ["body", <index in a list>, field, ...]')
    msg: str
    type: str


class DeclarationProblems(BaseModel):
    detail: list[DeclarationProblem]


class ErrorOut(BaseModel):
    detail: str = Field(description="What was wrong")


class WithdrawnVersion(BaseModel):
    seq: int = Field(description="The stored declaration row withdrawn")
    declared_at: datetime
    source: str


class WithdrawalResult(BaseModel):
    id: str = Field(description="The declaration id")
    kind: Literal["ward", "council"]
    withdrawn: WithdrawnVersion
    withdrawn_by: str = Field(description="Who withdrew it: api:<token name>")
    reason: str
    standing: datetime | None = Field(description="declared_at of the version that stands now (an earlier "
                                                  "version, or one the withdrawn version had made stale); "
                                                  "null when none does")
    events: list[EventOut] = Field(description="Event records it produced: retracted, updated, new")
    stories: list[str] = Field(description="Ids of the stories it re-drafted or retracted")


# -- checking against the night -----------------------------------------------------------------
class _Check:
    """Collects problems, field by field, as FastAPI reports them."""

    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []

    def add(self, loc: tuple, msg: str, kind: str = "value_error") -> None:
        self.problems.append({"loc": list(loc), "msg": msg, "type": kind})

    def pydantic(self, loc: tuple, exc: ValidationError) -> None:
        for e in exc.errors(include_url=False, include_input=False, include_context=False):
            self.add(loc + tuple(e["loc"]), e["msg"], e["type"])


def _setup(state) -> Any:
    night = getattr(state, "night", None)
    return night if night is not None else state.pipeline.engine.setup


def _wards(state, night: Any = None) -> NightWards:
    """The night's wards (its baseline's, and those its election directory declares),
    worked out once per night object (``night``: the state's own, by default)."""
    night = _setup(state) if night is None else night
    cached = getattr(state, "_api_wards", None)
    if cached is None or cached[0] is not night:
        setup = night.setup if hasattr(night, "declarations") else night
        cached = (night, NightWards(setup, getattr(night, "declarations", ())))
        state._api_wards = cached
    return cached[1]


def prepare(state, night: Any = None) -> None:
    """Work out before the first declaration arrives what checking one needs (the night's
    wards: a tenth of a second on 2022's night, which the first ``POST`` would otherwise
    wait for). ``night``: the night the app is about to serve (default: its own)."""
    if night is not None or getattr(state, "night", None) is not None or getattr(state, "pipeline", None) is not None:
        _wards(state, night)


def _now(state) -> datetime:
    """The server's clock (``app.state.clock``, a callable, where set: tests)."""
    clock = getattr(state, "clock", None)
    return clock() if clock is not None else utc_now()


def _shape(raw: Any, setup, check: _Check) -> list[tuple[tuple, BaseModel]]:
    """Each item of the body parsed into its model, with its loc; problems recorded."""
    if isinstance(raw, list):
        if not raw:
            check.add(("body",), "is an empty list; expected at least one declaration", "too_short")
            return []
        if len(raw) > MAX_BATCH:
            check.add(("body",), f"has {len(raw)} declarations; expected at most {MAX_BATCH} in one request",
                      "too_long")
            return []
        items = [(("body", i), item) for i, item in enumerate(raw)]
    elif isinstance(raw, dict):
        items = [(("body",), raw)]
    else:
        check.add(("body",), "expected a declaration (a JSON object) or a list of them", "model_type")
        return []
    out = []
    for loc, item in items:
        if not isinstance(item, dict):
            check.add(loc, "expected a declaration (a JSON object)", "model_type")
            continue
        kind = item.get("kind")
        model = _MODELS.get(kind) if isinstance(kind, str) else None
        if model is None:
            got = "missing" if "kind" not in item else f"{kind!r}"[:60]
            check.add(loc + ("kind",), f"is {got}; expected 'ward' or 'council'", "union_tag_invalid")
            continue
        try:
            out.append((loc, model.model_validate(item)))
        except ValidationError as exc:
            check.pydantic(loc, exc)
            council = item.get("council")  # its sense too, as far as it can be checked
            if isinstance(council, str) and council not in setup.councils and \
                    not any(e["loc"] == ("council",) for e in exc.errors()):
                _unknown_council(loc, council, check)
    return out


def _unknown_council(loc: tuple, council: str, check: _Check) -> None:
    check.add(loc + ("council",), f"unknown council {council[:100]!r}; expected the slug of one of "
              "tonight's councils", "unknown_council")


def _declared_at(loc: tuple, when: datetime, setup, check: _Check, now: datetime | None) -> None:
    """A result is declared on the night: not before the polls closed, not more than 7 days
    after, not ahead of the server's clock while the night is live, and within the range of
    times the store can keep (writer.ingest.times; the loader's and the feeds' check too)."""
    problem = declared_at_problem(when, setup.election.polls_close, now)
    if problem is not None:
        try:
            shown = when.isoformat()
        except (OverflowError, ValueError):  # pragma: no cover - isoformat never overflows
            shown = str(when)
        check.add(loc + ("declared_at",), f"{shown!r} {problem[1]}", problem[0])


def _ward(loc: tuple, w: WardDeclarationIn, setup, source: str, check: _Check, wards: NightWards,
          now: datetime | None) -> WardDeclaration | None:
    before = len(check.problems)
    _declared_at(loc, w.declared_at, setup, check, now)
    council = setup.councils.get(w.council)
    if council is None:
        _unknown_council(loc, w.council, check)
    if not slugify(w.ward):
        check.add(loc + ("ward",), f"{w.ward!r} has no letters or digits; expected a ward name")
    expected_id = ward_declaration_id(w.council, w.ward, setup.election.poll_date)
    if w.id is not None and w.id != expected_id:
        check.add(loc + ("id",), f"is {w.id!r}, which does not match the council, ward and poll date; "
                  f"expected {expected_id!r} (or leave it out)", "id_mismatch")
    winners = sum(c.elected for c in w.candidates)
    if winners > w.seats:
        check.add(loc + ("candidates",), f"has {winners} candidates elected; expected at most "
                  f"seats = {w.seats}", "too_many_winners")
    below = elected_below(w.candidates)
    if below is not None:
        won, lost = below
        check.add(loc + ("candidates",), f"elects {won.name!r} with {won.votes} votes, fewer than {lost.name!r} "
                  f"({lost.votes}), who was not elected; expected the elected candidates to have the most votes",
                  "elected_below_loser")
    if w.electorate is not None and w.total_votes is not None and w.total_votes > w.electorate:
        check.add(loc + ("total_votes",), f"is {w.total_votes}, more than the electorate {w.electorate}; "
                  f"expected at most {w.electorate}")
    if len(check.problems) > before:
        return None
    why = wards.problem(w.council, w.ward, w.ward_code)
    if why is not None:  # reported, and the ward still counts in the seats-up check of the batch
        check.add(loc + ("ward",), why, "unknown_ward")
    return WardDeclaration(
        id=expected_id, council=w.council, ward=w.ward, ward_code=w.ward_code, seats=w.seats,
        candidates=tuple(Candidate(c.name, c.party, c.votes, c.elected) for c in w.candidates),
        declared_at=w.declared_at, source=source, electorate=w.electorate,
        turnout_pct=w.turnout_pct, total_votes=w.total_votes)


def _seat_list(loc: tuple, seats: dict[str, int], total: int | None, what: str, check: _Check,
               *, tonight: bool) -> None:
    for party in seats:
        why = parties.party_name_problem(party)
        if why is not None:
            check.add(loc + (party,), f"{party[:120]!r} {why}", "plain_text")
        elif not parties.is_party_code(party, in_composition=True):
            check.add(loc + (party,), f"unknown party code {party[:120]!r}; expected "
                      f"{parties.party_code_help(in_composition=True)}", "party_code")
        elif tonight and party == "Vacant":
            check.add(loc + (party,), "lists 'Vacant'; seats won tonight go to a party, Ind, Res or "
                      "'Other' (smaller parties taken together, where the source does not name them)",
                      "party_code")
    if total is not None and sum(seats.values()) != total:
        check.add(loc, f"adds up to {sum(seats.values())} seats; expected {total} ({what})", "seat_total")


def _council(loc: tuple, c: CouncilDeclarationIn, setup, source: str, check: _Check,
             now: datetime | None) -> CouncilDeclaration | None:
    before = len(check.problems)
    _declared_at(loc, c.declared_at, setup, check, now)
    council = setup.councils.get(c.council)
    if council is None:
        _unknown_council(loc, c.council, check)
    expected_id = council_declaration_id(c.council, setup.election.poll_date)
    if c.id is not None and c.id != expected_id:
        check.add(loc + ("id",), f"is {c.id!r}, which does not match the council and poll date; "
                  f"expected {expected_id!r} (or leave it out)", "id_mismatch")
    _seat_list(loc + ("seats_won",), c.seats_won, council.seats_up if council else None,
               f"seats_up for {c.council}", check, tonight=True)
    _seat_list(loc + ("composition_after",), c.composition_after,
               council.total_seats if council else None, f"total_seats for {c.council}", check,
               tonight=False)
    if len(check.problems) > before:
        return None
    return CouncilDeclaration(expected_id, c.council, dict(c.seats_won), dict(c.composition_after),
                              c.declared_at, source)


def _standing(engine, councils: set[str]) -> list[Declaration]:
    """The engine's standing declarations of ``councils``, each council's in the engine's
    order (from its index by council, where it has one: not every declaration of the night).
    Both checks below depend only on the order within a council."""
    of = getattr(engine, "declarations_of", None)
    if of is None:
        return [d for d in getattr(engine, "declarations", {}).values() if d.council in councils]
    return of(councils)


def _seats_up(decls: list[tuple[tuple, Declaration]], setup, engine, check: _Check) -> None:
    """Tonight's wards cannot elect more councillors than the council has seats up (the
    loader's check, over what is already in and this request)."""
    seats: dict[str, dict[str, tuple[int, tuple | None]]] = {}  # council -> ward id -> (seats, loc)
    asked = {decl.council for _, decl in decls if isinstance(decl, WardDeclaration)}  # only these can fail
    for decl in _standing(engine, asked):
        if isinstance(decl, WardDeclaration) and not decl.withdrawn:
            seats.setdefault(decl.council, {})[decl.id] = (decl.seats, None)  # a withdrawn ward elects no one
    for loc, decl in decls:
        if isinstance(decl, WardDeclaration):
            seats.setdefault(decl.council, {})[decl.id] = (decl.seats, loc)
    for slug, wards in seats.items():
        council = setup.councils.get(slug)
        total = sum(n for n, _ in wards.values())
        if council is None or total <= council.seats_up:
            continue
        for n, loc in wards.values():
            if loc is not None:
                check.add(loc + ("seats",), f"the wards of {slug!r} would elect {total} councillors; "
                          f"expected at most seats_up = {council.seats_up}", "seat_total")


def _shared_ward_codes(decls: list[tuple[tuple, Declaration]], setup, engine, check: _Check) -> None:
    """A ward code names one ward: a ward whose code another ward of the council already
    has tonight (declared, or earlier in this request) under another name is refused, as the
    loader refuses it (not where the council is new or has new boundaries: sources there
    often give a new ward the code of the old one it replaces)."""
    def checked(decl) -> bool:
        council = setup.councils.get(decl.council)
        return (isinstance(decl, WardDeclaration) and bool(decl.ward_code) and not decl.withdrawn
                and council is not None and not (council.new_council or council.boundary_change))

    owner: dict[tuple[str, str], tuple[str, str, tuple | None]] = {}  # (council, code) -> (id, ward, loc)
    asked = {decl.council for _, decl in decls}  # a conflict is within a council of the request
    for decl in _standing(engine, asked):
        if checked(decl):
            owner.setdefault((decl.council, decl.ward_code), (decl.id, decl.ward, None))
    for loc, decl in decls:
        if not checked(decl):
            continue
        other = owner.setdefault((decl.council, decl.ward_code), (decl.id, decl.ward, loc))
        if other[0] != decl.id:
            where = "declared tonight" if other[2] is None else (
                f"at {other[2][0]}[{other[2][1]}]" if len(other[2]) > 1 else "in this request")
            check.add(loc + ("ward_code",), f"{decl.ward_code!r} is the code of ward {other[1]!r} ({where}); "
                      "expected each ward its own code (withdraw the other declaration if it is the wrong one)",
                      "ward_code_conflict")


def _conflicting_duplicates(decls: list[tuple[tuple, Declaration]], check: _Check) -> None:
    """One request declaring the same result twice at the same time with different figures
    is ambiguous (which is the correction?): refuse the later one."""
    first: dict[tuple[str, datetime], tuple[tuple, str]] = {}
    for loc, decl in decls:
        key = (decl.id, decl.declared_at)
        digest = decl.content_digest()
        if key not in first:
            first[key] = (loc, digest)
            continue
        earlier, earlier_digest = first[key]
        if digest != earlier_digest:
            where = f"{earlier[0]}[{earlier[1]}]" if len(earlier) > 1 else str(earlier[0])
            check.add(loc + ("declared_at",), f"declares {decl.id} again at the same time as {where} with "
                      "different figures; expected one version per time", "conflicting_duplicate")


def validate(raw: Any, setup, token_name: str, engine=None, *, wards: NightWards | None = None,
             now: datetime | None = None) -> tuple[list[Declaration], list[dict]]:
    """The declarations in a request body (parsed JSON), or every problem with them.
    ``setup`` is the night (its councils and poll date); ``engine`` (optional) holds the
    declarations already in, for the seats-up check; ``wards`` the night's wards (default:
    its baseline's; see :mod:`writer.ingest.wards`); ``now`` the server's clock (None:
    declared times are checked against the night only)."""
    check = _Check()
    decls: list[tuple[tuple, Declaration]] = []
    if wards is None:
        wards = NightWards(setup)
    for loc, item in _shape(raw, setup, check):
        source = f"api:{token_name}" + (f":{item.source}" if item.source else "")
        if isinstance(item, WardDeclarationIn):
            decl = _ward(loc, item, setup, source, check, wards, now)
        else:
            decl = _council(loc, item, setup, source, check, now)
        if decl is not None:
            decls.append((loc, decl))
    _conflicting_duplicates(decls, check)
    _shared_ward_codes(decls, setup, engine, check)
    if engine is not None:
        _seats_up(decls, setup, engine, check)
    if check.problems:  # in the order of the declarations they concern
        return [], sorted(check.problems, key=lambda p: p["loc"][1] if len(p["loc"]) > 1
                          and isinstance(p["loc"][1], int) else -1)
    return [d for _, d in decls], []


# -- ingesting ----------------------------------------------------------------------------------
def _lock(state) -> threading.Lock:
    return getattr(state, "ingest_lock", None) or _LOCK


def _resync(pipeline) -> None:
    """Rebuild the pipeline's engine and desk from the store (after a batch rolled back, the
    engine had already taken some of it)."""
    _needs_resync.add(pipeline)
    pipeline.resumed = pipeline._rebuild()
    _needs_resync.discard(pipeline)


def _outcome(engine, decl: Declaration, index: int, done: Ingested) -> DeclarationOutcome:
    outcome = done.outcome
    if outcome == "seen":  # already stored: the version that stands, or one it replaced (or withdrawn)
        current = engine.declarations.get(decl.id)
        outcome = "repeat" if current is not None and current.content_digest() == decl.content_digest() else "stale"
    return DeclarationOutcome(
        index=index, id=decl.id, kind=decl.kind, outcome=outcome, stored=done.seq is not None,
        events=[EventOut(id=e.id, key=e.key, status=e.status, title=e.title) for e in done.events],
        stories=list(dict.fromkeys(s.id for s in done.stories)))


def _ingest(state, decls: list[Declaration]) -> IngestResult:
    """Ingest a checked batch in the write transaction open (``Pipeline.locked``)."""
    pipeline = state.pipeline
    done = [ingest(pipeline.store, pipeline.engine, pipeline.desk, d) for d in decls]
    outcomes = [_outcome(pipeline.engine, d, i, r) for i, (d, r) in enumerate(zip(decls, done))]
    return IngestResult(stored=sum(o.stored for o in outcomes), declarations=outcomes)


def _check_and_ingest(state, raw: Any, token_name: str) -> tuple[IngestResult | None, list[dict]]:
    """Check a request's declarations against the whole night and ingest them, in one write
    transaction holding the ingest lock (``Pipeline.locked``): what other processes stored
    or withdrew is taken first, in one statement, and nothing can come in between. On
    failure nothing is stored and the engine is rebuilt from the store."""
    with _lock(state):
        if state.pipeline in _needs_resync:  # an earlier rebuild failed: memory may be ahead
            _resync(state.pipeline)
        ingesting = False
        try:
            with state.pipeline.locked():
                setup = _setup(state)
                decls, problems = validate(raw, setup, token_name, state.pipeline.engine, wards=_wards(state),
                                           now=_now(state))
                if problems:
                    return None, problems
                # one code per party, as the loaded night has them: "Other (The Walton Society)"
                # is the night's "Other (Walton Society)" (the night's table; see writer.identity)
                decls = [resolve_declaration(d, setup.parties) for d in decls]
                ingesting = True
                result = _ingest(state, decls)
        except BaseException:
            if not ingesting:
                raise
            log.exception("API: a batch of %d declarations failed; nothing was stored", len(decls))
            try:
                _resync(state.pipeline)
            except Exception:  # noqa: BLE001 - the original error is the one to report
                log.exception("API: could not rebuild the engine from the store; will retry first thing "
                              "on the next request")
            raise
    log.info("API: %s sent %d declaration(s): %s", token_name, len(decls),
             ", ".join(f"{o.id} {o.outcome}" for o in result.declarations[:20]))
    return result, []


def _problems(problems: list[dict]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": problems})


async def _authenticate(request: Request) -> str:
    """The caller's token, checked before anything reads the body: a request without a valid
    token gets 401 whatever it sends (FastAPI reads and parses the body before it resolves a
    route's dependencies: up to 8 MB of JSON for nobody). ``require_token`` runs again as the
    route's dependency (it documents the scheme in the schema); both name the same token."""
    credentials = await bearer_scheme(request)
    return await run_in_threadpool(require_token, request, credentials)


class _DeclarationsRoute(APIRoute):
    """Authenticates before the body is read (:func:`_authenticate`); and when FastAPI's own
    check of the body fails, answers with the full check instead, so that problems of shape
    in one declaration and of sense in another come back together."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            await _authenticate(request)  # 401 first (an HTTPException: the app answers it)
            try:
                return await handler(request)
            except RequestValidationError as exc:
                token_name = getattr(request.state, "api_token", None)
                if token_name is None or request.method != "POST" or \
                        any(e.get("type") == "json_invalid" for e in exc.errors()):
                    raise
                state = request.app.state

                def full_check() -> list[dict]:
                    with _lock(state):
                        return validate(exc.body, _setup(state), token_name, state.pipeline.engine,
                                        wards=_wards(state), now=_now(state))[1]

                problems = await run_in_threadpool(full_check)
                if not problems:  # cannot happen with the same models; FastAPI's word stands
                    raise
                return _problems(problems)

        return route_handler


_body_limit = {"max_body_size": MAX_BODY_BYTES} if "max_body_size" in inspect.signature(
    APIRouter.add_api_route).parameters else {}


def _settle(app) -> None:
    """Once the app is loaded and before it serves, move everything alive out of the cyclic
    garbage collector's passes (``writer.runtime.freeze_long_lived``). The night, the
    fact-checker and the pipeline's engine are hundreds of thousands of objects that live as
    long as the process; left to the collector, each full pass over them stalled a request
    for 0.3-0.5 s (the review queue's p99). Everything alive is frozen; an app whose night
    is still being made (``app.state.startup``, :mod:`writer.web.startup`) is settled by its
    startup once the night is ready instead, so that its first answer waits for no collection."""
    import gc

    if getattr(app.state, "startup", None) is not None:
        return

    from writer.runtime import freeze_long_lived
    prepare(app.state)
    gc.collect()
    freeze_long_lived()


@asynccontextmanager
async def _lifespan(app):
    """Runs when a server starts the app (``writer serve``; not under a bare TestClient)."""
    await run_in_threadpool(_settle, app)
    yield


router = APIRouter(tags=["declarations"], route_class=_DeclarationsRoute, lifespan=_lifespan)


@router.post(
    PATH, status_code=201, response_model=IngestResult, summary="Post ward and council declarations",
    response_description="Something was stored: each declaration's outcome and the events it produced",
    responses={
        200: {"model": IngestResult, "description": "Nothing new: every declaration was a repeat or stale"},
        400: {"model": ErrorOut, "description": "The body could not be read as text: it is not UTF-8"},
        401: {"model": ErrorOut, "description": "No API token, or an unknown or revoked one (WWW-Authenticate: "
                                                "Bearer); answered before the body is read"},
        422: {"model": DeclarationProblems, "description": "Every problem found, field by field (an unknown "
              "ward is `unknown_ward`, a time off the night `before_polls_close`, `after_the_night`, "
              "`in_the_future` or `declared_at_range`); nothing was stored"},
    },
    **_body_limit,
)
async def post_declarations(
    request: Request,
    body: Annotated[DeclarationsBody, Body(description=(
        "One declaration, or a list of them (all stored, or none). `kind` says which: "
        "`ward` or `council`."))],
    token_name: Annotated[str, Depends(require_token)],
) -> Response:
    """Post one declaration or a list of them. Idempotent by declaration id: the same id
    with the same content is a `repeat` (nothing stored); with new content and a
    `declared_at` no earlier than the standing version, a `correction`; an older version,
    `stale`; a version that was replaced, declared again after the standing one, a
    `correction`. A list is all or nothing."""
    raw = await request.json()  # the body as sent: checked in full against the night
    result, problems = await run_in_threadpool(_check_and_ingest, request.app.state, raw, token_name)
    if problems:
        return _problems(problems)
    assert result is not None
    return JSONResponse(status_code=201 if result.stored else 200, content=result.model_dump(mode="json"))


# -- withdrawing a declaration ------------------------------------------------------------------
def _withdraw(state, declaration_id: str, token_name: str, reason: str) -> WithdrawalResult:
    from writer.store.withdrawals import WithdrawalError
    with _lock(state):
        pipeline = state.pipeline
        if pipeline in _needs_resync:
            _resync(pipeline)
        try:
            row, records, stories = pipeline.withdraw(declaration_id, by=f"api:{token_name}", reason=reason)
        except WithdrawalError as exc:
            raise HTTPException(404, str(exc)) from None
        withdrawn = next(r for r in pipeline.store.declaration_rows(declaration_id) if r.seq == row.declaration_seq)
        standing = pipeline.engine.declarations.get(declaration_id)
    log.info("API: %s withdrew %s (declaration #%d): %d event records", token_name, declaration_id,
             row.declaration_seq, len(records))
    return WithdrawalResult(
        id=declaration_id, kind=withdrawn.kind,
        withdrawn=WithdrawnVersion(seq=withdrawn.seq, declared_at=withdrawn.declared_at, source=withdrawn.source),
        withdrawn_by=row.withdrawn_by, reason=row.reason,
        standing=standing.declared_at if standing is not None else None,
        events=[EventOut(id=e.id, key=e.key, status=e.status, title=e.title) for e in records],
        stories=list(dict.fromkeys(s.id for s in stories)))


@router.delete(
    PATH + "/{declaration_id}", response_model=WithdrawalResult, summary="Withdraw a declaration",
    response_description="The version withdrawn, the version that stands now, and the event records and "
                         "stories the night worked out again without it produced",
    responses={
        401: {"model": ErrorOut, "description": "No API token, or an unknown or revoked one (WWW-Authenticate: Bearer)"},
        404: {"model": ErrorOut, "description": "No version of that declaration stands (unknown, or withdrawn already)"},
    },
)
async def delete_declaration(
    request: Request,
    declaration_id: Annotated[str, Path(min_length=1, max_length=300, description=(
        "The declaration's id: the Democracy Club ballot id of a ward (local.<council>.<ward-slug>.<poll date>) "
        "or a council's election id (local.<council>.<poll date>)"))],
    token_name: Annotated[str, Depends(require_token)],
    reason: Annotated[str, Query(max_length=500, description="Why (kept with the withdrawal)")] = "",
) -> Response:
    """Withdraw the version of a declaration that stands, as if it had never arrived: the
    night is worked out again from every other stored declaration (an earlier version, or
    one it had made stale, can stand again), and its events are retracted or updated and its
    stories redrafted or retracted, as after a correction. The withdrawal is recorded with
    the token's name, the reason and the time; the declaration stays in the store. Call it
    again to withdraw the version that then stands. A withdrawn version sent again as it was
    (same figures, same `declared_at`) stays withdrawn."""
    problem = name_problem(reason) if reason else None
    if problem is not None or any(ord(ch) < 32 for ch in reason):
        return _problems([{"loc": ["query", "reason"], "msg": problem or "contains control characters; "
                           "expected plain text", "type": "plain_text"}])
    result = await run_in_threadpool(_withdraw, request.app.state, declaration_id, token_name, reason)
    return JSONResponse(status_code=200, content=result.model_dump(mode="json"))
