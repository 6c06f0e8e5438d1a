"""A reused answer's cost: nothing called, everything it first cost saved."""

from __future__ import annotations

import orjson

from gateway.budget.replay import replayed


def test_the_cost_of_a_reused_answer_is_rewritten_in_place() -> None:
    body = orjson.dumps(
        {
            "data": {"report": {"name": '"cost":{"estimated":1,"actual":1,"cached":1}'}},
            "extensions": {"cost": {"estimated": 6, "actual": 4, "cached": 1}},
        }
    )
    again = orjson.loads(replayed(body))
    assert again["extensions"]["cost"] == {"estimated": 6, "actual": 0, "cached": 5}
    assert again["data"] == orjson.loads(body)["data"]


def test_an_answer_without_a_cost_is_left_alone() -> None:
    body = orjson.dumps({"data": {"me": None}})
    assert replayed(body) == body
