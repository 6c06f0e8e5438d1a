"""The budget on the gRPC face: each ReportService call priced by its method and charged to
its (verified) caller's share before the servicer runs; refused as ``RATE_LIMITED``, which
the interceptor answers ``RESOURCE_EXHAUSTED`` with ``RetryInfo``."""

from __future__ import annotations

from adapters.client import ConcurClient
from gateway.budget.gate import CostGate
from gateway.grpc.auth import authenticate
from gateway.grpc.metadata import Metadata
from resolvers.operations.cache import principal_of
from resolvers.operations.pricing import rpc_price


class RpcCharge:
    """``await charge(method, metadata)``: admit the call or raise (``RateLimited``, or
    ``Unauthenticated`` for a caller the servicer would refuse anyway: an unknown caller
    must not spend the app's budget)."""

    def __init__(self, gate: CostGate, client: ConcurClient) -> None:
        self._gate = gate
        self._client = client

    async def __call__(self, method: str, metadata: Metadata | None) -> None:
        price = rpc_price(method, self._gate.settings.list_size)
        if price == 0:
            return
        credentials = await authenticate(metadata, self._client)
        await self._gate.admit(principal_of(credentials), price)


__all__ = ["RpcCharge"]
