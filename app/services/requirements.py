"""What a report answers: a reporting requirement of a resolution, or one stage of it, and
for periodic and on-event requirements the period or the event. Reads of the catalogue, no
writes; the rules of time are in `app.requirements`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .. import requirements as rules
from ..domain import RequirementKind
from ..models import Obligation, Report, ReportingRequirement, RequirementStage, Resolution
from ..scoring import ObligationSpec, SetAside
from .catalogue import default_requirement

if TYPE_CHECKING:
    from typing import TypeAlias

    from .catalogue_snapshot import (
        ObligationView,
        RequirementView,
        ResolutionView,
        StageView,
    )
    from .reports import StoredReport

    # The catalogue's rows, or their copies in a catalogue snapshot (same attribute names).
    AnyResolution: TypeAlias = Resolution | ResolutionView
    AnyRequirement: TypeAlias = ReportingRequirement | RequirementView
    AnyStage: TypeAlias = RequirementStage | StageView
    AnyObligation: TypeAlias = Obligation | ObligationView
    AnyReport: TypeAlias = Report | StoredReport


@dataclass(frozen=True)
class Answered:
    """A requirement, or one stage of a staged requirement: what one report answers."""

    requirement: AnyRequirement
    stage: AnyStage | None = None

    @property
    def code(self) -> str:
        return self.stage.code if self.stage is not None else self.requirement.code

    @property
    def kind(self) -> str:
        return self.requirement.kind

    @property
    def due(self) -> dt.date | None:
        """The due date of a `once` requirement or a stage; None for the other kinds."""
        if self.stage is not None:
            return self.stage.due
        return self.requirement.due

    @property
    def deadline_verified(self) -> bool | None:
        """Whether the due date was read in the resolution's text; None where there is no
        single due date. A period's due date is this service's rule, never verified."""
        if self.kind in (RequirementKind.ONCE, RequirementKind.STAGED):
            return self.requirement.verified
        if self.kind == RequirementKind.PERIODIC:
            return False
        return None

    @property
    def of_states(self) -> bool:
        return self.requirement.of_states

    @property
    def conditional(self) -> bool:
        return self.requirement.applies_to != "all"

    @property
    def label(self) -> str:
        if self.stage is not None:
            return f"{self.stage.name} report ({self.requirement.code})"
        return self.requirement.code


def period_anchor(requirement: AnyRequirement) -> dt.date:
    """Where the periods of a periodic requirement start: the resolution's adoption."""
    return requirement.resolution.adopted_on


def period_of(requirement: AnyRequirement, start: dt.date,
              end: dt.date) -> rules.Period | None:
    assert requirement.period_days is not None
    return rules.exact_period(period_anchor(requirement), requirement.period_days, start, end)


def everything_answerable(resolution: AnyResolution, *,
                          of_states: bool = False) -> list[Answered]:
    """Each requirement of the resolution, a staged one as its stages; with `of_states`,
    only those asked of Member States (not the committee's own reports)."""
    out: list[Answered] = []
    for requirement in resolution.reporting_requirements:
        if of_states and not requirement.of_states:
            continue
        if requirement.kind == RequirementKind.STAGED:
            out += [Answered(requirement, stage) for stage in requirement.stages]
        else:
            out.append(Answered(requirement))
    return out


def find_answered(resolution: AnyResolution, code: str) -> Answered | None:
    for answered in everything_answerable(resolution):
        if answered.code == code:
            return answered
    return None


def staged_named(resolution: AnyResolution, code: str) -> AnyRequirement | None:
    """The staged requirement `code` names, where a stage should have been named instead."""
    return next((q for q in resolution.reporting_requirements
                 if q.code == code and q.kind == RequirementKind.STAGED), None)


def stage_codes(requirement: AnyRequirement) -> str:
    return ", ".join(s.code for s in requirement.stages)


def default_answered(resolution: AnyResolution) -> Answered | None:
    requirement = default_requirement(resolution)
    return Answered(requirement) if requirement is not None else None


def of_report(report: AnyReport) -> Answered | None:
    if report.requirement is None:
        return None
    return Answered(report.requirement, report.stage)


def due_of_report(report: AnyReport) -> dt.date | None:
    """When this report was due: the requirement's or stage's date, the period's due date,
    or the resolution's deadline for a report answering no requirement; None for an event."""
    answered = of_report(report)
    if answered is None:
        return report.resolution.reporting_deadline
    if answered.kind == RequirementKind.PERIODIC:
        if report.period_to is None:
            return None  # a standing nil report covers no period
        assert answered.requirement.period_days is not None
        return report.period_to + dt.timedelta(days=answered.requirement.period_days)
    return answered.due


class EventReport(Protocol):
    """What `days_from_event` reads of a report (a `Report`, or the matrix's plain row)."""

    @property
    def event_on(self) -> dt.date | None: ...

    @property
    def first_received_at(self) -> dt.datetime: ...


def days_from_event(report: EventReport) -> int | None:
    """For a report on an event: days from the event to the report's first receipt."""
    if report.event_on is None:
        return None
    return (report.first_received_at.astimezone(dt.UTC).date() - report.event_on).days


def covered(answered: Answered) -> list[AnyObligation]:
    return list(answered.requirement.obligations)


def specs_in_force(obligations: Sequence[AnyObligation],
                   day: dt.date) -> tuple[list[ObligationSpec], list[SetAside]]:
    """The obligations in force on `day` as scoring specs, and the others set aside."""
    specs: list[ObligationSpec] = []
    aside: list[SetAside] = []
    for o in obligations:
        superseded_on = o.superseded_on if o.superseded_by_id is not None else None
        if rules.in_force(day, o.in_force_from, superseded_on):
            specs.append(ObligationSpec(o.code, o.weight, tuple(o.expects)))
        elif superseded_on is not None and day >= superseded_on:
            by = o.superseded_by
            aside.append(SetAside(o.code, superseded_by=by.code if by else None,
                                  on=superseded_on.isoformat(),
                                  verified=bool(o.supersession_verified)))
        else:
            aside.append(SetAside(
                o.code, in_force_from=o.in_force_from.isoformat() if o.in_force_from else None
            ))
    return specs, aside
