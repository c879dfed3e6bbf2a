"""Where the writer finds its editable data: rules, templates and the demo night.

An editor's own copy wins (``WRITER_RULES``, ``WRITER_TEMPLATES``); then the checkout the
writer runs from; then the copy packaged with an installed writer.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _find(name: str, env: str | None = None) -> Path:
    if env and os.environ.get(env):
        return Path(os.environ[env])
    for candidate in (_CHECKOUT / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    return _CHECKOUT / name


def rules_dir() -> Path:
    return _find("rules", "WRITER_RULES")


def templates_dir() -> Path:
    return _find("templates", "WRITER_TEMPLATES")


def samples_dir() -> Path:
    return _find("samples")


def demo_night() -> Path:
    return samples_dir() / "demo-night"
