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
from typing import Any, cast

from marshmallow import ValidationError
from sqlalchemy import (
    JSON,
    Table,
    bindparam,
    column,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
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
from ..models import Entry, MemberState, Report, ReportVersion, Resolution
from ..models.types import utcnow
from ..requirements import Period
from ..scoring import EntryData, ScoreResult, is_placeholder, score_report
from . import audit, catalogue_snapshot, page_of, requirements, revisions, transaction, use_case
from .catalogue import check_regime
from .catalogue_snapshot import ObligationView, ResolutionView, Snapshot, StateView
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
    state: StateView
    resolution: ResolutionView
    obligations: dict[str, ObligationView]
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


@dataclass
class StoredReport:
    """A report as a write has just stored it, in the shape the views read a `Report` in:
    built from what the write sent, not read back."""

    id: int
    public_id: str
    state: StateView
    resolution: ResolutionView
    requirement: Any  # a `RequirementView`
    stage: Any  # a `StageView` or None
    requirement_id: int | None
    answers: str
    occasion: str
    period_from: dt.date | None
    period_to: dt.date | None
    event_on: dt.date | None
    current_version: int
    first_received_at: dt.datetime
    is_demo: bool


@dataclass
class StoredEntry:
    """An entry as a write has just stored it (the attributes of an `Entry`)."""

    obligation: ObligationView
    position: int
    status: str
    legal_basis: str | None
    competent_authority: str | None
    measures: str | None
    evidence: list[dict[str, Any]]
    justification: str | None
    notes: str | None
    inspections: int | None
    seizures: int | None
    designations: int | None
    violations_reported: int | None


@dataclass
class StoredVersion:
    """A version as a write has just stored it (the attributes of a `ReportVersion` the
    views read), with its report: a `Report` for an amendment, a `StoredReport` for a new
    one."""

    id: int
    report: Report | StoredReport
    number: int
    received_at: dt.datetime
    dated: dt.date | None
    language: str
    reference: str | None
    document: dict[str, Any]
    nil: bool
    completeness: float | None
    rating: str | None
    score: dict[str, Any]
    content_flags: list[str]
    entries: list[StoredEntry]


def etag_for(report: Report | StoredReport) -> str:
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
    return _check_meaning(session, principal, raw, data, catalogue_snapshot.current(session))


def _check_meaning(
    session: DbSession, principal: Principal, raw: Any, data: dict[str, Any],
    snapshot: Snapshot,
) -> tuple[CheckedDocument | None, list[dict[str, str]]]:
    """What the schema cannot know: the catalogue (as of `snapshot`), and what the caller
    may do."""
    errors: list[dict[str, str]] = []
    state = snapshot.states.get(data["state"])
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
    resolution = catalogue_snapshot.resolution(session, snapshot, data["resolution"])
    obligations: dict[str, Any] = {}
    answered: Answered | None = None
    period: Period | None = None
    if resolution is None:
        errors.append({
            "pointer": "/resolution",
            "detail": f"No resolution {data['resolution']} in the catalogue.",
        })
    else:
        answered, period, found = _check_answered(resolution, data)
        errors += found
        covered = ({o.code: o for o in answered.requirement.obligations}
                   if answered is not None else {})
        # A requirement may be about obligations of an earlier resolution of the regime
        # (a later resolution renewing the call for reports): entries address those.
        obligations = {o.code: o for o in resolution.obligations} | covered
        seen: dict[str, int] = {}
        for index, entry in enumerate(data["entries"]):
            code = entry["obligation"]
            if code not in obligations:
                errors.append({
                    "pointer": f"/entries/{index}/obligation",
                    "detail": f"{code!r} is not an obligation of resolution "
                    f"{resolution.number}" + (
                        f" nor one {answered.code} is about ({', '.join(covered)})."
                        if answered is not None
                        and len(obligations) > len(resolution.obligations) else "."),
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
    if resolution is not None and "received_at" in data and (
        data["received_at"].date() < resolution.adopted_on
    ):
        errors.append({
            "pointer": "/received_at",
            "detail": f"Resolution {resolution.number} was adopted on "
            f"{resolution.adopted_on.isoformat()}: no report on it was received earlier.",
        })
    if resolution is not None and data.get("dated") is not None and (
        data["dated"] < resolution.adopted_on
    ):
        errors.append({
            "pointer": "/dated",
            "detail": f"Resolution {resolution.number} was adopted on "
            f"{resolution.adopted_on.isoformat()}: no report on it is dated earlier.",
        })
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
    resolution: ResolutionView, data: dict[str, Any]
) -> tuple[Answered | None, Period | None, list[dict[str, str]]]:
    """What the report answers (`requirement`), its period or event, and whether it may be a
    nil report; every error found."""
    errors: list[dict[str, str]] = []
    code = data.get("requirement")
    if code is None:
        answered = requirements.default_answered(resolution)
        if answered is None:
            asked = [a.code for a in
                     requirements.everything_answerable(resolution, of_states=True)]
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
                asked = [a.code for a in
                         requirements.everything_answerable(resolution, of_states=True)]
                detail = (f"{code!r} is not a reporting requirement of resolution "
                          f"{resolution.number}" + (f" ({', '.join(asked)})." if asked else
                                                    "; it requests no national report."))
            errors.append({"pointer": "/requirement", "detail": detail})
        elif not answered.of_states:
            asked = [a.code for a in
                     requirements.everything_answerable(resolution, of_states=True)]
            committee = resolution.regime.short_name or resolution.regime.committee
            errors.append({"pointer": "/requirement", "detail": (
                f"{code} is the {committee}'s own report to the Security Council, not a "
                "report of a Member State"
                + (f"; States answer {', '.join(asked)}." if asked else "."))})
            answered = None
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


VERSIONS = cast(Table, ReportVersion.__table__)
ENTRIES = cast(Table, Entry.__table__)
REPORTS = cast(Table, Report.__table__)
#: What makes a report the same one: another request storing it first wins.
REPORT_KEY = ("state_id", "answers", "occasion", "is_demo")


def _version_rows(
    report: Report | StoredReport,
    number: int,
    doc: CheckedDocument,
    principal: Principal,
    received_at: dt.datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[StoredEntry]]:
    """What version `number` of `report` stores: its row, its entries' rows (without the
    version's id) and the entries as the response shows them."""
    entries = [_entry_data(e) for e in doc.data["entries"]]
    score = score_document(doc, received_at)
    values: dict[str, Any] = {
        "report_id": report.id,
        "number": number,
        "received_at": received_at,
        "submitted_by_id": principal.authority_id,
        "token_id": principal.token_id,
        "dated": doc.data.get("dated"),
        "language": doc.data["language"],
        "reference": doc.data.get("reference"),
        "document": doc.raw,
        "nil": doc.nil,
        "completeness": None if doc.nil else score.completeness,
        "rating": None if doc.nil else score.rating,
        "score_method": score.method,
        "score": score.as_dict() | ({"completeness": None, "rating": None} if doc.nil else {}),
        # A nil report claims nothing: none of the content flags applies.
        "content_flags": [] if doc.nil else flag_rules.content_flags(score.completeness,
                                                                      entries),
        "figures": declared_figures(doc.data["entries"]),
    }
    rows: list[dict[str, Any]] = []
    shown: list[StoredEntry] = []
    for position, entry in enumerate(doc.data["entries"], start=1):
        figures = entry.get("enforcement") or {}
        obligation = doc.obligations[entry["obligation"]]
        fields: dict[str, Any] = {
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
        rows.append({"obligation_id": obligation.id, **fields})
        shown.append(StoredEntry(obligation=obligation, **fields))
    return values, rows, shown


def _stored_version(version_id: int, report: Report | StoredReport, values: dict[str, Any],
                    shown: list[StoredEntry]) -> StoredVersion:
    return StoredVersion(
        id=version_id, report=report, entries=shown,
        **{name: values[name] for name in (
            "number", "received_at", "dated", "language", "reference", "document", "nil",
            "completeness", "rating", "score", "content_flags")},
    )


def _touch(session: DbSession, doc: CheckedDocument) -> None:
    """A new version changes what the documents of its State and its resolution show."""
    revisions.touch(session, revisions.state_scope(doc.state.iso3),
                    revisions.resolution_scope(doc.resolution.number))


def _new_version(
    session: DbSession,
    report: Report | StoredReport,
    number: int,
    doc: CheckedDocument,
    principal: Principal,
    received_at: dt.datetime,
) -> StoredVersion:
    """Insert version `number` of `report` and its entries (one statement each, Core: the
    ORM's unit of work would cost more than the statements), and return it as stored."""
    _touch(session, doc)
    values, rows, shown = _version_rows(report, number, doc, principal, received_at)
    connection = session.connection()
    version_id = connection.execute(
        insert(VERSIONS).returning(VERSIONS.c.id), values).scalar_one()
    if rows:
        # One statement for all entries.
        connection.execute(insert(ENTRIES), [{"version_id": version_id, **row}
                                             for row in rows])
    return _stored_version(version_id, report, values, shown)


def _require_checked(session: DbSession, principal: Principal, raw: Any) -> CheckedDocument:
    """The checked document, or 403 (another state's report) or 422 (every error found)."""
    data, errors = _schema_errors(raw)
    doc = None
    if data is not None:
        snapshot = catalogue_snapshot.current(session)
        if (principal.is_reporter and data["state"] != principal.state_iso3
                and data["state"] in snapshot.states):
            raise Forbidden(
                f"This token reports for {principal.state_iso3}; it may not submit for "
                f"{data['state']}.",
                errors=[{"pointer": "/state", "detail": "Not the token's state."}],
            )
        doc, errors = _check_meaning(session, principal, raw, data, snapshot)
    if doc is None:
        raise Invalid(
            "The report is well formed but some values are invalid; see errors.", errors=errors
        )
    return doc


@use_case
def submit(session: DbSession, principal: Principal, raw: Any) -> StoredVersion:
    """Use case: store a new report as version 1, scored; return that version (its `report`
    is the new report)."""
    return _create(session, principal, _require_checked(session, principal, raw))


def _insert_report(session: DbSession, values: dict[str, Any]) -> int | None:
    """Insert a new report; its id, or None where the state's report answering the same
    thing exists (stored first by another request, perhaps a moment ago): one statement,
    no savepoint."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(REPORTS).on_conflict_do_nothing(index_elements=REPORT_KEY)
    elif dialect == "sqlite":
        stmt = sqlite.insert(REPORTS).on_conflict_do_nothing(index_elements=REPORT_KEY)
    else:  # pragma: no cover - the two supported databases are above
        try:
            with session.begin_nested():
                return session.execute(
                    insert(REPORTS).returning(REPORTS.c.id), values).scalar_one()
        except IntegrityError:
            return None
    return session.connection().execute(stmt.returning(REPORTS.c.id), values).scalar()


def _insert_at_once(session: DbSession, report: dict[str, Any], version: dict[str, Any],
                    entries: list[dict[str, Any]], event: dict[str, Any] | None
                    ) -> tuple[int, int] | None:
    """PostgreSQL: the report, its first version, the entries and the audit event in one
    statement (data-modifying CTEs, each feeding the next its id): one round trip where
    there would be four. The report's and version's ids, or None where the state's report
    answering the same thing exists (then nothing is written)."""
    new_report = (postgresql.insert(REPORTS).values(**report)
                  .on_conflict_do_nothing(index_elements=REPORT_KEY)
                  .returning(REPORTS.c.id).cte("new_report"))
    names = [name for name in version if name != "report_id"]
    new_version = insert(VERSIONS).from_select(
        ["report_id", *names],
        select(new_report.c.id, *[literal(version[n], VERSIONS.c[n].type) for n in names]),
    ).returning(VERSIONS.c.id, VERSIONS.c.report_id).cte("new_version")
    stmt = select(new_version.c.report_id, new_version.c.id)
    if entries:
        # The entries as one JSON parameter, read back as rows of the entry's columns: the
        # statement's text is the same for any number of entries (compiled once, cached).
        columns = list(entries[0])
        given = func.json_to_recordset(bindparam("entries", entries, type_=JSON)).table_valued(
            *[column(n, ENTRIES.c[n].type) for n in columns]).render_derived(
            name="given", with_types=True)
        stmt = stmt.add_cte(insert(ENTRIES).from_select(
            ["version_id", *columns],
            select(new_version.c.id, *[given.c[n] for n in columns])
            .select_from(new_version).join(given, true()),
        ).cte("new_entries"))
    if event is not None:
        fields = [name for name in event if name != "report_id"]
        stmt = stmt.add_cte(insert(audit.AUDIT_EVENTS).from_select(
            ["report_id", *fields],
            select(new_report.c.id, *[literal(event[n], audit.AUDIT_EVENTS.c[n].type)
                                      for n in fields]),
        ).cte("new_event"))
    row = session.connection().execute(stmt).first()
    return (row[0], row[1]) if row is not None else None


def _create(
    session: DbSession, principal: Principal, doc: CheckedDocument, *, demo: bool = False
) -> StoredVersion:
    received_at = received_at_of(doc.data)
    _touch(session, doc)
    report = StoredReport(
        id=0,
        public_id="r" + secrets.token_hex(10),
        state=doc.state,
        resolution=doc.resolution,
        requirement=doc.answered.requirement,
        stage=doc.answered.stage,
        requirement_id=doc.answered.requirement.id,
        answers=doc.answered.code,
        occasion=doc.occasion,
        period_from=doc.period.start if doc.period else None,
        period_to=doc.period.end if doc.period else None,
        event_on=doc.event_on,
        current_version=1,
        first_received_at=received_at,
        is_demo=demo,
    )
    row = {
        "public_id": report.public_id, "state_id": doc.state.id,
        "resolution_id": doc.resolution.id, "requirement_id": report.requirement_id,
        "stage_id": report.stage.id if report.stage is not None else None,
        "answers": report.answers, "occasion": report.occasion,
        "period_from": report.period_from, "period_to": report.period_to,
        "event_on": report.event_on, "current_version": 1,
        "first_received_at": received_at, "is_demo": demo, "created_at": utcnow(),
    }
    # Demo data is not anybody's submission: `demo load` audits once.
    event = None if demo else audit.event_values(
        action="report.create", actor=principal.name,
        authority_id=principal.authority_id, token_id=principal.token_id,
        state_iso3=doc.state.iso3, report_id=None, version=1,
        details={"resolution": doc.resolution.number, "answers": doc.answered.code,
                 "occasion": doc.occasion, "nil": doc.nil,
                 "backfill": "received_at" in doc.data},
    )
    if session.get_bind().dialect.name == "postgresql":
        values_, rows, shown = _version_rows(report, 1, doc, principal, received_at)
        ids = _insert_at_once(session, row, values_, rows, event)
        if ids is not None:
            report.id, version_id = ids
            return _stored_version(version_id, report, values_, shown)
        report_id = None
    else:
        report_id = _insert_report(session, row)
    if report_id is None:
        existing = _existing(session, doc, demo=demo)
        assert existing is not None  # the conflict was on this very key
        raise DuplicateReport(existing.public_id)
    report.id = report_id
    version = _new_version(session, report, 1, doc, principal, received_at)
    if event is not None:
        audit.insert(session, {**event, "report_id": report.id})
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
) -> StoredVersion:
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
) -> StoredVersion:
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
    set_committed_value(report, "current_version", number)
    try:
        with session.begin_nested():
            version = _new_version(session, report, number, doc, principal, received_at)
    except IntegrityError:
        raise StaleVersion("Another amendment was stored first; read the report again and "
                           "resend.") from None
    if report.is_demo:
        return version
    audit.insert(session, audit.event_values(
        action="report.amend", actor=principal.name,
        authority_id=principal.authority_id, token_id=principal.token_id,
        state_iso3=doc.state.iso3, report_id=report.id, version=number,
        details={"resolution": doc.resolution.number, "backfill": "received_at" in doc.data},
    ))
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

def entry_view(entry: Entry | StoredEntry) -> dict[str, Any]:
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
    regime: str | None = None,
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
    if regime is not None:
        found = check_regime(session, regime)
        assert found is not None
        stmt = stmt.where(Resolution.regime_id == found.id)
    rows, total = page_of(session, stmt, page, page_size)
    return [(r.Report, r.ReportVersion) for r in rows], total


def report_timeliness(report: Report | StoredReport) -> flag_rules.Timeliness:
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
