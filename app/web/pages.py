"""The pages: sign-in and out, home, resolutions, the matrix and its downloads, a state."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from flask import Response, g, redirect, render_template, request, session, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from schemas.catalogue import UN_GROUPS
from schemas.compliance import SORTS, MatrixArgsSchema
from schemas.reports import FLAGS, RATINGS
from schemas.summaries import SummaryArgsSchema

from ..api.compliance import matrix_result
from ..api.summaries import resolution_summary, state_summary
from ..auth import Principal, require_own_state, require_role, session_principal, verify_token
from ..domain import Role
from ..errors import DomainError, Unauthenticated, problem_for
from ..extensions import db
from ..services import compliance, deadlines, findings, requirements, web_sessions
from ..services.catalogue import get_resolution, list_regimes, list_resolutions
from . import bp

PANEL = (Role.PANEL, Role.ADMIN)
EVERYONE = (Role.REPORTER, Role.PANEL, Role.ADMIN)
ROWS_PER_PAGE = 50


def page(template: str, *, title: str, crumbs: list[tuple[str, str | None]],
         status: int = 200, **context: Any) -> tuple[str, int]:
    """A page: its title, its breadcrumb (label, link; the last one is the page itself)."""
    return render_template(f"web/{template}", title=title, crumbs=crumbs,
                           principal=g.get("principal"), **context), status


HOME = ("Home", "/ui/")
#: Findings listed on a State's page (the findings list has them all).
STATE_FINDINGS = 20


# --- errors: the same statuses as the API, as pages --------------------------------------

@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    problem = problem_for(error)
    title = problem.title or HTTPStatus(problem.status).phrase
    return page("error.html", title=title, crumbs=[HOME, (title, None)],
                status=problem.status, detail=error.detail, errors=error.errors or [])


@bp.errorhandler(ValidationError)
def invalid_arguments(error: ValidationError):
    messages = error.normalized_messages()
    errors = [{"pointer": name, "detail": " ".join(map(str, m)) if isinstance(m, list) else str(m)}
              for name, m in messages.items()]
    return page("error.html", title="Invalid request", crumbs=[HOME, ("Invalid request", None)],
                status=400, detail="Some values of the request are not valid.", errors=errors)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    title = error.name
    return page("error.html", title=title, crumbs=[HOME, (title, None)],
                status=error.code or 500, detail=error.description, errors=[])


# --- sign-in and out ----------------------------------------------------------------------

def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this site only."""
    if target and target.startswith("/ui/") and not urlsplit(target).netloc \
            and not target.startswith("//"):
        return target
    return url_for("web.home")


