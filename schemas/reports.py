"""Schemas of reports: the submission body, the report as returned, versions and scores."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.domain import SCORED_RATINGS, EntryStatus, Flag, Rating

from .common import (
    BoundedDate,
    BoundedDateTime,
    PageArgsSchema,
    ProblemItemSchema,
    StrictSchema,
    page_schema,
    today_utc,
)

STATUSES = tuple(EntryStatus)
RATINGS = tuple(Rating)
FLAGS = tuple(Flag)
FIGURE_MAX = 10_000_000
MAX_ENTRIES = 200
MAX_EVIDENCE = 50
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# C0 and C1 control characters, except tab, line feed and carriage return; also U+FFFE/FFFF.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# A bound for any date of a report, whatever the regime: no Security Council resolution is
# older (the Council first met in January 1946). The service checks a backfilled receipt
# against the adoption of the report's resolution.
EARLIEST_DATE = dt.date(1946, 1, 1)
# A report may bear tomorrow's date (its author's time zone) and a backfilled receipt time may
# run a few minutes ahead of the server's clock.
RECEIPT_CLOCK_SKEW = dt.timedelta(minutes=5)


def _latest_report_date() -> dt.date:
    return today_utc() + dt.timedelta(days=1)


def _latest_receipt() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + RECEIPT_CLOCK_SKEW

# Length limits of the text fields, documented in the OpenAPI document (maxLength).
TEXT_LIMITS = {
    "legal_basis": 4000,
    "competent_authority": 1000,
    "measures": 20000,
    "justification": 10000,
    "notes": 20000,
    "evidence_title": 500,
    "evidence_reference": 1000,
    "reference": 200,
}


class Text(fields.String):
    """A string with a length limit and no control characters (tab and newlines allowed)."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        validators = [validate.Length(max=max_length)]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if CONTROL_RE.search(text):
            raise ValidationError("Control characters (such as NUL) are not allowed.")
        return text


def _optional_text(limit: int, description: str | None = None) -> Text:
    metadata = {"description": description} if description else {}
    return Text(limit, allow_none=True, load_default=None, metadata=metadata)


class EnforcementSchema(StrictSchema):
    inspections = fields.Integer(
        strict=True, allow_none=True, load_default=None,
        validate=validate.Range(min=0, max=FIGURE_MAX),
    )
    seizures = fields.Integer(
        strict=True, allow_none=True, load_default=None,
        validate=validate.Range(min=0, max=FIGURE_MAX),
    )
    designations = fields.Integer(
        strict=True, allow_none=True, load_default=None,
        validate=validate.Range(min=0, max=FIGURE_MAX),
    )
    violations_reported = fields.Integer(
        strict=True, allow_none=True, load_default=None,
        validate=validate.Range(min=0, max=FIGURE_MAX),
    )


class EvidenceSchema(StrictSchema):
    title = _optional_text(TEXT_LIMITS["evidence_title"])
    reference = _optional_text(
        TEXT_LIMITS["evidence_reference"], "Document symbol, gazette number or URL"
    )


class EntryInSchema(StrictSchema):
    obligation = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Obligation code from the resolution, e.g. `2397/7`",
                  "example": "2397/7"},
    )
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    legal_basis = _optional_text(TEXT_LIMITS["legal_basis"])
    competent_authority = _optional_text(TEXT_LIMITS["competent_authority"])
    measures = _optional_text(TEXT_LIMITS["measures"])
    enforcement = fields.Nested(EnforcementSchema, allow_none=True, load_default=None)
    evidence = fields.List(
        fields.Nested(EvidenceSchema),
        load_default=list,
        validate=validate.Length(max=MAX_EVIDENCE),
    )
    justification = _optional_text(
        TEXT_LIMITS["justification"], "Required when status is `not_applicable`"
    )
    notes = _optional_text(TEXT_LIMITS["notes"])

    @validates_schema(skip_on_field_errors=False)
    def _justified(self, data: dict[str, Any], **kwargs: Any) -> None:
        justification = (data.get("justification") or "").strip()
        if data.get("status") == EntryStatus.NOT_APPLICABLE and not justification:
            raise ValidationError(
                "A justification is required when the status is not_applicable.",
                field_name="justification",
            )


