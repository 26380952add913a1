"""Bad report bodies get a clear 4xx naming the field, and nothing is stored."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Report, ReportVersion
from tests.helpers import auth


@pytest.fixture()
def fra(make_token):
    return make_token("reporter", "FRA")


def _set(body, path, value):
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


_DELETE = object()

CASES = [
    # (path to change, new value, expected pointer)
    (("state",), "XXX", "/state"),
    (("state",), "fr", "/state"),
    (("state",), 250, "/state"),
    (("resolution",), 9999, "/resolution"),
    (("resolution",), "2397", "/resolution"),
    (("resolution",), 2397.5, "/resolution"),
    (("resolution",), True, "/resolution"),
    (("resolution",), -8770308861, "/resolution"),
    (("resolution",), 2**40, "/resolution"),
    (("language",), "French language", "/language"),
    (("language",), _DELETE, "/language"),
    (("dated",), "2018-02-30", "/dated"),
    (("dated",), "19/03/2018", "/dated"),
    (("dated",), "2999-01-01", "/dated"),
    (("dated",), "1999-01-01", "/dated"),
    (("reference",), "x" * 201, "/reference"),
    (("entries",), "none", "/entries"),
    (("entries",), _DELETE, "/entries"),
    (("surprise",), 1, "/surprise"),
    (("entries", 0, "obligation"), "2270/6", "/entries/0/obligation"),
    (("entries", 2, "obligation"), "2397/4", "/entries/2/obligation"),
    (("entries", 1, "status"), "done", "/entries/1/status"),
    (("entries", 1, "status"), _DELETE, "/entries/1/status"),
    (("entries", 3, "enforcement", "seizures"), -1, "/entries/3/enforcement/seizures"),
    (("entries", 3, "enforcement", "seizures"), 10**12, "/entries/3/enforcement/seizures"),
    (("entries", 3, "enforcement", "seizures"), 1.5, "/entries/3/enforcement/seizures"),
    (("entries", 3, "enforcement", "seizures"), "1", "/entries/3/enforcement/seizures"),
    (("entries", 3, "enforcement", "tonnes"), 3, "/entries/3/enforcement/tonnes"),
    (("entries", 0, "legal_basis"), "a" * 4001, "/entries/0/legal_basis"),
    (("entries", 0, "legal_basis"), 42, "/entries/0/legal_basis"),
    (("entries", 0, "measures"), "screening\x00", "/entries/0/measures"),
    (("entries", 0, "notes"), "bell\x07", "/entries/0/notes"),
    (("entries", 0, "notes"), "esc\x1b[31m", "/entries/0/notes"),
    (("entries", 0, "evidence"), [{"title": "t", "url": "u"}], "/entries/0/evidence/0/url"),
    (("entries", 0, "evidence"), [{"title": "t"}] * 51, "/entries/0/evidence"),
    (("entries", 0, "extra"), "x", "/entries/0/extra"),
    (("entries", 5, "status"), "not_applicable", "/entries/5/justification"),
]


@pytest.mark.parametrize("path, value, pointer", CASES)
def test_invalid_values_are_named_by_pointer(app, client, fra, report_body, path, value, pointer):
    body = _set(copy.deepcopy(report_body()), path, value)
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 422, r.get_json()
    problem = r.get_json()
    assert r.mimetype == "application/problem+json"
    assert problem["status"] == 422 and problem["title"] == "Validation failed"
    assert pointer in [e["pointer"] for e in problem["errors"]], problem["errors"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 0
        assert db.session.scalar(select(func.count()).select_from(ReportVersion)) == 0
    # The validate endpoint gives the same errors without storing anything.
    checked = client.post("/api/v1/reports/validate", json=body, headers=auth(fra)).get_json()
    assert checked["valid"] is False
    assert pointer in [e["pointer"] for e in checked["errors"]]


def test_every_error_is_reported_at_once(client, fra, report_body):
    body = report_body()
    body["entries"][0]["status"] = "done"
    body["entries"][1]["enforcement"]["inspections"] = -3
    body["entries"][2]["notes"] = "\x00"
    problem = client.post("/api/v1/reports", json=body, headers=auth(fra)).get_json()
    assert {e["pointer"] for e in problem["errors"]} == {
        "/entries/0/status", "/entries/1/enforcement/inspections", "/entries/2/notes",
    }


def test_a_duplicated_obligation_names_the_second_entry(client, fra, report_body):
    body = report_body()
    body["entries"].append(copy.deepcopy(body["entries"][0]))
    problem = client.post("/api/v1/reports", json=body, headers=auth(fra)).get_json()
    assert problem["errors"] == [{
        "pointer": "/entries/8/obligation",
        "detail": "2397/4 is addressed twice (also entry 0).",
    }]


def test_not_applicable_with_a_justification_is_accepted(client, fra, report_body):
    body = report_body()
    body["entries"][7] = {"obligation": "2397/u1", "status": "not_applicable",
                          "justification": "The State has no fishing fleet or waters."}
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 201
    assert r.get_json()["completeness"] == 100.0


def test_a_report_without_entries_is_refused(client, fra, report_body):
    r = client.post("/api/v1/reports", json=report_body(entries=[]), headers=auth(fra))
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{
        "pointer": "/entries",
        "detail": "A report addresses at least one obligation and at most 200.",
    }]
    assert client.get("/api/v1/reports", headers=auth(fra)).get_json()["total"] == 0
    # The validator says the same without storing anything.
    checked = client.post("/api/v1/reports/validate", json=report_body(entries=[]),
                          headers=auth(fra)).get_json()
    assert checked["valid"] is False and checked["errors"][0]["pointer"] == "/entries"


def test_a_one_entry_report_is_accepted_and_scores_low(client, fra, report_body):
    body = report_body(entries=[{"obligation": "2397/7", "status": "implemented"}])
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 201
    assert r.get_json()["completeness"] < 40
    assert r.get_json()["flags"] == ["late", "incomplete", "unsubstantiated"]


def test_every_un_script_is_kept_exactly(client, fra, report_body):
    body = report_body()
    texts = ["قانون العقوبات", "《出口管制法》", "Закон о санкциях", "Ley de sanciones",
             "Loi n° 2017-1", "tab\tand\nnewlines"]
    for entry, text in zip(body["entries"], texts, strict=False):
        entry["legal_basis"] = text
    report = client.post("/api/v1/reports", json=body, headers=auth(fra)).get_json()
    assert [e["legal_basis"] for e in report["entries"][:6]] == texts


@pytest.mark.parametrize(
    "data",
    [b"{", b'{"state": "FRA",}', b"[1, 2", b"\xff\xfe{}", b'{"a": NaN}',
     b'{"state": "FRA", "state": "DEU"}', b"", b"[" * 100_000 + b"]" * 100_000],
)
def test_malformed_json_is_400(client, fra, data):
    r = client.post("/api/v1/reports", data=data, content_type="application/json",
                    headers=auth(fra))
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["errors"][0]["pointer"] == ""


@pytest.mark.parametrize("payload", [[], "a string", 42, None])
def test_a_body_that_is_not_an_object_is_422(client, fra, payload):
    r = client.post("/api/v1/reports", data=json.dumps(payload),
                    content_type="application/json", headers=auth(fra))
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == ""


def test_a_body_that_is_not_json_is_415(client, fra, report_body):
    r = client.post("/api/v1/reports", data=json.dumps(report_body()),
                    content_type="text/plain", headers=auth(fra))
    assert r.status_code == 415


def test_a_body_over_the_limit_is_413(client, fra, report_body):
    body = report_body()
    body["entries"][0]["measures"] = "x" * (1024 * 1024)
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 413


def test_too_many_entries_are_refused(client, fra, report_body):
    body = report_body()
    body["entries"] = body["entries"] * 26
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "/entries"
