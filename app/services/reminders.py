"""Deadline reminders by e-mail (`flask --app wsgi deadlines remind`).

Every enabled reporter authority with a contact address gets one message listing what its
State has overdue, or due within a number of days, from the same deadlines as
`GET /api/v1/states/{iso3}/deadlines` (as the State's reporter sees them: no demo data).
A deadline is reminded once per authority: (authority, code answered, period or event, due
date) is recorded in `reminder_sent` once the SMTP server has accepted the message, in one
transaction per message (`record_sent`). A crash between the two sends that message again
on the next run; nothing is ever recorded that was not sent. An authority with nothing new
gets no message.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..domain import DeadlineStatus, Role
from ..models import Authority, ReminderSent
from . import audit, use_case
from .authorities import CLI_ACTOR
from .deadlines import (
    Deadline,
    StateDeadlines,
    check_deadlines_as_of,
    paragraph_note,
    state_deadlines,
)
from .session import DbSession

WIDTH = 78  # plain-text lines


@dataclass(frozen=True)
class Reminder:
    """One message: the deadlines of an authority's State not yet reminded to it."""

    authority: Authority
    address: str
    deadlines: StateDeadlines
    items: list[Deadline]
    days: int

    @property
    def overdue(self) -> list[Deadline]:
        return [i for i in self.items if i.status == DeadlineStatus.OVERDUE]

    @property
    def due_soon(self) -> list[Deadline]:
        return [i for i in self.items if i.status == DeadlineStatus.DUE]

    @property
    def subject(self) -> str:
        counts = []
        if self.overdue:
            counts.append(f"{len(self.overdue)} overdue")
        if self.due_soon:
            counts.append(f"{len(self.due_soon)} due within {self.days} days")
        return f"Reports due for {self.deadlines.name}: {', '.join(counts)}"

    def body(self, base_url: str | None = None) -> str:
        """The message's text. `base_url` (PUBLIC_BASE_URL) makes the links absolute."""
        d = self.deadlines
        lines = [textwrap.fill(f"Reporting deadlines of {d.name} ({d.iso3}) under the UN "
                               "Security Council resolutions, as of "
                               f"{d.as_of.isoformat()}.", WIDTH), ""]
        for heading, items in ((f"Overdue ({len(self.overdue)}):", self.overdue),
                               (f"Due within {self.days} days ({len(self.due_soon)}):",
                                self.due_soon)):
            if not items:
                continue
            lines.append(heading)
            for item in items:
                lines += _item_lines(item)
            lines.append("")
        root = base_url or ""
        lines += [
            textwrap.fill(
                'A report names what it answers: "requirement": "<code>" in the body of '
                'POST /api/v1/reports, with "period": {"from": ..., "to": ...} for a '
                "periodic notification. Where a requirement's condition does not apply to "
                f"{d.name}, a nil report with a justification answers it.", WIDTH),
            f"All deadlines (with your token): {root}/api/v1/states/{d.iso3}/deadlines",
            f"Calendar to subscribe to: {root}/api/v1/states/{d.iso3}/deadlines.ics",
            "",
            textwrap.fill(f"This address is the contact of {self.authority.name} in the "
                          "compliance reporting service. Each deadline is reminded once.",
                          WIDTH),
        ]
        return "\n".join(lines) + "\n"


def _item_lines(item: Deadline) -> list[str]:
    assert item.due is not None
    if item.status == DeadlineStatus.OVERDUE:
        when = f"due {item.due.isoformat()}, {item.days_late} days ago"
    else:
        when = (f"due {item.due.isoformat()}, in {item.days_left} days" if item.days_left
                else f"due {item.due.isoformat()}, today")
    lines = [f"- {item.requirement}: {item.title} ({when})",
             f"  {item.symbol}{paragraph_note(item)}."]
    if item.deadline_verified is False:
        lines.append("  The due date has not been confirmed against the resolution's text.")
    if item.conditional:
        lines.append(textwrap.fill(f"Only for: {item.applies_to}.", WIDTH,
                                   initial_indent="  ", subsequent_indent="  "))
    return lines


def wanted(deadlines: StateDeadlines, days: int) -> list[Deadline]:
    """What a reminder lists: overdue, or due within `days` days of the date."""
    horizon = deadlines.as_of + dt.timedelta(days=days)
    return [i for i in deadlines.items if i.due is not None and (
        i.status == DeadlineStatus.OVERDUE
        or (i.status == DeadlineStatus.DUE and i.due <= horizon))]


def _key(item: Deadline) -> tuple[str, str, dt.date | None]:
    return item.requirement, item.occasion, item.due


def pending(session: DbSession, as_of: dt.date | None, days: int) -> list[Reminder]:
    """The messages to send, by authority name: each enabled reporter authority with an
    address whose State has a deadline overdue or due within `days` days that was not
    reminded to it yet."""
    check_deadlines_as_of(session, as_of)
    authorities = session.scalars(
        select(Authority)
        .where(Authority.role == Role.REPORTER, Authority.disabled_at.is_(None),
               Authority.email.is_not(None))
        .options(selectinload(Authority.state))
        .order_by(Authority.name)
    ).all()
    by_state: dict[str, StateDeadlines] = {}
    out: list[Reminder] = []
    for authority in authorities:
        assert authority.state is not None and authority.email is not None
        iso3 = authority.state.iso3
        if iso3 not in by_state:
            by_state[iso3] = state_deadlines(session, iso3, as_of, demo=False)
        deadlines = by_state[iso3]
        sent = {(answers, occasion, due) for answers, occasion, due in session.execute(
            select(ReminderSent.answers, ReminderSent.occasion, ReminderSent.due)
            .where(ReminderSent.authority_id == authority.id))}
        items = [i for i in wanted(deadlines, days) if _key(i) not in sent]
        if items:
            out.append(Reminder(authority, authority.email, deadlines, items, days))
    return out


@use_case
def record_sent(session: DbSession, reminder: Reminder) -> int:
    """Use case: record that the server accepted `reminder`; returns the deadlines recorded
    (one another run recorded meanwhile is skipped)."""
    recorded = []
    for item in reminder.items:
        assert item.due is not None
        try:
            with session.begin_nested():
                session.add(ReminderSent(authority_id=reminder.authority.id,
                                         answers=item.requirement, occasion=item.occasion,
                                         due=item.due, address=reminder.address))
        except IntegrityError:
            continue
        recorded.append(f"{item.requirement} {item.occasion} due {item.due}".replace("  ", " "))
    audit.record(session, action="reminder.send", actor=CLI_ACTOR,
                 state_iso3=reminder.deadlines.iso3,
                 details={"authority": reminder.authority.name, "address": reminder.address,
                          "deadlines": recorded})
    return len(recorded)
