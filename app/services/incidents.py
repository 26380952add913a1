"""The enforcement record: recording, amending, acknowledging and reading incidents. Each
write is one transaction.

Who may do what:
- a reporter files an incident to which its own State is a party (`recorded_by: state`),
  amends the incidents its State filed, and acknowledges incidents on record with its State
  as a party (the State reports them);
- panel and admin record any incident (`recorded_by: panel`) and amend any;
- a reporter reads public incidents and the restricted ones naming its State as a party;
  another restricted incident does not exist for it (404). Demo incidents are not shown to
  reporters.

A body is checked in two steps, as a report's is: its shape (`schemas.incidents`), then its
meaning against the catalogue and the caller; every error at once, each with a pointer.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import and_, case, delete, exists, false, func, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement

from schemas.incidents import AcknowledgementInSchema, IncidentInSchema

from .. import incidents as rules
from ..auth import Principal
from ..domain import FIGURE_OF_KIND, PartyRole, RecordedBy, Role, Visibility
from ..errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    StaleVersion,
    flatten_messages,
    json_pointer,
)
from ..models import (
    Incident,
    IncidentAcknowledgement,
    IncidentEnforcement,
    IncidentInvolvement,
    IncidentObligation,
    IncidentParty,
    IncidentVersion,
    IncidentVessel,
    MemberState,
    Obligation,
    Regime,
    Resolution,
)
from ..models.types import utcnow
from . import audit, page_of, revisions, transaction, use_case
from .catalogue import check_regime
from .reports import ExpectedVersion, require_current
from .session import DbSession, rowcount

INCIDENT_IN = IncidentInSchema()
ACKNOWLEDGEMENT_IN = AcknowledgementInSchema()
INCIDENT_ID_RE = re.compile(r"i[0-9a-f]{20}")


def etag_for(incident: Incident) -> str:
    return f"{incident.public_id}.v{incident.current_version}"


# --- checking a body ---------------------------------------------------------------------

@dataclass
class CheckedIncident:
    """A body that passed both checks, with the catalogue rows it names."""

    raw: dict[str, Any]
    data: dict[str, Any]
    states: dict[str, MemberState]
    obligations: list[Obligation]

    @property
    def party_states(self) -> set[str]:
        return {p["state"] for p in self.data["parties"]}


def _shape(raw: Any) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    try:
        return INCIDENT_IN.load(raw), []
    except ValidationError as exc:
        return None, [{"pointer": json_pointer(path), "detail": message}
                      for path, message in flatten_messages(exc.messages)]


def _meaning(session: DbSession, data: dict[str, Any]
             ) -> tuple[dict[str, MemberState], list[Obligation], list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    named = {p["state"] for p in data["parties"]}
    if data["location"].get("state"):
        named.add(data["location"]["state"])
    states = {s.iso3: s for s in session.scalars(
        select(MemberState).where(MemberState.iso3.in_(named)))}
    location_state = data["location"].get("state")
    if location_state and location_state not in states:
        errors.append({"pointer": "/location/state",
                       "detail": f"No Member State {location_state!r}."})
    seen_parties: dict[tuple[str, str], int] = {}
    for index, party in enumerate(data["parties"]):
        key = (party["state"], party["role"])
        if party["state"] not in states:
            errors.append({"pointer": f"/parties/{index}/state",
                           "detail": f"No Member State {party['state']!r}."})
        elif key in seen_parties:
            errors.append({"pointer": f"/parties/{index}", "detail": f"{key[0]} is named as "
                           f"{key[1]} twice (also party {seen_parties[key]})."})
        else:
            seen_parties[key] = index
    seen_imo: dict[str, int] = {}
    for index, vessel in enumerate(data["vessels"]):
        if vessel["imo"] in seen_imo:
            errors.append({"pointer": f"/vessels/{index}/imo", "detail": f"IMO "
                           f"{vessel['imo']} is named twice (also vessel "
                           f"{seen_imo[vessel['imo']]})."})
        else:
            seen_imo[vessel["imo"]] = index
    codes = data["obligations"]
    found = {o.code: o for o in session.scalars(
        select(Obligation).where(Obligation.code.in_(codes)).options(
            selectinload(Obligation.resolution).selectinload(Resolution.regime)))}
    obligations: list[Obligation] = []
    seen_codes: dict[str, int] = {}
    for index, code in enumerate(codes):
        if code not in found:
            errors.append({"pointer": f"/obligations/{index}",
                           "detail": f"{code!r} is not an obligation in the catalogue."})
        elif code in seen_codes:
            errors.append({"pointer": f"/obligations/{index}", "detail": f"{code} is named "
                           f"twice (also obligation {seen_codes[code]})."})
        else:
            seen_codes[code] = index
            obligation = found[code]
            obligations.append(obligation)
            if obligation.resolution.adopted_on > data["occurred_on"]:
                errors.append({"pointer": f"/obligations/{index}", "detail": f"{code} was "
                               "adopted on "
                               f"{obligation.resolution.adopted_on.isoformat()}, after the "
                               "incident: it cannot have been engaged."})
    return states, obligations, errors


def _require_checked(session: DbSession, principal: Principal, raw: Any,
                     ) -> CheckedIncident:
    """The checked body, or 422 (every error found) or 403 (a reporter recording an
    incident its State is not a party to)."""
    data, errors = _shape(raw)
    if data is None:
        raise Invalid("The incident is well formed but some values are invalid; see errors.",
                      errors=errors)
    states, obligations, errors = _meaning(session, data)
    if errors:
        raise Invalid("The incident is well formed but some values are invalid; see errors.",
                      errors=errors)
    doc = CheckedIncident(raw, data, states, obligations)
    if principal.is_reporter and principal.state_iso3 not in doc.party_states:
        raise Forbidden(
            f"This token reports for {principal.state_iso3}, which is not a party to this "
            "incident: a State files the incidents it took part in (the Panel records the "
            "others).",
            errors=[{"pointer": "/parties", "detail": f"{principal.state_iso3} is not among "
                     "the parties."}],
        )
    return doc


# --- derived tables ----------------------------------------------------------------------

def refresh_derived(session: DbSession, incident_ids: Sequence[int] | None = None, *,
                    versions_touched: int | None = 2) -> None:
    """Rewrite what the live matrix reads (`IncidentInvolvement`, `IncidentEnforcement`)
    for `incident_ids` (every incident when None) from their current versions and
    acknowledgements: set-based, a fixed number of statements whatever the count. What
    the documents show of them changes too: the scopes of their `versions_touched` latest
    versions are touched (`revisions.touch_incidents`)."""
    session.flush()
    revisions.touch_incidents(session, select(Incident.id) if incident_ids is None
                              else incident_ids, latest=versions_touched)
    for table in (IncidentInvolvement, IncidentEnforcement):
        stmt = delete(table)
        if incident_ids is not None:
            stmt = stmt.where(table.incident_id.in_(incident_ids))
        session.execute(stmt)
    current = and_(IncidentVersion.incident_id == Incident.id,
                   IncidentVersion.number == Incident.current_version)
    reported = case(
        (and_(Incident.filed_by_state_id.is_not(None),
              Incident.filed_by_state_id == IncidentParty.state_id), true()),
        (exists().where(IncidentAcknowledgement.incident_id == Incident.id,
                        IncidentAcknowledgement.state_id == IncidentParty.state_id), true()),
        else_=false())
    public = case((IncidentVersion.visibility == Visibility.PUBLIC, true()), else_=false())
    involved = (
        select(Incident.id, IncidentParty.state_id, Obligation.resolution_id, reported,
               Incident.is_demo, public).distinct()
        .select_from(Incident).join(IncidentVersion, current)
        .join(IncidentParty, IncidentParty.version_id == IncidentVersion.id)
        .join(IncidentObligation, IncidentObligation.version_id == IncidentVersion.id)
        .join(Obligation, Obligation.id == IncidentObligation.obligation_id)
    )
    made = (
        select(Incident.id, IncidentParty.state_id, Obligation.id, Obligation.resolution_id,
               IncidentVersion.kind, IncidentVersion.occurred_on, public).distinct()
        .select_from(Incident).join(IncidentVersion, current)
        .join(IncidentParty, IncidentParty.version_id == IncidentVersion.id)
        .join(IncidentObligation, IncidentObligation.version_id == IncidentVersion.id)
        .join(Obligation, Obligation.id == IncidentObligation.obligation_id)
        .where(IncidentParty.role == PartyRole.INSPECTING_STATE,
               IncidentVersion.kind.in_(tuple(FIGURE_OF_KIND)))
    )
    if incident_ids is not None:
        involved = involved.where(Incident.id.in_(incident_ids))
        made = made.where(Incident.id.in_(incident_ids))
    session.execute(insert(IncidentInvolvement).from_select(
        ["incident_id", "state_id", "resolution_id", "reported", "is_demo", "public"], involved))
    session.execute(insert(IncidentEnforcement).from_select(
        ["incident_id", "state_id", "obligation_id", "resolution_id", "kind", "occurred_on",
         "public"], made))


# --- writing -----------------------------------------------------------------------------

def _new_version(session: DbSession, incident: Incident, number: int, doc: CheckedIncident,
                 principal: Principal, received_at: dt.datetime) -> IncidentVersion:
    data = doc.data
    location = data["location"]
    version = IncidentVersion(
        incident=incident, number=number, received_at=received_at,
        submitted_by_id=principal.authority_id, token_id=principal.token_id,
        kind=data["kind"], occurred_on=data["occurred_on"],
        occurred_until=data.get("occurred_until"),
        location_state=doc.states.get(location["state"]) if location.get("state") else None,
        place=location.get("place"), lat=location.get("lat"), lon=location.get("lon"),
        visibility=data["visibility"], language=data["language"], summary=data["summary"],
        cargo=[dict(line) for line in data["cargo"]],
        sources=[dict(source) for source in data["sources"]],
        document=doc.raw,
    )
    session.add(version)
    version.parties = [IncidentParty(position=i, state=doc.states[p["state"]], role=p["role"])
                       for i, p in enumerate(data["parties"], start=1)]
    version.vessels = [IncidentVessel(position=i, imo=v["imo"], name=v.get("name"),
                                      flag=v.get("flag"))
                       for i, v in enumerate(data["vessels"], start=1)]
    version.obligations = [IncidentObligation(position=i, obligation=o)
                           for i, o in enumerate(doc.obligations, start=1)]
    session.flush()
    return version


def _create(session: DbSession, principal: Principal, doc: CheckedIncident, *,
            demo: bool = False, received_at: dt.datetime | None = None,
            audited: bool = True) -> IncidentVersion:
    """A new incident at version 1; audited unless demo data or `audited` is False (an
    import audits itself once)."""
    received_at = received_at or utcnow()
    by_state = principal.is_reporter
    incident = Incident(
        public_id="i" + secrets.token_hex(10), current_version=1,
        recorded_by=RecordedBy.STATE if by_state else RecordedBy.PANEL,
        filed_by_state_id=principal.state_id if by_state else None,
        first_recorded_at=received_at, is_demo=demo,
    )
    session.add(incident)
    version = _new_version(session, incident, 1, doc, principal, received_at)
    refresh_derived(session, [incident.id])
    if audited and not demo:
        audit.record(session, action="incident.create", actor=principal.name,
                     authority_id=principal.authority_id, token_id=principal.token_id,
                     state_iso3=principal.state_iso3, version=1,
                     details={"incident": incident.public_id, "kind": doc.data["kind"],
                              "parties": sorted(doc.party_states),
                              "visibility": doc.data["visibility"]})
    return version


@use_case
def record(session: DbSession, principal: Principal, raw: Any) -> IncidentVersion:
    """Use case: put a new incident on the record (version 1)."""
    return _create(session, principal, _require_checked(session, principal, raw))


def _may_amend(principal: Principal, incident: Incident) -> None:
    if principal.role == Role.PANEL or principal.role == Role.ADMIN:
        return
    if incident.filed_by_state_id != principal.state_id:
        raise Forbidden(
            f"Incident {incident.public_id} was not filed by {principal.state_iso3}: a State "
            "amends the incidents it filed, and acknowledges the others it took part in "
            f"(POST /api/v1/incidents/{incident.public_id}/acknowledgements)."
        )


def _match(expected: ExpectedVersion | None, incident: Incident) -> None:
    require_current(expected, etag_for(incident), noun="incident", stale=(
        f"The incident has changed (it is at version {incident.current_version}); read it "
        "again and resend your amendment."))


@use_case
def amend(session: DbSession, principal: Principal, public_id: str, raw: Any,
          expected: ExpectedVersion | None) -> IncidentVersion:
    """Use case: store a full replacement as the incident's next version."""
    incident = get_incident(session, principal, public_id)
    _may_amend(principal, incident)
    if incident.is_demo:
        raise Conflict(f"Incident {incident.public_id} is synthetic demo data: it is never "
                       "amended.")
    _match(expected, incident)
    doc = _require_checked(session, principal, raw)
    number = incident.current_version + 1
    claimed = session.execute(
        update(Incident)
        .where(Incident.id == incident.id, Incident.current_version == incident.current_version)
        .values(current_version=number)
        .execution_options(synchronize_session=False))
    if rowcount(claimed) != 1:
        raise StaleVersion("Another amendment was stored first; read the incident again and "
                           "resend.")
    session.expire(incident, ["current_version"])
    try:
        with session.begin_nested():
            version = _new_version(session, incident, number, doc, principal, utcnow())
    except IntegrityError:
        raise StaleVersion("Another amendment was stored first; read the incident again and "
                           "resend.") from None
    refresh_derived(session, [incident.id])
    audit.record(session, action="incident.amend", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=principal.state_iso3, version=number,
                 details={"incident": incident.public_id})
    return version


