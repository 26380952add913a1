"""The PDF renderer: WeasyPrint in a process of its own, so that a render that runs too long
can be stopped without taking a web worker with it.

The worker parses the stylesheet and builds the font configuration once, then renders HTML
documents sent through a pipe. It fetches nothing but the bundled assets
(`render_fetcher.AssetsOnlyFetcher`): report text is untrusted, and WeasyPrint's default
fetcher would read local files and open network connections.

This module imports no Flask and no database code: it is what the worker process runs.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    refused: list[str]
    seconds: float


class RenderError(Exception):
    """The renderer failed, ran out of time, or produced too much."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason  # "timeout", "too_large", "failed"
        self.detail = detail


def _worker(conn, stylesheet: str, assets_dir: str) -> None:  # runs in the child process
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from .render_fetcher import AssetsOnlyFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = AssetsOnlyFetcher(Path(assets_dir))
    font_config = FontConfiguration()
    css = CSS(filename=stylesheet, url_fetcher=fetcher, font_config=font_config)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        html, base_url, max_bytes = message
        fetcher.refused = []
        start = time.perf_counter()
        try:
            pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
                stylesheets=[css], font_config=font_config
            )
        except Exception as exc:  # report any failure to the parent, keep serving
            conn.send(("failed", f"{type(exc).__name__}: {exc}"[:500], list(fetcher.refused)))
            continue
        if len(pdf) > max_bytes:
            conn.send(("too_large", len(pdf), list(fetcher.refused)))
            continue
        conn.send(("ok", pdf, list(fetcher.refused), time.perf_counter() - start))


class Renderer:
    """A long-lived worker process, restarted after a timeout or a crash. One render at a
    time per web process (web workers are processes of their own)."""

    def __init__(self, stylesheet: Path, assets_dir: Path) -> None:
        self.stylesheet = stylesheet
        self.assets_dir = assets_dir
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn = None

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker, args=(child, str(self.stylesheet), str(self.assets_dir)),
            name="pdf-renderer", daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def render(self, html: str, base_url: str, *, timeout: float, max_bytes: int) -> RenderResult:
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._stop()
                self._start()
            start = time.perf_counter()
            try:
                self._conn.send((html, base_url, max_bytes))
                ready = self._conn.poll(timeout)
                reply = self._conn.recv() if ready else None
            except (EOFError, OSError, BrokenPipeError):
                self._stop()
                raise RenderError("failed", "The PDF renderer stopped unexpectedly.") from None
            if reply is None:
                self._stop()
                raise RenderError(
                    "timeout", f"Rendering the PDF took longer than {timeout:g} seconds."
                )
            status = reply[0]
            if status == "ok":
                return RenderResult(reply[1], reply[2], time.perf_counter() - start)
            if status == "too_large":
                raise RenderError(
                    "too_large",
                    f"The PDF would be {reply[1]} bytes, over the limit of {max_bytes}.",
                )
            raise RenderError("failed", f"The PDF could not be rendered: {reply[1]}")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):
                    self._conn.send(None)
            self._stop()
