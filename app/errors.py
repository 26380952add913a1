"""One place that turns every error into RFC 9457 `application/problem+json`.

Services raise domain errors (`DomainError` subclasses, named for what went wrong in the
domain: `DuplicateReport`, `StaleVersion`, `NotFound`, ...) and know nothing of HTTP. The
`PROBLEMS` table maps each to its status, headers and problem type. HTTP errors raised by
Flask, Werkzeug and webargs are converted here too, so every response body of an error has
the same documented shape: `{type, title, status, detail}` plus `errors` for validation.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://compliance-reporting.invalid/problems/"


class DomainError(Exception):
    """An error a service raises in the domain's own terms. How HTTP shows it (status,
    headers, problem type) is decided in one place: the `PROBLEMS` table below."""

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


# --- the domain's errors -------------------------------------------------------------------

class NotFound(DomainError):
    """Nothing of that name, or nothing the caller may see (another state's resource is the
    same answer: its existence does not leak)."""


class Invalid(DomainError):
    """Well formed but invalid: `errors` names each value with a JSON Pointer."""


class Forbidden(DomainError):
    """The caller's role may not do this at all."""


class Unauthenticated(DomainError):
    """No valid credentials. `reason` is the RFC 6750 error code, if any."""

    def __init__(self, detail: str, *, reason: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason


class Conflict(DomainError):
    """The request conflicts with the current state of the record."""


class DuplicateReport(Conflict):
    """A report of this state on this requirement exists already: amend it instead."""

    def __init__(self, existing_id: str) -> None:
        super().__init__(
            f"A report of this state on this resolution exists already ({existing_id}); "
            "amend it with PUT instead."
        )
        self.existing_id = existing_id


class RequestInFlight(Conflict):
    """The first request with this Idempotency-Key is still being processed."""

    retry_after = 1

    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being processed; retry shortly."
        )


class PreconditionMissing(DomainError):
    """A write that replaces a version must name the version it replaces."""


class StaleVersion(DomainError):
    """The version named is not the current one."""

    def __init__(self, detail: str, *, current: str | None = None) -> None:
        super().__init__(detail)
        self.current = current


class Unavailable(DomainError):
    """Cannot be done now; the same request may succeed after `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RenderFailed(Unavailable):
    """A summary could not be rendered (too large, too slow, failed). `remember`: a failure
    of the document itself, remembered for its fingerprint."""

    remember = True


class RenderBusy(RenderFailed):
    """Every render slot of the server is taken: come back shortly. Not a failure of the
    document, so not remembered."""

    remember = False


class RateLimited(DomainError):
    """A request budget is spent until `retry_after` seconds from now."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class MalformedRequest(DomainError):
    """The request itself cannot be read (a path or query string with control characters)."""


class MalformedBody(MalformedRequest):
    """The body is not strict UTF-8 JSON."""


class UnsupportedContentType(DomainError):
    """The body is not `application/json` in UTF-8."""


# --- how HTTP shows them: the one table ------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    status: int
    slug: str
    title: str | None = None
    headers: Callable[[Any], dict[str, str]] | None = None
    extra: Callable[[Any], dict[str, Any]] | None = None


def _retry_after(error: Any) -> dict[str, str]:
    seconds = getattr(error, "retry_after", None)
    return {} if seconds is None else {"Retry-After": str(seconds)}


def _challenge(error: Unauthenticated) -> dict[str, str]:
    value = "Bearer" if error.reason is None else f'Bearer error="{error.reason}"'
    return {"WWW-Authenticate": value}


PROBLEMS: dict[type[DomainError], Problem] = {
    MalformedBody: Problem(400, "malformed-body", "Malformed request body"),
    MalformedRequest: Problem(400, "malformed-request", "Malformed request"),
    Unauthenticated: Problem(401, "unauthorized", headers=_challenge),
    Forbidden: Problem(403, "forbidden"),
    NotFound: Problem(404, "not-found"),
    DuplicateReport: Problem(
        409, "conflict",
        headers=lambda e: {"Location": f"/api/v1/reports/{e.existing_id}"},
        extra=lambda e: {"existing_report": e.existing_id},
    ),
    RequestInFlight: Problem(409, "conflict", headers=_retry_after),
    Conflict: Problem(409, "conflict"),
    StaleVersion: Problem(
        412, "precondition-failed",
        headers=lambda e: {} if e.current is None else {"ETag": f'"{e.current}"'},
    ),
    UnsupportedContentType: Problem(415, "unsupported-media-type", "Unsupported Media Type"),
    Invalid: Problem(422, "validation-error", "Validation failed"),
    PreconditionMissing: Problem(428, "precondition-required"),
    RateLimited: Problem(429, "too-many-requests", "Too Many Requests", headers=_retry_after),
    RenderBusy: Problem(503, "render-busy", "The summary renderer is busy",
                        headers=_retry_after),
    RenderFailed: Problem(503, "render-failed", "The summary could not be rendered",
                          headers=_retry_after),
    Unavailable: Problem(503, "service-unavailable", headers=_retry_after),
}


def problem_for(error: DomainError) -> Problem:
    """The row of the table for `error`'s class, or its nearest ancestor's."""
    for cls in type(error).__mro__:
        if cls in PROBLEMS:
            return PROBLEMS[cls]
    return Problem(400, "bad-request")


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


def _is_page_request() -> bool:
    from flask import has_request_context, request

    return has_request_context() and request.path.startswith("/ui/")


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if status in (404, 405) and _is_page_request():
        # An address under the web pages that matches no page: a page, not problem+json.
        from .web.pages import http_error

        return http_error(error)
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


def handle_domain_error(error: DomainError) -> Response:
    problem = problem_for(error)
    return problem_response(
        problem.status,
        error.detail,
        title=problem.title,
        slug=problem.slug,
        errors=error.errors,
        headers=problem.headers(error) if problem.headers else None,
        extra=problem.extra(error) if problem.extra else None,
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
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
