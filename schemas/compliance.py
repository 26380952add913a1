"""Schemas of the compliance matrix."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .catalogue import UN_GROUPS
from .common import StrictSchema, as_of_field
from .reports import FLAGS, RATINGS

SORTS = ("state", "-state", "completeness", "-completeness", "days_late", "-days_late")


class ComplianceArgsSchema(StrictSchema):
    as_of = as_of_field()
    un_group = fields.String(validate=validate.OneOf(UN_GROUPS))
    rating = fields.String(validate=validate.OneOf(RATINGS))
    flag = fields.String(validate=validate.OneOf(FLAGS))
    sort = fields.String(load_default="state", validate=validate.OneOf(SORTS),
                         metadata={"description": "A leading `-` sorts in descending order; "
                                   "rows without a value come last"})
    format = fields.String(validate=validate.OneOf(("json", "csv")),
                           metadata={"description": "`csv` is the same as `Accept: text/csv`"})


class MatrixArgsSchema(ComplianceArgsSchema):
    resolution = fields.Integer(required=True, validate=validate.Range(min=1, max=100000),
                                metadata={"example": 2397})


class ComplianceRowSchema(Schema):
    state = fields.String(required=True)
    name = fields.String(required=True)
    un_group = fields.String(required=True)
    resolution = fields.Integer(required=True)
    deadline = fields.Date(allow_none=True)
    reported = fields.Boolean(required=True)
    report_id = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True, metadata={"description": "Latest as of the date"})
    received_at = fields.DateTime(allow_none=True, metadata={"description": "Of that version"})
    first_received_at = fields.DateTime(allow_none=True)
    on_time = fields.Boolean(allow_none=True)
    days_late = fields.Integer(
        allow_none=True,
        metadata={"description": "Days between deadline and first receipt; for a state "
                  "that has not reported, days since the deadline"},
    )
    completeness = fields.Float(allow_none=True)
    rating = fields.String(required=True, metadata={"enum": list(RATINGS)})
    flags = fields.List(fields.String(metadata={"enum": list(FLAGS)}), required=True)
    demo = fields.Boolean(required=True, metadata={"description": "Built from demo data"})


class MatrixSummarySchema(Schema):
    states = fields.Integer(required=True)
    reported = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    not_reported = fields.Integer(required=True)


class MatrixSchema(Schema):
    resolution = fields.Integer(required=True)
    symbol = fields.String(required=True)
    deadline = fields.Date(allow_none=True)
    as_of = fields.Date(required=True)
    demo = fields.Boolean(required=True, metadata={"description": "Any row is demo data"})
    summary = fields.Nested(MatrixSummarySchema, required=True,
                            metadata={"description": "Counts over all 193 states, unfiltered"})
    total = fields.Integer(required=True, metadata={"description": "Rows after filters"})
    items = fields.List(fields.Nested(ComplianceRowSchema), required=True)


class StateProfileSchema(Schema):
    state = fields.String(required=True)
    name = fields.String(required=True)
    un_group = fields.String(required=True)
    as_of = fields.Date(required=True)
    demo = fields.Boolean(required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(ComplianceRowSchema), required=True)
