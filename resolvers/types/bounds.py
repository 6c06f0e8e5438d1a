"""Text inputs, bounded as Concur documents them, before anything is sent upstream.

Every string of a mutation input is refused if it holds a control character (C0 except tab,
CR and LF, and DEL): Concur's XML cannot carry most of them and none belongs in a report.
Fields Concur documents a maximum length for are refused beyond it, here rather than as
Concur's 400 after the call was spent. The limits:

=======================================  ====  ==============================================
field                                    max   Concur's documentation
=======================================  ====  ==============================================
report ``name``                          40    v4 Reports: report name
report ``businessPurpose``               500   v4 Reports: business purpose
report ``comment``                       500   v4 Reports: report header comment
entry ``comment``                        2000  v1.1 Expense Entry: "Max length: 2000"
entry ``description`` (business purpose) 64    v1.1 Expense Entry: business purpose
entry ``vendor``                         64    v1.1 Expense Entry: vendor description
custom field ``value``                   48    v4 Reports: "Maximum length: 48 characters"
=======================================  ====  ==============================================

Workflow comments (approve, send back: "Max length: 2000") are bounded by the workflow guard
in ``resolvers/operations/guard.py``, which the gRPC face shares; here they are only checked
for control characters. Inputs call ``check_text`` from ``__post_init__``, so the check
runs while Strawberry converts the arguments: a refusal is ``BadUserInput``
(``BAD_USER_INPUT``) naming the field.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Final

from adapters.errors import BadUserInput

CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 controls except tab (09), LF (0A) and CR (0D), and DEL."""

REPORT_NAME: Final = 40
REPORT_PURPOSE: Final = 500
REPORT_COMMENT: Final = 500
ENTRY_COMMENT: Final = 2000
ENTRY_DESCRIPTION: Final = 64
ENTRY_VENDOR: Final = 64
CUSTOM_VALUE: Final = 48


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def check_text(value: object, max_lengths: Mapping[str, int]) -> None:
    """Refuse control characters in every ``str`` field of the input ``value`` (a
    dataclass), and text longer than ``max_lengths[field]`` (snake_case names)."""
    for field in dataclasses.fields(value):  # type: ignore[arg-type]
        text = getattr(value, field.name)
        if not isinstance(text, str):
            continue
        name = _camel(field.name)
        if CONTROL_CHARACTERS.search(text):
            raise BadUserInput(
                f"{name} must not contain control characters (only tab, CR and LF).",
                field=name,
            )
        limit = max_lengths.get(field.name)
        if limit is not None and len(text) > limit:
            raise BadUserInput(
                f"{name} is longer than Concur accepts ({len(text)} > {limit} characters).",
                field=name,
            )


__all__ = [
    "CONTROL_CHARACTERS",
    "CUSTOM_VALUE",
    "ENTRY_COMMENT",
    "ENTRY_DESCRIPTION",
    "ENTRY_VENDOR",
    "REPORT_COMMENT",
    "REPORT_NAME",
    "REPORT_PURPOSE",
    "check_text",
]
