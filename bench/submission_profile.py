"""Where a submission's time goes: `POST /api/v1/reports` with the full reports of
`bench/submission_throughput.py`, in-process through Flask's test client (no network, no
gunicorn), on a fresh database.

Prints the SQL statements one submission sends (counted with SQLAlchemy's
`before_cursor_execute` event, plus the connection checkouts, each of which costs a
`pool_pre_ping` round trip), the time per request without a profiler (wall clock, and the
process's own CPU time, which other load on the machine disturbs much less), then a cProfile
run: its own time grouped by package (marshmallow's share among them) and the top functions.

    .venv/bin/python bench/submission_profile.py [--requests 300] [--backends postgresql]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import databases  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from submission_throughput import bench_catalogue, bodies_queue  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.services.authorities import create_authority  # noqa: E402
from app.services.catalogue import load_catalogue  # noqa: E402

#: How cProfile's own time is grouped: the first of these found in a function's file name.
GROUPS = ("marshmallow", "sqlalchemy", "psycopg", "sqlite3", "werkzeug", "flask_smorest",
          "flask_limiter", "limits", "flask", "json", "logging", "/app/", "/schemas/")


def group_of(filename: str) -> str:
    for name in GROUPS:
        if name in filename:
            return name.strip("/")
    return "other (stdlib, builtins)"


def run(label: str, url: str, requests: int, show: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        upgrade(app)
        with app.app_context():
            load_catalogue(db.session, bench_catalogue(folder))
            token = create_authority(db.session, "bench admin", "admin", None).plaintext
            states = [row[0] for row in db.session.execute(
                text("SELECT iso3 FROM member_state ORDER BY iso3"))]
            engine = db.engine
        bodies = bodies_queue(states, 3 * requests + 10)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        client = app.test_client()

        def post() -> None:
            response = client.post("/api/v1/reports", data=bodies.get_nowait(),
                                   headers=headers)
            assert response.status_code == 201, response.get_json()

        for _ in range(5):
            post()  # warm-up: first-request costs, caches

        statements: list[str] = []
        checkouts = Counter()

        def count(conn, cursor, statement, *args) -> None:  # noqa: ARG001
            statements.append(" ".join(statement.split())[:110])

        def checkout(*args) -> None:  # noqa: ARG001
            checkouts["checkouts"] += 1

        event.listen(engine, "before_cursor_execute", count)
        event.listen(engine.pool, "checkout", checkout)
        post()
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine.pool, "checkout", checkout)
        print(f"{label}: {len(statements)} statements and {checkouts['checkouts']} connection "
              "checkouts (each with a pre-ping round trip) per submission", flush=True)
        if show:
            for statement in statements:
                print(f"    {statement}")

        began, cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            post()
        plain = (time.perf_counter() - began) / requests * 1000
        cpu = (time.process_time() - cpu) / requests * 1000
        print(f"{label}: {plain:.2f} ms per submission in-process, of which {cpu:.2f} ms of "
              f"this process's CPU, no profiler ({requests} requests)", flush=True)

        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            post()
        profiler.disable()
        profiled = (time.perf_counter() - began) / requests * 1000
        stats = pstats.Stats(profiler)
        own: Counter[str] = Counter()
        for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
            own[group_of(filename)] += tottime
        total = sum(own.values())
        print(f"{label}: {profiled:.2f} ms per submission under cProfile; own time by package:")
        for name, seconds in own.most_common():
            print(f"    {name:26} {seconds / requests * 1000:6.2f} ms  {seconds / total:6.1%}")
        cumulative = {}
        for (filename, _line, name), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
            if "marshmallow" in filename and name in ("load", "_do_load"):
                cumulative[f"{Path(filename).name}:{name}"] = cum
        for name, seconds in sorted(cumulative.items()):
            print(f"    cumulative {name:30} {seconds / requests * 1000:6.2f} ms")
        if show:
            stats.sort_stats("cumulative").print_stats(45)
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument("--quiet", action="store_true",
                        help="figures only, without the statements and the top functions")
    args = parser.parse_args()
    for label, url in databases(args.backends.split(","), "profile"):
        run(label, url, args.requests, not args.quiet)


if __name__ == "__main__":
    main()
