from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from adapters.models import Amount, CostObject, CostObjectExpense
from adapters.v4.cost_objects import parse_cost_objects


def usd(value: str) -> Amount:
    return Amount(value=Decimal(value), currency_code="USD")


def test_doc_cost_objects_sample(data: Callable[[str], bytes]) -> None:
    assert parse_cost_objects(data("v4_cost_objects.json")) == [
        CostObject(
            name="Development",
            approved_amount=usd("150"),
            claimed_amount=usd("150"),
            approver_id="aa024d31-95eb-4270-b9f8-cb6b5f558a7c",
            expenses=[
                CostObjectExpense(
                    id="080286AAA453AD449CB4DD6128BC9BA5",
                    approved_amount=usd("100"),
                    posted_amount=usd("100"),
                ),
                CostObjectExpense(
                    id="1C7DE29EA1CFB34AAE819264683BAF87",
                    approved_amount=usd("50"),
                    posted_amount=usd("50"),
                ),
            ],
            is_owned_by_caller=True,
            is_fully_approved=False,
            is_approvable_as_user=True,
            is_approvable_as_delegate=False,
        )
    ]


def test_claimed_amount_spelling_of_the_schema_table_is_read_too() -> None:
    body = (
        b'[{"name": "X", "approvedAmount": {"value": 1.10000000, "currencyCode": "EUR"},'
        b' "claimedAmount": {"value": 1.10000000, "currencyCode": "EUR"}, "approverId": "a",'
        b' "expenses": [{"id": "e", "claimedAmount": {"value": 0E-8, "currencyCode": "EUR"}}],'
        b' "isOwnedByCaller": false, "isFullyApproved": true, "isApprovableAsUser": false,'
        b' "isApprovableAsDelegate": false}]'
    )
    (cost_object,) = parse_cost_objects(body)
    assert str(cost_object.approved_amount.value) == "1.10000000"
    assert str(cost_object.expenses[0].posted_amount.value) == "0E-8"  # type: ignore[union-attr]
