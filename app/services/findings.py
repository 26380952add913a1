"""Panel findings and the right of reply: recording, amending, moving through the workflow
(`app.findings`), the State's reply, and reading. Each write is one transaction, audited.

Who may do what:
- panel and admin record findings about any State, amend them while draft or shared, and
  move them (share, publish, withdraw);
- a reporter reads its own State's findings once shared (shared, published, or withdrawn
  after sharing) and replies while a finding is shared; a draft, and any finding about
  another State, does not exist for it (404).

A body is checked in two steps, as a report's is: its shape (`schemas.findings`), then its
meaning (the report belongs to the State and has an entry on the obligation; the incident
names the State as a party; the obligation and the evidence incidents exist); every error at
once, each with a pointer.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import Executable, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload

from schemas.findings import (
    FindingContentSchema,
    FindingInSchema,
    ReplyInSchema,
    StatusChangeSchema,
)

from .. import findings as rules
from ..auth import Principal
from ..domain import Assessment, FindingStatus, Role, SubjectKind, Visibility
from ..errors import (
    Conflict,
    Invalid,
    NotFound,
    StaleVersion,
    flatten_messages,
    json_pointer,
)
from ..mail import Mailer, MailError, parse_smtp_url, plain_message, sender_address
from ..models import (
    Authority,
    Entry,
    Finding,
    FindingReply,
    FindingReplyVersion,
    FindingVersion,
    Incident,
    IncidentParty,
    IncidentVersion,
    MemberState,
    Obligation,
    Report,
    ReportVersion,
)
from ..models.types import UTCDateTime, utcnow
from . import audit, page_of, revisions, use_case
from .reports import ExpectedVersion, require_current
from .session import DbSession, rowcount

FINDING_IN = FindingInSchema()
CONTENT_IN = FindingContentSchema()
STATUS_IN = StatusChangeSchema()
REPLY_IN = ReplyInSchema()
FINDING_ID_RE = re.compile(r"f[0-9a-f]{20}")
log = logging.getLogger(__name__)


def etag_for(finding: Finding) -> str:
    """Changes with every version, status change and reply."""
    return f"{finding.public_id}.r{finding.revision}"


def _load(schema: Schema, raw: Any, what: str) -> dict[str, Any]:
    try:
        return schema.load(raw if raw is not None else {})
    except ValidationError as exc:
        raise Invalid(f"The {what} is well formed but some values are invalid; see errors.",
                      errors=[{"pointer": json_pointer(path), "detail": message}
                              for path, message in flatten_messages(exc.messages)]) from None


# --- checking a body ---------------------------------------------------------------------

@dataclass
class Subject:
    kind: SubjectKind
    report: Report | None = None
    obligation: Obligation | None = None
    incident: Incident | None = None


def _incident_parties(session: DbSession, incident: Incident) -> set[int]:
    return set(session.scalars(
        select(IncidentParty.state_id).join(
            IncidentVersion, IncidentVersion.id == IncidentParty.version_id)
        .where(IncidentVersion.incident_id == incident.id,
               IncidentVersion.number == incident.current_version)))


def _subject(session: DbSession, state: MemberState | None, given: dict[str, Any],
             errors: list[dict[str, str]]) -> Subject | None:
    obligation = None
    if "obligation" in given:
        obligation = session.scalar(select(Obligation).where(
            Obligation.code == given["obligation"]))
        if obligation is None:
            errors.append({"pointer": "/subject/obligation", "detail":
                           f"{given['obligation']!r} is not an obligation in the catalogue."})
    if "report" in given:
        report = session.scalar(select(Report).where(Report.public_id == given["report"])
                                .options(selectinload(Report.state)))
        if report is None:
            errors.append({"pointer": "/subject/report",
                           "detail": f"No report {given['report']!r}."})
            return None
        if report.is_demo:
            errors.append({"pointer": "/subject/report", "detail": f"Report "
                           f"{report.public_id} is synthetic demo data: the Panel assesses "
                           "real reports only."})
            return None
        if state is not None and report.state_id != state.id:
            errors.append({"pointer": "/subject/report", "detail": f"Report "
                           f"{report.public_id} is {report.state.iso3}'s, not {state.iso3}'s."})
            return None
        if obligation is not None:
            has_entry = session.scalar(
                select(func.count()).select_from(Entry)
                .join(ReportVersion, ReportVersion.id == Entry.version_id)
                .where(ReportVersion.report_id == report.id,
                       ReportVersion.number == report.current_version,
                       Entry.obligation_id == obligation.id))
            if not has_entry:
                errors.append({"pointer": "/subject/obligation", "detail": f"Report "
                               f"{report.public_id} (version {report.current_version}) has "
                               f"no entry on {obligation.code}."})
                return None
        return Subject(SubjectKind.ENTRY, report=report, obligation=obligation)
    if "incident" in given:
        incident = session.scalar(select(Incident).where(
            Incident.public_id == given["incident"]))
        if incident is None:
            errors.append({"pointer": "/subject/incident",
                           "detail": f"No incident {given['incident']!r}."})
            return None
        if incident.is_demo:
            errors.append({"pointer": "/subject/incident", "detail": f"Incident "
                           f"{incident.public_id} is synthetic demo data."})
            return None
        if state is not None and state.id not in _incident_parties(session, incident):
            errors.append({"pointer": "/subject/incident", "detail": f"Incident "
                           f"{incident.public_id} does not name {state.iso3} as a party."})
            return None
        return Subject(SubjectKind.INCIDENT, incident=incident)
    return Subject(SubjectKind.OBLIGATION, obligation=obligation)


def _evidence(session: DbSession, evidence: list[dict[str, Any]],
              errors: list[dict[str, str]]) -> list[dict[str, Any]]:
    named = [e["incident"] for e in evidence if "incident" in e]
    found = set(session.scalars(select(Incident.public_id).where(
        Incident.public_id.in_(named), Incident.is_demo.is_(False)))) if named else set()
    out = []
    for index, item in enumerate(evidence):
        if "incident" in item:
            if item["incident"] not in found:
                errors.append({"pointer": f"/evidence/{index}/incident", "detail":
                               f"No incident {item['incident']!r} (demo incidents are not "
                               "evidence)."})
            out.append({"incident": item["incident"]})
        else:
            source = item["source"]
            out.append({"source": {"kind": source["kind"], "reference": source["reference"],
                                   "title": source.get("title")}})
    return out


INVALID = "The finding is well formed but some values are invalid; see errors."


# --- writing -----------------------------------------------------------------------------

def _new_version(session: DbSession, finding: Finding, number: int, data: dict[str, Any],
                 evidence: list[dict[str, Any]], raw: Any, principal: Principal,
                 received_at: dt.datetime) -> FindingVersion:
    version = FindingVersion(
        finding=finding, number=number, received_at=received_at,
        author_id=principal.authority_id, token_id=principal.token_id,
        assessment=data["assessment"], visibility=data["visibility"],
        language=data["language"], text=data["text"], evidence=evidence, document=raw)
    session.add(version)
    session.flush()
    return version


@use_case
def record(session: DbSession, principal: Principal, raw: Any) -> Finding:
    """Use case: a new finding, a draft at version 1."""
    data = _load(FINDING_IN, raw, "finding")
    errors: list[dict[str, str]] = []
    state = session.scalar(select(MemberState).where(MemberState.iso3 == data["state"]))
    if state is None:
        errors.append({"pointer": "/state", "detail": f"No Member State {data['state']!r}."})
    subject = _subject(session, state, data["subject"], errors)
    evidence = _evidence(session, data["evidence"], errors)
    if errors or state is None or subject is None:
        raise Invalid(INVALID, errors=errors)
    now = utcnow()
    finding = Finding(
        public_id="f" + secrets.token_hex(10), state=state, subject_kind=subject.kind,
        report=subject.report, obligation=subject.obligation, incident=subject.incident,
        assessment=data["assessment"], visibility=data["visibility"],
        status=FindingStatus.DRAFT, current_version=1, revision=1,
        created_by_id=principal.authority_id, created_at=now)
    session.add(finding)
    _new_version(session, finding, 1, data, evidence, raw, principal, now)
    audit.record(session, action="finding.create", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=state.iso3, report_id=subject.report.id if subject.report else None,
                 version=1, details={"finding": finding.public_id, "subject": subject.kind,
                                     "assessment": data["assessment"],
                                     "visibility": data["visibility"]})
    revisions.touch_findings(session, [finding.id])
    return finding


def _match(expected: ExpectedVersion | None, finding: Finding) -> None:
    require_current(expected, etag_for(finding), noun="finding", action="Changes", stale=(
        f"The finding has changed (it is {finding.status}, at version "
        f"{finding.current_version}); read it again and resend."))


def _claim(session: DbSession, finding: Finding, **values: Any) -> None:
    """Move the finding's revision on by one, if nobody else did first; then set `values`."""
    claimed = session.execute(
        update(Finding)
        .where(Finding.id == finding.id, Finding.revision == finding.revision)
        .values(revision=finding.revision + 1, **values)
        .execution_options(synchronize_session=False))
    if rowcount(claimed) != 1:
        raise StaleVersion("Another change to the finding was stored first; read it again "
                           "and resend.")
    session.expire(finding)


