"""Paging: every list takes `page` and `page_size` up to `PAGE_SIZE_MAX`; the compliance matrix
comes whole unless a page is asked for."""

from __future__ import annotations

import csv
import io

from app.extensions import db
from app.migrations import upgrade
from app.services.authorities import create_authority
from app.services.catalogue import load_catalogue
from tests.helpers import auth

MATRIX = "/api/v1/compliance?resolution=2397&as_of=2019-12-31"


def test_the_matrix_comes_whole_without_paging_arguments(client, panel):
    body = client.get(MATRIX, headers=auth(panel)).get_json()
    assert body["total"] == 193 and len(body["items"]) == 193
    assert "page" not in body and "page_size" not in body


def test_the_matrix_pages_when_asked(client, panel):
    whole = client.get(MATRIX, headers=auth(panel)).get_json()["items"]
    seen = []
    for page in (1, 2, 3, 4):
        body = client.get(f"{MATRIX}&page={page}&page_size=50", headers=auth(panel)).get_json()
        assert (body["total"], body["page"], body["page_size"]) == (193, page, 50)
        assert body["summary"]["states"] == 193
        seen.extend(body["items"])
    assert [r["state"] for r in seen] == [r["state"] for r in whole]
    beyond = client.get(f"{MATRIX}&page=5&page_size=50", headers=auth(panel)).get_json()
    assert beyond["items"] == [] and beyond["total"] == 193
    # `page` alone pages with the default size; filters and sorting apply before paging.
    first = client.get(f"{MATRIX}&page=1", headers=auth(panel)).get_json()
    assert first["page_size"] == 50 and len(first["items"]) == 50
    group = client.get(f"{MATRIX}&un_group=African&sort=-state&page_size=5",
                       headers=auth(panel)).get_json()
    all_african = client.get(f"{MATRIX}&un_group=African&sort=-state",
                             headers=auth(panel)).get_json()
    assert group["total"] == all_african["total"] > 5
    assert group["items"] == all_african["items"][:5]


def test_the_matrix_as_csv_follows_the_same_rule(client, panel):
    def rows(query):
        r = client.get(f"{MATRIX}&format=csv{query}", headers=auth(panel))
        assert r.status_code == 200 and r.mimetype == "text/csv"
        return [row["state"] for row in csv.DictReader(io.StringIO(r.get_data(as_text=True)))]

    whole = rows("")
    assert len(whole) == 193
    assert rows("&page=2&page_size=10") == whole[10:20]


def test_page_size_above_the_maximum_is_refused(client, panel):
    for url in ("/api/v1/states?page_size=201", f"{MATRIX}&page_size=201",
                "/api/v1/reports?page_size=201"):
        r = client.get(url, headers=auth(panel))
        assert r.status_code == 422, url
        assert r.get_json()["errors"] == [
            {"pointer": "page_size", "detail": "Must be less than or equal to 200."}
        ], url
    assert client.get("/api/v1/states?page_size=200").status_code == 200


def _app_with_page_size_max(monkeypatch, app_factory, value):
    monkeypatch.setenv("PAGE_SIZE_MAX", str(value))
    application = app_factory("pagesize")
    upgrade(application)
    with application.app_context():
        load_catalogue(db.session)
        # An admin reads every list, the audit trail included.
        token = create_authority(db.session, "Admin", "admin", None).plaintext
        db.session.remove()
    return application, token


def _page_size_maxima(document):
    return {
        (path, method): param["schema"].get("maximum")
        for path, item in document["paths"].items()
        for method, op in item.items() if isinstance(op, dict)
        for param in op.get("parameters", []) if param.get("name") == "page_size"
    }


def test_page_size_max_from_the_environment_lowers_the_maximum(monkeypatch, app_factory):
    application, token = _app_with_page_size_max(monkeypatch, app_factory, 5)
    client = application.test_client()
    assert len(client.get("/api/v1/states?page_size=5").get_json()["items"]) == 5
    # The default (50) never exceeds the maximum either.
    default = client.get("/api/v1/states").get_json()
    assert default["page_size"] == 5 and len(default["items"]) == 5
    assert client.get(f"{MATRIX}&page=2", headers=auth(token)).get_json()["page_size"] == 5
    for url in ("/api/v1/states?page_size=6", "/api/v1/resolutions?page_size=6",
                "/api/v1/regimes?page_size=6", "/api/v1/reports?page_size=6",
                "/api/v1/audit?page_size=6", f"{MATRIX}&page_size=6"):
        r = client.get(url, headers=auth(token))
        assert r.status_code == 422, (url, r.status_code)
        assert r.get_json()["errors"][0] == {
            "pointer": "page_size", "detail": "Must be less than or equal to 5."
        }, url
    maxima = _page_size_maxima(client.get("/api/v1/openapi.json").get_json())
    assert len(maxima) >= 6 and set(maxima.values()) == {5}, maxima


def test_page_size_max_from_the_environment_raises_the_maximum(monkeypatch, app_factory):
    application, token = _app_with_page_size_max(monkeypatch, app_factory, 500)
    client = application.test_client()
    states = client.get("/api/v1/states?page_size=300").get_json()
    assert states["page_size"] == 300 and len(states["items"]) == 193
    assert client.get("/api/v1/states?page_size=501").status_code == 422
    matrix = client.get(f"{MATRIX}&page_size=250", headers=auth(token)).get_json()
    assert matrix["page_size"] == 250 and len(matrix["items"]) == 193
    maxima = _page_size_maxima(client.get("/api/v1/openapi.json").get_json())
    assert set(maxima.values()) == {500}
