"""Alerts keep their corridor's jurisdictions: a case's facts are computed from its alerts alone

Revision ID: 0007_alert_corridors
Revises: 0006_drop_tasks
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_alert_corridors"
down_revision: str | None = "0006_drop_tasks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("corridor_jurisdictions", sa.JSON(), nullable=False, server_default="[]")
        )
    # alerts stored before: the jurisdictions of their corridor as loaded now
    op.execute(
        "UPDATE alerts SET corridor_jurisdictions = ("
        "SELECT corridors.jurisdictions FROM corridors WHERE corridors.code = alerts.corridor) "
        "WHERE corridor IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM corridors WHERE corridors.code = alerts.corridor)"
    )


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("corridor_jurisdictions")
