"""gunicorn server hooks: what gunicorn itself sends matches the rest of the API.

gunicorn answers some requests before the application sees them (a request line or header
beyond `limit_request_line`, `limit_request_fields`, `limit_request_field_size`; a malformed
request line, header or chunk): 400, 414 or 431, by default as an HTML page. And it puts
`Server: gunicorn` on every response. gunicorn has no setting for either, so each worker,
once started (`post_worker_init`), replaces the two functions that write them:

- its error page becomes an RFC 9457 `application/problem+json` body, with the same security
  headers as the application's answers;
- the `Server` header is left out.

Written against gunicorn 27 (pinned to that major in pyproject.toml); tests/test_gunicorn.py
runs a real gunicorn with app/gunicorn_config.py and fails if either stops working.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from ..errors import PROBLEM_MIMETYPE, PROBLEM_TYPE_BASE

DETAILS = {
    400: "The request line, a header or the chunked body could not be parsed.",
    414: "The request line is longer than the server accepts.",
    417: "The Expect header names an expectation the server cannot meet.",
    431: "Too many header fields, or a header field longer than the server accepts.",
    501: "The transfer coding is not supported.",
}


def problem_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for `gunicorn.util.write_error`: the same answer as problem+json. gunicorn's
    message (which may quote the request) is not echoed."""
    from gunicorn import util

    try:
        phrase = HTTPStatus(status_int).phrase
    except ValueError:
        phrase = reason
    body = json.dumps({
        "type": PROBLEM_TYPE_BASE + phrase.lower().replace(" ", "-").replace("'", ""),
        "title": phrase,
        "status": status_int,
        "detail": DETAILS.get(status_int, phrase + "."),
    }).encode("ascii")
    head = (
        f"HTTP/1.1 {status_int} {phrase}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_MIMETYPE}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
        "Cache-Control: no-store\r\n"
        "\r\n"
    ).encode("latin-1")
    util.write_nonblock(sock, head + body)


def install() -> None:
    """Replace gunicorn's error page and drop its `Server` header, in this process."""
    from gunicorn import util
    from gunicorn.http import wsgi

    util.write_error = problem_error
    response = wsgi.Response
    if getattr(response.default_headers, "_without_server", False):
        return
    original = response.default_headers

    def default_headers(self: Any) -> list[str]:
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers._without_server = True  # type: ignore[attr-defined]
    response.default_headers = default_headers  # type: ignore[method-assign]


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: runs in each worker after it started."""
    install()
