"""The append-only audit record table.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_record",
        sa.Column("id", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("report_id", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("caller_kind", sa.Text, nullable=False),
        sa.Column("context", sa.Text),
        sa.Column("protocol", sa.Text),
        sa.Column("expected_status", sa.Text),
        sa.Column("expected_step_code", sa.Text),
        sa.Column("expected_step_sequence", sa.Integer),
        sa.Column("concur_status", sa.Text),
        sa.Column("idempotency_key", sa.Text),
        sa.Column("correlation_id", sa.Text),
        sa.Column("trace_id", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("code", sa.Text),
        sa.Column("message", sa.Text),
        sa.Column("intent_id", sa.BigInteger, sa.ForeignKey("audit_record.id")),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False, unique=True),
        sa.CheckConstraint("kind IN ('INTENT', 'OUTCOME')", name="audit_record_kind"),
    )
    op.create_index("audit_record_report", "audit_record", ["report_id", "id"])
    op.create_index("audit_record_user", "audit_record", ["user_id", "id"])
    op.create_index("audit_record_time", "audit_record", ["recorded_at"])
    # Append-only: the database itself refuses to change or remove a record.
    op.execute(
        """
        CREATE FUNCTION audit_record_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit records are append-only';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
        "FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only()"
    )


def downgrade() -> None:
    op.drop_table("audit_record")
    op.execute("DROP FUNCTION audit_record_append_only()")
