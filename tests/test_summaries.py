"""Lax-enforcement summaries: real WeasyPrint renders, read back from the PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import RenderedSummary
from app.rendering import documents
from tests.helpers import auth


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def pdf_fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts


def _get(client, token, path, **headers):
    return client.get(path, headers=auth(token, **headers))


def test_resolution_summary_pdf_matches_the_matrix(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    submit("DEU", 2397, "2018-05-01T10:00:00Z", entries=lambda e: e[:3])
    submit("KEN", 2397, "2018-04-01T10:00:00Z", entries=lambda e: e[:5])
    r = _get(client, panel, "/api/v1/summaries/resolutions/2397.pdf?as_of=2018-06-30")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="resolution-2397-as-of-2018-06-30.pdf"'
    )
    assert r.data.startswith(b"%PDF-")
    pages = pdf_pages(r.data)
    text = " ".join(pages)
    matrix = _get(client, panel, "/api/v1/compliance?resolution=2397&as_of=2018-06-30")
    summary = matrix.get_json()["summary"]
    assert (summary["expected"], summary["reported"], summary["on_time"], summary["late"],
            summary["not_reported"], summary["median_completeness"]) == (192, 3, 1, 2, 189, 62.5)
    # Headline row: expected of all states, reported, on time, late, not reported, median.
    assert "192 of 193 3 1 2 189 62.5" in text
    assert ("Democratic People's Republic of Korea is the target of the 1718 regime and is not "
            "among the States asked to report") in text
    assert "Resolution 2397: S/RES/2397 (2017)" in text
    assert "by 2018-03-22" in text
    # Weakest reports, lowest first, with their flags.
    weakest = text[text.index("Weakest reports"):]
    assert weakest.index("Germany (DEU) 37.5") < weakest.index("Kenya (KEN) 62.5")
    assert "Obligations most often unaddressed" in text
    # An obligation whose paragraph reference is unverified carries a dagger; a verified one
    # does not. The catalogue's flag decides: one of each is among the most unaddressed here.
    unaddressed = text[text.index("Obligations most often unaddressed"):]
    catalogue = client.get("/api/v1/resolutions/2397").get_json()["obligations"]
    verified = {o["code"]: o["verified"] for o in catalogue}
    assert (verified["2397/14"], verified["2397/9"]) == (True, False)
    for code in ("2397/14", "2397/9"):
        assert code in unaddressed
        assert (f"{code} †" in unaddressed) == (not verified[code]), code
    assert "States that have not reported" in text
    # The as-of date and page numbers on every page; no demo mark on real data.
    for number, page in enumerate(pages, start=1):
        assert "As of 2018-06-30 (UTC)" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "DEMO DATA" not in page


def test_state_profile_pdf(client, panel, submit, admin, report_body):
    created = submit("FRA", 2397, "2018-03-01T10:00:00Z", entries=lambda e: e[:6])
    body = report_body("FRA", 2397, received_at="2018-09-01T10:00:00Z")
    body["entries"][0]["measures"] = "Contrôles renforcés des navires"
    r = client.put(created["links"]["self"], json=body,
                   headers=auth(admin, **{"If-Match": f'"{created["id"]}.v1"'}))
    assert r.status_code == 200
    pdf = _get(client, panel, "/api/v1/summaries/states/FRA.pdf?as_of=2018-12-31")
    assert pdf.status_code == 200
    text = " ".join(pdf_pages(pdf.data))
    assert "France (FRA)" in text
    assert "S/RES/2397 (2017): complete, 100.0" in text
    assert "Contrôles renforcés des navires" in text
    assert "Version history" in text and "2018-09-01 10:00 UTC" in text
    # As of a date before the amendment: version 1, with its unaddressed obligations.
    earlier = _get(client, panel, "/api/v1/summaries/states/FRA.pdf?as_of=2018-06-30")
    text = " ".join(pdf_pages(earlier.data))
    assert "S/RES/2397 (2017): largely complete, 75.0" in text
    assert "Contrôles renforcés" not in text
    assert "Obligations not addressed" in text and "2397/14" in text


def test_html_has_the_same_content(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    html = _get(client, panel, "/api/v1/summaries/resolutions/2397.html?as_of=2018-06-30")
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    page = html.get_data(as_text=True)
    assert '<link rel="stylesheet" href="/api/v1/summaries/assets/summary.css">' in page
    assert "Median completeness" in page and "France (FRA)" in page
    css = client.get("/api/v1/summaries/assets/summary.css")
    assert css.status_code == 200 and b"@page" in css.data
    assert client.get("/api/v1/summaries/assets/../../wsgi.py").status_code == 404


def test_demo_data_is_marked_on_every_page(client, panel, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    r = _get(client, panel, "/api/v1/summaries/resolutions/2270.pdf?as_of=2018-12-31")
    pages = pdf_pages(r.data)
    assert len(pages) > 3
    for page in pages:  # the demo record holds incidents engaging 2270 by then, too
        assert "DEMO DATA: synthetic reports and incidents, not real submissions" in page
    profile = _get(client, panel, "/api/v1/summaries/states/JPN.pdf")
    assert all("DEMO DATA" in page for page in pdf_pages(profile.data))


UN_TEXTS = {
    "ar": "قانون مكافحة الانتشار",
    "zh": "出口管制法",
    "ru": "Федеральный закон о санкциях",
    "fr": "Loi relative aux sanctions économiques",
    "es": "Ley de sanciones financieras",
    "en": "Sanctions and Anti-Money Laundering Act",
}


def test_all_six_un_languages_render_with_real_glyphs(client, panel, submit):
    def texts(entries):
        for entry, text in zip(entries, UN_TEXTS.values(), strict=False):
            entry["legal_basis"] = text
        return entries

    submit("EGY", 2397, "2018-03-01T10:00:00Z", entries=texts)
    r = _get(client, panel, "/api/v1/summaries/states/EGY.pdf")
    assert r.status_code == 200
    text = " ".join(pdf_pages(r.data))
    for language, value in UN_TEXTS.items():
        if language == "ar":
            # Extraction may give right-to-left text in visual order.
            words = value.split()
            assert value in text or " ".join(reversed(words)) in text or value[::-1] in text
        else:
            assert value in text, language
    fonts = " ".join(pdf_fonts(r.data))
    assert "DejaVu-Sans" in fonts
    assert "WenQuanYi" in fonts  # Chinese is drawn with a CJK font, not empty boxes


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "<style>@import url(http://127.0.0.1:{port}/import.css);</style>",
    '<div style="background: url(http://127.0.0.1:{port}/bg.png)">x</div>',
    '<object data="file:///etc/hostname"></object>',
    '<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:{port}/i.png"/></svg>',
]


@pytest.fixture()
def listener():
    """A TCP server on loopback that records every connection made to it."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    seen = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append(conn.recv(200))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(2)
    server.close()


