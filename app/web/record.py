"""The record pages: Panel findings with their workflow and the State's reply; incidents,
one incident, a vessel. The same services, role checks and builders as the API."""

from __future__ import annotations

import math
from typing import Any

from flask import current_app, redirect, request, session, url_for
from marshmallow import RAISE

from schemas.findings import FindingListArgsSchema
from schemas.incidents import IncidentListArgsSchema

from ..api.incidents import incident_download, incident_filters, vessel_document
from ..auth import require_role
from ..domain import Assessment, FindingStatus, IncidentKind, PartyRole, Role, Visibility
from ..errors import DomainError, problem_for
from ..extensions import db
from ..models.types import utcnow
from ..services import findings as findings_service
from ..services import incidents as incidents_service
from ..services.reports import ExpectedVersion
from . import bp
from .pages import EVERYONE, HOME, PANEL, ROWS_PER_PAGE, page

FINDING_FILTERS = ("state", "assessment", "status", "visibility")
INCIDENT_FILTERS = ("state", "role", "kind", "imo", "obligation", "resolution", "from", "to",
                    "visibility")
# A message next to the form, on the page, for what the use case refuses; a 404 or a 403
# stays the error page.
SHOWN_ON_FORM = (409, 412, 422, 428)
INCIDENTS = ("Incidents", "/ui/incidents")


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _query(names: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in names and v != ""}


def _form_error(error: DomainError) -> dict[str, Any]:
    problem = problem_for(error)
    return {"status": problem.status, "title": problem.title, "detail": error.detail,
            "errors": error.errors or []}


def _notice(text: str) -> None:
    session["record_notice"] = text


# --- findings -----------------------------------------------------------------------------

def _finding_list(form: dict[str, str] | None = None, error: dict[str, Any] | None = None,
                  status: int = 200):
    me = require_role(EVERYONE)
    query = _query(FINDING_FILTERS)
    number = _page_number()
    args = FindingListArgsSchema().load({**query, "page": number,
                                         "page_size": ROWS_PER_PAGE}, unknown=RAISE)
    filters = findings_service.Filters(state=args.get("state"),
                                       assessment=args.get("assessment"),
                                       status=args.get("status"),
                                       visibility=args.get("visibility"))
    found, total = findings_service.list_findings(db.session, me, filters, page=number,
                                                  page_size=ROWS_PER_PAGE)
    views = findings_service.finding_views(db.session, found)
    pages = max(1, math.ceil(total / ROWS_PER_PAGE))
    return page("record/findings.html", title="Findings", crumbs=[HOME, ("Findings", None)],
                status=status, findings=views, total=total, page_number=number, pages=pages,
                query=query, assessments=tuple(Assessment), statuses=tuple(FindingStatus),
                visibilities=tuple(Visibility), can_record=not me.is_reporter,
                form=form or {}, error=error, notice=session.pop("record_notice", None))


@bp.route("/ui/findings")
def findings():
    return _finding_list()


@bp.route("/ui/findings", methods=["POST"])
def record_finding():
    """The Panel records a finding (a draft): the API's body from the form's fields."""
    me = require_role(PANEL)
    form = {k: request.form.get(k, "").strip() for k in (
        "state", "report", "obligation", "assessment", "text", "language", "visibility")}
    subject = {k: form[k] for k in ("report", "obligation") if form[k]}
    raw = {"state": form["state"].upper(), "subject": subject,
           "assessment": form["assessment"], "text": request.form.get("text", ""),
           "language": form["language"], "visibility": form["visibility"] or
           Visibility.RESTRICTED}
    try:
        finding = findings_service.record(db.session, me, raw)
    except DomainError as exc:
        if problem_for(exc).status not in SHOWN_ON_FORM:
            raise
        return _finding_list(form, _form_error(exc), status=problem_for(exc).status)
    _notice(f"Finding {finding.public_id} recorded as a draft.")
    return redirect(url_for("web.finding", finding_id=finding.public_id), 303)


def _finding_page(finding_id: str, *, error: dict[str, Any] | None = None,
                  error_form: str | None = None, form: dict[str, str] | None = None,
                  status: int = 200):
    me = require_role(EVERYONE)
    found = findings_service.get_finding(db.session, me, finding_id)
    [view] = findings_service.finding_views(db.session, [found])
    versions = findings_service.list_versions(db.session, me, found)
    replies = findings_service.list_reply_versions(db.session, found)
    incident_ids = [e["incident"] for e in view["evidence"] if e.get("incident")]
    if found.incident is not None:
        incident_ids.append(found.incident.public_id)
    title = f"Finding {found.public_id}"
    can_reply = (me.is_reporter and me.state_id == found.state_id
                 and found.status == FindingStatus.SHARED)
    return page("record/finding.html", title=title,
                crumbs=[HOME, ("Findings", url_for("web.findings")), (title, None)],
                status=status, f=view, state=found.state, versions=versions, replies=replies,
                etag=findings_service.etag_for(found), is_panel=not me.is_reporter,
                can_reply=can_reply, error=error, error_form=error_form, form=form or {},
                notice=session.pop("record_notice", None),
                today=utcnow().date())


