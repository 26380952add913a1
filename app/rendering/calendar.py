"""A State's reporting deadlines as an iCalendar feed (RFC 5545), built with `icalendar`.

One all-day event per due date. Its UID names the State, the code answered and the period
(`FRA/2397/R-5-refined/2017-12-22/2018-01-20@compliance-reporting-api`), so a calendar that
refreshes a subscription updates the event instead of adding a second one. Everything in an
event comes from the catalogue (what is asked, of whom, the paragraph, whether the date was
read in the resolution's text) unless `statuses` is set: then the summary and the
description also say whether the State's report was received (`X-COMPLIANCE-STATUS` carries
the bare status for programs). DTSTAMP is the start of the `as_of` day, so the same data give
the same bytes (and the same ETag).
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, vDuration
from icalendar.enums import TRANSP

from ..domain import DeadlineStatus, RequirementKind, label
from ..services.deadlines import Deadline, StateDeadlines, paragraph_note

PRODUCT_ID = "-//Compliance reporting API//Reporting deadlines//EN"
UID_DOMAIN = "compliance-reporting-api"
STATUS_PROPERTY = "X-COMPLIANCE-STATUS"
REFRESH = dt.timedelta(days=1)


def event_uid(iso3: str, item: Deadline) -> str:
    """Stable across requests and dates: the State, the code answered, the period."""
    parts = [iso3, item.requirement] + ([item.occasion] if item.occasion else [])
    return "/".join(parts) + "@" + UID_DOMAIN


def _yes(value: bool | None) -> str:
    return "yes" if value else "no"


def _status_line(item: Deadline, as_of: dt.date) -> str:
    head = f"Status as of {as_of.isoformat()}: {label(item.status)}"
    if item.status in (DeadlineStatus.MET, DeadlineStatus.NIL):
        assert item.first_received_at is not None
        when = item.first_received_at.astimezone(dt.UTC).date().isoformat()
        timing = ("on time" if item.on_time else
                  f"{item.days_late} days late" if item.on_time is False else "")
        kind = "nil report" if item.status == DeadlineStatus.NIL else "report"
        return f"{head} ({kind} {item.report_id}, first received {when}" + (
            f", {timing})." if timing else ").")
    if item.status == DeadlineStatus.OVERDUE:
        return f"{head} by {item.days_late} days: no report received."
    return f"{head}: {item.days_left} days left, no report received yet."


def describe(item: Deadline, resolution_url: str, *, as_of: dt.date | None = None) -> str:
    """The event's description: what is asked, of whom, on what basis; with `as_of`, the
    State's status too."""
    lines = [f"Due {item.due}: {item.title} ({item.requirement}).",
             f"Resolution {item.resolution}: {item.symbol}{paragraph_note(item)}."]
    if item.kind == RequirementKind.PERIODIC and item.period is not None:
        lines.append(f"A notification for each period of "
                     f"{item.answered.requirement.period_days} days; this period runs from "
                     f"{item.period.start.isoformat()} to {item.period.end.isoformat()}.")
    if item.conditional:
        lines.append(f"Applies to: {item.applies_to}. A State that does not meet the "
                     "condition may file a nil report.")
    else:
        lines.append("Applies to: every Member State.")
    lines.append(f"Binding: {_yes(item.binding)}. Requirement read in the resolution's text: "
                 f"{_yes(item.verified)}.")
    if item.deadline_verified is False and item.kind == RequirementKind.PERIODIC:
        lines.append("Due date: the period's last day plus one period, a rule of this "
                     "service (the resolution sets none).")
    else:
        lines.append(f"Due date read in the resolution's text: {_yes(item.deadline_verified)}.")
    if as_of is not None:
        lines.append(_status_line(item, as_of))
    lines.append(f"Resolution: {resolution_url}{item.resolution}")
    return "\n".join(lines)


def summary(item: Deadline, *, statuses: bool) -> str:
    text = f"{item.requirement}: {item.title}"
    if statuses:
        return f"[{label(item.status)}] {text}"
    return text


def feed(deadlines: StateDeadlines, resolution_url: str) -> bytes:
    """The feed's bytes: one all-day VEVENT per item with a due date. `resolution_url` is
    the URL a resolution's number is appended to."""
    state, as_of = deadlines.state, deadlines.as_of
    stamp = dt.datetime.combine(as_of, dt.time(), dt.UTC)
    if deadlines.statuses:
        about = (f"Reporting deadlines of {state.name} and whether each report was received, "
                 f"as of {as_of.isoformat()}.")
    else:
        about = (f"Reporting deadlines the catalogued Security Council resolutions set for "
                 f"{state.name}, as "
                 f"of {as_of.isoformat()}; whether a report was received is not part of this "
                 "public feed.")
    if deadlines.note:
        about += " " + deadlines.note
    calendar = Calendar.new(
        prodid=PRODUCT_ID, uid=f"{state.iso3}/deadlines@{UID_DOMAIN}",
        name=f"Reporting deadlines: {state.name}", description=about,
        refresh_interval=REFRESH, method="PUBLISH", calscale="GREGORIAN",
    )
    # RFC 7986 spells the value type out: REFRESH-INTERVAL;VALUE=DURATION:P1D.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    # `Calendar.new` writes X-WR-CALNAME and X-WR-CALDESC beside NAME and DESCRIPTION; this
    # is the refresh interval older calendar programs read.
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for item in deadlines.items:
        if item.due is None:
            continue
        event = Event.new(
            uid=event_uid(state.iso3, item), stamp=stamp, start=item.due,
            end=item.due + dt.timedelta(days=1),
            summary=summary(item, statuses=deadlines.statuses),
            description=describe(item, resolution_url,
                                 as_of=as_of if deadlines.statuses else None),
            url=f"{resolution_url}{item.resolution}", transparency=TRANSP.TRANSPARENT,
            categories=[f"Regime {item.regime}: {item.regime_name}",
                        f"Resolution {item.resolution}"],
        )
        if deadlines.statuses:
            event.add(STATUS_PROPERTY, str(item.status))
        calendar.add_component(event)
    return calendar.to_ical()
