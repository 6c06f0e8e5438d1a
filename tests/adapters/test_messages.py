from __future__ import annotations

from adapters.messages import upstream_text


def test_scrubs_urls_paths_ids_and_tokens() -> None:
    text = upstream_text(
        "User 32c2fcc3-b2e8-4907-9672-5b3f49b1c643 (cmiller@example.com) may not access "
        "https://us.api.concursolutions.com/expensereports/v4/reports/ABC via "
        "/expensereports/v4/users/x/reports/ABC with Bearer eyJhbGciOi.eyJzdWIi.sig"
    )
    assert text is not None
    for secret in ("32c2fcc3", "example.com", "https://", "/expensereports", "eyJ"):
        assert secret not in text
    assert "may not access" in text


def test_bounds_length_and_handles_empty() -> None:
    assert upstream_text(None) is None
    assert upstream_text("") is None
    long = upstream_text("word " * 200)
    assert long is not None
    assert len(long) <= 300
