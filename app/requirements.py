"""Reporting requirements as time: when each report is due, the periods of a periodic duty,
and whether an obligation is in force on a day. Pure functions of dates: no Flask, no
database.

The service's rules where the resolutions are silent (docs/requirements.md):
- a `periodic` duty runs in consecutive periods of `period_days` days from the resolution's
  adoption date (the first period of 2397's refined-petroleum notifications is 2017-12-22 to
  2018-01-20); a notification covers one whole period;
- the notification for a period is due when the next period ends (`period_days` after the
  period's last day), a rule of this service, not a date read in the resolution;
- an obligation is in force from its `in_force_from` date up to the day before it is
  superseded;
- a State's deadline is `met` once a report was received (`nil` where its latest version is
  a nil report), `overdue` the day after the due date passes with nothing received, `due`
  until then; an on-event requirement has no due date (`on_event`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .domain import DeadlineStatus


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """One period of a periodic duty: `start` to `end`, both days included."""

    start: dt.date
    end: dt.date
    due: dt.date

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def period_at(anchor: dt.date, period_days: int, index: int) -> Period:
    start = anchor + dt.timedelta(days=index * period_days)
    end = start + dt.timedelta(days=period_days - 1)
    return Period(start, end, end + dt.timedelta(days=period_days))


def period_index(anchor: dt.date, period_days: int, day: dt.date) -> int | None:
    """The index of the period containing `day`, or None before the first period."""
    if day < anchor:
        return None
    return (day - anchor).days // period_days


def period_containing(anchor: dt.date, period_days: int, day: dt.date) -> Period | None:
    index = period_index(anchor, period_days, day)
    return None if index is None else period_at(anchor, period_days, index)


def exact_period(anchor: dt.date, period_days: int, start: dt.date,
                 end: dt.date) -> Period | None:
    """The period that runs exactly from `start` to `end`, or None if no period does."""
    period = period_containing(anchor, period_days, start)
    if period is None or period.start != start or period.end != end:
        return None
    return period


def periods_ended(anchor: dt.date, period_days: int, as_of: dt.date) -> list[Period]:
    """Every period whose last day is on or before `as_of`, oldest first."""
    index = period_index(anchor, period_days, as_of)
    if index is None:
        return []
    current = period_at(anchor, period_days, index)
    last = index if current.end <= as_of else index - 1
    return [period_at(anchor, period_days, i) for i in range(last + 1)]


def periods_through(anchor: dt.date, period_days: int, as_of: dt.date) -> list[Period]:
    """Every period that has begun by `as_of`, oldest first: those ended and the current one
    (the one containing `as_of`)."""
    index = period_index(anchor, period_days, as_of)
    if index is None:
        return []
    return [period_at(anchor, period_days, i) for i in range(index + 1)]


def deadline_status(due: dt.date | None, as_of: dt.date, *, received: bool,
                    nil: bool = False) -> str:
    """Where a State stands on one thing asked of it at the end of `as_of`."""
    if received:
        return DeadlineStatus.NIL if nil else DeadlineStatus.MET
    if due is None:
        return DeadlineStatus.ON_EVENT
    return DeadlineStatus.OVERDUE if as_of > due else DeadlineStatus.DUE


def in_force(day: dt.date, in_force_from: dt.date | None,
             superseded_on: dt.date | None) -> bool:
    """Whether an obligation binds on `day`: entered into force, and not yet superseded."""
    if in_force_from is not None and day < in_force_from:
        return False
    return superseded_on is None or day < superseded_on


def days_between(earlier: dt.date, later: dt.date) -> int:
    return (later - earlier).days


def spans(periods: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date, int]]:
    """Consecutive periods (each starting the day after the previous one ends) merged into
    spans: (first day, last day, how many periods), in order."""
    out: list[tuple[dt.date, dt.date, int]] = []
    for start, end in sorted(periods):
        if out and out[-1][1] + dt.timedelta(days=1) == start:
            first, _, count = out[-1]
            out[-1] = (first, end, count + 1)
        else:
            out.append((start, end, 1))
    return out
