"""Summary PDFs: the service against WeasyPrint alone, and the cache against a bare response.

Measured in one run on a SQLite database filled with the demo data:
- warm: `GET /api/v1/summaries/resolutions/2270.pdf?as_of=2018-12-31` answered from the
  cache (with the process's memory cache, and without it: from the database), against a bare
  Flask app returning the same bytes, interleaved request by request; medians of wall-clock
  time and of this thread's CPU time (on a shared machine a longer request is descheduled
  more often: CPU time shows the work, wall time what a client waits). Each round prints
  its own ratios, so their spread shows;
- cold: the same request with the PDF cache emptied before each request (context queries,
  templates, the renderer process, storing the PDF), against WeasyPrint alone rendering the
  same HTML in this process with the stylesheet and fonts prepared once, as the service's
  renderer does;
- cold, largest document (`--worst-case`): Japan's profile with the largest report validation
  accepts on every resolution (`tests.helpers.worst_case_report`), the same way;
- peak memory of the renderer process (VmHWM) and of this process.

    .venv/bin/python bench/summary_pdf.py [--requests 7] [--warm 300] [--rounds 3]
        [--worst-case] [--database-url URL]

`BENCH_ROOT=/path/to/checkout` measures that checkout's code with this script (the "before"
of a change).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from flask import Flask, Response  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.models import RenderedSummary  # noqa: E402
from app.rendering import documents  # noqa: E402
from app.services import summaries  # noqa: E402
from app.services.authorities import create_authority  # noqa: E402
from app.services.catalogue import load_catalogue  # noqa: E402
from app.services.demo import load_demo  # noqa: E402

URL = "/api/v1/summaries/resolutions/2270.pdf?as_of=2018-12-31"
WORST = "/api/v1/summaries/states/JPN.pdf"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(call) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.thread_time()
    result = call()
    return time.perf_counter() - wall, time.thread_time() - cpu, result


class WeasyPrintAlone:
    """WeasyPrint in this process, the stylesheet and fonts prepared once."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from app.rendering.fetcher import AssetsOnlyFetcher

        self.fetcher = AssetsOnlyFetcher(documents.ASSETS_DIR)
        self.fonts = FontConfiguration()
        self.css = CSS(filename=str(documents.STYLESHEET), url_fetcher=self.fetcher,
                       font_config=self.fonts)

    def render(self, html: str) -> bytes:
        from weasyprint import HTML

        return HTML(string=html, base_url=documents.ASSETS_DIR.as_uri() + "/",
                    url_fetcher=self.fetcher).write_pdf(stylesheets=[self.css],
                                                        font_config=self.fonts)


def cold(app, client, headers, url: str, html: str, alone: WeasyPrintAlone,
         requests: int) -> tuple[list[float], list[float], bytes]:
    service, weasy = [], []
    response = None
    for _ in range(requests):
        with app.app_context():
            db.session.execute(delete(RenderedSummary))
            db.session.commit()
        app.extensions.pop("summary_memory", None)
        seconds, _, response = timed(lambda: client.get(url, headers=headers))
        assert response.status_code == 200, response.get_data()
        service.append(seconds)
        seconds, _, _ = timed(lambda: alone.render(html))
        weasy.append(seconds)
    return service, weasy, response.data


def warm(app, client, headers, payload: bytes, count: int, memory: int | None
         ) -> dict[str, list[float]]:
    if memory is not None:
        app.config["RENDER_MEMORY_CACHE_BYTES"] = memory
    bare = Flask("bare")

    @bare.get("/pdf")
    def pdf_view():
        return Response(payload, mimetype="application/pdf")

    bare_client = bare.test_client()
    client.get(URL, headers=headers)
    times: dict[str, list[float]] = {"wall": [], "cpu": [], "bare_wall": [], "bare_cpu": []}
    for _ in range(count):
        wall, cpu, cached = timed(lambda: client.get(URL, headers=headers))
        times["wall"].append(wall)
        times["cpu"].append(cpu)
        wall, cpu, plain = timed(lambda: bare_client.get("/pdf"))
        times["bare_wall"].append(wall)
        times["bare_cpu"].append(cpu)
    assert cached.data == payload and plain.data == payload
    return times


