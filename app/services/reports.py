"""Submitting, amending and reading reports. Each write is one transaction.

The request body is checked in two steps: its shape (`schemas.reports.ReportInSchema`), then
its meaning against the catalogue and the caller (`check_document`). Both steps give errors as
`{pointer, detail}` items, all at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from schemas.reports import ReportInSchema

from .. import flags as flag_rules
from ..auth import Principal
from ..domain import Figure, Role
from ..errors import (
    Conflict,
    DomainError,
    DuplicateReport,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionMissing,
    StaleVersion,
    flatten_messages,
    json_pointer,
)
from ..models import Entry, MemberState, Obligation, Report, ReportVersion, Resolution
from ..models.types import utcnow
from ..scoring import EntryData, ObligationSpec, ScoreResult, score_report
from . import audit, page_of, transaction, use_case
from .catalogue import find_resolution
from .session import DbSession, rowcount

ENFORCEMENT_FIGURES = tuple(Figure)


@dataclass(frozen=True)
class ExpectedVersion:
    """The version an amendment means to replace, as the client named it: the strong entity
    tags it gave, or `any` for `*` (which names no version)."""

    tags: frozenset[str]
    any: bool = False


@dataclass
class CheckedDocument:
    """A request body that passed both checks, with what it refers to."""

    raw: dict[str, Any]
    data: dict[str, Any]
    state: MemberState
    resolution: Resolution
    obligations: dict[str, Obligation]


def etag_for(report: Report) -> str:
    return f"{report.public_id}.v{report.current_version}"


REPORT_IN = ReportInSchema()  # schemas hold no per-request state; built once


def _schema_errors(raw: Any) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    try:
        return REPORT_IN.load(raw), []
    except ValidationError as exc:
        return None, [
            {"pointer": json_pointer(path), "detail": message}
            for path, message in flatten_messages(exc.messages)
        ]


def check_document(
    session: DbSession, principal: Principal, raw: Any
) -> tuple[CheckedDocument | None, list[dict[str, str]]]:
    """Validate a report body completely; return it resolved, or every error found."""
    data, errors = _schema_errors(raw)
    if data is None:
        return None, errors
    return _check_meaning(session, principal, raw, data)


def _check_meaning(
    session: DbSession, principal: Principal, raw: Any, data: dict[str, Any]
) -> tuple[CheckedDocument | None, list[dict[str, str]]]:
    """What the schema cannot know: the catalogue, and what the caller may do."""
    errors: list[dict[str, str]] = []
    state = session.scalar(select(MemberState).where(MemberState.iso3 == data["state"]))
    if state is None:
        errors.append({"pointer": "/state", "detail": f"No Member State {data['state']!r}."})
    elif principal.is_reporter and state.id != principal.state_id:
        errors.append({
            "pointer": "/state",
            "detail": f"This token reports for {principal.state_iso3}, not {data['state']}.",
        })
    if "received_at" in data and principal.role != Role.ADMIN:
        errors.append({
            "pointer": "/received_at",
            "detail": "Only an admin may set received_at (historical backfill); "
            "the server records the time of receipt.",
        })
    resolution = find_resolution(session, data["resolution"])
    obligations: dict[str, Obligation] = {}
    if resolution is None:
        errors.append({
            "pointer": "/resolution",
            "detail": f"No resolution {data['resolution']} in the catalogue.",
        })
    else:
        obligations = {o.code: o for o in resolution.obligations}
        seen: dict[str, int] = {}
        for index, entry in enumerate(data["entries"]):
            code = entry["obligation"]
            if code not in obligations:
                errors.append({
                    "pointer": f"/entries/{index}/obligation",
                    "detail": f"{code!r} is not an obligation of resolution {resolution.number}.",
                })
            elif code in seen:
                errors.append({
                    "pointer": f"/entries/{index}/obligation",
                    "detail": f"{code} is addressed twice (also entry {seen[code]}).",
                })
            else:
                seen[code] = index
    if state is not None and resolution is not None and (
        resolution.regime.target_state == state.iso3
    ):
        errors.append({
            "pointer": "/state",
            "detail": f"{state.name} is the target of the {resolution.regime.code} regime; "
            "it is not among the States asked to report on its resolutions.",
        })
    if errors or state is None or resolution is None:
        return None, errors
    return CheckedDocument(raw, data, state, resolution, obligations), []


def _entry_data(entry: dict[str, Any]) -> EntryData:
    return EntryData.from_mapping(entry)


def _specs(resolution: Resolution) -> list[ObligationSpec]:
    return [ObligationSpec(o.code, o.weight, tuple(o.expects)) for o in resolution.obligations]


def score_document(resolution: Resolution, entries: Sequence[dict[str, Any]]) -> ScoreResult:
    return score_report(_specs(resolution), [_entry_data(e) for e in entries])


def _new_version(
    session: DbSession,
    report: Report,
    number: int,
    doc: CheckedDocument,
    principal: Principal,
    received_at: dt.datetime,
) -> ReportVersion:
    entries = [_entry_data(e) for e in doc.data["entries"]]
    score = score_report(_specs(doc.resolution), entries)
    version = ReportVersion(
        report=report,
        number=number,
        received_at=received_at,
        submitted_by_id=principal.authority_id,
        token_id=principal.token_id,
        dated=doc.data.get("dated"),
        language=doc.data["language"],
        reference=doc.data.get("reference"),
        document=doc.raw,
        completeness=score.completeness,
        rating=score.rating,
        score_method=score.method,
        score=score.as_dict(),
        content_flags=flag_rules.content_flags(score.completeness, entries),
    )
    session.add(version)
    session.flush()  # the report's and the version's ids, for the entries
    rows: list[dict[str, Any]] = []
    shown: list[Entry] = []
    for position, entry in enumerate(doc.data["entries"], start=1):
        figures = entry.get("enforcement") or {}
        obligation = doc.obligations[entry["obligation"]]
        values: dict[str, Any] = {
            "position": position,
            "status": entry["status"],
            "legal_basis": entry.get("legal_basis"),
            "competent_authority": entry.get("competent_authority"),
            "measures": entry.get("measures"),
            "evidence": entry.get("evidence") or [],
            "justification": entry.get("justification"),
            "notes": entry.get("notes"),
            **{name: figures.get(name) for name in ENFORCEMENT_FIGURES},
        }
        rows.append({"version_id": version.id, "obligation_id": obligation.id, **values})
        shown.append(Entry(obligation=obligation, **values))
    if rows:
        # One statement for all entries, where the ORM would insert them one by one.
        session.execute(insert(Entry), rows)
    # The version's entries as the response shows them, without reading them back.
    set_committed_value(version, "entries", shown)
    return version


def _require_checked(session: DbSession, principal: Principal, raw: Any) -> CheckedDocument:
    """The checked document, or 403 (another state's report) or 422 (every error found)."""
    data, errors = _schema_errors(raw)
    if (
        data is not None
        and principal.is_reporter
        and data["state"] != principal.state_iso3
        and session.scalar(select(MemberState.id).where(MemberState.iso3 == data["state"]))
    ):
        raise Forbidden(
            f"This token reports for {principal.state_iso3}; it may not submit for "
            f"{data['state']}.",
            errors=[{"pointer": "/state", "detail": "Not the token's state."}],
        )
    doc = None
    if data is not None:
        doc, errors = _check_meaning(session, principal, raw, data)
    if doc is None:
        raise Invalid(
            "The report is well formed but some values are invalid; see errors.", errors=errors
        )
    return doc


@use_case
def submit(session: DbSession, principal: Principal, raw: Any) -> ReportVersion:
    """Use case: store a new report as version 1, scored; return that version (its `report`
    is the new report)."""
    return _create(session, principal, _require_checked(session, principal, raw))


def _create(
    session: DbSession, principal: Principal, doc: CheckedDocument, *, demo: bool = False
) -> ReportVersion:
    existing = _existing(session, doc.state.id, doc.resolution.id, demo=demo)
    if existing is not None:
        raise DuplicateReport(existing.public_id)
    received_at = (doc.data.get("received_at") or utcnow()).astimezone(dt.UTC)
    report = Report(
        public_id="r" + secrets.token_hex(10),
        state=doc.state,
        resolution=doc.resolution,
        current_version=1,
        first_received_at=received_at,
        is_demo=demo,
    )
    try:
        with session.begin_nested():
            session.add(report)
            version = _new_version(session, report, 1, doc, principal, received_at)
    except IntegrityError:
        # Another request stored a report for this state and resolution in the meantime:
        # only the savepoint is undone.
        existing = _existing(session, doc.state.id, doc.resolution.id, demo=demo)
        if existing is not None:
            raise DuplicateReport(existing.public_id) from None
        raise
    if demo:
        return version  # demo data is not anybody's submission: `demo load` audits once
    audit.record(
        session, action="report.create", actor=principal.name,
        authority_id=principal.authority_id, token_id=principal.token_id,
        state_iso3=doc.state.iso3, report_id=report.id, version=1,
        details={"resolution": doc.resolution.number, "backfill": "received_at" in doc.data},
    )
    return version


def _existing(
    session: DbSession, state_id: int, resolution_id: int, *, demo: bool = False
) -> Report | None:
    """The report of a state on a resolution in the real namespace, or in the demo one."""
    return session.scalar(
        select(Report).where(Report.state_id == state_id, Report.resolution_id == resolution_id,
                             Report.is_demo.is_(demo))
    )


def _match(expected: ExpectedVersion | None, report: Report) -> None:
    """The amendment must name the report's current version (a strong entity tag)."""
    if expected is None:
        raise PreconditionMissing(
            "Amendments need an If-Match header with the report's current ETag.",
            errors=[{"pointer": "If-Match", "detail": "Missing."}],
        )
    if expected.any:
        # `*` matches any version, so it would not stop a lost update: amendments must name
        # the version they replace.
        raise PreconditionMissing(
            "If-Match must name the report's current ETag; `*` names no version.",
            errors=[{"pointer": "If-Match", "detail": "`*` is not a version."}],
        )
    current = etag_for(report)
    if current not in expected.tags:  # weak tags never match for a write
        raise StaleVersion(
            f"The report has changed (it is at version {report.current_version}); "
            "read it again and resend your amendment.",
            current=current,
        )


@use_case
def amend(
    session: DbSession, principal: Principal, public_id: str, raw: Any,
    expected: ExpectedVersion | None,
) -> ReportVersion:
    """Use case: store a full replacement as the next version and return it."""
    report = get_report(session, principal, public_id)
    if principal.role == Role.PANEL:
        raise Forbidden("The panel role reads reports; it may not amend them.")
    if report.is_demo:
        raise Conflict(
            f"Report {report.public_id} is synthetic demo data: it is never amended. Submit "
            "a real report with POST instead; it replaces the demo one in every output."
        )
    _match(expected, report)
    return _append(session, principal, report, _require_checked(session, principal, raw))


def _append(
    session: DbSession, principal: Principal, report: Report, doc: CheckedDocument
) -> ReportVersion:
    """Store `doc` as the report's next version, unless another write got there first."""
    errors = []
    if doc.state.id != report.state_id:
        errors.append({"pointer": "/state", "detail": "A report's state cannot change."})
    if doc.resolution.id != report.resolution_id:
        errors.append(
            {"pointer": "/resolution", "detail": "A report's resolution cannot change."}
        )
    received_at = (doc.data.get("received_at") or utcnow()).astimezone(dt.UTC)
    previous = session.scalar(
        select(func.max(ReportVersion.received_at)).where(ReportVersion.report_id == report.id)
    )
    if previous is not None and received_at < previous:
        errors.append({
            "pointer": "/received_at",
            "detail": f"An amendment cannot be received before the version it replaces "
            f"({previous.isoformat()}).",
        })
    if errors:
        raise Invalid("The amendment does not fit this report; see errors.", errors=errors)
    number = report.current_version + 1
    claimed = session.execute(
        update(Report)
        .where(Report.id == report.id, Report.current_version == report.current_version)
        .values(current_version=number)
        .execution_options(synchronize_session=False)
    )
    if rowcount(claimed) != 1:
        raise StaleVersion("Another amendment was stored first; read the report again and "
                           "resend.")
    session.expire(report, ["current_version"])
    try:
        with session.begin_nested():
            version = _new_version(session, report, number, doc, principal, received_at)
    except IntegrityError:
        raise StaleVersion("Another amendment was stored first; read the report again and "
                           "resend.") from None
    if report.is_demo:
        return version
    audit.record(
        session, action="report.amend", actor=principal.name,
        authority_id=principal.authority_id, token_id=principal.token_id,
        state_iso3=doc.state.iso3, report_id=report.id, version=number,
        details={"resolution": doc.resolution.number, "backfill": "received_at" in doc.data},
    )
    return version


# --- historical backfill -----------------------------------------------------------------

class BackfillError(Exception):
    """A record of a backfill could not be stored; nothing of the batch was."""

    def __init__(self, index: int, label: str, errors: list[dict[str, str]]) -> None:
        self.index = index
        self.label = label
        self.errors = errors
        reasons = "; ".join(f"{e['pointer'] or '/'}: {e['detail']}" for e in errors)
        super().__init__(f"{label}: {reasons}")


@dataclass(frozen=True)
class BackfillSummary:
    versions: int
    created: int


def backfill(
    session: DbSession,
    principal: Principal,
    records: Sequence[Any],
    labels: Sequence[str] | None = None,
    *,
    demo: bool = False,
) -> BackfillSummary:
    """Use case: store historical versions in order, all or nothing.

    A record for a state and resolution that already has a report (in the database or
    earlier in the batch) becomes that report's next version.
    """
    versions = created = 0
    with transaction(session):
        for index, raw in enumerate(records):
            label = labels[index] if labels else f"record {index + 1}"
            doc, errors = check_document(session, principal, raw)
            if doc is None:
                raise BackfillError(index, label, errors)
            try:
                existing = _existing(session, doc.state.id, doc.resolution.id, demo=demo)
                if existing is None:
                    _create(session, principal, doc, demo=demo)
                    created += 1
                else:
                    _append(session, principal, existing, doc)
                versions += 1
            except DomainError as exc:
                raise BackfillError(
                    index, label, exc.errors or [{"pointer": "", "detail": exc.detail}]
                ) from exc
    return BackfillSummary(versions=versions, created=created)


# --- reads -------------------------------------------------------------------------------

def entry_view(entry: Entry) -> dict[str, Any]:
    """An entry as clients and documents show it: enforcement figures together, or null."""
    figures = {name: getattr(entry, name) for name in ENFORCEMENT_FIGURES}
    return {
        "obligation": entry.obligation.code,
        "status": entry.status,
        "legal_basis": entry.legal_basis,
        "competent_authority": entry.competent_authority,
        "measures": entry.measures,
        "enforcement": figures if any(v is not None for v in figures.values()) else None,
        "evidence": entry.evidence or [],
        "justification": entry.justification,
        "notes": entry.notes,
    }


def _report_query():
    return select(Report).options(
        selectinload(Report.state),
        selectinload(Report.resolution).selectinload(Resolution.obligations),
    )


REPORT_ID_RE = re.compile(r"r[0-9a-f]{20}")


def get_report(session: DbSession, principal: Principal, public_id: str) -> Report:
    """A report the principal may see. Another state's report (and, for a reporter, demo
    data), an unknown id and a string that is not an id at all get the same 404."""
    report = None
    if REPORT_ID_RE.fullmatch(public_id):
        report = session.scalar(_report_query().where(Report.public_id == public_id))
    if report is None or (principal.is_reporter and (
        report.state_id != principal.state_id or report.is_demo
    )):
        raise NotFound(f"No report {public_id!r}.")
    return report


def latest_version(session: DbSession, report: Report) -> ReportVersion:
    return session.execute(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id,
               ReportVersion.number == report.current_version)
        .options(selectinload(ReportVersion.entries).selectinload(Entry.obligation))
    ).scalar_one()


