"""Schemas of the catalogue: regimes, resolutions, obligations, Member States."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.domain import Addressee, Element, RequirementKind, UNGroup

from .common import PageArgsSchema, page_schema

ELEMENTS = tuple(Element)
REGIME_FORMAT = 2
UN_GROUPS = tuple(UNGroup)


class RegimeSchema(Schema):
    code = fields.String(required=True, metadata={"example": "1540"})
    name = fields.String(required=True)
    committee = fields.String(required=True, metadata={
        "description": "The Security Council committee's full name"})
    short_name = fields.String(required=True, metadata={
        "example": "1540 Committee", "description": "The committee as documents name it"})
    experts = fields.String(required=True, metadata={
        "example": "group of experts",
        "description": "The body of experts that assists the committee, as documents name it"})
    summary_title = fields.String(required=True, metadata={
        "example": "Reporting summary",
        "description": "What a summary of one of the regime's resolutions is called"})
    finding_title = fields.String(required=True, metadata={
        "example": "Finding of the group of experts",
        "description": "How documents head one finding of the regime's experts"})
    target_state = fields.String(allow_none=True, metadata={
        "description": "ISO 3166-1 alpha-3 code of the State the regime targets, which is not "
        "asked to report on its resolutions; null where every State reports"})
    description = fields.String(allow_none=True)
    resolutions = fields.Function(lambda r: [x.number for x in r.resolutions], required=True,
                                  metadata={"type": "array", "items": {"type": "integer"}})


class RegimeDetailSchema(RegimeSchema):
    notes = fields.List(fields.String(), required=True, metadata={
        "description": "Plain-words notes on the regime and its reporting"})
    sources = fields.List(fields.String(), required=True)


class SupersessionSchema(Schema):
    code = fields.String(required=True, metadata={"example": "2397/5",
                                                  "description": "The obligation that replaced "
                                                  "this one"})
    on = fields.Date(required=True, metadata={"description": "From this date the obligation "
                                              "is no longer in force"})
    verified = fields.Boolean(
        required=True,
        metadata={"description": "Whether the replacement was confirmed against the text of "
                  "the later resolution; false where it is inferred from the two paragraphs' "
                  "content (never present it as official then)"})
    source = fields.String(allow_none=True, metadata={"description": "Where the fact comes from"})
    note = fields.String(allow_none=True,
                         metadata={"description": "What was and was not confirmed"})


class ObligationSchema(Schema):
    code = fields.String(
        required=True,
        metadata={"example": "2397/7", "description": "Stable identifier, `<resolution>/"
                  "<paragraph>`, or `<resolution>/u<k>` where the paragraph was not known when "
                  "the code was given; it does not change when the paragraph becomes known"},
    )
    paragraph = fields.String(
        allow_none=True,
        metadata={"description": "Operative paragraph; null when not known. Not an official "
                  "reference unless `verified` is true"},
    )
    category = fields.String(required=True)
    summary = fields.String(required=True, metadata={"description": "Paraphrase, not a quotation"})
    binding = fields.Boolean(
        required=True,
        metadata={"description": "True for a decision (\"decides\", \"shall\"); false for "
                  "\"calls upon\", \"requests\" or a resolution not adopted under Chapter VII. "
                  "On unverified obligations it follows the summary and has not been checked "
                  "against the text"},
    )
    weight = fields.Integer(
        required=True, metadata={"description": "2 for binding obligations, 1 otherwise"}
    )
    expects = fields.List(
        fields.String(metadata={"enum": list(ELEMENTS)}),
        required=True,
        metadata={"description": "Report elements a complete entry contains"},
    )
    verified = fields.Boolean(
        required=True,
        metadata={"description": "True only when both the paragraph number and its content "
                  "were confirmed against the operative text (an official-language text, an "
                  "official translation or a published quotation of it) or an official UN "
                  "cross-reference. False: the paragraph reference is not an official one"},
    )
    source = fields.String(
        allow_none=True,
        metadata={"description": "One citation: the official text and the copy read, or a "
                  "secondary source; where nothing was found it says so"},
    )
    verification_note = fields.String(
        allow_none=True,
        metadata={"description": "What was and was not confirmed, in plain words"},
    )
    in_force_from = fields.Date(
        allow_none=True,
        metadata={"description": "The date the obligation entered into force: the "
                  "resolution's adoption date unless the catalogue gives another"},
    )
    superseded_by = fields.Nested(
        SupersessionSchema, attribute="supersession", allow_none=True, required=True,
        metadata={"description": "The later obligation that replaced this one and the date "
                  "from which it did; null while the obligation stands"},
    )


class StageSchema(Schema):
    code = fields.String(required=True, metadata={"example": "2397/R-8-midterm"})
    name = fields.String(required=True, metadata={"example": "midterm"})
    months_after_adoption = fields.Integer(required=True, metadata={"example": 15})
    due = fields.Date(required=True, metadata={"description": "Adoption date plus "
                                               "`months_after_adoption` whole calendar months"})


class ReportingRequirementSchema(Schema):
    code = fields.String(required=True, metadata={"example": "2397/R-8"})
    paragraph = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True, metadata={"enum": list(RequirementKind)})
    due = fields.Date(
        allow_none=True, required=True,
        metadata={"description": "For `once`: adoption date plus the days the resolution "
                  "allows; null for the other kinds"},
    )
    stages = fields.List(
        fields.Nested(StageSchema), attribute="stages_or_none", allow_none=True, required=True,
        metadata={"description": "For `staged`; null for the other kinds"},
    )
    period_days = fields.Integer(
        allow_none=True, required=True,
        metadata={"description": "For `periodic`: a report every this many days"},
    )
    trigger = fields.String(
        allow_none=True, required=True,
        metadata={"description": "For `on_event`: the event after which States report"},
    )
    applies_to = fields.String(
        required=True,
        metadata={"description": "`all`, or the condition a State meets to be asked"},
    )
    addressed_to = fields.String(
        required=True,
        metadata={"enum": list(Addressee),
                  "description": "`states`: a report asked of Member States; `committee`: "
                  "the committee's own report to the Security Council, asked of no State (no "
                  "State's deadline, no State counted as not reporting, no State report "
                  "accepted)"},
    )
    binding = fields.Boolean(required=True)
    verified = fields.Boolean(
        required=True, metadata={"description": "True only where the requirement's own text "
                                 "was read"},
    )
    source = fields.String(required=True)
    verification_note = fields.String(required=True)
    obligations = fields.Function(
        lambda r: [ob.code for ob in r.obligations], required=True,
        metadata={"type": "array", "items": {"type": "string"},
                  "description": "Codes of the obligations the report is about (every "
                  "obligation of the resolution for a general report). They may belong to "
                  "an earlier resolution of the same regime (a later resolution renewing the "
                  "call for reports on it): a report answering the requirement addresses and "
                  "is scored against those obligations"},
    )


class ResolutionSchema(Schema):
    number = fields.Integer(required=True, metadata={"example": 2397})
    year = fields.Integer(required=True)
    symbol = fields.String(required=True, metadata={"example": "S/RES/2397 (2017)"})
    regime = fields.Function(lambda r: r.regime.code, required=True, metadata={"type": "string"})
    adopted_on = fields.Date(required=True)
    title = fields.String(required=True, metadata={"description": "Short description, not "
                                                    "the official title"})
    reporting_deadline_days = fields.Integer(
        allow_none=True,
        metadata={"description": "Days after adoption by which States are asked to report; "
                  "null when no national report is requested"},
    )
    reporting_deadline = fields.Date(
        allow_none=True, metadata={"description": "Adoption date plus `reporting_deadline_days`"}
    )
    reporting_deadline_verified = fields.Boolean(
        required=True,
        metadata={"description": "True only when the reporting request and its deadline were "
                  "read in the text of the resolution; false when the deadline rests on press "
                  "reports or has not been confirmed, so on-time and late figures built on it "
                  "are provisional"},
    )
    obligation_count = fields.Function(
        lambda r: len(r.obligations), required=True, metadata={"type": "integer"}
    )


class ResolutionDetailSchema(ResolutionSchema):
    meeting = fields.String(
        allow_none=True,
        metadata={"example": "8151st", "description": "Security Council meeting at which the "
                  "resolution was adopted; null when not known"},
    )
    meeting_note = fields.String(
        allow_none=True,
        metadata={"description": "Present when the meeting number is not confirmed"},
    )
    reporting_paragraph = fields.String(allow_none=True)
    reporting_paragraph_verified = fields.Boolean(required=True)
    reporting_note = fields.String(
        allow_none=True,
        metadata={"description": "Present when no reporting request has been found"},
    )
    sources = fields.List(fields.String(), required=True)
    note = fields.String(allow_none=True)
    obligations = fields.List(fields.Nested(ObligationSchema), required=True)
    reporting_requirements = fields.List(
        fields.Nested(ReportingRequirementSchema), required=True,
        metadata={"description": "The reports the resolution asks of States; empty when none "
                  "has been found"},
    )


class MemberStateSchema(Schema):
    iso3 = fields.String(required=True, metadata={"example": "FRA"})
    name = fields.String(required=True)
    un_group = fields.String(required=True, metadata={"enum": list(UN_GROUPS)})


class MemberStateDetailSchema(MemberStateSchema):
    note = fields.String(allow_none=True)


RegimePageSchema = page_schema(RegimeSchema, "RegimePage")
ResolutionPageSchema = page_schema(ResolutionSchema, "ResolutionPage")
MemberStatePageSchema = page_schema(MemberStateSchema, "MemberStatePage")


# --- The bundled data files (app/catalogue/data), validated before anything is written ---

def _check(predicate, message: str):
    """A field validator: marshmallow 4 ignores a validator's return value, so raise."""

    def check(value) -> None:
        if not predicate(value):
            raise ValidationError(message)

    return check


