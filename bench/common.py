"""What the benchmarks share: throwaway databases and a gunicorn server to measure."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import normalise_database_url  # noqa: E402


def databases(backends: list[str], label: str) -> Iterator[tuple[str, str]]:
    """(name, URL) of a new SQLite file and a new PostgreSQL database, each dropped after use.
    PostgreSQL is reached through BENCH_POSTGRES_URL."""
    if "sqlite" in backends:
        folder = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
        try:
            yield "sqlite", f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if "postgresql" in backends:
        admin_url = normalise_database_url(
            os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
        name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield "postgresql", make_url(admin_url).set(database=name).render_as_string(
                hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(target: str, env: dict[str, str], args: tuple[str, ...] = (),
                   root: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """`target` under gunicorn with the service's configuration, on a free loopback port;
    `args` are further gunicorn options; `root` is the checkout whose code runs."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_config", *args, target],
        cwd=root, env={**os.environ, "LOG_LEVEL": "WARNING", "GUNICORN_LOG_LEVEL": "warning",
                       **env, "BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(root)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"gunicorn {target} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(30)
