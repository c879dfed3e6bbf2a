"""The review desk's tables: users (argon2 password hashes, roles), publish times and rules'
auto-publish settings; append-only like the rest (a change is a new row).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("users", "publish_times", "rule_settings")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        _time("created_at"),
        sa.CheckConstraint("role IN ('editor', 'chief')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_username"), "users", ["username"])

    op.create_table(
        "publish_times",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.String(), nullable=False),
        sa.Column("story_version", sa.Integer(), nullable=False),
        _time("publish_at", nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(["story_id", "story_version"],
                                ["story_versions.story_id", "story_versions.version"],
                                name=op.f("fk_publish_times_story_id_story_version_story_versions")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_publish_times")),
    )
    op.create_index(op.f("ix_publish_times_story_id_story_version"), "publish_times",
                    ["story_id", "story_version"])

    op.create_table(
        "rule_settings",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.String(), nullable=False),
        sa.Column("auto_publish", sa.Boolean(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_rule_settings")),
    )
    op.create_index(op.f("ix_rule_settings_rule_id"), "rule_settings", ["rule_id"])

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
