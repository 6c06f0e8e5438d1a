"""Bringing the audit database to the current schema with Alembic.

The migrations ship inside the package (``gateway/audit/migrations``), so a wheel or an
image can migrate its own database: ``concur-gateway audit migrate``, or automatically on
the first write after start-up. Alembic is synchronous; callers run it in a thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config

MIGRATIONS: Final = Path(__file__).with_name("migrations")


def sqlalchemy_url(database_url: str) -> str:
    """A libpq URL (``postgresql://…``) as SQLAlchemy names the psycopg 3 driver."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise ValueError("the audit database URL must start with postgresql://")
    return f"postgresql+psycopg://{rest}"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Apply every migration not yet applied (idempotent; replicas take turns)."""
    command.upgrade(alembic_config(database_url), "head")


__all__ = ["MIGRATIONS", "alembic_config", "sqlalchemy_url", "upgrade"]
