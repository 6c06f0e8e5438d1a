"""A Concur status: a stable code and a localised name."""

from __future__ import annotations

import strawberry

from adapters import models


@strawberry.type(description="A Concur status: `code` is stable (A_PEND), `name` is localised.")
class Status:
    code: str
    name: str

    @classmethod
    def from_model(cls, model: models.Status) -> Status:
        return cls(code=model.code, name=model.name)


__all__ = ["Status"]
