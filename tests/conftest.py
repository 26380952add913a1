"""Test fixtures. The suite runs against SQLite by default and against PostgreSQL when
TEST_DATABASE_URL names a PostgreSQL server: each run then gets fresh databases of its own.

REQUIRE_POSTGRES=1 turns an unreachable or non-PostgreSQL database into a failure, so that a
PostgreSQL run can never pass by quietly testing something else.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.migrations import upgrade
from app.services.catalogue import load_catalogue
from tests.helpers import auth, free_port, full_entry

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql"))


def pytest_report_header(config):
    return f"database: {'postgresql' if IS_POSTGRES else 'sqlite'}"


def pytest_terminal_summary(terminalreporter):
    fuzz = sys.modules.get("tests.test_fuzz_openapi")
    if fuzz is None or not fuzz.SENT:
        return
    operations = {operation for operation, _ in fuzz.SENT}
    statuses = {}
    for (_, status), count in fuzz.SENT.items():
        statuses[status] = statuses.get(status, 0) + count
    terminalreporter.write_line(
        f"fuzz: {sum(fuzz.SENT.values())} requests over {len(operations)} operations, "
        f"5 roles; statuses {dict(sorted(statuses.items()))}"
    )


def pytest_configure(config):
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not IS_POSTGRES:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not PostgreSQL")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords and not IS_POSTGRES:
            item.add_marker(skip)


def _psycopg_url(url: str) -> str:
    from app.config import normalise_database_url

    return normalise_database_url(url)


class DatabaseFactory:
    """Creates throwaway databases: files for SQLite, fresh databases on a PostgreSQL server."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp = tmp_path_factory.mktemp("db")
        self.created: list[str] = []
        if IS_POSTGRES:
            admin = make_url(_psycopg_url(TEST_DATABASE_URL))
            self.admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
            try:
                with self.admin_engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except Exception as exc:  # pragma: no cover - environment failure
                pytest.exit(f"PostgreSQL at {admin!r} is not reachable: {exc}", returncode=3)

    def new(self, label: str) -> str:
        name = f"cra_test_{label}_{uuid.uuid4().hex[:10]}"
        if not IS_POSTGRES:
            return f"sqlite:///{self.tmp / (name + '.sqlite3')}"
        with self.admin_engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        url = make_url(_psycopg_url(TEST_DATABASE_URL)).set(database=name)
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not IS_POSTGRES:
            return
        with self.admin_engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin_engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory)
    yield factory
    factory.drop_all()


def make_app(database_url: str, **overrides):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
              "RATELIMIT_ENABLED": False}
    return create_app({**config, **overrides})


