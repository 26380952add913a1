"""Query arguments of the summary documents."""

from __future__ import annotations

from .common import StrictSchema, as_of_field


class SummaryArgsSchema(StrictSchema):
    as_of = as_of_field()
