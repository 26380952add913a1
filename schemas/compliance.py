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


# --- the matrix's rows without a schema per row -------------------------------------------
#
# A matrix is 193 rows of 30 fields: dumped through `ComplianceRowSchema` that is 5,800 field
# objects called per request, about a third of the request's time. `dump_row` writes the same
# dict by hand: same names, same order, same types (`Integer` -> int, `Float` -> float,
# `Date` and `DateTime` -> ISO 8601, `List(String)` -> list of str). The schemas above stay
# the response's description in the OpenAPI document; tests/test_matrix_serialisation.py
# checks that both give the same JSON, byte for byte, and that `dump_row` writes exactly the
# schema's fields.


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def dump_row(row: Any) -> dict[str, Any]:
    """A row of the matrix (`app.services.compliance.MatrixRow`) as `ComplianceRowSchema`
    dumps it."""
    missed = row.missed_periods
    return {
        "state": str(row.state),
        "name": str(row.name),
        "un_group": str(row.un_group),
        "resolution": int(row.resolution),
        "status": str(row.status),
        "deadline": _iso(row.deadline),
        "deadline_verified": row.deadline_verified,
        "reported": row.reported,
        "report_id": _str(row.report_id),
        "version": _int(row.version),
        "received_at": _iso(row.received_at),
        "first_received_at": _iso(row.first_received_at),
        "on_time": row.on_time,
        "days_late": _int(row.days_late),
        "completeness": _float(row.completeness),
        "rating": _str(row.rating),
        "flags": [str(f) for f in row.flags],
        "demo": row.demo,
        "requirement": _str(row.requirement),
        "nil": row.nil,
        "periods_ended": _int(row.periods_ended),
        "periods_filed": _int(row.periods_filed),
        "periods_missed": None if missed is None else len(missed),
        "missed_periods": None if missed is None else [
            {"from": _iso(p["start"]), "to": _iso(p["end"]), "due": _iso(p["due"])}
            for p in missed],
        "events": _int(row.events),
        "days_from_event": _int(row.days_from_event),
        "incidents": _int(row.incidents),
        "unreported_incidents": _int(row.unreported_incidents),
        "demo_incidents": _int(row.demo_incidents),
        "inconsistencies": [
            {"obligation": str(i["obligation"]), "figure": str(i["figure"]),
             "declared": _int(i["declared"]), "on_record": _int(i["on_record"])}
            for i in row.inconsistencies],
        "contradicted": _int(row.contradicted),
    }


def dump_summary(summary: Any) -> dict[str, Any]:
    """A matrix's `Headline` as `MatrixSummarySchema` dumps it."""
    return {
        "states": int(summary.states),
        "expected": int(summary.expected),
        "reported": int(summary.reported),
        "on_time": int(summary.on_time),
        "late": int(summary.late),
        "not_reported": int(summary.not_reported),
        "no_report_requested": int(summary.no_report_requested),
        "not_expected": int(summary.not_expected),
        "real": int(summary.real),
        "demo": int(summary.demo),
        "median_completeness": _float(summary.median_completeness),
        "nil": int(summary.nil),
    }


def dump_matrix(body: dict[str, Any]) -> dict[str, Any]:
    """The matrix's body (the view's dict, rows as `MatrixRow`) as `MatrixSchema` dumps it:
    `page` and `page_size` only when the body has them."""
    out: dict[str, Any] = {
        "regime": str(body["regime"]),
        "resolution": _int(body["resolution"]),
        "symbol": _str(body["symbol"]),
    }
    if "resolutions" in body:
        out["resolutions"] = [int(number) for number in body["resolutions"]]
    out |= {
        "requirement": _str(body["requirement"]),
        "kind": _str(body["kind"]),
        "applies_to": _str(body["applies_to"]),
        "deadline": _iso(body["deadline"]),
        "deadline_verified": body["deadline_verified"],
        "as_of": _iso(body["as_of"]),
        "demo": body["demo"],
        "summary": dump_summary(body["summary"]),
        "total": int(body["total"]),
    }
    for name in ("page", "page_size"):
        if name in body:
            out[name] = _int(body[name])
    out["items"] = [dump_row(row) for row in body["items"]]
    return out


def dump_state_profile(body: dict[str, Any]) -> dict[str, Any]:
    """A state's profile (the view's dict) as `StateProfileSchema` dumps it."""
    return {
        "state": str(body["state"]),
        "name": str(body["name"]),
        "un_group": str(body["un_group"]),
        "as_of": _iso(body["as_of"]),
        "demo": body["demo"],
        "total": int(body["total"]),
        "items": [dump_row(row) for row in body["items"]],
        "requirements": [dump_row(row) for row in body["requirements"]],
    }