def _hostile_entries(port):
    def entries(items):
        texts = [h.format(port=port) for h in HOSTILE]
        for entry, text in zip(items, texts, strict=False):
            entry["measures"] = text
            entry["notes"] = text
        items[6]["legal_basis"] = "</dd></dl><h1>forged heading</h1>"
        return items

    return entries


def test_hostile_text_is_inert_in_the_pdf(client, panel, submit, listener):
    port, connections = listener
    submit("ATG", 2397, "2018-03-01T10:00:00Z", entries=_hostile_entries(port))
    r = _get(client, panel, "/api/v1/summaries/states/ATG.pdf")
    assert r.status_code == 200
    reader = PdfReader(io.BytesIO(r.data))
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in r.data
    passwd = Path("/etc/passwd").read_bytes()
    assert passwd[:40] not in r.data
    text = " ".join(pdf_pages(r.data))
    assert '<img src="file:///etc/passwd">' in text
    assert '<link rel="attachment" href="file:///etc/passwd">' in text
    assert f"@import url(http://127.0.0.1:{port}/import.css);" in text
    assert "</dd></dl><h1>forged heading</h1>" in text
    assert connections == []


def test_hostile_text_is_escaped_in_the_html(client, panel, submit, listener):
    port, _ = listener
    submit("ATG", 2397, "2018-03-01T10:00:00Z", entries=_hostile_entries(port))
    page = _get(client, panel, "/api/v1/summaries/states/ATG.html").get_data(as_text=True)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in page
    assert '<img src="file' not in page and "<h1>forged" not in page
    assert "<style>@import" not in page


