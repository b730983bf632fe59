"""Credentials for the HTTP API and the web pages: passwords, personal tokens, alert source keys

Revision ID: 0009_credentials
Revises: 0008_case_notes
Create Date: 2026-12-04 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_credentials"
down_revision: str | None = "0008_case_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "logins",
        sa.Column("email", TEXT(), nullable=False),
        sa.Column("password_hash", TEXT(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["email"], ["contacts.email"]),
        sa.PrimaryKeyConstraint("email"),
    )
    op.create_table(
        "personal_tokens",
        sa.Column("public_id", TEXT(), nullable=False),
        sa.Column("email", TEXT(), nullable=True),
        sa.Column("secret_sha256", TEXT(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["email"], ["contacts.email"]),
        sa.PrimaryKeyConstraint("public_id"),
    )
    with op.batch_alter_table("personal_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_tokens_email"), ["email"], unique=False)
    op.create_table(
        "alert_sources",
        sa.Column("name", TEXT(), nullable=False),
        sa.Column("jurisdiction", TEXT(length=2), nullable=True),
        sa.Column("public_id", TEXT(), nullable=False),
        sa.Column("secret_sha256", TEXT(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("public_id"),
    )


def downgrade() -> None:
    op.drop_table("alert_sources")
    with op.batch_alter_table("personal_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_tokens_email"))
    op.drop_table("personal_tokens")
    op.drop_table("logins")
