"""Schemas of a State's reporting deadlines (`GET /api/v1/states/{iso3}/deadlines`)."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.domain import DeadlineStatus, RequirementKind

from .common import StrictSchema, as_of_field
from .reports import PeriodOutSchema

DEADLINE_STATUSES = tuple(DeadlineStatus)
KINDS = tuple(RequirementKind)


class DeadlineArgsSchema(StrictSchema):
    as_of = as_of_field("What was known at the end of this day, UTC; default: today. Not "
                        "before the first resolution that asks for a report (2006-10-14)")


class DeadlineItemSchema(Schema):
    requirement = fields.String(
        required=True, metadata={"description": "The code answered: a stage's code for a "
                                 "staged requirement (`2397/R-8-final`), else the "
                                 "requirement's; what a report names in `requirement`"})
    resolution = fields.Integer(required=True)
    symbol = fields.String(required=True, metadata={"example": "S/RES/2397 (2017)"})
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    paragraph = fields.String(allow_none=True)
    stage = fields.String(allow_none=True, metadata={"description": "The stage's name "
                                                     "(`midterm`); null for other kinds"})
    period = fields.Nested(PeriodOutSchema, allow_none=True,
                           metadata={"description": "The period to notify (periodic)"})
    event_on = fields.Date(allow_none=True, metadata={"description": "The event a report "
                                                      "filed on an on-event requirement "
                                                      "is about"})
    trigger = fields.String(allow_none=True, metadata={"description": "What calls for an "
                                                       "on-event report"})
    due = fields.Date(allow_none=True, metadata={"description": "Null for on-event "
                                                 "requirements"})
    applies_to = fields.String(required=True, metadata={"description": "`all`, or the "
                                                        "condition a State must meet"})
    conditional = fields.Boolean(
        required=True, metadata={"description": "`applies_to` is a condition: a State that "
                                 "does not meet it may file a nil report"})
    binding = fields.Boolean(required=True)
    verified = fields.Boolean(required=True, metadata={"description": "The requirement was "
                                                       "read in the resolution's text"})
    deadline_verified = fields.Boolean(
        allow_none=True, metadata={"description": "The due date was read in the resolution's "
                                   "text; false for a period's (a rule of this service); null "
                                   "without a due date"})
    status = fields.String(
        required=True, metadata={
            "enum": list(DEADLINE_STATUSES),
            "description": "`met` (a report was received by the end of `as_of`, UTC; "
            "`on_time` says whether by the due date), `nil` (its latest version by then is a "
            "nil report), `overdue` (the due date passed, nothing received), `due` (not yet "
            "due, nothing received), `on_event` (asked after an event: no due date)"})
    report_id = fields.String(allow_none=True)
    first_received_at = fields.DateTime(allow_none=True)
    on_time = fields.Boolean(allow_none=True, metadata={"description": "Null while due, and "
                                                        "without a due date"})
    days_late = fields.Integer(
        allow_none=True, metadata={"description": "Days from the due date to the first "
                                   "receipt; for an overdue item, days since the due date"})
    days_left = fields.Integer(allow_none=True, metadata={"description": "Days from `as_of` "
                                                          "to the due date, while due"})
    demo = fields.Boolean(allow_none=True, metadata={"description": "The report is synthetic "
                                                     "demo data (never shown to a reporter); "
                                                     "null without a report"})


class DeadlineSummarySchema(Schema):
    total = fields.Integer(required=True)
    met = fields.Integer(required=True)
    late = fields.Integer(required=True, metadata={"description": "Received (met or nil) "
                                                   "after the due date"})
    nil = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    due = fields.Integer(required=True)
    on_event = fields.Integer(required=True)


class StateDeadlinesSchema(Schema):
    state = fields.String(required=True, attribute="iso3")
    name = fields.String(required=True)
    as_of = fields.Date(required=True)
    demo = fields.Boolean(required=True, metadata={"description": "Any item is demo data"})
    note = fields.String(allow_none=True, metadata={
        "description": "Why a State has no deadlines (the target of a regime)"})
    summary = fields.Nested(DeadlineSummarySchema, required=True)
    items = fields.List(fields.Nested(DeadlineItemSchema), required=True)
