"""Canonical models to protobuf messages and back: the only place the two meet.

Each message mirrors the graph's type of the same name, so this module is the gRPC twin of
the Strawberry types' ``from_model``: amounts stay exact, as positional text at the
canonical scale (``adapters.decimals.plain``, as the graph's Decimal scalar serialises
them), instants become Timestamps, dates ``google.type.Date``. A message that mirrors a
canonical model is filled by field name (``gateway.grpc.fill``, one converter per proto
type): a field named alike in the model and the message needs no line here, and only the
deliberate differences (a report's ``owner`` and costly parts, an entry's exchange rate as
text, a custom field's id as its ``name``) are given by hand. A report event is built by
hand: it flattens its workflow facts. Requests become the same transport-free requests the
GraphQL inputs build.

Enums follow one naming rule, checked by a test: the proto value of a canonical member is
``<PREFIX>_<member name>`` (``ReportContext.MANAGER`` -> ``REPORT_CONTEXT_MANAGER``), and the
``*_UNSPECIFIED`` zero value means the graph's default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp
from google.type.date_pb2 import Date

from adapters import models
from adapters.decimals import plain
from adapters.errors import BadUserInput
from gateway.grpc.fill import Filler
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from resolvers.operations.audit import AuditOutcome
from resolvers.operations.outcome import Problem
from resolvers.operations.requests import ActionRequest

if TYPE_CHECKING:
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

E = TypeVar("E", bound=StrEnum)
V = TypeVar("V", bound=int)


class EnumMap(Generic[E, V]):
    """A canonical enum and its proto twin, related by the ``<PREFIX>_<NAME>`` rule."""

    def __init__(
        self, canonical: type[E], proto: _EnumTypeWrapper[V], prefix: str, default: E | None
    ) -> None:
        self.canonical = canonical
        self.proto = proto
        self.prefix = prefix
        self.default = default

    def to_proto(self, value: E) -> V:
        return self.proto.Value(f"{self.prefix}_{value.name}")

    def from_proto(self, number: int, field: str) -> E:
        """The canonical member; the default for UNSPECIFIED; ``BadUserInput`` otherwise."""
        known = self.proto.DESCRIPTOR.values_by_number.get(number)
        member = "" if known is None else known.name.removeprefix(f"{self.prefix}_")
        if member == "UNSPECIFIED" and self.default is not None:
            return self.default
        try:
            return self.canonical[member]
        except KeyError:
            raise BadUserInput(f"{field} has no value {number}.", field=field) from None


REPORT_CONTEXT: Final = EnumMap(
    models.ReportContext, pb.ReportContext, "REPORT_CONTEXT", models.ReportContext.TRAVELER
)
REPORT_VIEW: Final = EnumMap(
    models.ReportView, pb.ReportView, "REPORT_VIEW", models.ReportView.RECENT
)
PROTOCOL: Final = EnumMap(models.Protocol, pb.Protocol, "PROTOCOL", models.Protocol.V4)
ACTION_KIND: Final = EnumMap(
    models.WorkflowActionKind, pb.WorkflowActionKind, "WORKFLOW_ACTION_KIND", None
)
ALLOCATION: Final = EnumMap(models.Allocation, pb.Allocation, "ALLOCATION", None)
TOKEN_KIND: Final = EnumMap(models.TokenKind, pb.TokenKind, "TOKEN_KIND", None)
ACTION_OUTCOME: Final = EnumMap(AuditOutcome, pb.ActionOutcome, "ACTION_OUTCOME", None)
ENUM_MAPS: Final[tuple[EnumMap[Any, Any], ...]] = (
    REPORT_CONTEXT,
    REPORT_VIEW,
    PROTOCOL,
    ACTION_KIND,
    ALLOCATION,
    TOKEN_KIND,
    ACTION_OUTCOME,
)

EVENT_TYPES: Final[Mapping[str, pb.ReportEventType.ValueType]] = MappingProxyType(
    {
        "reportCreated": pb.REPORT_EVENT_TYPE_REPORT_CREATED,
        "reportUpdated": pb.REPORT_EVENT_TYPE_REPORT_UPDATED,
        "reportDeleted": pb.REPORT_EVENT_TYPE_REPORT_DELETED,
        "statusChanged": pb.REPORT_EVENT_TYPE_STATUS_CHANGED,
    }
)
"""Concur's ESS event type -> the proto enum value."""
_EVENT_NAMES: Final[Mapping[int, str]] = MappingProxyType(
    {number: name for name, number in EVENT_TYPES.items()}
)


