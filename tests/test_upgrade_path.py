"""Upgrading a database with data in it, revision by revision, loses nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, inspect, select, text

from app.auth import COMMAND_LINE
from app.extensions import db
from app.migrations import current_revisions, downgrade, head_revisions, upgrade
from app.models import AuditEvent, Entry, MemberState, Report, ReportVersion
from app.services.authorities import create_authority
from app.services.catalogue import load_catalogue
from app.services.reports import backfill
from tests.helpers import auth, full_entry, insert_format_1_catalogue


def _revision(app):
    with app.app_context(), db.engine.connect() as conn:
        return current_revisions(conn)


def test_every_row_survives_the_upgrades_with_its_meaning(app_factory):
    app = app_factory("upgrade")
    upgrade(app, "0001")
    assert _revision(app) == {"0001"}
    with app.app_context():
        assert not inspect(db.engine).has_table("report")
        # The catalogue as the first release loaded it (data format 1).
        insert_format_1_catalogue(db.engine)
        obligations = _obligation_rows(db.engine)
        db.session.remove()

    upgrade(app, "0003")
    with app.app_context():
        assert _obligation_rows(db.engine) == obligations
        assert db.session.scalar(select(func.count()).select_from(MemberState)) == 193
        db.session.remove()

    upgrade(app)
    assert _revision(app) == head_revisions()
    with app.app_context():
        # Codes, summaries, weights and expected elements are untouched by the upgrade;
        # the revised catalogue comes with `catalogue load`.
        assert _obligation_rows(db.engine) == obligations
        report = load_catalogue(db.session)
        added_obligations = [a for a in report.added if a.startswith("obligation ")]
        assert added_obligations == ["obligation 2094/24", "obligation 2321/24",
                                     "obligation 2321/46"]
        assert len(report.added) == 3 + 16 + 2  # and the reporting requirements and stages
        token = create_authority(db.session, "Panel", "panel", None).plaintext
        resolution = app.test_client().get("/api/v1/resolutions/2397").get_json()
        body = {"state": "JPN", "resolution": 2397, "language": "ja",
                "received_at": "2018-03-01T09:00:00+09:00",
                "entries": [full_entry(o) for o in resolution["obligations"][:6]]}
        amended = {**body, "received_at": "2018-05-01T00:00:00Z",
                   "entries": [full_entry(o) for o in resolution["obligations"]]}
        backfill(db.session, COMMAND_LINE, [body, amended])
        obligations = _obligation_rows(db.engine)
        db.session.remove()

    # Down to the first schema with reports and up again: reports and catalogue survive.
    downgrade(app, "0002")
    assert _revision(app) == {"0002"}
    upgrade(app)
    with app.app_context():
        assert _obligation_rows(db.engine) == obligations
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1
        assert db.session.scalar(select(func.count()).select_from(ReportVersion)) == 2
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 6 + 8
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 3
        db.session.remove()
    client = app.test_client()
    matrix = client.get("/api/v1/compliance?resolution=2397&as_of=2018-03-31",
                        headers=auth(token)).get_json()
    japan = next(row for row in matrix["items"] if row["state"] == "JPN")
    assert japan["completeness"] == 75.0 and japan["on_time"] is True
    assert japan["first_received_at"] == "2018-03-01T00:00:00+00:00"
    report = client.get(f"/api/v1/reports/{japan['report_id']}", headers=auth(token)).get_json()
    assert report["version"] == 2 and report["completeness"] == 100.0
    first = client.get(f"/api/v1/reports/{japan['report_id']}/versions/1",
                       headers=auth(token)).get_json()
    assert first["document"] == body


def _obligation_rows(engine) -> dict[str, tuple]:
    """Obligations as stored, read with the columns every revision has."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, summary, weight, expects, verified FROM obligation"))
        return {code: (summary, weight, expects if isinstance(expects, list)
                       else json.loads(expects), bool(verified))
                for code, summary, weight, expects, verified in rows}
