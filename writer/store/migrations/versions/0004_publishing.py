"""Publishing: releases to readers, deliveries to each CMS, the scheduler lease (all
append-only), and APScheduler's job store (scheduling state: the one mutable table).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = ("releases", "deliveries", "scheduler_leases")


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.String(), nullable=False),
        sa.Column("story_version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("correction", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('publish', 'retract')", name=op.f("ck_releases_action")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_releases")),
        sa.UniqueConstraint("story_id", "story_version", "action",
                            name=op.f("uq_releases_story_id_story_version_action")),
    )
    op.create_index(op.f("ix_releases_story_id"), "releases", ["story_id"])

    op.create_table(
        "deliveries",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("release_seq", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.String(), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("media_id", sa.String(), nullable=True),
        sa.Column("media_digest", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('sent', 'failed', 'pending')", name=op.f("ck_deliveries_state")),
        sa.ForeignKeyConstraint(["release_seq"], ["releases.seq"],
                                name=op.f("fk_deliveries_release_seq_releases")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_deliveries")),
    )
    op.create_index(op.f("ix_deliveries_story_id"), "deliveries", ["story_id"])
    op.create_index(op.f("ix_deliveries_release_seq_target"), "deliveries", ["release_seq", "target"])

    op.create_table(
        "scheduler_leases",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_scheduler_leases")),
        sa.UniqueConstraint("term", name=op.f("uq_scheduler_leases_term")),
    )

    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.String(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(op.f("ix_apscheduler_jobs_next_run_time"), "apscheduler_jobs", ["next_run_time"])

    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":  # writer_append_only() comes with revision 0001
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION writer_append_only()")
        elif dialect == "sqlite":
            for what in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, 'the store is append-only: {what} on {table} refused'); END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("apscheduler_jobs")
    for table in reversed(APPEND_ONLY):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif dialect == "sqlite":
            for what in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{what}")
        op.drop_table(table)
