"""planner: treatment-course scheduling for ketamine and esketamine clinics."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | type | None = None, **overrides) -> Flask:
    """Build the Flask app: config, extensions, blueprints, error handlers."""
    import os

    from config import CONFIGS
    from planner.extensions import csrf, db, login_manager, migrate

    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    if config is None:
        config = os.environ.get("PLANNER_ENV", "development")
    app.config.from_object(CONFIGS[config] if isinstance(config, str) else config)
    app.config.update(overrides)
    # The embedded SQLite default lives in instance/; make sure the folder exists.
    Path(app.instance_path).mkdir(exist_ok=True)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        # Instants come back already in UTC, as they are stored: no conversion per value on big reads.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "options": "-c TimeZone=UTC"}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        from planner.db.pgconnection import install_plan_keeping_connections
        from planner.db.pool import install_idle_ping
        from planner.db.uow import install_sqlite_pragmas

        install_sqlite_pragmas(db.engine)
        install_plan_keeping_connections(db.engine)
        install_idle_ping(db.engine)

    from planner import cli
    from planner.web import register

    register(app)
    cli.register(app)
    if app.config["PROXY_HOPS"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app
