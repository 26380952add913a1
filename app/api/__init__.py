"""HTTP API: the flask-smorest `Api`, request plumbing shared by every endpoint, blueprints."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from ..errors import (
    Invalid,
    MalformedBody,
    MalformedRequest,
    UnsupportedContentType,
    json_pointer,
)
from .openapi import Api

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


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the name {key!r} appears twice in one object")
        out[key] = value
    return out


class UnpairedSurrogates(Invalid):
    """Well-formed JSON whose strings cannot be stored or sent back: a `\\ud800` escape
    without its pair is valid JSON syntax but no Unicode text."""


SURROGATE_DETAIL = ("Unpaired UTF-16 surrogate escape (such as \\ud800): not a Unicode "
                    "character.")


def _unpaired_surrogates(value: Any, path: tuple[Any, ...] = ()) -> list[dict[str, str]]:
    """A `{pointer, detail}` for every string (value or name) that is not valid Unicode."""
    errors: list[dict[str, str]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if not _is_unicode(item):
                errors.append({"pointer": json_pointer(where), "detail": SURROGATE_DETAIL})
        elif isinstance(item, dict):
            for key, child in item.items():
                if not _is_unicode(key):
                    errors.append({"pointer": json_pointer((*where, key)),
                                   "detail": "A member name: " + SURROGATE_DETAIL})
                stack.append((child, (*where, key)))
        elif isinstance(item, list):
            stack.extend((child, (*where, index)) for index, child in enumerate(item))
    return sorted(errors, key=lambda e: e["pointer"])


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_body() -> Any:
    """The request body parsed as strict JSON (UTF-8; no NaN, no repeated names), or 400; a
    string with an unpaired surrogate escape is 422 (`UnpairedSurrogates`) with a pointer to
    each one, so that no such string reaches a schema, the database or a response."""
    raw = request.get_data(cache=True)
    try:
        parsed = json.loads(
            raw.decode("utf-8"),
            parse_constant=_no_constants,
            object_pairs_hook=_no_duplicate_keys,
        )
    except UnicodeDecodeError:
        detail = "The body is not valid UTF-8."
    except RecursionError:
        detail = "The body is nested too deeply."
    except ValueError as exc:
        detail = f"The body is not valid JSON: {exc}."
    else:
        errors = _unpaired_surrogates(parsed)
        if errors:
            raise UnpairedSurrogates(
                "Some strings are not valid Unicode; see errors.", errors=errors
            )
        return parsed
    raise MalformedBody(detail, errors=[{"pointer": "", "detail": detail}])


def _strong_etag(response):
    """Every successful GET of JSON gets a strong ETag (unless the view set one);
    `If-None-Match` then gives 304."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if (
        "ETag" not in response.headers
        and response.mimetype in ("application/json", "text/csv")
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
    api.init_app(app)
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
    from .docs import bp as docs_bp
    from .health import bp as health_bp
    from .reports import blp as reports_blp
    from .summaries import blp as summaries_blp

    api.register_blueprint(catalogue_blp)
    api.register_blueprint(reports_blp)
    api.register_blueprint(compliance_blp)
    api.register_blueprint(summaries_blp)
    api.register_blueprint(audit_blp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(health_bp)
