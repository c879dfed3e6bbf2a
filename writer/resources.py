"""Where the writer finds its editable data: rules, templates and the demo night.

An editor's own copy wins (``WRITER_RULES``, ``WRITER_TEMPLATES``); then the checkout the
writer runs from; then the copy packaged with an installed writer.
"""

from __future__ import annotations

from pathlib import Path

from writer.settings import Settings

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _find(name: str, own: Path | None = None) -> Path:
    if own is not None:
        return own
    for candidate in (_CHECKOUT / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    return _CHECKOUT / name


def rules_dir() -> Path:
    return _find("rules", Settings.from_env().rules_dir)


def templates_dir() -> Path:
    return _find("templates", Settings.from_env().templates_dir)


def samples_dir() -> Path:
    return _find("samples")


def demo_night() -> Path:
    return samples_dir() / "demo-night"
