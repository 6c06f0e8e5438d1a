"""The only way values reach Redis: JSON through orjson, never pickle.

A Redis shared by replicas is shared with whoever can write to it; unpickling what it holds
would hand them code execution in every gateway. JSON can only ever decode to plain data,
which the canonical models' codecs then validate. orjson refuses any type it does not know
(``Decimal`` included), so callers hand it ``model_dump(mode="json")`` output: amounts
travel as their exact decimal strings.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiocache.serializers import BaseSerializer


class JsonSerializer(BaseSerializer):  # type: ignore[misc]  # aiocache ships no types
    """aiocache serializer: plain data to JSON bytes and back (``None`` means absent)."""

    DEFAULT_ENCODING = None  # values stay bytes on the wire: orjson reads and writes bytes

    def dumps(self, value: Any) -> bytes:
        return orjson.dumps(value)

    def loads(self, value: bytes | None) -> Any:
        if value is None:
            return None
        return orjson.loads(value)


__all__ = ["JsonSerializer"]
