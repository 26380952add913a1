"""Revision counters: bumped with the data in one transaction, never by a rolled-back one."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services import revisions, transaction
from app.services.catalogue import load_catalogue


def test_counters_start_at_zero_and_move_only_on_commit(app):
    with app.app_context():
        session = db.session
        assert revisions.current(session, ["state:XXA", "resolution:999001"]) == {
            "resolution:999001": 0, "state:XXA": 0}
        with transaction(session):
            revisions.touch(session, "state:XXA", "resolution:999001")
            revisions.touch(session, "state:XXA")
        assert revisions.current(session, ["state:XXA", "resolution:999001"]) == {
            "resolution:999001": 1, "state:XXA": 1}
        with pytest.raises(RuntimeError), transaction(session):
            revisions.touch(session, "state:XXA")
            raise RuntimeError("the write fails")
        assert revisions.current(session, ["state:XXA"]) == {"state:XXA": 1}
        with transaction(session):  # a later transaction does not inherit the failed scopes
            pass
        assert revisions.current(session, ["state:XXA"]) == {"state:XXA": 1}


def test_catalogue_load_bumps_the_catalogue_only_when_it_changes(app):
    with app.app_context():
        session = db.session
        before = revisions.current(session, [revisions.CATALOGUE])[revisions.CATALOGUE]
        load_catalogue(session)  # the fixture loaded it already: nothing changes
        assert revisions.current(session, [revisions.CATALOGUE])[revisions.CATALOGUE] == before
