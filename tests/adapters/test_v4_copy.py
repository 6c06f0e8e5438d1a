"""``from_wire``: canonical fields copied from wire fields of the same name."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import Field

from adapters.models import Amount, Canonical, CustomField
from adapters.v4.copy import from_wire
from adapters.v4.wire import Wire, WireAmount, WireCustomData


class WireThing(Wire):
    id: str
    label: str | None = None
    price: WireAmount | None = None
    cost: WireAmount
    fields: list[WireCustomData] | None = None
    kind: str | None = None
    wire_only: str = "ignored"


class Thing(Canonical):
    id: str
    label: str | None = None
    price: Amount | None = None
    cost: Amount
    fields: list[CustomField] = Field(default_factory=list)
    kind: int | None = None
    canonical_only: str = "default"


COST = WireAmount(value=Decimal("1.5"), currency_code="EUR")


def test_fields_named_alike_are_copied_and_nested_models_converted() -> None:
    wire = WireThing(
        id="T1",
        label="x",
        price=WireAmount(value=Decimal(150), currency_code="USD"),
        cost=COST,
        fields=[WireCustomData(id="c1", value="v", is_valid=False, list_item_url="u")],
    )
    assert from_wire(Thing, wire, kind=None) == Thing(
        id="T1",
        label="x",
        price=Amount(value=Decimal("150.00000000"), currency_code="USD"),
        cost=Amount(value=Decimal("1.5"), currency_code="EUR"),
        fields=[CustomField(id="c1", value="v", is_valid=False)],
    )


def test_none_stays_none_or_becomes_the_canonical_default() -> None:
    thing = from_wire(Thing, WireThing(id="T1", cost=COST), kind=None)
    assert (thing.label, thing.price, thing.fields) == (None, None, [])
    assert thing.canonical_only == "default"


def test_what_is_given_wins() -> None:
    thing = from_wire(Thing, WireThing(id="T1", cost=COST, kind="7"), id="T2", kind=7)
    assert (thing.id, thing.kind) == ("T2", 7)


def test_a_twin_of_another_shape_must_be_given() -> None:
    with pytest.raises(TypeError, match="kind"):
        from_wire(Thing, WireThing(id="T1", cost=COST, kind="7"))
