"""The PDF renderer: WeasyPrint in a process of its own, so that a render that runs too long
can be stopped without taking a web worker with it.

The worker (`python -m app.rendering.worker STYLESHEET ASSETS_DIR PARENT_PID`) parses the
stylesheet and builds the font configuration once, then renders the HTML documents it reads
from standard input, answering on standard output. It fetches nothing but the bundled assets
(`fetcher.AssetsOnlyFetcher`): report text is untrusted, and WeasyPrint's default
fetcher would read local files and open network connections.

The worker dies with the process that started it: on Linux the kernel sends it SIGKILL when
its parent goes (`PR_SET_PDEATHSIG`), and a watchdog thread exits as soon as its parent is no
longer the process that started it (for a parent that died before the first, and elsewhere).
A web worker killed in the middle of a render therefore leaves no renderer behind.

Frames in both directions: one line of JSON, then as many bytes as its `length` says.
This module imports neither Flask nor the database layer.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.config import PROJECT_ROOT

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


def _write_frame(stream: IO[bytes], header: dict[str, Any], payload: bytes) -> None:
    stream.write(json.dumps({**header, "length": len(payload)}).encode() + b"\n")
    stream.write(payload)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    line = stream.readline()
    if not line:
        return None
    header = json.loads(line)
    payload = stream.read(header["length"]) if header["length"] else b""
    return header, payload


PR_SET_PDEATHSIG = 1
WATCHDOG_SECONDS = 0.2


def die_with_parent(parent_pid: int) -> None:  # runs in the worker process
    """Exit as soon as `parent_pid` is no longer this process's parent."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def serve(stylesheet: str, assets_dir: str) -> None:  # runs in the worker process
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from app.rendering.fetcher import AssetsOnlyFetcher

    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing but frames on the protocol stream
    source = sys.stdin.buffer
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = AssetsOnlyFetcher(Path(assets_dir))
    font_config = FontConfiguration()
    css = CSS(filename=stylesheet, url_fetcher=fetcher, font_config=font_config)
    while (frame := _read_frame(source)) is not None:
        header, payload = frame
        fetcher.refused = []
        start = time.perf_counter()
        try:
            pdf = HTML(string=payload.decode(), base_url=header["base_url"],
                       url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=font_config)
        except Exception as exc:  # report any failure to the parent, keep serving
            _write_frame(out, {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"[:500],
                               "refused": fetcher.refused}, b"")
            continue
        seconds = time.perf_counter() - start
        if len(pdf) > header["max_bytes"]:
            _write_frame(out, {"status": "too_large", "size": len(pdf),
                               "refused": fetcher.refused}, b"")
            continue
        _write_frame(out, {"status": "ok", "refused": fetcher.refused, "seconds": seconds}, pdf)


# The kernel's parent-death signal follows the *thread* that forked the child: a renderer
# started from a request thread that later ends (Flask's development server starts one per
# request) would be killed with it. Renderers are therefore started from one thread that
# lives as long as the process.
_spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="renderer-spawner")


def _pipes(process: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes]]:
    """The worker's standard input and output: pipes, as `Renderer._start` opens them."""
    assert process.stdin is not None and process.stdout is not None
    return process.stdin, process.stdout


class Renderer:
    """A long-lived worker process, restarted after a timeout or a crash. One render at a
    time; `app.rendering.documents` keeps a small pool of them per web process and bounds how many
    render at once on the server (`app.rendering.slots`)."""

    def __init__(self, stylesheet: Path, assets_dir: Path) -> None:
        self.stylesheet = stylesheet
        self.assets_dir = assets_dir
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "app.rendering.worker", str(self.stylesheet),
                   str(self.assets_dir), str(os.getpid())]
        self._process = _spawner.submit(
            subprocess.Popen, command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            cwd=PROJECT_ROOT,
        ).result()
        return self._process

    @property
    def pid(self) -> int | None:
        """The worker process's id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5)
            for stream in _pipes(self._process):
                with contextlib.suppress(OSError):
                    stream.close()
        self._process = None

    def _read_exactly(self, fd: int, size: int, deadline: float) -> bytes:
        chunks, remaining = [], size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _read_line(self, fd: int, deadline: float) -> bytes:
        line = bytearray()
        while not line.endswith(b"\n"):
            line += self._read_exactly(fd, 1, deadline)
        return bytes(line)

    def render(self, html: str, base_url: str, *, timeout: float, max_bytes: int) -> RenderResult:
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                self._stop()
                process = self._start()
            start = time.perf_counter()
            deadline = time.monotonic() + timeout
            try:
                stdin, stdout = _pipes(process)
                _write_frame(stdin, {"base_url": base_url, "max_bytes": max_bytes},
                             html.encode())
                fd = stdout.fileno()
                header = json.loads(self._read_line(fd, deadline))
                payload = self._read_exactly(fd, header["length"], deadline)
            except TimeoutError:
                self._stop()
                raise RenderError(
                    "timeout", f"Rendering the PDF took longer than {timeout:g} seconds."
                ) from None
            except (EOFError, OSError, ValueError):
                self._stop()
                raise RenderError("failed", "The PDF renderer stopped unexpectedly.") from None
            status = header["status"]
            if status == "ok":
                return RenderResult(payload, header["refused"], time.perf_counter() - start)
            if status == "too_large":
                raise RenderError(
                    "too_large",
                    f"The PDF would be {header['size']} bytes, over the limit of {max_bytes}.",
                )
            raise RenderError("failed", f"The PDF could not be rendered: {header['detail']}")

    def close(self) -> None:
        with self._lock:
            if self._process is not None and self._process.stdin is not None:
                with contextlib.suppress(OSError):
                    self._process.stdin.close()
            self._stop()


if __name__ == "__main__":
    die_with_parent(int(sys.argv[3]))
    serve(sys.argv[1], sys.argv[2])
