"""What the operations depend on, bundled once per app (or per gRPC server).

Nothing here is per request: the per-request parts (credentials, loaders, correlation id)
live in ``resolvers.context.Context``, which holds one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.client import ConcurClient, Credentials
from resolvers.operations.admin import AdminVerdicts
from resolvers.operations.audit import AuditLog
from resolvers.operations.cache import NoCache, ReadCache
from resolvers.operations.event_source import EventSource, NoEvents
from resolvers.operations.facts import NoWorkflowFacts, WorkflowFactsSource
from resolvers.operations.idempotency import IdempotencyStore
from resolvers.operations.loaders import Loaders


@dataclass(frozen=True, slots=True)
class Operations:
    """The shared services behind every query and mutation."""

    client: ConcurClient
    idempotency: IdempotencyStore
    audit: AuditLog
    """Where every workflow action's intent and outcome are recorded (``trail``)."""
    cache: ReadCache = field(default_factory=NoCache)
    facts: WorkflowFactsSource = field(default_factory=NoWorkflowFacts)
    events: EventSource = field(default_factory=NoEvents)
    list_concurrency: int = 16
    audit_required: bool = True
    """Refuse an action whose intent cannot be recorded (``AUDIT_UNAVAILABLE``)."""
    bulk_concurrency: int = 4
    """Items of one bulk action in flight at once (``bulk``)."""
    bulk_max_items: int = 100
    admins: AdminVerdicts = field(default_factory=AdminVerdicts)
    """Concur's recent verdicts on who is an administrator (``admin``)."""

    def new_loaders(self, credentials: Credentials | None) -> Loaders:
        """Fresh loaders for one request: their cache must not outlive it."""
        return Loaders(
            client=self.client,
            credentials=credentials,
            cache=self.cache,
            concurrency=self.list_concurrency,
        )


__all__ = ["Operations"]
