"""The ESS envelope (``adapters.ess.parse_event``) on the documented samples."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from adapters.errors import BadUserInput
from adapters.ess import parse_event

STATUS_CHANGED: dict[str, Any] = {
    "id": "3eabdcbf-07df-4acd-99de-7f5aef0f673d",
    "correlationId": "7e38939d-62f1-4bb4-9eef-5ea71fcbb1d8",
    "route": "stable",
    "eventType": "statusChanged",
    "topic": "public.concur.expense.report",
    "timeStamp": "2021-03-19T00:37:39.550Z",
    "subtopic": "CB899F7D9F73420A8D8B",
    "facts": {
        "currentApprovalStatus": "A_PECO",
        "reportId": "CB899F7D9F73420A8D8B",
        "stepCode": "CO_STEP",
        "lastModifiedDate": "2023-04-10T15:55:17.962Z",
        "userId": "45afdc31-0593-4e95-ba75-b094e9326b6d",
        "reportType": "Statement",
        "previousPaymentStatus": "P_NOTP",
        "companyId": "12fc85ee-6f43-4d85-ba0d-94e844849dc1",
        "processId": "0211A2F15CD6354C8552FB9D7D83B331",
        "currentPaymentStatus": "P_NOTP",
        "startingStep": {
            "roleCode": "CO_APPROVER",
            "stepInstances": [
                {
                    "id": "6D22160A844E4E4EBF8D0B4CD1CF4E5F",
                    "assignedUserId": "42d248f3-cc43-464b-8685-09e584835f25",
                },
                {"id": "3DE6845BA15ACC41A7DE3F90D94291AD", "assignedUserId": None},
            ],
        },
        "previousApprovalStatus": "A_PEND",
        "actingUserId": None,
        "href": "https://us.api.concursolutions.com/expensereports/v4/users/"
        "F2D07D5F-7A6F-44FA-98C7-C4B405BD6CA3/context/TRAVELER/reports/CB899F7D9F73420A8D8B",
        "somethingNew": {"Concur": "adds fields without notice"},
    },
}

REPORT_CREATED: dict[str, Any] = {
    "id": "86a38080-a73e-4474-a224-3618e47bd299",
    "correlationId": "7e38939d-33616-69ae-afc3-eadb1f40a114",
    "route": "stable",
    "eventType": "reportCreated",
    "topic": "public.concur.expense.report",
    "timeStamp": "2025-03-07T22:25:49.866Z",
    "subtopic": "1955b7ee-cd77-4f56-92fc-0aa40d776dc5",
    "facts": {
        "reportType": "Regular",
        "companyId": "1955b7ee-cd77-4f56-92fc-0aa40d776dc5",
        "reportId": "4E6593CB987D459C88FA",
        "lastModifiedDate": "2025-03-07T22:25:49.866Z",
        "actingUserId": None,
        "userId": "e496ce0f-2442-4923-ba4d-74f3d2529fdf",
    },
}


def test_status_changed_carries_the_workflow_facts() -> None:
    event = parse_event(orjson.dumps(STATUS_CHANGED))
    assert event.event_type == "statusChanged"
    assert event.report_id == "CB899F7D9F73420A8D8B"
    assert event.occurred_at == datetime(2021, 3, 19, 0, 37, 39, 550_000, tzinfo=UTC)
    assert event.owner_id == "f2d07d5f-7a6f-44fa-98c7-c4b405bd6ca3"  # from href, not userId
    facts = event.facts
    assert facts is not None
    assert (facts.step_code, facts.role_code) == ("CO_STEP", "CO_APPROVER")
    assert facts.current_approval_status == "A_PECO"
    assert facts.process_id == "0211A2F15CD6354C8552FB9D7D83B331"
    assert [i.assigned_user_id for i in facts.step_instances] == [
        "42d248f3-cc43-464b-8685-09e584835f25",
        None,
    ]
    assert facts.last_modified == datetime(2023, 4, 10, 15, 55, 17, 962_000, tzinfo=UTC)


def test_report_events_name_the_owner_without_an_href() -> None:
    event = parse_event(orjson.dumps(REPORT_CREATED))
    assert event.report_id == "4E6593CB987D459C88FA"  # facts.reportId, not the subtopic
    assert event.owner_id == "e496ce0f-2442-4923-ba4d-74f3d2529fdf"
    assert event.facts is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'"a string"',
        orjson.dumps({**REPORT_CREATED, "eventType": "paymentStatusChanged"}),
        orjson.dumps({**REPORT_CREATED, "topic": "public.concur.financialintegration"}),
        orjson.dumps({k: v for k, v in REPORT_CREATED.items() if k != "timeStamp"}),
        orjson.dumps({**REPORT_CREATED, "id": "../../etc"}),
        orjson.dumps({**REPORT_CREATED, "facts": {}, "subtopic": None}),
        orjson.dumps({**REPORT_CREATED, "facts": {"reportId": "a b"}}),
    ],
)
def test_what_cannot_be_used_is_refused(body: bytes) -> None:
    with pytest.raises(BadUserInput):
        parse_event(body)
