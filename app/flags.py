"""Timeliness and lax-enforcement flags: pure functions of the data (no Flask, no database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .domain import IMPLEMENTING_STATUSES, INCOMPLETE_BELOW, Element, EntryStatus, Flag
from .scoring import EntryData, has_element

FLAG_ORDER = tuple(Flag)


@dataclass(frozen=True)
class Timeliness:
    deadline: dt.date | None
    on_time: bool | None
    days_late: int | None


def timeliness_against(due: dt.date | None, first_received_at: dt.datetime) -> Timeliness:
    """On time when the first version was received (UTC date) on or before `due`."""
    if due is None:
        return Timeliness(None, None, None)
    received = first_received_at.astimezone(dt.UTC).date()
    late_by = (received - due).days
    return Timeliness(due, late_by <= 0, max(late_by, 0))


def content_flags(completeness: float, entries: Iterable[EntryData]) -> list[str]:
    """Flags that follow from one version's content alone."""
    entries = list(entries)
    flags = set()
    if completeness < INCOMPLETE_BELOW:
        flags.add(Flag.INCOMPLETE)
    if any(e.status == EntryStatus.NOT_IMPLEMENTED for e in entries):
        flags.add(Flag.DECLARED_NOT_IMPLEMENTED)
    if any(
        e.status in IMPLEMENTING_STATUSES
        and not has_element(e, Element.LEGAL_BASIS)
        and not has_element(e, Element.COMPETENT_AUTHORITY)
        for e in entries
    ):
        flags.add(Flag.UNSUBSTANTIATED)
    return [f for f in FLAG_ORDER if f in flags]


def report_flags(version_flags: Iterable[str], on_time: bool | None) -> list[str]:
    """A reported state's flags: its latest version's content flags, and `late`."""
    flags = set(version_flags)
    if on_time is False:
        flags.add(Flag.LATE)
    return [f for f in FLAG_ORDER if f in flags]


def unreported_flags(deadline: dt.date | None, as_of: dt.date) -> list[str]:
    """A state with no report: `not_reported`, and `late` once the deadline has passed."""
    flags: list[str] = [Flag.NOT_REPORTED]
    if deadline is not None and as_of > deadline:
        flags.append(Flag.LATE)
    return flags
