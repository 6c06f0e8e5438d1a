"""Strategies for our scalars (``Decimal``, ``Date``, ``DateTime``), hostile ones included.

Well-formed values let resolvers run (a plausible amount reaches the upstream call); hostile
ones test that the scalar parsers refuse cleanly: huge exponents and NaN (``Decimal`` maths
that raises or hangs), 10,000 digits (past Python's int-string limit), control characters,
over-long strings, and literals of the wrong GraphQL kind. Each strategy yields GraphQL AST
value nodes, as schemathesis (hypothesis-graphql) expects.
"""

from __future__ import annotations

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

LONG = 20_000
"""Longer than any field Concur keeps, well under the gateway's body limit."""

HOSTILE_NUMBERS = (
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1E+999999999",
    "1e-999999999",
    "9E+99999999999999999999",
    "1e" + "9" * 40,
    "9" * 10_000,
    "0." + "0" * 9_999 + "1",
    "-0",
    "+1",
    "1_000",
    "0x1F",
    "1,50",
    "١٢٣",  # Arabic-Indic digits: Decimal() accepts them
    "12.5\x00",
    "\u202e12.5",
    " 12.5 ",
    "",
)
HOSTILE_TEXT = (
    "",
    " ",
    "\x00",
    "\x00" * 64,
    "\x1b[31m",
    "\r\n\t\x0b\x0c",
    "\ud7ff\ufffe\uffff",
    "<![CDATA[x]]>&amp;<Report/>",
    "../../etc/passwd",
    "A" * LONG,
)
HOSTILE_DATES = (
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "2024-02-30",
    "2024-13-01",
    "2024-1-1",
    "20240101",
    "2024-W01-1",
    "\uff12\uff10\uff12\uff14-\uff10\uff11-\uff10\uff11",  # fullwidth digits
    "2024-01-01T00:00:00",
    "2024-01-01\x00",
)
HOSTILE_DATETIMES = (
    "2024-01-01T24:00:00",
    "2024-01-01T25:61:61",
    "2024-01-01T00:00:00+99:99",
    "2024-01-01T00:00:00.9999999999Z",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2024-01-01 00:00",
    "2024-01-01",
)


def _raw_int(digits: str) -> graphql.IntValueNode:
    """An Int literal of any length (``nodes.Int`` goes through ``int``, which refuses 10,000
    digits in this very process)."""
    return graphql.IntValueNode(value=digits)


def _wrong_kinds() -> st.SearchStrategy[graphql.ValueNode]:
    """Literals of another GraphQL kind than a scalar parser expects."""
    return st.one_of(
        st.booleans().map(nodes.Boolean),
        st.just(graphql.EnumValueNode(value="NaN")),
        st.just(nodes.List([nodes.String("1")])),
        st.just(nodes.Object([])),
        st.just(_raw_int("9" * 10_000)),
        st.just(graphql.FloatValueNode(value="1e999999")),
        st.just(graphql.FloatValueNode(value="-1e-999999")),
    )


def _hostile_strings(*groups: tuple[str, ...]) -> st.SearchStrategy[graphql.ValueNode]:
    return st.sampled_from([value for group in groups for value in group]).map(nodes.String)


def decimal_values() -> st.SearchStrategy[graphql.ValueNode]:
    plausible = st.decimals(
        min_value=-(10**12), max_value=10**12, places=8, allow_nan=False, allow_infinity=False
    )
    return st.one_of(
        plausible.map(str).map(nodes.String),
        st.integers(min_value=-(10**15), max_value=10**15).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.decimals().map(str).map(nodes.String),  # NaN, Infinity, any exponent
        _hostile_strings(HOSTILE_NUMBERS, HOSTILE_TEXT),
        st.text().map(nodes.String),
        _wrong_kinds(),
    )


def date_values() -> st.SearchStrategy[graphql.ValueNode]:
    return st.one_of(
        st.dates().map(str).map(nodes.String),
        _hostile_strings(HOSTILE_DATES, HOSTILE_TEXT),
        st.text().map(nodes.String),
        _wrong_kinds(),
    )


def datetime_values() -> st.SearchStrategy[graphql.ValueNode]:
    return st.one_of(
        st.datetimes().map(lambda moment: moment.isoformat() + "Z").map(nodes.String),
        _hostile_strings(HOSTILE_DATETIMES, HOSTILE_DATES, HOSTILE_TEXT),
        st.text().map(nodes.String),
        _wrong_kinds(),
    )


def register_scalars() -> None:
    """Teach schemathesis our scalars (a process-wide registry; registering twice is harmless)."""
    schemathesis.graphql.scalar("Decimal", decimal_values())
    schemathesis.graphql.scalar("Date", date_values())
    schemathesis.graphql.scalar("DateTime", datetime_values())


__all__ = [
    "HOSTILE_NUMBERS",
    "date_values",
    "datetime_values",
    "decimal_values",
    "register_scalars",
]
