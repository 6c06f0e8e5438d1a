"""A database of its own for every audit test, on the machine's real PostgreSQL.

The server is the one at 127.0.0.1:5432 (trust auth; ``.ci/run`` starts it when it is not
running), or the one ``CONCUR_GATEWAY_TEST_DATABASE_URL`` names (a URL of a database the
tests may create databases from). Each test gets a new database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from psycopg import sql

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get("CONCUR_GATEWAY_TEST_DATABASE_URL") or DEFAULT_ADMIN_URL


def database_url(name: str) -> str:
    base, _, _ = admin_url().rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
async def audit_database_url() -> AsyncIterator[str]:
    name = f"concur_gateway_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await psycopg.AsyncConnection.connect(admin_url(), autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {admin_url()}: {exc}")
    async with admin:
        await admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield database_url(name)
        finally:
            await admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
