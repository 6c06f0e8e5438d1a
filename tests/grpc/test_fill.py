"""Messages filled from canonical models by field name: every field, exactly as written by
hand before, and the filler's own rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from google.type.date_pb2 import Date

from adapters import models
from gateway.grpc import audit, convert
from gateway.grpc.fill import Filler
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from resolvers.operations.audit import AuditKind, AuditOutcome, AuditRecord
from resolvers.operations.outcome import Problem

MOMENT = datetime(2025, 5, 26, 18, 0, 1, 500000, tzinfo=UTC)
DAY = date(2025, 5, 20)


def usd(value: str) -> models.Amount:
    return models.Amount(value=Decimal(value), currency_code="USD")


def pb_usd(value: str) -> pb.Amount:
    return pb.Amount(value=value, currency_code="USD")


def stamp() -> Timestamp:
    message = Timestamp()
    message.FromDatetime(MOMENT)
    return message


PB_DAY = Date(year=2025, month=5, day=20)
STATUS = models.Status(code="A_PEND", name="Pending")
PB_STATUS = pb.Status(code="A_PEND", name="Pending")
FIELD = models.CustomField(id="custom1", value="Blue", code="B", is_valid=False)
PB_FIELD = pb.CustomField(name="custom1", value="Blue", code="B", is_valid=False)
TYPE = models.ExpenseType(key="LODNG", name="Hotel")
PB_TYPE = pb.ExpenseType(key="LODNG", name="Hotel")

ITEM = models.Itemization(
    id="I1",
    expense_type=TYPE,
    transaction_date=DAY,
    transaction_amount=usd("100"),
    posted_amount=usd("100"),
    approved_amount=usd("90"),
    business_purpose="Night",
    is_personal=True,
    last_modified=MOMENT,
)
PB_ITEM = pb.Itemization(
    id="I1",
    expense_type=PB_TYPE,
    transaction_date=PB_DAY,
    transaction_amount=pb_usd("100.00000000"),
    posted_amount=pb_usd("100.00000000"),
    approved_amount=pb_usd("90.00000000"),
    business_purpose="Night",
    is_personal=True,
    last_modified=stamp(),
)

ENTRY = models.Entry(
    id="E1",
    report_id="R1",
    expense_type=TYPE,
    spend_category="LODGING",
    transaction_date=DAY,
    transaction_amount=usd("100"),
    posted_amount=usd("100"),
    approved_amount=usd("0E-8"),
    exchange_rate=Decimal("1.5"),
    vendor="Inn",
    location="Lyon",
    payment_type=models.PaymentType(key="CASH", name="Cash"),
    business_purpose="Stay",
    is_personal=True,
    is_itemized=True,
    has_attendees=True,
    has_comments=True,
    has_exceptions=True,
    has_vat=True,
    receipt_required=True,
    image_required=True,
    is_credit_card_charge=True,
    is_personal_card_charge=True,
    receipt_image_id="IMG1",
    allocation=models.Allocation.PARTIAL,
    custom_fields=[FIELD],
    org_units=[FIELD, FIELD],
    itemizations=[ITEM],
    last_modified=MOMENT,
)
PB_ENTRY = pb.Entry(
    id="E1",
    report_id="R1",
    expense_type=PB_TYPE,
    spend_category="LODGING",
    transaction_date=PB_DAY,
    transaction_amount=pb_usd("100.00000000"),
    posted_amount=pb_usd("100.00000000"),
    approved_amount=pb_usd("0.00000000"),
    exchange_rate="1.50000000000000",
    vendor="Inn",
    location="Lyon",
    payment_type=pb.PaymentType(key="CASH", name="Cash"),
    business_purpose="Stay",
    is_personal=True,
    is_itemized=True,
    has_attendees=True,
    has_comments=True,
    has_exceptions=True,
    has_vat=True,
    receipt_required=True,
    image_required=True,
    is_credit_card_charge=True,
    is_personal_card_charge=True,
    receipt_image_id="IMG1",
    allocation=pb.ALLOCATION_PARTIAL,
    custom_fields=[PB_FIELD],
    org_units=[PB_FIELD, PB_FIELD],
    itemizations=[PB_ITEM],
    last_modified=stamp(),
)


def test_a_full_entry_fills_every_field() -> None:
    message = convert.entry(ENTRY)
    assert message == PB_ENTRY
    assert message.SerializeToString() == PB_ENTRY.SerializeToString()


def test_a_full_report_fills_every_field() -> None:
    model = models.Report(
        id="R1",
        name="May",
        business_purpose="Visit",
        report_number="N1",
        report_date=DAY,
        creation_date=MOMENT,
        submit_date=MOMENT,
        currency_code="USD",
        total=usd("525"),
        claimed=usd("525.5"),
        approved=usd("500"),
        amount_due_employee=usd("0E-8"),
        amount_due_company_card=usd("25"),
        personal=usd("-1"),
        approval_status=STATUS,
        payment_status=models.Status(code="P_NOTP", name="Not Paid"),
        owner_id="u1",
        policy="Standard",
        policy_id="P1",
        custom_data=[FIELD],
        can_recall=True,
        version=3,
    )
    expected = pb.Report(
        id="R1",
        name="May",
        business_purpose="Visit",
        report_number="N1",
        report_date=PB_DAY,
        creation_date=stamp(),
        submit_date=stamp(),
        currency_code="USD",
        total=pb_usd("525.00000000"),
        claimed=pb_usd("525.50000000"),
        approved=pb_usd("500.00000000"),
        amount_due_employee=pb_usd("0.00000000"),
        amount_due_company_card=pb_usd("25.00000000"),
        personal=pb_usd("-1.00000000"),
        approval_status=PB_STATUS,
        payment_status=pb.Status(code="P_NOTP", name="Not Paid"),
        owner=pb.User(id="u1", kind=pb.TOKEN_KIND_USER),
        policy="Standard",
        policy_id="P1",
        custom_data=[PB_FIELD],
        can_recall=True,
        version=3,
        entries=[PB_ENTRY],
        workflow=pb.WorkflowStep(approval_status=PB_STATUS, sequence=0, assignees=["u2"]),
        available_actions=[pb.WORKFLOW_ACTION_KIND_APPROVE],
    )
    message = convert.report(
        model,
        entries=[ENTRY],
        workflow=models.WorkflowStep(approval_status=STATUS, sequence=0, assignees=["u2"]),
        available_actions=[models.WorkflowActionKind.APPROVE],
    )
    assert message == expected
    assert message.SerializeToString() == expected.SerializeToString()


def test_none_is_unset_and_zero_values_are_kept() -> None:
    entry = convert.entry(models.Entry(id="E1", report_id="R1", expense_type=TYPE))
    assert not entry.HasField("exchange_rate")
    assert not entry.HasField("payment_type")
    assert not entry.HasField("vendor")
    item = convert.itemization(models.Itemization(id="I1"))
    assert not item.HasField("expense_type")
    report = convert.report(
        models.Report(id="R1", approval_status=STATUS, payment_status=STATUS, version=0)
    )
    assert report.HasField("version")
    assert report.version == 0


def test_a_message_field_with_no_converter_must_be_given() -> None:
    fill = Filler({})
    step = models.WorkflowStep(approval_status=STATUS, step_code="S1")
    with pytest.raises(TypeError, match="approval_status"):
        fill(pb.WorkflowStep, step)
    message = fill(pb.WorkflowStep, step, approval_status=PB_STATUS)
    assert message == pb.WorkflowStep(approval_status=PB_STATUS, step_code="S1")
    assert not message.HasField("last_transition_at")  # None needs no converter


def every_field_set(message: Message) -> bool:
    """Each field of the message holds a value: none was dropped on the way."""
    return {f.name for f, _ in message.ListFields()} == {f.name for f in message.DESCRIPTOR.fields}


def test_a_full_cost_object_fills_every_field() -> None:
    model = models.CostObject(
        name="Project X",
        approved_amount=usd("90"),
        claimed_amount=usd("100.5"),
        approver_id="u2",
        expenses=[
            models.CostObjectExpense(id="E1", approved_amount=usd("90"), posted_amount=usd("0E-8")),
            models.CostObjectExpense(id="E2"),
        ],
        is_owned_by_caller=True,
        is_fully_approved=True,
        is_approvable_as_user=True,
        is_approvable_as_delegate=True,
    )
    expected = pb.CostObject(
        name="Project X",
        approved_amount=pb_usd("90.00000000"),
        claimed_amount=pb_usd("100.50000000"),
        approver_id="u2",
        expenses=[
            pb.CostObjectExpense(
                id="E1",
                approved_amount=pb_usd("90.00000000"),
                posted_amount=pb_usd("0.00000000"),
            ),
            pb.CostObjectExpense(id="E2"),
        ],
        is_owned_by_caller=True,
        is_fully_approved=True,
        is_approvable_as_user=True,
        is_approvable_as_delegate=True,
    )
    message = convert.cost_object(model)
    assert message == expected
    assert message.SerializeToString() == expected.SerializeToString()
    assert every_field_set(message)
    assert every_field_set(message.expenses[0])
    assert not message.expenses[1].HasField("approved_amount")
    assert not message.expenses[1].HasField("posted_amount")


def test_a_full_workflow_step_fills_every_field() -> None:
    model = models.WorkflowStep(
        approval_status=STATUS,
        step_code="APPROVAL",
        role_code="MANAGER",
        process_id="P1",
        sequence=2,
        assignees=["u2", "u3"],
        has_action_url=True,
        last_transition_at=MOMENT,
    )
    expected = pb.WorkflowStep(
        approval_status=PB_STATUS,
        step_code="APPROVAL",
        role_code="MANAGER",
        process_id="P1",
        sequence=2,
        assignees=["u2", "u3"],
        has_action_url=True,
        last_transition_at=stamp(),
    )
    message = convert.workflow_step(model)
    assert message == expected
    assert message.SerializeToString() == expected.SerializeToString()
    assert every_field_set(message)
    bare = convert.workflow_step(models.WorkflowStep(approval_status=STATUS))
    assert bare == pb.WorkflowStep(approval_status=PB_STATUS)
    assert not bare.HasField("sequence")
    assert not bare.HasField("last_transition_at")


def test_small_messages_fill_every_field() -> None:
    assert convert.status(STATUS) == PB_STATUS
    assert convert.custom_field(FIELD) == PB_FIELD
    assert convert.expense_type(TYPE) == PB_TYPE
    assert convert.payment_type(models.PaymentType(key="CASH")) == pb.PaymentType(key="CASH")
    problem = Problem(code="WORKFLOW_STEP_MISMATCH", message="Moved on.", field="reportId")
    error = convert.user_error(problem)
    assert error == pb.UserError(
        code="WORKFLOW_STEP_MISMATCH", message="Moved on.", field="reportId"
    )
    assert every_field_set(error)
    assert not convert.user_error(Problem(code="C", message="m")).HasField("field")


def test_a_full_audit_record_fills_every_field() -> None:
    model = AuditRecord(
        id=7,
        kind=AuditKind.OUTCOME,
        recorded_at=MOMENT,
        action="APPROVE",
        report_id="R1",
        user_id="u2",
        caller_kind="USER",
        context="MANAGER",
        protocol="V4",
        expected_status="A_PEND",
        expected_step_code="APPROVAL",
        expected_step_sequence=0,
        concur_status="A_PEND",
        idempotency_key="k1",
        correlation_id="c1",
        trace_id="t1",
        outcome=AuditOutcome.REFUSED,
        code="WORKFLOW_STEP_MISMATCH",
        message="Moved on.",
        intent_id=6,
        prev_hash="p",
        hash="h",
    )
    expected = pb.AuditRecord(
        id=7,
        kind=pb.AUDIT_RECORD_KIND_OUTCOME,
        recorded_at=stamp(),
        action="APPROVE",
        report_id="R1",
        user_id="u2",
        caller_kind="USER",
        context="MANAGER",
        protocol="V4",
        expected_status="A_PEND",
        expected_step_code="APPROVAL",
        expected_step_sequence=0,
        concur_status="A_PEND",
        idempotency_key="k1",
        correlation_id="c1",
        trace_id="t1",
        outcome=pb.ACTION_OUTCOME_REFUSED,
        code="WORKFLOW_STEP_MISMATCH",
        message="Moved on.",
        intent_id=6,
        prev_hash="p",
        hash="h",
    )
    message = audit.record(model)
    assert message == expected
    assert message.SerializeToString() == expected.SerializeToString()
    assert every_field_set(message)
    intent = audit.record(model.model_copy(update={"outcome": None, "intent_id": None}))
    assert intent.outcome == pb.ACTION_OUTCOME_UNSPECIFIED
    assert not intent.HasField("intent_id")
