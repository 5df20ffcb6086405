"""Optional single sign-on through the council's identity provider (OpenID Connect).

The provider proves who the person is; casereview still decides what they may do: the
``email`` in the provider's ID token must belong to an active casereview user, whose role
and agency apply as with a password. Nobody is created by signing in. The client secret
comes from CASEREVIEW_SSO_CLIENT_SECRET.
"""

from __future__ import annotations

import logging
import os

from flask import Blueprint, Flask, abort, current_app, redirect, url_for
from werkzeug.wrappers import Response

from triggers.accounts import find_user
from triggers.db import write_transaction
from web.services import services

log = logging.getLogger(__name__)
blueprint = Blueprint("sso", __name__)
NOT_KNOWN = (
    "Your council account signed you in, but there is no casereview user with its e-mail "
    "address. Ask your CSP manager to add you."
)


def init_app(app: Flask) -> None:
    settings = app.extensions["casereview"].config.sso
    app.register_blueprint(blueprint)
    app.context_processor(lambda: {"sso": settings})
    if not settings.enabled:
        return
    # Imported only when single sign-on is on: Authlib costs 16 MB in every worker.
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    app.extensions["casereview_sso"] = oauth
    oauth.register(
        "council",
        client_id=settings.client_id,
        client_secret=os.environ.get("CASEREVIEW_SSO_CLIENT_SECRET", ""),
        server_metadata_url=settings.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile"},
    )


def _provider():  # type: ignore[no-untyped-def]
    if not services().config.sso.enabled:
        abort(404)
    return current_app.extensions["casereview_sso"].council


@blueprint.get("/sign-in/sso")
def start() -> Response:
    return _provider().authorize_redirect(url_for("sso.callback", _external=True))


@blueprint.get("/sign-in/sso/callback")
def callback() -> Response:
    from authlib.integrations.base_client.errors import OAuthError

    from web.auth import start_session

    provider = _provider()
    try:
        token = provider.authorize_access_token()
    except OAuthError as error:
        log.warning("single sign-on refused: %s", error.error)
        abort(400, "Signing in with your council account did not work. Try again.")
    claims = token.get("userinfo") or {}
    email = str(claims.get("email") or "").strip().lower()
    # OpenID Connect Core 1.0, section 5.1: without ``email_verified: true`` the provider has
    # not checked that the address is the person's, so a missing claim counts as unverified.
    if not email or claims.get("email_verified") is not True:
        abort(
            403,
            "Your council account did not say your e-mail address is verified, so it cannot "
            "sign you in here. Ask your IT team to check your council account.",
        )
    with write_transaction(services().sessions) as db:
        user = find_user(db, email)
        if user is None or not user.is_active:
            abort(403, NOT_KNOWN)
        start_session(db, user)  # a server-side session, as with a password
    return redirect(url_for("tasks.my_tasks"))
