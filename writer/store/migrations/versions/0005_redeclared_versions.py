"""A declaration may come back to a version it had before (A, B, then A again, declared
later): the same content is stored again when declared at another time. The declarations'
unique key becomes (declaration id, content digest, declared at).

PostgreSQL swaps the constraint. SQLite cannot drop a table's constraint, so the table is
built again: a new table with the new key, every row copied with its sequence number, the
old table dropped and the new one renamed, its indexes and append-only triggers made again.
The tables that refer to declarations keep referring to them by name; ``migrate`` runs
SQLite's migrations with foreign keys off and checks them before committing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD = ("declaration_id", "content_digest")
NEW = ("declaration_id", "content_digest", "declared_at")
COLUMNS = ("seq", "declaration_id", "kind", "council", "content_digest", "payload", "source",
           "declared_at", "received_at", "outcome")


def _name(columns: tuple[str, ...]) -> str:
    return "uq_declarations_" + "_".join(columns)


def upgrade() -> None:
    _swap(OLD, NEW)


def downgrade() -> None:
    _swap(NEW, OLD)


def _swap(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(_name(old), "declarations", type_="unique")
        op.create_unique_constraint(_name(new), "declarations", list(new))
        return
    for what in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS declarations_no_{what}")
    op.create_table(
        "declarations_rebuilt",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("council", sa.String(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.CheckConstraint("kind IN ('ward', 'council')", name="ck_declarations_kind"),
        sa.CheckConstraint("outcome IN ('new', 'correction', 'stale')", name="ck_declarations_outcome"),
        sa.PrimaryKeyConstraint("seq", name="pk_declarations"),
        sa.UniqueConstraint(*new, name=_name(new)),
    )
    columns = ", ".join(COLUMNS)
    op.execute(f"INSERT INTO declarations_rebuilt ({columns}) SELECT {columns} FROM declarations ORDER BY seq")
    op.drop_index("ix_declarations_council", table_name="declarations")
    op.drop_index("ix_declarations_declaration_id", table_name="declarations")
    op.drop_table("declarations")
    op.rename_table("declarations_rebuilt", "declarations")
    op.create_index("ix_declarations_council", "declarations", ["council"])
    op.create_index("ix_declarations_declaration_id", "declarations", ["declaration_id"])
    for what in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER declarations_no_{what.lower()} BEFORE {what} ON declarations "
                   f"BEGIN SELECT RAISE(ABORT, 'the store is append-only: {what} on declarations refused'); END")
