"""The enforcement record: incidents (record, amend, acknowledge, read, list as JSON, CSV or
GeoJSON) and a vessel's record by IMO number."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from marshmallow import RAISE

from schemas.common import ProblemSchema
from schemas.incidents import (
    AcknowledgementInSchema,
    IncidentInSchema,
    IncidentListArgsSchema,
    IncidentOutSchema,
    IncidentPageSchema,
    IncidentVersionListSchema,
    VesselRecordSchema,
)

from ..auth import current_principal, requires
from ..domain import Role
from ..errors import PROBLEM_MIMETYPE
from ..extensions import db
from ..models import Incident, IncidentVersion
from ..services import incidents as service
from ..services.idempotency import StoredResponse
from . import envelope, json_body, page_size_or_default
from .parsing import Blueprint
from .reports import IDEMPOTENCY_HEADER, _expected_version, idempotent_response

blp = Blueprint(
    "incidents",
    __name__,
    url_prefix="/api/v1",
    description="The enforcement record: inspections, seizures, interdictions, port calls, "
    "ship-to-ship transfers and asset freezes, with their parties, vessels, cargo and "
    "sources. A State files its own; the Panel records what it established; party States "
    "acknowledge what others recorded.",
)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
GEOJSON = "application/geo+json"
INCIDENT_BODY = {"required": True,
                 "content": {"application/json": {"schema": IncidentInSchema}}}
ACK_BODY = {"required": False, "description": "Empty, or the State's own reference",
            "content": {"application/json": {"schema": AcknowledgementInSchema}}}
IF_MATCH_HEADER = {"name": "If-Match", "in": "header", "required": True,
                   "description": "The ETag of the incident version being amended",
                   "schema": {"type": "string"}}
ALSO_CSV_GEOJSON = {"x-also-content": {
    "text/csv": {"schema": {"type": "string", "description": "Every incident matching the "
                            "filters (not paged): UTF-8, one header row"}},
    GEOJSON: {"schema": {"type": "object", "description": "A GeoJSON FeatureCollection "
                         "(RFC 7946) of the located incidents matching the filters (not "
                         "paged): Point geometries [lon, lat], the incident's fields as "
                         "properties"}},
}}
INCIDENT_OUT = IncidentOutSchema()


def _quoted(tag: str) -> str:
    return f'"{tag}"'


def _document(incident: Incident, version: IncidentVersion) -> dict[str, Any]:
    return INCIDENT_OUT.dump(service.incident_view(incident, version))


def _incident_response(incident: Incident, status: int = 200) -> Response:
    version = service.current_version(db.session, incident)
    db.session.refresh(incident, ["acknowledgements"])
    response = jsonify(_document(incident, version))
    response.status_code = status
    response.set_etag(service.etag_for(incident))
    return response


@blp.route("/incidents")
class Incidents(MethodView):
    @blp.doc(security=BEARER, requestBody=INCIDENT_BODY, parameters=[IDEMPOTENCY_HEADER])
    @blp.response(201, IncidentOutSchema, headers={
        "ETag": {"$ref": "#/components/headers/ETag"},
        "Location": {"description": "URL of the new incident", "schema": {"type": "string"}},
        "Idempotent-Replayed": {
            "description": "`true` when this is the stored response to an earlier request "
            "with the same Idempotency-Key and body", "schema": {"type": "string",
                                                                 "enum": ["true"]}},
    })
    @blp.alt_response(409, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE,
                      description="A request with the same Idempotency-Key is still in "
                      "flight (with `Retry-After`), or the key was used with another body",
                      headers={"Retry-After": {"$ref": "#/components/headers/RetryAfter"}})
    @requires(*tuple(Role))
    def post(self):
        """Put an incident on the record (a reporter: one its State is a party to)"""
        principal = current_principal()
        raw = json_body()

        def create() -> StoredResponse:
            version = service.record(db.session, principal, raw)
            incident = version.incident
            db.session.refresh(incident, ["acknowledgements", "filed_by_state"])
            body = _document(incident, service.current_version(db.session, incident))
            return StoredResponse(201, body, {"Location": body["links"]["self"],
                                              "ETag": _quoted(service.etag_for(incident))})

        return idempotent_response(principal.authority_id, raw, create)

    @blp.doc(security=BEARER, **ALSO_CSV_GEOJSON)
    @blp.arguments(IncidentListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, IncidentPageSchema)
    @requires(*tuple(Role))
    def get(self, args):
        """List incidents, newest first (JSON paged; CSV or GeoJSON whole, by `Accept`)

        A reporter sees public incidents and the restricted ones naming its State as a
        party. `state` and `role` together: incidents in which that State had that role.
        `from`/`to`: incidents that happened (or were going on) in those days.
        """
        principal = current_principal()
        filters = incident_filters(args)
        wanted = request.accept_mimetypes.best_match(["application/json", "text/csv", GEOJSON])
        if wanted in ("text/csv", GEOJSON) and request.accept_mimetypes[wanted] > \
                request.accept_mimetypes["application/json"]:
            return incident_download(principal, filters, located=wanted == GEOJSON)
        size = page_size_or_default(args["page_size"])
        rows, total = service.list_incidents(db.session, principal, filters,
                                             page=args["page"], page_size=size)
        return envelope([service.incident_view(i, v) for i, v in rows], total, args["page"],
                        size)


def incident_filters(args: dict[str, Any]) -> service.Filters:
    """The list's filters from its loaded arguments (the API's and the web page's)."""
    return service.Filters(
        state=args.get("state"), role=args.get("role"), kind=args.get("kind"),
        imo=args.get("imo"), obligation=args.get("obligation"),
        resolution=args.get("resolution"), start=args.get("start"), end=args.get("end"),
        visibility=args.get("visibility"), regime=args.get("regime"))


