"""Councils' names as the sources give them: the slug and the name copy uses, whichever
source named the council."""

from __future__ import annotations

import re

from writer.model import slugify


def council_slug(name: str) -> str:
    """The council's slug, whichever source named it: ONS-style names ("Kingston upon Hull,
    City of", "Herefordshire, County of") and others ("Kingston upon Hull") give one slug."""
    return slugify(re.sub(r",\s*(city|county|borough) of\s*$", "", name.strip(), flags=re.IGNORECASE))


def council_name(name: str) -> str:
    """The name copy uses: "Kingston upon Hull" for ONS's "Kingston upon Hull, City of"."""
    return re.sub(r",\s*(city|county|borough) of\s*$", "", " ".join(name.split()), flags=re.IGNORECASE)
