"""Outcomes: which failures an idempotency key remembers, and how errors become user errors."""

from __future__ import annotations

from adapters.errors import (
    ActionOutcomeUnknown,
    Conflict,
    Forbidden,
    IdempotencyConflict,
    RateLimited,
    UpstreamBadResponse,
    UpstreamUnavailable,
    UpstreamValidationError,
    ValidationIssue,
    WorkflowStepMismatch,
)
from resolvers.operations.outcome import Outcome, problems_of


def test_a_key_keeps_successes_and_unknown_outcomes_only() -> None:
    assert Outcome().kept
    unknown = Outcome(problems=problems_of(ActionOutcomeUnknown("lost")))
    assert unknown.kept
    assert unknown.unsettled
    assert not unknown.refused
    for error in (
        WorkflowStepMismatch("moved"),
        Forbidden("no"),
        Conflict("not now"),
        IdempotencyConflict("other"),
        UpstreamValidationError("bad", issues=[ValidationIssue("name", "required", None)]),
    ):
        refusal = Outcome(problems=problems_of(error))
        assert refusal.refused
        assert not refusal.kept
    for error in (UpstreamUnavailable("down"), RateLimited("slow"), UpstreamBadResponse("?")):
        transient = Outcome(problems=problems_of(error))
        assert not transient.kept
        assert not transient.refused


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
    for outcome in (
        Outcome(problems=problems_of(WorkflowStepMismatch("moved"))),
        Outcome(confirmed=True),
    ):
        assert Outcome.model_validate_json(outcome.model_dump_json()) == outcome
