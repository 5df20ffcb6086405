"""The Flask application: one factory, used by `casereview serve`, the demo and the tests."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy import Engine

from triggers.config import Config, database_url, load_config
from triggers.db import make_engine, make_session_factory
from triggers.policy import Policy
from triggers.statuses import DeadlineStatus, DeliveryOutcome, OutboxStatus
from web.formats import IsoJSONProvider
from web.services import Services, services  # noqa: F401 - services: for modules not yet moved


def create_app(config: Config | None = None, *, engine: Engine | None = None) -> Flask:
    config = config if config is not None else load_config()
    engine = engine if engine is not None else make_engine(database_url(config))
    app = Flask(__name__, static_folder="static")
    if not config.server.secret_key:
        logging.getLogger(__name__).warning(
            "no secret key configured (CASEREVIEW_SECRET_KEY): using a random one, so people "
            "are signed out when the service restarts; set one for production"
        )
    app.config["SECRET_KEY"] = config.server.secret_key or secrets.token_hex(32)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = config.server.secure_cookies
    # An idle timeout: the session is permanent and renewed by each request (web.auth).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=config.server.session_minutes)
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session instead of a clock
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("web"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # Dates as ISO 8601, keys in the domain's order (web.formats).
    app.json = IsoJSONProvider(app)
    app.extensions["casereview"] = Services(
        config=config,
        policy=Policy.from_config(config),
        engine=engine,
        sessions=make_session_factory(engine),
        clock=lambda: datetime.now(UTC),
    )

    from flask_wtf import CSRFProtect
    from govuk_frontend_wtf.main import WTFormsHelpers

    from web import (
        apply,
        auth,
        calendar_page,
        case_changes,
        complaint_bodies,
        documents,
        errors,
        favicon,
        govuk_cache,
        health,
        html_params,
        language,
        letters_page,
        messages,
        metrics,
        panel_pack,
        people,
        plan,
        published,
        request_log,
        search,
        security,
        shared_limits,
        sso,
        staff,
        statistics,
        tasks,
    )
    from web import input as input_rules
    from web.api import views as api

    if config.server.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy the client's address (for the limits and the audit trail)
        # and the scheme are the proxy's headers; trust exactly as many proxies as there are.
        proxies = config.server.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    request_log.init_app(app)
    metrics.init_app(app)
    shared_limits.init_app(app)
    errors.register_errors(app)
    input_rules.init_app(app)  # first: odd input never reaches a view or the database
    security.init_app(app)
    WTFormsHelpers(app)
    html_params.install()  # WTForms' own widgets' attributes without str.format
    govuk_cache.init_app(app)  # the GOV.UK widgets' HTML, once per distinct parameters
    language.init_app(app, config)  # Cymraeg: the page's language and the catalogs
    # The status words a template compares with (triggers.statuses), never a bare "failed".
    app.jinja_env.globals.update(
        OutboxStatus=OutboxStatus, DeadlineStatus=DeadlineStatus, DeliveryOutcome=DeliveryOutcome
    )
    csrf = CSRFProtect(app)
    csrf.exempt(api.blueprint)  # the API authenticates each request with a bearer token
    auth.init_app(app)
    sso.init_app(app)
    apply.init_app(app, csrf)
    complaint_bodies.init_app(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(favicon.blueprint)
    app.register_blueprint(staff.blueprint)
    app.register_blueprint(tasks.blueprint)
    app.register_blueprint(plan.blueprint)
    app.register_blueprint(messages.blueprint)
    app.register_blueprint(letters_page.blueprint)
    app.register_blueprint(calendar_page.blueprint)
    app.register_blueprint(case_changes.blueprint)
    app.register_blueprint(statistics.blueprint)
    app.register_blueprint(published.blueprint)
    app.register_blueprint(people.blueprint)
    documents.init_app(app)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(panel_pack.blueprint)
    app.register_blueprint(api.blueprint)
    return app
