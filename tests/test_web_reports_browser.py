"""The report pages in a real browser (the fixtures and checks of test_web_browser): the
difference between two versions reached from the report's history, and the validation of a
report document, each checked by axe-core."""

from __future__ import annotations

import json

from .test_web_browser import assert_accessible, navigating
from .test_web_reports import MEASURES_AFTER, _amended


def sign_in(driver, base: str, token: str) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.get(base + "/")
    field = driver.find_element("id", "token")
    navigating(driver, lambda: field.send_keys(token, Keys.ENTER))
    assert driver.current_url == base + "/ui/"


def test_a_version_difference_shows_the_changed_entry(site, client, make_token, report_body):
    driver, base = site
    report, body = _amended(client, make_token("reporter", "FRA"), report_body)
    sign_in(driver, base, make_token("panel"))
    driver.get(base + "/ui/reports")
    assert_accessible(driver)
    navigating(driver, driver.find_element("link text", report["id"]).click)
    assert driver.current_url == f"{base}/ui/reports/{report['id']}"
    assert_accessible(driver)
    navigating(driver, driver.find_element("link text", "What changed from version 1").click)
    assert_accessible(driver)
    changed = driver.find_elements("css selector", "section[data-change=changed]")
    assert [s.get_attribute("data-obligation") for s in changed] == [
        body["entries"][2]["obligation"]]
    new_text = changed[0].find_element("css selector", "td.new")
    assert new_text.text.replace("\n", "").replace("[inserted:", "").replace("]", "") \
        == MEASURES_AFTER
    inserted = changed[0].find_element("css selector", "td.new ins")
    assert inserted.get_attribute("textContent") == "[inserted: screening, vessel tracking ]"
    assert inserted.value_of_css_property("text-decoration-line") == "underline"
    deleted = changed[0].find_element("css selector", "td.old del")
    assert deleted.get_attribute("textContent") == "[deleted: screening ]"
    assert deleted.value_of_css_property("text-decoration-line") == "line-through"
    # The words for screen readers take no room on the screen.
    for hidden in changed[0].find_elements("css selector", ".visually-hidden"):
        assert hidden.size["width"] <= 1 and hidden.size["height"] <= 1


def test_a_reporter_checks_a_report_before_submitting_it(site, make_token, report_body):
    driver, base = site
    document = report_body("FRA", 2397)
    document["entries"][1]["status"] = "splendid"
    sign_in(driver, base, make_token("reporter", "FRA"))
    driver.get(base + "/ui/validate")
    assert_accessible(driver)
    driver.find_element("id", "pasted").send_keys(json.dumps(document))
    navigating(driver, driver.find_element("css selector", "form.validate button").click)
    assert_accessible(driver)
    entry = driver.find_element("css selector", "section[data-entry='1']")
    assert "/entries/1/status" in entry.text
    assert document["entries"][1]["obligation"] in entry.text
    # Corrected, the report is valid and the page gives the score it would get.
    document["entries"][1]["status"] = "implemented"
    pasted = driver.find_element("id", "pasted")
    pasted.clear()
    pasted.send_keys(json.dumps(document))
    navigating(driver, driver.find_element("css selector", "form.validate button").click)
    assert_accessible(driver)
    assert "The report is valid" in driver.find_element("css selector", "[role=status]").text
    assert driver.find_element("css selector", "dd[data-figure=completeness]").text == "100.0"
