"""Every read RPC against the sandbox, and the same answers the graph gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from tests.gateway.harness import MANAGER, TRAVELER, TRAVELER2, pick_report
from tests.grpc.harness import GrpcGateway, auth

DETAILS_ROUTE = "GET /api/expense/expensereport/v1.1/{_details}/{rpt_key}"
"""v1.1 full details: a plain caller's details (v2.0 is for administrators)."""
EVERYTHING = service_pb2.ReportInclude(
    entries=True, cost_objects=True, workflow=True, available_actions=True
)


async def graph(gw: GrpcGateway, query: str, token: str, **variables: Any) -> Any:
    status, body = await gw.http.gql(query, variables or None, token)
    assert status == 200, body
    assert "errors" not in body, body
    return body["data"]


async def test_get_report_reads_the_header_and_nothing_else(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    report_id = pick_report(gw.sandbox, "A_PEND")
    report = await gw.stub.GetReport(
        service_pb2.GetReportRequest(report_id=report_id), metadata=auth(token)
    )
    data = await graph(
        gw,
        "query($id: ID!) { report(id: $id) { id name reportNumber currencyCode reportDate "
        "total { value currencyCode } personal { value } approvalStatus { code name } "
        "paymentStatus { code } owner { id } canRecall version policyId "
        "customData { name value } } }",
        token,
        id=report_id,
    )
    expected = data["report"]
    assert report.id == expected["id"] == report_id
    assert report.name == expected["name"]
    assert report.report_number == expected["reportNumber"]
    assert report.currency_code == expected["currencyCode"]
    year, month, day = (int(p) for p in expected["reportDate"].split("-"))
    assert (report.report_date.year, report.report_date.month, report.report_date.day) == (
        year,
        month,
        day,
    )
    assert report.total.value == expected["total"]["value"]  # the same exact string
    assert Decimal(report.total.value) == gw.sandbox.store.reports[report_id].total
    assert report.personal.value == expected["personal"]["value"]
    assert report.approval_status.code == expected["approvalStatus"]["code"] == "A_PEND"
    assert report.approval_status.name == expected["approvalStatus"]["name"]
    assert report.owner.id == expected["owner"]["id"]
    assert report.owner.kind == pb.TOKEN_KIND_USER
    assert report.can_recall is expected["canRecall"]
    assert report.version == expected["version"]
    assert [(f.name, f.value) for f in report.custom_data] == [
        (f["name"], f["value"]) for f in expected["customData"]
    ]
    assert not report.entries
    assert not report.HasField("workflow")


async def test_included_parts_share_one_details_read(gw: GrpcGateway) -> None:
    report_id = pick_report(gw.sandbox, "A_PECO", with_cost_objects=True)
    stored = gw.sandbox.store.reports[report_id]
    token = await gw.token(MANAGER)
    report = await gw.stub.GetReport(
        service_pb2.GetReportRequest(
            report_id=report_id, context=pb.REPORT_CONTEXT_MANAGER, include=EVERYTHING
        ),
        metadata=auth(token),
    )
    assert len(report.entries) == len(stored.entries)
    assert {c.name for c in report.cost_objects} == {c.name for c in stored.cost_objects}
    assert report.workflow.approval_status.code == "A_PECO"
    assert list(report.available_actions) == [
        pb.WORKFLOW_ACTION_KIND_APPROVE,
        pb.WORKFLOW_ACTION_KIND_SEND_BACK,
    ]
    calls = await gw.upstream_calls()
    assert calls[DETAILS_ROUTE] == 1  # entries, workflow and actions share one read
    # header, the TOAPPROVE list that names the manager's key, details, cost objects
    assert sum(calls.values()) == 4


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "malformed_json"},
        {"kind": "status", "status": 500},
        {"kind": "rate_limit", "retry_after": 600},
    ],
    ids=["malformed_json", "status_500", "rate_limit"],
)
async def test_a_failed_cost_object_read_costs_that_part_only(
    gw: GrpcGateway, rule: dict[str, Any]
) -> None:
    report_id = pick_report(gw.sandbox, "A_PECO", with_cost_objects=True)
    token = await gw.token(MANAGER)
    status, body = await gw.sandbox.admin(
        "POST",
        "/_sandbox/faults",
        json={"method": "GET", "path": "/costObjectsForApprover", **rule},
    )
    assert status in (200, 201), body
    report = await gw.stub.GetReport(
        service_pb2.GetReportRequest(
            report_id=report_id, context=pb.REPORT_CONTEXT_MANAGER, include=EVERYTHING
        ),
        metadata=auth(token),
    )
    assert report.id == report_id
    assert report.name == gw.sandbox.store.reports[report_id].name
    assert report.entries
    assert report.HasField("workflow")
    assert list(report.cost_objects) == []
    assert [error.part for error in report.part_errors] == ["cost_objects"]