@dataclass
class Acknowledged:
    incident: Incident
    acknowledgement: IncidentAcknowledgement | None
    created: bool


@use_case
def acknowledge(session: DbSession, principal: Principal, public_id: str,
                raw: Any) -> Acknowledged:
    """Use case: the reporter's State reports an incident on record naming it as a party.
    Idempotent: a second acknowledgement changes nothing (`created` False)."""
    if raw is None:
        raw = {}
    try:
        data = ACKNOWLEDGEMENT_IN.load(raw)
    except ValidationError as exc:
        raise Invalid("The acknowledgement is invalid; see errors.", errors=[
            {"pointer": json_pointer(path), "detail": message}
            for path, message in flatten_messages(exc.messages)]) from None
    incident = get_incident(session, principal, public_id)
    version = current_version(session, incident)
    if principal.state_id not in {p.state_id for p in version.parties}:
        raise Forbidden(f"{principal.state_iso3} is not a party to incident "
                        f"{incident.public_id}: only a party State acknowledges it.")
    if incident.filed_by_state_id == principal.state_id:
        return Acknowledged(incident, None, False)  # it filed it: reported already
    existing = session.scalar(select(IncidentAcknowledgement).where(
        IncidentAcknowledgement.incident_id == incident.id,
        IncidentAcknowledgement.state_id == principal.state_id))
    if existing is not None:
        return Acknowledged(incident, existing, False)
    ack = IncidentAcknowledgement(
        incident_id=incident.id, state_id=principal.state_id, authority_id=principal.authority_id,
        token_id=principal.token_id, reference=data.get("reference"), acknowledged_at=utcnow())
    try:
        with session.begin_nested():
            session.add(ack)
            session.flush()
    except IntegrityError:  # a concurrent acknowledgement by the same State got there first
        existing = session.scalar(select(IncidentAcknowledgement).where(
            IncidentAcknowledgement.incident_id == incident.id,
            IncidentAcknowledgement.state_id == principal.state_id))
        return Acknowledged(incident, existing, False)
    refresh_derived(session, [incident.id], versions_touched=1)  # the current version's
    audit.record(session, action="incident.acknowledge", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=principal.state_iso3,
                 details={"incident": incident.public_id, "reference": data.get("reference")})
    session.expire(incident, ["acknowledgements"])
    return Acknowledged(incident, ack, True)


