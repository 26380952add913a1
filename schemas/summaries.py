"""Query arguments of the summary documents."""

from __future__ import annotations

from marshmallow import fields, validate

from app.domain import Visibility

from .common import StrictSchema, as_of_field


class SummaryArgsSchema(StrictSchema):
    as_of = as_of_field()
    audience = fields.String(
        load_default=Visibility.PUBLIC, validate=validate.OneOf(tuple(Visibility)),
        metadata={"description": "`public` (the default): no incident recorded as restricted "
                  "appears anywhere in the document, in its lists or in its figures. "
                  "`restricted`: everything on record, every page marked \"Restricted\"; panel "
                  "and admin only (a reporter asking it is answered 403)."})


class StateSummaryArgsSchema(SummaryArgsSchema):
    regime = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={"example": "1540", "description": "Only this regime's resolutions and "
                  "requirements (a regime's code); by default every regime, a section each. "
                  "An unknown code is a 422 naming `regime`"})
