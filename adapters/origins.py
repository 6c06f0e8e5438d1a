"""Where Concur is, and where a caller's token may be sent.

``UpstreamOrigins`` names the base URL per family. A ``WorkflowActionURL`` comes from
Concur's answer, not from the caller, and the caller's token goes with it: it is followed
only to the configured XML origin (or a Concur host over https) and to a workflow-action
path; anything else is Concur's fault (``UpstreamBadResponse``) and nothing is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from yarl import URL

from adapters.config import UpstreamSettings
from adapters.errors import BadUserInput, UpstreamBadResponse

_WORKFLOW_ACTION_PATH = re.compile(
    r"/api/expense/expensereport/v1\.1/report/[^/]+/workflowaction$", re.IGNORECASE
)
_CONCUR_HOST_SUFFIX: Final = ".concursolutions.com"


@dataclass(frozen=True, slots=True)
class UpstreamOrigins:
    """Base URLs per family; XML and OAuth default to the v4 origin."""

    v4: URL
    xml: URL
    oauth: URL

    @classmethod
    def from_settings(cls, upstream: UpstreamSettings) -> UpstreamOrigins:
        if not upstream.base_url:
            raise ValueError("upstream.base_url is empty: start the sandbox or name Concur")
        base = URL(upstream.base_url)
        return cls(
            v4=base,
            xml=URL(upstream.xml_base_url) if upstream.xml_base_url else base,
            oauth=URL(upstream.oauth_base_url) if upstream.oauth_base_url else base,
        )


def workflow_action_url(xml_origin: URL, url: str | None) -> URL:
    """The report's ``WorkflowActionURL``, verbatim, if it is safe to send a token to.

    No URL means the caller has no action at this step: a refusal the caller can act on.
    A URL off Concur's origin, or not to a workflow action, came from Concur's answer, not
    from the caller: ``UpstreamBadResponse``, and the token is not sent.
    """
    if not url:
        raise BadUserInput(
            "An XML workflow action needs the report's workflow action URL: read the "
            "report details first (no URL means the caller has no action at this step).",
            field="workflow_action_url",
        )
    target = URL(url.strip(), encoded=True)
    same_origin = target.absolute and target.origin() == xml_origin.origin()
    concur_host = (
        target.scheme == "https"
        and target.host is not None
        and target.host.lower().endswith(_CONCUR_HOST_SUFFIX)
    )
    if not (same_origin or concur_host) or not _WORKFLOW_ACTION_PATH.search(target.path):
        raise UpstreamBadResponse(
            "Concur's report details name a workflow action URL off Concur's origin or "
            "not to a workflow action: nothing was sent."
        )
    return target


__all__ = ["UpstreamOrigins", "workflow_action_url"]
