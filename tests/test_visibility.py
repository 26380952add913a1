"""One answer for "not yours": what concerns another state does not exist for a reporter.

Every route that reads (or amends) something of one state answers a reporter of another state
404 problem+json, exactly as for something that does not exist; never 403. A malformed report
id gets the same 404 as an unknown well-formed one.
"""

from __future__ import annotations

import pytest

from tests.helpers import auth

UNKNOWN_ID = "r" + "0" * 20


@pytest.fixture()
def fra_report(client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    r = client.post("/api/v1/reports", json=report_body("FRA"), headers=auth(fra))
    assert r.status_code == 201, r.get_json()
    return fra, r.get_json()


def _not_found(r, path):
    assert r.status_code == 404, (path, r.status_code, r.get_data(as_text=True)[:300])
    assert r.mimetype == "application/problem+json", path
    problem = r.get_json()
    assert problem["status"] == 404 and problem["type"].endswith("/not-found"), path
    assert problem["title"] == "Not Found", path
    assert "Retry-After" not in r.headers, path
    return problem


def test_a_reporter_of_another_state_gets_404_on_every_route(client, make_token, fra_report,
                                                             report_body):
    fra, report = fra_report
    deu = make_token("reporter", "DEU")
    url = report["links"]["self"]
    reads = [
        url, url + "/versions", url + "/versions/1", url + "/score",
        "/api/v1/reports?state=FRA", "/api/v1/reports?state=fra&resolution=2397",
        "/api/v1/compliance/states/FRA", "/api/v1/compliance/states/fra?format=csv",
        "/api/v1/summaries/states/FRA.pdf", "/api/v1/summaries/states/FRA.html",
    ]
    for path in reads:
        _not_found(client.get(path, headers=auth(deu)), path)
    amend = client.put(url, json=report_body("FRA"), headers=auth(deu, **{"If-Match": "*"}))
    _not_found(amend, "PUT " + url)
    # The list filter names the parameter it refuses.
    problem = client.get("/api/v1/reports?state=FRA", headers=auth(deu)).get_json()
    assert problem["errors"] == [{"pointer": "state", "detail": "Not the token's state."}]


def test_another_states_report_reads_exactly_like_an_unknown_one(client, make_token,
                                                                 fra_report):
    _, report = fra_report
    deu = make_token("reporter", "DEU")
    for suffix in ("", "/versions", "/versions/1", "/score"):
        hidden = client.get(f"/api/v1/reports/{report['id']}{suffix}", headers=auth(deu))
        unknown = client.get(f"/api/v1/reports/{UNKNOWN_ID}{suffix}", headers=auth(deu))
        hidden_problem = _not_found(hidden, suffix)
        unknown_problem = _not_found(unknown, suffix)
        assert hidden_problem["detail"] == f"No report {report['id']!r}."
        assert unknown_problem["detail"] == f"No report {UNKNOWN_ID!r}."


def test_the_own_state_keeps_working(client, fra_report):
    fra, report = fra_report
    url = report["links"]["self"]
    for path in (url, url + "/versions", url + "/versions/1", url + "/score",
                 "/api/v1/reports?state=FRA", "/api/v1/reports?state=fra",
                 "/api/v1/compliance/states/FRA", "/api/v1/compliance/states/fra",
                 "/api/v1/summaries/states/FRA.html"):
        r = client.get(path, headers=auth(fra))
        assert r.status_code == 200, (path, r.get_data(as_text=True)[:300])
    assert client.get("/api/v1/reports?state=FRA", headers=auth(fra)).get_json()["total"] == 1


def test_panel_and_admin_read_every_state(client, make_token, fra_report):
    _, report = fra_report
    for role in ("panel", "admin"):
        token = make_token(role)
        for path in (report["links"]["self"], "/api/v1/compliance/states/FRA",
                     "/api/v1/reports?state=FRA"):
            assert client.get(path, headers=auth(token)).status_code == 200, (role, path)


@pytest.mark.parametrize("bad_id", ["xyz", "r123", "R0123456789ABCDEF0123", "r" + "g" * 20,
                                    "r0123456789abcdef01234", "%C3%A9t%C3%A9", "0" * 300])
@pytest.mark.parametrize("suffix", ["", "/versions", "/versions/1", "/score"])
def test_a_malformed_report_id_is_an_unknown_report(client, make_token, bad_id, suffix):
    panel = make_token("panel")
    r = client.get(f"/api/v1/reports/{bad_id}{suffix}", headers=auth(panel))
    problem = _not_found(r, bad_id + suffix)
    unknown = client.get(f"/api/v1/reports/{UNKNOWN_ID}{suffix}", headers=auth(panel))
    unknown_problem = _not_found(unknown, suffix)
    assert problem.keys() == unknown_problem.keys()
    assert problem["detail"].startswith("No report '")
    assert problem["detail"].endswith("'.")


def test_a_malformed_report_id_is_unknown_to_put_too(client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    r = client.put("/api/v1/reports/xyz", json=report_body(),
                   headers=auth(fra, **{"If-Match": "*"}))
    assert _not_found(r, "PUT xyz")["detail"] == "No report 'xyz'."


def test_validate_is_not_a_report_id(client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    r = client.post("/api/v1/reports/validate", json=report_body(), headers=auth(fra))
    assert r.status_code == 200 and r.get_json()["valid"] is True
    r = client.get("/api/v1/reports/validate", headers=auth(fra))
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