@use_case
def amend(session: DbSession, principal: Principal, public_id: str, raw: Any,
          expected: ExpectedVersion | None, *, reply_days: int | None = None) -> Finding:
    """Use case: the finding's next version (its state and subject stay as recorded); only
    while draft or shared. Amending a shared finding restarts the State's reply window
    (`reply_due` = today + `reply_days`): the State always has the whole window to answer
    what the finding says now (the caller notifies it again)."""
    finding = get_finding(session, principal, public_id)
    _match(expected, finding)
    if finding.status not in rules.EDITABLE:
        raise Conflict(f"Finding {finding.public_id} is {finding.status}: only a draft or a "
                       "shared finding is amended.")
    data = _load(CONTENT_IN, raw, "finding")
    errors: list[dict[str, str]] = []
    evidence = _evidence(session, data["evidence"], errors)
    if errors:
        raise Invalid(INVALID, errors=errors)
    number = finding.current_version + 1
    restart: dict[str, Any] = {}
    if finding.status == FindingStatus.SHARED and reply_days is not None:
        restart["reply_due"] = utcnow().date() + dt.timedelta(days=reply_days)
    _claim(session, finding, current_version=number, assessment=data["assessment"],
           visibility=data["visibility"], **restart)
    _new_version(session, finding, number, data, evidence, raw, principal, utcnow())
    audit.record(session, action="finding.amend", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=finding.state.iso3, report_id=finding.report_id, version=number,
                 details={"finding": finding.public_id, "assessment": data["assessment"]})
    revisions.touch_findings(session, [finding.id])
    return finding


