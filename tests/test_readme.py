"""The README is a newcomer's guide: its configuration table must name every setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from gateway.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def environment_names(model: type[BaseModel], prefix: str = "CONCUR_GATEWAY_") -> Iterator[str]:
    for name, field in model.model_fields.items():
        env = prefix + name.upper()
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from environment_names(annotation, env + "__")
        else:
            yield env


def test_every_setting_is_in_the_readme_table() -> None:
    text = README.read_text()
    missing = [env for env in environment_names(Settings) if f"`{env}`" not in text]
    assert missing == [], f"add these settings to the README's configuration table: {missing}"


def test_the_readme_links_to_files_that_exist() -> None:
    text = README.read_text()
    for target in (
        "docs/graph.md",
        "docs/caching.md",
        "docs/events.md",
        "docs/grpc.md",
        "docs/graphiql.md",
        "docs/operations.md",
        "docs/sandbox.md",
        "docs/graphiql.png",
        "schema.graphql",
    ):
        assert f"({target}" in text, target
        assert (README.parent / target).exists(), target
