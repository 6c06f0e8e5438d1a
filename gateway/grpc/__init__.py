"""The gRPC face: ``concur_gateway.v1.ReportService`` over the same operations as the graph.

``server`` (the ``cleanup_ctx``), ``servicer`` (thin over ``resolvers.operations``),
``interceptor`` (spans, correlation ids, deadlines, error statuses), ``convert`` (models to
messages), ``errors`` (rich statuses from the code table in ``gateway.error_codes``) and
``gen`` (the stubs generated from ``proto/`` by ``scripts/gen_proto.py``).
"""

from __future__ import annotations

__all__: list[str] = []
