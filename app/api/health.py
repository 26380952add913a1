"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..errors import problem_response
from ..extensions import db
from ..migrations import current_revisions, head_revisions, known_revisions

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers and its schema is at the newest migration."""
    try:
        with db.engine.connect() as connection:
            current = current_revisions(connection)
    except SQLAlchemyError:
        return problem_response(503, "The database is not reachable.")
    head = head_revisions()
    if current and not current <= known_revisions():
        # Migrated by a newer release during a rolling deploy: revisions are additive, so this
        # version keeps serving until it is replaced.
        return jsonify(status="ready", schema=sorted(current), note="schema is newer")
    if current != head:
        return problem_response(
            503,
            "The database schema is not at the newest migration; run "
            "`flask --app wsgi db upgrade`.",
            extra={"schema": sorted(current), "head": sorted(head)},
        )
    return jsonify(status="ready", schema=sorted(current))
