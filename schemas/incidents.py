"""Schemas of the enforcement record: an incident as sent and as returned, acknowledgements,
the list's filters and a vessel's record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.domain import IncidentKind, PartyRole, RecordedBy, SourceKind, Visibility
from app.incidents import hs_problem, imo_problem

from .common import BoundedDate, PageArgsSchema, StrictSchema, page_schema, today_utc
from .reports import LANGUAGE_RE, Text

#: Adoption of resolution 1695 (the first on the DPRK): no incident on record is earlier.
EARLIEST_INCIDENT = dt.date(2006, 7, 15)
MAX_PARTIES = 50
MAX_VESSELS = 50
MAX_CARGO = 200
MAX_OBLIGATIONS = 50
MAX_SOURCES = 50
QUANTITY_MAX = 1e15
ISO3 = validate.Regexp(r"^[A-Z]{3}$", error="An ISO 3166-1 alpha-3 code, e.g. EGY.")


def _text(limit: int, description: str | None = None, *, required: bool = False) -> Text:
    metadata = {"description": description} if description else {}
    if required:
        return Text(limit, required=True, metadata=metadata)
    return Text(limit, allow_none=True, load_default=None, metadata=metadata)


class ImoNumber(fields.String):
    """A 7-digit IMO ship number whose check digit is right."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = imo_problem(text)
        if problem:
            raise ValidationError(problem)
        return text


