"""Schemas shared by every blueprint: problem details, pagination, bounded dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

# Adoption of resolution 1695, the earliest date in the bundled catalogue: nothing about
# sanctions reporting can be known as of an earlier day.
# The earliest `as_of` of any output, whatever the regime: no Security Council resolution is
# older (the Council first met in January 1946). Each output checks `as_of` against the
# adoption of the resolutions it is about (a matrix: its resolution's).
EARLIEST_AS_OF = dt.date(1946, 1, 1)
# Instants that both databases store and compare, and that survive conversion to UTC
# (an offset of up to ±23:59 moves a value across a year boundary).
EARLIEST_TIMESTAMP = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST_TIMESTAMP = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)

Bound = Any  # a value, or a callable returning one (for "today", "now")


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _resolve(bound: Bound) -> Any:
    return bound() if callable(bound) else bound


def _describe(bound: Bound, label: str | None) -> str:
    if label is not None:
        return label
    value = _resolve(bound)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _with_range(kwargs: dict[str, Any], text: str) -> dict[str, Any]:
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["description"] = " ".join(p for p in (metadata.get("description"), text) if p)
    return {**kwargs, "metadata": metadata}


class BoundedDate(fields.Date):
    """A `YYYY-MM-DD` date within [earliest, latest]; either bound may be a callable (such as
    `today_utc`). Outside it: a validation error naming the field, never an overflow later."""

    def __init__(self, *, earliest: Bound, latest: Bound, earliest_label: str | None = None,
                 latest_label: str | None = None, **kwargs: Any) -> None:
        self.earliest, self.latest = earliest, latest
        self.labels = (earliest_label, latest_label)
        text = (f"From {_describe(earliest, earliest_label)} to "
                f"{_describe(latest, latest_label)}.")
        super().__init__(**_with_range(kwargs, text))

    def _deserialize(self, value, attr, data, **kwargs):
        date = super()._deserialize(value, attr, data, **kwargs)
        earliest, latest = _resolve(self.earliest), _resolve(self.latest)
        if not earliest <= date <= latest:
            raise ValidationError(
                f"The date must lie between {_describe(earliest, self.labels[0])} and "
                f"{_describe(latest, self.labels[1])}."
            )
        return date


class BoundedDateTime(fields.AwareDateTime):
    """An ISO 8601 instant with an offset, converted to UTC and kept within [earliest,
    latest] (by default what both databases hold: years 1970 to 9999). A value whose
    conversion to UTC leaves the calendar is out of range, not a server error."""

    def __init__(self, *, earliest: Bound = EARLIEST_TIMESTAMP, latest: Bound = LATEST_TIMESTAMP,
                 earliest_label: str | None = None, latest_label: str | None = None,
                 **kwargs: Any) -> None:
        self.earliest, self.latest = earliest, latest
        self.labels = (earliest_label, latest_label)
        text = (f"From {_describe(earliest, earliest_label)} to "
                f"{_describe(latest, latest_label)}, after conversion to UTC.")
        super().__init__(**_with_range(kwargs, text))

    def _deserialize(self, value, attr, data, **kwargs):
        instant = super()._deserialize(value, attr, data, **kwargs)
        earliest, latest = _resolve(self.earliest), _resolve(self.latest)
        message = (f"The time must lie between {_describe(earliest, self.labels[0])} and "
                   f"{_describe(latest, self.labels[1])} (UTC).")
        try:
            instant = instant.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValidationError(message) from exc
        if not earliest <= instant <= latest:
            raise ValidationError(message)
        return instant


def as_of_field(description: str = "What was known at the end of this day, UTC; default: "
                "now") -> fields.Date:
    """The `as_of` query parameter: a record, not a forecast."""
    return BoundedDate(earliest=EARLIEST_AS_OF, latest=today_utc,
                       latest_label="today (UTC)", metadata={"description": description})


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
