"""What every XML handler starts from: the authenticated caller and the sandbox it talks to.

``xml_endpoint`` wraps a handler so that authentication failures and ``LegacyError``s
become Concur's legacy ``<Error>`` body with the right status, in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps

from aiohttp import web

from sandbox.auth import AuthError, Caller, authenticate
from sandbox.engine import Engine
from sandbox.keys import ENGINE, STORE
from sandbox.records import SandboxReport
from sandbox.state import Store
from sandbox.xml import access, links
from sandbox.xml.errors import Forbidden, LegacyError, NotFound, error_response

logger = logging.getLogger(__name__)

XmlHandler = Callable[["XmlContext"], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class XmlContext:
    request: web.Request
    store: Store
    engine: Engine
    caller: Caller
    base_url: str

    def readable_report(self, report: SandboxReport | None) -> SandboxReport:
        """The report, or 404 when it does not exist or the caller may not see it."""
        if report is None or not access.can_read(self.engine, self.caller, report):
            raise NotFound("The report does not exist or is not available to the caller.")
        return report

    def report_by_rpt_key(self, rpt_key: str) -> SandboxReport:
        return self.readable_report(self.store.report_by_rpt_key(rpt_key))

    def workflow_url(self, report: SandboxReport) -> str:
        """The v1.1 ``WorkflowActionURL`` for this caller, ``""`` when they cannot act."""
        if access.can_act(self.engine, self.caller, report):
            return links.workflow_action_url(self.base_url, report.workflow.step_key)
        return ""


def _base_url(request: web.Request, store: Store) -> str:
    """The configured origin once bound; the request's origin before that."""
    return (store.base_url or str(request.url.origin())).rstrip("/")


def xml_endpoint(handler: XmlHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    @wraps(handler)
    async def endpoint(request: web.Request) -> web.StreamResponse:
        store = request.app[STORE]
        try:
            caller = authenticate(request, "OAuth")
            if caller.kind == "app":
                raise Forbidden("Application tokens cannot call the Expense Report API.")
            context = XmlContext(
                request=request,
                store=store,
                engine=request.app[ENGINE],
                caller=caller,
                base_url=_base_url(request, store),
            )
            return await handler(context)
        except AuthError as exc:
            return error_response(exc.status, exc.message, store.clock())
        except LegacyError as exc:
            logger.debug("legacy error %s: %s", exc.status, exc.message)
            return error_response(exc.status, exc.message, store.clock())

    return endpoint


__all__ = ["XmlContext", "XmlHandler", "xml_endpoint"]
