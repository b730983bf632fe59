"""Legal requests: requests, their history, deadline notices; evidence items of a request

Revision ID: 0003_legal_requests
Revises: 0002_notifications
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_legal_requests"
down_revision: str | None = "0002_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
EVIDENCE_REQUEST_FK = "fk_evidence_items_request_id_legal_requests"


def upgrade() -> None:
    op.create_table(
        "legal_requests",
        sa.Column("id", AutoString(), nullable=False),
        sa.Column("case_id", AutoString(), nullable=False),
        sa.Column("type", AutoString(), nullable=False),
        sa.Column("measure", AutoString(), nullable=True),
        sa.Column("requesting", AutoString(length=2), nullable=False),
        sa.Column("requested", AutoString(length=2), nullable=False),
        sa.Column("person_nationality", AutoString(length=2), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("offence", AutoString(), nullable=False),
        sa.Column("max_penalty_years", sa.Float(), nullable=False),
        sa.Column("transnational", sa.Boolean(), nullable=False),
        sa.Column("organised_group", sa.Boolean(), nullable=False),
        sa.Column("capital", AutoString(), nullable=False),
        sa.Column("status", AutoString(), nullable=False),
        sa.Column("refusal_reason", AutoString(), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("prosecutor_email", AutoString(), nullable=True),
        sa.Column("opened_by", AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_legal_requests_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_legal_requests"),
    )
    op.create_index("ix_legal_requests_case_id", "legal_requests", ["case_id"])
    op.create_index("ix_legal_requests_requesting", "legal_requests", ["requesting"])
    op.create_index("ix_legal_requests_requested", "legal_requests", ["requested"])
    op.create_index("ix_legal_requests_status", "legal_requests", ["status"])

    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", AutoString(), nullable=False),
        sa.Column("kind", AutoString(), nullable=False),
        sa.Column("event", AutoString(), nullable=False),
        sa.Column("from_status", AutoString(), nullable=True),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", AutoString(), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        sa.Column("reason", AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name="fk_request_events_request_id_legal_requests",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_request_events"),
    )
    op.create_index("ix_request_events_request_id_id", "request_events", ["request_id", "id"])

    op.create_table(
        "deadline_notices",
        sa.Column("key", AutoString(), nullable=False),
        sa.Column("request_id", AutoString(), nullable=False),
        sa.Column("deadline", AutoString(), nullable=False),
        sa.Column("kind", AutoString(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("fire_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name="fk_deadline_notices_request_id_legal_requests",
        ),
        sa.PrimaryKeyConstraint("key", name="pk_deadline_notices"),
    )
    op.create_index("ix_deadline_notices_request_id", "deadline_notices", ["request_id"])

    # Evidence a request asks for, and what each chain-of-custody entry records: added columns.
    # SQLite adds them with ALTER TABLE ... ADD COLUMN ... REFERENCES; batch mode would copy
    # evidence_items and drop the original, which fails once custody entries refer to it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE evidence_items ADD COLUMN request_id VARCHAR "
            f"CONSTRAINT {EVIDENCE_REQUEST_FK} REFERENCES legal_requests (id)"
        )
    else:
        op.add_column(
            "evidence_items",
            sa.Column(
                "request_id",
                AutoString(),
                sa.ForeignKey("legal_requests.id", name=EVIDENCE_REQUEST_FK),
                nullable=True,
            ),
        )
    op.add_column(
        "evidence_items",
        sa.Column("rejection_reason", AutoString(), nullable=False, server_default=""),
    )
    op.create_index("ix_evidence_items_request_id", "evidence_items", ["request_id"])
    op.add_column(
        "custody_entries", sa.Column("action", AutoString(), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table("custody_entries", schema=None) as batch_op:
        batch_op.drop_column("action")
    op.drop_index("ix_evidence_items_request_id", table_name="evidence_items")
    if op.get_bind().dialect.name != "sqlite":  # SQLite: the copy below drops the column's FK
        op.drop_constraint(EVIDENCE_REQUEST_FK, "evidence_items", type_="foreignkey")
    # On SQLite this copies evidence_items: downgrade a database without custody entries.
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("request_id")
    op.drop_index("ix_deadline_notices_request_id", table_name="deadline_notices")
    op.drop_table("deadline_notices")
    op.drop_index("ix_request_events_request_id_id", table_name="request_events")
    op.drop_table("request_events")
    for column in ("status", "requested", "requesting", "case_id"):
        op.drop_index(f"ix_legal_requests_{column}", table_name="legal_requests")
    op.drop_table("legal_requests")