# --- models -> messages ------------------------------------------------------------------


def timestamp(value: datetime | None) -> Timestamp | None:
    """An instant; a naive one is UTC (as Concur's are)."""
    if value is None:
        return None
    message = Timestamp()
    message.FromDatetime(value)
    return message


def calendar_date(value: date | None) -> Date | None:
    if value is None:
        return None
    return Date(year=value.year, month=value.month, day=value.day)


def amount(model: models.Amount | None) -> pb.Amount | None:
    if model is None:
        return None
    return pb.Amount(value=plain(model.value), currency_code=model.currency_code)


def status(model: models.Status) -> pb.Status:
    return _BY_NAME(pb.Status, model)


def custom_field(model: models.CustomField) -> pb.CustomField:
    """A custom field: the message calls its id ``name``."""
    return _BY_NAME(pb.CustomField, model, name=model.id)


def expense_type(model: models.ExpenseType) -> pb.ExpenseType:
    return _BY_NAME(pb.ExpenseType, model)


def payment_type(model: models.PaymentType) -> pb.PaymentType:
    return _BY_NAME(pb.PaymentType, model)


def itemization(model: models.Itemization) -> pb.Itemization:
    return _BY_NAME(pb.Itemization, model)


def cost_object_expense(model: models.CostObjectExpense) -> pb.CostObjectExpense:
    return _BY_NAME(pb.CostObjectExpense, model)


def workflow_step(model: models.WorkflowStep) -> pb.WorkflowStep:
    return _BY_NAME(pb.WorkflowStep, model)


_BY_NAME: Final = Filler(
    {
        Timestamp.DESCRIPTOR.full_name: timestamp,
        Date.DESCRIPTOR.full_name: calendar_date,
        pb.Amount.DESCRIPTOR.full_name: amount,
        pb.Status.DESCRIPTOR.full_name: status,
        pb.CustomField.DESCRIPTOR.full_name: custom_field,
        pb.ExpenseType.DESCRIPTOR.full_name: expense_type,
        pb.PaymentType.DESCRIPTOR.full_name: payment_type,
        pb.Itemization.DESCRIPTOR.full_name: itemization,
        pb.CostObjectExpense.DESCRIPTOR.full_name: cost_object_expense,
        **{m.proto.DESCRIPTOR.full_name: m.to_proto for m in ENUM_MAPS},
    }
)
"""Message fields named alike in the canonical model, filled by their proto type."""


def entry(model: models.Entry) -> pb.Entry:
    """An expense entry; its exchange rate is positional text, as amounts are."""
    rate = model.exchange_rate
    return _BY_NAME(pb.Entry, model, exchange_rate=None if rate is None else plain(rate))


def cost_object(model: models.CostObject) -> pb.CostObject:
    return _BY_NAME(pb.CostObject, model)


def report(
    model: models.Report,
    *,
    entries: Iterable[models.Entry] = (),
    cost_objects: Iterable[models.CostObject] = (),
    workflow: models.WorkflowStep | None = None,
    available_actions: Iterable[models.WorkflowActionKind] = (),
) -> pb.Report:
    """A report header, with whichever of its costly parts were read."""
    return _BY_NAME(
        pb.Report,
        model,
        owner=owner(model.owner_id),
        entries=[entry(e) for e in entries],
        cost_objects=[cost_object(c) for c in cost_objects],
        workflow=None if workflow is None else workflow_step(workflow),
        available_actions=[ACTION_KIND.to_proto(a) for a in available_actions],
    )


def user_error(problem: Problem) -> pb.UserError:
    return _BY_NAME(pb.UserError, problem)


def owner(user_id: str | None) -> pb.User | None:
    """A report's owner: always a user (as the graph's ``User.owner``)."""
    if user_id is None:
        return None
    return pb.User(id=user_id, kind=TOKEN_KIND.to_proto(models.TokenKind.USER))


