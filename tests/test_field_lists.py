"""Each canonical field reaches every face: the graph type and the gRPC message.

A field added to ``adapters.models.Report`` or ``Entry`` and forgotten in the Strawberry
type or the proto message fails here, by name. ``RENAMED`` lists the fields each face
shows under another name or shape, and why.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from pydantic import BaseModel
from strawberry.types.base import get_object_definition

from adapters import models
from gateway.grpc.gen.concur_gateway.v1 import types_pb2
from resolvers.types.entry import Entry
from resolvers.types.inputs import ReportPatchInput
from resolvers.types.report import Report

RENAMED: Final = {
    ("Report", "owner_id"): "shown as `owner` (a User), so a client can follow it",
}
"""(canonical model, field) pairs that every face shows under another name, and why."""

FACES: Final[list[tuple[type[BaseModel], type, Any]]] = [
    (models.Report, Report, types_pb2.Report),
    (models.Entry, Entry, types_pb2.Entry),
]


def _graph_fields(graph_type: type) -> set[str]:
    return {f.python_name for f in get_object_definition(graph_type, strict=True).fields}


def _expected(model: type[BaseModel]) -> set[str]:
    return {name for name in model.model_fields if (model.__name__, name) not in RENAMED}


@pytest.mark.parametrize(("model", "graph_type", "message"), FACES)
def test_every_canonical_field_is_in_the_graph_type(
    model: type[BaseModel], graph_type: type, message: Any
) -> None:
    assert _expected(model) - _graph_fields(graph_type) == set()


@pytest.mark.parametrize(("model", "graph_type", "message"), FACES)
def test_every_canonical_field_is_in_the_proto_message(
    model: type[BaseModel], graph_type: type, message: Any
) -> None:
    assert _expected(model) - set(message.DESCRIPTOR.fields_by_name) == set()


def test_every_renamed_field_still_exists() -> None:
    models_by_name = {model.__name__: model for model, _graph, _message in FACES}
    for model_name, name in RENAMED:
        assert name in models_by_name[model_name].model_fields


def test_the_patch_input_offers_exactly_the_patchable_fields() -> None:
    assert _graph_fields(ReportPatchInput) == models.PATCHABLE_FIELDS