def test_the_same_html_with_the_default_fetcher_would_leak(tmp_path, listener):
    """The control experiment: WeasyPrint's own fetcher does read files and connect, so the
    tests above would fail without ours."""
    from weasyprint import HTML

    port, connections = listener
    html = ('<link rel="attachment" href="file:///etc/hostname">'
            f'<img src="http://127.0.0.1:{port}/probe.png">')
    pdf = HTML(string=html).write_pdf()
    assert PdfReader(io.BytesIO(pdf)).attachments
    assert connections


def test_the_fetcher_allows_only_bundled_assets():
    from app.rendering.fetcher import AssetsOnlyFetcher

    fetcher = AssetsOnlyFetcher(documents.ASSETS_DIR)
    assert fetcher.allows((documents.ASSETS_DIR / "summary.css").as_uri())
    assert fetcher.allows("data:image/png;base64,iVBORw0KGgo=")
    for url in ("file:///etc/passwd", "http://127.0.0.1/x", "https://example.org/x.css",
                (documents.ASSETS_DIR / ".." / "base.html").as_uri(),
                (documents.ASSETS_DIR / "missing.css").as_uri(),
                "file://evil.example/etc/passwd", "ftp://127.0.0.1/x"):
        assert not fetcher.allows(url), url
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch((documents.ASSETS_DIR / "summary.css").as_uri()).read().startswith(
        b"/*")


def test_cached_pdf_is_served_while_the_data_are_unchanged(app, client, panel, submit,
                                                            monkeypatch):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    renders = []
    original = documents.render_pdf

    def counting(html):
        renders.append(1)
        return original(html)

    monkeypatch.setattr(documents, "render_pdf", counting)
    url = "/api/v1/summaries/resolutions/2397.pdf?as_of=2019-01-01"
    first = _get(client, panel, url)
    second = _get(client, panel, url)
    assert len(renders) == 1
    assert first.data == second.data
    etag = first.headers["ETag"]
    assert etag == second.headers["ETag"] and not etag.startswith("W/")
    assert _get(client, panel, url, **{"If-None-Match": etag}).status_code == 304
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RenderedSummary)) == 1
    other = _get(client, panel, "/api/v1/summaries/resolutions/2397.pdf?as_of=2019-01-02")
    assert other.headers["ETag"] != etag


