"""What text and amounts Concur accepts from a caller, and how stored text reaches XML safely.

One home for the input rules every route family applies (v4 JSON, v1.1 XML bodies):

- **Control characters** (C0 except tab, CR and LF, and DEL) are refused in every text field.
  XML 1.0 cannot carry C0 at all, so a name that slipped in over JSON would later make every
  XML document that prints it impossible to write.
- **Amounts** are plain decimals: no exponent, no NaN/Infinity, at most the documented 23
  characters (v2.0 "Maximum 23 characters" on every amount) and a field-specific number of
  decimals (v1.1 Post Expense Entry: "with up to three decimal places").

``xml_safe`` is the renderers' last line: whatever is stored, a character XML 1.0 cannot hold
is written as U+FFFD, so no stored text can make an XML answer fail.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_INCOMPATIBLE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_AMOUNT_CHARACTERS: Final = 23
REPLACEMENT: Final = "\ufffd"


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def control_character_problem(value: str) -> str | None:
    """A message when ``value`` holds a control character Concur refuses."""
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return None
    return f"must not contain control characters (U+{ord(found.group()):04X})"


def xml_safe(value: str) -> str:
    """``value`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _XML_INCOMPATIBLE.sub(REPLACEMENT, value)


def fits_printed(value: Decimal, printed_decimals: int) -> bool:
    """Whether ``value``, printed with ``printed_decimals`` decimals as the XML documents
    print it (8 for amounts, 14 for rates), stays within 23 characters."""
    whole = len(str(abs(int(value))))
    sign = 1 if value < 0 else 0
    return sign + whole + 1 + printed_decimals <= MAX_AMOUNT_CHARACTERS


def decimal_amount(text: str, *, max_decimals: int, printed_decimals: int) -> Decimal | None:
    """The amount ``text`` stands for, or None when Concur would refuse it: not a plain
    decimal, more than ``max_decimals`` decimals, over 23 characters as sent or as printed."""
    if len(text) > MAX_AMOUNT_CHARACTERS:
        return None
    if not re.fullmatch(rf"-?\d+(\.\d{{1,{max_decimals}}})?", text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None
    return value if value.is_finite() and fits_printed(value, printed_decimals) else None


__all__ = [
    "CONTROL_CHARACTERS",
    "MAX_AMOUNT_CHARACTERS",
    "REPLACEMENT",
    "control_character_problem",
    "decimal_amount",
    "fits_printed",
    "has_control_characters",
    "xml_safe",
]
