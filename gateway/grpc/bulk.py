"""``BulkAct`` messages: a batch's items in, each item's result out."""

from __future__ import annotations

from gateway.grpc import convert
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from resolvers.operations.bulk import ItemResult
from resolvers.operations.requests import ActionRequest


def requests(message: service_pb2.BulkActRequest) -> list[ActionRequest]:
    """The batch's items in order: approvals, then send-backs."""
    return [
        *(convert.approve_request(item) for item in message.approvals),
        *(convert.send_back_request(item) for item in message.send_backs),
    ]


def item_result(result: ItemResult) -> service_pb2.BulkActItemResult:
    return service_pb2.BulkActItemResult(
        index=result.index,
        report_id=result.request.report_id,
        outcome=convert.ACTION_OUTCOME.to_proto(result.verdict),
        user_errors=[convert.user_error(p) for p in result.outcome.problems],
    )


__all__ = ["item_result", "requests"]
