"""The domain vocabulary, defined once: what an entry, a report, a flag, a rating, a row of the
compliance matrix, a reporting requirement, a role and a regional group can be.

Schemas, models (and their CHECK constraints), scoring, flags, services, the command line and
the templates take their values from here. Pure data: no Flask, no database.

Every enum is a `StrEnum`: a member *is* its string value, so it compares equal to the string,
serialises as it (JSON, CSV, SQL, Jinja) and keeps the order written here, which is the order
the API documents (OpenAPI `enum` lists) and the order flags are listed in.
"""

from __future__ import annotations

from enum import StrEnum


class EntryStatus(StrEnum):
    """What a State says about one obligation."""

    IMPLEMENTED = "implemented"
    PARTIALLY_IMPLEMENTED = "partially_implemented"
    NOT_IMPLEMENTED = "not_implemented"
    NOT_APPLICABLE = "not_applicable"


#: Statuses that claim the measure is in force: they call for a legal basis and an authority.
IMPLEMENTING_STATUSES = (EntryStatus.IMPLEMENTED, EntryStatus.PARTIALLY_IMPLEMENTED)


class Element(StrEnum):
    """The parts of an entry an obligation may expect."""

    LEGAL_BASIS = "legal_basis"
    COMPETENT_AUTHORITY = "competent_authority"
    MEASURES = "measures"
    ENFORCEMENT = "enforcement"
    EVIDENCE = "evidence"


#: Elements given as free text.
TEXT_ELEMENTS = (Element.LEGAL_BASIS, Element.COMPETENT_AUTHORITY, Element.MEASURES)


class Figure(StrEnum):
    """The enforcement figures of an entry (the `enforcement` element)."""

    INSPECTIONS = "inspections"
    SEIZURES = "seizures"
    DESIGNATIONS = "designations"
    VIOLATIONS_REPORTED = "violations_reported"


class Flag(StrEnum):
    """Lax-enforcement flags of a State on a resolution, listed in this order."""

    NOT_REPORTED = "not_reported"
    LATE = "late"
    MISSED_PERIODS = "missed_periods"  # a periodic duty: periods ended with no notification
    INCOMPLETE = "incomplete"
    DECLARED_NOT_IMPLEMENTED = "declared_not_implemented"
    UNSUBSTANTIATED = "unsubstantiated"
    # From the enforcement record (incidents), facts rather than verdicts:
    UNREPORTED_INVOLVEMENT = "unreported_involvement"  # a party that never reported it
    INCONSISTENT_WITH_RECORD = "inconsistent_with_record"  # figures below the record
    # From the Panel's published findings: the evidence contradicts the report.
    CONTRADICTED = "contradicted"


class Rating(StrEnum):
    """The completeness band of a report; `not_reported` where a requested report is missing."""

    COMPLETE = "complete"
    LARGELY_COMPLETE = "largely_complete"
    PARTIALLY_COMPLETE = "partially_complete"
    INCOMPLETE = "incomplete"
    NOT_REPORTED = "not_reported"


#: Lower bounds of the rating bands (completeness at or above), highest first.
RATING_BANDS: tuple[tuple[Rating, int], ...] = (
    (Rating.COMPLETE, 90),
    (Rating.LARGELY_COMPLETE, 70),
    (Rating.PARTIALLY_COMPLETE, 40),
    (Rating.INCOMPLETE, 0),
)
#: The ratings a scored report can have (every rating but `not_reported`).
SCORED_RATINGS = tuple(rating for rating, _ in RATING_BANDS)
#: A report below the `largely_complete` band is flagged `incomplete`.
INCOMPLETE_BELOW = float(dict(RATING_BANDS)[Rating.LARGELY_COMPLETE])


class RowStatus(StrEnum):
    """Where a State stands on a resolution in the compliance matrix."""

    REPORTED = "reported"
    NOT_REPORTED = "not_reported"
    NO_REPORT_REQUESTED = "no_report_requested"
    NOT_EXPECTED = "not_expected"


