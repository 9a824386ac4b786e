"""What the OpenAPI schema says beyond what drf-spectacular reads from the views:
the errors every operation can answer, in one shared `Error` shape; the rules of
`oms.core.api.input` that apply to every input (no NUL character in text, money as a
string or a number, the size of lists of objects). tests/api/test_schema_fuzz.py
runs schemathesis over this schema: documented is actual."""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One problem: `field` alone is the dotted path of an input field "
    "(`lines.0.quantity`, `delivery.address.postal_code`); with `line` (an order line, "
    "by its place in `lines`, from 0) or `index` (a row of a feed's `items`, from 0), "
    "`field` is the field within that line or row, and is absent when the problem is the "
    "whole line or row. Without any of the three, the problem is the body as a whole.",
    "properties": {
        "field": {"type": "string"},
        "line": {"type": "integer", "minimum": 0},
        "index": {"type": "integer", "minimum": 0},
        "detail": {"type": "string", "description": "The problem, in words."},
    },
    "required": ["detail"],
    "additionalProperties": False,
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of the API: a 4xx status and this body, whatever the "
    "endpoint. Nothing was changed.",
    "properties": {
        "error": {
            "type": "string",
            "description": "A stable, machine-readable code: `invalid`, `malformed_json`, "
            "`not_found`, `unknown_code`, `invalid_feed`, `insufficient_stock`, "
            "`illegal_transition`, `permission_denied`, `not_authenticated`…",
        },
        "detail": {"type": "string", "description": "A human-readable explanation."},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ErrorItem"},
            "description": "The problems one by one, when there are any: every invalid "
            "field of `invalid` (nested input flattened to dotted paths), every bad row of "
            "`invalid_feed` by `index`, every bad line of an order by `line`.",
        },
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "requested": {"type": "integer"},
                    "available": {"type": "integer"},
                    "stock_point": {"type": "string", "nullable": True},
                },
                "required": ["sku", "requested", "available"],
            },
            "description": "`insufficient_stock` only: each short line.",
        },
    },
    "required": ["error", "detail"],
    "additionalProperties": False,
}

DESCRIPTIONS = {
    "400": _("Invalid input (`invalid`, each problem in `errors`) or malformed JSON; nothing changed."),
    "401": _("Not authenticated: send `Authorization: Token <token>`."),
    "403": _(
        "The caller's role may not do this, or its token lacks the scope (`insufficient_scope`) "
        "or does not act for the channel (`channel_not_allowed`)."
    ),
    "404": _("Not found."),
    "409": _("Conflicts with the current state; nothing changed."),
    "413": _("The request body is too large."),
    "415": _("The request body is not `application/json`."),
    "422": _("Well-formed, but cannot be processed."),
    "429": _("Too many requests from this caller (`throttled`): retry after `Retry-After` seconds."),
}

UNSAFE = {"post", "put", "patch", "delete"}

# Text without NUL characters: the pattern `oms.core.api.input` enforces on every string.
NO_NUL = "^[^\\u0000]*$"


def error_statuses(method: str, operation: dict[str, Any]) -> set[str]:
    """The 4xx statuses an operation can answer, whatever its view."""
    statuses = {"400", "401", "403", "429"}  # 429: the caller's rate (oms.core.api.throttling)
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" for p in parameters) or any(p["name"] == "page" for p in parameters):
        statuses.add("404")  # an unknown object, or a page past the last one
    if method in UNSAFE:
        statuses.add("409")  # a state that forbids the change, or a racing writer
    if "requestBody" in operation:
        statuses |= {"413", "415"}
    return statuses


def document_errors(result: dict[str, Any], generator, request, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation lists its 4xx statuses
    (those of `error_statuses`, plus any its view declares), each with `Error`."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = copy.deepcopy(ERROR_SCHEMA)
    schemas["ErrorItem"] = copy.deepcopy(ERROR_ITEM_SCHEMA)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                responses.setdefault(status, {"description": str(DESCRIPTIONS[status])})
            for status, response in responses.items():
                if status.startswith("4"):
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
                    if not response.get("description"):
                        response["description"] = str(DESCRIPTIONS.get(status, ""))
            operation["responses"] = dict(sorted(responses.items()))
    return result


def _request_schemas(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas of every input: request components, and parameters."""
    schemas = [
        schema
        for name, schema in result.get("components", {}).get("schemas", {}).items()
        if name.endswith("Request")
    ]
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            schemas.extend(p["schema"] for p in operation.get("parameters", []) if "schema" in p)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                if "$ref" not in content.get("schema", {}):
                    schemas.append(content.get("schema", {}))
    return schemas


def _walk(schema: Any) -> list[dict[str, Any]]:
    """A schema and every schema inside it (not inside examples or defaults)."""
    found = []
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(v for k, v in item.items() if k not in ("example", "examples", "default", "enum"))
        elif isinstance(item, list):
            stack.extend(item)
    return found


def document_text_rule(result: dict[str, Any], generator, request, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the text rule of `oms.core.api.input` in every
    input schema (request bodies and parameters): no NUL character. Strings with a
    pattern, a format or an enum already exclude it."""
    for root in _request_schemas(result):
        for schema in _walk(root):
            if schema.get("type") == "string" and not any(k in schema for k in ("pattern", "format", "enum")):
                schema["pattern"] = NO_NUL
    return result


# --- Fields ------------------------------------------------------------------------------


class MoneyFieldSchema(OpenApiSerializerFieldExtension):
    """`oms.core.api.input.MoneyField`: a string out; a string or a number in."""

    target_class = "oms.core.api.input.MoneyField"

    def map_serializer_field(self, auto_schema, direction):
        from oms.core.api.input import MONEY_LIMIT, MONEY_TEXT

        text = {"type": "string", "format": "decimal", "pattern": MONEY_TEXT}
        if direction == "response":
            return text
        number = {"type": "number", "minimum": 0, "maximum": float(MONEY_LIMIT), "exclusiveMaximum": True}
        if self.target.max_value is not None:  # a field's own bound, inclusive
            number.pop("exclusiveMaximum")
            number["maximum"] = float(self.target.max_value)
        number["multipleOf"] = 0.01
        return {"oneOf": [text, number]}


class _ListSizeSchema(OpenApiSerializerFieldExtension):
    """Lists that refuse to be empty say `minItems`, and lists of nested objects
    their `maxItems` too (drf-spectacular reads neither)."""

    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request" and schema is not None and schema.get("type") == "array":
            least = self.target.min_length or 0
            if not self.target.allow_empty:
                least = max(least, 1)
            if least:
                schema["minItems"] = max(schema.get("minItems", 0), least)
            if self.target.max_length is not None:
                schema["maxItems"] = min(
                    schema.get("maxItems", self.target.max_length), self.target.max_length
                )
        return schema


class ListSerializerSchema(_ListSizeSchema):
    target_class = serializers.ListSerializer


class ListFieldSchema(_ListSizeSchema):
    target_class = serializers.ListField
