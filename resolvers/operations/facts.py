"""The seam for workflow facts: what the last ESS ``statusChanged`` event said about a report.

Neither v4 nor v1.1 exposes the step code, role code, process id or step instances of a
report; ESS events do. A receiver will record them here; until then the default knows
nothing and ``WorkflowStep`` shows only what Concur's read APIs return.
"""

from __future__ import annotations

from typing import Protocol

from adapters.models import WorkflowFacts


class WorkflowFactsSource(Protocol):
    """Where the latest recorded facts of a report are looked up."""

    async def facts(self, report_id: str) -> WorkflowFacts | None:
        """The most recent facts for ``report_id``, or None when none were recorded."""
        ...


class NoWorkflowFacts:
    """The in-process default: no events are received yet, so there are no facts."""

    async def facts(self, report_id: str) -> WorkflowFacts | None:
        del report_id
        return None


__all__ = ["NoWorkflowFacts", "WorkflowFactsSource"]