@dataclass(frozen=True)
class StatusChanged:
    finding: Finding
    outcome: rules.Outcome
    previous: str


@use_case
def change_status(session: DbSession, principal: Principal, public_id: str, raw: Any,
                  expected: ExpectedVersion | None, *, reply_days: int,
                  today: dt.date | None = None) -> StatusChanged:
    """Use case: share, publish or withdraw a finding by the rules of `app.findings`; an
    illegal transition (or an early publication without a reason) is a conflict."""
    data = _load(STATUS_IN, raw, "status change")
    finding = get_finding(session, principal, public_id)
    _match(expected, finding)
    now = utcnow()
    replied = (session.scalar(select(func.count()).select_from(FindingReply).where(
        FindingReply.finding_id == finding.id)) or 0) > 0
    try:
        outcome = rules.transition(finding.status, data["to"], today=today or now.date(),
                                   reply_due=finding.reply_due, replied=replied,
                                   reason=data["reason"], reply_days=reply_days)
    except rules.IllegalTransition as exc:
        raise Conflict(exc.message, errors=[{"pointer": exc.pointer,
                                             "detail": exc.message}]) from None
    previous = finding.status
    values: dict[str, Any] = {"status": outcome.status, "reply_due": outcome.reply_due}
    if outcome.status == FindingStatus.SHARED:
        values["shared_at"] = now
    elif outcome.status == FindingStatus.PUBLISHED:
        values["published_at"] = now
        values["early_publication_reason"] = outcome.reason if outcome.early else None
    else:
        values["withdrawn_at"] = now
        values["withdrawal_reason"] = outcome.reason
    _claim(session, finding, **values)
    audit.record(session, action=f"finding.{_verb(outcome.status)}", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=finding.state.iso3, report_id=finding.report_id,
                 version=finding.current_version,
                 details={"finding": finding.public_id, "from": previous,
                          "to": outcome.status, "early": outcome.early,
                          "reason": outcome.reason,
                          "reply_due": outcome.reply_due.isoformat()
                          if outcome.reply_due else None})
    revisions.touch_findings(session, [finding.id])
    return StatusChanged(finding, outcome, previous)


def _verb(status: str) -> str:
    return {FindingStatus.SHARED: "share", FindingStatus.PUBLISHED: "publish",
            FindingStatus.WITHDRAWN: "withdraw"}[FindingStatus(status)]


