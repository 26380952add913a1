"""The compliance matrix and a state's compliance profile, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from marshmallow import RAISE

from schemas.compliance import (
    ComplianceArgsSchema,
    ComplianceRowSchema,
    MatrixArgsSchema,
    MatrixSchema,
    StateProfileSchema,
    dump_matrix,
    dump_row,
    dump_state_profile,
)

from ..auth import require_own_state, requires
from ..domain import Role
from ..extensions import db
from ..services import compliance as service
from . import page_size_or_default
from .parsing import Blueprint

blp = Blueprint(
    "compliance",
    __name__,
    url_prefix="/api/v1/compliance",
    description="Who reported, on time or late, how completely, as of any date. Panel and "
    "admin; a reporter may read its own state's profile.",
)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
# The 200 response is also offered as CSV (see app.api.openapi.complete_document).
CSV_DOC = {"x-also-content": {"text/csv": {
    "schema": {"type": "string", "description": "The same rows as CSV: UTF-8, one header row"},
}}}


def _wants_csv(args: dict[str, Any]) -> bool:
    if args.get("format"):
        return args["format"] == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > request.accept_mimetypes[
        "application/json"
    ]


#: The CSV columns: the fields of a JSON row, in order.
CSV_COLUMNS = tuple(ComplianceRowSchema().dump_fields)


def _csv_response(rows: list[service.MatrixRow], filename: str) -> Response:
    """The rows as CSV: each row's JSON fields (`dump_row`, the schema's without a schema
    per row), one cell each, written in one call."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([_cell(value) for value in dump_row(row).values()] for row in rows)
    response = Response(out.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.vary.add("Accept")
    return response


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_item(v) for v in value)
    return str(value)


def _item(value: Any) -> str:
    """A list item in a CSV cell: a period `from/to`, an inconsistency
    `2270/18 seizures 0<1`, or the value."""
    if isinstance(value, dict) and "from" in value:
        return f"{value['from']}/{value['to']}"
    if isinstance(value, dict) and "figure" in value:
        return (f"{value['obligation']} {value['figure']} "
                f"{value['declared']}<{value['on_record']}")
    return str(value)


def matrix_result(args: dict[str, Any]) -> dict[str, Any] | Response:
    """The matrix as the API answers it (JSON body or CSV response) for parsed query
    arguments (`MatrixArgsSchema`): the API and the web pages' downloads share it."""
    if args.get("resolution") is None and args.get("requirement") is None:
        return _regime_matrix_result(args)
    resolution, answered, cutoff, rows = service.matrix(
        db.session, args.get("resolution"), args.get("as_of"), args.get("requirement"))
    service.check_regime_of(db.session, args.get("regime"), resolution)
    summary, shown, total, paging = _shown(rows, args)
    if _wants_csv(args):
        subject = (answered.code.replace("/", "-") if args.get("requirement") and answered
                   else str(resolution.number))
        return _csv_response(
            shown, f"compliance-{subject}-as-of-{cutoff.as_of.isoformat()}.csv"
        )
    return {
        "regime": resolution.regime.code,
        "resolution": resolution.number,
        "symbol": resolution.symbol,
        "requirement": answered.code if answered else None,
        "kind": answered.kind if answered else None,
        "applies_to": answered.requirement.applies_to if answered else None,
        "deadline": answered.due if answered else None,
        "deadline_verified": answered.deadline_verified if answered else None,
        "as_of": cutoff.as_of,
        "demo": any(r.demo for r in rows),
        "summary": summary,
        "total": total,
        **paging,
        "items": shown,
    }


