"""Outcomes: which failures an idempotency key remembers, and how errors become user errors."""

from __future__ import annotations

from adapters.errors import (
    ActionOutcomeUnknown,
    RateLimited,
    UpstreamUnavailable,
    UpstreamValidationError,
    ValidationIssue,
    WorkflowStepMismatch,
)
from resolvers.operations.outcome import Outcome, problems_of


def test_success_and_refusals_are_definitive_transient_failures_are_not() -> None:
    assert Outcome().is_definitive
    for error in (WorkflowStepMismatch("moved"), ActionOutcomeUnknown("lost")):
        assert Outcome(problems=problems_of(error)).is_definitive
    for error in (UpstreamUnavailable("down"), RateLimited("slow down")):
        assert not Outcome(problems=problems_of(error)).is_definitive


def test_each_upstream_validation_issue_becomes_a_user_error() -> None:
    error = UpstreamValidationError(
        "refused",
        issues=[
            ValidationIssue("name", "Name is required.", "name"),
            ValidationIssue("policyId", "Unknown policy.", None),
        ],
    )
    problems = problems_of(error)
    assert [(p.code, p.field, p.message) for p in problems] == [
        ("BAD_USER_INPUT", "name", "Name is required."),
        ("BAD_USER_INPUT", "policyId", "Unknown policy."),
    ]


def test_outcomes_round_trip_through_json() -> None:
    outcome = Outcome(problems=problems_of(WorkflowStepMismatch("moved")))
    assert Outcome.model_validate_json(outcome.model_dump_json()) == outcome
