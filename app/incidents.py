"""The enforcement record's rules, as pure functions: identifiers (IMO numbers, HS codes) and
the lax-enforcement signals incidents give. No Flask, no database; docs/incidents.md states
each rule with worked examples, tests/test_incident_rules.py checks them with properties.

Signals are facts, not verdicts:
- a party State that neither filed an incident nor acknowledged it has not reported it
  (`unreported_by`; per State and resolution, `unreported_incidents` and the flag
  `unreported_involvement`);
- a report entry whose enforcement figure (seizures, inspections) is lower than the number
  of incidents of that kind on record for the State (as inspecting State), the entry's
  obligation and the report's window is inconsistent with the record (the flag
  `inconsistent_with_record`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from .domain import FIGURE_OF_KIND, PartyRole

IMO_RE = re.compile(r"[0-9]{7}")
HS_RE = re.compile(r"[0-9]{2}(?:[0-9]{2}){0,2}")
IMO_WEIGHTS = (7, 6, 5, 4, 3, 2)


def imo_check_digit(first_six: str) -> int:
    """The seventh digit of an IMO ship number: each of the first six digits times 7, 6, 5,
    4, 3, 2, summed, modulo 10 (9074729: 9×7+0×6+7×5+4×4+7×3+2×2 = 139 → 9)."""
    if len(first_six) != 6 or not first_six.isdigit():
        raise ValueError("six digits expected")
    return sum(int(d) * w for d, w in zip(first_six, IMO_WEIGHTS, strict=True)) % 10


def imo_problem(value: str) -> str | None:
    """Why `value` is not an IMO ship number, or None when it is one."""
    if not IMO_RE.fullmatch(value):
        return "An IMO number is 7 digits (without the letters IMO)."
    expected = imo_check_digit(value[:6])
    if int(value[6]) != expected:
        return (f"{value} fails the IMO check digit: for {value[:6]} the seventh digit is "
                f"{expected}, not {value[6]}.")
    return None


def hs_problem(value: str) -> str | None:
    """Why `value` is not a Harmonized System code (chapter, heading or subheading: 2, 4 or
    6 digits, no dots), or None when it is one."""
    if HS_RE.fullmatch(value):
        return None
    return "An HS code is 2, 4 or 6 digits (chapter, heading or subheading), without dots."


@dataclass(frozen=True, slots=True)
class OnRecord:
    """An incident as the signals see it: its kind, when it began, its parties (State,
    role), the obligations it engages, and when each party State reported it (filed it or
    acknowledged it)."""

    kind: str
    occurred_on: dt.date
    parties: tuple[tuple[str, str], ...]
    obligations: frozenset[str]
    reported_on: Mapping[str, dt.date]

    @property
    def party_states(self) -> tuple[str, ...]:
        """Each party State once, in the order first named."""
        return tuple(dict.fromkeys(state for state, _ in self.parties))


def reporting_of(incident: OnRecord, not_expected: Collection[str] = ()
                 ) -> tuple[list[str], list[str]]:
    """(reported_by, unreported_by): the party States that filed or acknowledged the
    incident, and those that did not. States in `not_expected` (the target State of a
    regime whose obligations the incident engages, which is not asked to report) are in
    neither list."""
    reported: list[str] = []
    unreported: list[str] = []
    for state in incident.party_states:
        if state in not_expected:
            continue
        (reported if state in incident.reported_on else unreported).append(state)
    return reported, unreported


def days_to_report(incident: OnRecord, state: str) -> int | None:
    """Days from the incident to the State's report of it (filing or acknowledgement); None
    when it has not reported it."""
    on = incident.reported_on.get(state)
    return None if on is None else (on - incident.occurred_on).days


@dataclass(frozen=True, slots=True)
class Involvement:
    """A State's incidents on record for one resolution: how many, and how many it has not
    reported."""

    incidents: int
    unreported: int

    @property
    def flagged(self) -> bool:
        """`unreported_involvement`: at least one incident the State has not reported."""
        return self.unreported > 0


def involvement(incidents: Iterable[OnRecord], state: str,
                obligations: Collection[str]) -> Involvement:
    """The incidents naming `state` as a party and engaging any of `obligations` (a
    resolution's), and those among them it has not reported."""
    count = unreported = 0
    for incident in incidents:
        if state not in incident.party_states or incident.obligations.isdisjoint(obligations):
            continue
        count += 1
        if state not in incident.reported_on:
            unreported += 1
    return Involvement(count, unreported)


def on_record(incidents: Iterable[OnRecord], state: str, obligation: str, figure: str,
              start: dt.date, end: dt.date) -> int:
    """How many incidents the record holds for `state` as inspecting State, of the kind the
    enforcement `figure` counts (a seizure for `seizures`, an inspection for `inspections`),
    engaging `obligation`, that began between `start` and `end` (both included)."""
    return sum(
        1 for incident in incidents
        if FIGURE_OF_KIND.get(incident.kind) == figure
        and (state, PartyRole.INSPECTING_STATE) in incident.parties
        and obligation in incident.obligations
        and start <= incident.occurred_on <= end
    )


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """A figure a report declared that is lower than the record."""

    obligation: str
    figure: str
    declared: int
    on_record: int


def inconsistencies(figures: Iterable[tuple[str, str, int | None]],
                    incidents: Collection[OnRecord], state: str, start: dt.date,
                    end: dt.date) -> list[Inconsistency]:
    """Each declared figure — (obligation, figure name, value) of the report's entries —
    lower than the incidents on record for the State, that obligation and the report's
    window [start, end]. A figure left out (None) declares nothing and is never
    inconsistent; only figures that count incidents (seizures, inspections) are compared."""
    counted = set(FIGURE_OF_KIND.values())
    found = []
    for obligation, figure, declared in figures:
        if declared is None or figure not in counted:
            continue
        recorded = on_record(incidents, state, obligation, figure, start, end)
        if declared < recorded:
            found.append(Inconsistency(obligation, figure, declared, recorded))
    return found
