"""Schemas shared by every blueprint: problem details and pagination."""

from __future__ import annotations

from flask import current_app
from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate


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


class AtMostPageSizeMax(validate.Validator):
    """`page_size` up to the application's `PAGE_SIZE_MAX`, read when the request is parsed
    (the OpenAPI document states the same number as `maximum`)."""

    def __call__(self, value: int) -> int:
        limit = current_app.config["PAGE_SIZE_MAX"]
        if value > limit:
            raise ValidationError(f"Must be less than or equal to {limit}.")
        return value


PAGE_SIZE_DESCRIPTION = (
    "Items per page: default 50 (`PAGE_SIZE_DEFAULT`), at most 200 unless the deployment "
    "sets `PAGE_SIZE_MAX` (this document's `maximum` is the number in force)"
)


def _page_field(load_default: int | None) -> fields.Integer:
    return fields.Integer(load_default=load_default,
                          validate=validate.Range(min=1, max=1_000_000),
                          metadata={"example": 1, "description": "Page number, from 1"})


def _page_size_field(description: str = PAGE_SIZE_DESCRIPTION) -> fields.Integer:
    return fields.Integer(
        load_default=None,
        validate=[validate.Range(min=1), AtMostPageSizeMax()],
        metadata={"description": description},
    )


class PageArgsSchema(StrictSchema):
    page = _page_field(1)
    page_size = _page_size_field()


class OptionalPageArgsSchema(StrictSchema):
    """For a list that comes whole in one response unless `page` or `page_size` is given."""

    page = _page_field(None)
    page_size = _page_size_field(
        "Page the rows: items per page, default 50 (`PAGE_SIZE_DEFAULT`), at most 200 unless "
        "the deployment sets `PAGE_SIZE_MAX` (this document's `maximum` is the number in "
        "force). Without `page` and `page_size` every row comes in one response."
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
