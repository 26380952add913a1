"""Summaries as PDF and HTML: per resolution (in its regime's words) and per state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Response, current_app, request, send_from_directory, url_for
from flask.views import MethodView
from marshmallow import RAISE

from schemas.summaries import StateSummaryArgsSchema, SummaryArgsSchema

from ..auth import require_own_state, requires
from ..domain import Role, Visibility
from ..errors import Forbidden, RenderFailed
from ..extensions import db
from ..http import counters
from ..models.types import utcnow
from ..rendering import documents
from ..scoring import METHOD_VERSION
from ..services import revisions, summary_cache
from ..services import summaries as service
from .parsing import Blueprint

blp = Blueprint(
    "summaries",
    __name__,
    url_prefix="/api/v1/summaries",
    description="Summaries for citation: PDF, or the same content as HTML. "
    "Reproducible as of a date; the stored PDF is served while its data are unchanged.",
)



def _scopes(kind: str, subject: str) -> list[str]:
    """What a document reads. A resolution summary: the catalogue, and the resolution's
    scope (every report on it, the incidents engaging its obligations, the findings on it).
    A State's profile: the catalogue, and the State's scope (its reports, the incidents
    naming it, with the other parties: touched by the same writes; the findings about it)."""
    if kind == "resolution":
        return [revisions.CATALOGUE, revisions.resolution_scope(int(subject))]
    return [revisions.CATALOGUE, revisions.state_scope(subject.upper())]


@blp.url_value_preprocessor
def _expect_counters(endpoint: str | None, values: dict | None) -> None:
    """Before authentication: the counters a PDF's key needs are read with the token's."""
    if values and values.get("fmt") == "pdf":
        if "number" in values:
            counters.expect(*_scopes("resolution", str(values["number"])))
        elif "iso3" in values:
            counters.expect(*_scopes("state", values["iso3"]))


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


def _document(kind: str, subject: str, scopes: list[str], build: Callable[[], dict],
              as_of: dt.date | None, audience: str, fmt: str) -> Response:
    """The document as `fmt`. A PDF is looked up by its revision key first (the counters of
    `scopes`, the data it reads: one query, and one more for the stored bytes unless this
    process holds them), and only on a miss built with `build` and found by fingerprint or
    rendered (`app.services.summary_cache`)."""
    if fmt == "html":
        return _html(kind, subject, build())
    # The counters first, the context after: what is stored under this key is never older
    # than the data they stand for.
    key = summary_cache.revision_key(_asked(kind, subject, as_of, audience),
                                     counters.read(scopes))
    memory = _memory()
    stored = memory.get(key) if memory is not None else None
    if stored is None:
        stored = summary_cache.lookup_key(db.session, key)
        if stored is None:
            context = build()
            fingerprint = service.fingerprint(context, MEDIA["pdf"], documents.templates_digest(),
                                              documents.RENDERER_VERSION)
            if request.if_none_match.contains_weak(fingerprint):
                return _headers(Response(status=304), kind, audience, fingerprint,
                                context["as_of"], subject, fmt)
            stored = _pdf(fingerprint, key, service.TEMPLATES[kind], context,
                          subject)
        if memory is not None:
            memory.put(key, stored)
    if request.if_none_match.contains_weak(stored.fingerprint):  # weak comparison, `*` too
        response = Response(status=304)
    else:
        response = Response(stored.content, mimetype=MEDIA["pdf"])
    return _headers(response, kind, audience, stored.fingerprint, stored.as_of, stored.subject,
                    fmt)


def _asked(kind: str, subject: str, as_of: dt.date | None, audience: str) -> list[str]:
    """What a PDF's revision key names beside the counters: the request, and what renders
    it. Without `as_of` a document is today's (what it says depends on the day: deadlines
    pass), so the key names the day."""
    day = as_of.isoformat() if as_of is not None else f"today:{utcnow().date().isoformat()}"
    return [kind, subject, day, audience, MEDIA["pdf"], documents.templates_digest(),
            documents.RENDERER_VERSION, METHOD_VERSION, summary_cache.code_digest()]


def _memory() -> summary_cache.MemoryCache | None:
    """This process's PDFs in memory (RENDER_MEMORY_CACHE_BYTES; None when 0)."""
    size = current_app.config["RENDER_MEMORY_CACHE_BYTES"]
    if size <= 0:
        return None
    memory = current_app.extensions.get("summary_memory")
    if memory is None or memory.max_bytes != size:
        memory = current_app.extensions["summary_memory"] = summary_cache.MemoryCache(size)
    return memory


def _headers(response: Response, kind: str, audience: str, etag: str, as_of: dt.date,
             subject: str, fmt: str) -> Response:
    edition = "-restricted" if audience == Visibility.RESTRICTED else ""
    filename = f"{kind}-{subject}-as-of-{as_of.isoformat()}{edition}.{fmt}"
    response.set_etag(etag)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _html(kind: str, subject: str, context: dict) -> Response:
    key = service.fingerprint(context, MEDIA["html"], documents.templates_digest(),
                              documents.RENDERER_VERSION)
    if request.if_none_match.contains_weak(key):  # weak comparison, `*` included (GET)
        response = Response(status=304)
    else:
        html = documents.render_html(
            service.TEMPLATES[kind], context,
            stylesheet_url=url_for("summaries.SummaryAsset", filename="summary.css"),
        )
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = HTML_POLICY
    return _headers(response, kind, context["audience"], key, context["as_of"], subject, "html")


def _pdf(fingerprint: str, key: str, template: str, context: dict,
         subject: str) -> summary_cache.Stored:
    """The PDF stored under this fingerprint (found by `key` from now on), or a new render
    stored for the next request. A render that failed is remembered: the same document is
    answered 503 at once until the memory expires."""
    stored = summary_cache.lookup(db.session, fingerprint)
    if stored is not None:
        summary_cache.rekey(db.session, fingerprint, key)
        return stored
    config = current_app.config
    remembered = summary_cache.failure(db.session, fingerprint)
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
            summary_cache.remember_failure(db.session, fingerprint, context, subject,
                                           exc.detail, ttl)
            if ttl > 0:
                exc.retry_after = ttl
        raise
    summary_cache.store(db.session, fingerprint, context, subject, MEDIA["pdf"], content,
                        seconds, max_entries=config["RENDER_CACHE_MAX_ENTRIES"],
                        max_bytes=config["RENDER_CACHE_MAX_BYTES"], revision_key=key)
    return summary_cache.Stored(fingerprint, content, subject, context["as_of"])


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
    web pages' download share it). It reads the catalogue and the resolution's scope: every
    report on it, the incidents engaging its obligations, the findings on it."""
    as_of, audience = args.get("as_of"), args["audience"]
    return _document(
        "resolution", str(number), _scopes("resolution", str(number)),
        lambda: service.resolution_context(db.session, number, as_of, audience),
        as_of, audience, fmt)


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
    iso3, as_of, audience = iso3.upper(), args.get("as_of"), args["audience"]
    regime = args.get("regime")
    return _document(
        "state", iso3 + (f"-{regime}" if regime else ""), _scopes("state", iso3),
        lambda: service.state_context(db.session, iso3, as_of, audience, regime),
        as_of, audience, fmt)


@blp.route("/assets/<path:filename>")
class SummaryAsset(MethodView):
    @blp.response(200, {"type": "string"}, content_type="text/css")
    def get(self, filename):
        """Stylesheet and assets of the HTML summaries"""
        return send_from_directory(documents.ASSETS_DIR, filename, max_age=3600)
