"""A State's reporting deadlines as of a date: every report the catalogue's resolutions ask of
it, when each is (or was) due, and whether it was received.

One item per thing asked:
- a `once` requirement, and each stage of a `staged` one: one item with its due date;
- a `periodic` requirement: for a State that notifies (it filed at least one notification
  that is not a nil report, or the requirement applies to all States), one item per period
  begun by the date (the ended ones and the current one), so that a missing period shows as
  overdue; for any other State one item, the current period's, `due` (a conditional
  requirement: nothing says the State supplies) or `nil` where it filed a nil report
  naming no period; a notification it filed for another period is listed too (a nil report
  naming no period is set aside once the State notifies);
- an `on_event` requirement: one item with its trigger and no due date (`nil` where the
  State filed a nil report naming no event), and one item per event report filed.

The regime's target State is asked nothing (it gets no items and a note saying why), and no
State is asked for a committee's own report to the Council (`addressed_to: committee`).

Reports count from their first receipt by the end of the date (UTC); the latest version by
then says whether a report is a nil report. Demo reports count only where the caller shows
demo data (panel, admin; never a reporter), and a real report hides the demo report of the
same State, requirement answered and period or event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import flags as flag_rules
from .. import requirements as rules
from ..domain import DeadlineStatus, RequirementKind
from ..models import (
    MemberState,
    Report,
    ReportingRequirement,
    ReportVersion,
    Resolution,
)
from .catalogue import get_state
from .compliance import Cutoff, check_as_of, latest_version_number
from .requirements import Answered, everything_answerable, period_anchor
from .session import DbSession

#: Occasion of a report that names no period or event (`Report.occasion`).
NO_OCCASION = ""


@dataclass(frozen=True, slots=True)
class Filed:
    """A report the State filed (as known at the cut-off) and whether its latest version by
    then is a nil report."""

    report: Report
    nil: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    """One thing a requirement asks of a State, and where the State stands on it."""

    answered: Answered
    period: rules.Period | None
    event_on: dt.date | None
    due: dt.date | None
    status: str
    report_id: str | None
    first_received_at: dt.datetime | None
    on_time: bool | None
    days_late: int | None
    days_left: int | None
    demo: bool | None

    @property
    def requirement(self) -> str:
        """The code answered: a stage's code, or the requirement's."""
        return self.answered.code

    @property
    def resolution(self) -> int:
        return self.answered.requirement.resolution.number

    @property
    def symbol(self) -> str:
        return self.answered.requirement.resolution.symbol

    @property
    def regime(self) -> str:
        """The code of the resolution's regime."""
        return self.answered.requirement.resolution.regime.code

    @property
    def regime_name(self) -> str:
        return self.answered.requirement.resolution.regime.name

    @property
    def kind(self) -> str:
        return self.answered.kind

    @property
    def paragraph(self) -> str | None:
        return self.answered.requirement.paragraph

    @property
    def stage(self) -> str | None:
        return self.answered.stage.name if self.answered.stage is not None else None

    @property
    def trigger(self) -> str | None:
        return self.answered.requirement.trigger

    @property
    def applies_to(self) -> str:
        return self.answered.requirement.applies_to

    @property
    def conditional(self) -> bool:
        return self.answered.conditional

    @property
    def binding(self) -> bool:
        return self.answered.requirement.binding

    @property
    def verified(self) -> bool:
        return self.answered.requirement.verified

    @property
    def deadline_verified(self) -> bool | None:
        return self.answered.deadline_verified

    @property
    def occasion(self) -> str:
        """The period or event, as `Report.occasion` spells it; empty for the others."""
        if self.period is not None:
            return self.period.key
        return self.event_on.isoformat() if self.event_on is not None else NO_OCCASION

    @property
    def title(self) -> str:
        """What is asked, in a few words: "final report on resolution 2397"."""
        number = self.resolution
        if self.stage is not None:
            return f"{self.stage} report on resolution {number}"
        if self.period is not None:
            return (f"notification for {self.period.start.isoformat()} to "
                    f"{self.period.end.isoformat()} under resolution {number}")
        if self.event_on is not None:
            return f"report on the event of {self.event_on.isoformat()}, resolution {number}"
        if self.kind == RequirementKind.ON_EVENT:
            return f"report on resolution {number} {self.trigger}"
        return f"report on resolution {number}"


