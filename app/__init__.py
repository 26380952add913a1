"""Compliance reporting API: the application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import from_environment, normalise_database_url


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
            app.config["SQLALCHEMY_DATABASE_URI"]
        )
    if not 1 <= int(app.config["FINDING_REPLY_DAYS"]) <= 3650:  # fail fast
        raise RuntimeError("FINDING_REPLY_DAYS must be a number of days from 1 to 3650, got "
                           f"{app.config['FINDING_REPLY_DAYS']!r}")
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the default provider has it

    from .http.headers import init_app as init_security
    from .http.logs import configure as configure_logs

    configure_logs(app)
    init_security(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_extensions(app)
    register_api(app)
    register_web(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from .extensions import db, sqlite_transactions

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sqlite_transactions(db.engine)

    from .http.ratelimit import init_app as init_ratelimit

    init_ratelimit(app)


def register_api(app: Flask) -> None:
    from .api import register_api as _register

    _register(app)


def register_web(app: Flask) -> None:
    from .web import register_web as _register

    _register(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as _register

    _register(app)


def register_commands(app: Flask) -> None:
    from .cli import register_commands as _register

    _register(app)