# --- import ------------------------------------------------------------------------------

class ImportError_(Exception):
    """A record of an import could not be stored; nothing of the file was."""

    def __init__(self, index: int, label: str, errors: list[dict[str, str]]) -> None:
        self.index = index
        self.label = label
        self.errors = errors
        reasons = "; ".join(f"{e['pointer'] or '/'}: {e['detail']}" for e in errors)
        super().__init__(f"{label}: {reasons}")


def import_records(session: DbSession, principal: Principal, records: Sequence[Any],
                   labels: Sequence[str] | None = None, *, demo: bool = False,
                   source: str | None = None) -> list[str]:
    """Use case: record every incident of `records`, all or nothing; the ids of those
    recorded, in order. Audited once (`incident.import`, naming `source`), demo data not."""
    ids: list[str] = []
    with transaction(session):
        for index, raw in enumerate(records):
            label = labels[index] if labels else f"record {index + 1}"
            try:
                doc = _require_checked(session, principal, raw)
                version = _create(session, principal, doc, demo=demo, audited=False)
            except DomainError as exc:
                raise ImportError_(index, label, exc.errors or [
                    {"pointer": "", "detail": exc.detail}]) from exc
            ids.append(version.incident.public_id)
        if ids and not demo:
            audit.record(session, action="incident.import", actor=principal.name,
                         authority_id=principal.authority_id, token_id=principal.token_id,
                         details={"source": source, "count": len(ids), "incidents": ids})
    return ids