class _FileSchema(Schema):
    class Meta:
        unknown = "raise"


class SupersessionFileSchema(_FileSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    on = fields.Date(required=True)
    verified = fields.Boolean(required=True)
    source = fields.String(required=True, validate=validate.Length(min=1))
    note = fields.String(required=True, validate=validate.Length(min=1))


class ObligationFileSchema(_FileSchema):
    code = fields.String(
        required=True,
        validate=_check(lambda s: "/" in s and len(s) <= 40,
                        "<resolution>/<paragraph>, at most 40 characters"),
    )
    paragraph = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True)
    summary = fields.String(required=True)
    binding = fields.Boolean(required=True)
    weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    expects = fields.List(
        fields.String(validate=validate.OneOf(ELEMENTS)), required=True
    )
    verified = fields.Boolean(required=True)
    source = fields.String(required=True, validate=validate.Length(min=1))
    verification_note = fields.String(required=True, validate=validate.Length(min=1))
    in_force_from = fields.Date(allow_none=True, load_default=None)
    superseded_by = fields.Nested(SupersessionFileSchema, allow_none=True, load_default=None)


class StageFileSchema(_FileSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    months_after_adoption = fields.Integer(required=True, strict=True,
                                           validate=validate.Range(min=1))
    due = fields.Date(required=True)


# Fields each kind of reporting requirement must have (the others must be null).
REQUIREMENT_FIELDS = {
    RequirementKind.ONCE: ("due_days_after_adoption", "due"),
    RequirementKind.STAGED: ("stages",),
    RequirementKind.PERIODIC: ("period_days",),
    RequirementKind.ON_EVENT: ("trigger",),
}


class ReportingRequirementFileSchema(_FileSchema):
    code = fields.String(
        required=True,
        validate=_check(lambda s: "/R" in s and len(s) <= 60,
                        "<resolution>/R<name>, at most 60 characters"),
    )
    paragraph = fields.String(required=True, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(RequirementKind)))
    due_days_after_adoption = fields.Integer(
        required=True, allow_none=True, strict=True, validate=validate.Range(min=1)
    )
    due = fields.Date(required=True, allow_none=True)
    stages = fields.List(fields.Nested(StageFileSchema), required=True, allow_none=True,
                         validate=validate.Length(min=1))
    period_days = fields.Integer(required=True, allow_none=True, strict=True,
                                 validate=validate.Range(min=1))
    trigger = fields.String(required=True, allow_none=True)
    applies_to = fields.String(required=True, validate=validate.Length(min=1))
    addressed_to = fields.String(load_default=Addressee.STATES,
                                 validate=validate.OneOf(list(Addressee)))
    binding = fields.Boolean(required=True)
    verified = fields.Boolean(required=True)
    source = fields.String(required=True, validate=validate.Length(min=1))
    verification_note = fields.String(required=True, validate=validate.Length(min=1))
    obligations = fields.Raw(
        required=True,
        validate=_check(
            lambda v: v == "all" or (
                isinstance(v, list) and bool(v) and all(isinstance(c, str) for c in v)
            ),
            '"all" or a non-empty list of obligation codes',
        ),
        metadata={"description": '"all" or a list of obligation codes'},
    )

    @validates_schema
    def _fields_of_kind(self, data, **kwargs):
        wanted = REQUIREMENT_FIELDS[data["kind"]]
        for name in ("due_days_after_adoption", "due", "stages", "period_days", "trigger"):
            if name in wanted and data[name] is None:
                raise ValidationError(f"required for kind {data['kind']!r}", name)
            if name not in wanted and data[name] is not None:
                raise ValidationError(f"must be null for kind {data['kind']!r}", name)


