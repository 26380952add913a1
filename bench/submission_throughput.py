"""Submission throughput and latency: `POST /api/v1/reports` with a full 2397 report against a
bare Flask endpoint that parses the same body and answers 201.

Both run under gunicorn with the service's configuration (app/gunicorn_config.py) and are
driven by the same client (threads with keep-alive connections on loopback) in one run, on
SQLite and on PostgreSQL. Every request stores a new report (an admin token, a distinct state
and resolution each time), so nothing is answered from a shortcut.

    .venv/bin/python bench/submission_throughput.py [--seconds 15] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import databases, start_gunicorn, stop  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.catalogue import DATA_DIR  # noqa: E402
from app.extensions import db  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.services.authorities import create_authority  # noqa: E402
from app.services.catalogue import load_catalogue  # noqa: E402

COPIES = 60  # resolutions shaped like 2397: 193 x 60 distinct reports available


def bench_catalogue(folder: Path) -> Path:
    data = folder / "catalogue"
    shutil.copytree(DATA_DIR, data)
    regime = json.loads((DATA_DIR / "regimes" / "1718-dprk.json").read_text(encoding="utf-8"))
    template = next(r for r in regime["resolutions"] if r["number"] == 2397)
    copies = []
    for i in range(COPIES):
        number = 9100 + i
        copy = json.loads(json.dumps(template))
        copy.update(number=number, symbol=f"S/RES/{number} (2017)")
        for obligation in copy["obligations"]:
            obligation["code"] = obligation["code"].replace("2397/", f"{number}/")
        copies.append(copy)
    bench = {"format": 1, "regime": {"code": "BENCH", "name": "Benchmark copies of 2397",
                                     "committee": "Benchmark"}, "resolutions": copies}
    (data / "regimes" / "bench.json").write_text(json.dumps(bench), encoding="utf-8")
    return data


def full_report(state: str, number: int) -> bytes:
    entries = [{
        "obligation": f"{number}/{code}", "status": "implemented",
        "legal_basis": "Sanctions (Democratic People's Republic of Korea) Regulations 2018, "
                       "regulations 4 to 12, and the Customs and Excise Act, section 32",
        "competent_authority": "Ministry of Foreign Affairs; Customs and Border Service; "
                               "Financial Intelligence Unit",
        "measures": "Licensing of listed goods, risk-based screening of all cargo to and from "
                    "the DPRK, inspection of suspect vessels in port, designation of listed "
                    "persons and entities, outreach to shipping and insurance firms. " * 3,
        "enforcement": {"inspections": 42, "seizures": 2, "designations": 5,
                        "violations_reported": 1},
        "evidence": [{"title": "Official Gazette", "reference": "OG 2018/117"},
                     {"title": "Customs notice", "reference": "CN-2018-04"}],
        "justification": None, "notes": "Figures for the twelve months to 31 March 2018.",
    } for code in ("4", "5", "6", "7", "8", "9", "14", "u1")]
    body = {"state": state, "resolution": number, "language": "en",
            "reference": f"S/AC.49/2018/{state}", "dated": "2018-03-19", "entries": entries}
    return json.dumps(body).encode()


def drive(port: int, bodies: queue.Queue, headers: dict[str, str], seconds: float,
          clients: int) -> tuple[int, list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        while time.perf_counter() < stop_at:
            try:
                body = bodies.get_nowait()
            except queue.Empty:
                break
            start = time.perf_counter()
            conn.request("POST", "/api/v1/reports", body=body,
                         headers={"Content-Type": "application/json", **headers})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            codes[response.status] = codes.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return round(len(latencies) / elapsed), latencies, statuses


def bodies_queue(states: list[str], limit: int) -> queue.Queue:
    q: queue.Queue = queue.Queue()
    count = 0
    for number in range(9100, 9100 + COPIES):
        for state in states:
            q.put(full_report(state, number))
            count += 1
            if count >= limit:
                return q
    return q


def measure(label: str, url: str, seconds: float, clients: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        upgrade(app)
        with app.app_context():
            load_catalogue(db.session, bench_catalogue(folder))
            token = create_authority(db.session, "bench admin", "admin", None).plaintext
            states = [row[0] for row in db.session.execute(
                text("SELECT iso3 FROM member_state ORDER BY iso3"))]
            db.engine.dispose()
        env = {"DATABASE_URL": url, "RATELIMIT_ENABLED": "0"}
        results = {}
        for name, target in (("bare Flask", "bench.bare_app:app"), ("service", "wsgi:app")):
            process, port = start_gunicorn(target, env)
            try:
                warm = bodies_queue(states[:5], 5) if name == "bare Flask" else None
                drive(port, warm or queue.Queue(), {"Authorization": f"Bearer {token}"}, 2, 1)
                bodies = bodies_queue(states, 193 * COPIES)
                rate, latencies, statuses = drive(
                    port, bodies, {"Authorization": f"Bearer {token}"}, seconds, clients)
            finally:
                stop(process)
            p50 = statistics.median(latencies) * 1000
            p99 = statistics.quantiles(latencies, n=100)[98] * 1000
            results[name] = rate
            print(f"{label:10} {name:10} {rate:5d} requests/s  p50 {p50:6.1f} ms  "
                  f"p99 {p99:6.1f} ms  statuses {statuses}", flush=True)
        ratio = results["service"] / results["bare Flask"]
        print(f"{label:10} service / bare throughput: {ratio:.2f} (target >= 0.35)", flush=True)
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for label, url in databases(args.backends.split(","), "submit"):
        measure(label, url, args.seconds, args.clients)


if __name__ == "__main__":
    main()
