"""Schemas shared by every blueprint: problem details and pagination."""

from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields, validate


class StrictSchema(Schema):
    """Unknown fields are errors, never silently dropped."""

    class Meta:
        unknown = RAISE


class ProblemItemSchema(Schema):
    pointer = fields.String(
        required=True,
        metadata={
            "description": "JSON Pointer into the request body (`/entries/3/status`), "
            "or the name of the query parameter or header"
        },
    )
    detail = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, the body of every error response. Extension members may
    follow (for example `existing_report` on a 409)."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "URI naming the problem type"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(
        fields.Nested(ProblemItemSchema),
        metadata={"description": "Present on validation errors: one item per invalid value"},
    )
    existing_report = fields.String(
        metadata={"description": "On a 409 for a second report: the id of the existing one"}
    )


class PageArgsSchema(StrictSchema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=1_000_000), metadata={"example": 1}
    )
    page_size = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=200),
        metadata={"description": "Items per page; default 50, maximum 200"},
    )


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """A paginated envelope `{items, total, page, page_size}` for `item_schema`."""
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True, metadata={"description": "Items in all pages"}),
            "page": fields.Integer(required=True),
            "page_size": fields.Integer(required=True),
        },
    )
