"""Concurrent writes against a running server: two writes can never both win.

These run real parallel HTTP requests against a threaded server on loopback, on SQLite (which
serialises writers) and on PostgreSQL (where the rows are locked and the unique constraints
decide).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import AuditEvent, Report, ReportVersion
from tests.helpers import auth

PARALLEL = 8



@pytest.fixture()
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(5)


def _request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, body=payload, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), json.loads(data) if data else None


def _race(port, calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return _request(port, *call)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Report)),
            db.session.scalar(select(func.count()).select_from(ReportVersion)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action.like("report.%"))),
        )


def test_racing_first_submissions_store_one_report(app, server, make_token, report_body):
    token = make_token("reporter", "FRA")
    calls = [("POST", "/api/v1/reports", report_body(), auth(token))] * PARALLEL
    results = _race(server, calls)
    statuses = Counter(status for status, _, _ in results)
    assert statuses == {201: 1, 409: PARALLEL - 1}, statuses
    winner = next(body for status, _, body in results if status == 201)
    for status, _, body in results:
        if status == 409:
            assert body["existing_report"] == winner["id"]
    assert _counts(app) == (1, 1, 1)


def test_racing_amendments_one_wins_the_rest_get_412(app, server, make_token, report_body):
    token = make_token("reporter", "FRA")
    status, headers, created = _request(server, "POST", "/api/v1/reports", report_body(),
                                        auth(token))
    assert status == 201
    etag = headers["ETag"]
    calls = [("PUT", created["links"]["self"], report_body(), auth(token, **{"If-Match": etag}))
             ] * PARALLEL
    results = _race(server, calls)
    statuses = Counter(status for status, _, _ in results)
    assert statuses == {200: 1, 412: PARALLEL - 1}, statuses
    assert _counts(app) == (1, 2, 2)


def test_racing_retries_with_one_key_store_one_report(app, server, make_token, report_body):
    token = make_token("reporter", "FRA")
    headers = auth(token, **{"Idempotency-Key": "same-key"})
    results = _race(server, [("POST", "/api/v1/reports", report_body(), headers)] * PARALLEL)
    statuses = Counter(status for status, _, _ in results)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    ids = {body["id"] for status, _, body in results if status == 201}
    assert len(ids) == 1
    assert _counts(app) == (1, 1, 1)
    # Once the first request is done, every retry gets the original response.
    status, _, body = _request(server, "POST", "/api/v1/reports", report_body(), headers)
    assert status == 201 and body["id"] in ids


def test_many_distinct_submissions_at_once_are_all_stored(app, server, make_token, report_body):
    admin = make_token("admin")
    states = ["FRA", "DEU", "ITA", "ESP", "JPN", "KOR", "BRA", "ZAF"]
    calls = [("POST", "/api/v1/reports", report_body(s), auth(admin)) for s in states]
    results = _race(server, calls)
    assert [status for status, _, _ in results] == [201] * len(states)
    assert _counts(app) == (len(states), len(states), len(states))


def test_if_match_star_names_no_version_even_in_a_race(app, server, make_token, report_body):
    token = make_token("reporter", "FRA")
    status, headers, created = _request(server, "POST", "/api/v1/reports", report_body(),
                                        auth(token))
    assert status == 201
    etag = headers["ETag"]
    calls = [("PUT", created["links"]["self"], report_body(), auth(token, **{"If-Match": "*"}))
             ] * 20
    results = _race(server, calls)
    assert Counter(status for status, _, _ in results) == {428: 20}
    for _, _, body in results:
        assert body["errors"] == [{"pointer": "If-Match", "detail": "`*` is not a version."}]
    # `*` beside a real tag is refused too: it would otherwise match whatever the tag says.
    status, _, _ = _request(server, "PUT", created["links"]["self"], report_body(),
                            auth(token, **{"If-Match": f"{etag}, *"}))
    assert status == 428
    assert _counts(app) == (1, 1, 1)


def test_racing_replies_and_status_changes_on_a_finding(app, server, make_token, client,
                                                        submit):
    """Replies racing each other all get a version of their own; transitions racing one
    another (same ETag) have one winner, the others 412; a reply racing a publication
    either lands before it (and the publication is refused, its ETag stale) or is refused
    (409)."""
    from app.models import FindingReplyVersion

    panel = make_token("panel")
    france = make_token("reporter", "FRA")
    report = submit("FRA", 2397, "2018-03-01T10:00:00Z")
    body = {"state": "FRA", "subject": {"report": report["id"], "obligation": "2397/9"},
            "assessment": "unverifiable", "text": "Not verifiable from the record.",
            "language": "en"}
    status, headers, finding = _request(server, "POST", "/api/v1/findings", body, auth(panel))
    assert status == 201
    status, headers, _ = _request(server, "POST", finding["links"]["status"],
                                  {"to": "shared"}, auth(panel, **{"If-Match": headers["ETag"]}))
    assert status == 200
    reply = ("PUT", finding["links"]["reply"], {"text": "Réponse.", "language": "fr"},
             auth(france))
    results = _race(server, [reply] * PARALLEL)
    assert Counter(s for s, _, _ in results) == {201: 1, 200: PARALLEL - 1}
    with app.app_context():
        numbers = sorted(db.session.scalars(select(FindingReplyVersion.number)))
        db.session.remove()
    assert numbers == list(range(1, PARALLEL + 1))
    etag = client.get(finding["links"]["self"], headers=auth(panel)).headers["ETag"]
    publish = ("POST", finding["links"]["status"], {"to": "published"},
               auth(panel, **{"If-Match": etag}))
    results = _race(server, [publish] * (PARALLEL // 2) + [reply] * (PARALLEL // 2))
    published = [s for s, _, _ in results[:PARALLEL // 2]]
    assert published.count(200) <= 1 and set(published) <= {200, 412}
    replies = [s for s, _, _ in results[PARALLEL // 2:]]
    if 200 in published:
        # Replies that landed first made the publication's ETag stale: none did.
        assert set(replies) == {409}
    else:
        assert 200 in replies
    final = client.get(finding["links"]["self"], headers=auth(panel)).get_json()
    assert final["status"] == ("published" if 200 in published else "shared")