@dataclass(frozen=True, slots=True)
class Summary:
    total: int
    met: int
    late: int
    nil: int
    overdue: int
    due: int
    on_event: int


@dataclass(frozen=True)
class StateDeadlines:
    state: MemberState
    cutoff: Cutoff
    items: list[Deadline]
    note: str | None = None
    statuses: bool = True  # False: built without looking at any report (the public feed)

    @property
    def as_of(self) -> dt.date:
        return self.cutoff.as_of

    @property
    def iso3(self) -> str:
        return self.state.iso3

    @property
    def name(self) -> str:
        return self.state.name

    @property
    def demo(self) -> bool:
        return any(item.demo for item in self.items)

    @property
    def summary(self) -> Summary:
        statuses = [item.status for item in self.items]
        return Summary(
            total=len(self.items),
            met=statuses.count(DeadlineStatus.MET),
            late=sum(1 for item in self.items if item.report_id and item.on_time is False),
            nil=statuses.count(DeadlineStatus.NIL),
            overdue=statuses.count(DeadlineStatus.OVERDUE),
            due=statuses.count(DeadlineStatus.DUE),
            on_event=statuses.count(DeadlineStatus.ON_EVENT),
        )


def first_asked(session: DbSession) -> Resolution | None:
    """The earliest resolution that asks States for a report."""
    return session.scalar(
        select(Resolution)
        .where(Resolution.id.in_(select(ReportingRequirement.resolution_id)))
        .order_by(Resolution.adopted_on, Resolution.number)
        .limit(1)
    )


def check_deadlines_as_of(session: DbSession, as_of: dt.date | None) -> None:
    """Deadlines exist from the first resolution that asks for a report: an earlier `as_of`
    is a 422 naming `as_of`, as for a matrix before its resolution's adoption."""
    first = first_asked(session)
    if first is not None:
        check_as_of(first, as_of)


def filed_reports(session: DbSession, state_id: int, cutoff: Cutoff, *,
                  demo: bool) -> dict[tuple[str, str], Filed]:
    """The State's reports first received by the cut-off, by (code answered, occasion),
    each with whether its latest version by then is a nil report. With `demo`, a demo
    report stands where no real report answers the same thing; without, demo reports are
    left out."""
    stmt = (
        select(Report, ReportVersion.nil)
        .join(ReportVersion, (ReportVersion.report_id == Report.id)
              & (ReportVersion.number == latest_version_number(cutoff)))
        .where(Report.state_id == state_id, Report.first_received_at < cutoff.before)
    )
    if not demo:
        stmt = stmt.where(Report.is_demo.is_(False))
    found: dict[tuple[str, str], Filed] = {}
    for report, nil in session.execute(stmt).all():
        key = (report.answers, report.occasion)
        known = found.get(key)
        if known is None or (known.report.is_demo and not report.is_demo):
            found[key] = Filed(report, bool(nil))
    return found


def _item(answered: Answered, as_of: dt.date, *, due: dt.date | None,
          filed: Filed | None, period: rules.Period | None = None,
          event_on: dt.date | None = None) -> Deadline:
    status = rules.deadline_status(due, as_of, received=filed is not None,
                                   nil=filed is not None and filed.nil)
    on_time: bool | None = None
    days_late: int | None = None
    if filed is not None:
        timing = flag_rules.timeliness_against(due, filed.report.first_received_at)
        on_time, days_late = timing.on_time, timing.days_late
    elif status == DeadlineStatus.OVERDUE and due is not None:
        on_time, days_late = False, rules.days_between(due, as_of)
    report = filed.report if filed is not None else None
    return Deadline(
        answered=answered, period=period, event_on=event_on, due=due, status=status,
        report_id=report.public_id if report is not None else None,
        first_received_at=report.first_received_at if report is not None else None,
        on_time=on_time, days_late=days_late,
        days_left=(rules.days_between(as_of, due)
                   if status == DeadlineStatus.DUE and due is not None else None),
        demo=report.is_demo if report is not None else None,
    )


