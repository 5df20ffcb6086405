"""Single sign-on: a real OpenID Connect provider on 127.0.0.1, made by the test.

The provider serves discovery, its signing key, an authorisation endpoint that signs the
person straight in, and a token endpoint that issues a signed ID token carrying the e-mail
it was told to, with the nonce it was given. casereview must check all of that and sign in
only a known, active user.
"""

import dataclasses
import threading
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from triggers.config import SsoConfig

CLIENT_ID = "casereview-test"


class Provider:
    """The identity provider: who it says signs in is ``email`` (the person at the council)."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.email = "manager@example.org"
        #: None leaves the claim out of the ID token, as some providers do.
        self.email_verified: bool | None = True
        self.codes: dict[str, str] = {}
        app = Flask("provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():  # type: ignore[no-untyped-def]
            return jsonify(
                issuer=self.url,
                authorization_endpoint=f"{self.url}/authorize",
                token_endpoint=f"{self.url}/token",
                jwks_uri=f"{self.url}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
            )

        @app.get("/jwks")
        def jwks():  # type: ignore[no-untyped-def]
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():  # type: ignore[no-untyped-def]
            code = uuid.uuid4().hex
            self.codes[code] = request.args["nonce"]
            query = urlencode({"code": code, "state": request.args["state"]})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post("/token")
        def token():  # type: ignore[no-untyped-def]
            nonce = self.codes.pop(request.form["code"])
            now = int(time.time())
            claims = {
                "iss": self.url,
                "sub": "u-1",
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": nonce,
                "email": self.email,
            }
            if self.email_verified is not None:
                claims["email_verified"] = self.email_verified
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
            return jsonify(access_token="a", token_type="Bearer", expires_in=300, id_token=id_token)

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider():
    running = Provider()
    yield running
    running.server.shutdown()


@pytest.fixture
def sso_client(config, engine, partnership, world, provider, monkeypatch):
    from web.app import create_app

    monkeypatch.setenv("CASEREVIEW_SSO_CLIENT_SECRET", "s3cret")
    settings = SsoConfig(enabled=True, issuer=provider.url, client_id=CLIENT_ID)
    app = create_app(dataclasses.replace(config, sso=settings), engine=engine)
    return app.test_client()


def sign_in_through_the_provider(client):  # type: ignore[no-untyped-def]
    start = client.get("/sign-in/sso")
    assert start.status_code == 302
    answer = requests.get(start.location, allow_redirects=False, timeout=10)
    back = urlparse(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_a_known_user_signs_in_with_the_council_account(sso_client):
    page = sso_client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with your council account" in page
    response = sign_in_through_the_provider(sso_client)
    assert response.status_code == 302 and response.location.endswith("/tasks")
    assert sso_client.get("/tasks").status_code == 200


def test_someone_the_service_does_not_know_is_refused(sso_client, provider):
    provider.email = "stranger@example.org"
    response = sign_in_through_the_provider(sso_client)
    assert response.status_code == 403
    assert "no casereview user with its e-mail" in response.get_data(as_text=True)
    assert sso_client.get("/").status_code == 302  # still signed out


@pytest.mark.parametrize("verified", [False, None], ids=["false", "missing"])
def test_an_unverified_address_is_refused(sso_client, provider, verified):
    provider.email_verified = verified
    response = sign_in_through_the_provider(sso_client)
    assert response.status_code == 403
    assert "did not say your e-mail address is verified" in response.get_data(as_text=True)
    assert sso_client.get("/").status_code == 302  # still signed out


def test_a_forged_answer_is_refused(sso_client):
    start = sso_client.get("/sign-in/sso")
    state = parse_qs(urlparse(start.location).query)["state"][0]
    forged = sso_client.get(f"/sign-in/sso/callback?code=made-up&state={state}x")
    assert forged.status_code == 400 and "did not work" in forged.get_data(as_text=True)
    assert sso_client.get("/").status_code == 302
