"""The finding state machine (app.findings), called directly: every (from, to) pair, the
reply deadline and the early-publication rule."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import FindingStatus
from app.findings import (
    LEGAL,
    IllegalTransition,
    ReasonRequired,
    allowed_from,
    transition,
)

TODAY = dt.date(2026, 11, 29)
DUE = dt.date(2026, 12, 29)
EXPECTED_LEGAL = {
    ("draft", "shared"), ("shared", "published"),
    ("draft", "withdrawn"), ("shared", "withdrawn"), ("published", "withdrawn"),
}


@pytest.mark.parametrize(("start", "to"), list(itertools.product(FindingStatus, repeat=2)))
def test_every_pair_is_legal_or_refused_with_a_reason(start, to):
    kwargs = {"today": TODAY, "reply_due": DUE, "replied": True}
    if (start, to) in EXPECTED_LEGAL:
        outcome = transition(start, to, **kwargs)
        assert outcome.status == to
    else:
        with pytest.raises(IllegalTransition) as caught:
            transition(start, to, **kwargs)
        message = str(caught.value)
        assert message.endswith(".") and (f"From {start}:" in message
                                          or "Nothing follows" in message)
    assert set(LEGAL) == EXPECTED_LEGAL


def test_the_messages_name_what_is_wrong():
    with pytest.raises(IllegalTransition, match="shared with the State before it is published"):
        transition("draft", "published", today=TODAY)
    with pytest.raises(IllegalTransition, match="stays withdrawn. Nothing follows withdrawn"):
        transition("withdrawn", "shared", today=TODAY)
    with pytest.raises(IllegalTransition, match="shared already. From shared: published, "
                       "withdrawn"):
        transition("shared", "shared", today=TODAY)
    with pytest.raises(IllegalTransition, match="never goes back to draft"):
        transition("published", "draft", today=TODAY)
    assert allowed_from("published") == (FindingStatus.WITHDRAWN,)


@given(st.dates(min_value=dt.date(2006, 1, 1), max_value=dt.date(2100, 1, 1)),
       st.integers(min_value=1, max_value=3650))
def test_sharing_sets_the_reply_deadline(today, days):
    outcome = transition("draft", "shared", today=today, reply_days=days)
    assert outcome.reply_due == today + dt.timedelta(days=days)
    assert outcome.reply_due > today and not outcome.early


def test_the_reply_window_is_at_least_a_day():
    with pytest.raises(ValueError):
        transition("draft", "shared", today=TODAY, reply_days=0)


@given(offset=st.integers(min_value=-400, max_value=400), replied=st.booleans(),
       reason=st.one_of(st.none(), st.just(""), st.just("   "), st.text(min_size=1)))
def test_publication_before_the_deadline_needs_a_reply_or_a_reason(offset, replied, reason):
    today = DUE + dt.timedelta(days=offset)
    given_reason = reason.strip() if reason else None
    free = replied or today >= DUE
    if not free and not given_reason:
        with pytest.raises(ReasonRequired) as caught:
            transition("shared", "published", today=today, reply_due=DUE, replied=replied,
                       reason=reason)
        assert caught.value.pointer == "/reason" and DUE.isoformat() in str(caught.value)
        return
    outcome = transition("shared", "published", today=today, reply_due=DUE, replied=replied,
                         reason=reason)
    assert outcome.status == FindingStatus.PUBLISHED and outcome.reply_due == DUE
    assert outcome.early == (not free)
    assert outcome.reason == (given_reason if not free else None)


def test_publication_on_the_deadline_day_is_not_early():
    assert not transition("shared", "published", today=DUE, reply_due=DUE).early
    with pytest.raises(ReasonRequired):
        transition("shared", "published", today=DUE - dt.timedelta(days=1), reply_due=DUE)


@pytest.mark.parametrize("start", ["draft", "shared", "published"])
@pytest.mark.parametrize("reason", [None, "", "  Superseded by a later finding.  "])
def test_withdrawal_takes_an_optional_reason(start, reason):
    outcome = transition(start, "withdrawn", today=TODAY, reply_due=DUE, reason=reason)
    assert outcome.status == FindingStatus.WITHDRAWN
    assert outcome.reason == (reason.strip() or None if reason else None)