def worst_case(app, client, token: str) -> str:
    """Japan's largest report on every resolution that requests one; the HTML of its
    profile."""
    from tests.helpers import worst_case_report

    headers = {"Authorization": f"Bearer {token}"}
    for item in client.get("/api/v1/resolutions").get_json()["items"]:
        number = item["number"]
        obligations = client.get(f"/api/v1/resolutions/{number}").get_json()["obligations"]
        body = worst_case_report(obligations, "JPN", number)
        response = client.post("/api/v1/reports", data=json.dumps(body), headers=headers,
                               content_type="application/json")
        if response.status_code == 422 and any(
                e["pointer"] == "/requirement" for e in response.get_json()["errors"]):
            continue  # a resolution that requests no report
        assert response.status_code == 201, response.get_json()
    with app.test_request_context():
        context = summaries.state_context(db.session, "JPN", None)
        html = documents.render_html(summaries.TEMPLATES["state"], context)
        db.session.remove()
    return html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=7, help="cold requests")
    parser.add_argument("--warm", type=int, default=300, help="warm requests per round")
    parser.add_argument("--rounds", type=int, default=3, help="warm rounds")
    parser.add_argument("--worst-case", action="store_true")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(f"code: {ROOT}")
    folder = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    # Rate limits on, as in production, but high enough for the run's requests.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RENDER_TIMEOUT_SECONDS": 900,
                      "RENDER_QUEUE_SECONDS": 60, "RATELIMIT_PER_TOKEN": "100000 per minute",
                      "RATELIMIT_PER_ADDRESS": "100000 per minute"})
    upgrade(app)
    with app.app_context():
        load_catalogue(db.session)
        load_demo(db.session)
        token = create_authority(db.session, "bench panel", "panel", None).plaintext
        admin = create_authority(db.session, "bench admin", "admin", None).plaintext
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    # The HTML the service renders for this request.
    with app.test_request_context():
        context = summaries.resolution_context(db.session, 2270, dt.date(2018, 12, 31))
        html = documents.render_html("resolution_summary.html", context)
        db.session.remove()
    alone = WeasyPrintAlone()
    alone.render(html)  # warm-up: fonts, caches
    first = client.get(URL, headers=headers)  # warm-up: starts the renderer process
    assert first.status_code == 200, first.get_data()
    payload = first.data

    if not args.skip_cold:
        service, weasy, payload = cold(app, client, headers, URL, html, alone, args.requests)
        print(f"document: resolution 2270 summary, {len(payload)} bytes")
        print(f"cold request      median {median_ms(service):8.1f} ms")
        print(f"WeasyPrint alone  median {median_ms(weasy):8.1f} ms")
        print(f"  overhead of the service: {median_ms(service) / median_ms(weasy) - 1:+.1%}")

    for label, memory in (("memory cache", None), ("database only", 0)):
        for round_ in range(1, args.rounds + 1):
            t = warm(app, client, headers, payload, args.warm, memory)
            print(f"warm, {label:13} round {round_}: service {median_ms(t['wall']):6.3f} ms "
                  f"wall / {median_ms(t['cpu']):6.3f} ms CPU; bare Flask "
                  f"{median_ms(t['bare_wall']):6.3f} / {median_ms(t['bare_cpu']):6.3f} ms; "
                  f"bare/service {median_ms(t['bare_wall']) / median_ms(t['wall']):.3f} wall, "
                  f"{median_ms(t['bare_cpu']) / median_ms(t['cpu']):.3f} CPU", flush=True)
    app.config["RENDER_MEMORY_CACHE_BYTES"] = 64 << 20

    renderer_pid = documents.pool().renderers[0].pid
    print(f"peak memory: renderer process {vm_hwm_mb(renderer_pid):.0f} MB", flush=True)

    if args.worst_case:
        worst_html = worst_case(app, client, admin)
        documents.pool().close()  # a fresh renderer: its peak memory is the worst case's
        alone.render(worst_html)
        service, weasy, pdf = cold(app, client, {"Authorization": f"Bearer {admin}"}, WORST,
                                   worst_html, alone, max(1, min(args.requests, 3)))
        print(f"largest document: Japan's profile, a largest report on every resolution; "
              f"HTML {len(worst_html):,} chars, PDF {len(pdf):,} bytes")
        print(f"cold request      median {median_ms(service):8.1f} ms "
              f"(each: {', '.join(f'{s * 1000:.0f}' for s in service)})")
        print(f"WeasyPrint alone  median {median_ms(weasy):8.1f} ms "
              f"(each: {', '.join(f'{s * 1000:.0f}' for s in weasy)})")
        print(f"  overhead of the service: {median_ms(service) / median_ms(weasy) - 1:+.1%}")
        print(f"peak memory: renderer process {vm_hwm_mb(documents.pool().renderers[0].pid):.0f}"
              " MB (this document)")
    print(f"peak memory: this process (web side plus WeasyPrint alone) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    documents.pool().close()


if __name__ == "__main__":
    main()
