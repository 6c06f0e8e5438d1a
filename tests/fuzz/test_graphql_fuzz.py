"""Property-based fuzzing of the whole graph over HTTP: no caller can break the gateway.

Every query and mutation field is driven by schemathesis (valid documents, and documents
with invalid arguments) with our scalars' hostile values and the sandbox's real ids, sent as
a real caller to the gateway process. Whatever comes back must be a JSON GraphQL answer
with no 5xx and no ``INTERNAL`` (``tests.fuzz.verdict``). Derandomized: the same cases every
run, so a failure here reproduces as it stands.
"""

from __future__ import annotations

import pytest
import requests
from hypothesis import given, settings

from tests.fuzz.campaign import FAST_PHASES, FUZZ_SETTINGS, AnyCase, Campaign, field_labels

EXAMPLES_PER_FIELD = 40
DEEP_FIELDS = {
    "Mutation.addEntries": 300,
    "Mutation.createReport": 80,
    "Mutation.updateReport": 80,
}
"""Fields whose inputs hold free text and our scalars get more cases: most of their cases
stop at validation, and what passes it reaches the XML and JSON builders. About 900 cases
in all: a minute or so of the suite's budget on two cores."""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("label", field_labels())
def test_no_caller_breaks_the_gateway(label: str, campaign: Campaign) -> None:
    with requests.Session() as session:

        @given(case=campaign.cases(label))
        @settings(
            FUZZ_SETTINGS,
            max_examples=DEEP_FIELDS.get(label, EXAMPLES_PER_FIELD),
            derandomize=True,
            phases=FAST_PHASES,
        )
        def one_case(case: AnyCase) -> None:
            outcome = campaign.send(case, session)
            assert outcome.verdict.ok, campaign.explain(outcome)

        one_case()