def test_a_new_report_changes_only_the_summaries_it_touches(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    urls = {
        "2397": "/api/v1/summaries/resolutions/2397.html",
        "2270": "/api/v1/summaries/resolutions/2270.html",
        "FRA": "/api/v1/summaries/states/FRA.html",
        "DEU": "/api/v1/summaries/states/DEU.html",
    }
    before = {k: _get(client, panel, u).headers["ETag"] for k, u in urls.items()}
    submit("DEU", 2397, "2018-04-01T10:00:00Z")
    after = {k: _get(client, panel, u).headers["ETag"] for k, u in urls.items()}
    assert after["2397"] != before["2397"]
    assert after["DEU"] != before["DEU"]
    assert after["2270"] == before["2270"]
    assert after["FRA"] == before["FRA"]


def test_pdf_and_html_have_different_etags(client, panel):
    pdf = _get(client, panel, "/api/v1/summaries/resolutions/2270.pdf?as_of=2017-01-01")
    html = _get(client, panel, "/api/v1/summaries/resolutions/2270.html?as_of=2017-01-01")
    assert pdf.headers["ETag"] != html.headers["ETag"]


def test_rendering_is_bounded_in_time_and_size(app, client, panel, monkeypatch):
    url = "/api/v1/summaries/resolutions/2321.pdf?as_of=2017-06-30"
    monkeypatch.setitem(app.config, "RENDER_FAILURE_TTL_SECONDS", 0)  # each tried afresh
    with monkeypatch.context() as m:
        m.setitem(app.config, "RENDER_TIMEOUT_SECONDS", 0.001)
        r = _get(client, panel, url)
        assert r.status_code == 503
        assert r.mimetype == "application/problem+json"
        assert "longer than" in r.get_json()["detail"]
        assert r.headers["Retry-After"] == "30"
    with monkeypatch.context() as m:
        m.setitem(app.config, "RENDER_MAX_PDF_BYTES", 1000)
        r = _get(client, panel, url)
        assert r.status_code == 503 and "over the limit" in r.get_json()["detail"]
    with monkeypatch.context() as m:
        m.setitem(app.config, "RENDER_MAX_HTML_BYTES", 1000)
        r = _get(client, panel, url)
        assert r.status_code == 503 and "too large" in r.get_json()["detail"]
    # The renderer recovers after being stopped.
    assert _get(client, panel, url).status_code == 200


def test_who_may_download_summaries(client, make_token):
    reporter = make_token("reporter", "FRA")
    assert _get(client, reporter, "/api/v1/summaries/resolutions/2397.pdf").status_code == 403
    assert _get(client, reporter, "/api/v1/summaries/states/FRA.html").status_code == 200
    assert _get(client, reporter, "/api/v1/summaries/states/DEU.html").status_code == 404
    assert client.get("/api/v1/summaries/states/FRA.html").status_code == 401


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/v1/summaries/resolutions/9999.pdf", 404),
        ("/api/v1/summaries/states/XYZ.pdf", 404),
        ("/api/v1/summaries/resolutions/2397.docx", 404),
        ("/api/v1/summaries/resolutions/2397.pdf?as_of=2018-13-01", 422),
    ],
)
def test_summary_errors(client, panel, path, status):
    r = _get(client, panel, path)
    assert r.status_code == status
    assert r.mimetype == "application/problem+json"


