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

from schemas.reports import MAX_ENTRIES, ReportInSchema

from .. import flags as flag_rules
from .. import requirements as rules
from ..auth import Principal
from ..domain import Figure, RequirementKind, Role
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
from ..requirements import Period
from ..scoring import EntryData, ScoreResult, is_placeholder, score_report
from . import audit, page_of, requirements, revisions, transaction, use_case
from .catalogue import find_resolution
from .requirements import Answered
from .session import DbSession, rowcount

ENFORCEMENT_FIGURES = tuple(Figure)
#: The figures incidents on record can contradict (`app.domain.FIGURE_OF_KIND`).
COUNTED_FIGURES = (Figure.SEIZURES, Figure.INSPECTIONS)


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
    answered: Answered
    period: Period | None = None

    @property
    def nil(self) -> bool:
        return bool(self.data.get("nil"))

    @property
    def event_on(self) -> dt.date | None:
        return self.data.get("event_on")

    @property
    def occasion(self) -> str:
        """The period or the event the report is about; empty for the other kinds."""
        if self.period is not None:
            return self.period.key
        return self.event_on.isoformat() if self.event_on is not None else ""


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


Resolutions = dict[int, Resolution | None]


def check_document(
    session: DbSession, principal: Principal, raw: Any, *, resolutions: Resolutions | None = None
) -> tuple[CheckedDocument | None, list[dict[str, str]]]:
    """Validate a report body completely; return it resolved, or every error found.
    `resolutions` keeps the resolutions read from the catalogue for the next documents of a
    batch (one transaction, in which the catalogue does not change)."""
    data, errors = _schema_errors(raw)
    if data is None:
        return None, errors
    return _check_meaning(session, principal, raw, data, resolutions)


