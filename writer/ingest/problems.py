"""Clear errors for bad input: each problem names the file, line, column and what was expected."""

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