# --- reading -----------------------------------------------------------------------------

def version_options():
    """What reading a version's parties, vessels, obligations and place needs, loaded at
    once (the API's views and the summaries)."""
    return (
        selectinload(IncidentVersion.parties).selectinload(IncidentParty.state),
        selectinload(IncidentVersion.vessels),
        selectinload(IncidentVersion.obligations).selectinload(IncidentObligation.obligation)
        .selectinload(Obligation.resolution).selectinload(Resolution.regime),
        selectinload(IncidentVersion.location_state),
        selectinload(IncidentVersion.submitted_by),
    )


def incident_options():
    """What reading who filed and who acknowledged an incident needs, loaded at once."""
    return (
        selectinload(Incident.filed_by_state),
        selectinload(Incident.acknowledgements).selectinload(IncidentAcknowledgement.state),
    )


def latest_number_before(before: dt.datetime | ColumnElement[dt.datetime]):
    """A scalar subquery, correlated to `Incident`: the number of its latest version received
    before `before` (an instant, or a bound parameter; walks the unique (incident_id, number)
    index backwards)."""
    inner = aliased(IncidentVersion)
    return (select(func.max(inner.number))
            .where(inner.incident_id == Incident.id, inner.received_at < before)
            .correlate(Incident).scalar_subquery())


