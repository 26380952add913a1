"""Submission throughput and latency: `POST /api/v1/reports` with a full 2397 report against
the durable floor (`bench/durable_app.py`: Flask parses the same body, inserts it as one JSON
row and commits) and the bare stack (`bench/bare_app.py`: Flask parses it and answers 201).

Every target runs under gunicorn with the service's configuration (app/gunicorn_config.py)
and is driven by the same client (threads with keep-alive connections on loopback), warmed
up until its throughput stops rising, then measured; the stored reports and rows are
emptied before each run. A round runs every target once; rounds are repeated and the
services' order alternates, so that before and after share the machine's moods. Every
request stores a new report (an admin token, a distinct state and resolution each time), so
nothing is answered from a shortcut.

    .venv/bin/python bench/submission_throughput.py [--seconds 15] [--clients 8] [--repeat 3]
        [--backends sqlite,postgresql] [--service before=/path/to/checkout --service after=.]
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

from common import ROOT, databases, start_gunicorn, stop  # noqa: E402
from durable_app import FLOOR  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.catalogue import DATA_DIR  # noqa: E402
from app.extensions import db  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.services.authorities import create_authority  # noqa: E402
from app.services.catalogue import load_catalogue  # noqa: E402

COPIES = 60  # resolutions shaped like 2397: 193 x 60 distinct reports available
WARM_UP_SECONDS = 30


def bench_catalogue(folder: Path) -> Path:
    data = folder / "catalogue"
    shutil.copytree(DATA_DIR, data)
    regime = json.loads((DATA_DIR / "regimes" / "1718-dprk.json").read_text(encoding="utf-8"))
    template = next(r for r in regime["resolutions"] if r["number"] == 2397)
    copies = []
    for i in range(COPIES):
        number = 9100 + i
        # Every code of the resolution (obligations, requirements, stages) starts "2397/".
        copy = json.loads(json.dumps(template).replace('"2397/', f'"{number}/'))
        copy.update(number=number, symbol=f"S/RES/{number} (2017)")
        copies.append(copy)
    bench = {"format": regime["format"],
             "regime": {"code": "BENCH", "name": "Benchmark copies of 2397",
                        "committee": "Benchmark"},
             "resolutions": copies}
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


#: What each target stores; emptied before each run so that every run starts alike.
STORED = ("entry", "report_version", "audit_event", "idempotency_key", "report", "bench_floor")


def reset(engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(STORED)} RESTART IDENTITY CASCADE"))
        else:
            for table in STORED:
                conn.execute(text(f"DELETE FROM {table}"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def run_once(target: str, root: Path, env: dict[str, str], states: list[str],
             headers: dict[str, str], seconds: float, clients: int):
    """One gunicorn server for `target`, warmed up, then driven for `seconds`.

    gunicorn listens before its workers have imported the application (seconds for the
    service on a busy machine), so the warm-up drives the server second by second until its
    throughput stops rising (at most `WARM_UP_SECONDS`): only the steady state is measured."""
    process, port = start_gunicorn(target, env, root=root)
    try:
        bodies = bodies_queue(states, 193 * COPIES)
        previous = 0
        for _ in range(WARM_UP_SECONDS):
            rate, _, _ = drive(port, bodies, headers, 1, clients)
            if previous and rate <= previous * 1.2:
                break
            previous = max(rate, 1)
        return drive(port, bodies, headers, seconds, clients)
    finally:
        stop(process)


def measure(label: str, url: str, seconds: float, clients: int, repeat: int,
            services: list[tuple[str, Path]]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        upgrade(app)
        with app.app_context():
            load_catalogue(db.session, bench_catalogue(folder))
            token = create_authority(db.session, "bench admin", "admin", None).plaintext
            states = [row[0] for row in db.session.execute(
                text("SELECT iso3 FROM member_state ORDER BY iso3"))]
            FLOOR.create(db.engine)
            engine = db.engine
            # The access log at INFO, as in production (its lines go to /dev/null).
            env = {"DATABASE_URL": url, "RATELIMIT_ENABLED": "0", "LOG_LEVEL": "INFO"}
            headers = {"Authorization": f"Bearer {token}"}
            targets = [("bare Flask", "bench.bare_app:app", ROOT),
                       ("floor", "bench.durable_app:app", ROOT),
                       *((name, "wsgi:app", root) for name, root in services)]
            rates: dict[str, list[int]] = {name: [] for name, _, _ in targets}
            ratios: dict[str, list[float]] = {name: [] for name, _ in services}
            for round_ in range(repeat):
                # Interleaved: every target once per round, the services' order alternating.
                order = targets[:2] + (targets[2:] if round_ % 2 == 0 else targets[:1:-1])
                for name, target, root in order:
                    reset(engine)
                    engine.dispose()
                    rate, latencies, statuses = run_once(target, root, env, states, headers,
                                                         seconds, clients)
                    rates[name].append(rate)
                    p50 = statistics.median(latencies) * 1000
                    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
                    print(f"{label:10} round {round_ + 1} {name:10} {rate:5d} requests/s  "
                          f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  statuses {statuses}",
                          flush=True)
                for name, _ in services:
                    ratios[name].append(rates[name][-1] / rates["floor"][-1])
            engine.dispose()
        for name, runs in rates.items():
            print(f"{label:10} {name:10} median {statistics.median(runs):6.0f} requests/s  "
                  f"(runs {', '.join(map(str, runs))})", flush=True)
        for name, runs in ratios.items():
            print(f"{label:10} {name} / floor: median {statistics.median(runs):.2f}  "
                  f"(runs {', '.join(f'{r:.2f}' for r in runs)}; target >= 0.35)", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds; each runs every target once")
    parser.add_argument("--service", action="append", default=[], metavar="NAME=PATH",
                        help="a checkout of the service to measure (repeatable; default: "
                        "this one), e.g. --service before=../main --service after=.")
    args = parser.parse_args()
    services = [(name, Path(path).resolve()) for name, _, path in
                (spec.partition("=") for spec in args.service)] or [("service", ROOT)]
    for label, url in databases(args.backends.split(","), "submit"):
        measure(label, url, args.seconds, args.clients, args.repeat, services)


if __name__ == "__main__":
    main()
