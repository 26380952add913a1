"""A State's reporting deadlines: JSON for its authority, the panel and admins, and an
iCalendar feed that a calendar program subscribes to.

Calendar programs cannot send an `Authorization` header, so the feed answers without a
token and then holds only what is public: the catalogue's due dates for the State, what
each asks and of whom. A request with a valid token that may read the State's deadlines (its
reporter, the panel, an admin) gets the same events with the State's status in each; any
other valid token gets the public feed; a bad token is 401, as everywhere.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView
from marshmallow import RAISE

from schemas.deadlines import DeadlineArgsSchema, StateDeadlinesSchema

from ..auth import may_read_state, optional_principal, require_own_state, requires
from ..domain import Role
from ..extensions import db
from ..rendering import calendar
from ..services import deadlines as service
from .parsing import Blueprint

blp = Blueprint(
    "deadlines",
    __name__,
    url_prefix="/api/v1/states",
    description="A State's reporting deadlines: due, overdue and met, as JSON (its reporter, "
    "panel, admin) and as an iCalendar feed (public; with statuses for a token that may read "
    "them).",
)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
# The feed is public; a token adds the statuses.
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]
CALENDAR_MEDIA = "text/calendar"
CALENDAR_DOC = {"type": "string", "description": "iCalendar (RFC 5545), UTF-8: one all-day "
                "VEVENT per due date, with a stable UID"}
CALENDAR_HEADERS = {
    "ETag": {"$ref": "#/components/headers/ETag"},
    "Content-Disposition": {"description": "inline; filename=deadlines-ISO3.ics",
                            "schema": {"type": "string"}},
}


def resolution_url() -> str:
    """Where a resolution is read, up to its number: `PUBLIC_BASE_URL` when set, else the
    address the request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + "/api/v1/resolutions/"


@blp.route("/<string(length=3):iso3>/deadlines")
class StateDeadlines(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(DeadlineArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, StateDeadlinesSchema)
    @requires(Role.REPORTER, Role.PANEL, Role.ADMIN)
    def get(self, args, iso3):
        """Every report asked of a State, when it is due and whether it was received

        One item per due date or thing asked, for every reporting requirement of every
        resolution adopted by `as_of`, in due-date order (items without a due date last).
        A reporter reads its own State's only and never sees demo data.
        """
        principal = require_own_state(iso3)
        return service.state_deadlines(db.session, iso3, args.get("as_of"),
                                       demo=not principal.is_reporter)


@blp.route("/<string(length=3):iso3>/deadlines.ics")
class StateDeadlineCalendar(MethodView):
    @blp.doc(security=OPTIONAL_BEARER)
    @blp.arguments(DeadlineArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, CALENDAR_DOC, content_type=CALENDAR_MEDIA, headers=CALENDAR_HEADERS,
                  description="The deadlines as an iCalendar feed")
    def get(self, args, iso3):
        """A State's deadlines as an iCalendar feed to subscribe to

        Readable without a token: then it holds what is public, the catalogue's due dates
        for the State and what each asks. With a token that may read the State's deadlines
        (its reporter, panel, admin) every event also says whether the report was received
        (`X-COMPLIANCE-STATUS` and the summary); another valid token gets the public feed.
        """
        principal = optional_principal()
        statuses = may_read_state(principal, iso3)
        deadlines = service.state_deadlines(
            db.session, iso3, args.get("as_of"), statuses=statuses,
            demo=statuses and principal is not None and not principal.is_reporter,
        )
        response = Response(calendar.feed(deadlines, resolution_url()),
                            mimetype=CALENDAR_MEDIA)
        response.headers["Content-Type"] = f"{CALENDAR_MEDIA}; charset=utf-8"
        response.headers["Content-Disposition"] = (
            f'inline; filename="deadlines-{deadlines.iso3}.ics"')
        response.vary.add("Authorization")
        return response
