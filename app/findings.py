"""The life of a Panel finding, as a pure state machine: no Flask, no database.
docs/findings.md states the rules with examples; tests/test_finding_rules.py checks every
(from, to) pair.

    draft ──share──▶ shared ──publish──▶ published
      │                │                     │
      └───────────── withdraw ───────────────┘──▶ withdrawn

- draft → shared: the State is told; it may reply until `reply_due` = the day shared plus
  the reply window (`FINDING_REPLY_DAYS`, 30 by default).
- shared → published: once the State has replied, or from `reply_due` on; earlier only with
  a reason, which is recorded (an early publication).
- draft, shared or published → withdrawn, with or without a reason.
- Anything else is illegal: a draft is never published unshared, nothing leaves
  `withdrawn`, and a transition to the status a finding already has is not one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .domain import FindingStatus

DEFAULT_REPLY_DAYS = 30

#: Every legal (from, to) pair.
LEGAL: frozenset[tuple[FindingStatus, FindingStatus]] = frozenset({
    (FindingStatus.DRAFT, FindingStatus.SHARED),
    (FindingStatus.SHARED, FindingStatus.PUBLISHED),
    (FindingStatus.DRAFT, FindingStatus.WITHDRAWN),
    (FindingStatus.SHARED, FindingStatus.WITHDRAWN),
    (FindingStatus.PUBLISHED, FindingStatus.WITHDRAWN),
})

#: Statuses in which the Panel may still amend the finding's text.
EDITABLE = (FindingStatus.DRAFT, FindingStatus.SHARED)


class IllegalTransition(Exception):
    """The transition is not allowed from the finding's status; the message says why and
    what is allowed instead."""

    def __init__(self, message: str, *, pointer: str = "/to") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


class ReasonRequired(IllegalTransition):
    """An early publication (before `reply_due`, without a reply) needs a reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message, pointer="/reason")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a legal transition leads to: the new status, the reply deadline (set on
    sharing, kept after), whether a publication is early, and the reason recorded (None
    when none was given or none is needed)."""

    status: FindingStatus
    reply_due: dt.date | None
    early: bool = False
    reason: str | None = None


def clean_reason(reason: str | None) -> str | None:
    """A reason as recorded: stripped; blank is no reason."""
    if reason is None:
        return None
    reason = reason.strip()
    return reason or None


def allowed_from(status: str) -> tuple[FindingStatus, ...]:
    """The statuses a finding in `status` may move to, in the enum's order."""
    return tuple(to for to in FindingStatus if (FindingStatus(status), to) in LEGAL)


def may_publish_without_reason(*, today: dt.date, reply_due: dt.date | None,
                               replied: bool) -> bool:
    """A shared finding is published without a reason once the State replied, or from its
    reply deadline on."""
    return replied or (reply_due is not None and today >= reply_due)


def transition(status: str, to: str, *, today: dt.date, reply_due: dt.date | None = None,
               replied: bool = False, reason: str | None = None,
               reply_days: int = DEFAULT_REPLY_DAYS) -> Outcome:
    """The outcome of moving a finding from `status` to `to` on `today`, or
    IllegalTransition (ReasonRequired for an early publication without a reason)."""
    if reply_days < 1:
        raise ValueError("the reply window is at least one day")
    current, target = FindingStatus(status), FindingStatus(to)
    reason = clean_reason(reason)
    if (current, target) not in LEGAL:
        allowed = allowed_from(current)
        if current == target:
            why = f"The finding is {current} already."
        elif current == FindingStatus.WITHDRAWN:
            why = "A withdrawn finding stays withdrawn."
        elif (current, target) == (FindingStatus.DRAFT, FindingStatus.PUBLISHED):
            why = ("A draft is shared with the State before it is published, so that the "
                   "State may reply.")
        elif target == FindingStatus.DRAFT:
            why = "A finding never goes back to draft."
        else:
            why = f"A {current} finding cannot become {target}."
        then = (f" From {current}: {', '.join(allowed)}." if allowed
                else f" Nothing follows {current}.")
        raise IllegalTransition(why + then)
    if target == FindingStatus.SHARED:
        return Outcome(target, today + dt.timedelta(days=reply_days))
    if target == FindingStatus.PUBLISHED:
        if may_publish_without_reason(today=today, reply_due=reply_due, replied=replied):
            return Outcome(target, reply_due)
        if reason is None:
            due = reply_due.isoformat() if reply_due else "its reply deadline"
            raise ReasonRequired(
                f"The State has not replied and may do so until {due}: publishing earlier "
                "needs a reason, which is recorded.")
        return Outcome(target, reply_due, early=True, reason=reason)
    return Outcome(target, reply_due, reason=reason)  # withdrawn
