"""``concur-gateway audit migrate | verify | export`` for operators and auditors.

``verify`` recomputes the whole hash chain and exits 1 naming the first record that does
not match; ``export`` writes records (JSON lines or CSV) from a date on, oldest first. Both
read ``CONCUR_GATEWAY_AUDIT__DATABASE_URL`` unless ``--database-url`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from gateway.audit.postgres import PostgresAuditLog


def _database_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    from gateway.settings import Settings  # noqa: PLC0415
    from gateway.settings.audit import AuditSettings  # noqa: PLC0415 - keeps --help fast

    settings: AuditSettings = Settings().audit
    url = settings.database_url.get_secret_value()
    if not url:
        raise SystemExit("no audit database: set CONCUR_GATEWAY_AUDIT__DATABASE_URL")
    return url


def _store(url: str) -> PostgresAuditLog:
    from gateway.audit.postgres import PostgresAuditLog  # noqa: PLC0415

    return PostgresAuditLog(url)


async def verify_command(url: str, out: TextIO) -> int:
    from gateway.audit.chain import verify  # noqa: PLC0415

    store = _store(url)
    await store.open()
    try:
        verdict = await verify(store.records())
    finally:
        await store.close()
    if verdict.intact:
        print(f"audit trail intact: {verdict.checked} records verified", file=out)
        return 0
    print(
        f"audit trail broken at record {verdict.broken_at}: {verdict.reason} "
        f"({verdict.checked} records before it verified)",
        file=out,
    )
    return 1


async def export_command(url: str, since: datetime | None, fmt: str, out: TextIO) -> int:
    from gateway.audit.postgres import COLUMNS  # noqa: PLC0415
    from resolvers.operations.audit import AuditFilter  # noqa: PLC0415

    store = _store(url)
    await store.open()
    writer = csv.DictWriter(out, fieldnames=COLUMNS) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    try:
        after = 0
        while True:
            page = await store.search(AuditFilter(since=since), first=1000, after=after)
            for record in page.records:
                if writer is not None:
                    writer.writerow(record.model_dump(mode="json"))
                else:
                    out.write(record.model_dump_json() + "\n")
            if page.next_after is None:
                return 0
            after = page.next_after
    finally:
        await store.close()


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _run(args: argparse.Namespace) -> int:
    url = _database_url(args)
    if args.audit_command == "migrate":
        from gateway.audit.schema import upgrade  # noqa: PLC0415

        upgrade(url)
        print("audit schema at head", file=sys.stdout)
        return 0
    if args.audit_command == "verify":
        return asyncio.run(verify_command(url, sys.stdout))
    return asyncio.run(export_command(url, args.since, args.format, sys.stdout))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("audit", help="migrate, verify or export the audit trail")
    parser.add_argument("--database-url", help="default: CONCUR_GATEWAY_AUDIT__DATABASE_URL")
    sub = parser.add_subparsers(dest="audit_command", required=True)
    sub.add_parser("migrate", help="bring the audit database to the current schema")
    sub.add_parser("verify", help="recompute the hash chain; exit 1 at the first bad record")
    export = sub.add_parser("export", help="write records for auditors, oldest first")
    export.add_argument("--since", type=_instant, help="ISO date or instant (UTC if no zone)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.set_defaults(func=_run)


__all__ = ["export_command", "register", "verify_command"]
