"""The budget's own refusal (``RATE_LIMITED`` is ``adapters.errors.RateLimited``)."""

from __future__ import annotations

from adapters.errors import GatewayError


class QueryTooExpensive(GatewayError):
    """The query could cost more upstream calls than one request may: nothing was sent.
    Ask for fewer reports or fewer parts of each, or split the query."""

    code = "QUERY_TOO_EXPENSIVE"


__all__ = ["QueryTooExpensive"]