@bp.route("/ui/findings/<string(minlength=1, maxlength=64):finding_id>")
def finding(finding_id: str):
    return _finding_page(finding_id)


@bp.route("/ui/findings/<string(minlength=1, maxlength=64):finding_id>/status",
          methods=["POST"])
def finding_status(finding_id: str):
    """Share, publish or withdraw, with the ETag the form was made with as If-Match: a form
    older than the finding is refused (412) with a message, nothing changed."""
    me = require_role(PANEL)
    etag = request.form.get("etag", "").strip()
    expected = ExpectedVersion(tags=frozenset({etag}), any=False) if etag else None
    raw: dict[str, Any] = {"to": request.form.get("to", "")}
    reason = request.form.get("reason", "")
    if reason.strip():
        raw["reason"] = reason
    try:
        changed = findings_service.change_status(
            db.session, me, finding_id, raw, expected,
            reply_days=current_app.config["FINDING_REPLY_DAYS"])
    except DomainError as exc:
        if problem_for(exc).status not in SHOWN_ON_FORM:
            raise
        return _finding_page(finding_id, error=_form_error(exc), error_form="status",
                             form={"reason": reason, "to": raw["to"]},
                             status=problem_for(exc).status)
    if changed.outcome.status == FindingStatus.SHARED:
        findings_service.send_share_notices(db.session, changed.finding, current_app.config)
    _notice(f"The finding is now {changed.outcome.status}.")
    return redirect(url_for("web.finding", finding_id=finding_id), 303)


@bp.route("/ui/findings/<string(minlength=1, maxlength=64):finding_id>/reply",
          methods=["POST"])
def finding_reply(finding_id: str):
    """The State's reply (or its next version) while the finding is shared with it."""
    me = require_role(EVERYONE)
    raw = {"text": request.form.get("text", ""),
           "language": request.form.get("language", "").strip()}
    try:
        if not me.is_reporter:  # the Panel reads the reply; only the State writes it
            findings_service.get_finding(db.session, me, finding_id)
            require_role((Role.REPORTER,))
        findings_service.reply(db.session, me, finding_id, raw)
    except DomainError as exc:
        if problem_for(exc).status not in SHOWN_ON_FORM:
            raise
        return _finding_page(finding_id, error=_form_error(exc), error_form="reply",
                             form=raw, status=problem_for(exc).status)
    _notice("Your reply is recorded; it is published beside the finding.")
    return redirect(url_for("web.finding", finding_id=finding_id), 303)


# --- incidents and vessels ----------------------------------------------------------------

def _incident_args(with_page: bool) -> dict[str, Any]:
    raw: dict[str, Any] = _query(INCIDENT_FILTERS)
    if with_page:
        raw.update(page=_page_number(), page_size=ROWS_PER_PAGE)
    args: dict[str, Any] = IncidentListArgsSchema().load(raw, unknown=RAISE)
    return args


@bp.route("/ui/incidents")
def incidents():
    me = require_role(EVERYONE)
    args = _incident_args(True)
    rows, total = incidents_service.list_incidents(
        db.session, me, incident_filters(args), page=args["page"], page_size=ROWS_PER_PAGE)
    views = [incidents_service.incident_view(i, v) for i, v in rows]
    pages = max(1, math.ceil(total / ROWS_PER_PAGE))
    query = _query(INCIDENT_FILTERS)
    return page("record/incidents.html", title="Incidents",
                crumbs=[HOME, ("Incidents", None)], incidents=views, total=total,
                page_number=args["page"], pages=pages, query=query,
                kinds=tuple(IncidentKind), roles=tuple(PartyRole),
                visibilities=tuple(Visibility))


@bp.route("/ui/incidents.csv")
def incidents_csv():
    """Every matching incident as CSV: the API's own builder and bytes."""
    me = require_role(EVERYONE)
    return incident_download(me, incident_filters(_incident_args(False)), located=False)


@bp.route("/ui/incidents.geojson")
def incidents_geojson():
    """The matching incidents with coordinates as GeoJSON: the API's own builder."""
    me = require_role(EVERYONE)
    return incident_download(me, incident_filters(_incident_args(False)), located=True)


@bp.route("/ui/incidents/<string(minlength=1, maxlength=64):incident_id>")
def incident(incident_id: str):
    me = require_role(EVERYONE)
    found = incidents_service.get_incident(db.session, me, incident_id)
    view = incidents_service.incident_view(found, incidents_service.current_version(
        db.session, found))
    title = f"Incident {found.public_id}"
    return page("record/incident.html", title=title,
                crumbs=[HOME, INCIDENTS, (title, None)], i=view)


@bp.route("/ui/vessels/<string(minlength=1, maxlength=16):imo>")
def vessel(imo: str):
    me = require_role(EVERYONE)
    record = vessel_document(me, imo)
    title = f"Vessel IMO {imo}"
    return page("record/vessel.html", title=title, crumbs=[HOME, INCIDENTS, (title, None)],
                v=record)
