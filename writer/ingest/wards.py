"""Which wards a declaration may name: the rule every way in applies (the HTTP API, results
feeds, the election-directory loader).

A ward declared tonight must be one of its council's wards: it matches a ward of the
baseline (``baseline/wards.csv``), or one the night's own results already name, by ward code
or by normalised name (:func:`writer.model.normalise_ward_name`). A ward that matches none
(``Nowhere Ward``) is refused: stored, it would count towards the council's seats up and
block every real ward after it. New wards are allowed only where the council is new
(``new_council``) or has new boundaries (``boundary_change``), and where the night knows no
ward of the council at all (nothing to check against).

The loader applies the rule where the baseline fought every ward (an all-out baseline on
unchanged boundaries): where the baseline was a thirds or halves election, some of tonight's
wards were not fought then (a one-member ward in a thirds council) or were redrawn since,
and the night's own results are the record of its wards. There, a ward matching no baseline
ward is named when the council's wards add up to more than its seats up.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from writer.model import Council, NightSetup, WardDeclaration, normalise_ward_name

#: ``normalise_ward_name``, each name worked out once: a ward's name is keyed again and again
#: (loading a night checks each ward against its baseline; the API checks every declaration)
ward_key = lru_cache(maxsize=1 << 14)(normalise_ward_name)  # (a night has a few thousand wards)


class NightWards:
    """The wards of each council of a night, by code and by normalised name."""

    def __init__(self, setup: "NightSetup", tonight: Iterable[WardDeclaration] = ()) -> None:
        self.councils = setup.councils
        self.codes: dict[str, set[str]] = {}
        self.names: dict[str, set[str]] = {}
        self.baseline_all_out: set[str] = set()
        for slug, wards in setup.baseline_wards.items():
            for w in wards:
                self._add(slug, w.ward, w.ward_code)
            baseline = setup.baseline_councils.get(slug)
            if wards and baseline is not None and baseline.cycle == "all-out":
                self.baseline_all_out.add(slug)
        for d in tonight:
            if isinstance(d, WardDeclaration) and d.candidates:
                self._add(d.council, d.ward, d.ward_code)

    def _add(self, slug: str, name: str, code: str) -> None:
        self.names.setdefault(slug, set()).add(ward_key(name))
        if code:
            self.codes.setdefault(slug, set()).add(code)

    def new_wards_allowed(self, slug: str) -> bool:
        """Whether the council may declare wards the night does not know."""
        council: Council | None = self.councils.get(slug)
        return council is None or council.new_council or council.boundary_change or slug not in self.names

    def known(self, slug: str, ward: str, ward_code: str) -> bool:
        """Whether ``ward`` (with ``ward_code``, possibly empty) is one of the council's wards."""
        if ward_code and ward_code in self.codes.get(slug, ()):
            return True
        return ward_key(ward) in self.names.get(slug, ())

    def problem(self, slug: str, ward: str, ward_code: str) -> str | None:
        """Why a ward of ``slug`` called ``ward`` cannot be declared, or None when it can."""
        if self.new_wards_allowed(slug) or self.known(slug, ward, ward_code):
            return None
        council = self.councils[slug]
        code = f" (ward code {ward_code!r})" if ward_code else ""
        return (f"{ward[:100]!r}{code} matches no ward of {council.name} by ward code or name; expected one "
                f"of its wards (new wards only where a council is new or has new boundaries)")