def get_version(session: DbSession, report: Report, number: int) -> ReportVersion:
    version = session.scalar(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id, ReportVersion.number == number)
        .options(selectinload(ReportVersion.submitted_by))
    )
    if version is None:
        raise NotFound(f"Report {report.public_id} has no version {number}.")
    return version


def list_versions(session: DbSession, report: Report) -> list[ReportVersion]:
    return list(session.scalars(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id)
        .options(selectinload(ReportVersion.submitted_by))
        .order_by(ReportVersion.number)
    ))


def list_reports(
    session: DbSession,
    principal: Principal,
    *,
    state: str | None,
    resolution: int | None,
    rating: str | None,
    page: int,
    page_size: int,
) -> tuple[list[tuple[Report, ReportVersion]], int]:
    stmt = (
        select(Report, ReportVersion)
        .join(ReportVersion, (ReportVersion.report_id == Report.id)
              & (ReportVersion.number == Report.current_version))
        .join(MemberState, MemberState.id == Report.state_id)
        .join(Resolution, Resolution.id == Report.resolution_id)
        .options(selectinload(Report.state), selectinload(Report.resolution))
        .order_by(Resolution.number, MemberState.iso3)
    )
    if principal.is_reporter:
        if state and state.upper() != principal.state_iso3:
            # Another state's reports do not exist for a reporter: 404, as for one report.
            raise NotFound(
                f"No reports of {state.upper()!r} for this token; a reporter reads its own "
                f"state's ({principal.state_iso3}) only.",
                errors=[{"pointer": "state", "detail": "Not the token's state."}],
            )
        # A reporter sees its own state's real reports; demo data is not its business.
        stmt = stmt.where(Report.state_id == principal.state_id, Report.is_demo.is_(False))
    if state:
        stmt = stmt.where(MemberState.iso3 == state.upper())
    if resolution:
        stmt = stmt.where(Resolution.number == resolution)
    if rating:
        stmt = stmt.where(ReportVersion.rating == rating)
    rows, total = page_of(session, stmt, page, page_size)
    return [(r.Report, r.ReportVersion) for r in rows], total


def report_timeliness(report: Report) -> flag_rules.Timeliness:
    return flag_rules.timeliness(
        report.resolution.adopted_on,
        report.resolution.reporting_deadline_days,
        report.first_received_at,
    )


# --- idempotency -------------------------------------------------------------------------

def fingerprint(method: str, path: str, raw: Any) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()
