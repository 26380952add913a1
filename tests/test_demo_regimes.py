"""Demo data for every regime in the catalogue, planned by each regime's demo file or by the
generic defaults, and no regime fact in the code."""

from __future__ import annotations

import ast
import collections
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.catalogue import DATA_DIR
from app.extensions import db
from app.migrations import upgrade
from app.models import Entry, Incident, Regime, Report, ReportVersion, Resolution
from app.services.catalogue import load_catalogue
from app.services.demo import (
    DEFAULT_SEED,
    GENERIC_TEXTS,
    DemoFileError,
    demo_records,
    load_demo,
    read_demo_files,
    state_language,
    unload_demo,
)
from tests.helpers import auth

ROOT = Path(__file__).resolve().parent.parent


def _demo_reports(app) -> list[tuple[str, str, bool, int]]:
    """(regime, requirement answered, is_demo, state id) of every report."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Regime.code, Report.answers, Report.is_demo, Report.state_id)
            .join(Resolution, Resolution.id == Report.resolution_id)
            .join(Regime, Regime.id == Resolution.regime_id))]


def test_demo_load_covers_every_regime_as_planned_and_unload_removes_it(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    rows = _demo_reports(app)
    assert rows and all(is_demo for _, _, is_demo, _ in rows)
    with app.app_context():
        regimes = {r.code: r for r in db.session.scalars(select(Regime))}
        asked = {q.code for r in db.session.scalars(select(Resolution))
                 for q in r.reporting_requirements}
        asked |= {s.code for r in db.session.scalars(select(Resolution))
                  for q in r.reporting_requirements for s in q.stages}
    per_regime = collections.Counter(code for code, _, _, _ in rows)
    answered = {(code, answers) for code, answers, _, _ in rows}
    demos = read_demo_files()
    for code in regimes:
        assert per_regime[code] > 0, f"no demo report on the {code} regime"
        plans = demos[code].answers if code in demos else ()
        for plan in plans:
            if plan["requirement"] not in asked:
                continue
            codes = ({s["stage"] for s in plan["stages"]} if plan["kind"] == "staged"
                     else {plan["requirement"]})
            assert {(code, c) for c in codes} <= answered, plan["requirement"]
    assert len({state for _, _, _, state in rows}) > 100
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Incident)
                                 .where(Incident.is_demo.is_(False))) == 0

    result = runner.invoke(args=["demo", "unload"])
    assert result.exit_code == 0 and f"removed {len(rows)} demo reports" in result.output
    assert _demo_reports(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_the_1540_demo_data(app, client, runner, make_token):
    """First reports from most States, some late, entries in several states of
    implementation, in each State's language; additional information after a first report.
    (Runs where the catalogue holds the 1540 regime.)"""
    with app.app_context():
        if db.session.scalar(select(Regime).where(Regime.code == "1540")) is None:
            pytest.skip("the catalogue has no 1540 regime")
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    panel = make_token("panel")
    matrix = client.get("/api/v1/compliance?resolution=1540&as_of=2006-12-31",
                        headers=auth(panel)).get_json()
    assert matrix["demo"] is True
    items = matrix["items"]
    reported = [r for r in items if r["reported"]]
    assert 0.7 * len(items) <= len(reported) <= 0.9 * len(items)  # 80% of the States
    assert all(r["demo"] for r in reported)
    on_time = sum(1 for r in reported if r["on_time"])
    assert 0.3 * len(reported) <= on_time <= 0.7 * len(reported)  # half of them
    # Every State may report (no target State), each in its own language and wording.
    with app.app_context():
        rows = db.session.execute(
            select(Report, ReportVersion)
            .join(ReportVersion, (ReportVersion.report_id == Report.id)
                  & (ReportVersion.number == 1))
            .join(Resolution, Resolution.id == Report.resolution_id)
            .join(Regime, Regime.id == Resolution.regime_id)
            .where(Regime.code == "1540")).all()
        statuses = collections.Counter(
            e.status for _, v in rows for e in db.session.scalars(
                select(Entry).where(Entry.version_id == v.id)))
        by_requirement = collections.defaultdict(dict)
        for report, version in rows:
            by_requirement[report.answers][report.state.iso3] = (report, version)
    assert {"not_implemented", "partially_implemented", "implemented"} <= set(statuses)
    assert all(report.is_demo for req in by_requirement.values() for report, _ in req.values())
    first = by_requirement["1540/R-general"]
    for iso3, (_report, version) in list(first.items())[:40]:
        assert version.language == state_language(iso3)
    assert {v.language for _, v in first.values()} >= {"en", "fr", "es", "ar", "ru"}
    # Additional information, from States with a first report, on an event after it.
    for code in ("1673/R-3", "2663/R-additional-info"):
        extra = by_requirement[code]
        assert len(extra) >= 10, code
        for iso3, (report, version) in extra.items():
            assert iso3 in first
            assert report.occasion > first[iso3][1].received_at.date().isoformat()
            assert version.received_at.date().isoformat() > report.occasion
    # No enforcement record for 1540 in the demo data.
    incidents = client.get("/api/v1/incidents?page_size=200", headers=auth(panel)).get_json()
    assert all(not any(o.startswith("1540/") for o in i["obligations"])
               for i in incidents["items"])


# --- a regime without a demo file -------------------------------------------------------

SYNTHETIC_REGIME = {
    "format": 2,
    "regime": {"code": "9000", "name": "Synthetic demo regime", "target_state": None,
               "committee": "Committee established pursuant to resolution 9001",
               "description": "A regime made up for a test."},
    "sources": ["Made up for a test."],
    "resolutions": [{
        "number": 9001, "year": 2015, "symbol": "S/RES/9001 (2015)",
        "adopted_on": "2015-03-02", "meeting": None, "meeting_note": None,
        "title": "Synthetic resolution", "reporting_deadline_days": 90,
        "reporting_deadline_verified": False, "reporting_paragraph": "4",
        "reporting_paragraph_verified": False, "reporting_note": None, "sources": [],
        "note": None,
        "obligations": [
            {"code": f"9001/{n}", "paragraph": str(n), "category": "synthetic",
             "summary": f"Synthetic obligation {n}.", "binding": True, "weight": 2,
             "expects": ["legal_basis", "competent_authority", "measures", "enforcement"],
             "verified": False, "source": "Made up for a test.",
             "verification_note": "Not a real obligation."} for n in (1, 2, 3)],
        "reporting_requirements": [
            {"code": "9001/R-general", "paragraph": "4", "kind": "once",
             "due_days_after_adoption": 90, "due": "2015-05-31", "stages": None,
             "period_days": None, "trigger": None, "applies_to": "all", "binding": False,
             "verified": False, "source": "Made up for a test.",
             "verification_note": "Not a real requirement.", "obligations": "all"},
            {"code": "9001/R-5", "paragraph": "5", "kind": "on_event",
             "due_days_after_adoption": None, "due": None, "stages": None,
             "period_days": None, "trigger": "after a synthetic event",
             "applies_to": "States where the event happens", "binding": True,
             "verified": False, "source": "Made up for a test.",
             "verification_note": "Not a real requirement.", "obligations": ["9001/2"]},
        ],
    }],
}
EVENT_MEASURES = {"en": "Event measures [demo]", "fr": "Mesures [démo]", "es": "Medidas [demo]",
                  "ru": "Меры [демо]", "ar": "تدابير [تجريبي]", "zh": "措施 [演示]"}


@pytest.fixture()
def synthetic(app_factory, tmp_path):
    """An application whose catalogue is the synthetic regime only, from `tmp_path`."""
    (tmp_path / "regimes").mkdir()
    shutil.copy(DATA_DIR / "member_states.json", tmp_path / "member_states.json")
    # The regime's fields as the bundled regime files give them, with values of its own.
    bundled = json.loads(sorted((DATA_DIR / "regimes").glob("*.json"))[0].read_text("utf-8"))
    words = {"short_name": "9001 Committee", "experts": "group of experts",
             "summary_title": "Reporting summary", "notes": []}
    regime = {**{k: words.get(k, v) for k, v in bundled["regime"].items()},
              **SYNTHETIC_REGIME["regime"]}
    (tmp_path / "regimes" / "9000-synthetic.json").write_text(
        json.dumps({**SYNTHETIC_REGIME, "regime": regime}), encoding="utf-8")
    application = app_factory("synthetic")
    upgrade(application)
    with application.app_context():
        load_catalogue(db.session, tmp_path)
    return application, tmp_path


def _entries(app):
    with app.app_context():
        return list(db.session.scalars(select(Entry)))


def test_a_regime_without_a_demo_file_gets_generic_demo_reports(synthetic):
    app, data_dir = synthetic
    with app.app_context():
        summary = load_demo(db.session, DEFAULT_SEED, data_dir)
        assert summary.versions > 0 and summary.incidents == 0 and summary.findings == 0
    rows = _demo_reports(app)
    assert {(code, answers) for code, answers, _, _ in rows} == {("9000", "9001/R-general")}
    assert all(is_demo for _, _, is_demo, _ in rows)
    # 30% of the 193 States, the generic share.
    assert len(rows) == round(0.30 * 193)
    # In the generic wording, in each State's language.
    with app.app_context():
        versions = list(db.session.scalars(select(ReportVersion)))
        for version in versions:
            assert version.document["reference"].startswith("DEMO/9000/")
            texts = GENERIC_TEXTS[version.language]
            for entry in version.document["entries"]:
                if entry.get("competent_authority"):
                    assert entry["competent_authority"] == texts.competent_authority
                if "legal_basis" in entry:
                    assert re.fullmatch(re.escape(texts.legal_basis).replace(
                        re.escape("{n}"), r"\d+"), entry["legal_basis"])
        assert "National implementation act, section" in " ".join(
            e.legal_basis or "" for e in db.session.scalars(select(Entry)))
        removed = unload_demo(db.session)
    assert removed.reports == len(rows)
    assert _demo_reports(app) == [] and _entries(app) == []


def test_a_demo_file_plans_reports_on_events_for_any_regime(synthetic):
    app, data_dir = synthetic
    (data_dir / "demo").mkdir()
    demo_file = {
        "format": 1, "regime": "9000", "note": "Synthetic.",
        "reference": "SYN/{year}/{n} (demo)",
        "general_reports": {"default": {"share": 0.5, "on_time": 1.0}},
        "answers": [{"requirement": "9001/R-5", "kind": "on_event", "filed": 12,
                     "events_between": ["2016-01-01", "2017-12-31"],
                     "received_after_days": [5, 30], "among_reporters_of": "9001/R-general",
                     "measures": EVENT_MEASURES}],
    }
    (data_dir / "demo" / "9000.json").write_text(json.dumps(demo_file), encoding="utf-8")
    with app.app_context():
        records = demo_records(db.session, DEFAULT_SEED, data_dir)
        assert records == demo_records(db.session, DEFAULT_SEED, data_dir)  # seeded
        load_demo(db.session, DEFAULT_SEED, data_dir)
        versions = list(db.session.scalars(select(ReportVersion)))
    rows = _demo_reports(app)
    general = {state for _, answers, _, state in rows if answers == "9001/R-general"}
    events = [state for _, answers, _, state in rows if answers == "9001/R-5"]
    assert len(general) == round(0.5 * 193) and len(events) == 12
    assert set(events) <= general  # among the States with a general report
    for version in versions:
        document = version.document
        assert document["reference"].startswith("SYN/")
        if document.get("requirement") == "9001/R-5":
            assert "2016-01-01" <= document["event_on"] <= "2017-12-31"
            assert {e["obligation"] for e in document["entries"]} == {"9001/2"}
            assert document["entries"][0].get("measures") in (
                None, "N/A", "TBD", "see above", EVENT_MEASURES[version.language])
        elif version.number == 1:
            # All on time: by the due date, 2015-05-31 (amendments come later).
            assert version.received_at.date() <= dt.date(2015, 5, 31)


def test_a_bad_demo_file_loads_nothing(synthetic, tmp_path):
    app, data_dir = synthetic
    (data_dir / "demo").mkdir()
    (data_dir / "demo" / "9000.json").write_text(json.dumps(
        {"format": 1, "regime": "9000", "note": "x",
         "texts": {"en": {"legal_basis": "a", "competent_authority": "b", "measures": "c"}}}),
        encoding="utf-8")
    with app.app_context(), pytest.raises(DemoFileError, match="/texts"):
        load_demo(db.session, DEFAULT_SEED, data_dir)
    assert _demo_reports(app) == []


# --- no regime fact in the code ---------------------------------------------------------

REGIME_WORDS = re.compile(r"\b(dprk|prk|1718)\b", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                found.add(id(body[0].value))
    return found


def regime_facts_in_code() -> list[str]:
    """Where a name or number of the 1718 regime is a value in the code of app/ or in a
    report template: comments and docstrings, which explain the data, do not count, nor do
    the bundled data (app/catalogue/data/)."""
    found = []
    for path in sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "report_templates").rglob(
            "*.html")]):
        where = path.relative_to(ROOT).as_posix()
        if where.startswith("app/catalogue/data/"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            text = re.sub(r"\{#.*?#\}|<!--.*?-->", "", text, flags=re.S)
            found += [f"{where}:{n}" for n, line in enumerate(text.splitlines(), 1)
                      if REGIME_WORDS.search(line)]
            continue
        tree = ast.parse(text)
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant):
                value = node.value
                fact = id(node) not in skip and (
                    (isinstance(value, str) and REGIME_WORDS.search(value) is not None)
                    or (type(value) is int and value == 1718))
            elif isinstance(node, ast.Name | ast.arg | ast.Attribute):
                name = (node.id if isinstance(node, ast.Name)
                        else node.arg if isinstance(node, ast.arg) else node.attr)
                fact = REGIME_WORDS.search(name.replace("_", " ")) is not None
            else:
                fact = False
            if fact:
                found.append(f"{where}:{node.lineno}")
    return found


def test_no_regime_fact_in_the_code():
    assert regime_facts_in_code() == []


def test_the_check_finds_a_regime_fact(tmp_path, monkeypatch):
    """The check above is not blind: a value naming the DPRK is found."""
    (tmp_path / "app").mkdir()
    (tmp_path / "report_templates").mkdir()
    (tmp_path / "app" / "m.py").write_text(
        '"""About the DPRK (a docstring)."""\n# the DPRK (a comment)\n'
        'TARGET = "PRK"\nSEED = 1718\n\ndef f(dprk_ships):\n    """1718."""\n    return 1\n',
        encoding="utf-8")
    (tmp_path / "report_templates" / "t.html").write_text(
        "{# DPRK #}<!-- 1718 -->\n<p>{{ x }}</p>\n<p>Sanctions (DPRK)</p>\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert regime_facts_in_code() == ["app/m.py:3", "app/m.py:4", "app/m.py:6",
                                      "report_templates/t.html:3"]
