"""A story's evidence laid out for an editor (``templates/web/evidence.html``): each ward's
candidates, votes and shares, seats before and after and the baseline; each council's seats
before and after, control and its history line; the round-up's national picture; and every
fact, raw.

    Evidence(store, night, names).of(story)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from writer.draft.story import Story


class Evidence:
    """Evidence for stories of ``night`` (its councils' history and baseline candidates; None:
    only what the stories carry) from ``store`` (the declarations), with party names from
    ``names`` (PartyNames; None: party codes)."""

    def __init__(self, store, night=None, names=None) -> None:
        self.store = store
        self.night = night
        self.names = names

    def party(self, code: str | None) -> str:
        if not code:
            return ""
        if self.names is not None:
            try:
                return self.names.party(code, "tally")
            except Exception:  # noqa: BLE001 - unknown code: show it as it is
                return code
        return code

    def of(self, story: Story) -> dict[str, Any]:
        """What the story may state, laid out for an editor: each ward's candidates, votes
        and shares, seats before and after, the baseline; each council's seats before and
        after, control and its history line; and every fact, raw."""
        facts: dict[tuple[str, str], dict[str, Any]] = {}
        context: list[dict[str, Any]] = []
        for f in story.evidence:
            if not isinstance(f, Mapping):
                continue
            if "scope" in f:
                facts[(str(f.get("scope")), str(f.get("subject")))] = dict(f)
            elif isinstance(f.get("context"), list):
                context += [c for c in f["context"] if isinstance(c, Mapping)]
        wards, councils, others = [], [], []
        national = None
        for (scope, _subject), f in facts.items():
            if scope == "ward":
                wards.append(self._ward_evidence(f))
            elif scope == "council":
                councils.append(self._council_evidence(f))
            elif scope == "projection" and isinstance(f.get("national_picture"), Mapping):
                national = self._national_evidence(f["national_picture"])
            else:
                others.append({"scope": scope, "subject": f.get("subject"), "title": _title(f)})
        raw = [{"scope": scope, "subject": subject,
                "facts": [(k, _show(v)) for k, v in f.items() if k != "context"]}
               for (scope, subject), f in facts.items()]
        return {"wards": wards, "councils": councils, "others": others, "raw": raw, "national": national,
                "context": [{"label": c.get("label"), "source": c.get("source"),
                             "values": [(self.party(p), v) for p, v in (c.get("values") or {}).items()]}
                            for c in context]}

    def _national_evidence(self, pic: Mapping[str, Any]) -> dict[str, Any]:
        """The round-up's national share estimate and Commons projection: each party's share at
        the baseline, its average change in the wards used and the projection; the wards used
        (by name, from the store where it has them); the seats at a general election."""
        shares = pic.get("projected_share") or {}
        base = pic.get("baseline_share") or {}
        change = pic.get("share_change") or {}
        rows = [{"party": self.party(p), "baseline": base.get(p), "change": change.get(p), "projected": v}
                for p, v in sorted(shares.items(), key=lambda kv: -kv[1])]
        # ballot ids (local.<council>.<ward>.<date>), shown as "ward (council)": no lookup per ward
        wards = []
        for wid in pic.get("ward_declarations") or ():
            parts = str(wid).split(".")
            wards.append(f"{parts[2]} ({parts[1]})" if len(parts) >= 4 else str(wid))
        cp = pic.get("commons_projection") or None
        commons = None
        if isinstance(cp, Mapping):
            seats = cp.get("seats") or {}
            commons = {"seats": [(self.party(p), n, (cp.get("seats_before") or {}).get(p, 0))
                                 for p, n in sorted(seats.items(), key=lambda kv: -kv[1])],
                       "largest_party": self.party(cp.get("largest_party")), "majority": cp.get("majority"),
                       "majority_needed": cp.get("majority_needed"), "method": cp.get("method"),
                       "changed_hands": len(cp.get("changed_hands") or ())}
        return {"rows": rows, "wards_used": pic.get("wards_used"), "councils_used": pic.get("councils_used"),
                "wards": wards, "method": pic.get("method"), "baseline_label": pic.get("baseline_label"),
                "reason": pic.get("reason"), "commons": commons, "commons_reason": pic.get("commons_reason")}

    def _ward_evidence(self, f: dict[str, Any]) -> dict[str, Any]:
        candidates = []
        decl = self.store.current_declaration(str(f.get("ward_id") or f.get("subject") or ""))
        if decl is not None and decl.kind == "ward":
            cands = decl.payload.get("candidates") or []
            total = sum(c.get("votes") or 0 for c in cands)
            for c in sorted(cands, key=lambda c: -(c.get("votes") or 0)):
                votes = c.get("votes")
                candidates.append({
                    "name": c.get("name"), "party": self.party(c.get("party")), "code": c.get("party"),
                    "votes": votes, "elected": bool(c.get("elected")),
                    "share": round(100 * votes / total, 1) if votes is not None and total else None,
                })
        shares = f.get("shares") or {}
        share_change = f.get("share_change") or {}
        before = f.get("baseline_holders") or {}
        after = f.get("won") or {}
        change = f.get("seat_change") or {}
        parties = _ordered(after, before, shares)
        baseline_candidates = []
        if self.night is not None and f.get("baseline_ward"):
            for bw in self.night.setup.baseline_wards.get(f.get("council"), ()):
                if bw.ward == f.get("baseline_ward"):
                    baseline_candidates = [{"name": c.name, "party": self.party(c.party), "votes": c.votes,
                                            "elected": c.elected}
                                           for c in sorted(bw.candidates, key=lambda c: -(c.votes or 0))]
                    break
        return {
            "ward": f.get("ward"), "council_name": f.get("council_name"), "seats": f.get("seats"),
            "candidates": candidates, "turnout_pct": f.get("turnout_pct"), "electorate": f.get("electorate"),
            "total_votes": f.get("total_votes"), "majority": f.get("majority"),
            "baseline_label": f.get("baseline_label"), "baseline_ward": f.get("baseline_ward"),
            "matched_by": f.get("matched_by"), "comparable": f.get("comparable"),
            "not_comparable_reason": f.get("not_comparable_reason"),
            "parties": [{"party": self.party(p), "code": p, "before": before.get(p), "after": after.get(p),
                         "change": change.get(p), "share": shares.get(p), "share_change": share_change.get(p)}
                        for p in parties],
            "baseline_candidates": baseline_candidates,
        }

    def _council_evidence(self, f: dict[str, Any]) -> dict[str, Any]:
        slug = f.get("council")
        council = self.night.setup.councils.get(slug) if self.night is not None else None
        before_all = (council.composition_before if council is not None else None) or {}
        after = f.get("composition_after") or {}
        won = f.get("seats_won") or {}
        change = f.get("seat_change") or {}
        baseline = f.get("baseline_seats_won") or {}
        parties = _ordered(after, before_all, won, baseline)
        return {
            "council_name": f.get("council_name"), "region": f.get("region"), "cycle": f.get("cycle"),
            "total_seats": f.get("total_seats"), "seats_up": f.get("seats_up"),
            "majority_needed": f.get("majority_needed"), "status": f.get("status"),
            "seats_declared": f.get("seats_declared"), "result": f.get("result"),
            "control_before": self.party(f.get("control_before")), "control_after": self.party(f.get("control_after")),
            "composition_estimated": f.get("composition_estimated"),
            "baseline_label": f.get("baseline_label"), "comparison_basis": f.get("comparison_basis"),
            "comparable": f.get("comparable"), "not_comparable_reason": f.get("not_comparable_reason"),
            "parties": [{"party": self.party(p), "code": p, "before": before_all.get(p), "after": after.get(p),
                         "won": won.get(p), "baseline": baseline.get(p), "change": change.get(p)}
                        for p in parties],
            "history": self.history_line(slug, f),
        }

    def history_line(self, slug: str | None, f: Mapping[str, Any]) -> str:
        periods = self.night.setup.history.get(slug, ()) if self.night is not None and slug else ()
        if periods:
            parts = []
            for p in periods:
                who = "no overall control" if p.control == "NOC" else self.party(p.control)
                parts.append(f"{who} since {p.from_year}" if p.to_year is None
                             else f"{who} {p.from_year}\u2013{p.to_year}")
            return "; ".join(parts)
        bits = []
        if f.get("history_from"):
            bits.append(f"records from {f['history_from']}")
        if f.get("before_since") and f.get("control_before"):
            bits.append(f"{self.party(f['control_before'])} since {f['before_since']}")
        if f.get("last_controlled_to") and f.get("winner"):
            bits.append(f"{self.party(f['winner'])} last in control until {f['last_controlled_to']}")
        if f.get("first_ever"):
            bits.append("first time in control")
        return "; ".join(bits)


def _ordered(*tables: Mapping[str, Any]) -> list[str]:
    """Parties in any of the tables, the biggest in the first table first."""
    seen: list[str] = []
    first = tables[0] if tables else {}
    for t in tables:
        for p in sorted(t, key=lambda p: -(first.get(p) or 0) if isinstance(first.get(p), (int, float)) else 0):
            if p not in seen:
                seen.append(p)
    return sorted(seen, key=lambda p: (-(first.get(p) or 0) if isinstance(first.get(p), (int, float)) else 0))


def _title(f: Mapping[str, Any]) -> str:
    return str(f.get("group_name") or f.get("name") or f.get("subject") or "")


def _show(v: Any) -> str:
    if isinstance(v, str):
        return v
    try:
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(v)


__all__ = ["Evidence"]
