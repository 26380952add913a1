"""Configuration read from environment variables.

Every setting has a safe development default except where noted; the README lists them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: The checkout (or installed tree) holding `app/`, `migrations/` and `report_templates/`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

MiB = 1024 * 1024


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:  # fail fast on a misconfiguration
        raise RuntimeError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be a number, got {raw!r}") from exc


def from_environment(instance_path: str) -> dict[str, Any]:
    """Build the configuration mapping from the process environment."""
    default_db = "sqlite:///" + str(Path(instance_path) / "compliance.sqlite3")
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        ),
        # `development` (the default) runs with a built-in SECRET_KEY; anything else, such as
        # `production`, refuses to start without a real one.
        "APP_ENV": os.environ.get("APP_ENV", "development"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-not-secret"),
        # Web pages: the session cookie is sent over HTTPS only when SESSION_COOKIE_SECURE=1
        # (set it wherever the site is served over HTTPS); a session lasts this many minutes.
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") in ("1", "true"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "cra_session",
        "PERMANENT_SESSION_LIFETIME": 60 * _int_env("SESSION_LIFETIME_MINUTES", 480),
        # Largest request body accepted; larger bodies get 413.
        "MAX_CONTENT_LENGTH": _int_env("MAX_CONTENT_LENGTH", 1 * MiB),
        # Pagination of every list endpoint.
        "PAGE_SIZE_DEFAULT": _int_env("PAGE_SIZE_DEFAULT", 50),
        "PAGE_SIZE_MAX": _int_env("PAGE_SIZE_MAX", 200),
        # Seconds after which an unfinished Idempotency-Key claim counts as abandoned.
        "IDEMPOTENCY_LOCK_SECONDS": _int_env("IDEMPOTENCY_LOCK_SECONDS", 60),
        # PDF summaries: the renderer is stopped after this many seconds, and refuses
        # documents larger than these limits.
        # The timeout counts from the request's first wait for a render slot.
        "RENDER_TIMEOUT_SECONDS": _float_env("RENDER_TIMEOUT_SECONDS", 60),
        "RENDER_MAX_HTML_BYTES": _int_env("RENDER_MAX_HTML_BYTES", 8 * MiB),
        "RENDER_MAX_PDF_BYTES": _int_env("RENDER_MAX_PDF_BYTES", 32 * MiB),
        # Renders at once per server (host), shared by every web worker; a request waits at
        # most RENDER_QUEUE_SECONDS for one, then gets 503 with Retry-After.
        "RENDER_CONCURRENCY": _int_env("RENDER_CONCURRENCY", max(1, (os.cpu_count() or 2) // 2)),
        "RENDER_QUEUE_SECONDS": _float_env("RENDER_QUEUE_SECONDS", 2),
        # Where the render slots live (default: a folder in the instance folder per database).
        "RENDER_SLOTS_DIR": os.environ.get("RENDER_SLOTS_DIR") or None,
        # A failed or timed-out render is answered from memory (503) for this long.
        "RENDER_FAILURE_TTL_SECONDS": _int_env("RENDER_FAILURE_TTL_SECONDS", 600),
        # The stored PDFs: the oldest are deleted beyond either bound.
        "RENDER_CACHE_MAX_ENTRIES": _int_env("RENDER_CACHE_MAX_ENTRIES", 2000),
        "RENDER_CACHE_MAX_BYTES": _int_env("RENDER_CACHE_MAX_BYTES", 1024 * MiB),
        # Each web process also keeps the most recently served PDFs in memory, up to this
        # many bytes (0: none), found by the same revision key as the stored ones.
        "RENDER_MEMORY_CACHE_BYTES": _int_env("RENDER_MEMORY_CACHE_BYTES", 64 * MiB),
        # Rate limits (flask-limiter syntax) and where their counters live.
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") not in ("0", "false"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_PER_TOKEN": os.environ.get("RATELIMIT_PER_TOKEN", "600 per minute"),
        "RATELIMIT_PER_ADDRESS": os.environ.get("RATELIMIT_PER_ADDRESS", "1200 per minute"),
        # Presented tokens that fail to authenticate, per client address (stricter).
        "RATELIMIT_FAILED_AUTH": os.environ.get("RATELIMIT_FAILED_AUTH", "30 per minute"),
        # GET /readyz per client address (load balancers probe every few seconds).
        "RATELIMIT_PROBES": os.environ.get("RATELIMIT_PROBES", "60 per minute"),
        # Prefix of every counter's key, so that deployments can share one Redis database.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "cra"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Number of proxies in front of the app whose X-Forwarded-For / -Proto to trust
        # (0: use the connecting address, as when clients reach gunicorn directly).
        "TRUSTED_PROXIES": _int_env("TRUSTED_PROXIES", 0),
        # Logs: `json` (one object a line, for production) or `text`.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Deadline reminders (`flask --app wsgi deadlines remind`): the SMTP server as a URL,
        # `smtp://[user:password@]host[:25]` (plain), `smtp+starttls://host[:587]` (STARTTLS)
        # or `smtps://host[:465]` (TLS from the start); unset, reminders are not sent.
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        # The sender of reminders.
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "Compliance reporting API <noreply@localhost>",
        # Where the service is reached from outside (`https://reports.example.org`): the links
        # in reminders and in the calendar feed. Unset, the feed uses the address it was
        # requested at and reminders give paths only.
        "PUBLIC_BASE_URL": (os.environ.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        # Panel findings: the days a State has to reply once a finding is shared with it.
        "FINDING_REPLY_DAYS": _int_env("FINDING_REPLY_DAYS", 30),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # flask-smorest / OpenAPI
        "API_TITLE": "Compliance reporting API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # OPTIONS is not part of the contract: it answers 405 with Allow, like any other
        # method an operation does not document.
        "PROVIDE_AUTOMATIC_OPTIONS": False,
    }


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
