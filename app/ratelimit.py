"""Rate limits: per bearer token and per client address, on every API request.

Counters live in `RATELIMIT_STORAGE_URI`: memory by default (one process), Redis in
production (`redis://host:6379/0`) so that every app server shares them. A request over a
limit gets 429 with `Retry-After`, as problem+json.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_limiter import ApplicationLimit, Limiter


def client_address() -> str:
    return request.remote_addr or "unknown"


def token_key() -> str:
    """The token's public id (never the secret); requests without a token are exempt here
    and counted by address only."""
    header = request.headers.get("Authorization", "")
    parts = header.partition(" ")[2].strip().split("_", 2)
    return f"token:{parts[1]}" if len(parts) == 3 else "token:none"


def _outside_api() -> bool:
    return not request.path.startswith("/api/")


def _no_token() -> bool:
    return _outside_api() or token_key() == "token:none"


limiter = Limiter(
    client_address,
    application_limits=[
        ApplicationLimit(lambda: current_app.config["RATELIMIT_PER_ADDRESS"],
                         key_function=client_address, scope="address",
                         exempt_when=_outside_api),
        ApplicationLimit(lambda: current_app.config["RATELIMIT_PER_TOKEN"],
                         key_function=token_key, scope="token", exempt_when=_no_token),
    ],
    headers_enabled=True,
)


# `Retry-After` says "this request may succeed later": a 429, a 503, and the 409 of an
# Idempotency-Key still in flight. The limiter's header injection would put it on every
# response (and raise the application's own value to the end of the limit's window).
RETRY_AFTER_STATUSES = (409, 503)


def _retry_after_only_when_retrying(response: Response) -> Response:
    own = g.pop("retry_after", None)
    if response.status_code == 429:
        return response
    if own is not None and response.status_code in RETRY_AFTER_STATUSES:
        response.headers["Retry-After"] = own
    else:
        response.headers.pop("Retry-After", None)
    return response


def init_app(app: Flask) -> None:
    # Registered first, so it runs after the limiter's own after-request hook.
    app.after_request(_retry_after_only_when_retrying)
    limiter.init_app(app)
