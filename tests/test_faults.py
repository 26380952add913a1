"""Faults on PostgreSQL with a real server: a connection cut or the server killed in the
middle of a submission leaves the report fully stored or absent, and a retry with the same
Idempotency-Key completes it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from app.extensions import db
from app.models import AuditEvent, IdempotencyKey, Report, ReportVersion
from tests.helpers import auth, free_port

pytestmark = pytest.mark.postgres_only
ROOT = Path(__file__).resolve().parent.parent



@pytest.fixture()
def gunicorn(app):
    """The service under gunicorn, on the test database, in a process of its own."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "IDEMPOTENCY_LOCK_SECONDS": "2", "RATELIMIT_ENABLED": "0"}
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "4", "-b",
               f"127.0.0.1:{port}", "--timeout", "60", "--no-control-socket", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not start")
    server = {"port": port, "process": process}
    yield server
    if server["process"].poll() is None:
        os.killpg(server["process"].pid, signal.SIGTERM)
        server["process"].wait(10)


def _post(port, body, headers, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("POST", "/api/v1/reports", body=json.dumps(body),
                 headers={"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


@pytest.fixture()
def lock(app):
    """`lock()` inserts, without committing, a report row for France answering 2397's
    general report: the server's INSERT of the same state, requirement and occasion then
    waits on the unique index, in the middle of the submission's transaction. The
    connection is returned; rolling it back lets the server go on."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    held = []

    def take():
        conn = engine.connect()
        conn.begin()
        conn.execute(text(
            "INSERT INTO report (public_id, state_id, resolution_id, answers, occasion, "
            "current_version, first_received_at, is_demo, created_at) "
            "SELECT 'r-lock', s.id, r.id, '2397/R-general', '', 1, now(), false, now() "
            "FROM member_state s, resolution r WHERE s.iso3 = 'FRA' AND r.number = 2397"
        ))
        held.append(conn)
        return conn

    yield take
    for conn in held:
        conn.rollback()
        conn.close()
    engine.dispose()


def _blocked_backend(app, timeout=20):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                pid = conn.execute(text(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE '%INSERT INTO report %' AND datname = current_database()"
                )).scalar()
            if pid:
                return pid
            time.sleep(0.05)
    finally:
        engine.dispose()
    pytest.fail("the submission never reached the database")


def _state(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Report)),
            db.session.scalar(select(func.count()).select_from(ReportVersion)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "report.create")),
            db.session.scalar(select(func.count()).select_from(IdempotencyKey)),
        )


def test_a_connection_cut_mid_submission_stores_nothing_and_a_retry_completes(
    app, gunicorn, lock, make_token, report_body
):
    token = make_token("reporter", "FRA")
    headers = auth(token, **{"Idempotency-Key": "cut-1"})
    lock = lock()
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(answer=_post(gunicorn["port"], report_body(), headers)))
    thread.start()
    pid = _blocked_backend(app)
    lock.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    lock.rollback()  # the conflicting row goes away
    thread.join(30)
    status, problem = result["answer"]
    assert status == 503, problem
    assert problem["type"].endswith("database-unavailable")
    assert _state(app)[:3] == (0, 0, 0)
    status, report = _post(gunicorn["port"], report_body(), headers)
    assert status == 201
    assert _state(app) == (1, 1, 1, 1)


def test_a_server_killed_mid_submission_stores_nothing_and_a_retry_completes(
    app, gunicorn, lock, make_token, report_body
):
    token = make_token("reporter", "FRA")
    headers = auth(token, **{"Idempotency-Key": "kill-1"})
    lock = lock()
    result = {}

    def submit():
        try:
            result["answer"] = _post(gunicorn["port"], report_body(), headers)
        except (OSError, http.client.HTTPException) as exc:
            result["error"] = exc

    thread = threading.Thread(target=submit)
    thread.start()
    _blocked_backend(app)
    os.killpg(gunicorn["process"].pid, signal.SIGKILL)
    gunicorn["process"].wait(10)
    lock.rollback()
    thread.join(30)
    assert "error" in result  # the client saw the connection die
    # PostgreSQL rolls back the dead server's transaction: nothing of the report remains.
    time.sleep(0.5)
    assert _state(app)[:3] == (0, 0, 0)

    # A new server; the dead request's claim on the key lapses after 2 seconds.
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "IDEMPOTENCY_LOCK_SECONDS": "2", "RATELIMIT_ENABLED": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    gunicorn["process"] = process
    answers = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, body = _post(port, report_body(), headers, timeout=5)
        except OSError:
            time.sleep(0.2)
            continue
        answers.append(status)
        if status == 201:
            break
        assert status == 409  # the claim of the killed request, until it lapses
        time.sleep(0.5)
    assert answers[-1] == 201
    assert _state(app) == (1, 1, 1, 1)
