"""Security headers on every response, and configuration checks at start-up."""

from __future__ import annotations

from flask import Flask, request

DEV_SECRET = "dev-only-not-secret"
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

#: The web pages: their own stylesheet, forms posting to the site itself, no script.
WEB_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def is_web_page(path: str) -> bool:
    return path == "/" or path == "/signout" or path.startswith("/ui/")


def check_config(app: Flask) -> None:
    """Outside development and tests, a real SECRET_KEY is required."""
    if app.config.get("TESTING") or app.config.get("APP_ENV") == "development":
        return
    secret = app.config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters when "
            f"APP_ENV={app.config.get('APP_ENV')!r} (for example: python -c "
            "\"import secrets; print(secrets.token_urlsafe(48))\")"
        )


def _headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if "Content-Security-Policy" not in headers:
        docs = request.path.startswith("/api/v1/docs")
        web = is_web_page(request.path)
        headers["Content-Security-Policy"] = (
            DOCS_POLICY if docs else WEB_POLICY if web else API_POLICY)
    if "Authorization" in request.headers and "Cache-Control" not in headers:
        headers["Cache-Control"] = "private, no-cache"
    return response


def init_app(app: Flask) -> None:
    check_config(app)
    app.after_request(_headers)
