"""The audit trail, for admins. There is no operation that changes or removes an event."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import RAISE

from schemas.audit import AuditArgsSchema, AuditPageSchema

from ..auth import requires
from ..extensions import db
from ..services import audit
from . import envelope, page_size_or_default
from .parsing import Blueprint

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="Who did what, when, from which token (admins only). Append-only.")


@blp.route("")
class AuditTrail(MethodView):
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(AuditArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, AuditPageSchema)
    @requires("admin")
    def get(self, args):
        """Audit events, oldest first, filtered by authority, state, action and time"""
        size = page_size_or_default(args["page_size"])
        items, total = audit.list_events(
            db.session, authority=args.get("authority"), state=args.get("state"),
            action=args.get("action"), since=args.get("since"), until=args.get("until"),
            page=args["page"], page_size=size,
        )
        return envelope(items, total, args["page"], size)