def incident_download(principal: Any, filters: service.Filters, *, located: bool) -> Response:
    """Every incident matching `filters` the principal may see, as CSV, or as GeoJSON
    (`located`: those with coordinates only)."""
    rows, _ = service.list_incidents(
        db.session, principal, service.Filters(**{**filters.__dict__, "located": located}),
        page=None, page_size=None)
    views = [service.incident_view(i, v) for i, v in rows]
    return _geojson(views) if located else _csv(views)


CSV_COLUMNS = ("id", "version", "kind", "occurred_on", "occurred_until", "location_state",
               "place", "lat", "lon", "parties", "vessels", "cargo", "obligations",
               "resolutions", "sources", "visibility", "recorded_by", "filed_by",
               "reported_by", "unreported_by", "demo", "summary")


def _csv_row(view: dict[str, Any]) -> list[str]:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return str(value.isoformat() if hasattr(value, "isoformat") else value)

    location = view["location"]
    row = {
        **view,
        "location_state": location["state"],
        "place": location["place"], "lat": location["lat"], "lon": location["lon"],
        "parties": [f"{p['state']}:{p['role']}" for p in view["parties"]],
        "vessels": [" ".join(x for x in (v["imo"], v["name"] or "",
                                         f"({v['flag']})" if v["flag"] else "") if x)
                    for v in view["vessels"]],
        "cargo": [" ".join(str(x) for x in (c["hs_code"] and f"HS {c['hs_code']}",
                                            c["quantity"], c["unit"], c["description"])
                           if x not in (None, "")) for c in view["cargo"]],
        "sources": [s["reference"] for s in view["sources"]],
    }
    return [cell(row[name]) for name in CSV_COLUMNS]


