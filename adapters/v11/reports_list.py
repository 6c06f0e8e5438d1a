"""v1.1 ``ReportsList/{View}`` → ``ReportSummary`` rows.

Each row names the report by its plain id (``ReportId``) and, only inside
``Report-Details-Url`` (or ``Report-Full-Details-Url``), by the encrypted key the other v1.1
calls need; the key is lifted from that URL so callers never handle URLs.
"""

from __future__ import annotations

from adapters.models import ReportSummary
from adapters.paths import segment_after
from adapters.v11.namespaces import V11_NS, expect_root
from adapters.v11.values import XmlRecord
from adapters.v11.xmlsafe import parse_xml


def parse_reports_list(body: bytes, *, correlation_id: str | None = None) -> list[ReportSummary]:
    root = parse_xml(body, correlation_id=correlation_id)
    namespace = expect_root(root, "ReportsList", V11_NS, correlation_id=correlation_id)
    summaries = []
    for row in XmlRecord(root, namespace, correlation_id=correlation_id).items("ReportSummary"):
        details_url = row.text("Report-Details-Url")
        full_url = row.text("Report-Full-Details-Url")
        report_key = segment_after(details_url, "report") if details_url else None
        if report_key is None and full_url:
            report_key = segment_after(full_url, "reportfulldetails")
        summaries.append(
            ReportSummary(
                id=row.required("ReportId"),
                name=row.text("ReportName"),
                total=row.amount("ReportTotal", row.text("ReportCurrency")),
                report_date=row.day("ReportDate"),
                owner_name=row.text("EmployeeName"),
                report_key=report_key,
            )
        )
    return summaries


__all__ = ["parse_reports_list"]
