"""Reading the audit trail: a report's own records, or any records for an administrator.

A report's trail is for whoever may read the report — the caller has just read it, which
proves it. The whole trail, filtered, is for callers Concur treats as administrators
(``admin``). Pages are keyed by an opaque cursor (the last record's id), oldest first.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Final

from adapters.client import Credentials
from adapters.errors import BadUserInput, Forbidden
from resolvers.operations.audit import AuditFilter, AuditPage
from resolvers.operations.cache import note_unvouched_read

if TYPE_CHECKING:
    from resolvers.context import Context

MAX_PAGE: Final = 100
_PREFIX: Final = "audit:"


async def is_administrator(ctx: Context, creds: Credentials) -> bool:
    verdicts = ctx.operations.admins
    known = verdicts.get(creds)
    if known is None:
        known = await ctx.operations.client.is_administrator(creds)
        verdicts.keep(creds, known)
    return known


async def require_administrator(ctx: Context) -> Credentials:
    """The caller's credentials if Concur treats the caller as an administrator, else
    ``Forbidden``."""
    creds = ctx.require_credentials()
    if not await is_administrator(ctx, creds):
        raise Forbidden(
            "Only a Concur administrator (Company or Web Services Administrator) may read "
            "the whole audit trail; read a report's own trail through Report.auditTrail."
        )
    return creds


def cursor_of(record_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{record_id}".encode()).decode()


def _after(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_PREFIX):
            return int(text.removeprefix(_PREFIX))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadUserInput("after is not a cursor this trail gave out.", field="after")


def _first(first: int) -> int:
    if not 0 < first <= MAX_PAGE:
        raise BadUserInput(f"first must be 1 to {MAX_PAGE}.", field="first")
    return first


async def report_trail(ctx: Context, report_id: str, first: int, after: str | None) -> AuditPage:
    """The records of one report the caller has read."""
    ctx.require_credentials()
    note_unvouched_read()
    where = AuditFilter(report_id=report_id)
    return await ctx.operations.audit.search(where, first=_first(first), after=_after(after))


async def search(ctx: Context, where: AuditFilter, first: int, after: str | None) -> AuditPage:
    """Any records, for an administrator (``Forbidden`` otherwise)."""
    page_size, start = _first(first), _after(after)
    note_unvouched_read()
    await require_administrator(ctx)
    return await ctx.operations.audit.search(where, first=page_size, after=start)


__all__ = ["MAX_PAGE", "cursor_of", "report_trail", "search"]