def current_version(session: DbSession, incident: Incident) -> IncidentVersion:
    return session.execute(
        select(IncidentVersion).where(IncidentVersion.incident_id == incident.id,
                                      IncidentVersion.number == incident.current_version)
        .options(*version_options())
        .execution_options(populate_existing=True)
    ).scalar_one()


def _party_of(state_id: int | None):
    """An EXISTS clause, correlated to `IncidentVersion`: `state_id` is among its parties."""
    return exists().where(IncidentParty.version_id == IncidentVersion.id,
                          IncidentParty.state_id == state_id)


def _visible_to(principal: Principal):
    """What a reporter may see: public incidents and restricted ones naming its State; no
    demo data. Panel and admin see everything."""
    if not principal.is_reporter:
        return None
    return and_(Incident.is_demo.is_(False),
                or_(IncidentVersion.visibility == Visibility.PUBLIC,
                    _party_of(principal.state_id)))


def _current_query():
    return (select(Incident, IncidentVersion)
            .join(IncidentVersion, (IncidentVersion.incident_id == Incident.id)
                  & (IncidentVersion.number == Incident.current_version)))


def get_incident(session: DbSession, principal: Principal, public_id: str) -> Incident:
    """An incident the principal may see; any other (restricted and not naming a reporter's
    State, demo data for a reporter, unknown, not an id) is the same 404."""
    row = None
    if INCIDENT_ID_RE.fullmatch(public_id):
        stmt = _current_query().where(Incident.public_id == public_id)
        visible = _visible_to(principal)
        if visible is not None:
            stmt = stmt.where(visible)
        row = session.execute(stmt.options(*incident_options())).first()
    if row is None:
        raise NotFound(f"No incident {public_id!r}.")
    return row.Incident


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    role: str | None = None
    kind: str | None = None
    imo: str | None = None
    obligation: str | None = None
    resolution: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    visibility: str | None = None
    located: bool = False
    regime: str | None = None


