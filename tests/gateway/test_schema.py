"""The committed ``schema.graphql`` is exactly what the code exports."""

from __future__ import annotations

from pathlib import Path

from gateway.cli import main
from resolvers.schema import export_sdl

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_the_committed_schema_matches_the_code() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == export_sdl(), (
        "schema.graphql drifted from the code: run `concur-gateway export-schema`"
    )


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    assert main(["export-schema", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == export_sdl()


def test_the_contract_names_are_there() -> None:
    sdl = export_sdl()
    for line in (
        "report(id: ID!, context: ReportContext! = TRAVELER): Report",
        "reportsToApprove: [Report!]!",
        "reports(view: ReportView! = RECENT): [Report!]!",
        "entry(reportId: ID!, id: ID!): Entry",
        "me: User",
        "approveReport(input: ApproveReportInput!): ApproveReportPayload!",
        "sendBackReport(input: SendBackReportInput!): SendBackReportPayload!",
        "recallReport(input: RecallReportInput!): RecallReportPayload!",
        "submitReport(input: SubmitReportInput!): SubmitReportPayload!",
        "createReport(input: CreateReportInput!): CreateReportPayload!",
        "updateReport(reportId: ID!, patch: ReportPatchInput!): UpdateReportPayload!",
        "addEntries(reportId: ID!, entries: [EntryInput!]!): AddEntriesPayload!",
        "scalar Decimal",
    ):
        assert line in sdl, line


def test_a_reports_costly_parts_are_nullable() -> None:
    """Each needs its own upstream read; one failing must not null the whole report."""
    sdl = export_sdl()
    for line in (
        "entries: [Entry!]\n",
        "costObjects: [CostObject!]\n",
        "workflow: WorkflowStep\n",
        "availableActions: [WorkflowActionKind!]\n",
    ):
        assert line in sdl, line
