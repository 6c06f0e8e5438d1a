"""Raw HTTP fuzzing of ``/graphql``: whatever bytes a caller sends, the answer is a JSON
GraphQL error, never a 5xx (``tests.fuzz.raw``). Derandomized, like the graph's fuzzing."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given, settings

from tests.fuzz.campaign import FAST_PHASES, FUZZ_SETTINGS, Campaign
from tests.fuzz.raw import RawRequest, raw_requests

RAW_CASES = 150
"""Cheap cases (most never reach a resolver): a few seconds."""


@pytest.mark.timeout(300)
def test_no_raw_request_breaks_the_gateway(campaign: Campaign) -> None:
    with requests.Session() as session:

        @given(request=raw_requests())
        @settings(FUZZ_SETTINGS, max_examples=RAW_CASES, derandomize=True, phases=FAST_PHASES)
        def one_request(request: RawRequest) -> None:
            outcome = campaign.send_raw(request, session)
            assert outcome.verdict.ok, campaign.explain(outcome)

        one_request()
