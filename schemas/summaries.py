"""Query arguments of the summary documents."""

from __future__ import annotations

from marshmallow import fields

from .common import StrictSchema


class SummaryArgsSchema(StrictSchema):
    as_of = fields.Date(
        metadata={"description": "What was known at the end of this day, UTC; default: now"}
    )
