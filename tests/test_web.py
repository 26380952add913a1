"""The web pages through the test client: sign-in and out, CSRF, sessions that end when the
token is revoked, who may open which page, and numbers identical to the API's."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.services.authorities import revoke_token

from .helpers import auth

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIGURE = re.compile(r'data-figure="([a-z_]+)">([^<]*)<')


def csrf_of(client, path: str = "/") -> str:
    page = client.get(path)
    found = CSRF.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def sign_in(client, token: str):
    return client.post("/", data={"csrf_token": csrf_of(client), "token": token})


def figures(html: str) -> dict[str, str]:
    return dict(FIGURE.findall(html))


def audit_actions(client, admin: str, action: str) -> list[dict]:
    r = client.get(f"/api/v1/audit?action={action}", headers=auth(admin))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_sign_in_page_is_a_form_with_a_csrf_token(client):
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert '<html lang="en">' in html and "<title>Sign in" in html
    assert '<label for="token">' in html and CSRF.search(html)
    assert "form-action 'self'" in r.headers["Content-Security-Policy"]
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(app_factory):
    secure = app_factory("web-secure", SESSION_COOKIE_SECURE=True)
    cookie = secure.test_client().get("/").headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie


def test_session_settings_are_read_from_the_environment(monkeypatch):
    from app.config import from_environment

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SESSION_LIFETIME_MINUTES", "30")
    config = from_environment("/tmp")
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["PERMANENT_SESSION_LIFETIME"] == 30 * 60
    monkeypatch.delenv("SESSION_COOKIE_SECURE")
    assert from_environment("/tmp")["SESSION_COOKIE_SECURE"] is False


def test_sign_in_and_out_are_audited(client, make_token, admin):
    token = make_token("panel", name="Panel of Experts")
    r = sign_in(client, token)
    assert r.status_code == 302 and r.headers["Location"] == "/ui/"
    cookie = r.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and token not in cookie
    home = client.get("/ui/")
    assert home.status_code == 200
    assert "Panel of Experts" in home.get_data(as_text=True)
    assert token not in home.get_data(as_text=True)
    started = audit_actions(client, admin, "session.start")
    assert [e["actor"] for e in started] == ["Panel of Experts"]

    out = client.post("/signout", data={"csrf_token": csrf_of(client, "/ui/")})
    assert out.status_code == 302 and out.headers["Location"] == "/"
    again = client.get("/ui/")
    assert again.status_code == 302 and again.headers["Location"].startswith("/?next=")
    assert "You have signed out." in client.get("/").get_data(as_text=True)
    assert [e["actor"] for e in audit_actions(client, admin, "session.end")] == [
        "Panel of Experts"]


@pytest.mark.parametrize("bad", ["", "cra_0123456789abcdef_wrong", "not a token"])
def test_a_bad_token_is_refused(client, bad):
    r = sign_in(client, bad)
    assert r.status_code == 401
    assert 'role="alert"' in r.get_data(as_text=True)
    assert client.get("/ui/").status_code == 302


def test_a_post_without_a_valid_csrf_token_is_400(client, panel):
    assert client.post("/", data={"token": panel}).status_code == 400
    csrf_of(client)
    assert client.post("/", data={"token": panel, "csrf_token": "forged"}).status_code == 400
    assert sign_in(client, panel).status_code == 302
    assert client.post("/signout", data={}).status_code == 400
    assert client.get("/ui/").status_code == 200  # still signed in


def test_api_stays_outside_the_csrf_check(client, admin, report_body):
    r = client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    assert r.status_code == 201


def test_a_revoked_token_ends_the_session(app, client, panel):
    assert sign_in(client, panel).status_code == 302
    assert client.get("/ui/").status_code == 200
    with app.app_context():
        revoke_token(db.session, panel.split("_")[1])
        db.session.remove()
    r = client.get("/ui/")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert "revoked" in client.get("/").get_data(as_text=True)


def test_a_reporter_sees_its_own_state_only(client, france):
    assert sign_in(client, france).status_code == 302
    own = client.get("/ui/states/FRA")
    assert own.status_code == 200 and "France" in own.get_data(as_text=True)
    assert client.get("/ui/states/DEU").status_code == 404
    assert client.get("/ui/states/deu").status_code == 404
    assert client.get("/ui/compliance?resolution=2397").status_code == 403
    assert client.get("/ui/resolutions").status_code == 403
    assert client.get("/ui/compliance.csv?resolution=2397").status_code == 403
    assert client.get("/ui/summaries/resolutions/2397.pdf").status_code == 403


def test_matrix_page_numbers_are_the_apis(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    submit("DEU", 2397, "2018-09-01T10:00:00Z", entries=lambda e: e[:2])
    assert sign_in(client, panel).status_code == 302
    query = "resolution=2397&as_of=2019-01-01&sort=-completeness"
    api = client.get(f"/api/v1/compliance?{query}", headers=auth(panel)).get_json()
    r = client.get(f"/ui/compliance?{query}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    shown = figures(html)
    for key in ("states", "expected", "reported", "on_time", "late", "not_reported", "demo"):
        assert shown[key] == str(api["summary"][key]), key
    assert float(shown["median_completeness"]) == api["summary"]["median_completeness"]
    assert shown["total"] == str(api["total"])
    # Each row of the first page: the API's completeness for that state.
    rows = re.findall(r'<tr data-state="([A-Z]{3})">.*?data-figure="completeness">([^<]*)<',
                      html, re.S)
    assert len(rows) == 50
    by_state = {i["state"]: i for i in api["items"]}
    assert [s for s, _ in rows] == [i["state"] for i in api["items"][:50]]
    for state, value in rows:
        expected = by_state[state]["completeness"]
        assert (None if value == "–" else float(value)) == expected, state
    assert dict(rows)["DEU"] != "–" and dict(rows)["FRA"] != dict(rows)["DEU"]


def test_matrix_filters_and_pages(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    assert sign_in(client, panel).status_code == 302
    query = "resolution=2397&un_group=Western+European+and+Others&sort=-completeness"
    api = client.get(f"/api/v1/compliance?{query}", headers=auth(panel)).get_json()
    html = client.get(f"/ui/compliance?{query}&rating=&flag=").get_data(as_text=True)
    states = re.findall(r'<tr data-state="([A-Z]{3})">', html)
    assert states == [i["state"] for i in api["items"]][:50]
    assert figures(html)["total"] == str(api["total"])
    second = client.get("/ui/compliance?resolution=2397&page=4").get_data(as_text=True)
    all_rows = client.get("/api/v1/compliance?resolution=2397", headers=auth(panel)).get_json()
    assert re.findall(r'<tr data-state="([A-Z]{3})">', second) == [
        i["state"] for i in all_rows["items"][150:200]]
    bad = client.get("/ui/compliance?resolution=2397&rating=splendid")
    assert bad.status_code == 400 and "rating" in bad.get_data(as_text=True)


def test_downloads_are_the_apis_bytes(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    assert sign_in(client, panel).status_code == 302
    query = "resolution=2397&as_of=2019-01-01&un_group=Western+European+and+Others"
    page = client.get(f"/ui/compliance?{query}").get_data(as_text=True)
    assert "/ui/compliance.csv?" in page and "/ui/summaries/resolutions/2397.pdf" in page
    ours = client.get(f"/ui/compliance.csv?{query}")
    theirs = client.get(f"/api/v1/compliance?{query}&format=csv", headers=auth(panel))
    assert ours.status_code == theirs.status_code == 200
    assert ours.data == theirs.data and b"FRA" in ours.data
    assert ours.headers["Content-Disposition"] == theirs.headers["Content-Disposition"]
    pdf = client.get("/ui/summaries/resolutions/2397.pdf?as_of=2019-01-01")
    api_pdf = client.get("/api/v1/summaries/resolutions/2397.pdf?as_of=2019-01-01",
                         headers=auth(panel))
    assert pdf.status_code == api_pdf.status_code == 200
    assert pdf.mimetype == "application/pdf" and pdf.data == api_pdf.data


def test_resolutions_page_gives_each_headline(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    assert sign_in(client, panel).status_code == 302
    html = client.get("/ui/resolutions").get_data(as_text=True)
    row = re.search(r'<tr data-resolution="2397">(.*?)</tr>', html, re.S)
    assert row
    api = client.get("/api/v1/compliance?resolution=2397", headers=auth(panel)).get_json()
    shown = figures(row.group(1))
    for key in ("expected", "reported", "on_time", "late", "not_reported", "demo"):
        assert shown[key] == str(api["summary"][key]), key


def test_pages_outside_a_session_go_to_sign_in(client):
    for path in ("/ui/", "/ui/resolutions", "/ui/states/FRA", "/ui/compliance?resolution=2397"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/?next="), path


def test_sign_in_returns_to_the_page_asked_for_on_this_site_only(client, panel):
    token = csrf_of(client)
    r = client.post("/", data={"csrf_token": token, "token": panel,
                               "next": "/ui/states/FRA"})
    assert r.headers["Location"] == "/ui/states/FRA"
    client.post("/signout", data={"csrf_token": csrf_of(client, "/ui/")})
    r = client.post("/", data={"csrf_token": csrf_of(client), "token": panel,
                               "next": "https://evil.example/ui/"})
    assert r.headers["Location"] == "/ui/"


def test_web_pages_are_rate_limited(app_factory):
    limited = app_factory("web-limits", RATELIMIT_ENABLED=True,
                          RATELIMIT_PER_ADDRESS="3 per minute")
    client = limited.test_client()
    statuses = [client.get("/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/ui/").status_code == 429


def test_an_unknown_page_is_an_html_404_and_the_api_keeps_problem_json(client):
    page = client.get("/ui/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "<title>Not Found" in page.get_data(as_text=True)
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_a_states_page_lists_the_findings_its_reader_may_see(app, make_token, panel,
                                                            french_report, incident):
    from .test_findings import finding_body

    api = app.test_client()
    created = api.post("/api/v1/findings", json=finding_body(french_report["id"],
                                                             incident["id"]),
                       headers=auth(panel))
    finding = created.get_json()
    panel_page = app.test_client()
    sign_in(panel_page, panel)
    assert finding["id"] in panel_page.get("/ui/states/FRA").get_data(as_text=True)
    france = app.test_client()
    sign_in(france, make_token("reporter", "FRA"))
    page = france.get("/ui/states/FRA").get_data(as_text=True)
    assert finding["id"] not in page  # a draft does not exist for the State
    api.post(finding["links"]["status"], json={"to": "shared"},
             headers=auth(panel, **{"If-Match": created.headers["ETag"]}))
    page = france.get("/ui/states/FRA").get_data(as_text=True)
    assert finding["id"] in page and "reply due" in page


def test_the_state_pdf_and_the_matrix_by_requirement_are_the_apis(app, make_token, panel):
    page = app.test_client()
    sign_in(page, panel)
    api = app.test_client()
    pdf = page.get("/ui/summaries/states/FRA.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data == api.get("/api/v1/summaries/states/FRA.pdf", headers=auth(panel)).data
    html = page.get("/ui/compliance?resolution=2397&requirement=2397/R-8-midterm")
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    assert '<option value="2397/R-8-midterm" selected>' in text
    body = api.get("/api/v1/compliance?requirement=2397/R-8-midterm",
                   headers=auth(panel)).get_json()
    assert f'data-figure="total">{body["total"]}<' in text
    # A reporter: its own State's public edition only.
    france = app.test_client()
    sign_in(france, make_token("reporter", "FRA"))
    assert france.get("/ui/summaries/states/FRA.pdf").status_code == 200
    assert france.get("/ui/summaries/states/FRA.pdf?audience=restricted").status_code == 403
    assert france.get("/ui/summaries/states/DEU.pdf").status_code == 404
