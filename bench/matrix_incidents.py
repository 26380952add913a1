"""Compliance matrix server time with and without 10,000 incidents on record.

Builds the history of bench/compliance_matrix.py (193 states x 10 resolutions x 5 versions x
15 entries), times GET /api/v1/compliance in-process, then bulk-inserts N incidents (default
10,000; each with three parties, one vessel, obligations of the timed resolution, a third
of them seizures or inspections, a quarter acknowledged by a party) and times the same
requests again. By default the worst case: every incident engages the resolution whose
matrix is timed, so every one is counted; `--spread`: each engages one of the 10
resolutions. Prints both medians and their ratio (the floor: at most 1.2x).

    .venv/bin/python bench/matrix_incidents.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/matrix_incidents.py --backends sqlite --incidents 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import databases  # noqa: E402
from compliance_matrix import add_history, bench_catalogue  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.domain import IncidentKind, PartyRole  # noqa: E402
from app.extensions import db  # noqa: E402
from app.incidents import imo_check_digit  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.models import (  # noqa: E402
    Incident,
    IncidentAcknowledgement,
    IncidentObligation,
    IncidentParty,
    IncidentVersion,
    IncidentVessel,
    MemberState,
    Obligation,
    Resolution,
)
from app.services.authorities import create_authority  # noqa: E402
from app.services.incidents import refresh_derived  # noqa: E402

TIMED = 9000  # the resolution whose matrix is timed; every incident engages it


def add_incidents(app, count: int, seed: int, spread: bool = False) -> None:
    rng = random.Random(seed)
    kinds = list(IncidentKind)
    roles = list(PartyRole)
    with app.app_context():
        session = db.session
        states = session.scalars(select(MemberState.id)).all()
        resolutions = session.scalars(select(Resolution).where(Resolution.number >= TIMED)
                                      .order_by(Resolution.number)).all()
        if not spread:
            resolutions = resolutions[:1]
        obligations = {r.id: session.scalars(select(Obligation.id).where(
            Obligation.resolution_id == r.id)).all() for r in resolutions}
        engaging = [rng.choice(resolutions) for _ in range(count)]
        now = dt.datetime.now(dt.UTC)
        incidents, versions = [], []
        for n in range(1, count + 1):
            filer = rng.choice(states) if rng.random() < 0.5 else None
            incidents.append({"id": n, "public_id": f"i{n:020x}", "current_version": 1,
                              "recorded_by": "state" if filer else "panel",
                              "filed_by_state_id": filer, "first_recorded_at": now,
                              "is_demo": False, "created_at": now})
            occurred = engaging[n - 1].adopted_on + dt.timedelta(days=rng.randint(0, 3000))
            kind = rng.choice(kinds[:2]) if rng.random() < 0.33 else rng.choice(kinds)
            versions.append({"id": n, "incident_id": n, "number": 1, "received_at": now,
                             "kind": kind, "occurred_on": min(occurred, now.date()),
                             "visibility": "public" if rng.random() < 0.7 else "restricted",
                             "language": "en", "summary": "Benchmark incident",
                             "cargo": [], "sources": [], "document": {}})
        session.execute(insert(Incident), incidents)
        session.execute(insert(IncidentVersion), versions)
        parties, vessels, engaged, acks = [], [], [], []
        for n in range(1, count + 1):
            chosen = rng.sample(states, 3)
            for position, state in enumerate(chosen, start=1):
                role = PartyRole.INSPECTING_STATE if position == 1 else rng.choice(roles)
                parties.append({"version_id": n, "position": position, "state_id": state,
                                "role": role})
            prefix = f"{rng.randint(100000, 999999)}"
            vessels.append({"version_id": n, "position": 1,
                            "imo": prefix + str(imo_check_digit(prefix)), "name": "BENCH",
                            "flag": None})
            pool = obligations[engaging[n - 1].id]
            for position, obligation in enumerate(rng.sample(pool, 2), start=1):
                engaged.append({"version_id": n, "position": position,
                                "obligation_id": obligation})
            if rng.random() < 0.25:
                acks.append({"incident_id": n, "state_id": chosen[1], "acknowledged_at": now})
        for table, rows in ((IncidentParty, parties), (IncidentVessel, vessels),
                            (IncidentObligation, engaged), (IncidentAcknowledgement, acks)):
            for start in range(0, len(rows), 10000):
                session.execute(insert(table), rows[start:start + 10000])
        # What every write keeps, rebuilt here for the rows inserted in bulk.
        refresh_derived(session)
        session.commit()
        if db.engine.dialect.name == "postgresql":
            # Committed: statistics gathered in a transaction that rolls back are lost.
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))


def time_matrix(app, token: str, requests: int, spread: bool = False
                ) -> tuple[list[float], dict]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    times, body = [], {}
    for i in range(requests + 3):
        start = time.perf_counter()
        number = TIMED + (i % 10 if spread else 0)
        response = client.get(f"/api/v1/compliance?resolution={number}", headers=headers)
        elapsed = time.perf_counter() - start
        body = response.get_json()
        assert response.status_code == 200 and len(body["items"]) == 193
        if i >= 3:
            times.append(elapsed)
    return times, body


def run(url: str, label: str, requests: int, incidents: int, spread: bool) -> float:
    folder = Path(tempfile.mkdtemp(prefix="bench-incidents-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        upgrade(app)
        from app.services.catalogue import load_catalogue

        with app.app_context():
            load_catalogue(db.session, bench_catalogue(folder))
            token = create_authority(db.session, "bench panel", "panel", None).plaintext
        add_history(app, 5, seed=5)
        before, _ = time_matrix(app, token, requests, spread)
        start = time.perf_counter()
        add_incidents(app, incidents, seed=14, spread=spread)
        loaded = time.perf_counter() - start
        after, body = time_matrix(app, token, requests, spread)
        counted = sum(r["incidents"] or 0 for r in body["items"])
        flagged = sum(1 for r in body["items"] if "unreported_involvement" in r["flags"])
        without, with_ = statistics.median(before) * 1000, statistics.median(after) * 1000
        ratio = with_ / without
        where = ("10 resolutions, each engaged by about a tenth" if spread else
                 f"resolution {TIMED}, engaged by every incident")
        print(f"{label:10} matrix of {where}: without incidents median {without:6.1f} ms; "
              f"with {incidents} incidents (loaded in {loaded:4.1f} s; {counted} party "
              f"counts, {flagged} states flagged) median {with_:6.1f} ms, p90 "
              f"{statistics.quantiles(after, n=10)[-1] * 1000:6.1f} ms: {ratio:.2f}x",
              flush=True)
        with app.app_context():
            db.engine.dispose()
        return ratio
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--spread", action="store_true",
                        help="each incident engages one of the 10 resolutions (at random), and "
                        "the requests go round the 10 matrices")
    args = parser.parse_args()
    for label, url in databases(args.backends.split(","), "incidents"):
        run(url, label, args.requests, args.incidents, args.spread)


if __name__ == "__main__":
    main()
