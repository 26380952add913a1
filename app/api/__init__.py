"""HTTP API: the flask-smorest `Api`, request plumbing shared by every endpoint, blueprints."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from ..errors import MalformedRequest, UnsupportedContentType
from .openapi import Api, DocumentPlugin, register_components
from .parsing import Blueprint, MalformedBody, UnpairedSurrogates, json_body

__all__ = ["Blueprint", "MalformedBody", "UnpairedSurrogates", "api", "envelope", "json_body",
           "page_size_or_default", "register_api"]

api = Api()

JSON_MIMETYPES = ("application/json",)
JSON_CHARSETS = ("utf-8",)
BODY_METHODS = ("POST", "PUT", "PATCH")
# Set by StreamedBodyLimit on a request whose streamed body went past MAX_CONTENT_LENGTH.
BODY_TOO_LARGE = "compliance.body_too_large"


def envelope(items: list[Any], total: int, page: int, page_size: int) -> dict[str, Any]:
    """The body of every paginated list."""
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def page_size_or_default(page_size: int | None) -> int:
    """The page size asked for (already checked against `PAGE_SIZE_MAX`), or the default,
    which never exceeds the maximum either."""
    limit = current_app.config["PAGE_SIZE_MAX"]
    if page_size is None:
        return min(current_app.config["PAGE_SIZE_DEFAULT"], limit)
    return min(page_size, limit)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _check_request() -> None:
    """Before any parsing: control characters in the path or the query string are 400, a body
    over the limit is 413, a body that is not JSON is 415.

    Routing errors (404, 405) come first: they say more about the request.
    """
    if CONTROL_CHARACTERS.search(request.path):
        raise MalformedRequest("The path contains control characters.",
                               errors=[{"pointer": "path", "detail": "Control characters."}])
    for name, value in request.args.items(multi=True):
        if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value):
            raise MalformedRequest(
                "The query string contains control characters.",
                errors=[{"pointer": name, "detail": "Control characters are not allowed."}],
            )
    if request.routing_exception is not None:
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.environ.get(BODY_TOO_LARGE) or (
        limit is not None and (request.content_length or 0) > limit
    ):
        raise RequestEntityTooLarge(f"Request bodies are limited to {limit} bytes.")
    if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
        return
    mimetype = request.mimetype
    if mimetype in JSON_MIMETYPES:
        charset = request.mimetype_params.get("charset")
        if charset is None or charset.lower() in JSON_CHARSETS:
            return
        raise UnsupportedContentType(
            f"Request bodies must be UTF-8 encoded, not {charset!r}.",
            errors=[{"pointer": "Content-Type",
                     "detail": "Send `application/json` or `application/json; charset=utf-8`."}],
        )
    if not mimetype and not request.content_length and not request.headers.get(
        "Transfer-Encoding"
    ):
        return  # no body at all: the schema reports what is missing
    raise UnsupportedContentType(
        f"Request bodies must be application/json, not {mimetype or 'unspecified'!r}.",
        errors=[{"pointer": "Content-Type", "detail": "Send `application/json`."}],
    )


def _authenticate_first() -> None:
    """An operation that needs a token checks it (401, 403) before its parameters and body
    (422): an unauthenticated client learns nothing about what a valid request looks like.
    The roles are those of the view's `requires` decorator."""
    if request.routing_exception is not None or request.endpoint is None:
        return
    view_class = getattr(current_app.view_functions[request.endpoint], "view_class", None)
    method = getattr(view_class, request.method.lower(), None) if view_class else None
    roles = getattr(method, "_required_roles", None)
    if roles:
        from ..auth import require_role

        require_role(roles)


class StreamedBodyLimit:
    """WSGI middleware: a body sent without Content-Length (`Transfer-Encoding: chunked`) is
    read here, at most MAX_CONTENT_LENGTH + 1 bytes, and handed on as an ordinary body of
    known length; one byte more than the limit marks the request for a 413.

    Werkzeug caps such a stream at the limit without saying so, which turned an oversized
    body into a truncated one (a 400 about unterminated JSON) instead of a 413.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        limit = self.app.config["MAX_CONTENT_LENGTH"]
        if (
            limit is not None
            and environ.get("wsgi.input_terminated")
            and not environ.get("CONTENT_LENGTH")
        ):
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                environ[BODY_TOO_LARGE] = True
                body = b""
            # The body is now de-chunked, of known length: say so to everything downstream.
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            del environ["wsgi.input_terminated"]
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream: Any, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _strong_etag(response):
    """Every successful GET of JSON gets a strong ETag (unless the view set one);
    `If-None-Match` then gives 304."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if (
        "ETag" not in response.headers
        and response.mimetype in ("application/json", "text/csv", "text/calendar",
                                  "application/geo+json")
        and not response.direct_passthrough
    ):
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    if "ETag" in response.headers:
        response.make_conditional(request)
    return response


class ReportIdConverter(BaseConverter):
    """Any path segment but `validate` (POST /reports/validate is not a report). A string
    that is not a report id reaches the view and gets the same 404 as an unknown id."""

    regex = r"(?!validate\Z)[^/]+"


def register_api(app: Flask) -> None:
    app.url_map.converters["report_id"] = ReportIdConverter
    app.url_map.merge_slashes = False  # an API answers what was asked, not a redirect
    document = DocumentPlugin(page_size_max=app.config["PAGE_SIZE_MAX"])
    api.init_app(app, spec_kwargs={"extra_plugins": [document]})
    register_components(api.spec)
    api.register_converter(
        ReportIdConverter,
        lambda _: {"type": "string", "description": "Opaque report id, as returned on "
                   "submission", "example": "r0123456789abcdef0123"},
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer",
         "description": "A token from `flask --app wsgi authority create`"},
    )
    app.before_request(_check_request)
    app.before_request(_authenticate_first)
    app.wsgi_app = StreamedBodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]
    app.after_request(_strong_etag)

    from .audit import blp as audit_blp
    from .catalogue import blp as catalogue_blp
    from .compliance import blp as compliance_blp
    from .deadlines import blp as deadlines_blp
    from .docs import bp as docs_bp
    from .findings import blp as findings_blp
    from .health import bp as health_bp
    from .incidents import blp as incidents_blp
    from .reports import blp as reports_blp
    from .summaries import blp as summaries_blp

    api.register_blueprint(catalogue_blp)
    api.register_blueprint(reports_blp)
    api.register_blueprint(compliance_blp)
    api.register_blueprint(deadlines_blp)
    api.register_blueprint(incidents_blp)
    api.register_blueprint(findings_blp)
    api.register_blueprint(summaries_blp)
    api.register_blueprint(audit_blp)
    document.finish()
    app.register_blueprint(docs_bp)
    app.register_blueprint(health_bp)