def _shown(rows: list[Any], args: dict[str, Any]
           ) -> tuple[Any, list[Any], int, dict[str, int]]:
    """(headline of all rows, the rows shown, how many pass the filters, paging): filtered
    and sorted as asked, and paged only when asked (the whole matrix otherwise)."""
    summary = service.headline(rows)
    shown = service.filter_and_sort(rows, un_group=args.get("un_group"),
                                    rating=args.get("rating"), flag=args.get("flag"),
                                    sort=args["sort"])
    total = len(shown)
    paging: dict[str, int] = {}
    if args.get("page") is not None or args.get("page_size") is not None:
        paging = {"page": args.get("page") or 1,
                  "page_size": page_size_or_default(args.get("page_size"))}
        start = (paging["page"] - 1) * paging["page_size"]
        shown = shown[start:start + paging["page_size"]]
    return summary, shown, total, paging


def _regime_matrix_result(args: dict[str, Any]) -> dict[str, Any] | Response:
    """A regime's matrix: the matrices of its resolutions that ask every State a general
    report, one after the other."""
    regime, cutoff, numbers, rows = service.regime_matrix(db.session, args["regime"],
                                                          args.get("as_of"))
    summary, shown, total, paging = _shown(rows, args)
    if _wants_csv(args):
        return _csv_response(
            shown, f"compliance-regime-{regime.code}-as-of-{cutoff.as_of.isoformat()}.csv")
    return {"regime": regime.code, "resolution": None, "symbol": None,
            "resolutions": numbers, "requirement": None, "kind": None, "applies_to": None,
            "deadline": None, "deadline_verified": None, "as_of": cutoff.as_of,
            "demo": any(r.demo for r in rows), "summary": summary, "total": total,
            **paging, "items": shown}


@blp.route("")
class Matrix(MethodView):
    @blp.doc(security=BEARER, **CSV_DOC)
    @blp.arguments(MatrixArgsSchema, location="query", unknown=RAISE)
    @blp.alt_response(404, response="NOT_FOUND",
                      description="No such resolution or reporting requirement")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY",
                      description="A bad argument, an unknown `regime`, a `regime` that is "
                      "not the resolution's, or an `as_of` before the resolution's adoption")
    @blp.response(200, MatrixSchema)
    @requires(Role.PANEL, Role.ADMIN)
    def get(self, args):
        """One row per Member State on a reporting requirement, as of a date (JSON or CSV)

        `requirement` names a requirement (a stage for a staged one); `resolution` alone
        means the resolution's general (`once`) report. `regime` alone gives the regime's
        matrix: a row per State and resolution of the regime that asks every State a
        general report (adopted by `as_of`), sorted by state then resolution by default;
        with `resolution` or `requirement` it must be their regime. A committee's own
        report to the Council (`addressed_to: committee`) has every row
        `no_report_requested`.

        Every row (193) comes in one response unless `page` or `page_size` is given; then
        the rows are paged, and the body gives `page` and `page_size` beside `total` (rows
        after filters, in all pages). CSV follows the same rule.
        """
        body = matrix_result(args)
        if isinstance(body, Response):
            return body
        # Written by hand, as `MatrixSchema` describes it (a Response passes through).
        return jsonify(dump_matrix(body))


@blp.route("/states/<string(length=3):iso3>")
class StateProfile(MethodView):
    @blp.doc(security=BEARER, **CSV_DOC)
    @blp.arguments(ComplianceArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, StateProfileSchema)
    @requires(Role.REPORTER, Role.PANEL, Role.ADMIN)
    def get(self, args, iso3):
        """One row per resolution for one Member State (a reporter: its own state only)"""
        require_own_state(iso3)
        state, cutoff, rows, every = service.state_profile(db.session, iso3, args.get("as_of"))
        shown = service.filter_and_sort(rows, rating=args.get("rating"), flag=args.get("flag"),
                                        sort=args["sort"])
        if _wants_csv(args):
            return _csv_response(
                shown, f"compliance-{state.iso3}-as-of-{cutoff.as_of.isoformat()}.csv"
            )
        return jsonify(dump_state_profile({
            "state": state.iso3,
            "name": state.name,
            "un_group": state.un_group,
            "as_of": cutoff.as_of,
            "demo": any(r.demo for r in rows),
            "total": len(shown),
            "items": shown,
            "requirements": every,
        }))
