"""Compliance matrix server time as the report history grows tenfold.

Builds a history of 193 states x 10 resolutions x V versions x 15 entries (V = 5, then 50),
and times GET /api/v1/compliance in-process (server time, no network) on SQLite and on
PostgreSQL. Prints per-request medians and the growth ratio measured in the same run.

    .venv/bin/python bench/compliance_matrix.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/compliance_matrix.py --backends sqlite --requests 50

PostgreSQL is reached through BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1/postgres);
the script creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import databases, start_gunicorn, stop  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.catalogue import DATA_DIR  # noqa: E402
from app.extensions import db  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.models import Entry, MemberState, Obligation, Report, ReportVersion, Resolution  # noqa: E402
from app.services.authorities import create_authority  # noqa: E402
from app.services.catalogue import load_catalogue  # noqa: E402

RESOLUTIONS = 10
OBLIGATIONS = 15
RATINGS = ("complete", "largely_complete", "partially_complete", "incomplete")


def bench_catalogue(folder: Path) -> Path:
    """The bundled Member States plus a regime of 10 resolutions with 15 obligations each."""
    data = folder / "catalogue"
    (data / "regimes").mkdir(parents=True)
    shutil.copy(DATA_DIR / "member_states.json", data / "member_states.json")
    resolutions = []
    for r in range(RESOLUTIONS):
        number = 9000 + r
        resolutions.append({
            "number": number, "year": 2010 + r, "symbol": f"S/RES/{number} ({2010 + r})",
            "adopted_on": f"{2010 + r}-03-01", "title": "Benchmark resolution",
            "meeting": None, "meeting_note": None,
            "reporting_deadline_days": 90, "reporting_deadline_verified": False,
            "reporting_paragraph": None, "reporting_paragraph_verified": False,
            "reporting_note": None, "sources": ["Benchmark"], "note": None,
            "reporting_requirements": [{
                "code": f"{number}/R-general", "paragraph": None, "kind": "once",
                "due_days_after_adoption": 90,
                "due": (dt.date(2010 + r, 3, 1) + dt.timedelta(days=90)).isoformat(),
                "stages": None, "period_days": None, "trigger": None, "applies_to": "all",
                "binding": False, "verified": False, "source": "Benchmark",
                "verification_note": "Benchmark data", "obligations": "all",
            }],
            "obligations": [{
                "code": f"{number}/{p + 1}", "paragraph": str(p + 1), "category": "bench",
                "summary": "Benchmark obligation", "binding": True, "weight": 2,
                "expects": ["legal_basis", "competent_authority", "measures", "enforcement"],
                "verified": False, "source": "Benchmark", "verification_note": "Benchmark",
            } for p in range(OBLIGATIONS)],
        })
    doc = {"format": 2, "regime": {"code": "BENCH", "name": "Benchmark",
                                   "committee": "Benchmark committee", "target_state": None,
                                   "description": None},
           "sources": ["Benchmark"], "resolutions": resolutions}
    (data / "regimes" / "bench.json").write_text(json.dumps(doc), encoding="utf-8")
    return data


def add_history(app, versions_per_report: int, seed: int) -> int:
    """Bulk-insert reports so each (state, resolution) has `versions_per_report` versions."""
    rng = random.Random(seed)
    with app.app_context():
        session = db.session
        states = session.scalars(select(MemberState.id)).all()
        resolutions = session.scalars(select(Resolution).where(Resolution.number >= 9000)).all()
        obligations = {r.id: session.scalars(select(Obligation.id)
                                             .where(Obligation.resolution_id == r.id)).all()
                       for r in resolutions}
        codes = {r.id: session.scalars(select(Obligation.code)
                                       .where(Obligation.resolution_id == r.id)
                                       .order_by(Obligation.id)).all()
                 for r in resolutions}
        existing = {(row.state_id, row.resolution_id): (row.id, row.current_version)
                    for row in session.execute(select(Report.id, Report.state_id,
                                                      Report.resolution_id,
                                                      Report.current_version))}
        version_rows, entry_payload = [], []
        next_report_id = (session.scalar(select(Report.id).order_by(Report.id.desc()).limit(1))
                          or 0) + 1
        report_rows = []
        for state_id in states:
            for resolution in resolutions:
                key = (state_id, resolution.id)
                base = dt.datetime.combine(resolution.adopted_on, dt.time(), dt.UTC)
                if key in existing:
                    report_id, have = existing[key]
                else:
                    report_id, have = next_report_id, 0
                    next_report_id += 1
                    report_rows.append({
                        "id": report_id, "public_id": uuid.uuid4().hex[:20], "state_id": state_id,
                        "resolution_id": resolution.id, "current_version": versions_per_report,
                        "first_received_at": base + dt.timedelta(days=60), "is_demo": False,
                        "created_at": base, "answers": f"{resolution.number}/R-general",
                        "occasion": "",
                    })
                for number in range(have + 1, versions_per_report + 1):
                    completeness = round(rng.uniform(0, 100), 1)
                    version_rows.append({
                        "report_id": report_id, "number": number,
                        "received_at": base + dt.timedelta(days=60 + 20 * number),
                        "language": "en", "document": {"entries": []},
                        "completeness": completeness, "rating": rng.choice(RATINGS),
                        "score_method": "completeness-1", "score": {},
                        "content_flags": ["incomplete"] if completeness < 70 else [],
                        # As the service writes it: the inspections figure of each entry.
                        "figures": [[code, "inspections", 3] for code in codes[resolution.id]],
                    })
                    entry_payload.append(obligations[resolution.id])
        if report_rows:
            session.execute(insert(Report), report_rows)
        session.execute(
            Report.__table__.update().values(current_version=versions_per_report)
        )
        session.flush()
        ids = []
        for chunk in range(0, len(version_rows), 5000):
            batch = version_rows[chunk:chunk + 5000]
            result = session.execute(insert(ReportVersion).returning(ReportVersion.id), batch)
            ids.extend(result.scalars().all())
        entries = []
        for version_id, obligation_ids in zip(ids, entry_payload, strict=True):
            for position, obligation_id in enumerate(obligation_ids, start=1):
                entries.append({
                    "version_id": version_id, "obligation_id": obligation_id,
                    "position": position, "status": "implemented", "legal_basis": "Act",
                    "competent_authority": "Customs", "measures": "Inspections",
                    "inspections": 3, "evidence": [],
                })
            if len(entries) >= 20000:
                session.execute(insert(Entry), entries)
                entries = []
        if entries:
            session.execute(insert(Entry), entries)
        session.commit()
        if db.engine.dialect.name == "postgresql":
            # Committed: statistics gathered in a transaction that rolls back are lost.
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        return len(version_rows)


def time_matrix(app, token: str, requests: int) -> list[float]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for i in range(requests + 3):
        number = 9000 + i % RESOLUTIONS
        start = time.perf_counter()
        response = client.get(f"/api/v1/compliance?resolution={number}", headers=headers)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and len(response.get_json()["items"]) == 193
        if i >= 3:  # warm-up
            times.append(elapsed)
    return times


def time_matrix_http(url: str, token: str, requests: int) -> list[float]:
    """The same requests against gunicorn (the service's configuration) over loopback."""
    import http.client

    server, port = start_gunicorn("wsgi:app", {"DATABASE_URL": url, "RATELIMIT_ENABLED": "0"})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times = []
        for i in range(requests + 6):
            start = time.perf_counter()
            conn.request("GET", f"/api/v1/compliance?resolution={9000 + i % RESOLUTIONS}",
                         headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - start
            assert response.status == 200 and len(json.loads(body)["items"]) == 193
            if i >= 6:  # every worker warmed up
                times.append(elapsed)
        conn.close()
        return times
    finally:
        stop(server)


def run(url: str, label: str, requests: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-matrix-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        upgrade(app)
        with app.app_context():
            load_catalogue(db.session, bench_catalogue(folder))
            token = create_authority(db.session, "bench panel", "panel", None).plaintext
        results = {}
        total = 0
        for versions in (5, 50):
            start = time.perf_counter()
            total += add_history(app, versions, seed=versions)
            load_seconds = time.perf_counter() - start
            times = time_matrix(app, token, requests)
            median = statistics.median(times) * 1000
            p90 = statistics.quantiles(times, n=10)[-1] * 1000
            results[versions] = median
            print(f"{label:10} versions/report={versions:3} history={total:6} versions "
                  f"({total * OBLIGATIONS:8} entries; loaded in {load_seconds:5.1f} s)  "
                  f"matrix median {median:6.1f} ms  p90 {p90:6.1f} ms", flush=True)
            over_http = time_matrix_http(url, token, requests)
            results[f"http{versions}"] = statistics.median(over_http) * 1000
            print(f"{label:10} versions/report={versions:3} through gunicorn over loopback: "
                  f"median {statistics.median(over_http) * 1000:6.1f} ms  p90 "
                  f"{statistics.quantiles(over_http, n=10)[-1] * 1000:6.1f} ms", flush=True)
        ratio = results[50] / results[5]
        print(f"{label:10} growth of matrix time for 10x history: {ratio:.2f}x in-process, "
              f"{results['http50'] / results['http5']:.2f}x through gunicorn", flush=True)
        with app.app_context():
            db.engine.dispose()
        return {"small_ms": results[5], "large_ms": results[50], "ratio": ratio}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    for label, url in databases(args.backends.split(","), "matrix"):
        run(url, label, args.requests)


if __name__ == "__main__":
    main()
