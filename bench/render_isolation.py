"""Renders against the API: parallel worst-case profiles while timing `GET /api/v1/regimes`.

A PostgreSQL database holds Japan's report on resolution 2270 at the largest size validation
accepts (15 entries, every text field at its limit, evidence up to the 1 MiB body limit).
The service runs under gunicorn with `app/gunicorn_config.py`; for each threads-per-worker
setting, each run sends `--parallel` requests for Japan's profile at once, each with a
different `as_of` (so none is served from the cache), while one client requests
`/api/v1/regimes` every 50 ms. It prints what each profile request got and how long it
took, and the catalogue's latency before and during the renders.

    .venv/bin/python bench/render_isolation.py [--threads 1,2,4] [--runs 3] [--parallel 6]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from common import databases, start_gunicorn, stop

from app import create_app
from app.extensions import db
from app.migrations import upgrade
from app.services.authorities import create_authority
from app.services.catalogue import load_catalogue
from tests.helpers import worst_case_report


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def profile(port: int, headers: dict, n: int) -> tuple[int, str | None, float]:
    as_of = f"2018-{6 + n // 28:02d}-{n % 28 + 1:02d}"
    start = time.perf_counter()
    status, response_headers, _ = get(port, f"/api/v1/summaries/states/JPN.pdf?as_of={as_of}",
                                      headers)
    return status, response_headers.get("Retry-After"), time.perf_counter() - start


def regimes_latency(port: int, done: threading.Event, out: list[float]) -> None:
    while not done.is_set():
        start = time.perf_counter()
        status, _, _ = get(port, "/api/v1/regimes")
        assert status == 200
        out.append(time.perf_counter() - start)
        time.sleep(0.05)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare(url: str) -> str:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "LOG_LEVEL": "WARNING"})
    upgrade(app)
    with app.app_context():
        load_catalogue(db.session)
        admin = create_authority(db.session, "bench admin", "admin", None).plaintext
        panel = create_authority(db.session, "bench panel", "panel", None).plaintext
        db.session.remove()
    client = app.test_client()
    obligations = client.get("/api/v1/resolutions/2270").get_json()["obligations"]
    body = {**worst_case_report(obligations, "JPN", 2270), "received_at": "2018-03-01T10:00:00Z"}
    data = json.dumps(body)
    response = client.post("/api/v1/reports", data=data, content_type="application/json",
                           headers={"Authorization": f"Bearer {admin}"})
    assert response.status_code == 201, response.get_json()
    print(f"stored: Japan on 2270, {len(data.encode()):,} bytes of JSON, "
          f"{len(body['entries'])} entries")
    with app.app_context():
        db.engine.dispose()
    return panel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2,4")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=6)
    parser.add_argument("--render-timeout", type=int, default=60)
    args = parser.parse_args()
    for _, url in databases(["postgresql"], "render"):
        panel = prepare(url)
        headers = {"Authorization": f"Bearer {panel}"}
        day = 0
        for threads in [int(t) for t in args.threads.split(",")]:
            env = {"DATABASE_URL": url, "RATELIMIT_ENABLED": "0",
                   "GUNICORN_THREADS": str(threads),
                   "RENDER_TIMEOUT_SECONDS": str(args.render_timeout)}
            process, port = start_gunicorn("wsgi:app", env, ("--no-control-socket",))
            try:
                time.sleep(3)  # the workers load the application
                for _ in range(20):
                    get(port, "/api/v1/regimes")
                idle = []
                for _ in range(40):
                    start = time.perf_counter()
                    get(port, "/api/v1/regimes")
                    idle.append(time.perf_counter() - start)
                print(f"\n{threads} thread(s) per worker; regimes idle: median "
                      f"{statistics.median(idle) * 1000:.1f} ms, max {max(idle) * 1000:.1f} ms")
                for run in range(args.runs):
                    days = list(range(day + 1, day + 1 + args.parallel))
                    day += args.parallel

                    done, latencies = threading.Event(), []
                    poller = threading.Thread(target=regimes_latency,
                                              args=(port, done, latencies))
                    poller.start()
                    start = time.perf_counter()
                    with ThreadPoolExecutor(args.parallel) as pool:
                        results = list(pool.map(profile, [port] * len(days),
                                                [headers] * len(days), days))
                    wall = time.perf_counter() - start
                    done.set()
                    poller.join()
                    outcome = ", ".join(
                        f"{status}{'' if retry is None else f' (Retry-After {retry})'} "
                        f"{seconds:.1f}s" for status, retry, seconds in results)
                    print(f"run {run + 1}: all answered in {wall:.1f} s: {outcome}")
                    print(f"  regimes during the renders: {len(latencies)} requests, median "
                          f"{statistics.median(latencies) * 1000:.1f} ms, p95 "
                          f"{percentile(latencies, 0.95) * 1000:.1f} ms, max "
                          f"{max(latencies) * 1000:.1f} ms")
            finally:
                stop(process)


if __name__ == "__main__":
    main()
