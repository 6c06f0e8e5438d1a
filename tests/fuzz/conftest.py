"""Fixtures: one gateway process on the embedded sandbox per fuzz module, and its campaign."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz.campaign import Campaign
from tests.fuzz.gateway_process import REPEATABLE, gateway_process


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    """A running gateway (``concur-gateway serve``, embedded sandbox), the schema it serves
    and real callers' tokens. Its log is kept in the test's temporary directory."""
    log_path = tmp_path_factory.mktemp("fuzz") / "gateway.log"
    with gateway_process(log_path, **REPEATABLE) as gateway:
        yield Campaign.start(gateway)
