"""HTML and PDF rendering of the summaries.

A dedicated Jinja environment for `report_templates/` (autoescape on, StrictUndefined), a
digest of the templates for cache keys, and the PDF renderer process (`app.render_worker`).
"""

from __future__ import annotations

import atexit
import hashlib
from functools import cache
from importlib.metadata import version
from typing import Any

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .errors import ProblemError
from .migrations import PROJECT_ROOT
from .render_worker import Renderer, RenderError
from .scoring import METHOD_VERSION

TEMPLATES_DIR = PROJECT_ROOT / "report_templates"
ASSETS_DIR = TEMPLATES_DIR / "static"
STYLESHEET = ASSETS_DIR / "summary.css"
RENDERER_VERSION = f"weasyprint-{version('weasyprint')}/layout-1"


class RenderFailed(ProblemError):
    status = 503
    slug = "render-failed"
    title = "The summary could not be rendered"


RATING_LABELS = {
    "complete": "complete", "largely_complete": "largely complete",
    "partially_complete": "partially complete", "incomplete": "incomplete",
    "not_reported": "not reported",
}


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
    env.filters["flag"] = lambda value: value.replace("_", " ")
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


_renderer: Renderer | None = None


def renderer() -> Renderer:
    global _renderer
    if _renderer is None:
        _renderer = Renderer(STYLESHEET, ASSETS_DIR)
        atexit.register(_renderer.close)
    return _renderer


def render_pdf(html: str) -> tuple[bytes, float]:
    config = current_app.config
    if len(html.encode()) > config["RENDER_MAX_HTML_BYTES"]:
        raise RenderFailed(
            f"The summary is too large to render ({len(html)} characters of HTML; the limit "
            f"is {config['RENDER_MAX_HTML_BYTES']} bytes)."
        )
    try:
        result = renderer().render(
            html, ASSETS_DIR.as_uri() + "/", timeout=config["RENDER_TIMEOUT_SECONDS"],
            max_bytes=config["RENDER_MAX_PDF_BYTES"],
        )
    except RenderError as exc:
        headers = {"Retry-After": "30"} if exc.reason == "timeout" else None
        raise RenderFailed(exc.detail, headers=headers) from exc
    if result.refused:
        current_app.logger.warning("renderer refused %d URL(s) in a summary", len(result.refused))
    return result.pdf, result.seconds
