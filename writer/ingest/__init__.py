"""Ingest: every way declarations arrive (election directories today; feeds and the HTTP
API later) produces the same :mod:`writer.model` declarations."""

from writer.ingest.election_dir import load_night
from writer.errors import InputError, Problem

__all__ = ["InputError", "Problem", "load_night"]
