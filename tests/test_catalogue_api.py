"""Catalogue reads through HTTP: regimes, resolutions, obligations, Member States."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


def test_regimes_lists_the_1540_and_1718_regimes(client):
    r = client.get("/api/v1/regimes")
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 2
    wmd, dprk = body["items"]
    assert dprk["code"] == "1718"
    assert dprk["target_state"] == "PRK"
    assert dprk["resolutions"] == [
        1695, 1718, 1874, 2087, 2094, 2270, 2321, 2356, 2371, 2375, 2397
    ]
    assert (dprk["short_name"], dprk["experts"]) == ("1718 Committee", "Panel of Experts")
    assert wmd["code"] == "1540"
    assert wmd["target_state"] is None
    assert wmd["resolutions"] == [1540, 1673, 1810, 1977, 2325, 2663]
    assert wmd["committee"] == ("Security Council Committee established pursuant to "
                                "resolution 1540 (2004)")
    assert (wmd["short_name"], wmd["experts"]) == ("1540 Committee", "group of experts")


def test_one_regime_with_its_notes(client):
    r = client.get("/api/v1/regimes/1540")
    assert r.status_code == 200
    body = r.get_json()
    assert body["summary_title"] == "Reporting summary"
    assert any("not a tool for measuring compliance" in n for n in body["notes"])
    assert body["sources"]
    missing = client.get("/api/v1/regimes/1267")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith(PROBLEM)


def test_resolutions_list_shape_and_order(client):
    r = client.get("/api/v1/resolutions")
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 17  # 11 of the 1718 regime, 6 of the 1540 regime
    assert [i["number"] for i in body["items"]] == sorted(i["number"] for i in body["items"])
    first = body["items"][0]
    assert set(first) == {
        "number", "year", "symbol", "regime", "adopted_on", "title",
        "reporting_deadline_days", "reporting_deadline", "reporting_deadline_verified",
        "obligation_count",
    }
    by_number = {i["number"]: i for i in body["items"]}
    assert by_number[1695]["reporting_deadline_days"] is None
    assert by_number[1695]["reporting_deadline"] is None
    assert by_number[2321]["reporting_deadline"] == "2017-02-28"
    assert by_number[1718]["reporting_deadline"] == "2006-11-13"
    assert by_number[2397]["symbol"] == "S/RES/2397 (2017)"
    assert sum(i["obligation_count"] for i in body["items"]) == 99 + 7
    assert by_number[1540]["reporting_deadline"] == "2004-10-28"
    assert by_number[1540]["regime"] == "1540"
    assert by_number[1673]["obligation_count"] == 0
    # Only resolution 2094's reporting request was read in its text; every other deadline
    # rests on press reports or is unconfirmed, and says so (1540's rests on the 1540
    # Committee's guidelines, its paragraph unread).
    assert [n for n, i in by_number.items() if i["reporting_deadline_verified"]] == [2094]


def test_resolutions_pagination(client):
    r = client.get("/api/v1/resolutions?page=2&page_size=4&regime=1718")
    body = r.get_json()
    assert body["page"] == 2 and body["page_size"] == 4 and body["total"] == 11
    assert [i["number"] for i in body["items"]] == [2094, 2270, 2321, 2356]
    r = client.get("/api/v1/resolutions?page=4&page_size=4&regime=1718")
    assert r.get_json()["items"] == []
    r = client.get("/api/v1/resolutions?page=2&page_size=4")
    assert [i["number"] for i in r.get_json()["items"]] == [1810, 1874, 1977, 2087]


def test_resolutions_filter_by_regime(client):
    assert client.get("/api/v1/resolutions?regime=1718").get_json()["total"] == 11
    body = client.get("/api/v1/resolutions?regime=1540").get_json()
    assert [i["number"] for i in body["items"]] == [1540, 1673, 1810, 1977, 2325, 2663]
    assert {i["regime"] for i in body["items"]} == {"1540"}
    unknown = client.get("/api/v1/resolutions?regime=1267")
    assert unknown.status_code == 422
    assert unknown.headers["Content-Type"].startswith(PROBLEM)
    assert [e["pointer"] for e in unknown.get_json()["errors"]] == ["regime"]


@pytest.mark.parametrize(
    "query, pointer",
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=201", "page_size"),
        ("page_size=0", "page_size"),
        ("page=1&page_size=-5", "page_size"),
    ],
)
def test_bad_query_parameters_are_named(client, query, pointer):
    r = client.get(f"/api/v1/resolutions?{query}")
    assert r.status_code == 422
    assert r.mimetype == PROBLEM
    body = r.get_json()
    assert body["status"] == 422
    assert [e["pointer"] for e in body["errors"]] == [pointer]


def test_unknown_query_parameters_are_named(client):
    # A misspelt filter must not silently widen a query.
    r = client.get("/api/v1/resolutions?regme=1718")
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"pointer": "regme", "detail": "Unknown field."}]


def test_resolution_detail_with_obligations(client):
    r = client.get("/api/v1/resolutions/2397")
    assert r.status_code == 200
    body = r.get_json()
    assert body["number"] == 2397
    assert body["adopted_on"] == "2017-12-22"
    assert body["reporting_deadline"] == "2018-03-22"
    assert body["obligation_count"] == len(body["obligations"]) == 8
    codes = [o["code"] for o in body["obligations"]]
    assert codes[:3] == ["2397/4", "2397/5", "2397/6"]
    ob = body["obligations"][0]
    assert set(ob) >= {"code", "paragraph", "category", "summary", "weight", "expects",
                       "verified", "source"}
    assert ob["expects"][:3] == ["legal_basis", "competent_authority", "measures"]
    assert body["meeting"] == "8151st" and body["meeting_note"]
    assert body["reporting_deadline_verified"] is False
    by_code = {o["code"]: o for o in body["obligations"]}
    # A code keeps its name when the paragraph becomes known.
    assert by_code["2397/u1"]["paragraph"] == "6" and by_code["2397/u1"]["verified"] is True
    unverified = by_code["2397/7"]
    assert unverified["verified"] is False and unverified["binding"] is True
    assert "not shown" in unverified["verification_note"]
    assert by_code["2397/8"]["source"] == (
        "Ministry of Foreign Affairs of Japan, provisional translation of S/RES/2397 (2017), "
        "para. 8 (mofa.go.jp/mofaj/files/000325985.pdf)"
    )
    for ob in body["obligations"]:
        assert set(ob) == {"code", "paragraph", "category", "summary", "binding", "weight",
                           "expects", "verified", "source", "verification_note",
                           "in_force_from", "superseded_by"}


def test_obligations_carry_the_revised_catalogue(client):
    r2270 = client.get("/api/v1/resolutions/2270").get_json()
    deregister = next(o for o in r2270["obligations"] if o["code"] == "2270/20")
    assert deregister["binding"] is False and deregister["weight"] == 1
    assert r2270["meeting"] == "7638th" and r2270["meeting_note"] is None
    r2321 = client.get("/api/v1/resolutions/2321").get_json()
    codes = [o["code"] for o in r2321["obligations"]]
    assert {"2321/24", "2321/46"} <= set(codes) and len(codes) == 23
    binding_24 = next(o for o in r2321["obligations"] if o["code"] == "2321/24")
    assert binding_24["binding"] is True and binding_24["weight"] == 2
    r2094 = client.get("/api/v1/resolutions/2094").get_json()
    assert "2094/24" in [o["code"] for o in r2094["obligations"]]
    assert r2094["reporting_deadline_verified"] is True
    assert r2094["reporting_paragraph"] == "25" and r2094["reporting_paragraph_verified"] is True
    assert r2094["meeting"] == "6932nd" and "not confirmed" in r2094["meeting_note"]
    assert client.get("/api/v1/resolutions/2371").get_json()["meeting"] == "8019th"
    r1695 = client.get("/api/v1/resolutions/1695").get_json()
    assert "No request for national implementation reports" in r1695["reporting_note"]


RESEARCH_NOTES = ("forum", "thread", "reddit", "5ch", "from memory", "pass 2")


def test_no_research_notes_in_the_public_catalogue(client):
    resolutions = client.get("/api/v1/resolutions").get_json()["items"]
    for item in resolutions:
        text = client.get(f"/api/v1/resolutions/{item['number']}").get_data(as_text=True)
        for phrase in RESEARCH_NOTES:
            assert phrase not in text.lower(), (item["number"], phrase)


@pytest.mark.parametrize("path", ["/api/v1/resolutions/1", "/api/v1/resolutions/99999"])
def test_unknown_resolution_is_a_404_problem(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.mimetype == PROBLEM
    assert r.get_json()["title"] == "Not Found"
    assert "No resolution" in r.get_json()["detail"]


def test_non_numeric_resolution_is_a_404_problem(client):
    r = client.get("/api/v1/resolutions/abc")
    assert r.status_code == 404 and r.mimetype == PROBLEM


def test_states_all_193_with_groups(client):
    r = client.get("/api/v1/states?page_size=200")
    body = r.get_json()
    assert body["total"] == 193
    assert len(body["items"]) == 193
    groups = {}
    for s in body["items"]:
        groups[s["un_group"]] = groups.get(s["un_group"], 0) + 1
    assert groups == {
        "African": 54, "Asia-Pacific": 54, "Eastern European": 23,
        "Latin American and Caribbean": 33, "Western European and Others": 29,
    }
    assert {s["iso3"] for s in body["items"]} >= {"FRA", "PRK", "USA", "TUR", "SSD"}


def test_states_default_page_and_group_filter(client):
    body = client.get("/api/v1/states").get_json()
    assert body["page_size"] == 50 and len(body["items"]) == 50 and body["total"] == 193
    body = client.get("/api/v1/states?un_group=Eastern European&page_size=200").get_json()
    assert body["total"] == 23
    assert all(s["un_group"] == "Eastern European" for s in body["items"])
    r = client.get("/api/v1/states?un_group=Nordic")
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "un_group"


def test_state_detail(client):
    r = client.get("/api/v1/states/TUR")
    assert r.status_code == 200
    body = r.get_json()
    assert body["name"] == "Türkiye"
    assert body["un_group"] == "Western European and Others"
    assert body["note"]
    assert client.get("/api/v1/states/fra").get_json()["iso3"] == "FRA"


@pytest.mark.parametrize("code", ["XXX", "ABCD", "F"])
def test_unknown_state_is_a_404_problem(client, code):
    r = client.get(f"/api/v1/states/{code}")
    assert r.status_code == 404
    assert r.mimetype == PROBLEM


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regimes",
        "/api/v1/resolutions",
        "/api/v1/resolutions/2397",
        "/api/v1/states",
        "/api/v1/states/FRA",
    ],
)
def test_strong_etag_and_not_modified(client, path):
    r = client.get(path)
    etag = r.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(path)
    assert again.headers["ETag"] == etag
    r304 = client.get(path, headers={"If-None-Match": etag})
    assert r304.status_code == 304
    assert r304.get_data() == b""
    r200 = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert r200.status_code == 200


def test_etag_differs_between_representations(client):
    a = client.get("/api/v1/resolutions?page=1&page_size=2").headers["ETag"]
    b = client.get("/api/v1/resolutions?page=2&page_size=2").headers["ETag"]
    assert a != b


def test_catalogue_needs_no_token_and_ignores_a_bad_one(client):
    r = client.get("/api/v1/resolutions/2397", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 200
