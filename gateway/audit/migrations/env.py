"""Alembic's entry point for the audit schema (run by ``gateway.audit.schema``).

Replicas may start together: a PostgreSQL advisory lock makes their upgrades take turns, so
each finds the schema at ``head`` or brings it there alone. The version table has a name
of its own, so the audit schema can share a database with other applications' migrations.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

MIGRATION_LOCK = 0x436F6E637572  # "Concur", any constant shared by every replica

url = context.config.get_main_option("sqlalchemy.url")
if url is None:
    raise RuntimeError("the audit migrations need sqlalchemy.url")
engine = create_engine(url, poolclass=NullPool)
with engine.connect() as connection:
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
    try:
        context.configure(connection=connection, version_table="audit_schema_version")
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
engine.dispose()
