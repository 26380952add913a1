"""HTTP API: the flask-smorest `Api`, request plumbing shared by every endpoint, blueprints."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.routing import BaseConverter

from ..errors import ProblemError
from .openapi import Api

api = Api()

JSON_MIMETYPES = ("application/json",)
BODY_METHODS = ("POST", "PUT", "PATCH")


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
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"Request bodies are limited to {limit} bytes.")
    if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
        return
    mimetype = request.mimetype
    if mimetype in JSON_MIMETYPES or mimetype.endswith("+json"):
        return
    if not mimetype and not request.content_length and not request.headers.get(
        "Transfer-Encoding"
    ):
        return  # no body at all: the schema reports what is missing
    raise UnsupportedMediaType(
        f"Request bodies must be application/json, not {mimetype or 'unspecified'!r}."
    )


class MalformedBody(ProblemError):
    status = 400
    slug = "malformed-body"
    title = "Malformed request body"


class MalformedRequest(ProblemError):
    status = 400
    slug = "malformed-request"
    title = "Malformed request"


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the name {key!r} appears twice in one object")
        out[key] = value
    return out


def json_body() -> Any:
    """The request body parsed as strict JSON (UTF-8; no NaN, no repeated names), or 400."""
    raw = request.get_data(cache=True)
    try:
        return json.loads(
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