class Role(StrEnum):
    """What an authority's tokens may do."""

    REPORTER = "reporter"
    PANEL = "panel"
    ADMIN = "admin"


class RequirementKind(StrEnum):
    """When a reporting requirement asks for a report."""

    ONCE = "once"  # within a number of days of adoption
    STAGED = "staged"  # in stages, each a whole number of months after adoption
    PERIODIC = "periodic"  # every `period_days`
    ON_EVENT = "on_event"  # after an event (`trigger`)


class Addressee(StrEnum):
    """Who a reporting requirement asks for the report."""

    STATES = "states"  # Member States (those `applies_to` names)
    COMMITTEE = "committee"  # the regime's committee itself, reporting to the Council


class DeadlineStatus(StrEnum):
    """Where a State stands on one thing a reporting requirement asks, as of a date."""

    MET = "met"  # a report was received (on time or late)
    NIL = "nil"  # the latest version received is a nil report (the condition is not met)
    OVERDUE = "overdue"  # the due date has passed and nothing was received
    DUE = "due"  # not yet due, nothing received
    ON_EVENT = "on_event"  # asked after an event: no due date


class IncidentKind(StrEnum):
    """What happened, as the enforcement record holds it."""

    INSPECTION = "inspection"
    SEIZURE = "seizure"
    INTERDICTION = "interdiction"
    PORT_CALL = "port_call"
    SHIP_TO_SHIP_TRANSFER = "ship_to_ship_transfer"
    ASSET_FREEZE = "asset_freeze"
    OTHER = "other"


class PartyRole(StrEnum):
    """How a State took part in an incident."""

    INSPECTING_STATE = "inspecting_state"
    PORT_STATE = "port_state"
    FLAG_STATE = "flag_state"
    ORIGIN = "origin"
    DESTINATION = "destination"
    TRANSIT = "transit"
    OTHER = "other"


class Visibility(StrEnum):
    """Who may read an incident or a finding: everybody, or panel and admin only (and a
    reporter of a party State)."""

    PUBLIC = "public"
    RESTRICTED = "restricted"


class RecordedBy(StrEnum):
    """Who put an incident on the record: a State's authority, or the Panel."""

    STATE = "state"
    PANEL = "panel"


class SourceKind(StrEnum):
    """Where an incident is documented."""

    STATE_REPORT = "state_report"
    PANEL_REPORT = "panel_report"
    PUBLIC_RECORD = "public_record"
    OTHER = "other"


class FindingStatus(StrEnum):
    """Where a Panel finding stands: a draft, shared with the State (which may reply),
    published, or withdrawn."""

    DRAFT = "draft"
    SHARED = "shared"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Assessment(StrEnum):
    """What the evidence says about a claim."""

    CORROBORATED = "corroborated"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"


class SubjectKind(StrEnum):
    """What a finding assesses: an entry of a report (a report and one of its obligations),
    an incident, or a State's implementation of an obligation."""

    ENTRY = "entry"
    INCIDENT = "incident"
    OBLIGATION = "obligation"


#: The enforcement figure of a report entry that counts incidents of a kind, for the flag
#: `inconsistent_with_record`: a seizure is counted against `seizures`, an inspection against
#: `inspections`.
FIGURE_OF_KIND: dict[str, Figure] = {
    IncidentKind.SEIZURE: Figure.SEIZURES,
    IncidentKind.INSPECTION: Figure.INSPECTIONS,
}


class UNGroup(StrEnum):
    """The five United Nations regional groups."""

    AFRICAN = "African"
    ASIA_PACIFIC = "Asia-Pacific"
    EASTERN_EUROPEAN = "Eastern European"
    LATIN_AMERICAN_AND_CARIBBEAN = "Latin American and Caribbean"
    WESTERN_EUROPEAN_AND_OTHERS = "Western European and Others"


def label(value: str) -> str:
    """A value as prose shows it: `largely_complete` is "largely complete"."""
    return str(value).replace("_", " ")


def sql_in(column: str, values: type[StrEnum]) -> str:
    """A CHECK constraint's text: `column IN ('a', 'b', ...)`, in the enum's order."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
