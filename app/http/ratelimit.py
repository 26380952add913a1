"""Rate limits, so that no client can flood the service and no client can spend another's
budget.

- **Per client address**, every API request and web page (`/`, `/ui/...`)
  (`RATELIMIT_PER_ADDRESS`): checked before anything else. A web session spends its token's
  budget as the token would.
- **Per token** (`RATELIMIT_PER_TOKEN`): charged only once a request has *authenticated* with
  the token. A request that merely names a token's public id (`Bearer cra_<id>_WRONG`) spends
  nothing of that token's budget, so knowing a public id (it appears in logs and the audit
  trail) does not let anyone lock the token out.
- **Failed authentications per client address** (`RATELIMIT_FAILED_AUTH`, stricter): every
  presented token that is malformed, unknown, wrong or revoked is charged to the address it
  came from; past the budget that address gets 429 instead of 401. A valid token is never
  refused because of failures, so failures from one address cannot lock out anyone else.
- **The readiness probe per client address** (`RATELIMIT_PROBES`).

Counters live in `RATELIMIT_STORAGE_URI`. `memory://` (the default) counts in each process
separately: under gunicorn every worker has its own counters, so the real limit is workers
times the configured one. Production uses Redis (`redis://host:6379/0`), shared by every
worker and app server; `RATELIMIT_KEY_PREFIX` keeps two deployments apart in one Redis
database. Over a limit: 429 problem+json with `Retry-After`. In memory, the counters are
`limits`' own memory storage, but expired counters are swept inline, at most once a second,
instead of by a timer thread it starts again after every idle moment (starting a thread cost
more than the rest of a cached response).
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, g, request
from flask_limiter import ApplicationLimit, Limiter, RequestLimit
from limits import parse
from limits.storage import MemoryStorage

from ..errors import RateLimited

log = logging.getLogger("app.ratelimit")  # its name before the move
EXTENSION = "rate_limits"


def client_address() -> str:
    return request.remote_addr or "unknown"


#: What the per-address limit counts: the API and the web pages (sign-in included).
LIMITED_PREFIXES = ("/api/", "/ui/")


def _outside_api() -> bool:
    return request.path != "/" and not request.path.startswith(LIMITED_PREFIXES)


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


class ProcessMemoryStorage(MemoryStorage):
    """`memory://` counters without the expiry thread: `get` already ignores an expired
    counter; the sweep that frees them runs inline, at most once a second."""

    STORAGE_SCHEME = ["process-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._swept = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the base's private name)
        now = time.monotonic()
        if now - self._swept >= self.SWEEP_SECONDS:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """One limiter per application (its storage, prefix and switch are the app's own)."""
    # Registered first, so it runs after the limiter's own after-request hook.
    app.after_request(_retry_after_only_when_retrying)
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    limiter = Limiter(
        client_address,
        application_limits=[
            ApplicationLimit(lambda: current_app.config["RATELIMIT_PER_ADDRESS"],
                             key_function=lambda: f"address:{client_address()}",
                             scope="address", exempt_when=_outside_api),
        ],
        headers_enabled=True,
        storage_uri=storage.replace("memory://", "process-memory://", 1)
        if storage.startswith("memory://") else None,
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    if (
        limiter.enabled
        and storage.startswith("memory://")
        and app.config.get("APP_ENV") != "development"
        and not app.config.get("TESTING")
    ):
        log.warning(
            "RATELIMIT_STORAGE_URI=memory:// counts in each process separately: with several "
            "gunicorn workers or app servers the real limits are that many times the "
            "configured ones. Use Redis (redis://host:6379/0) in production."
        )


def charge_token(public_id: str) -> None:
    """Spend one request of an authenticated token's budget, or 429."""
    _charge("token", current_app.config["RATELIMIT_PER_TOKEN"], f"token:{public_id}",
            "This token has used its request budget")


def charge_failed_authentication() -> None:
    """Count a failed authentication against the client address, or 429 past the budget."""
    _charge("failed-auth", current_app.config["RATELIMIT_FAILED_AUTH"],
            f"address:{client_address()}",
            "Too many failed authentications from this address")


def charge_probe() -> None:
    """Count a readiness probe against the client address, or 429."""
    _charge("probe", current_app.config["RATELIMIT_PROBES"], f"address:{client_address()}",
            "Too many readiness probes from this address")


def _charge(scope: str, limit: str, key: str, detail: str) -> None:
    limiter: Limiter | None = current_app.extensions.get(EXTENSION)
    if limiter is None or not limiter.enabled:
        return
    item = parse(limit)
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    args = [prefix, key, scope] if prefix else [key, scope]
    if limiter.limiter.hit(item, *args):
        return
    # The X-RateLimit-* headers of the answer then describe the budget that ran out.
    limiter.context.view_rate_limit = RequestLimit(limiter, item, args, True, False)
    reset_at = limiter.limiter.get_window_stats(item, *args).reset_time
    retry_after = max(1, math.ceil(reset_at - time.time()))
    raise RateLimited(f"{detail} ({limit}); retry after {retry_after} s.",
                      retry_after=retry_after)
