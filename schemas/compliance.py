"""Schemas of the compliance matrix."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.domain import RequirementKind, RowStatus

from .catalogue import UN_GROUPS
from .common import OptionalPageArgsSchema, StrictSchema, as_of_field
from .reports import FLAGS, RATINGS

SORTS = ("name", "-name", "state", "-state", "completeness", "-completeness", "days_late",
         "-days_late")
ROW_STATUSES = tuple(RowStatus)


class ComplianceArgsSchema(StrictSchema):
    as_of = as_of_field()
    un_group = fields.String(validate=validate.OneOf(UN_GROUPS))
    rating = fields.String(validate=validate.OneOf(RATINGS))
    flag = fields.String(validate=validate.OneOf(FLAGS))
    sort = fields.String(load_default="name", validate=validate.OneOf(SORTS),
                         metadata={"description": "`name`: by state name as an English reader "
                                   "orders it (default); `state`: by ISO code. A leading `-` "
                                   "sorts in descending order; rows without a value come last"})
    format = fields.String(validate=validate.OneOf(("json", "csv")),
                           metadata={"description": "`csv` is the same as `Accept: text/csv`"})


class MatrixArgsSchema(ComplianceArgsSchema, OptionalPageArgsSchema):
    resolution = fields.Integer(
        validate=validate.Range(min=1, max=100000),
        metadata={"example": 2397, "description": "The resolution's general (`once`) report; "
                  "`resolution` or `requirement` is required"})
    requirement = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={"example": "2397/R-8-midterm",
                  "description": "A requirement's code, or a stage's code for a staged one"})

    regime = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={"example": "1540",
                  "description": "A regime's code. Alone: the regime's matrix, one row per "
                  "State and resolution of the regime that asks every State a general "
                  "(`once`) report, adopted by `as_of`; with `resolution` or `requirement`: "
                  "it must be their regime (422 naming `regime` otherwise). Unknown: 422"})

    @validates_schema
    def _one_subject(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("resolution") is None and data.get("requirement") is None
                and data.get("regime") is None):
            raise ValidationError("Give `resolution`, `requirement` or `regime`.",
                                  field_name="resolution")


class MissedPeriodSchema(Schema):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)
    due = fields.Date(required=True)


class InconsistencySchema(Schema):
    obligation = fields.String(required=True)
    figure = fields.String(required=True, metadata={"enum": ["seizures", "inspections"]})
    declared = fields.Integer(required=True, metadata={"description": "What the report says"})
    on_record = fields.Integer(required=True, metadata={
        "description": "Incidents of that kind on record for the State (as inspecting State), "
        "the obligation and the report's window"})


class ComplianceRowSchema(Schema):
    state = fields.String(required=True)
    name = fields.String(required=True)
    un_group = fields.String(required=True)
    resolution = fields.Integer(required=True)
    status = fields.String(
        required=True, metadata={
            "enum": list(ROW_STATUSES),
            "description": "`reported`; `not_reported` (a report is requested and none was "
            "received); `no_report_requested` (the resolution requests no national report); "
            "`not_expected` (the state is the target of the regime, not asked to report). "
            "Only `reported` and `not_reported` rows carry lax-enforcement flags."})
    deadline = fields.Date(allow_none=True)
    deadline_verified = fields.Boolean(
        allow_none=True,
        metadata={"description": "Whether the reporting deadline (and so on_time and "
                  "days_late) was confirmed against the resolution text; null where the "
                  "resolution sets no deadline"})
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
    rating = fields.String(
        allow_none=True,
        metadata={"enum": list(RATINGS),
                  "description": "Null where no report is requested of the state"})
    flags = fields.List(fields.String(metadata={"enum": list(FLAGS)}), required=True)
    demo = fields.Boolean(
        allow_none=True,
        metadata={"description": "true: built from a synthetic demo report; false: from a "
                  "real report; null: no report (neither real nor demo). In CSV: `true`, "
                  "`false` or empty."})
    requirement = fields.String(
        allow_none=True, metadata={"description": "The requirement or stage the row is "
                                   "about; null where the resolution requests no report"})
    nil = fields.Boolean(allow_none=True, metadata={"description": "A nil report (the "
                                                    "requirement's condition is not met); "
                                                    "null without a report"})
    periods_ended = fields.Integer(
        allow_none=True, metadata={"description": "Periodic requirements, for a state that "
                                   "has filed: periods ended by `as_of`"})
    periods_filed = fields.Integer(allow_none=True)
    periods_missed = fields.Integer(allow_none=True)
    missed_periods = fields.List(
        fields.Nested(MissedPeriodSchema), allow_none=True,
        metadata={"description": "The periods whose notification is overdue and missing. In "
                  "CSV: `from/to` items separated by `;`"})
    events = fields.Integer(allow_none=True, metadata={"description": "On-event "
                                                       "requirements: reports filed"})
    days_from_event = fields.Integer(allow_none=True, metadata={"description": "Of the latest "
                                                                "event reported"})
    incidents = fields.Integer(allow_none=True, metadata={
        "description": "Incidents on record by `as_of` naming the State as a party and "
        "engaging an obligation of the resolution; null for the regime's target State"})
    unreported_incidents = fields.Integer(allow_none=True, metadata={
        "description": "Of those, the ones the State neither filed nor acknowledged by "
        "`as_of` (flag `unreported_involvement`)"})
    demo_incidents = fields.Integer(allow_none=True, metadata={
        "description": "Of `incidents`, how many are synthetic demo data"})
    inconsistencies = fields.List(fields.Nested(InconsistencySchema), required=True, metadata={
        "description": "Figures of the row's report lower than the record (flag "
        "`inconsistent_with_record`). In CSV: `obligation figure declared<on_record` items "
        "separated by `;`"})
    contradicted = fields.Integer(allow_none=True, metadata={
        "description": "Published Panel findings (by `as_of`, not withdrawn by then) that "
        "assess an entry of the row's report as `contradicted` (flag `contradicted`); null "
        "without a report"})


class MatrixSummarySchema(Schema):
    states = fields.Integer(required=True, metadata={"description": "Member States (193)"})
    expected = fields.Integer(
        required=True,
        metadata={"description": "States asked to report: all but the regime's target "
                  "state; 0 where the resolution requests no report"})
    reported = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    not_reported = fields.Integer(required=True)
    no_report_requested = fields.Integer(required=True)
    not_expected = fields.Integer(required=True)
    real = fields.Integer(required=True, metadata={"description": "Reports that are real"})
    demo = fields.Integer(required=True,
                          metadata={"description": "Reports that are synthetic demo data"})
    median_completeness = fields.Float(allow_none=True)
    nil = fields.Integer(required=True, metadata={"description": "Nil reports among those "
                                                  "reported"})


class MatrixSchema(Schema):
    regime = fields.String(required=True, metadata={"description": "The regime's code"})
    resolution = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Null for a regime's matrix (`regime` alone): each row names its "
        "resolution"})
    symbol = fields.String(required=True, allow_none=True)
    resolutions = fields.List(fields.Integer(), metadata={
        "description": "A regime's matrix only: the resolutions it covers (those asking every "
        "State a general report, adopted by `as_of`)"})
    requirement = fields.String(allow_none=True, metadata={"description": "What the matrix is "
                                "about; null where the resolution requests no report"})
    kind = fields.String(allow_none=True, metadata={"enum": list(RequirementKind)})
    applies_to = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    deadline_verified = fields.Boolean(allow_none=True)
    as_of = fields.Date(required=True)
    demo = fields.Boolean(required=True, metadata={"description": "Any row is demo data"})
    summary = fields.Nested(MatrixSummarySchema, required=True,
                            metadata={"description": "Counts over all rows (193 states, or 193 "
                                      "per resolution of a regime's matrix), unfiltered"})
    total = fields.Integer(required=True,
                           metadata={"description": "Rows after filters, in all pages"})
    page = fields.Integer(metadata={"description": "Only when `page` or `page_size` was asked"})
    page_size = fields.Integer(
        metadata={"description": "Only when `page` or `page_size` was asked"}
    )
    items = fields.List(fields.Nested(ComplianceRowSchema), required=True)


class StateProfileSchema(Schema):
    state = fields.String(required=True)
    name = fields.String(required=True)
    un_group = fields.String(required=True)
    as_of = fields.Date(required=True)
    demo = fields.Boolean(required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(ComplianceRowSchema), required=True,
                        metadata={"description": "One row per resolution: its general report"})
    requirements = fields.List(
        fields.Nested(ComplianceRowSchema), required=True,
        metadata={"description": "One row per reporting requirement (a staged one: per "
                  "stage) of every resolution, with its status; not filtered"})