class ResolutionFileSchema(_FileSchema):
    number = fields.Integer(required=True, strict=True)
    year = fields.Integer(required=True, strict=True)
    symbol = fields.String(required=True)
    adopted_on = fields.Date(required=True)
    meeting = fields.String(allow_none=True, load_default=None)
    meeting_note = fields.String(allow_none=True, load_default=None)
    title = fields.String(required=True)
    reporting_deadline_days = fields.Integer(allow_none=True, strict=True, load_default=None)
    reporting_deadline_verified = fields.Boolean(load_default=False)
    reporting_paragraph = fields.String(allow_none=True, load_default=None)
    reporting_paragraph_verified = fields.Boolean(load_default=False)
    reporting_note = fields.String(allow_none=True, load_default=None)
    sources = fields.List(fields.String(), load_default=list)
    note = fields.String(allow_none=True, load_default=None)
    obligations = fields.List(fields.Nested(ObligationFileSchema), required=True)
    reporting_requirements = fields.List(
        fields.Nested(ReportingRequirementFileSchema), load_default=list
    )


class RegimeInfoFileSchema(_FileSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    committee = fields.String(required=True, validate=validate.Length(min=1, max=300))
    short_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    experts = fields.String(required=True, validate=validate.Length(min=1, max=120))
    summary_title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    finding_title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    target_state = fields.String(allow_none=True, load_default=None,
                                 validate=validate.Regexp(r"^[A-Z]{3}$"))
    description = fields.String(allow_none=True, load_default=None)
    notes = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)


