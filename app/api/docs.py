"""Interactive API documentation (Swagger UI), served with its assets by the app: no CDN."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, render_template, send_from_directory, url_for

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"

bp = Blueprint(
    "docs",
    __name__,
    url_prefix="/api/v1/docs",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.get("/")
def index():
    return render_template(
        "api_docs.html",
        assets=url_for("docs.asset", filename=""),
        spec_url=url_for("api-docs.openapi_json"),
        init_js=url_for("docs.static", filename="docs-init.js"),
    )


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    return send_from_directory(SWAGGER_DIST, filename, max_age=86400)
