"""Structured JSON logs with a request id, also returned to the client."""

from __future__ import annotations

import json
import logging

from app.http.logs import JsonFormatter
from tests.helpers import auth


def test_every_response_carries_a_request_id(client):
    first = client.get("/api/v1/resolutions/2397").headers["X-Request-ID"]
    second = client.get("/api/v1/nothing").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_valid_incoming_request_id_is_kept(client):
    r = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21-0001"})
    assert r.headers["X-Request-ID"] == "lb-7f3a9c21-0001"
    forged = client.get("/healthz", headers={"X-Request-ID": 'bad id {"json": 1}'})
    assert forged.headers["X-Request-ID"] != 'bad id {"json": 1}'
    assert len(forged.headers["X-Request-ID"]) == 32


def test_access_log_lines_are_json_with_the_request_id(client, caplog, make_token):
    token = make_token("panel")
    with caplog.at_level(logging.INFO, logger="app.access"):
        r = client.get("/api/v1/reports", headers=auth(token, **{"X-Request-ID": "trace-123456"}))
    record = next(rec for rec in caplog.records if rec.name == "app.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-123456" == r.headers["X-Request-ID"]
    assert line["method"] == "GET" and line["path"] == "/api/v1/reports"
    assert line["status"] == 200 and line["duration_ms"] >= 0
    assert line["token"] == token.split("_")[1]
    assert token.split("_", 2)[2] not in json.dumps(line)
