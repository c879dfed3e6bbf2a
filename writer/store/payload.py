"""Declarations, events and stories as plain JSON data and back (datetimes as ISO 8601).

``declaration_from_payload(declaration_to_payload(d)) == d`` for every declaration, so the
engine can be rebuilt from what the store holds; the content digest survives the trip.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from writer.detect.events import Event
from writer.draft.story import SeatRow, Story
from writer.model import Candidate, CouncilDeclaration, Declaration, WardDeclaration

PAYLOAD_VERSION = 1


def declaration_to_payload(decl: Declaration) -> dict[str, Any]:
    if isinstance(decl, WardDeclaration):
        return {
            "v": PAYLOAD_VERSION,
            "kind": "ward",
            "id": decl.id,
            "council": decl.council,
            "ward": decl.ward,
            "ward_code": decl.ward_code,
            "seats": decl.seats,
            "candidates": [{"name": c.name, "party": c.party, "votes": c.votes, "elected": c.elected}
                           for c in decl.candidates],
            "declared_at": decl.declared_at.isoformat(),
            "source": decl.source,
            "electorate": decl.electorate,
            "turnout_pct": decl.turnout_pct,
            "total_votes": decl.total_votes,
        }
    if isinstance(decl, CouncilDeclaration):
        return {
            "v": PAYLOAD_VERSION,
            "kind": "council",
            "id": decl.id,
            "council": decl.council,
            "seats_won": dict(decl.seats_won),
            "composition_after": dict(decl.composition_after),
            "declared_at": decl.declared_at.isoformat(),
            "source": decl.source,
        }
    raise TypeError(f"not a declaration: {decl!r}")


def declaration_from_payload(payload: dict[str, Any]) -> Declaration:
    kind = payload.get("kind")
    declared_at = datetime.fromisoformat(payload["declared_at"])
    if declared_at.tzinfo is None:
        raise ValueError(f"declaration {payload.get('id')!r}: declared_at has no UTC offset")
    if kind == "ward":
        return WardDeclaration(
            id=payload["id"], council=payload["council"], ward=payload["ward"],
            ward_code=payload["ward_code"], seats=payload["seats"],
            candidates=tuple(Candidate(c["name"], c["party"], c["votes"], c["elected"])
                             for c in payload["candidates"]),
            declared_at=declared_at, source=payload["source"],
            electorate=payload.get("electorate"), turnout_pct=payload.get("turnout_pct"),
            total_votes=payload.get("total_votes"),
        )
    if kind == "council":
        return CouncilDeclaration(
            id=payload["id"], council=payload["council"],
            seats_won=dict(payload["seats_won"]), composition_after=dict(payload["composition_after"]),
            declared_at=declared_at, source=payload["source"],
        )
    raise ValueError(f"unknown declaration kind {kind!r}")


def event_to_payload(event: Event) -> dict[str, Any]:
    return event.to_dict()


def event_from_payload(payload: dict[str, Any]) -> Event:
    """The event rebuilt from its payload (tuples among its facts come back as lists)."""
    return Event(**payload)


def story_to_payload(story: Story) -> dict[str, Any]:
    return story.to_dict()


def story_from_payload(payload: dict[str, Any]) -> Story:
    d = dict(payload)
    d["body"] = tuple(d["body"])
    d["table"] = tuple(SeatRow(**row) for row in d["table"])
    d["events"] = tuple(d["events"])
    d["groups"] = tuple(d["groups"])
    d["evidence"] = tuple(d.get("evidence", ()))
    return Story(**d)