class HsCode(fields.String):
    """A Harmonized System code of 2, 4 or 6 digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = hs_problem(text)
        if problem:
            raise ValidationError(problem)
        return text


def _incident_date(description: str, **kwargs: Any) -> BoundedDate:
    return BoundedDate(earliest=EARLIEST_INCIDENT, latest=today_utc, latest_label="today (UTC)",
                       metadata={"description": description}, **kwargs)


class LocationSchema(StrictSchema):
    state = fields.String(
        allow_none=True, load_default=None, validate=ISO3,
        metadata={"description": "The Member State where it happened (its territory or "
                  "waters); null on the high seas", "example": "EGY"})
    place = _text(500, "Port, coast or area, as the source names it")
    lat = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                       validate=validate.Range(min=-90, max=90),
                       metadata={"description": "WGS 84 latitude, degrees"})
    lon = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                       validate=validate.Range(min=-180, max=180),
                       metadata={"description": "WGS 84 longitude, degrees"})

    @validates_schema(skip_on_field_errors=True)
    def _both_or_neither(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("lat") is None) != (data.get("lon") is None):
            missing = "lon" if data.get("lon") is None else "lat"
            raise ValidationError("Give both lat and lon, or neither.", field_name=missing)


class PartySchema(StrictSchema):
    state = fields.String(required=True, validate=ISO3, metadata={"example": "EGY"})
    role = fields.String(required=True, validate=validate.OneOf(tuple(PartyRole)))


class VesselSchema(StrictSchema):
    imo = ImoNumber(required=True, metadata={
        "description": "IMO ship number: 7 digits, the last a check digit", "example": "9074729",
        "pattern": "^[0-9]{7}$"})
    name = _text(200, "The name the vessel bore in this incident")
    flag = fields.String(allow_none=True, load_default=None, validate=ISO3,
                         metadata={"description": "The flag it flew then (ISO 3166-1 alpha-3)"})


class CargoSchema(StrictSchema):
    description = _text(2000, required=True)
    hs_code = HsCode(allow_none=True, load_default=None, metadata={
        "description": "Harmonized System code: chapter (2 digits), heading (4) or "
        "subheading (6), without dots", "example": "9306", "pattern": "^[0-9]{2,6}$"})
    quantity = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                            validate=validate.Range(min=0, max=QUANTITY_MAX))
    unit = _text(40, "pieces, tonnes, barrels, ...")
    value_usd = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                             validate=validate.Range(min=0, max=QUANTITY_MAX))


class SourceSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(tuple(SourceKind)))
    reference = _text(1000, "Document symbol, paragraph or URL", required=True)
    title = _text(500)


class IncidentInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(tuple(IncidentKind)))
    occurred_on = _incident_date("The day it happened (or began)", required=True)
    occurred_until = _incident_date("The last day, for an incident over several days",
                                    allow_none=True, load_default=None)
    location = fields.Nested(LocationSchema, required=True)
    summary = _text(20000, "What happened, in `language`", required=True)
    language = fields.String(
        required=True,
        validate=[validate.Length(max=35),
                  validate.Regexp(LANGUAGE_RE, error="A language tag such as en, fr, ar.")],
        metadata={"example": "en"})
    parties = fields.List(
        fields.Nested(PartySchema), required=True,
        validate=validate.Length(min=1, max=MAX_PARTIES),
        metadata={"description": "The States that took part, by role (a State may have "
                  "several roles)"})
    vessels = fields.List(fields.Nested(VesselSchema), load_default=list,
                          validate=validate.Length(max=MAX_VESSELS))
    cargo = fields.List(fields.Nested(CargoSchema), load_default=list,
                        validate=validate.Length(max=MAX_CARGO))
    obligations = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)), required=True,
        validate=validate.Length(min=1, max=MAX_OBLIGATIONS),
        metadata={"description": "Codes of the obligations engaged (`1718/8(a)(i)`)"})
    sources = fields.List(
        fields.Nested(SourceSchema), required=True,
        validate=validate.Length(min=1, max=MAX_SOURCES),
        metadata={"description": "Where it is documented: at least one"})
    visibility = fields.String(
        load_default=Visibility.RESTRICTED, validate=validate.OneOf(tuple(Visibility)),
        metadata={"description": "`public`: in public outputs; `restricted` (the default): "
                  "panel and admin, and reporters of its party States, only"})

    @validates_schema(skip_on_field_errors=True)
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        until = data.get("occurred_until")
        if until is not None and until < data["occurred_on"]:
            raise ValidationError("The incident ends before it begins.",
                                  field_name="occurred_until")


class AcknowledgementInSchema(StrictSchema):
    reference = _text(200, "The State's own document on it (a report symbol, a note verbale)")


# --- responses ---------------------------------------------------------------------------

class LocationOutSchema(Schema):
    state = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    high_seas = fields.Boolean(required=True)


class PartyOutSchema(Schema):
    state = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(PartyRole)})


class VesselOutSchema(Schema):
    imo = fields.String(required=True)
    name = fields.String(allow_none=True)
    flag = fields.String(allow_none=True)


class CargoOutSchema(Schema):
    description = fields.String(required=True)
    hs_code = fields.String(allow_none=True)
    quantity = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    value_usd = fields.Float(allow_none=True)


class SourceOutSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": list(SourceKind)})
    reference = fields.String(required=True)
    title = fields.String(allow_none=True)


class ReportingOutSchema(Schema):
    state = fields.String(required=True)
    how = fields.String(required=True, metadata={"enum": ["filed", "acknowledged"]})
    on = fields.Date(required=True, metadata={"description": "Day it was filed or "
                                              "acknowledged (UTC)"})
    days_after_event = fields.Integer(required=True)
    reference = fields.String(allow_none=True)


class IncidentLinksSchema(Schema):
    self = fields.String(required=True)
    versions = fields.String(required=True)
    acknowledgements = fields.String(required=True)


class IncidentOutSchema(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(IncidentKind)})
    occurred_on = fields.Date(required=True)
    occurred_until = fields.Date(allow_none=True)
    location = fields.Nested(LocationOutSchema, required=True)
    summary = fields.String(required=True)
    language = fields.String(required=True)
    parties = fields.List(fields.Nested(PartyOutSchema), required=True)
    vessels = fields.List(fields.Nested(VesselOutSchema), required=True)
    cargo = fields.List(fields.Nested(CargoOutSchema), required=True)
    obligations = fields.List(fields.String(), required=True)
    resolutions = fields.List(fields.Integer(), required=True,
                              metadata={"description": "Resolutions of the obligations"})
    sources = fields.List(fields.Nested(SourceOutSchema), required=True)
    visibility = fields.String(required=True, metadata={"enum": list(Visibility)})
    recorded_by = fields.String(required=True, metadata={"enum": list(RecordedBy)})
    filed_by = fields.String(allow_none=True, metadata={
        "description": "The State whose authority filed it; null when the Panel recorded it"})
    first_recorded_at = fields.DateTime(required=True)
    received_at = fields.DateTime(required=True, metadata={"description": "Of this version"})
    reported_by = fields.List(fields.String(), required=True, metadata={
        "description": "Party States that filed or acknowledged it"})
    unreported_by = fields.List(fields.String(), required=True, metadata={
        "description": "Party States that did not (the regime's target State is in neither "
        "list: it is not asked to report)"})
    reporting = fields.List(fields.Nested(ReportingOutSchema), required=True, metadata={
        "description": "How and when each reporting party reported it"})
    demo = fields.Boolean(required=True, metadata={"description": "Synthetic demo data"})
    links = fields.Nested(IncidentLinksSchema, required=True)


IncidentPageSchema = page_schema(IncidentOutSchema, "IncidentPage")


class IncidentVersionSummarySchema(Schema):
    version = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)
    submitted_by = fields.String(allow_none=True)
    document = fields.Dict(required=True, metadata={
        "description": "The request body of this version, exactly as received"})


class IncidentVersionListSchema(Schema):
    incident = fields.String(required=True)
    items = fields.List(fields.Nested(IncidentVersionSummarySchema), required=True)
    total = fields.Integer(required=True)


class IncidentListArgsSchema(PageArgsSchema):
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{3}$"),
                          metadata={"description": "Incidents with this State as a party"})
    role = fields.String(validate=validate.OneOf(tuple(PartyRole)), metadata={
        "description": "With `state`: in this role; alone: any party in this role"})
    kind = fields.String(validate=validate.OneOf(tuple(IncidentKind)))
    imo = fields.String(validate=validate.Regexp(r"^[0-9]{7}$"),
                        metadata={"description": "Incidents naming this vessel"})
    obligation = fields.String(validate=validate.Length(min=1, max=40),
                               metadata={"description": "Incidents engaging this obligation"})
    resolution = fields.Integer(validate=validate.Range(min=1, max=999_999), metadata={
        "description": "Incidents engaging an obligation of this resolution"})
    regime = fields.String(validate=validate.Length(min=1, max=32), metadata={
        "example": "1540", "description": "Incidents engaging an obligation of this regime's "
        "resolutions (a regime's code; unknown: 422 naming `regime`)"})
    start = BoundedDate(data_key="from", earliest=dt.date(1900, 1, 1),
                        latest=dt.date(9999, 12, 31),
                        metadata={"description": "Incidents that happened on or after"})
    end = BoundedDate(data_key="to", earliest=dt.date(1900, 1, 1), latest=dt.date(9999, 12, 31),
                      metadata={"description": "Incidents that happened on or before"})
    visibility = fields.String(validate=validate.OneOf(tuple(Visibility)))


class VesselSightingSchema(Schema):
    incident = fields.String(required=True)
    kind = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    name = fields.String(allow_none=True)
    flag = fields.String(allow_none=True)
    demo = fields.Boolean(required=True)


class VesselRecordSchema(Schema):
    imo = fields.String(required=True)
    names = fields.List(fields.String(), required=True, metadata={
        "description": "Every name seen, in the order first seen"})
    flags = fields.List(fields.String(), required=True, metadata={
        "description": "Every flag seen, in the order first seen"})
    incidents = fields.List(fields.Nested(IncidentOutSchema), required=True)
    sightings = fields.List(fields.Nested(VesselSightingSchema), required=True)
