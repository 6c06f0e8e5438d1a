"""The example tabs GraphiQL opens with: a report, a guarded approval, a bulk approval with
its audit trail, and live events.

They are written against the demo company's story (a traveler's pending report that the
manager approves) but name no report: ``$reportId`` and ``$expectedStatus`` are variables,
which the embedded sandbox fills with a real report (``/graphiql/demo-session``); against
a real Concur the user fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import orjson


@dataclass(frozen=True)
class Example:
    """One GraphiQL tab: its document and the variables it needs (placeholders)."""

    query: str
    variables: dict[str, str]


REPORT_QUERY: Final = """\
# A report as its traveler sees it: header, entries,
# cost objects and where it is in its workflow.
# Run it with Ctrl-Enter (or ▶). Then open ApproveReport,
# act as the manager and approve it.
query Report($reportId: ID!) {
  report(id: $reportId) {
    id
    name
    reportNumber
    owner { id }
    approvalStatus { code name }
    total { value currencyCode }
    entries {
      id
      expenseType { name }
      transactionDate
      transactionAmount { value currencyCode }
      vendor
    }
    costObjects {
      name
      claimedAmount { value currencyCode }
      isApprovableAsUser
    }
    workflow {
      approvalStatus { code }
      stepCode
      roleCode
      sequence
      hasActionUrl
    }
    availableActions
  }
}
"""

APPROVE_MUTATION: Final = """\
# Approve a report, guarded: the gateway re-reads it and
# refuses (WORKFLOW_STEP_MISMATCH in userErrors) unless
# it is still at $expectedStatus. Run it as the manager,
# then run it again to see the guard refuse.
mutation ApproveReport($reportId: ID!, $expectedStatus: String!) {
  approveReport(
    input: {
      reportId: $reportId
      expectedStatus: $expectedStatus
      comment: "Approved from GraphiQL"
    }
  ) {
    report { id approvalStatus { code name } workflow { stepCode } }
    userErrors { code message field }
  }
}
"""

BULK_APPROVE_MUTATION: Final = """\
# Bulk approve: each item is guarded, sent at most once
# and recorded in the audit trail exactly as if alone,
# a few at a time. Add items (ids from reportsToApprove).
# Run it again with the same batchKey: applied items
# replay, nothing is sent twice. The trail shows each
# action's INTENT and OUTCOME.
mutation BulkApprove($reportId: ID!, $expectedStatus: String!) {
  approveReports(
    input: {
      batchKey: "graphiql-bulk-1"
      items: [{ reportId: $reportId, expectedStatus: $expectedStatus }]
    }
  ) {
    applied
    refused
    unknown
    confirmed
    items {
      reportId
      outcome
      userErrors { code message }
      report {
        approvalStatus { code name }
        auditTrail { records { kind outcome concurStatus code } }
      }
    }
    userErrors { code message field }
  }
}
"""

REPORT_EVENTS_SUBSCRIPTION: Final = """\
# Live events of one report (without $reportId: of every
# report you may read), over graphql-transport-ws.
# Start it, approve the report in another window, and
# watch the event arrive.
subscription ReportEvents($reportId: ID) {
  reportEvents(reportId: $reportId) {
    id
    eventType
    reportId
    occurredAt
    approvalStatus
    stepCode
  }
}
"""

REPORT_PLACEHOLDER: Final = "<a report id>"

EXAMPLES: Final[tuple[Example, ...]] = (
    Example(REPORT_QUERY, {"reportId": REPORT_PLACEHOLDER}),
    Example(APPROVE_MUTATION, {"reportId": REPORT_PLACEHOLDER, "expectedStatus": "A_PEND"}),
    Example(BULK_APPROVE_MUTATION, {"reportId": REPORT_PLACEHOLDER, "expectedStatus": "A_PEND"}),
    Example(REPORT_EVENTS_SUBSCRIPTION, {"reportId": REPORT_PLACEHOLDER}),
)


def examples_json() -> bytes:
    """The tabs as the page's bootstrap reads them (``[{query, variables}]``)."""
    return orjson.dumps(
        [{"query": example.query, "variables": example.variables} for example in EXAMPLES]
    )


__all__ = [
    "APPROVE_MUTATION",
    "BULK_APPROVE_MUTATION",
    "EXAMPLES",
    "REPORT_EVENTS_SUBSCRIPTION",
    "REPORT_PLACEHOLDER",
    "REPORT_QUERY",
    "Example",
    "examples_json",
]