def report_event(model: models.ReportEvent) -> pb.ReportEvent:
    """The graph's ``ReportEvent``: the workflow facts flattened, set for statusChanged."""
    facts = model.facts
    return pb.ReportEvent(
        id=model.id,
        event_type=EVENT_TYPES.get(model.event_type, pb.REPORT_EVENT_TYPE_UNSPECIFIED),
        report_id=model.report_id,
        occurred_at=timestamp(model.occurred_at),
        owner=owner(model.owner_id),
        correlation_id=model.correlation_id,
        approval_status=None if facts is None else facts.current_approval_status,
        payment_status=None if facts is None else facts.current_payment_status,
        step_code=None if facts is None else facts.step_code,
        role_code=None if facts is None else facts.role_code,
        process_id=None if facts is None else facts.process_id,
        assignees=[]
        if facts is None
        else [i.assigned_user_id for i in facts.step_instances if i.assigned_user_id],
    )


# --- requests -> operations --------------------------------------------------------------


def required(value: str, field: str) -> str:
    """A required string field: proto3 cannot tell an unset one from an empty one."""
    if not value.strip():
        raise BadUserInput(f"{field} is required.", field=field)
    return value


def event_types(numbers: Iterable[int]) -> frozenset[str] | None:
    """The ESS event types asked for; None (every type) when none are named."""
    names: set[str] = set()
    for number in numbers:
        name = _EVENT_NAMES.get(number)
        if name is None:
            raise BadUserInput(f"eventTypes has no value {number}.", field="eventTypes")
        names.add(name)
    return frozenset(names) or None


def approve_request(message: service_pb2.ApproveReportRequest) -> ActionRequest:
    return ActionRequest(
        kind=models.WorkflowActionKind.APPROVE,
        report_id=required(message.report_id, "reportId"),
        expected_status=(message.expected_status if message.HasField("expected_status") else None),
        expected_step_code=(
            message.expected_step_code if message.HasField("expected_step_code") else None
        ),
        expected_step_sequence=(
            message.expected_step_sequence if message.HasField("expected_step_sequence") else None
        ),
        comment=message.comment if message.HasField("comment") else None,
        expense_rejected_comment=(
            message.expense_rejected_comment
            if message.HasField("expense_rejected_comment")
            else None
        ),
        protocol=PROTOCOL.from_proto(message.protocol, "protocol"),
        idempotency_key=(message.idempotency_key if message.HasField("idempotency_key") else None),
    )


def send_back_request(message: service_pb2.SendBackReportRequest) -> ActionRequest:
    return ActionRequest(
        kind=models.WorkflowActionKind.SEND_BACK,
        report_id=required(message.report_id, "reportId"),
        comment=message.comment or None,
        expected_status=(message.expected_status if message.HasField("expected_status") else None),
        expected_step_code=(
            message.expected_step_code if message.HasField("expected_step_code") else None
        ),
        expected_step_sequence=(
            message.expected_step_sequence if message.HasField("expected_step_sequence") else None
        ),
        protocol=PROTOCOL.from_proto(message.protocol, "protocol"),
        idempotency_key=(message.idempotency_key if message.HasField("idempotency_key") else None),
    )


def recall_request(message: service_pb2.RecallReportRequest) -> ActionRequest:
    return ActionRequest(
        kind=models.WorkflowActionKind.RECALL,
        report_id=required(message.report_id, "reportId"),
        expected_status=message.expected_status,
        idempotency_key=(message.idempotency_key if message.HasField("idempotency_key") else None),
    )


def submit_request(message: service_pb2.SubmitReportRequest) -> ActionRequest:
    return ActionRequest(
        kind=models.WorkflowActionKind.SUBMIT,
        report_id=required(message.report_id, "reportId"),
        expected_status=message.expected_status,
        idempotency_key=(message.idempotency_key if message.HasField("idempotency_key") else None),
    )


__all__ = [
    "ACTION_KIND",
    "ACTION_OUTCOME",
    "ALLOCATION",
    "ENUM_MAPS",
    "EVENT_TYPES",
    "PROTOCOL",
    "REPORT_CONTEXT",
    "REPORT_VIEW",
    "TOKEN_KIND",
    "EnumMap",
    "amount",
    "approve_request",
    "calendar_date",
    "cost_object",
    "entry",
    "event_types",
    "owner",
    "recall_request",
    "report",
    "report_event",
    "required",
    "send_back_request",
    "status",
    "submit_request",
    "timestamp",
    "user_error",
    "workflow_step",
]
