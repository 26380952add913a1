"""The report pages through the test client: the list and a report with the API's numbers,
the difference between two versions, the validation of a document before submitting it,
and who may open which."""

from __future__ import annotations

import copy
import io
import json
import re

from .helpers import auth
from .test_web import csrf_of, figures, sign_in

MEASURES_BEFORE = "Licensing, cargo screening and inspections at all ports."
MEASURES_AFTER = "Licensing, cargo screening, vessel tracking and inspections at all ports."


def _amended(client, token, report_body):
    """A French report on 2397 (by its reporter) and its amendment changing the measures and
    the seizures of the third entry; returns the report as the API answered it, the body."""
    body = report_body("FRA", 2397)
    created = client.post("/api/v1/reports", json=body, headers=auth(token))
    assert created.status_code == 201, created.get_json()
    report = created.get_json()
    amended = copy.deepcopy(body)
    assert amended["entries"][2]["measures"] == MEASURES_BEFORE
    amended["entries"][2]["measures"] = MEASURES_AFTER
    amended["entries"][2]["enforcement"]["seizures"] = 4
    r = client.put(report["links"]["self"], json=amended,
                   headers=auth(token, **{"If-Match": created.headers["ETag"]}))
    assert r.status_code == 200, r.get_json()
    return report, body


def _rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-report="(r[0-9a-f]+)">(.*?)</tr>', html, re.S))


