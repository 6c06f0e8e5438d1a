"""The upstream's cache namespace: one per Concur and company, one per sandbox instance."""

from __future__ import annotations

from adapters.config import CompanyAuthSettings, UpstreamSettings
from gateway.upstream import concur_namespace, sandbox_namespace


def namespace(base_url: str, company_id: str) -> str:
    return concur_namespace(
        UpstreamSettings(base_url=base_url), CompanyAuthSettings(company_id=company_id)
    )


def test_replicas_configured_alike_share_a_namespace() -> None:
    first = namespace("https://us2.api.concursolutions.com", "company-1")
    assert first == namespace("https://US2.api.concursolutions.com/", "company-1")
    assert first.startswith("concur-")


def test_another_company_or_origin_is_another_namespace() -> None:
    first = namespace("https://us2.api.concursolutions.com", "company-1")
    assert namespace("https://us2.api.concursolutions.com", "company-2") != first
    assert namespace("https://eu2.api.concursolutions.com", "company-1") != first


def test_each_sandbox_instance_is_its_own_namespace() -> None:
    assert sandbox_namespace("a1") != sandbox_namespace("b2")
    assert not sandbox_namespace("a1").startswith("concur-")