async def test_amounts_come_in_one_normal_form(gw: GrpcGateway) -> None:
    report_id = pick_report(gw.sandbox, "A_PECO", with_cost_objects=True)
    token = await gw.token(MANAGER)
    report = await gw.stub.GetReport(
        service_pb2.GetReportRequest(
            report_id=report_id, context=pb.REPORT_CONTEXT_MANAGER, include=EVERYTHING
        ),
        metadata=auth(token),
    )
    money = [report.total.value] + [
        amount.value
        for entry in report.entries
        for amount in (entry.transaction_amount, entry.posted_amount, entry.approved_amount)
    ]
    money += [c.approved_amount.value for c in report.cost_objects]
    assert all("E" not in value.upper() for value in money), money
    assert {len(value.partition(".")[2]) for value in money} == {8}
    assert {len(e.exchange_rate.partition(".")[2]) for e in report.entries} == {14}


@pytest.mark.parametrize(
    ("view", "name"),
    [
        (pb.REPORT_VIEW_UNSPECIFIED, "RECENT"),
        (pb.REPORT_VIEW_ACTIVE, "ACTIVE"),
        (pb.REPORT_VIEW_UNSUBMITTED, "UNSUBMITTED"),
        (pb.REPORT_VIEW_PENDING, "PENDING"),
        (pb.REPORT_VIEW_APPROVED, "APPROVED"),
    ],
)
async def test_list_reports_matches_the_graph(
    gw: GrpcGateway, view: pb.ReportView.ValueType, name: str
) -> None:
    token = await gw.token(TRAVELER)
    response = await gw.stub.ListReports(
        service_pb2.ListReportsRequest(view=view), metadata=auth(token)
    )
    data = await graph(gw, f"{{ reports(view: {name}) {{ id approvalStatus {{ code }} }} }}", token)
    assert [(r.id, r.approval_status.code) for r in response.reports] == [
        (r["id"], r["approvalStatus"]["code"]) for r in data["reports"]
    ]


async def test_the_approval_queue_matches_the_graph(gw: GrpcGateway) -> None:
    token = await gw.token(MANAGER)
    response = await gw.stub.ListReportsToApprove(
        service_pb2.ListReportsToApproveRequest(
            include=service_pb2.ReportInclude(available_actions=True)
        ),
        metadata=auth(token),
    )
    data = await graph(gw, "{ reportsToApprove { id } reports(view: TOAPPROVE) { id } }", token)
    assert response.reports
    assert [r.id for r in response.reports] == [r["id"] for r in data["reportsToApprove"]]
    assert all(
        list(r.available_actions)
        == [pb.WORKFLOW_ACTION_KIND_APPROVE, pb.WORKFLOW_ACTION_KIND_SEND_BACK]
        for r in response.reports
    )
    listed = await gw.stub.ListReports(
        service_pb2.ListReportsRequest(view=pb.REPORT_VIEW_TOAPPROVE), metadata=auth(token)
    )
    assert {r.id for r in listed.reports} == {r["id"] for r in data["reports"]}


async def test_get_entry_matches_the_graph(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    report_id = pick_report(gw.sandbox, "A_PEND")
    report = await gw.stub.GetReport(
        service_pb2.GetReportRequest(
            report_id=report_id, include=service_pb2.ReportInclude(entries=True)
        ),
        metadata=auth(token),
    )
    entry_id = report.entries[0].id
    entry = await gw.stub.GetEntry(
        service_pb2.GetEntryRequest(report_id=report_id, entry_id=entry_id), metadata=auth(token)
    )
    data = await graph(
        gw,
        "query($r: ID!, $e: ID!) { entry(reportId: $r, id: $e) { id reportId "
        "expenseType { key } transactionAmount { value currencyCode } exchangeRate vendor "
        "transactionDate allocation } }",
        token,
        r=report_id,
        e=entry_id,
    )
    expected = data["entry"]
    assert (entry.id, entry.report_id) == (expected["id"], expected["reportId"])
    assert entry.expense_type.key == expected["expenseType"]["key"]
    assert entry.transaction_amount.value == expected["transactionAmount"]["value"]
    assert entry.exchange_rate == expected["exchangeRate"]
    assert entry.vendor == expected["vendor"]
    assert pb.Allocation.Name(entry.allocation) == f"ALLOCATION_{expected['allocation']}"
    date = entry.transaction_date
    assert f"{date.year:04d}-{date.month:02d}-{date.day:02d}" == expected["transactionDate"]


async def test_list_cost_objects(gw: GrpcGateway) -> None:
    report_id = pick_report(gw.sandbox, "A_PECO", with_cost_objects=True)
    stored = gw.sandbox.store.reports[report_id]
    manager = await gw.token(MANAGER)
    response = await gw.stub.ListCostObjects(
        service_pb2.ListCostObjectsRequest(report_id=report_id), metadata=auth(manager)
    )
    assert {c.name for c in response.cost_objects} == {c.name for c in stored.cost_objects}
    for cost_object in response.cost_objects:
        Decimal(cost_object.approved_amount.value)  # exact decimal strings
        assert cost_object.approver_id
    stranger = await gw.token(TRAVELER2)
    response = await gw.stub.ListCostObjects(  # Concur's 403 means "none" for this read
        service_pb2.ListCostObjectsRequest(report_id=report_id), metadata=auth(stranger)
    )
    assert list(response.cost_objects) == []