@bp.route("/", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        if session.get("authority_id") is not None:
            return redirect(url_for("web.home"))
        notice = session.pop("notice", None)
        return page("sign_in.html", title="Sign in", crumbs=[("Sign in", None)],
                    notice=notice, next=request.args.get("next", ""), error=None)
    token = request.form.get("token", "").strip()
    try:
        if not token:
            raise Unauthenticated("Paste the token your authority was given.")
        principal, _ = verify_token(token)
    except Unauthenticated as exc:
        return page("sign_in.html", title="Sign in", crumbs=[("Sign in", None)],
                    status=401, notice=None, next=request.form.get("next", ""),
                    error=exc.detail)
    web_sessions.signed_in(db.session, principal)
    session.clear()  # a new session on sign-in: nothing carries over from before
    session.permanent = True
    session["authority_id"] = principal.authority_id
    session["token_id"] = principal.token_id
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/signout", methods=["POST"])
def sign_out():
    authority_id, token_id = session.get("authority_id"), session.get("token_id")
    if authority_id is not None and token_id is not None:
        principal = session_principal(int(authority_id), int(token_id))
        if principal is not None:
            web_sessions.signed_out(db.session, principal)
    session.clear()
    session["notice"] = "You have signed out."
    return redirect(url_for("web.sign_in"))


# --- pages --------------------------------------------------------------------------------

def _me() -> Principal:
    principal: Principal = g.principal
    return principal


@bp.route("/ui/")
def home():
    me = _me()
    states = compliance.states_by_name(db.session) if not me.is_reporter else []
    return page("home.html", title="Home", crumbs=[("Home", None)], states=states)


@bp.route("/ui/states")
def state_picker():
    """The home page's state picker sends `?state=ISO`; go to that state's page."""
    iso3 = (request.args.get("state") or "").strip().upper()
    if len(iso3) != 3 or not iso3.isalpha():
        return redirect(url_for("web.home"))
    return redirect(url_for("web.state", iso3=iso3))


@bp.route("/ui/resolutions")
def resolutions():
    require_role(PANEL)
    items, _ = list_resolutions(db.session, 1, 10_000)
    figures = []
    for resolution in items:
        try:
            _, _, cutoff, rows = compliance.matrix(db.session, resolution.number, None)
        except DomainError:
            continue  # a resolution without a matrix (none yet as of today)
        figures.append((resolution, cutoff, compliance.headline(rows)))
    regimes, _ = list_regimes(db.session, 1, 10_000)
    return page("resolutions.html", title="Resolutions",
                crumbs=[HOME, ("Resolutions", None)], figures=figures, regimes=regimes,
                demo=any(h.demo for _, _, h in figures))


MATRIX_FILTERS = ("resolution", "requirement", "as_of", "un_group", "rating", "flag", "sort")


def _matrix_args(fmt: str) -> dict[str, Any]:
    """The API's matrix arguments from the query string (empty fields of the form are
    left out); `page` is the web page's own."""
    raw = {k: v for k, v in request.args.items() if k in MATRIX_FILTERS and v != ""}
    args: dict[str, Any] = MatrixArgsSchema().load(raw)
    args["format"] = fmt
    return args


@bp.route("/ui/compliance")
def matrix():
    require_role(PANEL)
    if not request.args.get("resolution") and not request.args.get("requirement"):
        return redirect(url_for("web.resolutions"))
    args = _matrix_args("json")
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    body = matrix_result(args)
    assert isinstance(body, dict)
    # What a matrix may be about: the general report, or any requirement or stage.
    asked = get_resolution(db.session, body["resolution"], obligations=False,
                           requirements=True)
    answerable = [a.code for a in requirements.everything_answerable(asked)]
    items = body["items"]
    pages = max(1, math.ceil(len(items) / ROWS_PER_PAGE))
    number = min(number, pages)
    shown = items[(number - 1) * ROWS_PER_PAGE: number * ROWS_PER_PAGE]
    query = {k: v for k, v in request.args.items() if k in MATRIX_FILTERS and v != ""}
    title = f"Compliance matrix: resolution {body['resolution']}"
    return page("matrix.html", title=title,
                crumbs=[HOME, ("Resolutions", url_for("web.resolutions")), (title, None)],
                body=body, rows=shown, page_number=number, pages=pages, query=query,
                first=(number - 1) * ROWS_PER_PAGE + 1, un_groups=UN_GROUPS, ratings=RATINGS,
                flags=FLAGS, sorts=SORTS, answerable=answerable)


@bp.route("/ui/compliance.csv")
def matrix_csv():
    """The matrix as CSV: the API's own response for the same filters."""
    require_role(PANEL)
    result = matrix_result(_matrix_args("csv"))
    assert isinstance(result, Response)
    return result


@bp.route("/ui/summaries/resolutions/<int(max=999999):number>.pdf")
def resolution_pdf(number: int):
    """The resolution's summary PDF: the API's own response."""
    require_role(PANEL)
    raw = {k: v for k, v in request.args.items() if k in ("as_of", "audience") and v != ""}
    return resolution_summary(SummaryArgsSchema().load(raw), number, "pdf")


@bp.route("/ui/summaries/states/<string(length=3):iso3>.pdf")
def state_pdf(iso3: str):
    """The State's profile PDF: the API's own response (a reporter: its own State's public
    edition)."""
    require_role(EVERYONE)
    raw = {k: v for k, v in request.args.items() if k in ("as_of", "audience") and v != ""}
    return state_summary(SummaryArgsSchema().load(raw), iso3, "pdf")


@bp.route("/ui/states/<string(length=3):iso3>")
def state(iso3: str):
    me = require_role(EVERYONE)
    require_own_state(iso3)
    found, cutoff, rows, _ = compliance.state_profile(db.session, iso3, None)
    due = deadlines.state_deadlines(db.session, iso3, None, demo=not me.is_reporter)
    # The Panel's findings about the State that the signed-in person may see (a reporter:
    # from sharing on), newest first, as the findings list shows them.
    listed, total = findings.list_findings(db.session, me, findings.Filters(state=found.iso3),
                                           page=1, page_size=STATE_FINDINGS)
    title = f"{found.name} ({found.iso3})"
    crumbs = [HOME, (title, None)]
    return page("state.html", title=title, crumbs=crumbs, state=found, cutoff=cutoff,
                rows=rows, due=due, findings=findings.finding_views(db.session, listed),
                findings_total=total)
