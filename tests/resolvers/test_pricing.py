"""The price of a document, from its text alone: what each shape costs at most."""

from __future__ import annotations

from graphql import parse

from resolvers.operations.pricing import (
    COST_OBJECTS,
    DETAILS,
    HEADER,
    MUTATION,
    Pricer,
    is_dry_run,
)

PRICER = Pricer(list_size=10)


def price(document: str, name: str | None = None) -> int:
    return PRICER.price(parse(document), name)


def test_a_header_alone_costs_one_call() -> None:
    assert price('{ report(id: "R") { id name total { value } } }') == HEADER == 1


def test_detail_fields_share_one_details_read_with_its_key_look_ups() -> None:
    one = price('{ report(id: "R") { entries { id } workflow { hasActionUrl } } }')
    assert one == HEADER + DETAILS == 1 + 1 + 3


def test_cost_objects_add_one() -> None:
    assert price('{ report(id: "R") { costObjects { name } } }') == HEADER + COST_OBJECTS


def test_aliases_and_fragments_are_each_priced() -> None:
    doc = """
    { a: report(id: "R") { ...P } b: report(id: "R") { ... on Report { entries { id } } } }
    fragment P on Report { entries { id } }
    """
    assert price(doc) == 2 * (HEADER + DETAILS)


def test_a_list_is_bounded_by_the_configured_size() -> None:
    assert price("{ reportsToApprove { id entries { id } } }") == 1 + 10 * (HEADER + DETAILS)
    assert price("{ reports(view: PAID) { id } }") == 1 + 10 * HEADER


def test_an_entry_costs_its_report_details_and_itself() -> None:
    assert price('{ entry(reportId: "R", id: "E") { id } }') == DETAILS + 1


def test_free_fields_cost_nothing() -> None:
    assert price("{ me { id } rateLimit { cost } __typename }") == 0


def test_a_mutation_pays_guard_action_and_fresh_read_plus_its_payload() -> None:
    doc = """mutation { approveReport(input: {reportId: "R", expectedStatus: "A_PEND",
      idempotencyKey: "k"}) { report { id costObjects { name } } userErrors { code } } }"""
    assert price(doc) == MUTATION + COST_OBJECTS


def test_the_selected_operation_is_the_one_priced() -> None:
    doc = 'query A { me { id } } query B { report(id: "R") { id } }'
    assert price(doc, "A") == 0
    assert price(doc, "B") == 1
    assert price(doc) == 0  # ambiguous: validation refuses it before pricing matters


def test_a_dry_run_is_recognised_literal_or_variable() -> None:
    assert is_dry_run(parse("{ rateLimit(dryRun: true) { cost } }"), None, None)
    assert not is_dry_run(parse("{ rateLimit { cost } }"), None, None)
    variable = parse("query($d: Boolean!) { rateLimit(dryRun: $d) { cost } }")
    assert is_dry_run(variable, None, {"d": True})
    assert not is_dry_run(variable, None, {"d": False})
