"""The web pages: server-rendered HTML on the same services as the API.

A person signs in at `/` with the token their authority was given; the session (a signed
cookie: `HttpOnly`, `SameSite=Lax`, `Secure` when `SESSION_COOKIE_SECURE=1`) keeps the
authority and the token, and every request checks again that neither was revoked or
disabled since. The pages under `/ui/` call the same services and the same role checks as
the API, so that a page and the API never disagree on a number or on who may see it. Every
form carries a CSRF token (a POST without a valid one is 400); every page works without
JavaScript.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Blueprint, Flask, abort, g, redirect, request, session, url_for

from ..auth import session_principal
from ..http import ratelimit

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/ui/static")

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    """The session's CSRF token (made on first use), for every form."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def _check_csrf() -> None:
    if request.method != "POST":
        return
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="The form has expired or did not come from this site: "
                               "reload the page and send it again.")


def _load_principal() -> Any:
    """Who is signed in (`g.principal`, as a bearer token would set it), or a redirect to
    the sign-in page. A token revoked or an authority disabled since ends the session."""
    if request.endpoint in ("web.sign_in", "web.static", "web.sign_out"):
        return None
    authority_id, token_id = session.get("authority_id"), session.get("token_id")
    if authority_id is None or token_id is None:
        return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
    principal = session_principal(int(authority_id), int(token_id))
    if principal is None:
        session.clear()
        session["notice"] = "Your session has ended: the token was revoked or the " \
                            "authority disabled."
        return redirect(url_for("web.sign_in"))
    g.principal = principal
    if principal.token_public_id:
        ratelimit.charge_token(principal.token_public_id)
    return None


def _no_store(response: Any) -> Any:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


bp.before_request(_check_csrf)
bp.before_request(_load_principal)
bp.after_request(_no_store)
bp.add_app_template_global(csrf_token, "csrf_token")


def register_web(app: Flask) -> None:
    from . import pages, record, reports  # noqa: F401  (the routes)

    app.register_blueprint(bp)