@dataclass(frozen=True)
class Replied:
    finding: Finding
    created: bool


@use_case
def reply(session: DbSession, principal: Principal, public_id: str, raw: Any) -> Replied:
    """Use case: the State's reply to a shared finding, or its next version."""
    finding = get_finding(session, principal, public_id)
    if not principal.is_reporter or principal.state_id != finding.state_id:
        raise NotFound(f"No finding {public_id!r} about this token's State.")
    if finding.status != FindingStatus.SHARED:
        raise Conflict(f"Finding {finding.public_id} is {finding.status}: a State replies "
                       "while a finding is shared with it.")
    data = _load(REPLY_IN, raw, "reply")
    now = utcnow()
    # One writer at a time: the row is locked until the commit, and the ETag moves on (a
    # status change naming the ETag before this reply fails). No If-Match is asked of the
    # State; a concurrent publication or withdrawal closes the reply.
    bumped = session.execute(
        update(Finding)
        .where(Finding.id == finding.id, Finding.status == FindingStatus.SHARED)
        .values(revision=Finding.revision + 1)
        .execution_options(synchronize_session=False))
    if rowcount(bumped) != 1:
        raise Conflict(f"Finding {finding.public_id} is no longer shared: the reply is "
                       "closed.")
    existing = session.scalar(select(FindingReply).where(
        FindingReply.finding_id == finding.id).execution_options(populate_existing=True))
    if existing is None:
        existing = FindingReply(finding_id=finding.id, current_version=1,
                                first_received_at=now)
        session.add(existing)
        number = 1
    else:
        number = existing.current_version + 1
        existing.current_version = number
    session.add(FindingReplyVersion(
        reply=existing, number=number, received_at=now, authority_id=principal.authority_id,
        token_id=principal.token_id, language=data["language"], text=data["text"]))
    session.flush()
    audit.record(session, action="finding.reply", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=principal.state_iso3, report_id=finding.report_id, version=number,
                 details={"finding": finding.public_id, "language": data["language"]})
    revisions.touch_findings(session, [finding.id])
    session.expire(finding)
    return Replied(finding, number == 1)


# --- reading -----------------------------------------------------------------------------

def _options():
    return (selectinload(Finding.state), selectinload(Finding.report),
            selectinload(Finding.obligation), selectinload(Finding.incident),
            selectinload(Finding.reply).selectinload(FindingReply.versions))


def _visible_to(principal: Principal):
    """A reporter: its own State's findings once shared, never demo ones (as with demo
    reports). Panel and admin: all."""
    if not principal.is_reporter:
        return None
    return and_(Finding.state_id == principal.state_id, Finding.shared_at.is_not(None),
                Finding.is_demo.is_(False))


def get_finding(session: DbSession, principal: Principal, public_id: str) -> Finding:
    """A finding the principal may see; any other (a draft or another State's, for a
    reporter; unknown; not an id) is the same 404."""
    found = None
    if FINDING_ID_RE.fullmatch(public_id):
        stmt = select(Finding).where(Finding.public_id == public_id)
        visible = _visible_to(principal)
        if visible is not None:
            stmt = stmt.where(visible)
        found = session.scalar(stmt.options(*_options())
                               .execution_options(populate_existing=True))
    if found is None:
        raise NotFound(f"No finding {public_id!r}.")
    return found


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    assessment: str | None = None
    status: str | None = None
    visibility: str | None = None


def list_findings(session: DbSession, principal: Principal, filters: Filters, *, page: int,
                  page_size: int) -> tuple[list[Finding], int]:
    """Findings the principal may see, newest first."""
    stmt = select(Finding)
    visible = _visible_to(principal)
    if visible is not None:
        stmt = stmt.where(visible)
    if filters.state:
        stmt = stmt.join(MemberState, MemberState.id == Finding.state_id).where(
            MemberState.iso3 == filters.state.upper())
    if filters.assessment:
        stmt = stmt.where(Finding.assessment == filters.assessment)
    if filters.status:
        stmt = stmt.where(Finding.status == filters.status)
    if filters.visibility:
        stmt = stmt.where(Finding.visibility == filters.visibility)
    rows, total = page_of(session, stmt.order_by(Finding.created_at.desc(),
                                                 Finding.id.desc()), page, page_size)
    findings = [row[0] for row in rows]
    if findings:
        session.scalars(select(Finding).where(Finding.id.in_([f.id for f in findings]))
                        .options(*_options())).all()
    return findings, total


