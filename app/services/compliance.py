"""The compliance matrix: every Member State against a resolution, as of a date.

A fixed number of queries whatever the size of the history: the Member States, the
resolution, and one query for the latest version of each report received by the cut-off
(scores are stored per version, so nothing is recomputed), then the record's counts and the
findings' counts. The rows are read as plain rows (no ORM objects), each row is made once
(`MatrixRow`), and the statements are built once per process and bound at run time:
docs/benchmarks.md has the profile behind each of these.

Every row says where a state stands (`status`):
- `reported`: a report was received by the cut-off;
- `not_reported`: a report is requested of the state and none was received;
- `no_report_requested`: the resolution requests no national report, or the requirement
  is the committee's own report to the Council (`addressed_to: committee`);
- `not_expected`: the state is the target of the regime (its `target_state` in the
  catalogue data), which is not among the States asked to report.
Only `reported` and `not_reported` rows carry lax-enforcement flags.

A matrix is about one thing asked: a reporting requirement, or one stage of a staged one
(`?requirement=`); `?resolution=N` means the resolution's `once` requirement. How a row is
measured follows the requirement's kind:
- `once` and each stage: against its due date, as above;
- `periodic`: a state that has filed a notification is `reported`, and the row counts the
  periods ended by the cut-off that were filed and missed (flag `missed_periods`); a state
  that never filed is `not_reported` without flags, since nobody knows whether it supplies;
- `on_event`: the reports filed and the days from each event; no due date, no flag for a
  state without one (nobody knows whether an event happened).
A nil report ("the condition does not apply to us") is `reported` with `nil` true and no
completeness.

Demo reports live beside real ones: a real report hides the demo report of the same state
and requirement (and period or event) in every output; rows built from demo data say so
(`demo`).

The enforcement record adds facts to every row of a State asked to report (rules in
`app.incidents`, docs/incidents.md): `incidents` (on record by the cut-off, the State a
party, engaging an obligation of the resolution), `unreported_incidents` (those it neither
filed nor acknowledged by then; flag `unreported_involvement`) and `inconsistencies` (the
row's report declares a seizures or inspections figure below the record; flag
`inconsistent_with_record`). Each incident counts at its latest version received by the
cut-off. A public output (`public_only`) counts public incidents only.

Published Panel findings add `contradicted` to every row with a report: the findings
published by the cut-off (and not withdrawn by then) that assess an entry of the row's
report as `contradicted`; the flag `contradicted` where there is at least one. A public
output counts public findings only.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Executable,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased, selectinload

from .. import flags as flag_rules
from .. import incidents as record_rules
from .. import requirements as rules
from ..domain import (
    FIGURE_OF_KIND,
    Flag,
    PartyRole,
    Rating,
    RequirementKind,
    RowStatus,
    Visibility,
)
from ..errors import Invalid, NotFound
from ..models import (
    Entry,
    Incident,
    IncidentAcknowledgement,
    IncidentEnforcement,
    IncidentInvolvement,
    IncidentObligation,
    IncidentParty,
    IncidentVersion,
    MemberState,
    Obligation,
    Regime,
    Report,
    ReportingRequirement,
    ReportVersion,
    Resolution,
)
from ..models.types import UTCDateTime, utcnow
from ..scoring import round_half_up
from . import findings, requirements
from . import incidents as incident_service
from .catalogue import check_regime, find_resolution, get_resolution, get_state
from .requirements import Answered
from .session import DbSession


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """Where one Member State stands on one resolution, as of a date. The JSON and CSV of
    the matrix (`schemas.compliance.ComplianceRowSchema`) and the summaries show it."""

    state: str
    name: str
    un_group: str
    resolution: int
    status: RowStatus
    deadline: dt.date | None
    deadline_verified: bool | None
    reported: bool
    report_id: str | None
    version: int | None
    received_at: dt.datetime | None
    first_received_at: dt.datetime | None
    on_time: bool | None
    days_late: int | None
    completeness: float | None
    rating: str | None
    flags: tuple[str, ...]
    demo: bool | None
    #: What the row is about: the requirement or stage code; None where the resolution
    #: requests no report.
    requirement: str | None = None
    nil: bool | None = None
    #: A periodic requirement, for a state that filed: periods ended by the cut-off, filed
    #: among them, and missed (each `{from, to, due}`).
    periods_ended: int | None = None
    periods_filed: int | None = None
    missed_periods: tuple[dict[str, Any], ...] | None = None
    #: An on-event requirement: the reports filed, and days from the event to the latest.
    events: int | None = None
    days_from_event: int | None = None
    #: The enforcement record (None on rows of the regime's target State).
    incidents: int | None = None
    unreported_incidents: int | None = None
    demo_incidents: int | None = None
    #: Figures of the row's report below the record: `{obligation, figure, declared,
    #: on_record}` each.
    inconsistencies: tuple[dict[str, Any], ...] = ()
    #: Published Panel findings assessing an entry of the row's report as `contradicted`
    #: (flag `contradicted`); None on rows without a report.
    contradicted: int | None = None
    #: The stored version the row shows (not part of the matrix's JSON or CSV).
    version_id: int | None = None

    @property
    def periods_missed(self) -> int | None:
        return None if self.missed_periods is None else len(self.missed_periods)


@dataclass(frozen=True, slots=True)
class Headline:
    """Counts over rows of the matrix: `expected` are the states asked to report."""

    states: int
    expected: int
    reported: int
    on_time: int
    late: int
    not_reported: int
    no_report_requested: int
    not_expected: int
    real: int
    demo: int
    median_completeness: float | None
    nil: int = 0


@lru_cache(maxsize=4096)
def name_key(name: str) -> tuple[str, str]:
    """Sort key for state names as an English reader expects them: letters without their
    accents, case ignored ("Côte d'Ivoire" with the Cs, "Bahamas" before "Bulgaria")."""
    decomposed = unicodedata.normalize("NFKD", name)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.casefold(), name


@dataclass(frozen=True)
class Cutoff:
    """`as_of` is a date: what was known at the end of that day, UTC."""

    as_of: dt.date
    before: dt.datetime  # versions received strictly before this instant count
    #: Now (no `as_of` asked): what is on record, which derived tables hold ready.
    live: bool = False

    @classmethod
    def for_date(cls, as_of: dt.date | None) -> Cutoff:
        if as_of is None:
            now = utcnow()
            return cls(now.date(), now + dt.timedelta(microseconds=1), live=True)
        start_of_next = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
        return cls(as_of, start_of_next)


def check_as_of(resolution: Resolution, as_of: dt.date | None) -> None:
    """A matrix or summary of a resolution exists from its adoption on."""
    if as_of is not None and as_of < resolution.adopted_on:
        detail = (f"Resolution {resolution.number} was adopted on "
                  f"{resolution.adopted_on.isoformat()}; as_of cannot be earlier.")
        raise Invalid(detail, errors=[{"pointer": "as_of", "detail": detail}])


def latest_version_number(cutoff: Cutoff):
    """A scalar subquery, correlated to `Report`: the number of its highest version received
    before the cut-off."""
    inner = aliased(ReportVersion)
    return (
        select(func.max(inner.number))
        .where(inner.report_id == Report.id, inner.received_at < cutoff.before)
        .correlate(Report)
        .scalar_subquery()
    )


class FiledReport(NamedTuple):
    """What the matrix reads of a report (the columns of `Report` it needs, by the same
    names), read as plain rows rather than ORM objects (a tuple: made 193 times a
    request, at a fraction of a frozen dataclass's cost)."""

    id: int
    public_id: str
    state_id: int
    answers: str
    period_from: dt.date | None
    period_to: dt.date | None
    event_on: dt.date | None
    first_received_at: dt.datetime
    is_demo: bool


class FiledVersion(NamedTuple):
    """What the matrix reads of a report's version (the columns of `ReportVersion` it needs,
    by the same names): its scores and flags, computed when it was stored."""

    id: int
    number: int
    received_at: dt.datetime
    completeness: float | None
    rating: str | None
    content_flags: tuple[str, ...]
    nil: bool
    dated: dt.date | None
    #: `ReportVersion.figures` as stored (JSON text), decoded only for the versions whose
    #: figures the record is compared with (`_declared_of`).
    figures_json: str | None


_REPORT_COLUMNS = (Report.id, Report.public_id, Report.state_id, Report.answers,
                   Report.period_from, Report.period_to, Report.event_on,
                   Report.first_received_at, Report.is_demo)
# The JSON columns are read as text: the flags take a handful of values, decoded once each
# (`_flags_of`); the figures are decoded only where needed.
_VERSION_COLUMNS = (ReportVersion.id, ReportVersion.number, ReportVersion.received_at,
                    ReportVersion.completeness, ReportVersion.rating,
                    cast(ReportVersion.content_flags, Text), ReportVersion.nil,
                    ReportVersion.dated, cast(ReportVersion.figures, Text))
_SPLIT = len(_REPORT_COLUMNS)


@lru_cache(maxsize=512)
def _flags_of(stored: str | None) -> tuple[str, ...]:
    """A version's content flags from their stored JSON text."""
    return tuple(json.loads(stored)) if stored else ()


def _version_of(row: Any) -> FiledVersion:
    id_, number, received_at, completeness, rating, flags, nil, dated, figures = row
    return FiledVersion(id_, number, received_at, completeness, rating, _flags_of(flags), nil,
                        dated, figures)


def latest_versions(session: DbSession, cutoff: Cutoff, *, resolution_id: int | None = None,
                    state_id: int | None = None, answers: str | None = None
                    ) -> list[tuple[FiledReport, FiledVersion]]:
    """(report, version) for each report whose first version was received by the cut-off,
    with the highest-numbered version received by then. A demo report is left out where a
    real report of the same state, requirement and period or event exists.

    The latest version is found per report by a correlated subquery that walks the unique
    (report_id, number) index backwards, so the cost follows the number of reports shown, not
    the length of their histories. One query, read as plain rows (the columns the matrix
    shows, no ORM objects).
    """
    given = {"answers": answers, "resolution_id": resolution_id, "state_id": state_id}
    by = tuple(name for name, value in given.items() if value is not None)
    stmt = _latest_statement(by)
    rows: list[Any] = list(session.connection().execute(
        stmt, {"cutoff_before": cutoff.before, **{f"by_{name}": given[name] for name in by}}
    ).all())
    return [(FiledReport(*row[:_SPLIT]), _version_of(row[_SPLIT:])) for row in rows]


@lru_cache(maxsize=16)
def _latest_statement(by: tuple[str, ...]) -> Executable:
    """The statement of `latest_versions`, filtered on the `Report` columns named in `by`
    (bound as `by_<name>`), the cut-off bound as `cutoff_before`. Built once: building it
    costs as much as running it."""
    before = bindparam("cutoff_before", type_=UTCDateTime())
    real, inner = aliased(Report), aliased(ReportVersion)
    latest_number = (select(func.max(inner.number))
                     .where(inner.report_id == Report.id, inner.received_at < before)
                     .correlate(Report).scalar_subquery())
    has_real = exists().where(and_(real.state_id == Report.state_id,
                                   real.answers == Report.answers,
                                   real.occasion == Report.occasion,
                                   real.is_demo.is_(False)))
    stmt = (
        select(*_REPORT_COLUMNS, *_VERSION_COLUMNS)
        .select_from(Report)
        .join(ReportVersion, (ReportVersion.report_id == Report.id)
              & (ReportVersion.number == latest_number))
        .where(Report.first_received_at < before)
        .where(or_(Report.is_demo.is_(False), ~has_real))
    )
    for name in by:
        stmt = stmt.where(getattr(Report, name) == bindparam(f"by_{name}"))
    return stmt


Key = tuple[str, int]  # (ISO3 of a State, number of a resolution)
#: By report version: (obligation code, figure name, declared value) of its entries.
Figures = dict[int, list[tuple[str, str, int | None]]]


@dataclass
class Record:
    """What the enforcement record says as of a cut-off, as the signals read it: per State
    and resolution, its incidents (how many, how many unreported, how many demo), and per
    State the seizures and inspections it made as inspecting State (for its reports'
    figures)."""

    involvement: dict[Key, tuple[int, int, int]]
    made: dict[str, list[record_rules.OnRecord]]
    #: The figures of the rows' reports that may be inconsistent, when already found (the
    #: live record compares the stored figures with its totals); None: read them for every
    #: row (`_declared_of`).
    figures: Figures | None = None

    def counts(self, key: Key) -> tuple[int, int, int]:
        return self.involvement.get(key, (0, 0, 0))


def _on_record(before: Any, public_only: bool, *, by_resolution: bool):
    """The incidents recorded before `before` (a bound parameter; engaging an obligation of
    the resolution, or naming the State as a party: `scope_id`), each at its latest version
    received by then; public ones only for a public output. A materialized CTE: it is
    computed once, then joined."""
    latest = incident_service.latest_number_before(before)
    columns = (IncidentVersion.id.label("version_id"), Incident.id.label("incident_id"),
               Incident.filed_by_state_id.label("filer"), Incident.is_demo.label("demo"),
               IncidentVersion.kind.label("kind"),
               IncidentVersion.occurred_on.label("occurred_on"))
    # Driven from what the rows are about (the resolution's obligations, or the State's
    # parts), so the cost follows the incidents concerned, not the size of the record.
    if by_resolution:
        stmt = (select(*columns).distinct().select_from(Obligation)
                .join(IncidentObligation, IncidentObligation.obligation_id == Obligation.id)
                .join(IncidentVersion, IncidentVersion.id == IncidentObligation.version_id)
                .where(Obligation.resolution_id == bindparam("scope_id")))
    else:
        stmt = (select(*columns).distinct().select_from(IncidentParty)
                .join(IncidentVersion, IncidentVersion.id == IncidentParty.version_id)
                .where(IncidentParty.state_id == bindparam("scope_id")))
    stmt = (stmt.join(Incident, Incident.id == IncidentVersion.incident_id)
            .where(IncidentVersion.number == latest,
                   Incident.first_recorded_at < before))
    if public_only:
        stmt = stmt.where(IncidentVersion.visibility == Visibility.PUBLIC)
    return stmt.cte("on_record").prefix_with("MATERIALIZED")


def incident_record(session: DbSession, cutoff: Cutoff, iso3_of: dict[int, str],
                    number_of: dict[int, int], *, resolution_id: int | None = None,
                    state_id: int | None = None, public_only: bool = False,
                    shown: Shown | None = None) -> Record:
    """The record's facts for the rows of one resolution (`resolution_id`) or of one State
    (`state_id`): two aggregate queries whatever the number of incidents.

    An incident counts for a State and a resolution when the State is among its parties and
    it engages an obligation of the resolution; the State has reported it when it filed it
    or acknowledged it before the cut-off (`app.incidents.reporting_of`)."""
    if cutoff.live:
        return _live_record(session, iso3_of, number_of, shown or {},
                            resolution_id=resolution_id, state_id=state_id,
                            public_only=public_only)
    counts, made = _record_statements(resolution_id is not None, public_only)
    scope = resolution_id if resolution_id is not None else state_id
    return _record_of(session, counts, made, iso3_of, number_of,
                      {"cutoff_before": cutoff.before, "scope_id": scope})


@lru_cache(maxsize=8)
def _record_statements(by_resolution: bool, public_only: bool) -> tuple[Any, Any]:
    """The two statements of `incident_record` as of a cut-off, for the rows of one
    resolution (`by_resolution`) or of one State, the cut-off bound as `cutoff_before` and
    the resolution's or State's id as `scope_id`. Built once: building them costs more than
    running them on a small record."""
    before = bindparam("cutoff_before", type_=UTCDateTime())
    scope = bindparam("scope_id", type_=Integer())
    cur = _on_record(before, public_only, by_resolution=by_resolution)
    reported = or_(
        # Never NULL (a panel-recorded incident has no filer): `NOT reported` must be true.
        and_(cur.c.filer.is_not(None), cur.c.filer == IncidentParty.state_id),
        exists().where(IncidentAcknowledgement.incident_id == cur.c.incident_id,
                       IncidentAcknowledgement.state_id == IncidentParty.state_id,
                       IncidentAcknowledgement.acknowledged_at < before))
    tallies = (func.count(distinct(cur.c.incident_id)),
               func.count(distinct(case((~reported, cur.c.incident_id)))),
               func.count(distinct(case((cur.c.demo.is_(True), cur.c.incident_id)))))
    parties = (select(cur).join(IncidentParty, IncidentParty.version_id == cur.c.version_id)
               .with_only_columns(IncidentParty.state_id))
    if by_resolution:
        counts = (parties.add_columns(scope, *tallies)
                  .group_by(IncidentParty.state_id))
    else:
        counts = (parties.add_columns(Obligation.resolution_id, *tallies)
                  .join(IncidentObligation, IncidentObligation.version_id == cur.c.version_id)
                  .join(Obligation, Obligation.id == IncidentObligation.obligation_id)
                  .where(IncidentParty.state_id == scope)
                  .group_by(IncidentParty.state_id, Obligation.resolution_id))
    made = (
        select(IncidentParty.state_id, cur.c.incident_id, cur.c.kind, cur.c.occurred_on,
               Obligation.code)
        .select_from(cur)
        .join(IncidentParty, IncidentParty.version_id == cur.c.version_id)
        .join(IncidentObligation, IncidentObligation.version_id == cur.c.version_id)
        .join(Obligation, Obligation.id == IncidentObligation.obligation_id)
        .where(IncidentParty.role == PartyRole.INSPECTING_STATE,
               cur.c.kind.in_(tuple(FIGURE_OF_KIND)))
    )
    if by_resolution:
        made = made.where(Obligation.resolution_id == scope)
    else:
        made = made.where(IncidentParty.state_id == scope)
    return counts, made


def _record_of(session: DbSession, counts: Any, made: Any, iso3_of: dict[int, str],
               number_of: dict[int, int], params: dict[str, Any]) -> Record:
    """A `Record` from the rows of `counts` (state, resolution, incidents, unreported, demo)
    and `made` (state, incident, kind, occurred_on, obligation code), run with `params`.
    Read through the connection: plain rows, without the ORM's per-row work (8x faster on
    10,000 rows)."""
    connection = session.connection()
    involvement = {(iso3_of[s], number_of[r]): (n, unreported or 0, demo or 0)
                   for s, r, n, unreported, demo in connection.execute(counts, params)
                   if r in number_of}
    facts: dict[tuple[int, int], tuple[str, str, dt.date, set[str]]] = {}
    for made_by, incident_id, kind, occurred_on, code in connection.execute(made, params):
        facts.setdefault((made_by, incident_id),
                         (iso3_of[made_by], kind, occurred_on, set()))[3].add(code)
    by_state: dict[str, list[record_rules.OnRecord]] = defaultdict(list)
    for iso3, kind, occurred_on, codes in facts.values():
        by_state[iso3].append(record_rules.OnRecord(
            kind=kind, occurred_on=occurred_on,
            parties=((iso3, PartyRole.INSPECTING_STATE),), obligations=frozenset(codes),
            reported_on={}))
    return Record(involvement, dict(by_state))


def _live_record(session: DbSession, iso3_of: dict[int, str], number_of: dict[int, int],
                 shown: Shown, *, resolution_id: int | None, state_id: int | None,
                 public_only: bool) -> Record:
    """The same facts as `incident_record`, now, from the derived tables the writes keep
    (`services.incidents.refresh_derived`): the counts per State and resolution; the
    State's totals of seizures and inspections per obligation, against which the figures
    each shown report version declares (`ReportVersion.figures`) are compared; and, for the
    figures below a total alone (the only ones the record can contradict), the incidents,
    whose days the report's window then sorts."""
    counts, totals_of, detail = _live_statements(resolution_id is not None, public_only)
    params = {"scope_id": resolution_id if resolution_id is not None else state_id}
    connection = session.connection()
    involvement = {(iso3_of[s], number_of[r]): (n, unreported or 0, demo or 0)
                   for s, r, n, unreported, demo in connection.execute(counts, params)
                   if r in number_of}
    figures: Figures = defaultdict(list)
    by_state: dict[str, list[record_rules.OnRecord]] = defaultdict(list)
    totals = {(made_by, code, kind): n
              for made_by, code, kind, n in connection.execute(totals_of, params)}
    # Only the figures of States with seizures or inspections on record can be below it.
    makers = {made_by for made_by, _, _ in totals}
    declared = _declared_of(session, {version_id: filed for version_id, filed in shown.items()
                                      if filed[0].state_id in makers})
    wanted: set[tuple[int, str, str]] = set()
    for version_id, items in declared.items():
        made_by = shown[version_id][0].state_id
        for code, figure, value in items:
            kind = KIND_OF_FIGURE.get(figure)
            total = totals.get((made_by, code, kind)) if kind else None
            if kind and value is not None and total is not None and value < total:
                figures[version_id].append((code, figure, value))
                wanted.add((made_by, code, kind))
    if wanted:
        chosen = {**params, "makers": sorted({w[0] for w in wanted}),
                  "codes": sorted({w[1] for w in wanted})}
        for made_by, kind, occurred_on, code in connection.execute(detail, chosen):
            if (made_by, code, kind) in wanted:
                iso3 = iso3_of[made_by]
                by_state[iso3].append(record_rules.OnRecord(
                    kind=kind, occurred_on=occurred_on,
                    parties=((iso3, PartyRole.INSPECTING_STATE),),
                    obligations=frozenset((code,)), reported_on={}))
    return Record(involvement, dict(by_state), figures)


@lru_cache(maxsize=8)
def _live_statements(by_resolution: bool, public_only: bool) -> tuple[Any, Any, Any]:
    """The statements of `_live_record`, built once, for the rows of one resolution
    (`by_resolution`) or of one State, its id bound as `scope_id`: the counts per State and
    resolution; the totals per State, obligation and kind; the incidents behind the totals
    of some States (`makers`) and obligations (`codes`)."""
    involved, made = IncidentInvolvement, IncidentEnforcement
    scope_id = bindparam("scope_id", type_=Integer())
    counts = select(
        involved.state_id, involved.resolution_id, func.count(),
        func.sum(case((involved.reported.is_(False), 1), else_=0)),
        func.sum(case((involved.is_demo.is_(True), 1), else_=0)),
    ).group_by(involved.state_id, involved.resolution_id)
    if by_resolution:
        counts = counts.where(involved.resolution_id == scope_id)
        scope = [made.resolution_id == scope_id]
    else:
        counts = counts.where(involved.state_id == scope_id)
        scope = [made.state_id == scope_id]
    if public_only:
        counts = counts.where(involved.public.is_(True))
        scope.append(made.public.is_(True))
    totals = (select(made.state_id, Obligation.code, made.kind, func.count())
              .join(Obligation, Obligation.id == made.obligation_id)
              .where(*scope).group_by(made.state_id, Obligation.code, made.kind))
    detail = (select(made.state_id, made.kind, made.occurred_on, Obligation.code)
              .join(Obligation, Obligation.id == made.obligation_id)
              .where(*scope, made.state_id.in_(bindparam("makers", expanding=True)),
                     Obligation.code.in_(bindparam("codes", expanding=True))))
    return counts, totals, detail


Shown = dict[int, tuple[FiledReport, FiledVersion]]
#: The incident kind each counted figure counts (the inverse of `FIGURE_OF_KIND`).
KIND_OF_FIGURE: dict[str, str] = {str(figure): kind for kind, figure in FIGURE_OF_KIND.items()}


def _declared_of(session: DbSession, shown: Shown) -> Figures:
    """The seizures and inspections figures each shown version declares: stored with the
    version (`ReportVersion.figures`); read from its entries for a version stored without
    them. Nil reports declare nothing."""
    declared: Figures = {}
    missing = []
    for version_id, (_, version) in shown.items():
        if version.nil:
            continue
        stored = json.loads(version.figures_json) if version.figures_json else None
        if stored is None:
            missing.append(version_id)
        else:
            declared[version_id] = [(c, f, v) for c, f, v in stored]
    if missing:
        declared.update(figures_from_entries(session, missing))
    return declared


def report_window(report: FiledReport, version: FiledVersion,
                  resolution: Resolution) -> tuple[dt.date, dt.date]:
    """The days a report's enforcement figures are about: its period (periodic), its event
    (on-event), otherwise from the resolution's adoption to the day the version is dated
    (or was received, when undated)."""
    if report.period_from is not None and report.period_to is not None:
        return report.period_from, report.period_to
    if report.event_on is not None:
        return report.event_on, report.event_on
    return resolution.adopted_on, version.dated or version.received_at.date()


def figures_from_entries(session: DbSession, version_ids: list[int]) -> Figures:
    """The seizures and inspections figures each version's entries declare, by version, read
    from the entries (for a version stored without `ReportVersion.figures`)."""
    found: Figures = defaultdict(list)
    if not version_ids:
        return found
    stmt = (select(Entry.version_id, Obligation.code, Entry.seizures, Entry.inspections)
            .join(Obligation, Obligation.id == Entry.obligation_id)
            .where(Entry.version_id.in_(version_ids),
                   or_(Entry.seizures.is_not(None), Entry.inspections.is_not(None))))
    for version_id, code, seizures, inspections in session.connection().execute(stmt):
        found[version_id] += [(code, "seizures", seizures), (code, "inspections", inspections)]
    return found


def with_record(row: Fields, record: Record, figures: Figures, shown: Shown,
                resolution: Resolution, contradicted: dict[int, int]) -> MatrixRow:
    """The row, made, with the facts the enforcement record gives about its State on the
    resolution and about its report, and with its report's count of published
    `contradicted` findings (`contradicted`, by report id; `_contradicted`)."""
    status = row["status"]
    if status == RowStatus.NOT_EXPECTED:
        return MatrixRow(**row)  # no report is asked of it: no record facts, no findings
    incidents, unreported, demo = record.counts((row["state"], row["resolution"]))
    found: list[record_rules.Inconsistency] = []
    version_id = row.get("version_id")
    filed = shown.get(version_id) if version_id is not None else None
    if filed is not None and version_id in figures and not row["nil"]:
        report, version = filed
        start, end = report_window(report, version, resolution)
        found = record_rules.inconsistencies(figures[version_id],
                                             record.made.get(row["state"], []), row["state"],
                                             start, end)
    added: list[str] = []
    if status in (RowStatus.REPORTED, RowStatus.NOT_REPORTED):
        if unreported:
            added.append(Flag.UNREPORTED_INVOLVEMENT)
        if found:
            added.append(Flag.INCONSISTENT_WITH_RECORD)
    if filed is not None:
        # Published findings: counted on every row with a report, flagged on a reported one.
        row["contradicted"] = count = contradicted.get(filed[0].id, 0)
        if count and status == RowStatus.REPORTED:
            added.append(Flag.CONTRADICTED)
    row["flags"] = _in_order(row["flags"], tuple(added))
    row["inconsistencies"] = tuple({"obligation": i.obligation, "figure": i.figure,
                                    "declared": i.declared, "on_record": i.on_record}
                                   for i in found)
    return MatrixRow(**row, incidents=incidents, unreported_incidents=unreported,
                     demo_incidents=demo)


@lru_cache(maxsize=1024)
def _in_order(flags: tuple[str, ...], added: tuple[str, ...] = ()) -> tuple[str, ...]:
    """`flags` and `added` once each, in the order flags are listed (`FLAG_ORDER`)."""
    present = {*flags, *added}
    return tuple(f for f in flag_rules.FLAG_ORDER if f in present)


def _with_facts(session: DbSession, rows: list[Fields], record: Record, shown: Shown,
                resolutions: dict[int, Resolution], cutoff: Cutoff, *,
                public_only: bool) -> list[MatrixRow]:
    """Every row made, with its record facts and its findings' count (`with_record`): the
    declared figures are read (one query) only when the record holds seizures or
    inspections the rows' States made; the findings, one query."""
    figures: Figures = {}
    if record.figures is not None:
        figures = record.figures
    elif record.made:
        concerned = [r["version_id"] for r in rows
                     if r.get("version_id") is not None and r["state"] in record.made]
        figures = _declared_of(session, {v: shown[v] for v in concerned if v in shown})
    contradicted = _contradicted(session, shown, cutoff, public_only=public_only)
    return [with_record(row, record, figures, shown, resolutions[row["resolution"]],
                        contradicted)
            for row in rows]


def _contradicted(session: DbSession, shown: Shown, cutoff: Cutoff, *,
                  public_only: bool) -> dict[int, int]:
    """Per report id of the shown reports: the published findings that its entries are
    `contradicted` by the evidence (published by the cut-off, not withdrawn by then; public
    ones only for a public output). One query."""
    wanted = sorted({report.id for report, _ in shown.values()})
    return findings.contradicted_counts(session, wanted, cutoff.before,
                                        public_only=public_only)


def deadline_verified(resolution: Resolution) -> bool | None:
    """Whether the reporting deadline was confirmed against the resolution text; None where
    the resolution sets no deadline."""
    if resolution.reporting_deadline_days is None:
        return None
    return resolution.reporting_deadline_verified


Found = list[tuple[FiledReport, FiledVersion]]


#: A row's fields by name, before it becomes a `MatrixRow`: a row is built in steps (where
#: the State stands, then the record's facts and the findings) and made once, at the end.
Fields = dict[str, Any]


def _subject(resolution: Resolution, answered: Answered | None) -> Fields:
    """The fields every row on `answered` shares."""
    return {"resolution": resolution.number,
            "requirement": answered.code if answered is not None else None,
            "deadline": answered.due if answered is not None else None,
            "deadline_verified": answered.deadline_verified if answered is not None else None}


def _not_filed(place: Fields, status: RowStatus, flags: tuple[str, ...] = (),
               on_time: bool | None = None, days_late: int | None = None,
               rating: str | None = None) -> Fields:
    return {**place, "status": status, "reported": False, "report_id": None, "version": None,
            "received_at": None, "first_received_at": None, "on_time": on_time,
            "days_late": days_late, "completeness": None, "rating": rating, "flags": flags,
            "demo": None}


def _filed(place: Fields, report: FiledReport, version: FiledVersion,
           timing: flag_rules.Timeliness, flags: tuple[str, ...], **extra: Any) -> Fields:
    return {**place, "status": RowStatus.REPORTED, "reported": True,
            "report_id": report.public_id, "version": version.number,
            "received_at": version.received_at, "first_received_at": report.first_received_at,
            "on_time": timing.on_time, "days_late": timing.days_late,
            "completeness": version.completeness, "rating": version.rating, "flags": flags,
            "demo": report.is_demo, "nil": version.nil, "version_id": version.id, **extra}


@lru_cache(maxsize=256)
def _report_flags(version_flags: tuple[str, ...], on_time: bool | None) -> tuple[str, ...]:
    """`flags.report_flags`, once per distinct set of a version's flags and timeliness (a
    matrix asks it 193 times with a handful of different arguments)."""
    return tuple(flag_rules.report_flags(version_flags, on_time))


@lru_cache(maxsize=256)
def _unreported_flags(deadline: dt.date | None, as_of: dt.date) -> tuple[str, ...]:
    return tuple(flag_rules.unreported_flags(deadline, as_of))


def _row(state: MemberState | Member, resolution: Resolution, answered: Answered | None,
         cutoff: Cutoff, found: Found, subject: Fields | None = None) -> Fields:
    """Where `state` stands on what `answered` asks (the resolution's general report by
    default), from its reports on it received by the cut-off (`found`); `subject` is
    `_subject(resolution, answered)`, when the caller has it."""
    place = {"state": state.iso3, "name": state.name, "un_group": state.un_group,
             **(subject if subject is not None else _subject(resolution, answered))}
    if answered is not None and not answered.requirement.of_states:
        # The committee's own report to the Council: no State is asked for it, nor has a
        # deadline for it.
        return _not_filed({**place, "deadline": None, "deadline_verified": None},
                          RowStatus.NO_REPORT_REQUESTED)
    if resolution.regime.target_state == state.iso3:
        return _not_filed(place, RowStatus.NOT_EXPECTED)
    if answered is None:
        if found:  # a report stored before requirements existed, on a resolution asking none
            report, version = found[0]
            return _filed(place, report, version, flag_rules.Timeliness(None, None, None), ())
        return _not_filed(place, RowStatus.NO_REPORT_REQUESTED)
    if answered.kind == RequirementKind.PERIODIC:
        return _periodic_row(place, answered, cutoff, found)
    if answered.kind == RequirementKind.ON_EVENT:
        return _event_row(place, found)
    deadline = answered.due
    if not found:
        overdue = deadline is not None and cutoff.as_of > deadline
        return _not_filed(
            place, RowStatus.NOT_REPORTED,
            flags=_unreported_flags(deadline, cutoff.as_of),
            on_time=False if overdue else None,
            days_late=(cutoff.as_of - deadline).days if overdue and deadline else None,
            rating=Rating.NOT_REPORTED,
        )
    report, version = found[0]
    timing = flag_rules.timeliness_against(deadline, report.first_received_at)
    return _filed(place, report, version, timing,
                  _report_flags(tuple(version.content_flags), timing.on_time))


def _periodic_row(place: Fields, answered: Answered, cutoff: Cutoff, found: Found) -> Fields:
    requirement = answered.requirement
    assert requirement.period_days is not None
    notifications = [(r, v) for r, v in found if r.period_from is not None and not v.nil]
    if not notifications:
        standing_nil = [(r, v) for r, v in found if v.nil]
        if standing_nil:
            report, version = standing_nil[0]
            return _filed(place, report, version, flag_rules.Timeliness(None, None, None), ())
        # Nobody knows whether the state supplies: no report is not a signal.
        return _not_filed(place, RowStatus.NOT_REPORTED)
    filed = {r.period_from: (r, v) for r, v in notifications}
    anchor = requirements.period_anchor(requirement)
    ended = rules.periods_ended(anchor, requirement.period_days, cutoff.as_of)
    # A period counts as missed once its notification is overdue.
    missed = tuple({"start": p.start, "end": p.end, "due": p.due} for p in ended
                   if p.start not in filed and p.due < cutoff.as_of)
    late = [r for r, _ in notifications
            if flag_rules.timeliness_against(_period_due(r, requirement),
                                             r.first_received_at).on_time is False]
    report, version = max(notifications, key=lambda rv: rv[0].period_from or dt.date.min)
    timing = flag_rules.timeliness_against(_period_due(report, requirement),
                                           report.first_received_at)
    flags = set(flag_rules.report_flags(version.content_flags, False if late else None))
    if missed:
        flags.add(Flag.MISSED_PERIODS)
    return _filed(place, report, version, timing,
                  tuple(f for f in flag_rules.FLAG_ORDER if f in flags),
                  periods_ended=len(ended),
                  periods_filed=sum(1 for p in ended if p.start in filed),
                  missed_periods=missed)


def _period_due(report: FiledReport, requirement: requirements.AnyRequirement) -> dt.date | None:
    """When a notification on a periodic requirement was due (as
    `requirements.due_of_report`, from the requirement at hand rather than the report's
    own relation): the end of its period plus the period's length."""
    if report.period_to is None:
        return None
    assert requirement.period_days is not None
    return report.period_to + dt.timedelta(days=requirement.period_days)


def _event_row(place: Fields, found: Found) -> Fields:
    events = [(r, v) for r, v in found if r.event_on is not None]
    if not events:
        if found:  # a standing nil report
            report, version = found[0]
            return _filed(place, report, version, flag_rules.Timeliness(None, None, None), ())
        return _not_filed(place, RowStatus.NOT_REPORTED)
    report, version = max(events, key=lambda rv: (rv[0].event_on or dt.date.min,
                                                  rv[0].first_received_at))
    return _filed(place, report, version, flag_rules.Timeliness(None, None, None),
                  _report_flags(tuple(version.content_flags), None),
                  events=len(events), days_from_event=requirements.days_from_event(report))


def states_by_name(session: DbSession) -> list[MemberState]:
    states = session.scalars(select(MemberState)).all()
    return sorted(states, key=lambda s: name_key(s.name))


class Member(NamedTuple):
    """What a matrix's row reads of a Member State (the columns of `MemberState`)."""

    id: int
    iso3: str
    name: str
    un_group: str


def members_by_name(session: DbSession) -> list[Member]:
    """The Member States as `states_by_name` orders them, read as plain rows."""
    rows = session.connection().execute(_MEMBERS).all()
    return sorted((Member(*row) for row in rows), key=lambda s: name_key(s.name))


_MEMBERS = select(MemberState.id, MemberState.iso3, MemberState.name, MemberState.un_group)


def answered_for(session: DbSession, number: int | None,
                 requirement: str | None) -> tuple[Resolution, Answered | None]:
    """The resolution and what a matrix is about: `requirement` (a requirement's or a
    stage's code), or resolution `number`'s general report."""
    if requirement is None:
        assert number is not None
        resolution = get_resolution(session, number, obligations=False, requirements=True)
        return resolution, requirements.default_answered(resolution)
    prefix = requirement.split("/", 1)[0]
    found = (find_resolution(session, int(prefix), obligations=False, requirements=True)
             if prefix.isdigit() and len(prefix) < 7 else None)
    if found is None:
        raise NotFound(f"No reporting requirement {requirement!r}.",
                       errors=[{"pointer": "requirement", "detail": "Unknown code."}])
    resolution = found
    if number is not None and resolution.number != number:
        detail = f"{requirement} is not a requirement of resolution {number}."
        raise Invalid(detail, errors=[{"pointer": "requirement", "detail": detail}])
    answered = requirements.find_answered(resolution, requirement)
    if answered is None:
        staged = requirements.staged_named(resolution, requirement)
        if staged is not None:
            detail = (f"{requirement} is asked in stages; ask for one stage "
                      f"({requirements.stage_codes(staged)}).")
            raise Invalid(detail, errors=[{"pointer": "requirement", "detail": detail}])
        raise NotFound(f"No reporting requirement {requirement!r}.",
                       errors=[{"pointer": "requirement", "detail": "Unknown code."}])
    return resolution, answered


def _answers_key(resolution: Resolution, answered: Answered | None) -> str:
    """The `answers` value of reports on it (a resolution's number for reports stored before
    requirements, on a resolution that asks none)."""
    return answered.code if answered is not None else str(resolution.number)


def matrix(session: DbSession, number: int | None, as_of: dt.date | None,
           requirement: str | None = None, *, public_only: bool = False
           ) -> tuple[Resolution, Answered | None, Cutoff, list[MatrixRow]]:
    """One row per Member State on a requirement (or resolution `number`'s general report),
    as of the end of `as_of` (UTC), ordered by state name, with the enforcement record's
    facts (public incidents only when `public_only`)."""
    resolution, answered = answered_for(session, number, requirement)
    check_as_of(resolution, as_of)
    cutoff = Cutoff.for_date(as_of)
    found: dict[int, Found] = defaultdict(list)
    shown: dict[int, tuple[FiledReport, FiledVersion]] = {}
    for report, version in latest_versions(session, cutoff,
                                           answers=_answers_key(resolution, answered)):
        found[report.state_id].append((report, version))
        shown[version.id] = (report, version)
    states = members_by_name(session)
    subject = _subject(resolution, answered)
    fields = [_row(s, resolution, answered, cutoff, found.get(s.id, []), subject)
              for s in states]
    record = incident_record(session, cutoff, {s.id: s.iso3 for s in states},
                             {resolution.id: resolution.number}, resolution_id=resolution.id,
                             public_only=public_only, shown=shown)
    rows = _with_facts(session, fields, record, shown, {resolution.number: resolution},
                       cutoff, public_only=public_only)
    return resolution, answered, cutoff, rows


def check_regime_of(session: DbSession, code: str | None, resolution: Resolution) -> None:
    """A `regime` argument given with a resolution or requirement must be its regime: a
    422 naming `regime` otherwise (an unknown code too)."""
    if code is None:
        return
    check_regime(session, code)
    if resolution.regime.code != code:
        detail = (f"Resolution {resolution.number} is of the {resolution.regime.code} regime, "
                  f"not {code}.")
        raise Invalid(detail, errors=[{"pointer": "regime", "detail": detail}])


def regime_matrix(session: DbSession, code: str, as_of: dt.date | None, *,
                  public_only: bool = False
                  ) -> tuple[Regime, Cutoff, list[int], list[MatrixRow]]:
    """A regime's matrix as of a date: the rows of each resolution of the regime adopted by
    then that asks every State a general report (its `once` requirement), in order of
    resolution. A regime none of whose resolutions asks one has no rows."""
    regime = check_regime(session, code)
    assert regime is not None
    cutoff = Cutoff.for_date(as_of)
    numbers: list[int] = []
    rows: list[MatrixRow] = []
    for resolution in regime.resolutions:
        if resolution.adopted_on > cutoff.as_of:
            continue
        loaded = get_resolution(session, resolution.number, obligations=False,
                                requirements=True)
        if requirements.default_answered(loaded) is None:
            continue
        numbers.append(resolution.number)
        rows += matrix(session, resolution.number, as_of, public_only=public_only)[3]
    return regime, cutoff, numbers, rows


def state_profile(session: DbSession, iso3: str, as_of: dt.date | None, *,
                  public_only: bool = False
                  ) -> tuple[MemberState, Cutoff, list[MatrixRow], list[MatrixRow]]:
    """For one Member State and every resolution adopted by `as_of`: a row on the
    resolution's general report (or saying none is requested), and a row on every
    requirement and stage of the resolution."""
    state = get_state(session, iso3)
    cutoff = Cutoff.for_date(as_of)
    resolutions = session.scalars(
        select(Resolution).options(
            selectinload(Resolution.regime),
            selectinload(Resolution.reporting_requirements).options(
                selectinload(ReportingRequirement.stages),
                selectinload(ReportingRequirement.resolution)),
        ).order_by(Resolution.number)
    ).all()
    found: dict[str, Found] = defaultdict(list)
    shown: dict[int, tuple[FiledReport, FiledVersion]] = {}
    for report, version in latest_versions(session, cutoff, state_id=state.id):
        found[report.answers].append((report, version))
        shown[version.id] = (report, version)
    record = incident_record(session, cutoff, {state.id: state.iso3},
                             {r.id: r.number for r in resolutions}, state_id=state.id,
                             public_only=public_only, shown=shown)
    general: list[Fields] = []
    every: list[Fields] = []
    for resolution in resolutions:
        if resolution.adopted_on > cutoff.as_of:
            continue
        default = requirements.default_answered(resolution)
        general.append(_row(state, resolution, default, cutoff,
                            found.get(_answers_key(resolution, default), [])))
        for answered in requirements.everything_answerable(resolution, of_states=True):
            every.append(_row(state, resolution, answered, cutoff, found.get(answered.code, [])))
    by_number = {r.number: r for r in resolutions}
    enriched = _with_facts(session, general + every, record, shown, by_number, cutoff,
                           public_only=public_only)
    return state, cutoff, enriched[:len(general)], enriched[len(general):]


def median(values: list[float]) -> float | None:
    """The median, rounded as every figure is (one decimal, halves up: 72.85 → 72.9)."""
    if not values:
        return None
    # Floats sort as their shortest decimal forms do: only the middle one or two are made
    # exact (`Fraction`), not all 193.
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return round_half_up(Fraction(str(ordered[middle])), 1)
    return round_half_up((Fraction(str(ordered[middle - 1]))
                          + Fraction(str(ordered[middle]))) / 2, 1)


def headline(rows: list[MatrixRow]) -> Headline:
    """Counts over rows of the matrix: `expected` are the states asked to report."""
    reported = [r for r in rows if r.reported]
    statuses = [r.status for r in rows]
    return Headline(
        states=len(rows),
        expected=sum(1 for r in rows
                     if r.deadline is not None and r.status != RowStatus.NOT_EXPECTED),
        reported=len(reported),
        on_time=sum(1 for r in reported if r.on_time is True),
        late=sum(1 for r in reported if r.on_time is False),
        not_reported=statuses.count(RowStatus.NOT_REPORTED),
        no_report_requested=statuses.count(RowStatus.NO_REPORT_REQUESTED),
        not_expected=statuses.count(RowStatus.NOT_EXPECTED),
        real=sum(1 for r in reported if not r.demo),
        demo=sum(1 for r in reported if r.demo),
        median_completeness=median([r.completeness for r in reported
                                    if r.completeness is not None]),
        nil=sum(1 for r in reported if r.nil),
    )


def filter_and_sort(rows: list[MatrixRow], *, un_group: str | None = None,
                    rating: str | None = None, flag: str | None = None,
                    sort: str = "name") -> list[MatrixRow]:
    if un_group:
        rows = [r for r in rows if r.un_group == un_group]
    if rating:
        rows = [r for r in rows if r.rating == rating]
    if flag:
        rows = [r for r in rows if flag in r.flags]
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key == "name":
        return sorted(rows, key=lambda r: (name_key(r.name), r.resolution), reverse=descending)
    if key == "state":
        return sorted(rows, key=lambda r: (r.state, r.resolution), reverse=descending)
    # Missing values (not reported, no deadline) sort last in either direction.
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    present.sort(key=lambda r: (getattr(r, key), name_key(r.name)))
    if descending:
        present.sort(key=lambda r: getattr(r, key), reverse=True)
    return present + missing
