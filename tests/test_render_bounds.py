"""Summaries are bounded documents, and rendering them never holds the API: the text budget
on the largest report a state can submit, the render slots, the memory of failed renders,
the bounded PDF cache, and a renderer that dies with its owner."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import RenderedSummary, RenderFailure
from app.rendering import documents
from app.services import summary_budget
from tests.helpers import auth, worst_case_report
from tests.test_summaries import pdf_pages

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def largest_report(client, make_token):
    """The largest report validation accepts, submitted by Japan's reporter on 2270: 15
    entries, every text field at its limit, evidence items up to the 1 MiB body limit."""
    obligations = client.get("/api/v1/resolutions/2270").get_json()["obligations"]
    body = worst_case_report(obligations, "JPN", 2270)
    data = json.dumps(body)
    assert len(data.encode()) > 1_000_000
    r = client.post("/api/v1/reports", data=data, content_type="application/json",
                    headers=auth(make_token("reporter", "JPN")))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_the_largest_report_gives_a_bounded_profile(client, panel, largest_report):
    address = f"/api/v1/reports/{largest_report['id']}/versions/1"
    html = client.get("/api/v1/summaries/states/JPN.html", headers=auth(panel))
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert len(page) < summary_budget.DOCUMENT_CHARS * 2
    assert ("Shortened: legal basis, 4,000 characters in full; measures, 20,000 characters in "
            "full; justification, 10,000 characters in full; notes, 20,000 characters in full; "
            "evidence titles or references") in page
    assert f"the whole text is at {address}" in page
    assert "Not quoted here: " in page  # the document budget runs out before the last entry

    pdf = client.get("/api/v1/summaries/states/JPN.pdf", headers=auth(panel))
    assert pdf.status_code == 200, pdf.get_json()
    text = " ".join(pdf_pages(pdf.data))
    assert "Shortened: legal basis, 4,000 characters in full" in text
    assert "measures, 20,000 characters in full" in text
    assert f"the whole text is at {address}" in text
    assert "Not quoted here: " in text


# --- render slots: waiting counts, a busy server answers at once ----------------------------

SUMMARY = "/api/v1/summaries/resolutions/2321.pdf?as_of=2017-06-30"


@pytest.fixture()
def render_config(app):
    """Change render settings for one test; the originals come back afterwards."""
    saved = {k: v for k, v in app.config.items() if k.startswith("RENDER_")}

    def change(**settings):
        app.config.update({f"RENDER_{k.upper()}": v for k, v in settings.items()})

    yield change
    app.config.update(saved)


@pytest.fixture()
def hold_slot(app):
    """`hold_slot(seconds)` takes the server's only render slot, in another thread, for
    `seconds` (or until the test ends); returns once it is held."""
    holders = []

    def hold(seconds: float = 60) -> threading.Event:
        with app.app_context():
            slots = documents.slots()
        held, release = threading.Event(), threading.Event()

        def run():
            with slots.acquire(5) as ok:
                assert ok
                held.set()
                release.wait(seconds)

        thread = threading.Thread(target=run)
        thread.start()
        assert held.wait(5)
        holders.append((thread, release))
        return release

    yield hold
    for thread, release in holders:
        release.set()
        thread.join(10)


def test_a_busy_server_answers_503_with_retry_after_at_once(
    app, client, panel, render_config, hold_slot
):
    render_config(concurrency=1, queue_seconds=0.3)
    release = hold_slot()
    start = time.monotonic()
    r = client.get(SUMMARY, headers=auth(panel))
    waited = time.monotonic() - start
    assert r.status_code == 503, r.get_json()
    assert r.get_json()["type"].endswith("/render-busy")
    assert r.headers["Retry-After"] == str(documents.BUSY_RETRY_AFTER_SECONDS)
    assert waited < 30  # it did not wait for the render that holds the slot
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RenderFailure)) == 0
    release.set()
    assert client.get(SUMMARY, headers=auth(panel)).status_code == 200  # not remembered


def test_waiting_for_a_slot_counts_toward_the_time_limit(client, panel, render_config,
                                                         hold_slot):
    # The slot comes free after 1 s of a 1.5 s limit: half a second is too little for this
    # document (about 2 s of rendering), so the request times out instead of rendering for
    # another full limit.
    render_config(concurrency=1, queue_seconds=5, timeout_seconds=1.5)
    hold_slot(1.0)
    r = client.get(SUMMARY, headers=auth(panel))
    assert r.status_code == 503
    assert "longer than 1.5 seconds" in r.get_json()["detail"]


def test_a_failed_render_is_remembered_for_its_document(app, client, panel, render_config,
                                                        monkeypatch):
    render_config(timeout_seconds=0.001, failure_ttl_seconds=600)
    first = client.get(SUMMARY, headers=auth(panel))
    assert first.status_code == 503 and first.headers["Retry-After"] == "600"
    render_config(timeout_seconds=60)
    renders = []
    original = documents.render_pdf
    monkeypatch.setattr(documents, "render_pdf",
                        lambda html: renders.append(1) or original(html))
    again = client.get(SUMMARY, headers=auth(panel))
    assert again.status_code == 503 and renders == []
    assert 590 <= int(again.headers["Retry-After"]) <= 600
    assert "longer than 0.001 seconds" in again.get_json()["detail"]
    # Another document is not affected.
    other = client.get(SUMMARY.replace("2017-06-30", "2017-07-01"), headers=auth(panel))
    assert other.status_code == 200 and renders == [1]
    # Once the memory expires the document is rendered again.
    with app.app_context():
        db.session.execute(update(RenderFailure).values(
            retry_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.session.commit()
    assert client.get(SUMMARY, headers=auth(panel)).status_code == 200 and renders == [1, 1]


def test_the_pdf_cache_keeps_the_newest_documents_within_its_bounds(
    app, client, panel, render_config
):
    render_config(cache_max_entries=2)
    dates = ["2017-06-01", "2017-06-02", "2017-06-03"]
    for day in dates:
        r = client.get(f"/api/v1/summaries/resolutions/1718.pdf?as_of={day}",
                       headers=auth(panel))
        assert r.status_code == 200
    with app.app_context():
        kept = db.session.scalars(select(RenderedSummary.as_of).order_by(RenderedSummary.id))
        assert [d.isoformat() for d in kept] == dates[1:]
        size = db.session.scalar(select(func.max(RenderedSummary.size)))
    render_config(cache_max_entries=100, cache_max_bytes=int(size * 1.5))
    r = client.get("/api/v1/summaries/resolutions/1718.pdf?as_of=2017-06-04",
                   headers=auth(panel))
    assert r.status_code == 200
    with app.app_context():
        kept = db.session.scalars(select(RenderedSummary.as_of))
        assert [d.isoformat() for d in kept] == ["2017-06-04"]


# --- the renderer dies with its owner -------------------------------------------------------

OWNER = """
import sys, threading, time
from app.rendering import documents
from app.rendering.worker import Renderer

renderer = Renderer(documents.STYLESHEET, documents.ASSETS_DIR)
html = "<p>" + "a long answer in ordinary words " * 60000 + "</p>"
threading.Thread(target=renderer.render, daemon=True, args=(html, "file:///nowhere/"),
                 kwargs={"timeout": 600, "max_bytes": 1 << 30}).start()
while renderer.pid is None:
    time.sleep(0.01)
print(renderer.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped running


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_renderer_dies_with_the_process_that_started_it():
    owner = subprocess.Popen([sys.executable, "-c", OWNER], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True)
    try:
        renderer_pid = int(owner.stdout.readline())
        time.sleep(1.5)  # the renderer is now laying out the long document
        assert _alive(renderer_pid)
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(10)
        deadline = time.monotonic() + 3
        while _alive(renderer_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(renderer_pid)
    finally:
        owner.kill()
        owner.wait(10)
