"""Panel findings and the right of reply: record, amend, move through the workflow (share,
publish, withdraw), the State's reply, read and list."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask.views import MethodView
from marshmallow import RAISE

from schemas.common import ProblemSchema
from schemas.findings import (
    FindingContentSchema,
    FindingInSchema,
    FindingListArgsSchema,
    FindingOutSchema,
    FindingPageSchema,
    FindingVersionListSchema,
    ReplyInSchema,
    ReplyVersionListSchema,
    StatusChangeSchema,
)

from ..auth import current_principal, requires
from ..domain import FindingStatus, Role
from ..errors import PROBLEM_MIMETYPE
from ..extensions import db
from ..models import Finding
from ..services import findings as service
from ..services.idempotency import StoredResponse
from . import envelope, json_body, page_size_or_default
from .parsing import Blueprint
from .reports import IDEMPOTENCY_HEADER, _expected_version, idempotent_response

blp = Blueprint(
    "findings",
    __name__,
    url_prefix="/api/v1",
    description="Panel findings: the Panel's assessment of a claim (a report's entry, an "
    "incident, a State's implementation of an obligation) with its evidence; shared with "
    "the State, which may reply, then published or withdrawn.",
)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
PANEL = (Role.PANEL, Role.ADMIN)
FINDING_BODY = {"required": True,
                "content": {"application/json": {"schema": FindingInSchema}}}
CONTENT_BODY = {"required": True,
                "content": {"application/json": {"schema": FindingContentSchema}}}
STATUS_BODY = {"required": True,
               "content": {"application/json": {"schema": StatusChangeSchema}}}
REPLY_BODY = {"required": True, "content": {"application/json": {"schema": ReplyInSchema}}}
IF_MATCH_HEADER = {"name": "If-Match", "in": "header", "required": True,
                   "description": "The finding's current ETag (it changes with every "
                   "version, status change and reply)", "schema": {"type": "string"}}
ETAG = {"ETag": {"$ref": "#/components/headers/ETag"}}
FINDING_OUT = FindingOutSchema()


def _quoted(tag: str) -> str:
    return f'"{tag}"'


def _document(finding: Finding) -> dict[str, Any]:
    [view] = service.finding_views(db.session, [finding])
    return FINDING_OUT.dump(view)


def _finding_response(finding: Finding, status: int = 200) -> Response:
    finding = service.get_finding(db.session, current_principal(), finding.public_id)
    response = jsonify(_document(finding))
    response.status_code = status
    response.set_etag(service.etag_for(finding))
    return response


@blp.route("/findings")
class Findings(MethodView):
    @blp.doc(security=BEARER, requestBody=FINDING_BODY, parameters=[IDEMPOTENCY_HEADER])
    @blp.response(201, FindingOutSchema, headers={
        **ETAG,
        "Location": {"description": "URL of the new finding", "schema": {"type": "string"}},
        "Idempotent-Replayed": {
            "description": "`true` when this is the stored response to an earlier request "
            "with the same Idempotency-Key and body", "schema": {"type": "string",
                                                                 "enum": ["true"]}},
    })
    @blp.alt_response(409, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE,
                      description="A request with the same Idempotency-Key is still in "
                      "flight (with `Retry-After`), or the key was used with another body",
                      headers={"Retry-After": {"$ref": "#/components/headers/RetryAfter"}})
    @requires(*PANEL)
    def post(self):
        """Record a finding (a draft)"""
        principal = current_principal()
        raw = json_body()

        def create() -> StoredResponse:
            finding = service.record(db.session, principal, raw)
            found = service.get_finding(db.session, principal, finding.public_id)
            body = _document(found)
            return StoredResponse(201, body, {"Location": body["links"]["self"],
                                              "ETag": _quoted(service.etag_for(found))})

        return idempotent_response(principal.authority_id, raw, create)

    @blp.doc(security=BEARER)
    @blp.arguments(FindingListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, FindingPageSchema)
    @requires(*tuple(Role))
    def get(self, args):
        """List findings, newest first

        A reporter sees its own State's findings once shared (shared, published, or
        withdrawn after sharing); others are absent from its list.
        """
        principal = current_principal()
        size = page_size_or_default(args["page_size"])
        filters = service.Filters(state=args.get("state"), assessment=args.get("assessment"),
                                  status=args.get("status"), visibility=args.get("visibility"))
        findings, total = service.list_findings(db.session, principal, filters,
                                                page=args["page"], page_size=size)
        return envelope(service.finding_views(db.session, findings), total, args["page"], size)


@blp.route("/findings/<string(minlength=1, maxlength=64):finding_id>")
class FindingDetail(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, FindingOutSchema)
    @requires(*tuple(Role))
    def get(self, finding_id):
        """A finding at its latest version, with the State's reply"""
        finding = service.get_finding(db.session, current_principal(), finding_id)
        return _finding_response(finding)

    @blp.doc(security=BEARER, requestBody=CONTENT_BODY, parameters=[IF_MATCH_HEADER])
    @blp.response(200, FindingOutSchema, headers=ETAG)
    @blp.alt_response(409, response="CONFLICT",
                      description="The finding is published or withdrawn: no longer amended")
    @blp.alt_response(412, response="PRECONDITION_FAILED",
                      description="If-Match does not name the current ETag")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED", description="If-Match is missing")
    @requires(*PANEL)
    def put(self, finding_id):
        """Amend a draft or shared finding: a new version (state and subject stay)

        Amending a shared finding restarts the State's reply window (`reply_due` = today +
        `FINDING_REPLY_DAYS`) and notifies the State's contacts again, as sharing does."""
        finding = service.amend(db.session, current_principal(), finding_id, json_body(),
                                _expected_version(),
                                reply_days=current_app.config["FINDING_REPLY_DAYS"])
        if finding.status == FindingStatus.SHARED:
            _notify_shared(finding)
        return _finding_response(finding)


