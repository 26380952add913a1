"""The findings and incidents pages in a real browser (the fixtures of test_web_browser):
the Panel records and shares a finding, the State's reporter replies in French, and
axe-core finds no serious or critical violation on the finding, incident and vessel pages."""

from __future__ import annotations

from .helpers import auth
from .test_web_browser import assert_accessible, navigating, sign_in_with_keyboard

FRENCH = "La France conteste cette appréciation : la saisie a été déclarée au Comité."


def _sign_out(driver) -> None:
    navigating(driver, driver.find_element("css selector", ".who button[type=submit]").click)


def test_the_panel_shares_a_finding_and_the_state_replies(
        site, make_token, client, french_report, incident):  # noqa: F811 (the fixture)
    from selenium.webdriver.support.ui import Select

    driver, base = site
    panel = make_token("panel")
    sign_in_with_keyboard(driver, base, panel)
    driver.get(base + "/ui/findings")
    assert_accessible(driver)
    for field, value in (("new-state", "FRA"), ("new-report", french_report["id"]),
                         ("new-obligation", "2397/9"),
                         ("new-text", "France declared no seizure (test data).")):
        driver.find_element("id", field).send_keys(value)
    Select(driver.find_element("id", "new-assessment")).select_by_value("contradicted")
    navigating(driver, driver.find_element(
        "css selector", "form.record-form button[type=submit]").click)
    finding_id = driver.current_url.split("#")[0].rsplit("/", 1)[1]
    assert driver.find_element("css selector", "[data-figure=status]").text == "draft"
    assert_accessible(driver)
    navigating(driver, driver.find_element(
        "css selector", "form.status-form button[value=shared]").click)
    assert driver.find_element("css selector", "[data-figure=status]").text == "shared"
    assert_accessible(driver)  # the publish and withdraw form
    _sign_out(driver)

    sign_in_with_keyboard(driver, base, make_token("reporter", "FRA"))
    driver.get(base + "/ui/findings")
    navigating(driver, driver.find_element("link text", finding_id).click)
    assert_accessible(driver)  # with the reply form
    driver.find_element("id", "reply-text").send_keys(FRENCH)
    language = driver.find_element("id", "reply-language")
    language.clear()
    language.send_keys("fr")
    navigating(driver, driver.find_element(
        "css selector", "form.reply-form button[type=submit]").click)
    reply = driver.find_element("css selector", "blockquote.reply")
    assert reply.text == FRENCH and reply.get_attribute("lang") == "fr"
    assert reply.get_attribute("dir") == "auto"
    assert_accessible(driver)
    api = client.get(f"/api/v1/findings/{finding_id}", headers=auth(panel)).get_json()
    assert api["status"] == "shared" and api["reply"]["text"] == FRENCH

    # The incident pages, as this reporter sees them.
    for path in ("/ui/incidents", f"/ui/incidents/{incident['id']}",
                 "/ui/incidents?kind=seizure&from=2018-01-01"):
        driver.get(base + path)
        assert_accessible(driver)
    shown = driver.find_element("css selector", "[data-figure=total]").text
    assert shown == str(client.get("/api/v1/incidents?kind=seizure&from=2018-01-01",
                                   headers=auth(panel)).get_json()["total"])


def test_vessel_page_is_accessible(site, make_token, client):  # noqa: F811 (the fixture)
    from .test_incidents import SHIP_IMO, seizure

    driver, base = site
    panel = make_token("panel")
    assert client.post("/api/v1/incidents", headers=auth(panel),
                       json=seizure()).status_code == 201
    sign_in_with_keyboard(driver, base, panel)
    driver.get(base + f"/ui/vessels/{SHIP_IMO}")
    assert "TEST VESSEL" in driver.find_element("tag name", "main").text
    assert_accessible(driver)
