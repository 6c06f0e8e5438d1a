"""Concur's rules for workflow comments, checked before anything is sent.

Concur refuses a send-back without a comment for the owner, and any workflow comment over
2000 characters (v1.1 and v4 alike). The guard checks them before its fresh read, the
client before sending: both ask here.
"""

from __future__ import annotations

from typing import Final

from adapters.errors import BadUserInput

MAX_COMMENT: Final = 2000
"""Concur's limit for workflow comments (v1.1 and v4 alike)."""


def check_comment(
    comment: str | None,
    *,
    required: bool = False,
    field: str = "comment",
    what: str = "comment",
) -> None:
    """Refuse what Concur would refuse (``BadUserInput`` naming ``field``)."""
    if required and not (comment and comment.strip()):
        raise BadUserInput("A comment is required to send a report back.", field=field)
    if comment is not None and len(comment) > MAX_COMMENT:
        raise BadUserInput(f"The {what} is longer than {MAX_COMMENT} characters.", field=field)


__all__ = ["MAX_COMMENT", "check_comment"]
