"""Hostile requests beyond single fields: each gets a clear 4xx and nothing is half written."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Entry, Report, ReportVersion
from tests.helpers import auth

SQL = "'; DROP TABLE report; --"
HTML = '<script>alert(1)</script><img src=x onerror="alert(2)">'
FRAGMENTS = [SQL, HTML, "1 OR 1=1", "\" OR \"\"=\"", "${jndi:ldap://127.0.0.1/x}",
             "{{7*7}}", "../../etc/passwd", "%00", "\u202eevil"]


@pytest.fixture()
def fra(make_token):
    return make_token("reporter", "FRA")


def _nothing_stored(app):
    with app.app_context():
        for model in (Report, ReportVersion, Entry):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_sql_and_html_fragments_in_every_text_field_are_stored_as_text(
    app, client, fra, report_body
):
    body = report_body(reference=SQL[:200])
    for index, entry in enumerate(body["entries"]):
        fragment = FRAGMENTS[index % len(FRAGMENTS)]
        for field in ("legal_basis", "competent_authority", "measures", "notes"):
            entry[field] = f"{fragment} ({field})"
        entry["evidence"] = [{"title": fragment, "reference": SQL}]
    created = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert created.status_code == 201
    report = client.get(created.headers["Location"], headers=auth(fra)).get_json()
    for sent, got in zip(body["entries"], report["entries"], strict=True):
        for field in ("legal_basis", "competent_authority", "measures", "notes", "evidence"):
            assert got[field] == sent[field]
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM report")).scalar() == 1
    # Fragments in query parameters are values, not SQL.
    r = client.get(f"/api/v1/reports?state={SQL}", headers=auth(fra))
    assert r.status_code == 422
    r = client.get("/api/v1/resolutions", query_string={"regime": SQL[:32]})
    assert r.status_code == 422  # no such regime: the value was compared, not run
    assert [e["pointer"] for e in r.get_json()["errors"]] == ["regime"]
    assert client.get("/api/v1/resolutions").get_json()["total"] == 17


def test_huge_arrays_are_refused_quickly(app, client, fra, report_body):
    body = report_body()
    body["entries"] = [{"obligation": "2397/4", "status": "implemented"}] * 20_000
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "/entries"
    body = report_body()
    body["entries"][0]["evidence"] = [{"title": "t"}] * 10_000
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 422
    _nothing_stored(app)


def test_deeply_nested_json_is_400(app, client, fra):
    nested = '{"state": ' + "[" * 50_000 + "]" * 50_000 + "}"
    r = client.post("/api/v1/reports", data=nested, content_type="application/json",
                    headers=auth(fra))
    assert r.status_code == 400
    nested_objects = '{"a":' * 5_000 + "1" + "}" * 5_000
    r = client.post("/api/v1/reports/validate", data=nested_objects,
                    content_type="application/json", headers=auth(fra))
    assert r.status_code in (200, 400)
    _nothing_stored(app)


@pytest.mark.parametrize("path", [
    "/api/v1/states/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/states/%2e%2e%2f",
    "/api/v1/summaries/assets/../../wsgi.py",
    "/api/v1/summaries/assets/..%2F..%2Fapp%2Fconfig.py",
    "/api/v1/summaries/assets/%2Fetc%2Fpasswd",
    "/api/v1/reports/..%2Fcompliance",
    "/api/v1/docs/assets/../../../../etc/passwd",
    "/api/v1/docs/static/..%2F..%2Fdocs.py",
    "/api/v1/resolutions/2397%00",
    "/api/v1/states/FR%00",
])
def test_path_traversal_finds_nothing(client, fra, path):
    r = client.get(path, headers=auth(fra))
    assert r.status_code in (400, 404)
    assert r.mimetype == "application/problem+json"
    assert b"root:" not in r.data and b"SECRET_KEY" not in r.data


def test_control_characters_in_the_query_string_are_400(client):
    r = client.get("/api/v1/resolutions?regime=a%00b")
    assert r.status_code == 400
    assert r.get_json()["errors"] == [{"pointer": "regime",
                                       "detail": "Control characters are not allowed."}]


def test_very_long_query_strings(client, make_token):
    panel = make_token("panel")
    long_value = "x" * 100_000
    r = client.get(f"/api/v1/resolutions?regime={long_value}")
    assert r.status_code == 422
    r = client.get(f"/api/v1/compliance?resolution=2397&sort={long_value}", headers=auth(panel))
    assert r.status_code == 422
    many = "&".join(f"p{i}=1" for i in range(5_000))
    assert client.get(f"/api/v1/regimes?{many}").status_code == 422


def test_repeated_and_conflicting_headers(app, client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    deu = make_token("reporter", "DEU")
    # Two Authorization headers arrive joined: ambiguous credentials are no credentials.
    headers = [("Authorization", f"Bearer {fra}"), ("Authorization", f"Bearer {deu}")]
    r = client.get("/api/v1/reports", headers=headers)
    assert r.status_code == 401
    r = client.post("/api/v1/reports", json=report_body("DEU"), headers=headers)
    assert r.status_code == 401
    # Two Idempotency-Keys, two Content-Types: a clear 4xx, nothing stored.
    r = client.post("/api/v1/reports", data=json.dumps(report_body()),
                    headers=[("Authorization", f"Bearer {fra}"),
                             ("Content-Type", "text/plain"),
                             ("Content-Type", "application/json")])
    assert r.status_code in (400, 415)
    _nothing_stored(app)
    r = client.post("/api/v1/reports", json=report_body(),
                    headers=[("Authorization", f"Bearer {fra}"),
                             ("Idempotency-Key", "a"), ("Idempotency-Key", "b")])
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "Idempotency-Key"
    _nothing_stored(app)


def test_a_token_with_a_nul_byte_is_refused(client):
    r = client.get("/api/v1/reports",
                   headers={"Authorization": "Bearer cra_0123456789abc\x00ef_secret"})
    assert r.status_code == 401


@pytest.fixture()
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(5)


def _raw(port, request: bytes, read_timeout=10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_gigantic_content_length_with_a_small_body_is_413_at_once(app, server, fra):
    request = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer " + fra.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000000000000\r\n"
        b"Connection: close\r\n\r\n{}"
    )
    answer = _raw(server, request)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"application/problem+json" in answer
    _nothing_stored(app)


def test_a_body_shorter_than_its_content_length_stores_nothing(app, server, fra, report_body):
    payload = json.dumps(report_body()).encode()
    request = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer " + fra.encode() + b"\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(len(payload) + 500).encode() + b"\r\n"
        b"Connection: close\r\n\r\n" + payload
    )
    with socket.create_connection(("127.0.0.1", server), timeout=5) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)  # the client gives up before sending the rest
        answer = sock.recv(65536)
    assert answer == b"" or answer.split(b" ")[1][:1] == b"4"
    _nothing_stored(app)


# --- values that no database or calendar holds: 422 naming the parameter, never a 500 -------

@pytest.mark.parametrize("path, parameter", [
    ("/api/v1/compliance?resolution=2397&as_of=9999-12-31", "as_of"),
    ("/api/v1/compliance?resolution=2397&as_of=0001-01-01", "as_of"),
    ("/api/v1/compliance?resolution=2397&as_of=2006-07-14", "as_of"),
    ("/api/v1/compliance/states/FRA?as_of=9999-12-31", "as_of"),
    ("/api/v1/summaries/resolutions/2397.pdf?as_of=9999-12-31", "as_of"),
    ("/api/v1/summaries/resolutions/2397.html?as_of=9999-12-31", "as_of"),
    ("/api/v1/summaries/states/FRA.pdf?as_of=9999-12-31", "as_of"),
    ("/api/v1/summaries/states/FRA.html?as_of=0001-01-01", "as_of"),
    ("/api/v1/audit?since=9999-12-31T23:59:59-23:59", "since"),
    ("/api/v1/audit?until=0001-01-01T00:00:00%2B14:00", "until"),
    ("/api/v1/audit?since=0001-01-01T00:00:00Z", "since"),
    ("/api/v1/audit?since=1969-12-31T23:59:59Z", "since"),
    ("/api/v1/audit?until=9999-12-31T23:59:59-00:01", "until"),
])
def test_dates_beyond_what_is_stored_are_422_naming_the_parameter(client, make_token, path,
                                                                   parameter):
    token = make_token("admin")
    r = client.get(path, headers=auth(token))
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.mimetype == "application/problem+json"
    assert [e["pointer"] for e in r.get_json()["errors"]] == [parameter]


def test_as_of_after_today_is_422_and_today_is_fine(client, make_token):
    import datetime as dt

    panel = make_token("panel")
    today = dt.datetime.now(dt.UTC).date()
    for as_of, status in ((today + dt.timedelta(days=1), 422), (today, 200),
                          (dt.date(2006, 7, 15), 200)):
        r = client.get(f"/api/v1/compliance?resolution=1695&as_of={as_of}", headers=auth(panel))
        assert r.status_code == status, (as_of, r.get_data(as_text=True))
    # A reporter may send this too.
    fra = make_token("reporter", "FRA")
    r = client.get("/api/v1/compliance/states/FRA?as_of=9999-12-31", headers=auth(fra))
    assert r.status_code == 422


def test_audit_bounds_are_inclusive_and_converted_to_utc(client, make_token):
    admin = make_token("admin")
    for query in ("since=1970-01-01T00:00:00Z", "until=9999-12-31T23:59:59Z",
                  "since=1970-01-01T05:00:00%2B05:00", "until=2018-01-01T00:00:00-23:59"):
        r = client.get(f"/api/v1/audit?{query}", headers=auth(admin))
        assert r.status_code == 200, (query, r.get_data(as_text=True))
    r = client.get("/api/v1/audit?since=1970-01-01T04:59:59%2B05:00", headers=auth(admin))
    assert r.status_code == 422


# --- strings that are not Unicode: lone surrogates -------------------------------------------

LONE = "\ud800"


def _with_surrogate(body: dict, where: str) -> tuple[dict, str]:
    """Put a lone surrogate at `where`; return the body and the expected pointer."""
    if where == "key":
        body["entries"][0]["notes" + LONE] = "x"
        return body, "/entries/0/notes" + LONE
    if where == "evidence":
        body["entries"][0]["evidence"][0]["title"] = "Gazette " + LONE
        return body, "/entries/0/evidence/0/title"
    if where in ("legal_basis", "measures", "obligation", "justification"):
        body["entries"][0][where] = "x" + LONE
        return body, f"/entries/0/{where}"
    body[where] = LONE if where != "reference" else "S/AC.49/" + LONE
    return body, f"/{where}"


def _send(client, method, path, body, headers):
    # json.dumps escapes the surrogate as \ud800: valid JSON syntax, not valid Unicode.
    return client.open(path, method=method, data=json.dumps(body),
                       content_type="application/json", headers=headers)


@pytest.mark.parametrize("where", ["state", "language", "reference", "obligation",
                                   "legal_basis", "measures", "justification", "evidence",
                                   "key"])
def test_unpaired_surrogates_are_422_and_validate_reports_the_same_pointer(
    app, client, fra, report_body, where
):
    body, pointer = _with_surrogate(report_body(), where)
    posted = _send(client, "POST", "/api/v1/reports", body, auth(fra))
    assert posted.status_code == 422, posted.get_data(as_text=True)
    assert posted.mimetype == "application/problem+json"
    assert [e["pointer"] for e in posted.get_json()["errors"]] == [pointer]
    checked = _send(client, "POST", "/api/v1/reports/validate", body, auth(fra))
    assert checked.status_code == 200
    assert checked.get_json()["valid"] is False
    assert checked.get_json()["errors"] == posted.get_json()["errors"]
    _nothing_stored(app)


def test_unpaired_surrogates_in_an_amendment_are_422(app, client, fra, report_body):
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra))
    assert created.status_code == 201
    body, pointer = _with_surrogate(report_body(), "measures")
    r = _send(client, "PUT", created.headers["Location"], body,
              auth(fra, **{"If-Match": created.headers["ETag"]}))
    assert r.status_code == 422
    assert [e["pointer"] for e in r.get_json()["errors"]] == [pointer]
    # A paired surrogate (an astral character written as two escapes) is ordinary text.
    body = report_body()
    body["entries"][0]["notes"] = "\U0001f4c4 annex"
    r = client.put(created.headers["Location"], data=json.dumps(body),
                   content_type="application/json",
                   headers=auth(fra, **{"If-Match": created.headers["ETag"]}))
    assert r.status_code == 200
    assert r.get_json()["entries"][0]["notes"] == "\U0001f4c4 annex"


@pytest.mark.parametrize("body", [
    {"state": "FRA", "resolution": 2397, "language": "en", "entries": [],
     "received_at": "9999-12-31T23:59:59-23:59"},
    {"state": "FRA", "resolution": 2397, "language": "en", "entries": [],
     "received_at": "0001-01-01T00:00:00+14:00"},
    {"state": "FRA", "resolution": 2397, "language": "en", "entries": [],
     "dated": "9999-12-31"},
    {"state": LONE * 3, "resolution": 2397, "language": "en", "entries": []},
    {"state": "FRA", "resolution": 2397, "language": "en", "entries": [], LONE: 1},
])
def test_validate_agrees_with_submission(app, client, make_token, body):
    admin = make_token("admin")
    posted = _send(client, "POST", "/api/v1/reports", body, auth(admin))
    assert posted.status_code == 422, posted.get_data(as_text=True)
    checked = _send(client, "POST", "/api/v1/reports/validate", body, auth(admin))
    assert checked.status_code == 200
    assert checked.get_json() == {"valid": False, "errors": posted.get_json()["errors"],
                                  "score": None}
    _nothing_stored(app)


def test_query_strings_and_paths_that_are_not_utf8_are_harmless(client, fra):
    r = client.get("/api/v1/resolutions?regime=%ED%A0%80")
    assert r.status_code in (200, 422) and r.get_json()["total" if r.status_code == 200
                                                        else "status"] in (0, 422)
    r = client.get("/api/v1/states/%ED%A0%80")
    assert r.status_code in (400, 404)
    r = client.get("/api/v1/reports?state=%ED%A0%80", headers=auth(fra))
    assert r.status_code == 422


def _chunked(payload: bytes, size: int = 65536) -> bytes:
    out = b""
    for start in range(0, len(payload), size):
        piece = payload[start:start + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def test_a_chunked_body_over_the_limit_is_413_through_a_server(app, server, fra):
    limit = app.config["MAX_CONTENT_LENGTH"]
    payload = b'{"state": "' + b"x" * limit + b'"}'
    request = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer " + fra.encode() + b"\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + _chunked(payload)
    )
    answer = _raw(server, request)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"application/problem+json" in answer
    _nothing_stored(app)


def test_a_chunked_body_within_the_limit_is_read_whole(app, server, fra, report_body):
    payload = json.dumps(report_body()).encode()
    request = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer " + fra.encode() + b"\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + _chunked(payload, 1000)
    )
    answer = _raw(server, request)
    assert answer.startswith(b"HTTP/1.1 201"), answer[:1000]
