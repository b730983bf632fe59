"""Inspection plans: the plans, their rosters and the outcomes of their inspections

Revision ID: 0005_inspection_plans
Revises: 0004_intake
Create Date: 2026-11-26 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_inspection_plans"
down_revision: str | None = "0004_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("shifts_per_day", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("engine", sa.String(), nullable=False),
        sa.Column("solve_status", sa.String(), nullable=False),
        sa.Column("objective", sa.Integer(), nullable=True),
        sa.Column("bound", sa.Integer(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("inputs_sha", sa.String(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plans_status", "plans", ["status"], unique=False)
    op.create_table(
        "plan_assignments",
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("team", sa.String(), nullable=False),
        sa.Column("shift", sa.Integer(), nullable=False),
        sa.Column("corridor", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id", "team", "shift"),
    )
    op.create_index("ix_plan_assignments_corridor", "plan_assignments", ["corridor"], unique=False)
    op.create_table(
        "inspection_outcomes",
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("corridor", sa.String(), nullable=False),
        sa.Column("shift", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"]),
        sa.PrimaryKeyConstraint("plan_id", "corridor", "shift"),
    )
    op.create_index(
        "ix_inspection_outcomes_corridor", "inspection_outcomes", ["corridor"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_inspection_outcomes_corridor", table_name="inspection_outcomes")
    op.drop_table("inspection_outcomes")
    op.drop_index("ix_plan_assignments_corridor", table_name="plan_assignments")
    op.drop_table("plan_assignments")
    op.drop_index("ix_plans_status", table_name="plans")
    op.drop_table("plans")
