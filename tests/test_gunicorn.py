"""The service under a real gunicorn with the bundled configuration (app/gunicorn_config.py):
what gunicorn itself answers, and what it leaves on the host."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent



@pytest.fixture(scope="module")
def served(app, tmp_path_factory):
    """gunicorn -c python:app.gunicorn_config wsgi:app, on the test database, with a home
    folder of its own (to see what it creates there)."""
    home = tmp_path_factory.mktemp("home")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"}
    env.update({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "HOME": str(home),
                "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2",
                "RATELIMIT_ENABLED": "0", "LOG_LEVEL": "WARNING"})
    command = [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_config", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not start")
    yield {"port": port, "home": home}
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers, body


def _assert_problem(status, headers, body, expected):
    assert status == expected, body[:300]
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == expected
    assert set(problem) >= {"type", "title", "status", "detail"}
    assert headers.get("x-content-type-options") == "nosniff"
    assert "server" not in headers


GET = b"GET /api/v1/regimes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"


def test_no_server_banner(served):
    for path in (b"/healthz", b"/api/v1/regimes", b"/nowhere"):
        status, headers, _ = _raw(served["port"], b"GET " + path + b" HTTP/1.1\r\n"
                                  b"Host: localhost\r\nConnection: close\r\n\r\n")
        assert status in (200, 404)
        assert "server" not in headers, headers


@pytest.mark.parametrize("request_bytes, status", [
    (GET + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    (GET + b"".join(b"X-H%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431),
    (b"GET /api/v1/regimes?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 414),
    (b"NOT A REQUEST LINE AT ALL\r\n\r\n", 400),
    (GET + b"Bad Header Name: x\r\n\r\n", 400),
    (b"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
     b"Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
], ids=["header-too-long", "too-many-headers", "request-line-too-long", "bad-request-line",
        "bad-header-name", "bad-chunk-size"])
def test_gunicorns_own_errors_are_problem_json(served, request_bytes, status):
    _assert_problem(*_raw(served["port"], request_bytes), status)


def test_a_chunked_body_over_the_limit_is_413(served, app, make_token):
    token = make_token("reporter", "FRA")
    limit = app.config["MAX_CONTENT_LENGTH"]
    payload = b'{"state": "' + b"x" * limit + b'"}'
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + 65536]), payload[i:i + 65536])
                       for i in range(0, len(payload), 65536)) + b"0\r\n\r\n"
    request = (b"POST /api/v1/reports/validate HTTP/1.1\r\nHost: localhost\r\n"
               b"Authorization: Bearer " + token.encode() + b"\r\n"
               b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
               b"Connection: close\r\n\r\n" + chunked)
    status, headers, body = _raw(served["port"], request)
    assert status == 413, body[:300]
    assert headers["content-type"] == "application/problem+json"
    # The same body within the limit is read whole (not truncated) and checked.
    small = json.dumps({"state": "FRA"}).encode()
    request = (b"POST /api/v1/reports/validate HTTP/1.1\r\nHost: localhost\r\n"
               b"Authorization: Bearer " + token.encode() + b"\r\n"
               b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
               b"Connection: close\r\n\r\n" + b"%x\r\n%s\r\n0\r\n\r\n" % (len(small), small))
    status, _, body = _raw(served["port"], request)
    assert status == 200, body[:300]
    assert json.loads(body)["valid"] is False


def test_no_control_socket_is_left_on_the_host(served):
    assert not (served["home"] / ".gunicorn").exists()
    assert list(served["home"].iterdir()) == []


def test_gunicorn_is_pinned_to_the_major_the_hooks_were_written_for():
    import tomllib

    import gunicorn

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = [d for d in project["project"]["dependencies"] if d.startswith("gunicorn")]
    assert pins == ["gunicorn>=27,<28"]
    assert gunicorn.version_info[0] == 27


def test_the_hooks_are_idempotent():
    from gunicorn import util
    from gunicorn.http import wsgi

    from app.http import gunicorn_hooks

    saved = (util.write_error, wsgi.Response.default_headers)
    try:
        gunicorn_hooks.install()
        once = wsgi.Response.default_headers
        gunicorn_hooks.install()
        assert wsgi.Response.default_headers is once
        assert util.write_error is gunicorn_hooks.problem_error
    finally:
        util.write_error, wsgi.Response.default_headers = saved
