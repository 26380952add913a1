"""Schemas of the audit trail."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import BoundedDateTime, PageArgsSchema, page_schema

ACTIONS = ("authority.create", "authority.update", "authority.revoke", "token.create",
           "token.revoke", "report.create", "report.amend", "reminder.send", "demo.load",
           "demo.unload", "session.start", "session.end")


class AuditArgsSchema(PageArgsSchema):
    authority = fields.String(validate=validate.Length(min=1, max=200),
                              metadata={"description": "Name of the acting authority"})
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{3}$"))
    action = fields.String(validate=validate.OneOf(ACTIONS))
    since = BoundedDateTime(metadata={"description": "Events at or after this instant"})
    until = BoundedDateTime(metadata={"description": "Events before this instant"})


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    actor = fields.String(required=True, metadata={"description": "Authority name, or the "
                                                   "command line"})
    token = fields.String(allow_none=True, metadata={"description": "Public id of the token"})
    action = fields.String(required=True, metadata={"enum": list(ACTIONS)})
    state = fields.String(allow_none=True)
    report = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    details = fields.Dict(required=True)


AuditPageSchema = page_schema(AuditEventSchema, "AuditPage")
