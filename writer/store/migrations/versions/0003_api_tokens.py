"""API tokens for the HTTP API (SHA-256 digests only, never the tokens) and their
revocations; append-only like the rest (revoking a token adds a row).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("api_tokens", "api_token_revocations")


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_name"), "api_tokens", ["name"])

    op.create_table(
        "api_token_revocations",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_seq", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["token_seq"], ["api_tokens.seq"],
                                name=op.f("fk_api_token_revocations_token_seq_api_tokens")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_api_token_revocations")),
        sa.UniqueConstraint("token_seq", name=op.f("uq_api_token_revocations_token_seq")),
    )

    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "postgresql":  # writer_append_only() comes with revision 0001
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION writer_append_only()")
        elif dialect == "sqlite":
            for what in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, 'the store is append-only: {what} on {table} refused'); END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in reversed(TABLES):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif dialect == "sqlite":
            for what in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{what}")
        op.drop_table(table)
