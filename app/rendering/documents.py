"""HTML and PDF rendering of the summaries.

A dedicated Jinja environment for `report_templates/` (autoescape on, StrictUndefined), a
digest of the templates for cache keys, and the PDF renderer processes (`app.rendering.worker`),
at most RENDER_CONCURRENCY of them rendering at once on a server (`app.rendering.slots`).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..config import PROJECT_ROOT
from ..domain import RATING_BANDS, Rating, RowStatus, label
from ..errors import RenderBusy, RenderFailed
from ..requirements import spans
from ..scoring import METHOD_VERSION
from .slots import RenderSlots
from .worker import Renderer, RenderError

TEMPLATES_DIR = PROJECT_ROOT / "report_templates"
ASSETS_DIR = TEMPLATES_DIR / "static"
STYLESHEET = ASSETS_DIR / "summary.css"
RENDERER_VERSION = f"weasyprint-{version('weasyprint')}/layout-1"


RATING_LABELS: dict[str, str] = {rating: label(rating) for rating in Rating}
#: A row without a rating says why; other rows show their rating.
ROW_STATUS_LABELS: dict[str, str] = {RowStatus.NO_REPORT_REQUESTED: "no report requested",
                     RowStatus.NOT_EXPECTED: "not expected (target of the regime)"}


def _row_status(status: str, rating: str | None, nil: bool | None = None) -> str | None:
    if nil:
        return "nil report"
    if status == RowStatus.NOT_REPORTED and rating is None:
        return "none filed"  # a conditional duty nobody knows applies (periodic, on event)
    if status == RowStatus.REPORTED and rating is None:
        return "filed"
    return ROW_STATUS_LABELS.get(status) or RATING_LABELS.get(rating or "", rating)


def _spans(missed: Any) -> str:
    """Missed periods as spans of consecutive periods: "2018-02-20 to 2018-03-21;
    2018-04-21 to 2019-11-11 (20 periods)"."""
    merged = spans([(p["start"], p["end"]) for p in missed or ()])
    return "; ".join(f"{a} to {b}" + (f" ({n} periods)" if n > 1 else "")
                     for a, b, n in merged)


def _fmt_number(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html", "svg", "xml"),
                                     default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rating"] = lambda value: RATING_LABELS.get(value, value)
    env.filters["num"] = _fmt_number
    env.filters["flag"] = label
    env.filters["label"] = label
    env.filters["row_status"] = _row_status
    env.filters["spans"] = _spans
    env.globals["rating_bands"] = RATING_BANDS
    return env


@cache
def templates_digest() -> str:
    """Changes whenever a template, the stylesheet or a bundled asset changes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(TEMPLATES_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def render_html(template: str, context: dict[str, Any], *,
                stylesheet_url: str | None = None) -> str:
    """HTML of a summary. With `stylesheet_url` it links the stylesheet (for browsers);
    without, it is meant for the PDF renderer, which applies the parsed stylesheet itself."""
    return environment().get_template(template).render(
        **context, method=METHOD_VERSION, standalone=stylesheet_url is not None,
        stylesheet_url=stylesheet_url,
    )




BUSY_RETRY_AFTER_SECONDS = 5


class RendererPool:
    """Renderer processes of this web process, started on first use and kept for the next
    render; no more of them than render slots, since a render holds a slot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[Renderer] = []
        self.renderers: list[Renderer] = []

    @contextlib.contextmanager
    def renderer(self) -> Iterator[Renderer]:
        with self._lock:
            if self._idle:
                chosen = self._idle.pop()
            else:
                chosen = Renderer(STYLESHEET, ASSETS_DIR)
                self.renderers.append(chosen)
        try:
            yield chosen
        finally:
            with self._lock:
                self._idle.append(chosen)

    def close(self) -> None:
        for renderer in self.renderers:
            renderer.close()


_pool: RendererPool | None = None
_pool_lock = threading.Lock()


def pool() -> RendererPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = RendererPool()
            atexit.register(_pool.close)
        return _pool


def slots() -> RenderSlots:
    """The render slots of this deployment on this host (see `app.rendering.slots`)."""
    config = current_app.config
    folder = config.get("RENDER_SLOTS_DIR")
    if not folder:
        database = hashlib.sha256(config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:16]
        folder = Path(current_app.instance_path) / "render-slots" / database
    return RenderSlots(Path(folder), config["RENDER_CONCURRENCY"])


class _Admission:
    """Requests of this web process that wait for a render slot or render: at most as many
    as the server has slots. Another one is answered 503 at once rather than take a second
    thread of the process to wait, so a worker's other threads stay with the API."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    @contextlib.contextmanager
    def enter(self, capacity: int) -> Iterator[bool]:
        with self._lock:
            admitted = self.count < max(1, capacity)
            if admitted:
                self.count += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._lock:
                    self.count -= 1


_admission = _Admission()


def _busy() -> RenderBusy:
    return RenderBusy(
        "Every PDF renderer of this server is busy; try again shortly.",
        retry_after=BUSY_RETRY_AFTER_SECONDS,
    )


def render_pdf(html: str) -> tuple[bytes, float]:
    """The PDF of `html`, within RENDER_TIMEOUT_SECONDS counted from now: waiting for a
    render slot (at most RENDER_QUEUE_SECONDS) and rendering both count. Raises RenderBusy
    at once if this process already has as many requests waiting or rendering as the server
    has slots, or if no slot comes free in the wait; RenderFailed if the render fails, runs
    out of time or is too large."""
    with _admission.enter(current_app.config["RENDER_CONCURRENCY"]) as admitted:
        if not admitted:
            raise _busy()
        return _render_pdf(html)


def _render_pdf(html: str) -> tuple[bytes, float]:
    config = current_app.config
    limit = config["RENDER_TIMEOUT_SECONDS"]
    deadline = time.monotonic() + limit
    if len(html.encode()) > config["RENDER_MAX_HTML_BYTES"]:
        raise RenderFailed(
            f"The summary is too large to render ({len(html)} characters of HTML; the limit "
            f"is {config['RENDER_MAX_HTML_BYTES']} bytes)."
        )
    wait = min(config["RENDER_QUEUE_SECONDS"], limit)
    with slots().acquire(wait) as held:
        if not held:
            raise _busy()
        with pool().renderer() as renderer:
            try:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RenderError("timeout", "")
                result = renderer.render(
                    html, ASSETS_DIR.as_uri() + "/", timeout=remaining,
                    max_bytes=config["RENDER_MAX_PDF_BYTES"],
                )
            except RenderError as exc:
                if exc.reason == "timeout":
                    raise RenderFailed(
                        f"Rendering the PDF took longer than {limit:g} seconds.",
                        retry_after=30,
                    ) from exc
                raise RenderFailed(exc.detail) from exc
    if result.refused:
        current_app.logger.warning("renderer refused %d URL(s) in a summary", len(result.refused))
    return result.pdf, result.seconds