class RegimeFileSchema(_FileSchema):
    format = fields.Integer(
        required=True,
        validate=validate.Equal(
            REGIME_FORMAT,
            error="format {input} is not read: regime files are format {other} "
            "(see app/catalogue/data/README.md)",
        ),
    )
    regime = fields.Nested(RegimeInfoFileSchema, required=True)
    sources = fields.List(fields.String(), load_default=list)
    resolutions = fields.List(fields.Nested(ResolutionFileSchema), required=True)


class StateFileSchema(_FileSchema):
    iso3 = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    name = fields.String(required=True)
    un_group = fields.String(required=True, validate=validate.OneOf(UN_GROUPS))
    note = fields.String(allow_none=True, load_default=None)


class MemberStatesFileSchema(_FileSchema):
    format = fields.Integer(required=True, validate=validate.Equal(1))
    source = fields.String(required=True)
    license = fields.String(required=True)
    groups = fields.List(fields.String(validate=validate.OneOf(UN_GROUPS)), required=True)
    states = fields.List(fields.Nested(StateFileSchema), required=True)


# Query arguments of the catalogue's list operations.
class ResolutionListArgs(PageArgsSchema):
    regime = fields.String(validate=validate.Length(min=1, max=32))


class StateListArgs(PageArgsSchema):
    un_group = fields.String(validate=validate.OneOf(UN_GROUPS))