def _csv(views: list[dict[str, Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for view in views:
        writer.writerow(_csv_row(view))
    response = Response(out.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="incidents.csv"'
    response.vary.add("Accept")
    return response


def _geojson(views: list[dict[str, Any]]) -> Response:
    features = []
    for view in views:
        dumped = INCIDENT_OUT.dump(view)
        location = dumped["location"]
        properties = {k: v for k, v in dumped.items() if k != "links"}
        properties["parties"] = "; ".join(f"{p['state']}:{p['role']}" for p in view["parties"])
        properties["vessels"] = "; ".join(v["imo"] for v in view["vessels"])
        properties["obligations"] = "; ".join(view["obligations"])
        properties["reported_by"] = "; ".join(view["reported_by"])
        properties["unreported_by"] = "; ".join(view["unreported_by"])
        properties["location_state"] = location["state"]
        properties["place"] = location["place"]
        properties["url"] = dumped["links"]["self"]
        for name in ("location", "cargo", "sources", "resolutions", "reporting"):
            properties.pop(name, None)
        features.append({"type": "Feature", "id": view["id"],
                         "geometry": {"type": "Point",
                                      "coordinates": [location["lon"], location["lat"]]},
                         "properties": properties})
    body = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    response = Response(body.encode("utf-8"), mimetype=GEOJSON)
    response.headers["Content-Disposition"] = 'attachment; filename="incidents.geojson"'
    response.vary.add("Accept")
    return response


@blp.route("/incidents/<string(minlength=1, maxlength=64):incident_id>")
class IncidentDetail(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, IncidentOutSchema)
    @requires(*tuple(Role))
    def get(self, incident_id):
        """An incident at its latest version"""
        incident = service.get_incident(db.session, current_principal(), incident_id)
        return _incident_response(incident)

    @blp.doc(security=BEARER, requestBody=INCIDENT_BODY, parameters=[IF_MATCH_HEADER])
    @blp.response(200, IncidentOutSchema, headers={"ETag": {"$ref": "#/components/headers/ETag"}})
    @blp.alt_response(409, response="CONFLICT", description="A demo incident (never amended)")
    @blp.alt_response(412, response="PRECONDITION_FAILED",
                      description="If-Match does not name the current version")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED", description="If-Match is missing")
    @requires(*tuple(Role))
    def put(self, incident_id):
        """Amend an incident: a full replacement, stored as a new version (a reporter: one
        its State filed)"""
        principal = current_principal()
        raw = json_body()
        version = service.amend(db.session, principal, incident_id, raw, _expected_version())
        return _incident_response(version.incident)


@blp.route("/incidents/<string(minlength=1, maxlength=64):incident_id>/versions")
class IncidentVersions(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, IncidentVersionListSchema)
    @requires(*tuple(Role))
    def get(self, incident_id):
        """Every version of an incident, oldest first, with its body as received"""
        incident = service.get_incident(db.session, current_principal(), incident_id)
        versions = service.list_versions(db.session, incident)
        return {"incident": incident.public_id, "total": len(versions), "items": [
            {"version": v.number, "received_at": v.received_at,
             "submitted_by": v.submitted_by.name if v.submitted_by else None,
             "document": v.document} for v in versions]}


@blp.route("/incidents/<string(minlength=1, maxlength=64):incident_id>/acknowledgements")
class IncidentAcknowledgements(MethodView):
    @blp.doc(security=BEARER, requestBody=ACK_BODY)
    @blp.response(201, IncidentOutSchema, description="Acknowledged: the State is now among "
                  "`reported_by`")
    @blp.alt_response(200, schema=IncidentOutSchema, description="Already reported by the "
                      "State (filed or acknowledged before): nothing changed")
    @requires(Role.REPORTER)
    def post(self, incident_id):
        """The reporter's State reports an incident on record naming it as a party"""
        principal = current_principal()
        raw = json_body() if request.get_data(cache=True).strip() else {}
        outcome = service.acknowledge(db.session, principal, incident_id, raw)
        return _incident_response(outcome.incident, 201 if outcome.created else 200)


@blp.route("/vessels/<string(minlength=1, maxlength=16):imo>")
class Vessel(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, VesselRecordSchema)
    @requires(*tuple(Role))
    def get(self, imo):
        """A vessel's record by IMO number: every incident naming it, the names and flags
        seen"""
        return vessel_document(current_principal(), imo)


def vessel_document(principal: Any, imo: str) -> dict[str, Any]:
    """A vessel's record as the API returns it (before serialization)."""
    rows = service.vessel_record(db.session, principal, imo)
    names: dict[str, None] = {}
    flags: dict[str, None] = {}
    sightings = []
    for incident, version in rows:
        for vessel in version.vessels:
            if vessel.imo != imo:
                continue
            if vessel.name:
                names.setdefault(vessel.name)
            if vessel.flag:
                flags.setdefault(vessel.flag)
            sightings.append({"incident": incident.public_id, "kind": version.kind,
                              "occurred_on": version.occurred_on, "name": vessel.name,
                              "flag": vessel.flag, "demo": incident.is_demo})
    return {"imo": imo, "names": list(names), "flags": list(flags), "sightings": sightings,
            "incidents": [service.incident_view(i, v) for i, v in rows]}
