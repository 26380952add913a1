"""Summaries as PDF and HTML: per resolution (in its regime's words) and per state."""

from __future__ import annotations

from flask import Response, current_app, request, send_from_directory, url_for
from flask.views import MethodView
from marshmallow import RAISE

from schemas.summaries import StateSummaryArgsSchema, SummaryArgsSchema

from ..auth import require_own_state, requires
from ..domain import Role, Visibility
from ..errors import Forbidden, RenderFailed
from ..extensions import db
from ..rendering import documents
from ..services import summaries as service
from ..services import summary_cache
from .parsing import Blueprint

blp = Blueprint(
    "summaries",
    __name__,
    url_prefix="/api/v1/summaries",
    description="Summaries for citation: PDF, or the same content as HTML. "
    "Reproducible as of a date; the stored PDF is served while its data are unchanged.",
)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
MEDIA = {"pdf": "application/pdf", "html": "text/html"}
HTML_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")
PDF_DOC = {"type": "string", "format": "binary"}
HTML_DOC = {"x-also-content": {"text/html": {
    "schema": {"type": "string", "description": "The same document as HTML (for `.html`)"},
}}}
RENDER_UNAVAILABLE = {"503": {
    "description": "The PDF could not be rendered now: every renderer of the server is busy, "
    "the render failed or ran out of time (RENDER_TIMEOUT_SECONDS), or it failed recently "
    "and is not tried again until `Retry-After` seconds have passed",
    "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}}
DOC_HEADERS = {
    "ETag": {"$ref": "#/components/headers/ETag"},
    "Content-Disposition": {"description": "attachment; filename=...",
                            "schema": {"type": "string"}},
}


def _document(kind: str, subject: str, context: dict, fmt: str) -> Response:
    media_type = MEDIA[fmt]
    template = service.TEMPLATES[kind]
    key = service.fingerprint(context, media_type, documents.templates_digest(),
                              documents.RENDERER_VERSION)
    edition = "-restricted" if context["audience"] == Visibility.RESTRICTED else ""
    filename = f"{kind}-{subject}-as-of-{context['as_of'].isoformat()}{edition}.{fmt}"
    if request.if_none_match.contains_weak(key):  # weak comparison, `*` included (GET)
        response = Response(status=304)
    elif fmt == "html":
        html = documents.render_html(
            template, context,
            stylesheet_url=url_for("summaries.SummaryAsset", filename="summary.css"),
        )
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = HTML_POLICY
    else:
        response = Response(_pdf(key, template, context, subject), mimetype=media_type)
    response.set_etag(key)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _pdf(key: str, template: str, context: dict, subject: str) -> bytes:
    """The stored PDF, or a new render stored for the next request. A render that failed
    is remembered: the same document is answered 503 at once until the memory expires."""
    stored = summary_cache.lookup(db.session, key)
    if stored is not None:
        return stored.content
    config = current_app.config
    remembered = summary_cache.failure(db.session, key)
    if remembered is not None:
        detail, seconds_left = remembered
        raise RenderFailed(
            f"{detail} This document is not rendered again for {seconds_left} seconds.",
            retry_after=seconds_left,
        )
    try:
        content, seconds = documents.render_pdf(documents.render_html(template, context))
    except RenderFailed as exc:
        if exc.remember:
            ttl = config["RENDER_FAILURE_TTL_SECONDS"]
            summary_cache.remember_failure(db.session, key, context, subject, exc.detail, ttl)
            if ttl > 0:
                exc.retry_after = ttl
        raise
    summary_cache.store(db.session, key, context, subject, MEDIA["pdf"], content, seconds,
                        max_entries=config["RENDER_CACHE_MAX_ENTRIES"],
                        max_bytes=config["RENDER_CACHE_MAX_BYTES"])
    return content


@blp.route("/resolutions/<int(max=999999):number>.<any(pdf, html):fmt>")
class ResolutionSummary(MethodView):
    @blp.doc(security=BEARER, responses=RENDER_UNAVAILABLE, **HTML_DOC)
    @blp.arguments(SummaryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, PDF_DOC, content_type="application/pdf", headers=DOC_HEADERS,
                  description="The summary (PDF for `.pdf`, HTML for `.html`)")
    @requires(Role.PANEL, Role.ADMIN)
    def get(self, args, number, fmt):
        """Summary of one resolution, in its regime's words (its committee, its experts)"""
        return resolution_summary(args, number, fmt)


def resolution_summary(args: dict, number: int, fmt: str) -> Response:
    """The resolution's summary for parsed `SummaryArgsSchema` arguments (the API and the
    web pages' download share it)."""
    context = service.resolution_context(db.session, number, args.get("as_of"),
                                         args["audience"])
    return _document("resolution", str(number), context, fmt)


@blp.route("/states/<string(length=3):iso3>.<any(pdf, html):fmt>")
class StateSummary(MethodView):
    @blp.doc(security=BEARER, responses=RENDER_UNAVAILABLE, **HTML_DOC)
    @blp.arguments(StateSummaryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, PDF_DOC, content_type="application/pdf", headers=DOC_HEADERS,
                  description="The profile (PDF for `.pdf`, HTML for `.html`)")
    @requires(Role.REPORTER, Role.PANEL, Role.ADMIN)
    def get(self, args, iso3, fmt):
        """Implementation profile of one Member State (a reporter: its own)

        Every regime, a section each with the regime's name and committee; `regime` keeps
        one.
        """
        return state_summary(args, iso3, fmt)


def state_summary(args: dict, iso3: str, fmt: str) -> Response:
    """A State's profile for parsed `SummaryArgsSchema` arguments, for whoever asks (a
    reporter: its own State's public edition only); the API and the web pages share it."""
    principal = require_own_state(iso3)
    if principal.is_reporter and args["audience"] == Visibility.RESTRICTED:
        raise Forbidden(
            "A reporter reads the public edition of its profile; the restricted edition "
            "is for panel staff and administrators.",
            errors=[{"pointer": "audience", "detail": "Only panel and admin may ask "
                     "`restricted`; use `public` (the default)."}])
    context = service.state_context(db.session, iso3, args.get("as_of"), args["audience"],
                                    args.get("regime"))
    subject = context["state"]["iso3"] + (f"-{args['regime']}" if args.get("regime") else "")
    return _document("state", subject, context, fmt)


@blp.route("/assets/<path:filename>")
class SummaryAsset(MethodView):
    @blp.response(200, {"type": "string"}, content_type="text/css")
    def get(self, filename):
        """Stylesheet and assets of the HTML summaries"""
        return send_from_directory(documents.ASSETS_DIR, filename, max_age=3600)
