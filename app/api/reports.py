"""Reports: submit, amend (a new version), read, list, versions, score, validate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from marshmallow import RAISE

from schemas.common import ProblemSchema
from schemas.reports import (
    ReportInSchema,
    ReportListArgsSchema,
    ReportOutSchema,
    ReportPageSchema,
    ScoreSchema,
    ValidationResultSchema,
    VersionDetailSchema,
    VersionDiffSchema,
    VersionListSchema,
)

from .. import flags as flag_rules
from ..auth import Principal, current_principal, requires
from ..domain import Role
from ..errors import PROBLEM_MIMETYPE
from ..extensions import db
from ..models import Report, ReportVersion
from ..services import idempotency, report_diffs, requirements
from ..services import reports as service
from ..services.idempotency import StoredResponse
from . import UnpairedSurrogates, envelope, json_body, page_size_or_default
from .parsing import Blueprint

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="National implementation reports. Reporters read and write their own state's; "
    "panel staff read all; admins do everything, including historical backfill.",
)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
WRITERS = (Role.REPORTER, Role.ADMIN)
READERS = tuple(Role)
REPORT_BODY = {"required": True, "content": {"application/json": {"schema": ReportInSchema}}}
# The validator is documented with the body it checks against; it takes any JSON and says
# what is wrong with it (200, `valid: false`) rather than refusing it.
VALIDATE_BODY = {
    "required": True,
    "description": "A report body as for POST /api/v1/reports (`ReportIn`). Any JSON is "
    "accepted and checked against it: a body that does not conform gets 200 with "
    "`valid: false` and every error",
    "content": {"application/json": {"schema": ReportInSchema}},
}
IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Retry safely: the same key and body from the same authority returns the "
    "original response. 1 to 255 printable ASCII characters, no commas.",
    "schema": {"type": "string", "maxLength": 255},
}
IF_MATCH_HEADER = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the report version being amended",
    "schema": {"type": "string"},
}
REPORT_HEADERS = {
    "ETag": {"$ref": "#/components/headers/ETag"},
}


def _links(report: Report | service.StoredReport) -> dict[str, str]:
    base = f"/api/v1/reports/{report.public_id}"
    return {
        "self": base,
        "versions": f"{base}/versions",
        "score": f"{base}/score",
        "resolution": f"/api/v1/resolutions/{report.resolution.number}",
        "state": f"/api/v1/states/{report.state.iso3}",
    }


REPORT_OUT = ReportOutSchema()


def report_fields(report: Report | service.StoredReport,
                  version: ReportVersion | service.StoredVersion) -> dict[str, Any]:
    """Where a report stands, as lists and the report itself show it."""
    timing = service.report_timeliness(report)
    return {
        "id": report.public_id,
        "state": report.state.iso3,
        "resolution": report.resolution.number,
        "requirement": report.answers if report.requirement_id is not None else None,
        "period": ({"start": report.period_from, "end": report.period_to}
                   if report.period_from is not None else None),
        "event_on": report.event_on,
        "nil": version.nil,
        "version": version.number,
        "received_at": version.received_at,
        "first_received_at": report.first_received_at,
        "due": timing.deadline,
        "on_time": timing.on_time,
        "days_late": timing.days_late,
        "days_from_event": requirements.days_from_event(report),
        "completeness": version.completeness,
        "rating": version.rating,
        "flags": flag_rules.report_flags(version.content_flags, timing.on_time),
        "demo": report.is_demo,
    }


def report_document(report: Report | service.StoredReport,
                    version: ReportVersion | service.StoredVersion) -> dict[str, Any]:
    """The report as clients read it, serialized to JSON types."""
    return REPORT_OUT.dump({
        **report_fields(report, version),
        "dated": version.dated,
        "language": version.language,
        "reference": version.reference,
        "justification": version.document.get("justification") if version.nil else None,
        "entries": [service.entry_view(e) for e in version.entries],
        "links": _links(report),
    })


def _quoted(tag: str) -> str:
    return f'"{tag}"'


def idempotent_response(authority_id: int, raw: Any, create: Callable[[], StoredResponse]
                        ) -> Response:
    """Run the use case `create` once per `Idempotency-Key` (if the request has one) and
    answer its stored response; a replay says so (`Idempotent-Replayed: true`)."""
    outcome = idempotency.idempotent(
        db.session, authority_id, request.headers.get("Idempotency-Key"),
        service.fingerprint("POST", request.path, raw),
        current_app.config["IDEMPOTENCY_LOCK_SECONDS"], create,
    )
    response = jsonify(outcome.response.body)
    response.status_code = outcome.response.status
    response.headers.update(outcome.response.headers)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _expected_version() -> service.ExpectedVersion | None:
    """What If-Match names, as Werkzeug parses it: strong tags only (weak ones never match
    for a write), or `*`; None when the header is absent."""
    if "If-Match" not in request.headers:
        return None
    tags = request.if_match
    strong = frozenset(tags.as_set())  # `"v", *` parses as the tags `v` and `*`
    return service.ExpectedVersion(tags=strong - {"*"}, any=tags.star_tag or "*" in strong)


def _report_response(report: Report | service.StoredReport, status: int = 200,
                     version: ReportVersion | service.StoredVersion | None = None):
    """The report at `version` (just written, already in memory) or at its latest."""
    if version is None:
        assert isinstance(report, Report)  # a report just written comes with its version
        version = service.latest_version(db.session, report)
    body = report_document(report, version)
    response = jsonify(body)
    response.status_code = status
    response.set_etag(service.etag_for(report))
    if status == 201:
        response.headers["Location"] = body["links"]["self"]
    return response, body


@blp.route("")
class Reports(MethodView):
    @blp.doc(security=BEARER, requestBody=REPORT_BODY, parameters=[IDEMPOTENCY_HEADER])
    @blp.response(201, ReportOutSchema, headers={
        **REPORT_HEADERS,
        "Location": {"description": "URL of the new report", "schema": {"type": "string"}},
        "Idempotent-Replayed": {
            "description": "`true` when this is the stored response to an earlier request "
            "with the same Idempotency-Key and body (nothing new was stored); absent otherwise",
            "schema": {"type": "string", "enum": ["true"]},
        },
    })
    @blp.alt_response(
        409, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE,
        description="The state's report on this resolution exists already (its id in "
        "`existing_report`: amend it instead), or a request with the same Idempotency-Key is "
        "still in flight (then with `Retry-After`)",
        headers={"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
    )
    @requires(*WRITERS)
    def post(self):
        """Submit a report (version 1), scored on arrival"""
        principal = current_principal()
        raw = json_body()

        def create() -> StoredResponse:
            version = service.submit(db.session, principal, raw)
            body = report_document(version.report, version)
            return StoredResponse(201, body, {"Location": body["links"]["self"],
                                              "ETag": _quoted(service.etag_for(version.report))},
                                  version.report.id)

        return idempotent_response(principal.authority_id, raw, create)

    @blp.doc(security=BEARER)
    @blp.arguments(ReportListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ReportPageSchema)
    @blp.alt_response(404, response="NOT_FOUND",
                      description="A reporter asked for another state's reports (`state`)")
    @requires(*READERS)
    def get(self, args):
        """List reports (a reporter sees its own state's only)"""
        principal = current_principal()
        size = page_size_or_default(args["page_size"])
        rows, total = service.list_reports(
            db.session, principal, state=args.get("state"), resolution=args.get("resolution"),
            rating=args.get("rating"), page=args["page"], page_size=size,
            requirement=args.get("requirement"), regime=args.get("regime"),
        )
        items = [report_fields(report, version) for report, version in rows]
        return envelope(items, total, args["page"], size)


@blp.route("/validate")
class ValidateReport(MethodView):
    @blp.doc(security=BEARER, requestBody=VALIDATE_BODY)
    @blp.response(200, ValidationResultSchema)
    @requires(*WRITERS)
    def post(self):
        """Check a report without storing it: every error, and the score it would get"""
        try:
            raw = json_body()
        except UnpairedSurrogates as exc:  # the same pointers a submission would get in a 422
            return {"valid": False, "errors": exc.errors, "score": None}
        return validation_result(current_principal(), raw)


def validation_result(principal: Principal, raw: Any) -> dict[str, Any]:
    """What POST /api/v1/reports/validate answers for the decoded body `raw`: every error,
    or the score the report would get. Nothing is stored."""
    doc, errors = service.check_document(db.session, principal, raw)
    if doc is None:
        return {"valid": False, "errors": errors, "score": None}
    received_at = service.received_at_of(doc.data)
    score = service.score_document(doc, received_at).as_dict()
    if doc.nil:
        score.update(completeness=None, rating=None)
    timing = flag_rules.timeliness_against(service.due_of_document(doc), received_at)
    score.update(on_time=timing.on_time, days_late=timing.days_late)
    return {"valid": True, "errors": [], "score": score}


def report_score(report: Report) -> dict[str, Any]:
    """What GET /api/v1/reports/{id}/score answers: the latest version's breakdown."""
    version = service.latest_version(db.session, report)
    timing = service.report_timeliness(report)
    return {**version.score, "on_time": timing.on_time, "days_late": timing.days_late}


def version_summary(version: ReportVersion) -> dict[str, Any]:
    """A version as the version list shows it."""
    return _version_summary(version)


@blp.route("/<report_id:report_id>")
class ReportDetail(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, ReportOutSchema)
    @requires(*READERS)
    def get(self, report_id):
        """A report at its latest version"""
        report = service.get_report(db.session, current_principal(), report_id)
        response, _ = _report_response(report)
        return response

    @blp.doc(security=BEARER, requestBody=REPORT_BODY, parameters=[IF_MATCH_HEADER])
    @blp.response(200, ReportOutSchema, headers=REPORT_HEADERS)
    @blp.alt_response(412, response="PRECONDITION_FAILED",
                      description="If-Match does not name the current version")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED", description="If-Match is missing")
    @requires(*WRITERS)
    def put(self, report_id):
        """Amend a report: a full replacement, stored as a new version"""
        principal = current_principal()
        raw = json_body()
        version = service.amend(db.session, principal, report_id, raw, _expected_version())
        response, _ = _report_response(version.report, version=version)
        return response


@blp.route("/<report_id:report_id>/versions")
class ReportVersions(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, VersionListSchema)
    @requires(*READERS)
    def get(self, report_id):
        """Every version of a report, oldest first"""
        report = service.get_report(db.session, current_principal(), report_id)
        versions = service.list_versions(db.session, report)
        return {
            "report": report.public_id,
            "items": [_version_summary(v) for v in versions],
            "total": len(versions),
        }


def _version_summary(version: ReportVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "received_at": version.received_at,
        "submitted_by": version.submitted_by.name if version.submitted_by else None,
        "nil": version.nil,
        "completeness": version.completeness,
        "rating": version.rating,
        "score_method": version.score_method,
    }


@blp.route("/<report_id:report_id>/versions/<int(max=999999):number>")
class ReportVersionDetail(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, VersionDetailSchema)
    @requires(*READERS)
    def get(self, report_id, number):
        """One version, with its body exactly as received"""
        report = service.get_report(db.session, current_principal(), report_id)
        version = service.get_version(db.session, report, number)
        return {**_version_summary(version), "report": report.public_id,
                "document": version.document}


@blp.route("/<report_id:report_id>/versions/<int(max=999999):older>/diff/"
           "<int(max=999999):newer>")
class ReportVersionDiff(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, VersionDiffSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY",
                      description="`older` is not before `newer` (the problem names `older`)")
    @requires(*READERS)
    def get(self, report_id, older, newer):
        """What changed from one version of a report to a later one, obligation by
        obligation, with word-level differences of the texts"""
        found = report_diffs.version_difference(db.session, current_principal(), report_id,
                                                older, newer)
        return {"report": found.report.public_id, "older": _version_summary(found.older),
                "newer": _version_summary(found.newer), **found.diff}


@blp.route("/<report_id:report_id>/score")
class ReportScore(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, ScoreSchema)
    @requires(*READERS)
    def get(self, report_id):
        """The completeness breakdown of the latest version, obligation by obligation"""
        report = service.get_report(db.session, current_principal(), report_id)
        return report_score(report)
