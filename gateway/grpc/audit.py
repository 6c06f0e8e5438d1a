"""The audit trail over gRPC: requests to filters and cursors, records to messages."""

from __future__ import annotations

from datetime import UTC
from typing import Final

from google.protobuf.timestamp_pb2 import Timestamp

from gateway.grpc import convert
from gateway.grpc.fill import Filler
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from resolvers.operations.audit import AuditFilter, AuditKind, AuditPage, AuditRecord
from resolvers.operations.audit_reads import cursor_of

DEFAULT_PAGE: Final = 20
RECORD_KIND: Final = convert.EnumMap(AuditKind, pb.AuditRecordKind, "AUDIT_RECORD_KIND", None)


def page_size(size: int) -> int:
    return size or DEFAULT_PAGE


def page_token(token: str) -> str | None:
    return token or None


def audit_filter(message: service_pb2.ListAuditRecordsRequest) -> AuditFilter:
    return AuditFilter(
        report_id=message.report_id if message.HasField("report_id") else None,
        user_id=message.user_id if message.HasField("user_id") else None,
        action=message.action if message.HasField("action") else None,
        outcome=None
        if message.outcome == pb.ACTION_OUTCOME_UNSPECIFIED
        else convert.ACTION_OUTCOME.from_proto(message.outcome, "outcome"),
        since=message.since.ToDatetime(tzinfo=UTC) if message.HasField("since") else None,
        until=message.until.ToDatetime(tzinfo=UTC) if message.HasField("until") else None,
    )


_BY_NAME: Final = Filler(
    {
        Timestamp.DESCRIPTOR.full_name: convert.timestamp,
        pb.AuditRecordKind.DESCRIPTOR.full_name: RECORD_KIND.to_proto,
        pb.ActionOutcome.DESCRIPTOR.full_name: convert.ACTION_OUTCOME.to_proto,
    }
)
"""Every field of a record is named alike in the message (an absent outcome is UNSPECIFIED)."""


def record(model: AuditRecord) -> pb.AuditRecord:
    return _BY_NAME(pb.AuditRecord, model)


def trail(page: AuditPage) -> service_pb2.AuditTrail:
    last = page.records[-1].id if page.records and page.next_after is not None else None
    return service_pb2.AuditTrail(
        records=[record(r) for r in page.records],
        next_page_token="" if last is None else cursor_of(last),
    )


__all__ = ["audit_filter", "page_size", "page_token", "record", "trail"]
