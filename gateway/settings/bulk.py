"""Settings of bulk workflow actions (``CONCUR_GATEWAY_BULK__…``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class BulkSettings(BaseModel):
    """How much one ``approveReports``/``sendBackReports`` (or gRPC ``BulkAct``) may do.

    Each item costs Concur a guard read and an action, so ``concurrency`` bounds how many
    items of one batch are in flight at once, and ``max_items`` bounds the batch itself.
    """

    concurrency: int = Field(default=4, ge=1, le=64)
    max_items: int = Field(default=100, ge=1, le=1000)


__all__ = ["BulkSettings"]
