"""A body declared with `@blp.arguments(Schema)` on the API's `Blueprint` is decoded as
strictly as the report bodies, and its errors have the same shape and pointers."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.views import MethodView
from marshmallow import Schema, fields

from app.api.openapi import Api
from app.api.parsing import Blueprint
from app.errors import register_error_handlers
from tests.helpers import auth


class ProbeSchema(Schema):
    name = fields.String(required=True)
    count = fields.Integer(strict=True)
    tags = fields.List(fields.String())


@pytest.fixture(scope="module")
def probe():
    """An application with one endpoint whose body is declared with `@blp.arguments`."""
    application = Flask(__name__)
    application.config.update(
        TESTING=True, API_TITLE="probe", API_VERSION="1", OPENAPI_VERSION="3.0.3",
        PAGE_SIZE_MAX=100,
    )
    api = Api(application)
    register_error_handlers(application)
    blp = Blueprint("probe", __name__, url_prefix="/probe")

    @blp.route("")
    class Probe(MethodView):
        @blp.arguments(ProbeSchema)
        @blp.response(200, ProbeSchema)
        def post(self, args):
            return args

    api.register_blueprint(blp)
    return application.test_client()


@pytest.fixture()
def fra(make_token):
    return make_token("reporter", "FRA")


def _post(client, path, data, **headers):
    return client.post(path, data=data, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    "data",
    [b"{", b'{"name": "a",}', b"\xff\xfe{}", b'{"name": "a", "count": NaN}',
     b'{"name": "a", "count": Infinity}', b'{"name": "a", "name": "b"}', b"",
     b"[" * 100_000 + b"]" * 100_000],
    ids=["unterminated", "trailing-comma", "utf-16", "nan", "infinity", "repeated-name",
         "empty", "too-deep"],
)
def test_malformed_bodies_get_the_report_endpoints_answer(probe, client, fra, data):
    answer = _post(probe, "/probe", data)
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"][0]["pointer"] == ""
    report = _post(client, "/api/v1/reports", data, **auth(fra))
    assert answer.get_json() == report.get_json()


def test_unpaired_surrogates_are_422_with_pointers(probe):
    body = json.dumps({"name": "\ud800", "tags": ["ok", "x\udfff"], "n\udc00": 1})
    r = _post(probe, "/probe", body)
    assert r.status_code == 422
    assert [e["pointer"] for e in r.get_json()["errors"]] == [
        "/name", "/n\udc00", "/tags/1"]


def test_schema_errors_are_422_with_json_pointers(probe):
    r = _post(probe, "/probe", json.dumps({"count": 2.5, "tags": [1], "extra": True}))
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert sorted(e["pointer"] for e in r.get_json()["errors"]) == [
        "/count", "/extra", "/name", "/tags/0"]
    r = _post(probe, "/probe", json.dumps([]))
    assert r.status_code == 422
    assert [e["pointer"] for e in r.get_json()["errors"]] == [""]


def test_a_strict_body_is_loaded(probe):
    r = _post(probe, "/probe", json.dumps({"name": "caf\u00e9 \U0001f600", "count": 2}))
    assert r.status_code == 200
    assert r.get_json() == {"name": "caf\u00e9 \U0001f600", "count": 2}