@blp.route("/findings/<string(minlength=1, maxlength=64):finding_id>/status")
class FindingStatusChange(MethodView):
    @blp.doc(security=BEARER, requestBody=STATUS_BODY, parameters=[IF_MATCH_HEADER])
    @blp.response(200, FindingOutSchema, headers=ETAG)
    @blp.alt_response(409, response="CONFLICT", description="Not a legal transition from the "
                      "finding's status, or a publication before `reply_due` without a reply "
                      "and without a `reason` (`errors` point at `/to` or `/reason`)")
    @blp.alt_response(412, response="PRECONDITION_FAILED",
                      description="If-Match does not name the current ETag")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED", description="If-Match is missing")
    @requires(*PANEL)
    def post(self, finding_id):
        """Share, publish or withdraw a finding (sharing e-mails the State's reporters)"""
        principal = current_principal()
        changed = service.change_status(
            db.session, principal, finding_id, json_body(), _expected_version(),
            reply_days=current_app.config["FINDING_REPLY_DAYS"])
        if changed.outcome.status == FindingStatus.SHARED:
            _notify_shared(changed.finding)
        return _finding_response(changed.finding)


def _notify_shared(finding: Finding) -> None:
    """After the commit: e-mail the State's reporters (see `send_share_notices`)."""
    service.send_share_notices(db.session, finding, current_app.config)


@blp.route("/findings/<string(minlength=1, maxlength=64):finding_id>/versions")
class FindingVersions(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, FindingVersionListSchema)
    @requires(*tuple(Role))
    def get(self, finding_id):
        """Every version of a finding, oldest first (a reporter: from the version shared
        with its State on)"""
        finding = service.get_finding(db.session, current_principal(), finding_id)
        versions = service.list_versions(db.session, current_principal(), finding)
        return {"finding": finding.public_id, "total": len(versions), "items": [
            {"version": v.number, "received_at": v.received_at,
             "author": v.author.name if v.author else None, "assessment": v.assessment,
             "visibility": v.visibility, "language": v.language, "text": v.text,
             "evidence": v.evidence} for v in versions]}


@blp.route("/findings/<string(minlength=1, maxlength=64):finding_id>/reply")
class FindingReplyResource(MethodView):
    @blp.doc(security=BEARER, requestBody=REPLY_BODY)
    @blp.response(200, FindingOutSchema, headers=ETAG, description="The reply was amended "
                  "(a new version)")
    @blp.alt_response(201, schema=FindingOutSchema, description="The State's first reply")
    @blp.alt_response(409, response="CONFLICT", description="The finding is not shared (it is "
                      "published or withdrawn): the reply window is closed")
    @requires(Role.REPORTER)
    def put(self, finding_id):
        """The State replies to a finding shared with it, or amends its reply"""
        replied = service.reply(db.session, current_principal(), finding_id, json_body())
        return _finding_response(replied.finding, 201 if replied.created else 200)


@blp.route("/findings/<string(minlength=1, maxlength=64):finding_id>/reply/versions")
class FindingReplyVersions(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, ReplyVersionListSchema)
    @requires(*tuple(Role))
    def get(self, finding_id):
        """Every version of the State's reply, oldest first"""
        finding = service.get_finding(db.session, current_principal(), finding_id)
        versions = service.list_reply_versions(db.session, finding)
        return {"finding": finding.public_id, "total": len(versions), "items": [
            {"version": v.number, "received_at": v.received_at,
             "authority": v.authority.name if v.authority else None,
             "language": v.language, "text": v.text} for v in versions]}
