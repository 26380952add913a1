"""One place that turns every error into RFC 9457 `application/problem+json`.

Domain errors are exceptions raised by services (`ProblemError` subclasses); HTTP errors raised
by Flask, Werkzeug and webargs are converted here too, so every response body of an error has
the same documented shape: `{type, title, status, detail}` plus `errors` for validation.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://compliance-reporting.invalid/problems/"


class ProblemError(Exception):
    """A domain error with an HTTP status, raised by services and rendered as problem+json."""

    status: int = 400
    slug: str = "bad-request"
    title: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class NotFound(ProblemError):
    status = 404
    slug = "not-found"


class Conflict(ProblemError):
    status = 409
    slug = "conflict"


class Unprocessable(ProblemError):
    status = 422
    slug = "validation-error"
    title = "Validation failed"


def _slug_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")
    except ValueError:
        return "error"


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    slug: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (slug or _slug_for(status)),
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if "Retry-After" in response.headers and has_request_context():
        # The application's own value, kept through the rate limiter's headers
        # (app.ratelimit); only 409, 429 and 503 carry one.
        g.retry_after = response.headers["Retry-After"]
    return response


def json_pointer(parts: Iterable[Any]) -> str:
    """RFC 6901 pointer from path parts."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "".join("/" + p for p in escaped)


Path = tuple[Any, ...]


def flatten_messages(messages: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """Flatten marshmallow's nested error dict into (path, message) pairs.

    `_schema` keys (errors of a whole object) stay at their parent's path.
    """
    out: list[tuple[Path, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            sub = path if key == "_schema" else (*path, key)
            out.extend(flatten_messages(value, sub))
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping | list | tuple):
                out.extend(flatten_messages(item, path))
            else:
                out.append((path, str(item)))
    else:
        out.append((path, str(messages)))
    return out


def webargs_errors(messages: Mapping[str, Any]) -> list[dict[str, str]]:
    """Turn webargs' `{location: {field: [msg]}}` into `[{pointer, detail}]`.

    Body errors become JSON Pointers into the body; query and header errors name the
    parameter or header.
    """
    errors: list[dict[str, str]] = []
    for location, fields in messages.items():
        for path, message in flatten_messages(fields):
            if location == "json":
                pointer = json_pointer(path)
            else:
                pointer = ".".join(str(p) for p in path) or location
            errors.append({"pointer": pointer, "detail": message})
    return errors


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers: dict[str, str] = dict(data.get("headers") or {})
    errors = None
    messages = data.get("messages")
    if status in (400, 422) and isinstance(messages, Mapping):
        errors = webargs_errors(messages)
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(sorted(error.valid_methods))  # type: ignore[attr-defined]
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    if isinstance(error, InternalServerError) or status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            _log_unhandled(original)
        detail = "The server could not complete the request. The error has been logged."
    elif status == 422 and errors:
        detail = "The request is well formed but some values are invalid; see errors."
    elif status == 400 and errors:
        detail = "The request could not be parsed; see errors."
    else:
        detail = data.get("message") or error.description or HTTPStatus(status).phrase
    title = "Validation failed" if status == 422 else None
    slug = "validation-error" if status == 422 else None
    return problem_response(status, detail, title=title, slug=slug, errors=errors, headers=headers)


def _log_unhandled(error: BaseException) -> None:
    """One line: the exception's type and where it was raised. No stack trace and no
    message (it may quote SQL parameters) unless the app runs in debug mode."""
    if current_app.debug:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
        return
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else "unknown"
    log.error("unhandled %s at %s on %s %s", type(error).__name__, where, request.method,
              request.path)


def handle_problem_error(error: ProblemError) -> Response:
    return problem_response(
        error.status,
        error.detail,
        title=error.title,
        slug=error.slug,
        errors=error.errors,
        headers=error.headers,
        extra=error.extra,
    )


def handle_unexpected(error: Exception) -> Response:
    if _is_disconnect(error):
        _log_unhandled(error)
        return problem_response(
            503, "The database connection was lost; nothing was stored. Retry the request "
            "(with the same Idempotency-Key, if you sent one).",
            slug="database-unavailable", headers={"Retry-After": "1"},
        )
    return handle_http_exception(InternalServerError(original_exception=error))


def _is_disconnect(error: BaseException) -> bool:
    """The database connection was lost (as SQLAlchemy's dialect judges), not a bad query."""
    from sqlalchemy.exc import DBAPIError

    return isinstance(error, DBAPIError) and error.connection_invalidated


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ProblemError, handle_problem_error)
    app.register_error_handler(Exception, handle_unexpected)