def _filtered(principal: Principal, filters: Filters):
    stmt = _current_query()
    visible = _visible_to(principal)
    if visible is not None:
        stmt = stmt.where(visible)
    if filters.state or filters.role:
        party = exists().where(IncidentParty.version_id == IncidentVersion.id)
        if filters.state:
            party = party.where(IncidentParty.state_id == select(MemberState.id).where(
                MemberState.iso3 == filters.state.upper()).scalar_subquery())
        if filters.role:
            party = party.where(IncidentParty.role == filters.role)
        stmt = stmt.where(party)
    if filters.kind:
        stmt = stmt.where(IncidentVersion.kind == filters.kind)
    if filters.imo:
        stmt = stmt.where(exists().where(IncidentVessel.version_id == IncidentVersion.id,
                                         IncidentVessel.imo == filters.imo))
    if filters.obligation or filters.resolution or filters.regime:
        engaged = (exists().where(IncidentObligation.version_id == IncidentVersion.id)
                   .where(IncidentObligation.obligation_id == Obligation.id))
        if filters.regime:
            engaged = engaged.where(Obligation.resolution_id.in_(
                select(Resolution.id).join(Regime).where(Regime.code == filters.regime)))
        if filters.obligation:
            engaged = engaged.where(Obligation.code == filters.obligation)
        if filters.resolution:
            engaged = engaged.where(Obligation.resolution_id == Resolution.id,
                                    Resolution.number == filters.resolution)
        stmt = stmt.where(engaged)
    if filters.start:
        stmt = stmt.where(func.coalesce(IncidentVersion.occurred_until,
                                        IncidentVersion.occurred_on) >= filters.start)
    if filters.end:
        stmt = stmt.where(IncidentVersion.occurred_on <= filters.end)
    if filters.visibility:
        stmt = stmt.where(IncidentVersion.visibility == filters.visibility)
    if filters.located:
        stmt = stmt.where(IncidentVersion.lat.is_not(None), IncidentVersion.lon.is_not(None))
    return stmt.order_by(IncidentVersion.occurred_on.desc(), Incident.id.desc())


def list_incidents(session: DbSession, principal: Principal, filters: Filters, *,
                   page: int | None, page_size: int | None
                   ) -> tuple[list[tuple[Incident, IncidentVersion]], int]:
    """Incidents the principal may see, newest first; one page, or all when `page` is None
    (CSV and GeoJSON exports). An unknown `regime` is a 422 naming it."""
    check_regime(session, filters.regime)
    stmt = _filtered(principal, filters).options(*incident_options())
    if page is None or page_size is None:
        rows = session.execute(stmt).all()
        total = len(rows)
    else:
        rows, total = page_of(session, stmt, page, page_size)
    pairs = [(r.Incident, r.IncidentVersion) for r in rows]
    _load_versions(session, [v for _, v in pairs])
    return pairs, total


def _load_versions(session: DbSession, versions: Iterable[IncidentVersion]) -> None:
    ids = [v.id for v in versions]
    if ids:
        session.execute(select(IncidentVersion).where(IncidentVersion.id.in_(ids))
                        .options(*version_options())
                        .execution_options(populate_existing=True)).all()


def list_versions(session: DbSession, incident: Incident) -> list[IncidentVersion]:
    return list(session.scalars(
        select(IncidentVersion).where(IncidentVersion.incident_id == incident.id)
        .options(selectinload(IncidentVersion.submitted_by))
        .order_by(IncidentVersion.number)))


