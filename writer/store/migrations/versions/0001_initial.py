"""The store's tables: declarations, events, story versions, review decisions and
fact-check results, all append-only (triggers refuse UPDATE and DELETE).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("declarations", "events", "story_versions", "review_decisions", "check_results")


def _time(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "declarations",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("council", sa.String(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _time("declared_at"),
        _time("received_at"),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.CheckConstraint("kind IN ('ward', 'council')", name=op.f("ck_declarations_kind")),
        sa.CheckConstraint("outcome IN ('new', 'correction', 'stale')", name=op.f("ck_declarations_outcome")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_declarations")),
        sa.UniqueConstraint("declaration_id", "content_digest",
                            name=op.f("uq_declarations_declaration_id_content_digest")),
    )
    op.create_index(op.f("ix_declarations_council"), "declarations", ["council"])
    op.create_index(op.f("ix_declarations_declaration_id"), "declarations", ["declaration_id"])

    op.create_table(
        "events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("council", sa.String(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("declaration_seq", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('new', 'updated', 'retracted')", name=op.f("ck_events_status")),
        sa.ForeignKeyConstraint(["declaration_seq"], ["declarations.seq"],
                                name=op.f("fk_events_declaration_seq_declarations")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_events_event_id")),
    )
    op.create_index(op.f("ix_events_council"), "events", ["council"])
    op.create_index(op.f("ix_events_declaration_seq"), "events", ["declaration_seq"])
    op.create_index(op.f("ix_events_key"), "events", ["key"])

    op.create_table(
        "story_versions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("draft_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("council", sa.String(), nullable=True),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        _time("created_at"),
        sa.Column("declaration_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["declaration_seq"], ["declarations.seq"],
                                name=op.f("fk_story_versions_declaration_seq_declarations")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_story_versions")),
        sa.UniqueConstraint("story_id", "version", name=op.f("uq_story_versions_story_id_version")),
    )
    op.create_index(op.f("ix_story_versions_council"), "story_versions", ["council"])
    op.create_index(op.f("ix_story_versions_declaration_seq"), "story_versions", ["declaration_seq"])

    op.create_table(
        "review_decisions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.String(), nullable=False),
        sa.Column("story_version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _time("created_at"),
        sa.CheckConstraint("decision IN ('approved', 'rejected', 'held', 'override')",
                           name=op.f("ck_review_decisions_decision")),
        sa.ForeignKeyConstraint(["story_id", "story_version"],
                                ["story_versions.story_id", "story_versions.version"],
                                name=op.f("fk_review_decisions_story_id_story_version_story_versions")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_review_decisions")),
    )
    op.create_index(op.f("ix_review_decisions_story_id_story_version"), "review_decisions",
                    ["story_id", "story_version"])

    op.create_table(
        "check_results",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.String(), nullable=False),
        sa.Column("story_version", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("username", sa.String(), nullable=True),
        _time("created_at"),
        sa.CheckConstraint("override_reason IS NULL OR username IS NOT NULL",
                           name=op.f("ck_check_results_override_by")),
        sa.ForeignKeyConstraint(["story_id", "story_version"],
                                ["story_versions.story_id", "story_versions.version"],
                                name=op.f("fk_check_results_story_id_story_version_story_versions")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_check_results")),
    )
    op.create_index(op.f("ix_check_results_story_id_story_version"), "check_results",
                    ["story_id", "story_version"])

    _append_only_triggers()


def _append_only_triggers() -> None:
    """Rows are only ever inserted: the database itself refuses UPDATE and DELETE."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("""
            CREATE FUNCTION writer_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the store is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
            END $$""")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION writer_append_only()")
    elif dialect == "sqlite":
        for table in TABLES:
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
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS writer_append_only()")
