"""The web pages in a real browser: Debian's Chromium driven by Selenium through
chromedriver, against the application served by a real server thread on the test database.
axe-core (vendored, tests/vendor) checks every page: no `serious` or `critical` violation.

Skipped when Chromium or its driver is missing, or when SKIP_BROWSER=1; REQUIRE_BROWSER=1
makes a missing browser a failure (CI on SQLite).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import auth

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
def axe_violations(driver) -> list[dict]:
    """Serious and critical axe-core violations of the page now in the browser."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical',"
        " description: String(e), nodes: []}]));"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "description": v["description"],
         "nodes": [n.get("target") for n in v.get("nodes", [])][:5]}
        for v in result if v.get("impact") in ("serious", "critical")
    ]


def assert_accessible(driver) -> None:
    violations = axe_violations(driver)
    assert violations == [], f"{driver.current_url}: {violations}"
    assert driver.title.endswith("Compliance reporting")
    assert driver.find_element("css selector", "nav[aria-label=Breadcrumb]")
    assert driver.find_element("css selector", "a.skip-link").get_attribute("href").endswith(
        "#main")


def navigating(driver, action) -> None:
    """Do `action` and wait until the next page has replaced this one and loaded. Asking
    about the old page while Chromium replaces it may fail with an inspector error
    instead of a stale element: that counts as not replaced yet."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element("tag name", "html")
    action()

    def replaced(_) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException:
            return False
        return False

    WebDriverWait(driver, 20).until(replaced)
    WebDriverWait(driver, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in_with_keyboard(driver, base: str, token: str) -> None:
    """Tab to the token field, type the token, press Enter: no mouse."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.get(base + "/")
    for _ in range(10):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element.get_attribute("id") == "token":
            break
    else:
        pytest.fail("the token field cannot be reached with the Tab key")
    navigating(driver, ActionChains(driver).send_keys(token).send_keys(Keys.ENTER).perform)


def test_sign_in_with_the_keyboard_and_sign_out(site, make_token):
    driver, base = site
    driver.get(base + "/")
    assert_accessible(driver)
    sign_in_with_keyboard(driver, base, make_token("panel", name="Panel of Experts"))
    assert driver.current_url == base + "/ui/", driver.find_element("tag name", "main").text
    assert "Panel of Experts" in driver.find_element("css selector", ".who").text
    cookie = driver.get_cookie("cra_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert_accessible(driver)
    navigating(driver, driver.find_element("css selector", ".who button[type=submit]").click)
    assert driver.current_url == base + "/"
    assert "You have signed out." in driver.find_element("css selector", "main").text
    driver.get(base + "/ui/")
    assert driver.current_url.startswith(base + "/?next=")


def test_a_bad_token_is_refused_in_the_browser(site):
    driver, base = site
    sign_in_with_keyboard(driver, base, "cra_0123456789abcdef_not-the-secret")
    assert driver.find_element("css selector", "[role=alert]").text == "The token is not valid."
    assert_accessible(driver)


def test_panel_pages_are_accessible_and_agree_with_the_api(site, make_token, client, submit):
    driver, base = site
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    submit("DEU", 2397, "2018-09-01T10:00:00Z", entries=lambda e: e[:2])
    panel = make_token("panel")
    sign_in_with_keyboard(driver, base, panel)
    for path in ("/ui/", "/ui/resolutions", "/ui/states/FRA",
                 "/ui/compliance?resolution=2397&as_of=2019-01-01&sort=-completeness",
                 "/ui/compliance?resolution=2397&rating=splendid"):
        driver.get(base + path)
        assert_accessible(driver)
    # The matrix as the browser shows it, against the API's JSON.
    driver.get(base + "/ui/compliance?resolution=2397&as_of=2019-01-01&sort=-completeness")
    api = client.get("/api/v1/compliance?resolution=2397&as_of=2019-01-01&sort=-completeness",
                     headers=auth(panel)).get_json()
    shown = {e.get_attribute("data-figure"): e.text
             for e in driver.find_elements("css selector", ".headline dd")}
    for key in ("states", "expected", "reported", "on_time", "late", "not_reported"):
        assert shown[key] == str(api["summary"][key]), key
    first = driver.find_elements("css selector", "table.matrix tbody tr")[:2]
    assert [r.get_attribute("data-state") for r in first] == [
        i["state"] for i in api["items"][:2]]
    # The filter form works without JavaScript: a plain GET.
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "un_group")).select_by_value("African")
    navigating(driver,
               driver.find_element("css selector", "form.filters button[type=submit]").click)
    assert "un_group=African" in driver.current_url
    african = client.get("/api/v1/compliance?resolution=2397&as_of=2019-01-01"
                         "&sort=-completeness&un_group=African", headers=auth(panel)).get_json()
    assert driver.find_element("css selector", "[data-figure=total]").text == str(
        african["total"])


def test_a_reporter_cannot_open_another_states_page(site, make_token):
    driver, base = site
    sign_in_with_keyboard(driver, base, make_token("reporter", "FRA"))
    driver.get(base + "/ui/")
    assert_accessible(driver)
    navigating(driver,
               driver.find_element("link text", "Your state's profile and deadlines").click)
    assert driver.current_url == base + "/ui/states/FRA"
    assert_accessible(driver)
    driver.get(base + "/ui/states/DEU")
    assert driver.find_element("tag name", "h1").text == "Not Found"
    assert "Germany" not in driver.page_source
    assert_accessible(driver)
    driver.get(base + "/ui/compliance?resolution=2397")
    assert driver.find_element("tag name", "h1").text == "Forbidden"


def test_the_accessibility_check_finds_a_violation(site):
    """The check itself: an input without a label is a critical violation axe reports."""
    driver, base = site
    driver.get(base + "/")
    driver.execute_script(
        "const i = document.createElement('input'); i.type = 'text';"
        "document.querySelector('main').appendChild(i);")
    assert "label" in [v["id"] for v in axe_violations(driver)]


def test_pages_fit_a_phone_screen(site, make_token, submit):
    """On a phone-sized window no page is wider than the screen: wide tables scroll inside
    their own box, the rest wraps."""
    driver, base = site
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    sign_in_with_keyboard(driver, base, make_token("panel"))
    driver.set_window_size(390, 844)
    try:
        for path in ("/ui/", "/ui/resolutions", "/ui/states/FRA",
                     "/ui/compliance?resolution=2397", "/ui/reports", "/ui/incidents",
                     "/ui/findings"):
            driver.get(base + path)
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (path, overflow)
    finally:
        driver.set_window_size(1280, 900)