def list_versions(session: DbSession, principal: Principal, finding: Finding
                  ) -> list[FindingVersion]:
    """Every version, oldest first. A reporter: the version shared with its State and
    those after it (the drafts before sharing are the Panel's)."""
    versions = list(session.scalars(
        select(FindingVersion).where(FindingVersion.finding_id == finding.id)
        .options(selectinload(FindingVersion.author)).order_by(FindingVersion.number)))
    if principal.is_reporter and finding.shared_at is not None:
        shared_at = finding.shared_at
        first = max((v.number for v in versions if v.received_at <= shared_at), default=1)
        versions = [v for v in versions if v.number >= first]
    return versions


def list_reply_versions(session: DbSession, finding: Finding) -> list[FindingReplyVersion]:
    return list(session.scalars(
        select(FindingReplyVersion).join(FindingReply)
        .where(FindingReply.finding_id == finding.id)
        .options(selectinload(FindingReplyVersion.authority))
        .order_by(FindingReplyVersion.number)))


def _current_versions(session: DbSession, findings: Iterable[Finding]
                      ) -> dict[int, FindingVersion]:
    ids = [f.id for f in findings]
    if not ids:
        return {}
    rows = session.scalars(
        select(FindingVersion)
        .join(Finding, and_(Finding.id == FindingVersion.finding_id,
                            Finding.current_version == FindingVersion.number))
        .where(Finding.id.in_(ids)))
    return {v.finding_id: v for v in rows}


def _claims(session: DbSession, findings: Iterable[Finding]) -> dict[int, dict[str, Any]]:
    """For entry subjects: the entry on the obligation in the report's current version."""
    wanted = [(f.id, f.report_id, f.obligation_id) for f in findings
              if f.subject_kind == SubjectKind.ENTRY]
    if not wanted:
        return {}
    rows = session.execute(
        select(ReportVersion.report_id, ReportVersion.number, Entry)
        .join(Entry, Entry.version_id == ReportVersion.id)
        .join(Report, and_(Report.id == ReportVersion.report_id,
                           Report.current_version == ReportVersion.number))
        .where(ReportVersion.report_id.in_({w[1] for w in wanted}),
               Entry.obligation_id.in_({w[2] for w in wanted}))).all()
    by_pair: dict[tuple[int | None, int | None], tuple[int, Entry]] = {
        (report_id, entry.obligation_id): (number, entry) for report_id, number, entry in rows}
    out = {}
    for finding_id, report_id, obligation_id in wanted:
        hit = by_pair.get((report_id, obligation_id))
        if hit is not None:
            number, entry = hit
            out[finding_id] = {"report_version": number, "status": entry.status,
                               "enforcement": {"inspections": entry.inspections,
                                               "seizures": entry.seizures,
                                               "designations": entry.designations,
                                               "violations_reported":
                                                   entry.violations_reported}}
    return out


def _reply_view(reply: FindingReply | None, before: dt.datetime | None = None
                ) -> dict[str, Any] | None:
    if reply is None:
        return None
    versions = [v for v in reply.versions if before is None or v.received_at < before]
    if not versions:
        return None
    latest = versions[-1]
    return {"text": latest.text, "language": latest.language, "version": latest.number,
            "received_at": latest.received_at, "first_received_at": reply.first_received_at}


def _versions_before(session: DbSession, findings: Iterable[Finding], before: dt.datetime
                     ) -> dict[int, FindingVersion]:
    """Each finding's latest version received before `before`."""
    ids = [f.id for f in findings]
    latest: dict[int, FindingVersion] = {}
    if ids:
        for version in session.scalars(select(FindingVersion).where(
                FindingVersion.finding_id.in_(ids), FindingVersion.received_at < before)
                .order_by(FindingVersion.number)):
            latest[version.finding_id] = version
    return latest


def status_at(finding: Finding, before: dt.datetime) -> FindingStatus:
    """Where the finding stood just before `before`, from the times of its transitions."""
    for status, at in ((FindingStatus.WITHDRAWN, finding.withdrawn_at),
                       (FindingStatus.PUBLISHED, finding.published_at),
                       (FindingStatus.SHARED, finding.shared_at)):
        if at is not None and at < before:
            return status
    return FindingStatus.DRAFT


