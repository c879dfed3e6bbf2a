"""The import report: every bad or surprising row, never silently dropped.

Each finding names the source file, the row (or line) and field, and says what was found
and what was expected or done. Kinds:

- ``left out``: the row or ward could not be used and is not in the output;
- ``check``: written, but an editor should check it (an inference, an estimate);
- ``note``: a difference between sources worth knowing, nothing to do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

KINDS = ("left out", "check", "note")


@dataclass(frozen=True)
class Finding:
    kind: str
    source: str
    where: str | None  # "row 12", "line 4784", a council slug ...
    field: str | None
    message: str

    def __str__(self) -> str:
        at = self.source
        if self.where:
            at += f", {self.where}"
        if self.field:
            at += f", {self.field}"
        return f"[{self.kind}] {at}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def add(self, kind: str, source: str, where: str | None, field_: str | None, message: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown finding kind {kind!r}; expected one of {KINDS}")
        self.findings.append(Finding(kind, source, where, field_, message))

    def extend(self, other: "Report") -> None:
        self.findings.extend(other.findings)

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def counts(self) -> dict[str, int]:
        return {k: len(self.of_kind(k)) for k in KINDS if self.of_kind(k)}

    def summary(self) -> str:
        counts = self.counts()
        if not counts:
            return "nothing to report"
        return ", ".join(f"{n} {k}" for k, n in counts.items())

    def render(self, limit: int | None = None) -> str:
        shown = self.findings if limit is None else self.findings[:limit]
        lines = [str(f) for f in shown]
        if limit is not None and len(self.findings) > limit:
            lines.append(f"... and {len(self.findings) - limit} more")
        return "\n".join(lines)

    def to_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["kind", "source", "where", "field", "message"])
        for f in self.findings:
            w.writerow([f.kind, f.source, f.where or "", f.field or "", f.message])
        return out.getvalue()