class PeriodSchema(StrictSchema):
    start = BoundedDate(
        data_key="from", required=True, earliest=EARLIEST_DATE, latest=_latest_report_date,
        latest_label="today", metadata={"description": "First day of the period"},
    )
    end = BoundedDate(
        data_key="to", required=True, earliest=EARLIEST_DATE, latest=dt.date(9999, 12, 31),
        metadata={"description": "Last day of the period"},
    )

    @validates_schema(skip_on_field_errors=True)
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["end"] < data["start"]:
            raise ValidationError("The period ends before it begins.", field_name="to")


class ReportInSchema(StrictSchema):
    state = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error="An ISO 3166-1 alpha-3 code, e.g. FRA."),
        metadata={"example": "FRA"},
    )
    resolution = fields.Integer(required=True, strict=True,
                                validate=validate.Range(min=1, max=999_999),
                                metadata={"example": 2397})
    language = fields.String(
        required=True,
        validate=[
            validate.Length(max=35),
            validate.Regexp(LANGUAGE_RE, error="A language tag such as en, fr, ar, zh, ru, es."),
        ],
        metadata={"example": "fr"},
    )
    reference = _optional_text(TEXT_LIMITS["reference"], "The report's document symbol")
    dated = BoundedDate(
        earliest=EARLIEST_DATE, latest=_latest_report_date, latest_label="today",
        allow_none=True, load_default=None, metadata={"description": "Date the report bears"},
    )
    received_at = BoundedDateTime(
        earliest=dt.datetime.combine(EARLIEST_DATE, dt.time(), dt.UTC),
        latest=_latest_receipt, latest_label="now",
        default_timezone=dt.UTC,
        metadata={"description": "Admin only: when a historical report was received "
                  "(backfill). Otherwise the server's time."},
    )
    requirement = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={"description": "The reporting requirement answered: a requirement's code, "
                  "or a stage's code for a staged one (`2397/R-8-midterm`). Default: the "
                  "resolution's `once` requirement.", "example": "2397/R-general"},
    )
    period = fields.Nested(
        PeriodSchema,
        metadata={"description": "For a periodic requirement: the period notified, one whole "
                  "period of the requirement's grid (see `GET /states/{iso3}/deadlines`)"},
    )
    event_on = BoundedDate(
        earliest=EARLIEST_DATE, latest=_latest_report_date, latest_label="today",
        metadata={"description": "For an on-event requirement: the day of the event reported"},
    )
    nil = fields.Boolean(
        load_default=False,
        metadata={"description": "A nil report: the State meets no condition of the "
                  "requirement (\"we supply none\"). Needs `justification` and no entries; "
                  "allowed only where the requirement's `applies_to` is not `all`"},
    )
    justification = _optional_text(TEXT_LIMITS["justification"],
                                   "Why a nil report: required when `nil` is true")
    entries = fields.List(
        fields.Nested(EntryInSchema),
        load_default=list,
        validate=validate.Length(
            max=MAX_ENTRIES,
            error="A report addresses at least one obligation and at most {max}.",
        ),
        metadata={"description": "At least one, except in a nil report (none)"},
    )


# --- responses ---------------------------------------------------------------------------

class EnforcementOutSchema(Schema):
    inspections = fields.Integer(allow_none=True)
    seizures = fields.Integer(allow_none=True)
    designations = fields.Integer(allow_none=True)
    violations_reported = fields.Integer(allow_none=True)


class EvidenceOutSchema(Schema):
    title = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)


class EntryOutSchema(Schema):
    obligation = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    legal_basis = fields.String(allow_none=True)
    competent_authority = fields.String(allow_none=True)
    measures = fields.String(allow_none=True)
    enforcement = fields.Nested(EnforcementOutSchema, allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceOutSchema), required=True)
    justification = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class ReportLinksSchema(Schema):
    self = fields.String(required=True)
    versions = fields.String(required=True)
    score = fields.String(required=True)
    resolution = fields.String(required=True)
    state = fields.String(required=True)


class PeriodOutSchema(Schema):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)


