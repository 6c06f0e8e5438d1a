"""Models to messages: exact amounts, instants, and the enum naming rule both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from adapters import models
from adapters.errors import BadUserInput
from gateway.grpc import convert
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from resolvers.types.report_event import ReportEventType

MAPS = [
    convert.REPORT_CONTEXT,
    convert.REPORT_VIEW,
    convert.PROTOCOL,
    convert.ACTION_KIND,
    convert.ALLOCATION,
    convert.TOKEN_KIND,
]


@pytest.mark.parametrize("enum_map", MAPS, ids=lambda m: m.prefix)
def test_every_enum_value_has_a_twin(enum_map: convert.EnumMap[Any, Any]) -> None:
    for member in enum_map.canonical:
        assert enum_map.from_proto(enum_map.to_proto(member), "f") is member
    for number in enum_map.proto.DESCRIPTOR.values_by_number:
        if number == 0:
            continue
        assert enum_map.to_proto(enum_map.from_proto(number, "f")) == number
    assert len(enum_map.proto.DESCRIPTOR.values) == len(enum_map.canonical.__members__) + 1


def test_unspecified_is_the_graphs_default_or_refused() -> None:
    assert convert.REPORT_CONTEXT.from_proto(0, "context") is models.ReportContext.TRAVELER
    assert convert.REPORT_VIEW.from_proto(0, "view") is models.ReportView.RECENT
    assert convert.PROTOCOL.from_proto(0, "protocol") is models.Protocol.V4
    with pytest.raises(BadUserInput) as caught:
        convert.ACTION_KIND.from_proto(0, "kind")
    assert caught.value.field == "kind"
    with pytest.raises(BadUserInput):
        convert.REPORT_CONTEXT.from_proto(42, "context")


def test_event_types_are_the_graphs() -> None:
    assert set(convert.EVENT_TYPES) == {t.value for t in ReportEventType}
    for member in ReportEventType:
        assert pb.ReportEventType.Name(convert.EVENT_TYPES[member.value]).endswith(member.name)
    assert convert.event_types([]) is None
    assert convert.event_types([pb.REPORT_EVENT_TYPE_STATUS_CHANGED]) == frozenset(
        {"statusChanged"}
    )
    with pytest.raises(BadUserInput):
        convert.event_types([pb.REPORT_EVENT_TYPE_UNSPECIFIED])


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("525.00000000", "525.00000000"),
        ("0E-8", "0.00000000"),
        ("-12.5", "-12.50000000"),
        ("150", "150.00000000"),
        ("1234567890.12345678", "1234567890.12345678"),
    ],
)
def test_amounts_stay_exact_at_one_scale(value: str, shown: str) -> None:
    message = convert.amount(models.Amount(value=Decimal(value), currency_code="USD"))
    assert message is not None
    assert message.value == shown
    assert Decimal(message.value) == Decimal(value)


def test_instants_and_dates() -> None:
    naive = datetime(2025, 5, 26, 18, 0, 0, 123000)
    stamp = convert.timestamp(naive)
    assert stamp is not None
    assert stamp.ToDatetime() == naive  # naive means UTC, as Concur's are
    aware = datetime(2025, 5, 26, 20, 0, tzinfo=timezone(timedelta(hours=2)))
    stamp = convert.timestamp(aware)
    assert stamp is not None
    assert stamp.ToDatetime(tzinfo=UTC) == aware
    day = convert.calendar_date(date(2025, 2, 28))
    assert day is not None
    assert (day.year, day.month, day.day) == (2025, 2, 28)
    assert convert.timestamp(None) is None


def test_unset_is_absent_not_empty() -> None:
    report = convert.report(
        models.Report(
            id="R1",
            approval_status=models.Status(code="A_NOTF", name="Not Submitted"),
            payment_status=models.Status(code="P_NOTP", name="Not Paid"),
        )
    )
    assert not report.HasField("name")
    assert not report.HasField("total")
    assert not report.HasField("owner")
    assert not report.HasField("report_date")


def test_an_action_request_keeps_what_was_not_said_unsaid() -> None:
    request = convert.approve_request(
        service_pb2.ApproveReportRequest(report_id="R1", expected_step_sequence=0)
    )
    assert request.expected_status is None
    assert request.expected_step_sequence == 0  # zero was said
    assert request.protocol is models.Protocol.V4
    assert request.idempotency_key is None
    with pytest.raises(BadUserInput):
        convert.approve_request(service_pb2.ApproveReportRequest(report_id="  "))
