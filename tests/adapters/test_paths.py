from __future__ import annotations

import pytest
from yarl import URL

from adapters.errors import BadUserInput
from adapters.paths import build_url, path_id, segment_after


def test_build_url_fills_placeholders_and_encodes_segments() -> None:
    url = build_url(
        URL("http://127.0.0.1:8081"),
        "/api/expense/expensereport/v1.1/report/{reportKey}/entry/{entryId}",
        reportKey="nYO0ck$sCI",
        entryId="a%b",
    )
    assert str(url) == (
        "http://127.0.0.1:8081/api/expense/expensereport/v1.1/report/nYO0ck$sCI/entry/a%25b"
    )


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "a?b", "a#b", "a b", "x" * 257, "a\\b"])
def test_ids_that_would_change_the_path_are_refused(bad: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        path_id(bad, "reportId")
    assert caught.value.field == "reportId"


def test_segment_after() -> None:
    url = "https://www.concursolutions.com/api/expense/expensereport/v1.1/report/K$1/entry/E2"
    assert segment_after(url, "report") == "K$1"
    assert segment_after(url, "entry") == "E2"
    assert segment_after(url + "/", "entry") == "E2"
    assert segment_after(url, "nothing") is None
