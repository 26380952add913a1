"""Typed SQLAlchemy models. Models never commit; services own the transaction."""

from .base import NAMING_CONVENTION, Base
from .catalogue import (
    MemberState,
    Obligation,
    Regime,
    ReportingRequirement,
    RequirementStage,
    Resolution,
    requirement_obligation,
)
from .findings import Finding, FindingReply, FindingReplyVersion, FindingVersion
from .incidents import (
    Incident,
    IncidentAcknowledgement,
    IncidentEnforcement,
    IncidentInvolvement,
    IncidentObligation,
    IncidentParty,
    IncidentVersion,
    IncidentVessel,
)
from .reporting import (
    ROLES,
    STATUSES,
    ApiToken,
    AuditEvent,
    Authority,
    Entry,
    IdempotencyKey,
    ReminderSent,
    Report,
    ReportVersion,
)
from .revisions import DataRevision
from .summaries import RenderedSummary, RenderFailure

__all__ = [
    "NAMING_CONVENTION",
    "ROLES",
    "STATUSES",
    "ApiToken",
    "AuditEvent",
    "Authority",
    "Base",
    "DataRevision",
    "Entry",
    "Finding",
    "FindingReply",
    "FindingReplyVersion",
    "FindingVersion",
    "IdempotencyKey",
    "Incident",
    "IncidentAcknowledgement",
    "IncidentEnforcement",
    "IncidentInvolvement",
    "IncidentObligation",
    "IncidentParty",
    "IncidentVersion",
    "IncidentVessel",
    "MemberState",
    "Obligation",
    "Regime",
    "ReminderSent",
    "RenderFailure",
    "RenderedSummary",
    "Report",
    "ReportVersion",
    "ReportingRequirement",
    "RequirementStage",
    "Resolution",
    "requirement_obligation",
]