class ReportSummarySchema(Schema):
    """A report as lists show it: where it stands, without its entries."""

    id = fields.String(required=True, metadata={"description": "Opaque identifier"})
    state = fields.String(required=True)
    resolution = fields.Integer(required=True)
    requirement = fields.String(
        allow_none=True, metadata={"description": "The requirement or stage answered; null "
                                   "only for a report stored before the resolution's "
                                   "requirements were in the catalogue"})
    period = fields.Nested(PeriodOutSchema, allow_none=True,
                           metadata={"description": "The period notified (periodic)"})
    event_on = fields.Date(allow_none=True, metadata={"description": "The event reported "
                                                      "(on-event requirements)"})
    nil = fields.Boolean(required=True, metadata={"description": "A nil report (the "
                                                  "requirement's condition is not met)"})
    version = fields.Integer(required=True)
    received_at = fields.DateTime(required=True, metadata={"description": "Of this version"})
    first_received_at = fields.DateTime(required=True)
    due = fields.Date(allow_none=True, metadata={"description": "When what it answers was "
                                                 "due; null for an event"})
    on_time = fields.Boolean(
        allow_none=True, metadata={"description": "Null where nothing sets a due date"}
    )
    days_late = fields.Integer(allow_none=True)
    days_from_event = fields.Integer(
        allow_none=True, metadata={"description": "On-event reports: days from the event to "
                                   "the first receipt"})
    completeness = fields.Float(allow_none=True, metadata={"description": "Null for a nil "
                                                           "report"})
    rating = fields.String(allow_none=True, metadata={"enum": list(SCORED_RATINGS)})
    flags = fields.List(fields.String(metadata={"enum": list(FLAGS)}), required=True)
    demo = fields.Boolean(required=True, metadata={"description": "Synthetic demo data"})


class ReportOutSchema(ReportSummarySchema):
    """A report with the content of its latest version."""

    dated = fields.Date(allow_none=True)
    language = fields.String(required=True)
    reference = fields.String(allow_none=True)
    justification = fields.String(allow_none=True,
                                  metadata={"description": "Why a nil report; null otherwise"})
    entries = fields.List(fields.Nested(EntryOutSchema), required=True)
    links = fields.Nested(ReportLinksSchema, required=True)


ReportPageSchema = page_schema(ReportSummarySchema, "ReportPage")


class ReportListArgsSchema(PageArgsSchema):
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{3}$"))
    resolution = fields.Integer(validate=validate.Range(min=1, max=100000))
    rating = fields.String(validate=validate.OneOf(SCORED_RATINGS))
    requirement = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={"description": "Reports answering this requirement or stage code"})
    regime = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={"example": "1540", "description": "Reports on the resolutions of this "
                  "regime (a regime's code; unknown: 422 naming `regime`)"})


class VersionSummarySchema(Schema):
    version = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)
    submitted_by = fields.String(allow_none=True)
    nil = fields.Boolean(required=True)
    completeness = fields.Float(allow_none=True)
    rating = fields.String(allow_none=True)
    score_method = fields.String(required=True)


class VersionListSchema(Schema):
    report = fields.String(required=True)
    items = fields.List(fields.Nested(VersionSummarySchema), required=True)
    total = fields.Integer(required=True)


class VersionDetailSchema(VersionSummarySchema):
    report = fields.String(required=True)
    document = fields.Dict(
        required=True,
        metadata={"description": "The request body of this version, exactly as received"},
    )


class ScoredSupersessionSchema(Schema):
    code = fields.String(required=True)
    on = fields.String(required=True)
    verified = fields.Boolean(required=True)


class ObligationScoreSchema(Schema):
    code = fields.String(required=True)
    status = fields.String(allow_none=True)
    points = fields.Float(required=True)
    max_points = fields.Integer(required=True)
    missing = fields.List(fields.String(), required=True)
    warnings = fields.List(fields.String(), required=True)
    in_force = fields.Boolean(
        metadata={"description": "false: the obligation was not in force when the version "
                  "was received (superseded, or not yet in force); it earns no points and "
                  "costs none. Absent in scores stored before this was recorded."})
    superseded_by = fields.Nested(ScoredSupersessionSchema, allow_none=True)


