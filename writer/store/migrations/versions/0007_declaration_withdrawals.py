"""Withdrawn declarations: ``declaration_withdrawals`` records which stored declaration row
was taken back, by whom, why and when, the last declaration row at that moment (where a
restarted process re-applies it) and the event records it issued; append-only like the rest.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("declaration_withdrawals",)


def upgrade() -> None:
    op.create_table(
        "declaration_withdrawals",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_seq", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.String(), nullable=False),
        sa.Column("after_seq", sa.Integer(), nullable=False),
        sa.Column("withdrawn_by", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["declaration_seq"], ["declarations.seq"],
                                name=op.f("fk_declaration_withdrawals_declaration_seq_declarations")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_declaration_withdrawals")),
        sa.UniqueConstraint("declaration_seq", name=op.f("uq_declaration_withdrawals_declaration_seq")),
    )
    op.create_index(op.f("ix_declaration_withdrawals_declaration_id"), "declaration_withdrawals",
                    ["declaration_id"])

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
        op.drop_index(op.f("ix_declaration_withdrawals_declaration_id"), table_name="declaration_withdrawals")
        op.drop_table(table)
