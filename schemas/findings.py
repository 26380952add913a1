"""Schemas of Panel findings: a finding as the Panel sends and amends it, a status change, a
State's reply, the list's filters, and a finding as returned."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.domain import Assessment, EntryStatus, FindingStatus, SubjectKind, Visibility

from .common import PageArgsSchema, StrictSchema, page_schema
from .incidents import ISO3, SourceOutSchema, SourceSchema
from .reports import LANGUAGE_RE, Text

MAX_EVIDENCE = 50
TEXT_LIMIT = 20000
REASON_LIMIT = 2000
ID_LENGTH = validate.Length(min=1, max=64)
LANGUAGE = fields.String(
    required=True,
    validate=[validate.Length(max=35),
              validate.Regexp(LANGUAGE_RE, error="A language tag such as en, fr, ar.")],
    metadata={"example": "en"})


class SubjectSchema(StrictSchema):
    """One of `{report, obligation}` (an entry of a report), `{incident}` or `{obligation}`
    (the State's implementation of an obligation)."""

    report = fields.String(validate=ID_LENGTH, metadata={"description": "A report's id"})
    obligation = fields.String(validate=validate.Length(min=1, max=40), metadata={
        "description": "An obligation's code (`2397/7`)"})
    incident = fields.String(validate=ID_LENGTH, metadata={"description": "An incident's id"})

    @validates_schema(skip_on_field_errors=True)
    def _one_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        named = set(data)
        if named in ({"report", "obligation"}, {"incident"}, {"obligation"}):
            return
        if named == {"report"}:
            raise ValidationError("Name the report's entry: give `obligation` too.",
                                  field_name="obligation")
        raise ValidationError("Give {report, obligation}, {incident} or {obligation}.",
                              field_name="_schema")


class FindingEvidenceSchema(StrictSchema):
    """`{"incident": id}` or `{"source": {kind, reference, title}}`."""

    incident = fields.String(validate=ID_LENGTH)
    source = fields.Nested(SourceSchema)

    @validates_schema(skip_on_field_errors=True)
    def _one_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        if len(data) != 1:
            raise ValidationError("Give either `incident` or `source`.", field_name="_schema")


class FindingContentSchema(StrictSchema):
    """What an amendment replaces (PUT): the state and the subject are fixed at creation."""

    assessment = fields.String(required=True, validate=validate.OneOf(tuple(Assessment)))
    text = Text(TEXT_LIMIT, required=True, metadata={
        "description": "The finding, in `language`"})
    language = LANGUAGE
    evidence = fields.List(fields.Nested(FindingEvidenceSchema), load_default=list,
                           validate=validate.Length(max=MAX_EVIDENCE))
    visibility = fields.String(
        load_default=Visibility.RESTRICTED, validate=validate.OneOf(tuple(Visibility)),
        metadata={"description": "`public`: in public outputs once published; `restricted` "
                  "(the default): panel and admin, and the State concerned, only"})

    @validates_schema(skip_on_field_errors=True)
    def _has_text(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data["text"].strip():
            raise ValidationError("The finding needs a text.", field_name="text")


class FindingInSchema(FindingContentSchema):
    state = fields.String(required=True, validate=ISO3, metadata={
        "description": "The State the finding is about (ISO 3166-1 alpha-3)", "example": "FRA"})
    subject = fields.Nested(SubjectSchema, required=True)


class StatusChangeSchema(StrictSchema):
    to = fields.String(required=True, validate=validate.OneOf(
        (FindingStatus.SHARED, FindingStatus.PUBLISHED, FindingStatus.WITHDRAWN)))
    reason = Text(REASON_LIMIT, allow_none=True, load_default=None, metadata={
        "description": "Required to publish before `reply_due` when the State has not "
        "replied (recorded); optional when withdrawing"})


class ReplyInSchema(StrictSchema):
    text = Text(TEXT_LIMIT, required=True, metadata={"description": "The State's reply"})
    language = LANGUAGE

    @validates_schema(skip_on_field_errors=True)
    def _has_text(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data["text"].strip():
            raise ValidationError("The reply needs a text.", field_name="text")


class FindingListArgsSchema(PageArgsSchema):
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{3}$"),
                          metadata={"description": "Findings about this State"})
    assessment = fields.String(validate=validate.OneOf(tuple(Assessment)))
    status = fields.String(validate=validate.OneOf(tuple(FindingStatus)))
    visibility = fields.String(validate=validate.OneOf(tuple(Visibility)))


# --- responses ---------------------------------------------------------------------------

class ClaimEnforcementSchema(Schema):
    inspections = fields.Integer(allow_none=True)
    seizures = fields.Integer(allow_none=True)
    designations = fields.Integer(allow_none=True)
    violations_reported = fields.Integer(allow_none=True)


class ClaimSchema(Schema):
    """What the report's current version says on the obligation."""

    report_version = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(EntryStatus)})
    enforcement = fields.Nested(ClaimEnforcementSchema, required=True)


class SubjectOutSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": list(SubjectKind)})
    report = fields.String(allow_none=True)
    obligation = fields.String(allow_none=True)
    incident = fields.String(allow_none=True)
    claim = fields.Nested(ClaimSchema, allow_none=True, metadata={
        "description": "For an entry: the entry as the report's current version claims it; "
        "null when that version no longer has an entry on the obligation"})


class FindingEvidenceOutSchema(Schema):
    incident = fields.String(allow_none=True)
    source = fields.Nested(SourceOutSchema, allow_none=True)


class ReplyOutSchema(Schema):
    text = fields.String(required=True)
    language = fields.String(required=True)
    version = fields.Integer(required=True)
    received_at = fields.DateTime(required=True, metadata={"description": "Of this version"})
    first_received_at = fields.DateTime(required=True)


class FindingLinksSchema(Schema):
    self = fields.String(required=True)
    versions = fields.String(required=True)
    status = fields.String(required=True)
    reply = fields.String(required=True)
    reply_versions = fields.String(required=True)


class FindingOutSchema(Schema):
    id = fields.String(required=True)
    state = fields.String(required=True)
    subject = fields.Nested(SubjectOutSchema, required=True)
    assessment = fields.String(required=True, metadata={"enum": list(Assessment)})
    text = fields.String(required=True)
    language = fields.String(required=True)
    evidence = fields.List(fields.Nested(FindingEvidenceOutSchema), required=True)
    visibility = fields.String(required=True, metadata={"enum": list(Visibility)})
    status = fields.String(required=True, metadata={"enum": list(FindingStatus)})
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    received_at = fields.DateTime(required=True, metadata={"description": "Of this version"})
    reply_due = fields.Date(allow_none=True, metadata={
        "description": "The last day of the State's reply window; set when shared"})
    shared_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    early_publication_reason = fields.String(allow_none=True, metadata={
        "description": "Why it was published before `reply_due` without a reply"})
    withdrawal_reason = fields.String(allow_none=True)
    reply = fields.Nested(ReplyOutSchema, allow_none=True, metadata={
        "description": "The State's reply at its latest version; null without one"})
    demo = fields.Boolean(required=True, metadata={
        "description": "Synthetic demo data (`flask demo load`), not a finding of the Panel; "
                       "never shown to reporters"})
    links = fields.Nested(FindingLinksSchema, required=True)


FindingPageSchema = page_schema(FindingOutSchema, "FindingPage")


class FindingVersionSchema(Schema):
    version = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)
    author = fields.String(allow_none=True)
    assessment = fields.String(required=True, metadata={"enum": list(Assessment)})
    visibility = fields.String(required=True, metadata={"enum": list(Visibility)})
    language = fields.String(required=True)
    text = fields.String(required=True)
    evidence = fields.List(fields.Nested(FindingEvidenceOutSchema), required=True)


class FindingVersionListSchema(Schema):
    finding = fields.String(required=True)
    items = fields.List(fields.Nested(FindingVersionSchema), required=True)
    total = fields.Integer(required=True)


class ReplyVersionSchema(Schema):
    version = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)
    authority = fields.String(allow_none=True)
    language = fields.String(required=True)
    text = fields.String(required=True)


class ReplyVersionListSchema(Schema):
    finding = fields.String(required=True)
    items = fields.List(fields.Nested(ReplyVersionSchema), required=True)
    total = fields.Integer(required=True)
