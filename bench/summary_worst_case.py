"""Worst-case documents: how long the largest state profiles take to render, and how much
memory the renderer needs for them.

On a SQLite database with the catalogue, Japan submits the largest report validation accepts
(every text field at its limit in `schemas.reports.TEXT_LIMITS`, evidence items up to the
1 MiB body limit) on resolution 2270 (15 obligations), then on every other resolution too.
Each profile is rendered through the service's renderer process (`app.documents.render_pdf`),
with a fresh renderer per document so that its peak memory (VmHWM) is the document's:

- one report: the profile with the 2270 report only;
- every resolution: the profile with a largest report on each of the 11 resolutions;
- one report without the budget: the first document with the text budget lifted, quoting
  every character (what the profile was before the budget).

    .venv/bin/python bench/summary_worst_case.py [--repeat 3] [--skip-unbounded]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.rendering import documents  # noqa: E402
from app.services import summaries, summary_budget  # noqa: E402
from app.services.authorities import create_authority  # noqa: E402
from app.services.catalogue import load_catalogue  # noqa: E402
from tests.helpers import worst_case_report  # noqa: E402


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def submit(client, token: str, resolution: int) -> int:
    obligations = client.get(f"/api/v1/resolutions/{resolution}").get_json()["obligations"]
    body = worst_case_report(obligations, "JPN", resolution)
    data = json.dumps(body)
    response = client.post("/api/v1/reports", data=data, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    return len(data.encode())


def measure(app, label: str, repeat: int) -> None:
    with app.app_context():
        context = summaries.state_context(db.session, "JPN", None)
        db.session.remove()
    quoted = sum(len(e.get(f) or "") for item in context["resolutions"]
                 for e in item["entries"] for f, _ in summary_budget.TEXT_FIELDS)
    quoted += sum(len(x.get("title") or "") + len(x.get("reference") or "")
                  for item in context["resolutions"] for e in item["entries"]
                  for x in e["evidence"])
    with app.test_request_context():
        html = documents.render_html(summaries.TEMPLATES["state"], context)
        documents.pool().close()  # a fresh renderer: its peak memory is this document's
        seconds, request_seconds = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            pdf, render_seconds = documents.render_pdf(html)
            request_seconds.append(time.perf_counter() - start)
            seconds.append(render_seconds)
        peak = vm_hwm_mb(documents.pool().renderers[0].pid)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"{label:32} quoted {quoted:>9,} chars  HTML {len(html):>9,} chars  {pages:>4} pages  "
          f"PDF {len(pdf) / 1024:>6.0f} KB  render median {statistics.median(seconds):6.2f} s "
          f"(min {min(seconds):.2f}, first incl. renderer start {request_seconds[0]:.2f})  "
          f"renderer peak {peak:.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-unbounded", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-worst-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING",
                      "RENDER_TIMEOUT_SECONDS": 900, "RENDER_QUEUE_SECONDS": 60})
    upgrade(app)
    with app.app_context():
        load_catalogue(db.session)
        token = create_authority(db.session, "bench admin", "admin", None).plaintext
        db.session.remove()
    client = app.test_client()
    size = submit(client, token, 2270)
    print(f"budget: {summary_budget.FIELD_CHARS:,} chars per answer, "
          f"{summary_budget.EVIDENCE_ITEMS} evidence items of {summary_budget.EVIDENCE_CHARS} "
          f"chars, {summary_budget.DOCUMENT_CHARS:,} chars per document")
    print(f"report on 2270: {size:,} bytes of JSON")
    measure(app, "one report (2270)", args.repeat)
    if not args.skip_unbounded:
        saved = (summary_budget.FIELD_CHARS, summary_budget.EVIDENCE_ITEMS,
                 summary_budget.DOCUMENT_CHARS)
        summary_budget.FIELD_CHARS = summary_budget.DOCUMENT_CHARS = 10**9
        summary_budget.EVIDENCE_ITEMS = 10**6
        summary_budget.Budget.__init__.__defaults__ = (10**9,)
        measure(app, "one report, no budget", 1)
        (summary_budget.FIELD_CHARS, summary_budget.EVIDENCE_ITEMS,
         summary_budget.DOCUMENT_CHARS) = saved
        summary_budget.Budget.__init__.__defaults__ = (saved[2],)
    resolutions = [r["number"] for r in client.get("/api/v1/resolutions").get_json()["items"]]
    total = size + sum(submit(client, token, n) for n in resolutions if n != 2270)
    print(f"reports on {len(resolutions)} resolutions: {total:,} bytes of JSON")
    measure(app, "every resolution", args.repeat)
    documents.pool().close()


if __name__ == "__main__":
    main()
