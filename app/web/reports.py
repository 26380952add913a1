"""Report pages: the list, one report (versions, score per obligation, entries), the
difference between two versions, and the validation of a report document before it is
submitted. The same services and role checks as /api/v1/reports."""

from __future__ import annotations

import math
from typing import Any

from flask import request, url_for
from marshmallow import ValidationError

from schemas.reports import ReportListArgsSchema

from ..api.parsing import MalformedBody, UnpairedSurrogates, decode_json
from ..api.reports import report_fields, report_score, validation_result, version_summary
from ..auth import require_role
from ..domain import SCORED_RATINGS, Role
from ..extensions import db
from ..services import report_diffs
from ..services import reports as service
from . import bp
from .pages import EVERYONE, HOME, ROWS_PER_PAGE, _me, page

WRITERS = (Role.REPORTER, Role.ADMIN)
LIST_FILTERS = ("state", "resolution", "requirement", "rating")
REPORTS = ("Reports", "/ui/reports")


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.route("/ui/reports")
def report_list() -> Any:
    me = require_role(EVERYONE)
    query = {k: v for k, v in request.args.items() if k in LIST_FILTERS and v.strip() != ""}
    args = ReportListArgsSchema().load(query)
    number = _page_number()
    rows, total = service.list_reports(
        db.session, me, state=args.get("state"), resolution=args.get("resolution"),
        rating=args.get("rating"), page=number, page_size=ROWS_PER_PAGE,
        requirement=args.get("requirement"))
    pages = max(1, math.ceil(total / ROWS_PER_PAGE))
    items = [report_fields(report, version) for report, version in rows]
    return page("reports/list.html", title="Reports", crumbs=[HOME, ("Reports", None)],
                items=items, total=total, page_number=number, pages=pages, query=query,
                first=(number - 1) * ROWS_PER_PAGE + 1, ratings=SCORED_RATINGS)


@bp.route("/ui/reports/<string(maxlength=40):report_id>")
def report_detail(report_id: str) -> Any:
    me = require_role(EVERYONE)
    report = service.get_report(db.session, me, report_id)
    version = service.latest_version(db.session, report)
    fields = report_fields(report, version)
    versions = [version_summary(v) for v in service.list_versions(db.session, report)]
    entries = [service.entry_view(e) for e in version.entries]
    title = f"Report {report.public_id}"
    return page("reports/detail.html", title=title,
                crumbs=[HOME, REPORTS, (title, None)], report=fields, versions=versions,
                score=report_score(report), entries=entries, language=version.language or "",
                justification=(version.document.get("justification") if version.nil
                               else None))


def _version_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["Not a version number."]}) from None
    if not 1 <= value <= 999999:
        raise ValidationError({name: ["Not a version number."]})
    return value


@bp.route("/ui/reports/<string(maxlength=40):report_id>/diff")
def report_diff(report_id: str) -> Any:
    me = require_role(EVERYONE)
    report = service.get_report(db.session, me, report_id)
    latest = report.current_version
    newer = _version_arg("to", latest)
    older = _version_arg("from", max(1, newer - 1))
    versions = [version_summary(v) for v in service.list_versions(db.session, report)]
    title = f"Report {report.public_id}: version {older} to {newer}"
    crumbs = [HOME, REPORTS,
              (f"Report {report.public_id}", url_for("web.report_detail",
                                                    report_id=report.public_id)),
              (f"Versions {older} to {newer}", None)]
    if latest < 2:
        return page("reports/diff.html", title=title, crumbs=crumbs, report=report,
                    versions=versions, older=older, newer=newer, diff=None, found=None)
    found = report_diffs.version_difference(db.session, me, report.public_id, older, newer)
    return page("reports/diff.html", title=title, crumbs=crumbs, report=report,
                versions=versions, older=older, newer=newer, diff=found.diff,
                found={"older": version_summary(found.older),
                       "newer": version_summary(found.newer),
                       "older_language": found.older.language or "",
                       "newer_language": found.newer.language or ""})


# --- validation of a report document before it is submitted -------------------------------

def _grouped(errors: list[dict[str, str]], raw: Any) -> tuple[list[dict[str, str]],
                                                                 list[dict[str, Any]]]:
    """The errors about the report as a whole, and those about each entry (pointer
    `/entries/N...`) grouped by entry, in entry order, with the entry's obligation."""
    general: list[dict[str, str]] = []
    by_entry: dict[int, list[dict[str, str]]] = {}
    for error in errors:
        parts = error["pointer"].split("/")
        if len(parts) >= 3 and parts[0] == "" and parts[1] == "entries" and parts[2].isdigit():
            by_entry.setdefault(int(parts[2]), []).append(error)
        else:
            general.append(error)
    listed = raw.get("entries") if isinstance(raw, dict) else None
    groups = []
    for index in sorted(by_entry):
        entry = listed[index] if isinstance(listed, list) and index < len(listed) else None
        code = entry.get("obligation") if isinstance(entry, dict) else None
        groups.append({"index": index, "obligation": code if isinstance(code, str) else None,
                       "errors": by_entry[index]})
    return general, groups


def _submitted_document() -> tuple[bytes | None, str]:
    """The document sent: the uploaded file if any, else the pasted text (the request
    size limit, `MAX_CONTENT_LENGTH`, applies to the form as to the API)."""
    upload = request.files.get("document")
    if upload is not None and upload.filename:
        return upload.read(), ""
    pasted = request.form.get("pasted", "")
    if pasted.strip():
        return pasted.encode("utf-8", "surrogatepass"), pasted
    return None, pasted


@bp.route("/ui/validate", methods=["GET", "POST"])
def validate() -> Any:
    require_role(WRITERS)
    me = _me()
    title = "Check a report before submitting it"
    crumbs = [HOME, (title, None)]
    if request.method == "GET":
        return page("reports/validate.html", title=title, crumbs=crumbs, result=None,
                    problem=None, pasted="", general=[], groups=[])
    raw_bytes, pasted = _submitted_document()
    problem = None
    result: dict[str, Any] | None = None
    general: list[dict[str, str]] = []
    groups: list[dict[str, Any]] = []
    if raw_bytes is None:
        problem = "Choose a report file (JSON) or paste the report in the text box."
    else:
        try:
            raw = decode_json(raw_bytes)
        except MalformedBody as exc:
            problem = exc.detail
        except UnpairedSurrogates as exc:
            result = {"valid": False, "errors": exc.errors, "score": None}
            general, groups = _grouped(exc.errors or [], None)
        else:
            result = validation_result(me, raw)
            general, groups = _grouped(result["errors"], raw)
    status = 400 if problem else 200
    return page("reports/validate.html", title=title, crumbs=crumbs, status=status,
                result=result, problem=problem, pasted=pasted, general=general,
                groups=groups)

