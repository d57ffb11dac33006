"""The open-competition (揭榜挂帅) project system."""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask

from config import Config, config_from_env

# Areas in dependency order; each is a package with a ``bp`` blueprint and
# optionally ``init_app(app)`` for CLI commands, registry entries and hooks.
AREAS = ("core", "auth", "notifications", "admin", "integrity", "challenges", "bids", "reviews", "registration",
         "awards", "projects", "acceptance", "certificates", "overview", "api")

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_env()
    config_class.validate()

    from grants.core.templating import GrantsFlask

    app = GrantsFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from grants.core import setup

    setup.init_extensions(app)
    for area in AREAS:
        module = importlib.import_module(f"grants.{area}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    return app