def test_cli_renders_to_a_file(runner, tmp_path, submit):
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    out = tmp_path / "summary.pdf"
    result = runner.invoke(args=["summary", "render", "--resolution", "2397",
                                 "--as-of", "2018-06-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "as of 2018-06-30" in result.output
    assert "192 of 193 1 1 0 191 100.0" in " ".join(pdf_pages(out.read_bytes()))
    html = tmp_path / "fra.html"
    result = runner.invoke(args=["summary", "render", "--state", "FRA", "--out", str(html)])
    assert result.exit_code == 0 and "France (FRA)" in html.read_text(encoding="utf-8")
    restricted = tmp_path / "restricted.pdf"
    result = runner.invoke(args=["summary", "render", "--resolution", "2397", "--audience",
                                 "restricted", "--out", str(restricted)])
    assert result.exit_code == 0 and "RESTRICTED" in result.output
    assert "RESTRICTED Page 1 of" in pdf_pages(restricted.read_bytes())[0]
    assert "RESTRICTED" not in " ".join(pdf_pages(out.read_bytes()))
    bad = runner.invoke(args=["summary", "render", "--out", str(out)])
    assert bad.exit_code != 0
    missing = runner.invoke(args=["summary", "render", "--resolution", "1",
                                  "--out", str(out)])
    assert missing.exit_code != 0 and "No resolution 1" in missing.output


def test_method_note_is_in_every_document(client, panel):
    text = " ".join(pdf_pages(
        _get(client, panel, "/api/v1/summaries/resolutions/2094.pdf?as_of=2014-01-01").data))
    assert "It is not a verdict on compliance" in text
    assert re.search(r"Method completeness-1", text)


def test_cli_refuses_an_as_of_out_of_range(runner, tmp_path):
    for as_of in ("9999-12-31", "1945-12-31"):
        result = runner.invoke(args=["summary", "render", "--resolution", "2397", "--as-of",
                                     as_of, "--out", str(tmp_path / "x.pdf")])
        assert result.exit_code == 2, result.output
        assert "--as-of" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["summary", "render", "--resolution", "2397", "--as-of",
                                 "2017-12-01", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "adopted on 2017-12-22" in result.output


def test_a_long_history_loads_only_the_current_version_s_entries(app, client, admin,
                                                                  report_body):
    """A state that amends a large report many times must not make its profile slower to
    build with every version: the history needs each version's particulars, not its text."""
    from sqlalchemy import event

    from app.models import Entry
    from app.services.summaries import state_context

    created = client.post("/api/v1/reports", json=report_body("FRA", 2397),
                          headers=auth(admin)).get_json()
    for number in range(1, 6):
        body = report_body("FRA", 2397)
        body["entries"] = body["entries"][:number + 1]
        r = client.put(created["links"]["self"], json=body,
                       headers=auth(admin, **{"If-Match": f'"{created["id"]}.v{number}"'}))
        assert r.status_code == 200, r.get_json()
    statements, entries = [], []
    with app.app_context():
        engine = db.engine
        def remember(conn, cursor, statement, *args):  # noqa: ARG001
            statements.append(statement)

        def loaded(session, instance):  # noqa: ARG001
            if isinstance(instance, Entry):
                entries.append(instance.version_id)

        event.listen(engine, "before_cursor_execute", remember)
        event.listen(db.session, "loaded_as_persistent", loaded)
        try:
            context = state_context(db.session, "FRA", None)
        finally:
            event.remove(engine, "before_cursor_execute", remember)
            event.remove(db.session, "loaded_as_persistent", loaded)
        db.session.remove()
    item = next(i for i in context["resolutions"] if i["resolution"]["number"] == 2397)
    assert [v["version"] for v in item["history"]] == [1, 2, 3, 4, 5, 6]
    assert len(item["entries"]) == 6 and len(set(entries)) == 1 and len(entries) == 6
    assert not any("report_version.document" in s for s in statements)


# --- the enforcement record in the summaries ---------------------------------------------

def _seizure(**changes) -> dict:
    from tests.test_incidents import seizure

    return seizure(**changes)


def _today() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).date().isoformat()


def _days_since(day: str) -> int:
    import datetime as dt

    return (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(day)).days


def test_the_model_case_in_the_resolution_summary_and_the_profile(client, panel, make_token):
    egypt = make_token("reporter", "EGY")
    created = client.post("/api/v1/incidents", json=_seizure(), headers=auth(egypt))
    assert created.status_code == 201, created.get_json()
    summary = _get(client, panel, "/api/v1/summaries/resolutions/2270.pdf")
    assert summary.status_code == 200
    text = " ".join(pdf_pages(summary.data))
    record = text[text.index("Enforcement on record"):]
    assert record.startswith("Enforcement on record 1 public incident first recorded by "
                             f"{_today()} engages an obligation of this resolution.")
    assert "seizure 1" in record  # by kind
    for role in ("inspecting state 1", "origin 1", "flag state 1"):
        assert role in record  # party appearances by role
    listed = record.index(f"{SEIZED_ON} · seizure")
    unreported = record[record.index("States whose involvement is unreported"):listed]
    assert "Cambodia (KHM) 1" in unreported
    assert "Egypt" not in unreported and "PRK" not in unreported  # filed; the regime's target
    incident = record[listed:]
    assert incident.startswith(f"{SEIZED_ON} · seizure · Off Ain Sokhna, Egypt")
    assert "IMO 9074729 TEST VESSEL" in incident
    assert (f"Reported by Egypt (EGY): filed {_today()}, {_days_since(SEIZED_ON)} days after "
            "the event") in incident
    assert ("Not reported by Cambodia (KHM) Not asked to report PRK (target of the regime)"
            in incident)
    assert ("state report: EGY/2016/TEST-1, “Note verbale of Egypt (test data)”"
            in incident)
    assert "DEMO" not in record and "synthetic" not in record  # real data: no demo mark

    profile = _get(client, egypt, "/api/v1/summaries/states/EGY.pdf")
    assert profile.status_code == 200
    text = " ".join(pdf_pages(profile.data))
    section = text[text.index("Enforcement record"):]
    assert "filed by it 1; acknowledged by it 0; not reported by it 0" in section
    assert (f"Egypt, inspecting state: filed it on {_today()}, {_days_since(SEIZED_ON)} days "
            "after the event.") in section
    assert "EGY/2016/TEST-1" in section
    # Cambodia's profile: the same incident, not reported.
    khm = " ".join(pdf_pages(_get(client, panel, "/api/v1/summaries/states/KHM.pdf").data))
    assert "Cambodia, flag state: has not reported it." in khm


SEIZED_ON = "2016-08-11"


def test_a_restricted_incident_is_only_in_the_restricted_edition(client, panel, make_token):
    egypt = make_token("reporter", "EGY")
    hidden = _seizure(visibility="restricted", summary="Restricted seizure.",
                      sources=[{"kind": "panel_report", "reference": "PANEL/RESTRICTED-7",
                                "title": None}],
                      vessels=[{"imo": "9074729", "name": "HIDDEN VESSEL", "flag": "KHM"}])
    assert client.post("/api/v1/incidents", json=hidden,
                       headers=auth(panel)).status_code == 201
    public = {
        "resolution": _get(client, panel, "/api/v1/summaries/resolutions/2270.pdf"),
        "state": _get(client, panel, "/api/v1/summaries/states/EGY.pdf"),
        "own state": _get(client, egypt, "/api/v1/summaries/states/EGY.pdf"),
        "explicitly": _get(client, panel,
                           "/api/v1/summaries/resolutions/2270.pdf?audience=public"),
    }
    for name, response in public.items():
        assert response.status_code == 200, name
        text = " ".join(pdf_pages(response.data))
        assert "PANEL/RESTRICTED-7" not in text and "HIDDEN VESSEL" not in text, name
        assert "RESTRICTED" not in text, name
        assert "Public edition" in text, name
    text = " ".join(pdf_pages(public["resolution"].data))
    assert (f"No public incident on record engages this resolution as of {_today()}."
            in text)
    for url in ("/api/v1/summaries/resolutions/2270.html",
                "/api/v1/summaries/states/EGY.html"):
        page = _get(client, panel, url).get_data(as_text=True)
        assert "PANEL/RESTRICTED-7" not in page and "HIDDEN VESSEL" not in page, url

    restricted = _get(client, panel,
                      "/api/v1/summaries/resolutions/2270.pdf?audience=restricted")
    assert restricted.status_code == 200
    assert restricted.headers["Content-Disposition"].endswith(f'{_today()}-restricted.pdf"')
    assert restricted.headers["ETag"] != public["resolution"].headers["ETag"]
    pages = pdf_pages(restricted.data)
    for page in pages:
        # The running header and footer of every page.
        assert "Restricted · Lax-enforcement summary: Resolution 2270" in page
        assert "RESTRICTED Page" in page
    assert pages[0].startswith("RESTRICTED · LAX-ENFORCEMENT SUMMARY Resolution 2270")
    text = " ".join(pages)
    assert "PANEL/RESTRICTED-7" in text and "HIDDEN VESSEL" in text
    assert "Recorded by the Panel" in text
    record = text[text.index("Enforcement on record"):]
    assert record.startswith("Enforcement on record 1 incident first recorded by "
                             f"{_today()} engages an obligation of this resolution; 1 is "
                             "recorded as restricted.")
    html = _get(client, panel, "/api/v1/summaries/states/EGY.html?audience=restricted")
    page = html.get_data(as_text=True)
    assert "<title>RESTRICTED: " in page and "PANEL/RESTRICTED-7" in page


def test_a_reporter_may_not_ask_for_the_restricted_edition(client, make_token):
    egypt = make_token("reporter", "EGY")
    for fmt in ("pdf", "html"):
        r = _get(client, egypt, f"/api/v1/summaries/states/EGY.{fmt}?audience=restricted")
        assert r.status_code == 403
        assert r.mimetype == "application/problem+json"
        assert [e["pointer"] for e in r.get_json()["errors"]] == ["audience"]
    assert _get(client, egypt,
                "/api/v1/summaries/states/EGY.html?audience=public").status_code == 200
    # Another State's profile stays a 404, whatever the audience.
    assert _get(client, egypt, "/api/v1/summaries/states/KHM.html?audience=restricted"
                ).status_code == 404
    bad = _get(client, make_token("panel"), "/api/v1/summaries/states/EGY.pdf?audience=all")
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.get_json()["errors"]] == ["audience"]


def _backdate(app, public_id: str, recorded_at: str) -> None:
    """Put an incident's recording (and its first version) on an earlier day: the API
    records incidents now, and a summary as of a past day needs a record made back then."""
    import datetime as dt

    from sqlalchemy import update

    from app.models import Incident, IncidentVersion
    from app.services import revisions

    when = dt.datetime.fromisoformat(recorded_at)
    with app.app_context():
        incident_id = db.session.scalar(
            select(Incident.id).where(Incident.public_id == public_id))
        db.session.execute(update(Incident).where(Incident.id == incident_id)
                           .values(first_recorded_at=when))
        db.session.execute(update(IncidentVersion).where(
            IncidentVersion.incident_id == incident_id, IncidentVersion.number == 1)
            .values(received_at=when))
        # Behind the use cases' back: touch what the incident concerns, as they do.
        revisions.touch_incidents(db.session, [incident_id])
        db.session.commit()
        db.session.remove()


def test_the_record_as_of_a_date(app, client, panel, make_token):
    """As of a past day: the incidents recorded by then, each as its version of then, and
    the acknowledgements made by then."""
    egypt, cambodia = make_token("reporter", "EGY"), make_token("reporter", "KHM")
    created = client.post("/api/v1/incidents", json=_seizure(), headers=auth(egypt)).get_json()
    _backdate(app, created["id"], "2020-01-10T12:00:00+00:00")
    amended = _seizure(vessels=[{"imo": "9074729", "name": "RENAMED VESSEL", "flag": "KHM"}])
    r = client.put(created["links"]["self"], json=amended,
                   headers=auth(egypt, **{"If-Match": f'"{created["id"]}.v1"'}))
    assert r.status_code == 200, r.get_json()
    ack = client.post(created["links"]["acknowledgements"], headers=auth(cambodia))
    assert ack.status_code == 201

    def record(as_of: str) -> str:
        text = " ".join(pdf_pages(_get(
            client, panel, f"/api/v1/summaries/resolutions/2270.pdf?as_of={as_of}").data))
        return text[text.index("Enforcement on record"):text.index("About these figures")]

    before = record("2020-01-09")
    assert "No public incident on record engages this resolution as of 2020-01-09." in before
    then = record("2020-01-10")
    assert "1 public incident first recorded by 2020-01-10" in then
    assert "TEST VESSEL" in then and "RENAMED" not in then  # version 1, as it was then
    assert "Cambodia (KHM) 1" in then  # it acknowledged later: unreported then
    assert f"filed 2020-01-10, {(dt.date(2020, 1, 10) - dt.date(2016, 8, 11)).days} days" in then
    now = record(_today())
    assert "RENAMED VESSEL" in now
    assert "None: every party State asked to report filed or acknowledged" in now
    assert "Cambodia (KHM): acknowledged" in now
    # The profile of Cambodia as of the same days.
    khm = " ".join(pdf_pages(_get(
        client, panel, "/api/v1/summaries/states/KHM.pdf?as_of=2020-01-10").data))
    assert "Cambodia, flag state: has not reported it." in khm
    khm = " ".join(pdf_pages(_get(client, panel, "/api/v1/summaries/states/KHM.pdf").data))
    assert (f"Cambodia, flag state: acknowledged it on {_today()}, "
            f"{_days_since(SEIZED_ON)} days after the event.") in khm


def test_demo_incidents_are_marked(app, client, panel, make_token):
    from app.services.demo import DEMO_PRINCIPAL
    from app.services.incidents import import_records

    egypt = make_token("reporter", "EGY")
    assert client.post("/api/v1/incidents", json=_seizure(),
                       headers=auth(egypt)).status_code == 201
    with app.app_context():
        import_records(db.session, DEMO_PRINCIPAL, [
            _seizure(occurred_on="2017-05-02", summary="Synthetic seizure.",
                     vessels=[{"imo": "9074729", "name": "DEMO VESSEL", "flag": "KHM"}])],
            demo=True)
        db.session.remove()
    pages = pdf_pages(_get(client, panel, "/api/v1/summaries/resolutions/2270.pdf").data)
    assert ("CONTAINS DEMO DATA: 1 incident shown is real and 1 is synthetic demo data; "
            "every row and section built from demo data is marked") in pages[0]
    assert all("CONTAINS DEMO DATA" in page for page in pages)
    text = " ".join(pages)
    record = text[text.index("Enforcement on record"):text.index("About these figures")]
    assert ("2 public incidents first recorded by " f"{_today()} engage an obligation of "
            "this resolution; 1 of them is synthetic demo data") in record
    assert "2017-05-02 · seizure · Off Ain Sokhna, Egypt DEMO" in record
    assert f"{SEIZED_ON} · seizure · Off Ain Sokhna, Egypt Parties" in record  # real: no tag
    assert "Cambodia (KHM) DEMO (1 of the 2) 2" in record


def test_the_listed_incidents_are_bounded(client, panel, make_token, monkeypatch):
    """However large the record, a document lists a bounded number of incidents, vessels
    and sources, says so, and counts them all."""
    from app.services import summaries

    monkeypatch.setattr(summaries, "INCIDENTS_LISTED", 2)
    egypt = make_token("reporter", "EGY")
    sources = [{"kind": "public_record", "reference": f"REF-{n} " + "x" * 900,
                "title": None} for n in range(7)]
    for day in ("2016-08-11", "2016-09-12", "2016-10-13"):
        body = _seizure(occurred_on=day, sources=sources)
        assert client.post("/api/v1/incidents", json=body,
                           headers=auth(egypt)).status_code == 201
    text = " ".join(pdf_pages(_get(client, panel,
                                   "/api/v1/summaries/resolutions/2270.pdf").data))
    record = text[text.index("Enforcement on record"):text.index("About these figures")]
    assert "3 public incidents first recorded by" in record and "seizure 3" in record
    assert "Cambodia (KHM) 3" in record
    assert "The 2 most recent of the 3 incidents" in record
    assert "2016-10-13 · seizure" in record and "2016-09-12 · seizure" in record
    assert "2016-08-11 · seizure" not in record
    assert "REF-4" in record and "REF-5" not in record and "; and 2 more" in record
    assert "x" * 400 not in record and "…" in record
    profile = " ".join(pdf_pages(_get(client, egypt, "/api/v1/summaries/states/EGY.pdf").data))
    assert "filed by it 3" in profile and "The 2 most recent of the 3 incidents" in profile


def test_reports_inconsistent_with_the_record_per_audience(client, panel, admin, report_body):
    """France declares no seizure; the record holds one by France in the report's window. A
    public seizure makes the report inconsistent in both editions; a restricted one only in
    the restricted edition, flag included."""
    body = report_body("FRA", 2397, received_at="2018-06-01T00:00:00Z", dated="2018-05-30")
    for entry in body["entries"]:
        entry["enforcement"]["seizures"] = 0
    assert client.post("/api/v1/reports", json=body, headers=auth(admin)).status_code == 201

    def seizure_by_france(visibility):
        r = client.post("/api/v1/incidents", headers=auth(panel), json=_seizure(
            occurred_on="2018-02-01", obligations=["2397/9"], visibility=visibility,
            location={"state": "FRA", "place": "Le Havre"},
            parties=[{"state": "FRA", "role": "inspecting_state"},
                     {"state": "PRK", "role": "origin"}]))
        assert r.status_code == 201, r.get_json()

    def section(audience):
        text = " ".join(pdf_pages(_get(
            client, panel, f"/api/v1/summaries/resolutions/2397.pdf?audience={audience}").data))
        start = text.index("Reports inconsistent with the record")
        return text[start:text.index("Annex: every Member State", start)], text

    seizure_by_france("restricted")
    public, whole = section("public")
    assert ("None: no report received by " f"{_today()} declares an enforcement figure lower "
            "than the public incidents on record.") in public
    assert "inconsistent with record" not in whole  # no flag from the restricted seizure
    restricted, whole = section("restricted")
    assert "France (FRA) 2397/9 seizures 0 1" in restricted
    assert "inconsistent with record" in whole  # the flag, in the annex
    seizure_by_france("public")
    public, whole = section("public")
    assert "France (FRA) 2397/9 seizures 0 1" in public
    restricted, _ = section("restricted")
    assert "France (FRA) 2397/9 seizures 0 2" in restricted
