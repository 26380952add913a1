"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..errors import problem_response
from ..extensions import db
from ..http.ratelimit import charge_probe
from ..migrations import current_revisions, head_revisions, known_revisions

bp = Blueprint("health", __name__)

# A "ready" answer is reused for this long: a probe every second costs one database round
# trip every few seconds. A "not ready" answer is never reused, so readiness shows at once.
READY_FOR_SECONDS = 5.0
_READY = "readyz.ready"


@bp.get("/healthz")
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers and its schema is at the newest migration (limited per client
    address: `RATELIMIT_PROBES`)."""
    charge_probe()
    cached = current_app.extensions.get(_READY)
    if cached is not None and time.monotonic() - cached[0] < READY_FOR_SECONDS:
        return jsonify(cached[1])
    try:
        with db.engine.connect() as connection:
            current = current_revisions(connection)
    except SQLAlchemyError:
        return problem_response(503, "The database is not reachable.")
    head = head_revisions()
    if current and not current <= known_revisions():
        # Migrated by a newer release during a rolling deploy: revisions are additive, so this
        # version keeps serving until it is replaced.
        body = {"status": "ready", "schema": sorted(current), "note": "schema is newer"}
    elif current != head:
        return problem_response(
            503,
            "The database schema is not at the newest migration; run "
            "`flask --app wsgi db upgrade`.",
            extra={"schema": sorted(current), "head": sorted(head)},
        )
    else:
        body = {"status": "ready", "schema": sorted(current)}
    current_app.extensions[_READY] = (time.monotonic(), body)
    return jsonify(body)