def vessel_record(session: DbSession, principal: Principal, imo: str
                  ) -> list[tuple[Incident, IncidentVersion]]:
    """Every incident the principal may see naming vessel `imo`, oldest first; 404 when
    there is none."""
    problem = rules.imo_problem(imo)
    if problem:
        raise NotFound(f"No vessel {imo!r}: {problem}",
                       errors=[{"pointer": "imo", "detail": problem}])
    rows, _ = list_incidents(session, principal, Filters(imo=imo), page=None, page_size=None)
    if not rows:
        raise NotFound(f"No incident on record names the vessel with IMO number {imo}.")
    return list(reversed(rows))


# --- what an incident says ---------------------------------------------------------------

def not_expected(version: IncidentVersion) -> set[str]:
    """The target States of the regimes of the obligations engaged: not asked to report."""
    return {o.obligation.resolution.regime.target_state for o in version.obligations
            if o.obligation.resolution.regime.target_state}


def on_record(incident: Incident, version: IncidentVersion,
              before: dt.datetime | None = None) -> rules.OnRecord:
    """The incident as the signal rules see it; reporting by the cut-off `before`."""
    reported: dict[str, dt.date] = {}
    if incident.filed_by_state is not None:
        reported[incident.filed_by_state.iso3] = incident.first_recorded_at.date()
    for ack in incident.acknowledgements:
        if before is None or ack.acknowledged_at < before:
            reported.setdefault(ack.state.iso3, ack.acknowledged_at.date())
    return rules.OnRecord(
        kind=version.kind, occurred_on=version.occurred_on,
        parties=tuple((p.state.iso3, p.role) for p in version.parties),
        obligations=frozenset(o.obligation.code for o in version.obligations),
        reported_on=reported,
    )


def incident_view(incident: Incident, version: IncidentVersion) -> dict[str, Any]:
    """The incident as clients read it (before serialization)."""
    fact = on_record(incident, version)
    reported_by, unreported_by = rules.reporting_of(fact, not_expected(version))
    references = {a.state.iso3: a.reference for a in incident.acknowledgements}
    filer = incident.filed_by_state.iso3 if incident.filed_by_state else None
    reporting = [{"state": state, "how": "filed" if state == filer else "acknowledged",
                  "on": fact.reported_on[state],
                  "days_after_event": rules.days_to_report(fact, state),
                  "reference": references.get(state)}
                 for state in reported_by]
    base = f"/api/v1/incidents/{incident.public_id}"
    resolutions = sorted({o.obligation.resolution.number for o in version.obligations})
    return {
        "id": incident.public_id,
        "version": version.number,
        "kind": version.kind,
        "occurred_on": version.occurred_on,
        "occurred_until": version.occurred_until,
        "location": {"state": version.location_state.iso3 if version.location_state else None,
                     "place": version.place, "lat": version.lat, "lon": version.lon,
                     "high_seas": version.location_state is None},
        "summary": version.summary,
        "language": version.language,
        "parties": [{"state": p.state.iso3, "name": p.state.name, "role": p.role}
                    for p in version.parties],
        "vessels": [{"imo": v.imo, "name": v.name, "flag": v.flag} for v in version.vessels],
        "cargo": [{"description": c.get("description"), "hs_code": c.get("hs_code"),
                   "quantity": c.get("quantity"), "unit": c.get("unit"),
                   "value_usd": c.get("value_usd")} for c in version.cargo],
        "obligations": [o.obligation.code for o in version.obligations],
        "resolutions": resolutions,
        "sources": [{"kind": s.get("kind"), "reference": s.get("reference"),
                     "title": s.get("title")} for s in version.sources],
        "visibility": version.visibility,
        "recorded_by": incident.recorded_by,
        "filed_by": filer,
        "first_recorded_at": incident.first_recorded_at,
        "received_at": version.received_at,
        "reported_by": reported_by,
        "unreported_by": unreported_by,
        "reporting": reporting,
        "demo": incident.is_demo,
        "links": {"self": base, "versions": f"{base}/versions",
                  "acknowledgements": f"{base}/acknowledgements"},
    }