@pytest.fixture(scope="session")
def app(databases):
    """One migrated database with the bundled catalogue, shared by the session."""
    application = make_app(databases.new("app"))
    upgrade(application)
    with application.app_context():
        load_catalogue(db.session)
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def fresh_app(databases):
    """An application on a new, empty database (no migrations applied)."""
    application = make_app(databases.new("fresh"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def app_factory(databases):
    """Build applications on new, empty databases: `app_factory("label", **config)`."""
    made = []

    def build(label: str, **overrides):
        application = make_app(databases.new(label), **overrides)
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


# --- reporting data: authorities, tokens, report bodies -------------------------------------

REPORTING_TABLES = (
    "rendered_summary", "render_failure",
    "idempotency_key", "audit_event",
    "finding_reply_version", "finding_reply", "finding_version", "finding",
    "incident_involvement", "incident_enforcement",
    "incident_acknowledgement", "incident_party", "incident_vessel", "incident_obligation",
    "incident_version", "incident",
    "entry", "report_version", "report",
    "api_token", "reminder_sent",
    "authority",
)


@pytest.fixture(autouse=True)
def _clean_reporting_tables(request):
    """Tests on the shared database start without reports or authorities."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    # The rows go behind the revision counters' back: the PDFs this process holds go too.
    application.extensions.pop("summary_memory", None)
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in REPORTING_TABLES:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture()
def make_token(app):
    """`make_token("reporter", "FRA")` -> a bearer token of a new authority."""
    from app.services.authorities import create_authority

    counter = iter(range(1, 10_000))

    def make(role: str, state: str | None = None, name: str | None = None) -> str:
        with app.app_context():
            issued = create_authority(
                db.session, name or f"{role}-{state or 'x'}-{next(counter)}", role, state
            )
            token = issued.plaintext
            db.session.remove()
        return token

    return make


@pytest.fixture()
def report_body(client):
    """`report_body("FRA", 2397)` -> a complete report addressing every obligation."""

    def build(state: str = "FRA", resolution: int = 2397, **fields) -> dict:
        detail = client.get(f"/api/v1/resolutions/{resolution}").get_json()
        body = {
            "state": state,
            "resolution": resolution,
            "language": "en",
            "reference": f"S/AC.49/2018/{state}",
            "dated": "2018-03-19",
            "entries": [full_entry(o) for o in detail["obligations"]],
        }
        body.update(fields)
        return body

    return build


@pytest.fixture()
def panel(make_token):
    """A panel token."""
    return make_token("panel")


@pytest.fixture()
def admin(make_token):
    """An admin token."""
    return make_token("admin")


@pytest.fixture()
def submit(client, admin, report_body):
    """Store a report as the admin would backfill it and return it as the API answered:
    `submit("FRA", 2397, "2018-03-01T10:00:00Z", entries=lambda e: e[:3])`."""

    def run(state, resolution, received_at, entries=None, **fields):
        body = report_body(state, resolution, received_at=received_at, **fields)
        if entries is not None:
            body["entries"] = entries(body["entries"])
        r = client.post("/api/v1/reports", json=body, headers=auth(admin))
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return run


@pytest.fixture()
def migrated(app_factory):
    """An application on a new database with every migration applied and nothing loaded."""
    application = app_factory("migrated")
    upgrade(application)
    return application


@pytest.fixture()
def data_copy(tmp_path):
    """A copy of the bundled catalogue data that a test may edit."""
    import shutil

    from app.catalogue import DATA_DIR

    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


# --- findings: France's 2397 report declaring no seizure, and a seizure on the record ----

FINDING_OBLIGATION = "2397/9"


@pytest.fixture()
def france(make_token):
    return make_token("reporter", "FRA")


@pytest.fixture()
def germany(make_token):
    return make_token("reporter", "DEU")


@pytest.fixture()
def french_report(submit):
    """France's 2397 report, declaring no seizure on 2397/9."""

    def entries(items):
        for entry in items:
            if entry["obligation"] == FINDING_OBLIGATION:
                entry["enforcement"] = {**entry["enforcement"], "seizures": 0}
        return items

    return submit("FRA", 2397, "2018-03-01T10:00:00Z", entries=entries)


@pytest.fixture()
def incident(client, panel):
    """A seizure by France in 2018 engaging 2397/9, recorded by the Panel."""
    from tests.test_incidents import seizure

    r = client.post("/api/v1/incidents", headers=auth(panel), json=seizure(
        obligations=[FINDING_OBLIGATION], occurred_on="2018-02-01",
        parties=[{"state": "FRA", "role": "inspecting_state"},
                 {"state": "PRK", "role": "origin"}],
        location={"state": "FRA", "place": "Le Havre", "lat": None, "lon": None}))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


# --- the browser tests: one headless Chromium and one live server for the whole session ----

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def _unavailable() -> str | None:
    if os.environ.get("SKIP_BROWSER") == "1" and os.environ.get("REQUIRE_BROWSER") != "1":
        return "SKIP_BROWSER=1: the browser tests run on another database"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(path)):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for every browser test."""
    reason = _unavailable()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=en"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def live_server(app, browser) -> Iterator[str]:
    """The application on the test database, served by a real server on a free port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture()
def site(browser, live_server):
    """The browser, signed out, and the server's address."""
    browser.get(live_server + "/")
    browser.delete_all_cookies()
    return browser, live_server
