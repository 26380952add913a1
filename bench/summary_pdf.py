"""Summary PDFs: the service against WeasyPrint alone, and the cache against a bare response.

Measured in one run on a database filled with the demo data:
- cold: `GET /api/v1/summaries/resolutions/2270.pdf` with the PDF cache emptied before each
  request (context queries, templates, the renderer process, storing the PDF), against
  WeasyPrint alone rendering the same HTML in this process with the stylesheet and fonts
  prepared once, as the service's renderer does;
- warm: the same request served from the cache, against a bare Flask app returning the same
  bytes;
- peak memory of the renderer process (VmHWM) and of this process.

    .venv/bin/python bench/summary_pdf.py [--requests 7] [--database-url URL]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    upgrade(app)
    with app.app_context():
        load_catalogue(db.session)
        load_demo(db.session)
        token = create_authority(db.session, "bench panel", "panel", None).plaintext
        context = summaries.resolution_context(db.session, 2270, None)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    # Same HTML as the service renders for this request.
    with app.test_request_context():
        with app.app_context():
            import datetime as dt

            context = summaries.resolution_context(db.session, 2270, dt.date(2018, 12, 31))
        html = documents.render_html("resolution_summary.html", context)

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from app.rendering.fetcher import AssetsOnlyFetcher

    fetcher = AssetsOnlyFetcher(documents.ASSETS_DIR)
    fonts = FontConfiguration()
    css = CSS(filename=str(documents.STYLESHEET), url_fetcher=fetcher, font_config=fonts)

    def weasyprint_alone() -> bytes:
        return HTML(string=html, base_url=documents.ASSETS_DIR.as_uri() + "/",
                    url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=fonts)

    weasyprint_alone()  # warm-up: fonts, caches
    client.get(URL, headers=headers)  # warm-up: starts the renderer process

    cold, alone = [], []
    for _ in range(args.requests):
        with app.app_context():
            db.session.execute(delete(RenderedSummary))
            db.session.commit()
        start = time.perf_counter()
        response = client.get(URL, headers=headers)
        cold.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_data()
        start = time.perf_counter()
        pdf = weasyprint_alone()
        alone.append(time.perf_counter() - start)
    size = len(response.data)

    bare = Flask("bare")
    payload = response.data

    @bare.get("/pdf")
    def pdf_view():
        return Response(payload, mimetype="application/pdf")

    bare_client = bare.test_client()
    warm, plain = [], []
    for _ in range(args.requests * 10):
        start = time.perf_counter()
        cached = client.get(URL, headers=headers)
        warm.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain_response = bare_client.get("/pdf")
        plain.append(time.perf_counter() - start)
    assert cached.data == payload and plain_response.data == payload

    renderer_pid = documents.pool().renderers[0].pid
    print(f"document: resolution 2270 summary, {size} bytes, {len(pdf)} bytes from WeasyPrint "
          f"alone")
    print(f"cold request      median {median_ms(cold):8.1f} ms")
    print(f"WeasyPrint alone  median {median_ms(alone):8.1f} ms")
    print(f"  overhead of the service: {median_ms(cold) / median_ms(alone) - 1:+.1%}")
    print(f"warm (cached)     median {median_ms(warm):8.2f} ms")
    print(f"bare Flask bytes  median {median_ms(plain):8.2f} ms")
    print(f"  warm / bare: {median_ms(warm) / median_ms(plain):.1f}x")
    print(f"peak memory: renderer process {vm_hwm_mb(renderer_pid):.0f} MB; this process "
          f"(web side plus WeasyPrint alone) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    documents.pool().close()


if __name__ == "__main__":
    main()
