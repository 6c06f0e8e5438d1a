"""A Concur user (or company/app principal) as a token names it."""

from __future__ import annotations

import strawberry

from adapters import models
from resolvers.types.enums import TokenKind


@strawberry.type(description="A Concur principal: a user, a company or an app.")
class User:
    id: strawberry.ID
    kind: TokenKind

    @classmethod
    def from_model(cls, model: models.User) -> User:
        return cls(id=strawberry.ID(model.id), kind=model.kind)

    @classmethod
    def owner(cls, user_id: str | None) -> User | None:
        if user_id is None:
            return None
        return cls(id=strawberry.ID(user_id), kind=models.TokenKind.USER)


__all__ = ["User"]
