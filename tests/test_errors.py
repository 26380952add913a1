"""Every error is application/problem+json, Flask's and Werkzeug's own included."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body


def test_unknown_url(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.get("/nothing-here"), 404)
    # `/` is the web pages' sign-in form.
    assert client.get("/").status_code == 200


def test_method_not_allowed_keeps_allow_header(client):
    r = client.delete("/api/v1/resolutions/2397")
    assert_problem(r, 405)
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD"}


def test_options_is_not_part_of_the_contract(client):
    r = client.options("/api/v1/reports/validate")
    assert_problem(r, 405)
    assert r.headers["Allow"] == "POST"


def test_post_to_read_only_collection_is_405(client):
    r = client.post("/api/v1/states", json={})
    assert_problem(r, 405)
    assert "GET" in r.headers["Allow"]


def test_internal_errors_leak_nothing(app_factory):
    app = app_factory("boom")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret-internal-detail /etc/passwd")

    r = app.test_client().get("/boom")
    body = assert_problem(r, 500)
    text = r.get_data(as_text=True)
    assert "secret-internal-detail" not in text
    assert "Traceback" not in text
    assert body["title"] == "Internal Server Error"


def test_database_errors_are_500_problems(app_factory):
    # An application whose database has no schema: the query fails inside the view.
    app = app_factory("noschema")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = app.test_client().get("/api/v1/resolutions/2397")
    body = assert_problem(r, 500)
    assert "SELECT" not in body["detail"]
    assert "resolution" not in r.get_data(as_text=True).lower().replace("/api/v1", "")


@pytest.fixture()
def echo_app(app_factory):
    """An application with one JSON endpoint, to exercise the body checks on their own."""
    application = app_factory("echo")

    @application.post("/api/v1/echo")
    def echo():
        from flask import request

        return {"got": request.get_json()}, 201

    return application


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml",
     "application/evil+json", "application/merge-patch+json", "application/jsonx"],
)
def test_request_bodies_must_be_json(echo_app, content_type):
    client = echo_app.test_client()
    r = client.post("/api/v1/echo", data="x=1", content_type=content_type)
    body = assert_problem(r, 415)
    assert content_type in body["detail"]
    assert body["errors"][0]["pointer"] == "Content-Type"
    assert client.post("/api/v1/echo", json={"a": 1}).status_code == 201


@pytest.mark.parametrize("content_type, status", [
    ("application/json; charset=latin-1", 415),
    ("application/json; charset=iso-8859-1", 415),
    ("application/json; charset=utf-16", 415),
    ("application/json; charset=utf-8", 201),
    ("application/json; charset=UTF-8", 201),
    ("Application/JSON", 201),
])
def test_only_utf8_json_is_read(echo_app, content_type, status):
    r = echo_app.test_client().post("/api/v1/echo", data='{"a": "\u00e9"}',
                                    content_type=content_type)
    assert r.status_code == status, r.get_data(as_text=True)
    if status == 415:
        body = assert_problem(r, 415)
        assert body["errors"] == [{"pointer": "Content-Type", "detail": body["errors"][0][
            "detail"]}]


def _streamed(payload: bytes):
    """A body as a server hands on a chunked request: no Content-Length, input terminated."""
    import io

    return {"wsgi.input": io.BytesIO(payload), "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked"}


def test_a_streamed_body_over_the_limit_is_413_not_truncated(echo_app):
    client = echo_app.test_client()
    limit = echo_app.config["MAX_CONTENT_LENGTH"]
    big = b'{"a": "' + b"x" * limit + b'"}'
    r = client.post("/api/v1/echo", content_type="application/json",
                    environ_overrides=_streamed(big))
    body = assert_problem(r, 413)
    assert str(limit) in body["detail"]
    exact = b'{"a": "' + b"x" * (limit - 9) + b'"}'
    assert len(exact) == limit
    r = client.post("/api/v1/echo", content_type="application/json",
                    environ_overrides=_streamed(exact))
    assert r.status_code == 201
    assert len(r.get_json()["got"]["a"]) == limit - 9


def test_body_over_the_limit_is_413(echo_app):
    big = b'{"a": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    r = echo_app.test_client().post("/api/v1/echo", data=big, content_type="application/json")
    body = assert_problem(r, 413)
    assert "1048576" in body["detail"]


def test_routing_errors_come_before_body_checks(client):
    r = client.post("/api/v1/resolutions", data="x", content_type="text/plain")
    assert_problem(r, 405)


def test_the_token_is_checked_before_the_parameters(client):
    # An anonymous client gets 401, not a description of what a valid request looks like.
    r = client.get("/api/v1/compliance?resolution=0&as_of=9999-12-31&sort=nonsense")
    assert_problem(r, 401)
    r = client.post("/api/v1/reports", data="{not json", content_type="application/json")
    assert_problem(r, 401)