def test_report_list_numbers_are_the_apis(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    submit("DEU", 2397, "2018-09-01T10:00:00Z", entries=lambda e: e[:2])
    submit("ITA", 2397, "2018-04-01T10:00:00Z", entries=lambda e: e[:4])
    assert sign_in(client, panel).status_code == 302
    api = client.get("/api/v1/reports?resolution=2397&page_size=50",
                     headers=auth(panel)).get_json()
    r = client.get("/ui/reports?resolution=2397&rating=&requirement=")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Reports" in html
    rows = _rows(html)
    assert list(rows) == [i["id"] for i in api["items"]]
    assert figures(html)["total"] == str(api["total"]) == "3"
    for item in api["items"]:
        shown = figures(rows[item["id"]])
        assert float(shown["completeness"]) == item["completeness"], item["state"]
        assert shown["rating"] == item["rating"]
        assert shown["days_late"] == ("–" if item["days_late"] is None
                                      else str(item["days_late"]))
    # A filter narrows the list as the API's does.
    rating = api["items"][1]["rating"]
    filtered = client.get(f"/api/v1/reports?rating={rating}", headers=auth(panel)).get_json()
    page = client.get(f"/ui/reports?rating={rating}").get_data(as_text=True)
    assert list(_rows(page)) == [i["id"] for i in filtered["items"]]
    assert client.get("/ui/reports?rating=splendid").status_code == 400


def test_report_list_pages(client, panel, submit, monkeypatch):
    import app.web.reports

    monkeypatch.setattr(app.web.reports, "ROWS_PER_PAGE", 2)
    for iso3 in ("FRA", "DEU", "ITA"):
        submit(iso3, 2397, "2018-03-01T10:00:00Z")
    assert sign_in(client, panel).status_code == 302
    api = client.get("/api/v1/reports", headers=auth(panel)).get_json()
    ids = [i["id"] for i in api["items"]]
    first = client.get("/ui/reports").get_data(as_text=True)
    second = client.get("/ui/reports?page=2").get_data(as_text=True)
    assert list(_rows(first)) == ids[:2] and list(_rows(second)) == ids[2:]
    assert 'aria-label="Pages of the report list"' in first
    assert '<span aria-current="page">Page 2</span>' in second
    assert figures(second)["total"] == "3"


def test_report_page_gives_the_apis_score_versions_and_entries(client, france, report_body):
    report, body = _amended(client, france, report_body)
    assert sign_in(client, france).status_code == 302
    r = client.get(f"/ui/reports/{report['id']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    score = client.get(f"/api/v1/reports/{report['id']}/score", headers=auth(france)).get_json()
    shown = figures(html)
    assert float(shown["completeness"]) == score["completeness"]
    assert shown["rating"] == score["rating"] and shown["version"] == "2"
    for item in score["obligations"]:
        row = re.search(rf'<tr data-obligation="{re.escape(item["code"])}">(.*?)</tr>', html,
                        re.S)
        assert row, item["code"]
        cells = figures(row.group(1))
        assert float(cells["points"]) == item["points"]
        assert int(cells["max_points"]) == item["max_points"]
        for missing in item["missing"]:
            assert missing in row.group(1)
    versions = client.get(f"/api/v1/reports/{report['id']}/versions",
                          headers=auth(france)).get_json()
    assert re.findall(r'<tr data-version="(\d+)">', html) == [
        str(v["version"]) for v in versions["items"]]
    assert f"/ui/reports/{report['id']}/diff?from=1&amp;to=2" in html
    assert MEASURES_AFTER in html and 'dir="auto" lang="en"' in html
    assert html.count('<section class="entry"') == len(body["entries"])


def test_a_reporter_reaches_its_own_states_reports_only(client, france, germany, report_body,
                                                        submit):
    report, _ = _amended(client, france, report_body)
    other = submit("ITA", 2397, "2018-03-01T10:00:00Z")
    assert sign_in(client, germany).status_code == 302
    for path in (f"/ui/reports/{report['id']}", f"/ui/reports/{report['id']}/diff?from=1&to=2",
                 "/ui/reports/not-a-report", "/ui/reports?state=FRA"):
        assert client.get(path).status_code == 404, path
    assert _rows(client.get("/ui/reports").get_data(as_text=True)) == {}
    client.post("/signout", data={"csrf_token": csrf_of(client, "/ui/")})
    assert sign_in(client, france).status_code == 302
    assert list(_rows(client.get("/ui/reports").get_data(as_text=True))) == [report["id"]]
    assert client.get(f"/ui/reports/{other['id']}").status_code == 404
    assert client.get(f"/ui/reports/{other['id']}/diff").status_code == 404


def test_the_difference_shows_exactly_the_changed_entry(client, panel, france, report_body):
    report, body = _amended(client, france, report_body)
    assert sign_in(client, panel).status_code == 302
    r = client.get(f"/ui/reports/{report['id']}/diff?from=1&to=2")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    changes = dict(re.findall(r'data-obligation="([^"]+)" data-change="([a-z]+)"', html))
    target = body["entries"][2]["obligation"]
    assert changes == {e["obligation"]: ("changed" if e["obligation"] == target
                                         else "unchanged") for e in body["entries"]}
    shown = figures(html)
    assert (shown["changed"], shown["unchanged"], shown["added"], shown["removed"]) == (
        "1", str(len(body["entries"]) - 1), "0", "0")
    section = re.search(rf'data-obligation="{re.escape(target)}" data-change="changed".*?'
                        r"</section>", html, re.S).group(0)
    assert re.findall(r"<ins>(.*?)</ins>", section) == [
        '<span class="visually-hidden">[inserted: </span>screening, vessel tracking '
        '<span class="visually-hidden">]</span>']
    assert re.findall(r"<del>(.*?)</del>", section) == [
        '<span class="visually-hidden">[deleted: </span>screening '
        '<span class="visually-hidden">]</span>']
    figure = re.search(r'<tr data-figure-change="seizures">(.*?)</tr>', section, re.S).group(1)
    assert re.findall(r"<td>(\d+)", figure) == ["1", "4"]
    # Without a choice, the latest version against the one before; versions out of order
    # and unknown ones are refused as by the API.
    assert client.get(f"/ui/reports/{report['id']}/diff").get_data(as_text=True).count(
        "<ins>") == 1
    assert client.get(f"/ui/reports/{report['id']}/diff?from=2&to=1").status_code == 422
    assert client.get(f"/ui/reports/{report['id']}/diff?from=1&to=9").status_code == 404
    assert client.get(f"/ui/reports/{report['id']}/diff?from=x").status_code == 400


def _validate(client, **data):
    token = csrf_of(client, "/ui/validate")
    return client.post("/ui/validate", data={"csrf_token": token, **data},
                       content_type="multipart/form-data")


def test_validation_shows_each_error_next_to_its_entry(client, france, report_body):
    body = report_body("FRA", 2397)
    body["entries"][1]["status"] = "splendid"
    body["dated"] = "not a date"
    assert sign_in(client, france).status_code == 302
    api = client.post("/api/v1/reports/validate", json=body, headers=auth(france)).get_json()
    assert api["valid"] is False
    r = _validate(client, document=(io.BytesIO(json.dumps(body).encode()), "report.json"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert figures(html)["errors"] == str(len(api["errors"]))
    entry = re.search(r'<section class="entry entry-errors" data-entry="1".*?</section>', html,
                      re.S)
    assert entry and body["entries"][1]["obligation"] in entry.group(0)
    status_errors = [e for e in api["errors"] if e["pointer"] == "/entries/1/status"]
    assert status_errors
    assert 'data-pointer="/entries/1/status"' in entry.group(0)
    assert status_errors[0]["detail"] in entry.group(0).replace("&#39;", "'")
    assert re.findall(r'data-entry="(\d+)"', html) == ["1"]
    general = re.search(r'<section class="errors-general".*?</section>', html, re.S).group(0)
    assert "/dated" in general
    # Nothing was stored.
    assert client.get("/api/v1/reports", headers=auth(france)).get_json()["total"] == 0


def test_validation_of_a_pasted_report_gives_the_apis_score(client, france, report_body):
    body = report_body("FRA", 2397, received_at=None)
    del body["received_at"]
    body["entries"] = body["entries"][:3]
    assert sign_in(client, france).status_code == 302
    api = client.post("/api/v1/reports/validate", json=body, headers=auth(france)).get_json()
    assert api["valid"] is True, api
    html = _validate(client, pasted=json.dumps(body)).get_data(as_text=True)
    assert "The report is valid" in html
    shown = figures(html)
    assert float(shown["completeness"]) == api["score"]["completeness"]
    assert shown["rating"] == api["score"]["rating"]
    for item in api["score"]["obligations"]:
        row = re.search(rf'<tr data-obligation="{re.escape(item["code"])}">(.*?)</tr>', html,
                        re.S)
        assert float(figures(row.group(1))["points"]) == item["points"]
    bad = _validate(client, pasted="{not json")
    assert bad.status_code == 400 and "not valid JSON" in bad.get_data(as_text=True)
    assert _validate(client).status_code == 400
    assert client.get("/api/v1/reports", headers=auth(france)).get_json()["total"] == 0


def test_validation_needs_a_csrf_token_and_a_writer(client, france, panel, report_body):
    assert sign_in(client, france).status_code == 302
    body = json.dumps(report_body("FRA", 2397))
    assert client.post("/ui/validate", data={"pasted": body}).status_code == 400
    assert client.post("/ui/validate", data={"pasted": body,
                                             "csrf_token": "forged"}).status_code == 400
    client.post("/signout", data={"csrf_token": csrf_of(client, "/ui/")})
    assert sign_in(client, panel).status_code == 302
    assert client.get("/ui/validate").status_code == 403
