"""``writer tokens``: API tokens for ``POST /api/declarations``.

    writer tokens add pa-feed       # prints the new token once, on stdout
    writer tokens list              # names, when made, active or revoked (never the tokens)
    writer tokens revoke pa-feed    # refused from now on, in every running process

The store is ``--database URL`` (a SQLAlchemy URL or a SQLite file path), else
``WRITER_DATABASE_URL``, else ``./writer.db``.
"""

from __future__ import annotations

import json

import click

from writer.cli.common import database_option, open_store


@click.group("tokens")
def tokens() -> None:
    """API tokens for POST /api/declarations (only their SHA-256 digests are stored)."""


@tokens.command("add")
@click.argument("name")
@database_option
def add(name: str, database: str | None) -> None:
    """Make a token called NAME and print it, once: it cannot be shown again."""
    from writer.web.tokens import TokenError, add_token
    store = open_store(database)
    try:
        token = add_token(store, name)
    except TokenError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from exc
    finally:
        store.close()
    click.echo(token)
    click.echo(f"Token {name!r} made. Keep it now: only its digest is stored, so it cannot be "
               "shown again. Send it as 'Authorization: Bearer <token>'.", err=True)


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
@click.option("--active", "active_only", is_flag=True, help="Only tokens that are not revoked.")
@database_option
def list_(as_json: bool, active_only: bool, database: str | None) -> None:
    """List tokens: name, when made, and whether revoked. Never the tokens themselves."""
    from writer.web.tokens import list_tokens
    store = open_store(database)
    try:
        rows = list_tokens(store, include_revoked=not active_only)
    finally:
        store.close()
    if as_json:
        for t in rows:
            click.echo(json.dumps({"name": t.name, "created_at": t.created_at.isoformat(),
                                   "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                                   "active": t.active}))
        return
    if not rows:
        click.echo("no API tokens (make one with: writer tokens add NAME)", err=True)
        return
    width = max(len(t.name) for t in rows)
    for t in rows:
        state = "active" if t.active else f"revoked {t.revoked_at:%Y-%m-%d %H:%M:%S} UTC"
        click.echo(f"{t.name:<{width}}  made {t.created_at:%Y-%m-%d %H:%M:%S} UTC  {state}")


@tokens.command("revoke")
@click.argument("name")
@database_option
def revoke(name: str, database: str | None) -> None:
    """Revoke the active token called NAME: it is refused from now on."""
    from writer.web.tokens import TokenError, revoke_token
    store = open_store(database)
    try:
        revoke_token(store, name)
    except TokenError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from exc
    finally:
        store.close()
    click.echo(f"Token {name!r} revoked.", err=True)


COMMANDS = (tokens,)
