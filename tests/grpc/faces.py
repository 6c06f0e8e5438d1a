"""The gateway's two faces behind one small interface, for behaviour tests run over both.

Each face answers in the same terms: the report's approval status code in the answer (the
payload's report, or the report sent with a refusal) and the error code (a GraphQL
``userErrors``/``extensions`` code, or the gRPC ``ErrorInfo.reason``) with its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import grpc

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from tests.support.grpc import GrpcGateway, auth, rich


@dataclass(frozen=True)
class Answer:
    status: str | None = None
    code: str | None = None
    field: str | None = None


class Face(Protocol):
    name: str

    async def read(self, token: str | None, report_id: str, context: str = "TRAVELER") -> Answer:
        """One report's header."""
        ...

    async def approve(self, token: str, report_id: str, **fields: Any) -> Answer:
        """``fields`` in GraphQL's names: expectedStatus, idempotencyKey, protocol..."""
        ...

    async def send_back(self, token: str, report_id: str, **fields: Any) -> Answer: ...


class GraphQLFace:
    name = "graphql"

    def __init__(self, gw: GrpcGateway) -> None:
        self.gw = gw

    async def read(self, token: str | None, report_id: str, context: str = "TRAVELER") -> Answer:
        status, body = await self.gw.http.gql(
            "query($id: ID!, $c: ReportContext!) { report(id: $id, context: $c) { "
            "approvalStatus { code } } }",
            {"id": report_id, "c": context},
            token,
        )
        assert status == 200, body
        if body.get("errors"):
            extensions = body["errors"][0]["extensions"]
            return Answer(code=extensions["code"], field=extensions.get("field"))
        return Answer(status=body["data"]["report"]["approvalStatus"]["code"])

    async def _mutate(self, name: str, kind: str, token: str, fields: dict[str, Any]) -> Answer:
        status, body = await self.gw.http.gql(
            f"mutation($i: {kind}!) {{ {name}(input: $i) {{ "
            "report { approvalStatus { code } } userErrors { code field } } }",
            {"i": fields},
            token,
        )
        assert status == 200, body
        assert "errors" not in body, body
        payload = body["data"][name]
        report = payload["report"]
        errors = payload["userErrors"]
        return Answer(
            status=report["approvalStatus"]["code"] if report else None,
            code=errors[0]["code"] if errors else None,
            field=errors[0]["field"] if errors else None,
        )

    async def approve(self, token: str, report_id: str, **fields: Any) -> Answer:
        return await self._mutate(
            "approveReport", "ApproveReportInput", token, {"reportId": report_id, **fields}
        )

    async def send_back(self, token: str, report_id: str, **fields: Any) -> Answer:
        return await self._mutate(
            "sendBackReport", "SendBackReportInput", token, {"reportId": report_id, **fields}
        )


GRPC_FIELDS = {
    "expectedStatus": "expected_status",
    "expectedStepCode": "expected_step_code",
    "idempotencyKey": "idempotency_key",
    "comment": "comment",
}


def grpc_fields(fields: dict[str, Any]) -> dict[str, Any]:
    named = {GRPC_FIELDS[k]: v for k, v in fields.items() if k != "protocol"}
    if "protocol" in fields:
        named["protocol"] = pb.Protocol.Value(f"PROTOCOL_{fields['protocol']}")
    return named


class GrpcFace:
    name = "grpc"

    def __init__(self, gw: GrpcGateway) -> None:
        self.gw = gw

    @staticmethod
    def _refused(error: grpc.aio.AioRpcError) -> Answer:
        status = rich(error)
        refusals = [d for d in status.details if isinstance(d, service_pb2.ActionRefusal)]
        report = refusals[0].report if refusals and refusals[0].HasField("report") else None
        return Answer(
            status=report.approval_status.code if report is not None else None,
            code=status.reason,
            field=status.metadata.get("field"),
        )

    async def read(self, token: str | None, report_id: str, context: str = "TRAVELER") -> Answer:
        request = service_pb2.GetReportRequest(
            report_id=report_id, context=pb.ReportContext.Value(f"REPORT_CONTEXT_{context}")
        )
        try:
            report = await self.gw.stub.GetReport(
                request, metadata=auth(token) if token is not None else ()
            )
        except grpc.aio.AioRpcError as exc:
            return self._refused(exc)
        return Answer(status=report.approval_status.code)

    async def approve(self, token: str, report_id: str, **fields: Any) -> Answer:
        request = service_pb2.ApproveReportRequest(report_id=report_id, **grpc_fields(fields))
        try:
            response = await self.gw.stub.ApproveReport(request, metadata=auth(token))
        except grpc.aio.AioRpcError as exc:
            return self._refused(exc)
        return Answer(status=response.report.approval_status.code)

    async def send_back(self, token: str, report_id: str, **fields: Any) -> Answer:
        request = service_pb2.SendBackReportRequest(report_id=report_id, **grpc_fields(fields))
        try:
            response = await self.gw.stub.SendBackReport(request, metadata=auth(token))
        except grpc.aio.AioRpcError as exc:
            return self._refused(exc)
        return Answer(status=response.report.approval_status.code)


__all__ = ["Answer", "Face", "GraphQLFace", "GrpcFace"]
