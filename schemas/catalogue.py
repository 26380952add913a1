"""Schemas of the catalogue: regimes, resolutions, obligations, Member States."""

from __future__ import annotations

from marshmallow import Schema, fields

from .common import page_schema

ELEMENTS = ("legal_basis", "competent_authority", "measures", "enforcement", "evidence")
UN_GROUPS = (
    "African",
    "Asia-Pacific",
    "Eastern European",
    "Latin American and Caribbean",
    "Western European and Others",
)


class RegimeSchema(Schema):
    code = fields.String(required=True, metadata={"example": "1718"})
    name = fields.String(required=True)
    committee = fields.String(required=True)
    target_state = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    resolutions = fields.List(fields.Integer(), required=True)


class ObligationSchema(Schema):
    code = fields.String(required=True, metadata={"example": "2397/7"})
    paragraph = fields.String(
        allow_none=True, metadata={"description": "Operative paragraph; null when not known"}
    )
    category = fields.String(required=True)
    summary = fields.String(required=True, metadata={"description": "Paraphrase, not a quotation"})
    binding = fields.Boolean(required=True)
    weight = fields.Integer(required=True)
    expects = fields.List(
        fields.String(metadata={"enum": list(ELEMENTS)}),
        required=True,
        metadata={"description": "Report elements a complete entry contains"},
    )
    verified = fields.Boolean(
        required=True,
        metadata={"description": "True only when both paragraph number and content were seen in "
                  "a source"},
    )
    source = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class ResolutionSchema(Schema):
    number = fields.Integer(required=True, metadata={"example": 2397})
    year = fields.Integer(required=True)
    symbol = fields.String(required=True, metadata={"example": "S/RES/2397 (2017)"})
    regime = fields.Function(lambda r: r.regime.code, required=True, metadata={"type": "string"})
    adopted_on = fields.Date(required=True)
    title = fields.String(required=True)
    reporting_deadline_days = fields.Integer(allow_none=True)
    reporting_deadline = fields.Date(allow_none=True)
    obligation_count = fields.Function(
        lambda r: len(r.obligations), required=True, metadata={"type": "integer"}
    )


class ResolutionDetailSchema(ResolutionSchema):
    meeting = fields.String(allow_none=True)
    reporting_paragraph = fields.String(allow_none=True)
    reporting_paragraph_verified = fields.Boolean(required=True)
    sources = fields.List(fields.String(), required=True)
    note = fields.String(allow_none=True)
    obligations = fields.List(fields.Nested(ObligationSchema), required=True)


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

class _FileSchema(Schema):
    class Meta:
        unknown = "raise"


class ObligationFileSchema(_FileSchema):
    code = fields.String(required=True, validate=lambda s: "/" in s and len(s) <= 40)
    paragraph = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True)
    summary = fields.String(required=True)
    binding = fields.Boolean(load_default=False)
    weight = fields.Integer(required=True, strict=True, validate=lambda w: 1 <= w <= 100)
    expects = fields.List(
        fields.String(validate=lambda e: e in ELEMENTS), required=True
    )
    verified = fields.Boolean(required=True)
    source = fields.String(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None)


class ResolutionFileSchema(_FileSchema):
    number = fields.Integer(required=True, strict=True)
    year = fields.Integer(required=True, strict=True)
    symbol = fields.String(required=True)
    adopted_on = fields.Date(required=True)
    meeting = fields.String(allow_none=True, load_default=None)
    title = fields.String(required=True)
    reporting_deadline_days = fields.Integer(allow_none=True, strict=True, load_default=None)
    reporting_paragraph = fields.String(allow_none=True, load_default=None)
    reporting_paragraph_verified = fields.Boolean(load_default=False)
    sources = fields.List(fields.String(), load_default=list)
    note = fields.String(allow_none=True, load_default=None)
    obligations = fields.List(fields.Nested(ObligationFileSchema), required=True)


class RegimeInfoFileSchema(_FileSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    committee = fields.String(required=True)
    target_state = fields.String(allow_none=True, load_default=None)
    description = fields.String(allow_none=True, load_default=None)


class RegimeFileSchema(_FileSchema):
    format = fields.Integer(required=True, validate=lambda v: v == 1)
    regime = fields.Nested(RegimeInfoFileSchema, required=True)
    sources = fields.List(fields.String(), load_default=list)
    resolutions = fields.List(fields.Nested(ResolutionFileSchema), required=True)


class StateFileSchema(_FileSchema):
    iso3 = fields.String(required=True, validate=lambda s: len(s) == 3 and s.isupper())
    name = fields.String(required=True)
    un_group = fields.String(required=True, validate=lambda g: g in UN_GROUPS)
    note = fields.String(allow_none=True, load_default=None)


class MemberStatesFileSchema(_FileSchema):
    format = fields.Integer(required=True, validate=lambda v: v == 1)
    source = fields.String(required=True)
    license = fields.String(required=True)
    groups = fields.List(fields.String(), required=True)
    states = fields.List(fields.Nested(StateFileSchema), required=True)
