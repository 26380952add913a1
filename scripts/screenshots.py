"""Screenshots of the main web pages on the demo data, for the README.

    .venv/bin/python scripts/screenshots.py [docs/images]

Builds a throw-away SQLite database (migrations, catalogue, demo data), creates a panel and a
reporter authority, serves the application on a free port and drives Debian's headless
Chromium (`/usr/bin/chromium`, `/usr/bin/chromedriver`) through Selenium to write
`ui-*.png`. Nothing outside the output folder is changed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = (
    ("ui-sign-in.png", "/", None),
    ("ui-home.png", "/ui/", "panel"),
    ("ui-resolutions.png", "/ui/resolutions", "panel"),
    ("ui-matrix.png", "/ui/compliance?resolution=2397&sort=-completeness", "panel"),
    ("ui-state.png", "/ui/states/FRA", "panel"),
    ("ui-reporter-home.png", "/ui/", "reporter"),
    ("ui-reports.png", "/ui/reports?resolution=2397", "panel"),
    ("ui-report-diff.png", "/ui/reports/{amended}/diff#obligations", "panel"),
    ("ui-incidents.png", "/ui/incidents", "panel"),
)


def _amended_report(session) -> str:
    """The first demo report on 2397 with more than one version (for its difference)."""
    from sqlalchemy import select

    from app.models import Report, Resolution

    found = session.scalar(
        select(Report.public_id).join(Resolution, Resolution.id == Report.resolution_id)
        .where(Resolution.number == 2397, Report.current_version > 1).order_by(Report.id))
    if found is None:
        raise SystemExit("the demo data has no amended report on resolution 2397")
    return str(found)


def main(out: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db
    from app.services.authorities import create_authority

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.sqlite3",
                          "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
        runner = app.test_cli_runner()
        for command in (["db", "upgrade"], ["catalogue", "load"], ["demo", "load"]):
            result = runner.invoke(args=command)
            if result.exit_code != 0:
                raise SystemExit(f"{' '.join(command)} failed: {result.output}")
        with app.app_context():
            tokens = {
                "panel": create_authority(db.session, "Panel of Experts", "panel",
                                          None).plaintext,
                "reporter": create_authority(db.session, "France: Ministry of Foreign Affairs",
                                             "reporter", "FRA").plaintext,
            }
            amended = _amended_report(db.session)
            db.session.remove()
        server = make_server("127.0.0.1", 0, app)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--hide-scrollbars", "--lang=en"):
            options.add_argument(argument)
        driver = webdriver.Chrome(
            service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
            options=options)
        try:
            signed_in = None
            for name, path, who in PAGES:
                if who != signed_in:
                    driver.get(base + "/")
                    driver.delete_all_cookies()
                    if who is not None:
                        driver.get(base + "/")
                        driver.find_element("id", "token").send_keys(tokens[who])
                        driver.find_element("css selector", "form.signin button").click()
                    signed_in = who
                driver.get(base + path.format(amended=amended))
                driver.save_screenshot(str(out / name))
                print(out / name)
        finally:
            driver.quit()
            server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images")