def _periodic(answered: Answered, as_of: dt.date,
              mine: dict[str, Filed]) -> list[Deadline]:
    requirement = answered.requirement
    assert requirement.period_days is not None
    grid = rules.periods_through(period_anchor(requirement), requirement.period_days, as_of)
    if not grid:
        return []
    notifies = not answered.conditional or any(
        occasion != NO_OCCASION and not f.nil for occasion, f in mine.items()
    )
    shown = grid if notifies else grid[-1:]
    items = [_item(answered, as_of, due=p.due, period=p, filed=mine.get(p.key)) for p in shown]
    if not notifies and shown[0].key not in mine and NO_OCCASION in mine:
        # A nil report naming no period: the State supplies none.
        items = [_item(answered, as_of, due=shown[0].due, period=shown[0],
                       filed=mine[NO_OCCASION])]
    keys = {p.key for p in shown}
    for occasion, f in sorted(mine.items()):
        if occasion == NO_OCCASION or occasion in keys:
            continue
        report = f.report
        assert report.period_from is not None and report.period_to is not None
        period = rules.Period(report.period_from, report.period_to,
                              report.period_to + dt.timedelta(days=requirement.period_days))
        items.append(_item(answered, as_of, due=period.due, period=period, filed=f))
    return items


def _on_event(answered: Answered, as_of: dt.date, mine: dict[str, Filed]) -> list[Deadline]:
    items = [_item(answered, as_of, due=None, filed=mine.get(NO_OCCASION))]
    for occasion, f in sorted(mine.items()):
        if occasion != NO_OCCASION:
            items.append(_item(answered, as_of, due=None, filed=f,
                               event_on=f.report.event_on))
    return items


def items_for(answered: Answered, as_of: dt.date, mine: dict[str, Filed]) -> list[Deadline]:
    """The items of one requirement (or stage) for a State, given the reports it filed
    answering it (by occasion)."""
    if answered.kind == RequirementKind.PERIODIC:
        return _periodic(answered, as_of, mine)
    if answered.kind == RequirementKind.ON_EVENT:
        return _on_event(answered, as_of, mine)
    return [_item(answered, as_of, due=answered.due, filed=mine.get(NO_OCCASION))]


def _target_note(state: MemberState, regimes: list[str]) -> str:
    return (f"{state.name} is the target of the {' and '.join(regimes)} regime"
            f"{'s' if len(regimes) > 1 else ''}: the regime's resolutions ask the other Member "
            "States to report on the measures they take, and ask nothing of it.")


def state_deadlines(session: DbSession, iso3: str, as_of: dt.date | None, *,
                    demo: bool = False, statuses: bool = True) -> StateDeadlines:
    """Every deadline of resolutions adopted by `as_of` (default: today) for one State, in
    due-date order (items without a due date last). `demo`: show demo reports where no real
    report answers the same thing. `statuses=False`: look at no report at all, as if the
    State had filed nothing (what is public: the catalogue's due dates)."""
    state = get_state(session, iso3)
    check_deadlines_as_of(session, as_of)
    cutoff = Cutoff.for_date(as_of)
    resolutions = session.scalars(
        select(Resolution)
        .where(Resolution.adopted_on <= cutoff.as_of)
        .options(selectinload(Resolution.regime),
                 selectinload(Resolution.reporting_requirements)
                 .selectinload(ReportingRequirement.stages))
        .order_by(Resolution.number)
    ).all()
    filed = filed_reports(session, state.id, cutoff, demo=demo) if statuses else {}
    by_code: dict[str, dict[str, Filed]] = {}
    for (code, occasion), f in filed.items():
        by_code.setdefault(code, {})[occasion] = f
    items: list[Deadline] = []
    target_of: list[str] = []
    for resolution in resolutions:
        if resolution.regime.target_state == state.iso3:
            if resolution.regime.code not in target_of:
                target_of.append(resolution.regime.code)
            continue
        for answered in everything_answerable(resolution, of_states=True):
            items += items_for(answered, cutoff.as_of, by_code.get(answered.code, {}))
    # Stable: catalogue order among equal due dates, and for the items without one.
    items.sort(key=lambda i: (i.due is None, i.due or dt.date.max))
    note = _target_note(state, target_of) if target_of else None
    return StateDeadlines(state=state, cutoff=cutoff, items=items, note=note,
                          statuses=statuses)


def paragraph_note(item: Deadline) -> str:
    """", paragraph 8", said as a fact only where the requirement's text was read."""
    if not item.paragraph:
        return ""
    if item.verified:
        return f", paragraph {item.paragraph}"
    return f", paragraph {item.paragraph} (a reference not confirmed against the text)"