class ScoreSchema(Schema):
    completeness = fields.Float(
        allow_none=True, metadata={"description": "Null for a nil report (nothing to score)"})
    rating = fields.String(allow_none=True, metadata={"enum": list(SCORED_RATINGS)})
    method = fields.String(required=True)
    on_time = fields.Boolean(allow_none=True)
    days_late = fields.Integer(allow_none=True)
    obligations = fields.List(fields.Nested(ObligationScoreSchema), required=True)
    unaddressed = fields.List(fields.String(), required=True)
    superseded = fields.List(
        fields.String(),
        metadata={"description": "Obligations the report is about that a later paragraph had "
                  "superseded when the version was received: not scored"})
    not_in_force = fields.List(
        fields.String(), metadata={"description": "Every obligation not scored because it "
                                   "was not in force (superseded ones included)"})


class ValidationResultSchema(Schema):
    valid = fields.Boolean(required=True)
    errors = fields.List(fields.Nested(ProblemItemSchema), required=True,
                         metadata={"description": "Same items as a 422 problem"})
    score = fields.Nested(ScoreSchema, allow_none=True)


# --- the difference between two versions -------------------------------------------------

class SegmentSchema(Schema):
    op = fields.String(required=True, metadata={"enum": ["equal", "insert", "delete"]})
    text = fields.String(required=True)


class FieldChangeSchema(Schema):
    field = fields.String(required=True, metadata={
        "description": "Report fields: `dated`, `language`, `reference`, `justification`; "
        "entry fields: `status`, `legal_basis`, `competent_authority`, `measures`, "
        "`justification`, `notes`"})
    old = fields.String(allow_none=True)
    new = fields.String(allow_none=True)
    segments = fields.List(fields.Nested(SegmentSchema), allow_none=True, metadata={
        "description": "Free text only (null otherwise): the `equal` and `delete` segments "
        "joined are `old`, the `equal` and `insert` ones `new` (null as the empty text)"})
    granularity = fields.String(allow_none=True, metadata={
        "enum": ["word", "sentence", "whole"],
        "description": "What `segments` compare: words, or sentences or the whole changed "
        "middle when two texts are too long to compare word by word"})


class FigureChangeSchema(Schema):
    figure = fields.String(required=True, metadata={
        "enum": ["inspections", "seizures", "designations", "violations_reported"]})
    old = fields.Integer(allow_none=True)
    new = fields.Integer(allow_none=True)


class EvidenceChangeSchema(Schema):
    added = fields.List(fields.Nested(EvidenceOutSchema), required=True)
    removed = fields.List(fields.Nested(EvidenceOutSchema), required=True)


class EntryDiffSchema(Schema):
    obligation = fields.String(required=True)
    change = fields.String(required=True, metadata={
        "enum": ["added", "removed", "changed", "unchanged"]})
    entry = fields.Nested(EntryOutSchema, allow_none=True, metadata={
        "description": "The whole entry: the newer version's if added, the older's if "
        "removed; null otherwise"})
    fields_ = fields.List(fields.Nested(FieldChangeSchema), required=True, data_key="fields",
                          attribute="fields")
    enforcement = fields.List(fields.Nested(FigureChangeSchema), required=True,
                              metadata={"description": "Each figure that changed"})
    evidence = fields.Nested(EvidenceChangeSchema, required=True, metadata={
        "description": "Items (title and reference) in one version and not the other; "
        "reordering is not a change"})


class NilChangeSchema(Schema):
    old = fields.Boolean(required=True)
    new = fields.Boolean(required=True)


class DiffCountsSchema(Schema):
    added = fields.Integer(required=True)
    removed = fields.Integer(required=True)
    changed = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class VersionDiffSchema(Schema):
    """What changed from one version of a report to a later one."""

    report = fields.String(required=True)
    older = fields.Nested(VersionSummarySchema, required=True)
    newer = fields.Nested(VersionSummarySchema, required=True)
    identical = fields.Boolean(required=True)
    nil = fields.Nested(NilChangeSchema, allow_none=True, metadata={
        "description": "The report became nil or stopped being nil; null if neither"})
    fields_ = fields.List(fields.Nested(FieldChangeSchema), required=True, data_key="fields",
                          attribute="fields",
                          metadata={"description": "Report-level fields that changed"})
    counts = fields.Nested(DiffCountsSchema, required=True)
    entries = fields.List(fields.Nested(EntryDiffSchema), required=True, metadata={
        "description": "One per obligation in either version: the newer version's order, "
        "then the removed ones"})
