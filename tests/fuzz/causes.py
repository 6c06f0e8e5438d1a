"""Why the gateway answered ``INTERNAL``: its own log, joined on the correlation id.

A caller sees only "Unexpected error." and a ``correlationId``; the gateway logs the
exception under that id. Joining the two turns a pile of failing cases into the few
distinct defects behind them (the exception, and the last frame of our code it came from).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_FRAME = re.compile(
    r'File ".*?/((?:gateway|resolvers|adapters|sandbox)/[^"]+)", line (\d+), in (\S+)'
)


def correlation_ids(raw: bytes) -> list[str]:
    """The ``extensions.correlationId`` of every ``INTERNAL`` error in a response body."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [
        str(e["extensions"].get("correlationId"))
        for e in errors or []
        if isinstance(e, dict)
        and isinstance(e.get("extensions"), dict)
        and e["extensions"].get("code") == "INTERNAL"
    ]


def _summary(exception: str) -> str:
    lines = [line.strip() for line in exception.strip().splitlines()]
    frames = [found for line in lines if (found := _FRAME.search(line)) and ".venv" not in line]
    where = f"{frames[-1][1]}:{frames[-1][2]} {frames[-1][3]}" if frames else "?"
    errors = [line for line in lines if line and not line.startswith(("File ", "^", "~"))]
    last = next((line for line in reversed(errors) if ":" in line.split(" ")[0]), lines[-1])
    return f"{last[:160]} (at {where})"


def logged_causes(log_path: Path) -> dict[str, str]:
    """Correlation id -> the exception logged for it, summarised."""
    causes: dict[str, str] = {}
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record: Any = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("exception") and record.get("correlation_id"):
            causes.setdefault(str(record["correlation_id"]), _summary(str(record["exception"])))
    return causes


def cause_of(raw: bytes, log_path: Path) -> str | None:
    """What the gateway logged for the ``INTERNAL`` errors of one response, if anything."""
    causes = logged_causes(log_path)
    found = [causes[i] for i in correlation_ids(raw) if i in causes]
    return "; ".join(found) or None


__all__ = ["cause_of", "correlation_ids", "logged_causes"]
