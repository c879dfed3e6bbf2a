"""Sign-in sessions kept in the store, so that signing out ends a session for good (a copied
cookie no longer works) and a new password, role or disabled account ends every session of
that user: ``web_sessions`` (the SHA-256 of each session's id, the user and the user's row at
sign-in) and ``web_session_ends``; append-only like the rest (signing out adds a row).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("web_sessions", "web_session_ends")


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("user_seq", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_seq"], ["users.seq"], name=op.f("fk_web_sessions_user_seq_users")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_sessions_session_hash")),
    )
    op.create_index(op.f("ix_web_sessions_username"), "web_sessions", ["username"])

    op.create_table(
        "web_session_ends",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_seq"], ["web_sessions.seq"],
                                name=op.f("fk_web_session_ends_session_seq_web_sessions")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_web_session_ends")),
        sa.UniqueConstraint("session_seq", name=op.f("uq_web_session_ends_session_seq")),
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
