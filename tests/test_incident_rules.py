"""Properties of the enforcement record's rules (`app/incidents.py`): identifiers and the
signals, over generated incidents (docs/incidents.md states each rule)."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.domain import FIGURE_OF_KIND, Figure, IncidentKind, PartyRole
from app.incidents import (
    OnRecord,
    hs_problem,
    imo_check_digit,
    imo_problem,
    inconsistencies,
    involvement,
    on_record,
    reporting_of,
)

STATES = ("EGY", "KHM", "PRK", "PAN", "SGP", "CHN")
OBLIGATIONS = ("1718/8(a)(i)", "2270/18", "2397/9", "2371/6")
FIGURES = tuple(Figure)
START = dt.date(2006, 7, 15)
END = dt.date(2026, 1, 1)

days = st.dates(min_value=START, max_value=END)


@st.composite
def incidents(draw) -> OnRecord:
    occurred = draw(days)
    parties = tuple(draw(st.lists(st.tuples(st.sampled_from(STATES),
                                            st.sampled_from(tuple(PartyRole))),
                                  min_size=1, max_size=8)))
    # Any State may have reported it, a party or not, on or after the day it happened.
    reporters = draw(st.sets(st.sampled_from(STATES)))
    reported_on = {state: occurred + dt.timedelta(days=draw(st.integers(0, 3000)))
                   for state in sorted(reporters)}
    return OnRecord(kind=draw(st.sampled_from(tuple(IncidentKind))), occurred_on=occurred,
                    parties=parties,
                    obligations=frozenset(draw(st.sets(st.sampled_from(OBLIGATIONS),
                                                       min_size=1))),
                    reported_on=reported_on)


records = st.lists(incidents(), max_size=12)
# Egypt's seizure of 2016-08-11 engaging 2270/18, reported by nobody (docs/incidents.md).
SEIZURE = OnRecord(kind=IncidentKind.SEIZURE, occurred_on=dt.date(2016, 8, 11),
                   parties=(("EGY", PartyRole.INSPECTING_STATE), ("PRK", PartyRole.ORIGIN)),
                   obligations=frozenset({"2270/18"}), reported_on={})
WINDOW_2270 = [dt.date(2016, 3, 2), dt.date(2017, 5, 10)]
windows = st.tuples(days, days).map(sorted)


# --- identifiers --------------------------------------------------------------------------

@given(st.integers(0, 999_999))
def test_every_prefix_has_exactly_one_seventh_digit(number):
    prefix = f"{number:06d}"
    check = imo_check_digit(prefix)
    assert imo_problem(prefix + str(check)) is None
    for digit in "0123456789":
        if digit != str(check):
            problem = imo_problem(prefix + digit)
            assert problem is not None and f"the seventh digit is {check}" in problem


@given(st.text(alphabet="0123456789", max_size=12).filter(lambda s: len(s) != 7)
       | st.text(min_size=7, max_size=7).filter(lambda s: not s.isascii() or not s.isdigit()))
def test_anything_but_seven_ascii_digits_is_no_imo_number(value):
    assert imo_problem(value) is not None


@given(st.text(alphabet="0123456789", max_size=14))
def test_hs_codes_are_two_four_or_six_digits(value):
    assert (hs_problem(value) is None) == (len(value) in (2, 4, 6))


@given(st.text(alphabet="0123456789", min_size=1, max_size=5),
       st.sampled_from(".- /Ax"), st.text(alphabet="0123456789", max_size=5))
def test_an_hs_code_with_anything_but_digits_fails(left, other, right):
    assert hs_problem(left + other + right) is not None


# --- who reported it ----------------------------------------------------------------------

@given(incidents(), st.sets(st.sampled_from(STATES), max_size=2))
def test_reported_and_unreported_partition_the_party_states_asked(incident, not_expected):
    reported, unreported = reporting_of(incident, not_expected)
    asked = [s for s in dict.fromkeys(s for s, _ in incident.parties) if s not in not_expected]
    assert not set(reported) & set(unreported)
    assert sorted(reported + unreported) == sorted(asked)
    assert len(reported + unreported) == len(asked)  # each State once
    # In the order the parties first name them.
    assert reported == [s for s in asked if s in reported]
    assert unreported == [s for s in asked if s in unreported]
    assert all(s in incident.reported_on for s in reported)
    assert not any(s in incident.reported_on for s in unreported)


@given(records, st.sampled_from(STATES), st.sets(st.sampled_from(OBLIGATIONS)))
@example([SEIZURE], "EGY", {"2270/18"})
def test_unreported_involvement_never_exceeds_involvement(record, state, obligations):
    found = involvement(record, state, obligations)
    assert 0 <= found.unreported <= found.incidents <= len(record)
    assert found.flagged == (found.unreported > 0)
    engaged = [i for i in record if state in i.party_states and i.obligations & obligations]
    assert found.incidents == len(engaged)
    assert found.unreported == sum(state not in i.reported_on for i in engaged)


# --- the record against a report's figures ------------------------------------------------

@st.composite
def declared_at_least(draw, record, state, window):
    """Figures (obligation, figure, value) each at least what the record holds, or None."""
    start, end = window
    figures = []
    for _ in range(draw(st.integers(0, 6))):
        obligation = draw(st.sampled_from(OBLIGATIONS))
        figure = draw(st.sampled_from(FIGURES))
        held = on_record(record, state, obligation, figure, start, end)
        figures.append((obligation, figure,
                        draw(st.none() | st.integers(held, held + 50))))
    return figures


@settings(max_examples=200)
@given(st.data(), records, st.sampled_from(STATES), windows)
def test_figures_at_or_above_the_record_are_consistent(data, record, state, window):
    figures = data.draw(declared_at_least(record, state, window))
    assert inconsistencies(figures, record, state, *window) == []


@given(records, st.sampled_from(STATES), windows,
       st.lists(st.tuples(st.sampled_from(OBLIGATIONS), st.sampled_from(FIGURES)),
                max_size=6))
def test_figures_left_out_declare_nothing(record, state, window, named):
    figures = [(obligation, figure, None) for obligation, figure in named]
    assert inconsistencies(figures, record, state, *window) == []


@given(records, st.sampled_from(STATES), windows, st.sampled_from(OBLIGATIONS),
       st.sampled_from(FIGURES))
@example([SEIZURE, SEIZURE], "EGY", WINDOW_2270, "2270/18", Figure.SEIZURES)
def test_a_figure_below_the_record_is_inconsistent_if_it_counts_incidents(
        record, state, window, obligation, figure):
    held = on_record(record, state, obligation, figure, *window)
    assert held == 0 or figure in FIGURE_OF_KIND.values()  # only seizures, inspections
    declared = max(held - 1, 0)  # a figure is never negative
    found = inconsistencies([(obligation, figure, declared)], record, state, *window)
    if held > 0:
        assert [(f.obligation, f.figure, f.declared, f.on_record) for f in found] == [
            (obligation, figure, held - 1, held)]
    else:
        assert found == []


@given(records, incidents(), st.sampled_from(STATES), st.sampled_from(OBLIGATIONS),
       st.sampled_from(FIGURES), windows)
@example([], SEIZURE, "EGY", "2270/18", Figure.SEIZURES, WINDOW_2270)
def test_adding_an_incident_never_lowers_the_record(record, extra, state, obligation, figure,
                                                    window):
    before = on_record(record, state, obligation, figure, *window)
    after = on_record([*record, extra], state, obligation, figure, *window)
    assert after in (before, before + 1)
    start, end = window
    counts = (FIGURE_OF_KIND.get(extra.kind) == figure
              and (state, PartyRole.INSPECTING_STATE) in extra.parties
              and obligation in extra.obligations and start <= extra.occurred_on <= end)
    assert after == before + counts
