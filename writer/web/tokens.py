"""API tokens: creating, listing, revoking and checking them, and the bearer-token
dependency that guards the HTTP API.

A token is ``rnw_`` followed by 43 URL-safe characters (256 random bits). It is shown once,
when made (``writer tokens add NAME``); the store keeps only its SHA-256 digest
(:mod:`writer.store.tokens`). A presented token is checked by comparing its digest with
every active token's digest in constant time (``hmac.compare_digest``, no early exit), and a
revoked token is refused from the moment its revocation is stored, in every process.

Tokens never appear in logs, errors or reprs: functions here log token *names* only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from writer.store.store import Store
from writer.store.tokens import ApiToken, ApiTokenRevocation

log = logging.getLogger(__name__)

TOKEN_PREFIX = "rnw_"
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200  # longer bearer values are refused without hashing them
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
NAME_HELP = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"


class TokenError(ValueError):
    """A token operation that cannot be done (bad name, name in use, no such token)."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored for a token (tokens are high-entropy: no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def _active_rows(session: Session, name: str | None = None) -> list[ApiToken]:
    q = (select(ApiToken).outerjoin(ApiTokenRevocation, ApiTokenRevocation.token_seq == ApiToken.seq)
         .where(ApiTokenRevocation.seq.is_(None)).order_by(ApiToken.seq))
    if name is not None:
        q = q.where(ApiToken.name == name)
    return list(session.scalars(q))


def add_token(store: Store, name: str, *, created_at: datetime | None = None) -> str:
    """Make a token called ``name`` and return it: the only time it is ever available.
    Raises :class:`TokenError` for a bad name or one that already has an active token."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise TokenError(f"token name {name!r}: expected {NAME_HELP}")
    token = new_token()
    with store.transaction() as s:
        if _active_rows(s, name):
            raise TokenError(f"token name {name!r} already has an active token; "
                             "revoke it first or choose another name")
        s.add(ApiToken(name=name, token_hash=hash_token(token), created_at=created_at or _now()))
        s.flush()
    log.info("API token %r created", name)
    return token


def revoke_token(store: Store, name: str, *, revoked_at: datetime | None = None) -> None:
    """Revoke the active token called ``name`` (:class:`TokenError` if there is none)."""
    with store.transaction() as s:
        rows = _active_rows(s, name)
        if not rows:
            raise TokenError(f"no active token called {name!r}")
        for row in rows:
            s.add(ApiTokenRevocation(token_seq=row.seq, revoked_at=revoked_at or _now()))
        s.flush()
    log.info("API token %r revoked", name)


def list_tokens(store: Store, *, include_revoked: bool = True) -> list[TokenInfo]:
    """Every token (name, when made, when revoked), oldest first. Never the tokens."""
    q = (select(ApiToken.name, ApiToken.created_at, ApiTokenRevocation.revoked_at)
         .outerjoin(ApiTokenRevocation, ApiTokenRevocation.token_seq == ApiToken.seq)
         .order_by(ApiToken.seq))
    with Session(store.engine) as s:
        out = [TokenInfo(name, created, revoked) for name, created, revoked in s.execute(q)]
    return out if include_revoked else [t for t in out if t.active]


def verify_token(store: Store, token: str) -> str | None:
    """The name of the active token ``token`` is, or None. Compares digests in constant
    time against every active token (no early exit on a match)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    presented = hash_token(token)
    q = (select(ApiToken.name, ApiToken.token_hash)
         .outerjoin(ApiTokenRevocation, ApiTokenRevocation.token_seq == ApiToken.seq)
         .where(ApiTokenRevocation.seq.is_(None)))
    with Session(store.engine) as s:
        rows = s.execute(q).all()
    found = None
    for name, digest in rows:
        if hmac.compare_digest(digest.encode("ascii"), presented.encode("ascii")):
            found = name
    return found


# -- the FastAPI dependency --------------------------------------------------------------------
bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="APIToken",
    description="An API token from `writer tokens add NAME`, sent as `Authorization: Bearer <token>`.")


def _unauthorised(detail: str, error: str | None = None) -> HTTPException:
    challenge = 'Bearer realm="writer"'
    if error:
        challenge += f', error="{error}"'
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


def token_store(request: Request) -> Store:
    """The store tokens are checked against: ``app.state.store``, else the pipeline's."""
    state = request.app.state
    store = getattr(state, "store", None)
    if store is None:
        pipeline = getattr(state, "pipeline", None)
        store = getattr(pipeline, "store", None)
    if store is None:
        raise RuntimeError("the API needs app.state.store (or app.state.pipeline) to check tokens")
    return store


def require_token(request: Request,
                  credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)) -> str:
    """A FastAPI dependency: the name of the caller's API token, or 401 with a
    ``WWW-Authenticate: Bearer`` challenge (missing, malformed, unknown or revoked token).
    The name is also left in ``request.state.api_token``; a request whose token was checked
    already (the declarations API checks it before reading the body) is not checked again."""
    if credentials is None:
        raise _unauthorised("an API token is required: send 'Authorization: Bearer <token>'")
    checked = getattr(request.state, "api_token_checked", None)
    if checked is not None and checked[0] == credentials.credentials:
        return checked[1]
    name = verify_token(token_store(request), credentials.credentials)
    if name is None:
        raise _unauthorised("the API token is not valid (unknown or revoked)", "invalid_token")
    request.state.api_token = name
    request.state.api_token_checked = (credentials.credentials, name)
    return name
