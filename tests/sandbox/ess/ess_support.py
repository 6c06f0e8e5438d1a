"""Helpers for the ESS tests: the management and admin APIs over HTTP, report actions."""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.records import SandboxEntry, SandboxEvent, SandboxReport
from sandbox.workflow_terms import Actor, money
from tests.support.sandbox import DEMO, SandboxHarness

TOPIC = "public.concur.expense.report"
SUBSCRIPTIONS = "/events/v4/subscriptions"
ESS_ADMIN = "/_sandbox/ess"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
REPORT_FACTS = {
    "companyId",
    "userId",
    "actingUserId",
    "reportId",
    "reportType",
    "lastModifiedDate",
    "href",
}
STATUS_FACTS = REPORT_FACTS | {
    "previousApprovalStatus",
    "currentApprovalStatus",
    "previousPaymentStatus",
    "currentPaymentStatus",
    "stepCode",
    "processId",
    "startingStep",
}


class Ess:
    """The sandbox ESS as a subscriber (app token) and as a test (admin token) sees it."""

    def __init__(self, sandbox: SandboxHarness, app_token: str) -> None:
        self.sandbox = sandbox
        self.app_token = app_token

    async def call(
        self, method: str, path: str, *, token: str | None = None, json: Any = None
    ) -> tuple[int, Any]:
        """A management call with the app token (or ``token``); (status, JSON body)."""
        headers = {"Authorization": f"Bearer {token or self.app_token}"}
        async with self.sandbox.session.request(
            method, f"{self.sandbox.base_url}{path}", headers=headers, json=json
        ) as resp:
            return resp.status, await resp.json()

    async def subscribe(self, sub_id: str, endpoint: str, event_filter: str = ".*") -> None:
        status, body = await self.call(
            "PUT",
            f"{SUBSCRIPTIONS}/webhook",
            json={
                "id": sub_id,
                "filter": event_filter,
                "topic": TOPIC,
                "webHookConfig": {"endpoint": endpoint},
            },
        )
        assert (status, body) == (200, {"message": f"Subscription '{sub_id}' saved successfully"})

    async def admin(self, method: str, path: str, json: Any = None) -> Any:
        status, body = await self.sandbox.admin(method, f"{ESS_ADMIN}{path}", json=json)
        assert 200 <= status < 300, (status, body)
        return body

    async def drain(self) -> dict[str, Any]:
        """Wait (on the sandbox, not on a timer) until no delivery is queued or in flight."""
        state: dict[str, Any] = await self.admin("POST", "/drain")
        assert state["drained"], state
        return state

    async def log(self, **query: str) -> list[dict[str, Any]]:
        attempts: list[dict[str, Any]] = await self.admin("GET", f"/log?{urlencode(query)}")
        return attempts

    async def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = await self.admin("GET", "/events")
        return events

    async def public_key(self, name: str = "public-key.pem") -> rsa.RSAPublicKey:
        """Fetched without any Authorization header, as a receiver would."""
        async with self.sandbox.session.get(f"{self.sandbox.base_url}{ESS_ADMIN}/{name}") as resp:
            assert resp.status == 200
            assert resp.content_type == "application/x-pem-file"
            key = serialization.load_pem_public_key(await resp.read())
        assert isinstance(key, rsa.RSAPublicKey)
        return key


def verifies(key: rsa.RSAPublicKey, body: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


class Reports:
    """Report actions through the sandbox's engine, recording what it emitted."""

    def __init__(self, sandbox: SandboxHarness) -> None:
        self.engine = sandbox.engine
        self.store = sandbox.store
        self.emitted: list[SandboxEvent] = []
        self.store.listeners.append(self.emitted.append)
        self.owner = Actor(DEMO.traveler, "user")
        self.manager = Actor(DEMO.manager, "user")

    def create(self, name: str = "ESS trip") -> SandboxReport:
        return self.engine.create_report(DEMO.traveler, name=name)

    def add_entry(self, report: SandboxReport) -> None:
        amount = money("42.50")
        self.engine.add_entry(
            report,
            SandboxEntry(
                expense_id=self.store.new_expense_id(),
                rpe_key=self.store.opaque_key(),
                expense_type_key="TAXIX",
                expense_type_name="Taxi",
                spend_category="Transportation",
                transaction_date=date(2025, 3, 7),
                transaction_amount=amount,
                transaction_currency="USD",
                posted_amount=amount,
                approved_amount=amount,
            ),
        )

    def submitted(self) -> SandboxReport:
        report = self.create()
        self.add_entry(report)
        self.engine.submit(report, self.owner)
        return report


__all__ = [
    "ESS_ADMIN",
    "REPORT_FACTS",
    "STATUS_FACTS",
    "SUBSCRIPTIONS",
    "TIMESTAMP",
    "TOPIC",
    "UUID",
    "Ess",
    "Reports",
    "verifies",
]
