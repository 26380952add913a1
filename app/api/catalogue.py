"""Catalogue reads: regimes, resolutions with their obligations, Member States. No token."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import RAISE

from schemas.catalogue import (
    MemberStateDetailSchema,
    MemberStatePageSchema,
    RegimeDetailSchema,
    RegimePageSchema,
    ResolutionDetailSchema,
    ResolutionListArgs,
    ResolutionPageSchema,
    StateListArgs,
)
from schemas.common import PageArgsSchema

from ..extensions import db
from ..services import catalogue as service
from . import envelope, page_size_or_default
from .parsing import Blueprint

blp = Blueprint(
    "catalogue",
    __name__,
    url_prefix="/api/v1",
    description="The catalogue: regimes (sanctions and others), resolutions, obligations, "
    "Member States. Public: no token needed.",
)


@blp.route("/regimes")
class Regimes(MethodView):
    @blp.arguments(PageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, RegimePageSchema)
    def get(self, args):
        """List regimes (their committees and the words documents use for them)"""
        size = page_size_or_default(args["page_size"])
        items, total = service.list_regimes(db.session, args["page"], size)
        return envelope(items, total, args["page"], size)


@blp.route("/regimes/<string(maxlength=32):code>")
class RegimeDetail(MethodView):
    @blp.alt_response(404, response="NOT_FOUND", description="No such regime")
    @blp.response(200, RegimeDetailSchema)
    def get(self, code):
        """One regime: its committee, the words documents use for it, its resolutions"""
        return service.get_regime(db.session, code)


@blp.route("/resolutions")
class Resolutions(MethodView):
    @blp.arguments(ResolutionListArgs, location="query", unknown=RAISE)
    @blp.response(200, ResolutionPageSchema)
    def get(self, args):
        """List resolutions, in order of number

        `regime` (a regime's code, e.g. `1540`) keeps the resolutions of one regime; an
        unknown code is a 422 naming `regime`.
        """
        size = page_size_or_default(args["page_size"])
        items, total = service.list_resolutions(
            db.session, args["page"], size, regime=args.get("regime")
        )
        return envelope(items, total, args["page"], size)


@blp.route("/resolutions/<int(max=999999):number>")
class ResolutionDetail(MethodView):
    @blp.response(200, ResolutionDetailSchema)
    def get(self, number):
        """One resolution with its obligations and reporting requirements"""
        return service.get_resolution(db.session, number)


@blp.route("/states")
class States(MethodView):
    @blp.arguments(StateListArgs, location="query", unknown=RAISE)
    @blp.response(200, MemberStatePageSchema)
    def get(self, args):
        """List the 193 UN Member States"""
        size = page_size_or_default(args["page_size"])
        items, total = service.list_states(
            db.session, args["page"], size, un_group=args.get("un_group")
        )
        return envelope(items, total, args["page"], size)


@blp.route("/states/<string(length=3):iso3>")
class StateDetail(MethodView):
    @blp.response(200, MemberStateDetailSchema)
    def get(self, iso3):
        """One Member State by ISO 3166-1 alpha-3 code"""
        return service.get_state(db.session, iso3)
