"""Errors shared by every stage: clear problems with bad input, each naming the file, line,
column (or key) and what was expected. The bottom layer: it imports nothing of the writer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            # CSV files have columns; TOML and YAML files have keys
            where += f", {'column' if self.file.endswith('.csv') else 'key'} {self.column}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Input that cannot be used. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], summary: str = "invalid input") -> None:
        self.problems = list(problems)
        self.summary = summary
        super().__init__(self.render())

    def render(self, limit: int | None = None) -> str:
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [f"{self.summary}: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"]
        lines += [f"  {p}" for p in shown]
        if limit is not None and len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


def yaml_problem(name: str, exc: Exception) -> Problem:
    """A YAML error as one problem with its line (YAML's marks count from 0)."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"is not valid YAML: {what}" + (f" ({context})" if context else "")
    return Problem(name, mark.line + 1 if mark else None, None, message)
