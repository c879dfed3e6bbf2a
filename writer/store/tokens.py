"""API tokens: who may post declarations to the HTTP API (``writer tokens add NAME``).

Only a token's SHA-256 digest is stored, never the token: tokens are 256-bit random
secrets, so a plain digest cannot be reversed or guessed (no salt or slow hash needed).
Like every other table in the store, these are append-only: a token is revoked by adding
a row to ``api_token_revocations``, and a name can be given a fresh token after its old one
is revoked (each active name has exactly one token). Migration: ``0003_api_tokens``.

The helpers that create, list, check and revoke tokens are in :mod:`writer.web.tokens`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from writer.store.base import Base

TOKEN_TABLES = ("api_tokens", "api_token_revocations")


class ApiToken(Base):
    """A named API token, as the SHA-256 hex digest of its secret."""

    __tablename__ = "api_tokens"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:  # never the digest, let alone the token
        return f"<ApiToken #{self.seq} {self.name}>"


class ApiTokenRevocation(Base):
    """The revocation of one token: from ``revoked_at`` on it is refused."""

    __tablename__ = "api_token_revocations"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token_seq: Mapped[int] = mapped_column(ForeignKey("api_tokens.seq"), unique=True)
    revoked_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<ApiTokenRevocation of token #{self.token_seq}>"