def finding_views(session: DbSession, findings: list[Finding],
                  before: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The findings as clients read them (before serialization): a fixed number of queries
    whatever their number. With `before`: as they stood then (the version, the status and
    the reply received before it; the claim is the report's current one)."""
    versions = (_current_versions(session, findings) if before is None
                else _versions_before(session, findings, before))
    claims = _claims(session, findings)
    out = []
    for finding in findings:
        version = versions[finding.id]
        base = f"/api/v1/findings/{finding.public_id}"
        out.append({
            "id": finding.public_id,
            "state": finding.state.iso3,
            "subject": {
                "kind": finding.subject_kind,
                "report": finding.report.public_id if finding.report else None,
                "obligation": finding.obligation.code if finding.obligation else None,
                "incident": finding.incident.public_id if finding.incident else None,
                "claim": claims.get(finding.id),
            },
            "assessment": version.assessment,
            "text": version.text,
            "language": version.language,
            "evidence": version.evidence,
            "visibility": version.visibility,
            "status": finding.status if before is None else status_at(finding, before),
            "version": version.number,
            "created_at": finding.created_at,
            "received_at": version.received_at,
            "reply_due": finding.reply_due,
            "shared_at": finding.shared_at,
            "published_at": finding.published_at,
            "withdrawn_at": finding.withdrawn_at,
            "early_publication_reason": finding.early_publication_reason,
            "withdrawal_reason": finding.withdrawal_reason,
            "reply": _reply_view(finding.reply, before),
            "demo": finding.is_demo,
            "links": {"self": base, "versions": f"{base}/versions", "status": f"{base}/status",
                      "reply": f"{base}/reply", "reply_versions": f"{base}/reply/versions"},
        })
    return out


def _end_of(as_of: dt.date | None) -> dt.datetime:
    """The cut-off of `as_of`: the end of that day, UTC (now when None)."""
    if as_of is None:
        return utcnow() + dt.timedelta(microseconds=1)
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)


def published_findings(session: DbSession, iso3: str, *, as_of: dt.date | None = None,
                       public_only: bool = True) -> list[dict[str, Any]]:
    """A State's findings published by the end of `as_of` (UTC; now when None) and not
    withdrawn by then, oldest publication first, each as it stood then with the State's
    reply as it stood then (`reply`, None without one): what a public document shows, the
    reply beside the finding. `public_only`: public findings only."""
    before = _end_of(as_of)
    stmt = (select(Finding).join(MemberState, MemberState.id == Finding.state_id)
            .where(MemberState.iso3 == iso3.upper(), Finding.published_at < before,
                   or_(Finding.withdrawn_at.is_(None), Finding.withdrawn_at >= before))
            .options(*_options()).order_by(Finding.published_at, Finding.id))
    if public_only:
        stmt = stmt.where(Finding.visibility == Visibility.PUBLIC)
    return finding_views(session, list(session.scalars(stmt)), before=before)


def state_findings(session: DbSession, iso3: str, *, as_of: dt.date | None = None
                   ) -> list[dict[str, Any]]:
    """Every finding about a State recorded by the end of `as_of` and not withdrawn by then,
    public and restricted, drafts included, oldest first, each as it stood then (`status`:
    draft, shared or published then): what a restricted document shows (drafts marked)."""
    before = _end_of(as_of)
    stmt = (select(Finding).join(MemberState, MemberState.id == Finding.state_id)
            .where(MemberState.iso3 == iso3.upper(), Finding.created_at < before,
                   or_(Finding.withdrawn_at.is_(None), Finding.withdrawn_at >= before))
            .options(*_options()).order_by(Finding.created_at, Finding.id))
    return finding_views(session, list(session.scalars(stmt)), before=before)


def resolution_findings(session: DbSession, resolution_id: int, *,
                        as_of: dt.date | None = None, public_only: bool = True
                        ) -> list[dict[str, Any]]:
    """The findings on a resolution's obligations (an entry of a report, or a State's
    implementation of an obligation) as they stood at the end of `as_of`, not withdrawn by
    then: published and public ones for a public document; every one recorded by then,
    drafts included (`status` says which), for a restricted one. Oldest first."""
    before = _end_of(as_of)
    stmt = (select(Finding).join(Obligation, Obligation.id == Finding.obligation_id)
            .where(Obligation.resolution_id == resolution_id,
                   or_(Finding.withdrawn_at.is_(None), Finding.withdrawn_at >= before))
            .options(*_options()).order_by(Finding.created_at, Finding.id))
    if public_only:
        stmt = stmt.where(Finding.published_at < before,
                          Finding.visibility == Visibility.PUBLIC)
    else:
        stmt = stmt.where(Finding.created_at < before)
    return finding_views(session, list(session.scalars(stmt)), before=before)


def contradicted_counts(session: DbSession, report_ids: list[int], before: dt.datetime, *,
                        public_only: bool = False) -> dict[int, int]:
    """Per report (database id): its published `contradicted` findings on an entry,
    published before `before` and not withdrawn by then. One query."""
    if not report_ids:
        return {}
    stmt = _contradicted_statement(public_only)
    rows = session.execute(stmt, {"report_ids": report_ids, "cut_off": before})
    return {report_id: count for report_id, count in rows if report_id is not None}


@lru_cache(maxsize=2)
def _contradicted_statement(public_only: bool) -> Executable:
    """The statement of `contradicted_counts`, built once (the matrix asks it on every
    request): the reports bound as `report_ids`, the instant as `cut_off`."""
    before = bindparam("cut_off", type_=UTCDateTime())
    stmt = (select(Finding.report_id, func.count())
            .where(Finding.report_id.in_(bindparam("report_ids", expanding=True)),
                   Finding.assessment == Assessment.CONTRADICTED,
                   Finding.published_at < before,
                   or_(Finding.withdrawn_at.is_(None), Finding.withdrawn_at >= before))
            .group_by(Finding.report_id))
    if public_only:
        stmt = stmt.where(Finding.visibility == Visibility.PUBLIC)
    return stmt


# --- telling the State -------------------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    address: str
    authority: str
    subject: str
    body: str


def share_notices(session: DbSession, finding: Finding, base_url: str | None = None
                  ) -> list[Notice]:
    """One message per enabled reporter authority of the finding's State with an e-mail
    address. The message names the finding and the reply deadline, never its text (which
    may be restricted): the authority reads it through the API."""
    authorities = session.scalars(
        select(Authority).where(Authority.role == Role.REPORTER,
                                Authority.state_id == finding.state_id,
                                Authority.disabled_at.is_(None),
                                Authority.email.is_not(None))
        .order_by(Authority.name)).all()
    root = base_url or ""
    due = finding.reply_due.isoformat() if finding.reply_due else "(not set)"
    # Who assesses, in the words of the obligation's regime (its experts, from the data);
    # a finding on an incident alone names no regime.
    regime = finding.obligation.resolution.regime if finding.obligation is not None else None
    experts = (f"The {regime.experts} of the {regime.short_name}"
               if regime is not None and regime.experts else "The experts")
    notices = []
    for authority in authorities:
        assert authority.email is not None
        body = (
            f"{experts} shared a finding about {finding.state.name} "
            f"({finding.state.iso3}) with you: {finding.public_id}.\n\n"
            f"You may reply until {due} (UTC); the reply is published beside the finding.\n\n"
            f"Read it (with your token): {root}/api/v1/findings/{finding.public_id}\n"
            f"Reply: PUT {root}/api/v1/findings/{finding.public_id}/reply "
            '{"text": ..., "language": ...}\n\n'
            f"This address is the contact of {authority.name} in the compliance reporting "
            "service.\n")
        notices.append(Notice(authority.email, authority.name,
                              f"Finding shared with {finding.state.name}: reply by "
                              f"{due}", body))
    return notices


def send_share_notices(session: DbSession, finding: Finding, config: Any) -> None:
    """After the commit of a share (or of an amendment of a shared finding): e-mail the
    State's reporter authorities that have an address. Not configured (no `SMTP_URL`):
    nothing is sent. A failure is logged; the finding stays shared. The API and the web
    pages both call this."""
    if not config.get("SMTP_URL"):
        return
    try:
        server = parse_smtp_url(config["SMTP_URL"])
        sender = sender_address(config["MAIL_FROM"])
    except ValueError as exc:
        log.warning("finding %s shared, no notice sent: %s", finding.public_id, exc)
        return
    notices = share_notices(session, finding, config.get("PUBLIC_BASE_URL"))
    if not notices:
        return
    with Mailer(server) as mailer:
        for notice in notices:
            try:
                mailer.send(plain_message(sender=sender, to=notice.address,
                                          subject=notice.subject, body=notice.body))
            except MailError as exc:
                log.warning("finding %s shared, notice to %s not sent: %s",
                            finding.public_id, notice.authority, exc)