def _check_meaning(
    session: DbSession, principal: Principal, raw: Any, data: dict[str, Any],
    resolutions: Resolutions | None = None,
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
    if resolutions is None:
        resolution = find_resolution(session, data["resolution"])
    elif data["resolution"] in resolutions:
        resolution = resolutions[data["resolution"]]
    else:
        resolution = resolutions[data["resolution"]] = find_resolution(session,
                                                                       data["resolution"])
    obligations: dict[str, Obligation] = {}
    answered: Answered | None = None
    period: Period | None = None
    if resolution is None:
        errors.append({
            "pointer": "/resolution",
            "detail": f"No resolution {data['resolution']} in the catalogue.",
        })
    else:
        answered, period, found = _check_answered(session, resolution, data)
        errors += found
        covered = ({o.code: o for o in answered.requirement.obligations}
                   if answered is not None else {})
        obligations = {o.code: o for o in resolution.obligations}
        seen: dict[str, int] = {}
        for index, entry in enumerate(data["entries"]):
            code = entry["obligation"]
            if code not in obligations:
                errors.append({
                    "pointer": f"/entries/{index}/obligation",
                    "detail": f"{code!r} is not an obligation of resolution {resolution.number}.",
                })
            elif answered is not None and code not in covered:
                errors.append({
                    "pointer": f"/entries/{index}/obligation",
                    "detail": f"{code} is not among the obligations {answered.code} is about "
                    f"({', '.join(covered)}).",
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
    if errors or state is None or resolution is None or answered is None:
        return None, errors
    return CheckedDocument(raw, data, state, resolution, obligations, answered, period), []


def _check_answered(
    session: DbSession, resolution: Resolution, data: dict[str, Any]
) -> tuple[Answered | None, Period | None, list[dict[str, str]]]:
    """What the report answers (`requirement`), its period or event, and whether it may be a
    nil report; every error found."""
    errors: list[dict[str, str]] = []
    code = data.get("requirement")
    if code is None:
        answered = requirements.default_answered(resolution)
        if answered is None:
            asked = [a.code for a in requirements.everything_answerable(resolution)]
            detail = (f"Resolution {resolution.number} asks for no general report; name the "
                      f"requirement answered ({', '.join(asked)})." if asked else
                      f"Resolution {resolution.number} requests no national report: there is "
                      "no requirement to answer.")
            errors.append({"pointer": "/requirement", "detail": detail})
    else:
        answered = requirements.find_answered(resolution, code)
        if answered is None:
            staged = requirements.staged_named(resolution, code)
            if staged is not None:
                detail = (f"{code} is asked in stages; name the stage answered "
                          f"({requirements.stage_codes(staged)}).")
            else:
                asked = [a.code for a in requirements.everything_answerable(resolution)]
                detail = (f"{code!r} is not a reporting requirement of resolution "
                          f"{resolution.number}" + (f" ({', '.join(asked)})." if asked else
                                                    "; it requests no national report."))
            errors.append({"pointer": "/requirement", "detail": detail})
    if answered is None:
        return None, None, errors

    kind = answered.kind
    nil = bool(data.get("nil"))
    period: Period | None = None
    if kind == RequirementKind.PERIODIC:
        given = data.get("period")
        if given is None and not nil:
            errors.append({"pointer": "/period", "detail": f"{answered.code} is periodic "
                           f"(every {answered.requirement.period_days} days): name the period "
                           "notified."})
        elif given is not None:
            period = requirements.period_of(answered.requirement, given["start"], given["end"])
            if period is None:
                anchor = requirements.period_anchor(answered.requirement)
                assert answered.requirement.period_days is not None
                near = rules.period_containing(anchor, answered.requirement.period_days,
                                               given["start"])
                hint = (f"; the period containing {given['start'].isoformat()} runs from "
                        f"{near.start.isoformat()} to {near.end.isoformat()}" if near else
                        f"; the first period starts on {anchor.isoformat()}")
                errors.append({"pointer": "/period", "detail": f"Not a period of "
                               f"{answered.code}: its periods are "
                               f"{answered.requirement.period_days} days long from "
                               f"{anchor.isoformat()}{hint}."})
    elif data.get("period") is not None:
        errors.append({"pointer": "/period",
                       "detail": f"{answered.code} is not periodic ({kind}): no period."})
    if kind == RequirementKind.ON_EVENT:
        event_on = data.get("event_on")
        if event_on is None and not nil:
            errors.append({"pointer": "/event_on", "detail": f"{answered.code} is reported "
                           f"{answered.requirement.trigger}: give the day of the event."})
        elif event_on is not None and event_on < resolution.adopted_on:
            errors.append({"pointer": "/event_on", "detail": "The event cannot be before "
                           f"the resolution's adoption ({resolution.adopted_on.isoformat()})."})
    elif data.get("event_on") is not None:
        errors.append({"pointer": "/event_on",
                       "detail": f"{answered.code} is not reported on an event ({kind})."})
    if nil:
        if not answered.conditional:
            errors.append({"pointer": "/nil", "detail": f"{answered.code} applies to all "
                           "States: a nil report is not an answer to it."})
        if is_placeholder(data.get("justification")):
            errors.append({"pointer": "/justification", "detail": "A nil report needs a "
                           "justification: why the requirement does not apply "
                           f"({answered.requirement.applies_to})."})
        if data["entries"]:
            errors.append({"pointer": "/entries", "detail": "A nil report has no entries."})
    else:
        if not data["entries"]:
            errors.append({"pointer": "/entries", "detail": "A report addresses at least one "
                           f"obligation and at most {MAX_ENTRIES}."})
        if data.get("justification") is not None:
            errors.append({"pointer": "/justification", "detail": "Only a nil report has a "
                           "justification of its own; justify entries in the entries."})
    return answered, period, errors


def declared_figures(entries: list[dict[str, Any]]) -> list[list[Any]]:
    """What `ReportVersion.figures` holds: each seizures and inspections figure declared,
    as `[obligation, figure, value]`."""
    return [[entry["obligation"], figure, (entry.get("enforcement") or {}).get(figure)]
            for entry in entries for figure in COUNTED_FIGURES
            if (entry.get("enforcement") or {}).get(figure) is not None]


def _entry_data(entry: dict[str, Any]) -> EntryData:
    return EntryData.from_mapping(entry)


def received_at_of(data: dict[str, Any]) -> dt.datetime:
    return (data.get("received_at") or utcnow()).astimezone(dt.UTC)


def score_document(doc: CheckedDocument, received_at: dt.datetime) -> ScoreResult:
    """The completeness of `doc` over the obligations its requirement covers and in force
    on the day it is received."""
    specs, aside = requirements.specs_in_force(requirements.covered(doc.answered),
                                               received_at.date())
    return score_report(specs, [_entry_data(e) for e in doc.data["entries"]], aside)


def _new_version(
    session: DbSession,
    report: Report,
    number: int,
    doc: CheckedDocument,
    principal: Principal,
    received_at: dt.datetime,
) -> ReportVersion:
    entries = [_entry_data(e) for e in doc.data["entries"]]
    score = score_document(doc, received_at)
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
        nil=doc.nil,
        completeness=None if doc.nil else score.completeness,
        rating=None if doc.nil else score.rating,
        score_method=score.method,
        score=score.as_dict() | ({"completeness": None, "rating": None} if doc.nil else {}),
        # A nil report claims nothing: none of the content flags applies.
        content_flags=[] if doc.nil else flag_rules.content_flags(score.completeness, entries),
        figures=declared_figures(doc.data["entries"]),
    )
    session.add(version)
    revisions.touch(session, revisions.state_scope(doc.state.iso3),
                    revisions.resolution_scope(doc.resolution.number))
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
    existing = _existing(session, doc, demo=demo)
    if existing is not None:
        raise DuplicateReport(existing.public_id)
    received_at = received_at_of(doc.data)
    report = Report(
        public_id="r" + secrets.token_hex(10),
        state=doc.state,
        resolution=doc.resolution,
        requirement=doc.answered.requirement,
        stage=doc.answered.stage,
        answers=doc.answered.code,
        occasion=doc.occasion,
        period_from=doc.period.start if doc.period else None,
        period_to=doc.period.end if doc.period else None,
        event_on=doc.event_on,
        current_version=1,
        first_received_at=received_at,
        is_demo=demo,
    )
    try:
        with session.begin_nested():
            session.add(report)
            version = _new_version(session, report, 1, doc, principal, received_at)
    except IntegrityError:
        # Another request stored a report for this state and requirement in the meantime:
        # only the savepoint is undone.
        existing = _existing(session, doc, demo=demo)
        if existing is not None:
            raise DuplicateReport(existing.public_id) from None
        raise
    if demo:
        return version  # demo data is not anybody's submission: `demo load` audits once
    audit.record(
        session, action="report.create", actor=principal.name,
        authority_id=principal.authority_id, token_id=principal.token_id,
        state_iso3=doc.state.iso3, report_id=report.id, version=1,
        details={"resolution": doc.resolution.number, "answers": doc.answered.code,
                 "occasion": doc.occasion, "nil": doc.nil,
                 "backfill": "received_at" in doc.data},
    )
    return version


def _existing(session: DbSession, doc: CheckedDocument, *, demo: bool = False) -> Report | None:
    """The state's report answering what `doc` answers (the same requirement or stage, and
    period or event), in the real namespace or in the demo one."""
    return session.scalar(
        select(Report).where(Report.state_id == doc.state.id,
                             Report.answers == doc.answered.code,
                             Report.occasion == doc.occasion,
                             Report.is_demo.is_(demo))
    )


def require_current(expected: ExpectedVersion | None, current: str, *, noun: str,
                    stale: str, action: str = "Amendments") -> None:
    """A write that replaces a version must name the current one (`current`, a strong entity
    tag) in If-Match: missing or `*`, 428; another, 412 with `stale` as the detail."""
    if expected is None:
        raise PreconditionMissing(
            f"{action} need an If-Match header with the {noun}'s current ETag.",
            errors=[{"pointer": "If-Match", "detail": "Missing."}],
        )
    if expected.any:
        # `*` matches any version, so it would not stop a lost update: amendments must name
        # the version they replace.
        raise PreconditionMissing(
            f"If-Match must name the {noun}'s current ETag; `*` names no version.",
            errors=[{"pointer": "If-Match", "detail": "`*` is not a version."}],
        )
    if current not in expected.tags:  # weak tags never match for a write
        raise StaleVersion(stale, current=current)


def _match(expected: ExpectedVersion | None, report: Report) -> None:
    """The amendment must name the report's current version (a strong entity tag)."""
    require_current(expected, etag_for(report), noun="report", stale=(
        f"The report has changed (it is at version {report.current_version}); "
        "read it again and resend your amendment."))


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
    elif doc.answered.code != report.answers:
        errors.append({"pointer": "/requirement", "detail": "A report answers one "
                       f"requirement ({report.answers}); it cannot change."})
    elif doc.occasion != report.occasion:
        pointer = "/event_on" if report.event_on is not None else "/period"
        errors.append({"pointer": pointer, "detail": "A report's period or event cannot "
                       f"change (it is {report.occasion or 'none'})."})
    received_at = received_at_of(doc.data)
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
    resolutions: Resolutions = {}  # each read once for the batch
    with transaction(session):
        for index, raw in enumerate(records):
            label = labels[index] if labels else f"record {index + 1}"
            doc, errors = check_document(session, principal, raw, resolutions=resolutions)
            if doc is None:
                raise BackfillError(index, label, errors)
            try:
                existing = _existing(session, doc, demo=demo)
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
    requirement: str | None = None,
) -> tuple[list[tuple[Report, ReportVersion]], int]:
    stmt = (
        select(Report, ReportVersion)
        .join(ReportVersion, (ReportVersion.report_id == Report.id)
              & (ReportVersion.number == Report.current_version))
        .join(MemberState, MemberState.id == Report.state_id)
        .join(Resolution, Resolution.id == Report.resolution_id)
        .options(selectinload(Report.state), selectinload(Report.resolution))
        .order_by(Resolution.number, MemberState.iso3, Report.answers, Report.occasion)
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
    if requirement:
        stmt = stmt.where(Report.answers == requirement)
    rows, total = page_of(session, stmt, page, page_size)
    return [(r.Report, r.ReportVersion) for r in rows], total


def report_timeliness(report: Report) -> flag_rules.Timeliness:
    """On time or late against what the report answers: the requirement's or the stage's
    due date, or the period's; no due date for an event (see
    `requirements.days_from_event`)."""
    return flag_rules.timeliness_against(requirements.due_of_report(report),
                                         report.first_received_at)


def due_of_document(doc: CheckedDocument) -> dt.date | None:
    """When the report `doc` would answer is due (see `requirements.due_of_report`)."""
    if doc.period is not None:
        return doc.period.due
    if doc.answered.kind in (RequirementKind.ONCE, RequirementKind.STAGED):
        return doc.answered.due
    return None


# --- idempotency -------------------------------------------------------------------------

def fingerprint(method: str, path: str, raw: Any) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()
