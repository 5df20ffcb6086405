"""The headers every answer carries: nothing personal or signed-in stored by a browser or a
proxy (only the public assets may be cached), HSTS only behind HTTPS, and the headers HTTP
asks of an error status (a 405's ``Allow``)."""

import dataclasses

import pytest

from tests.conftest import make_token
from tests.web.test_access import sign_in

#: Routes answered the same to everyone, which anyone may cache.
CACHEABLE = {"static"}


def _get_urls(app, world) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET route, with its variables filled from the shared world."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in CACHEABLE:
            continue
        path = rule.rule.replace("<reference>", world["case"])
        path = path.replace("<int(max=1000):number>", "1")
        path = path.replace("<int(max=2147483647):person_id>", str(world["person"]))
        path = path.replace("<token>", "a-reset-link-that-was-never-sent")
        path = path.replace("<int(max=2147483647):message_id>", str(world["message"]))
        path = path.replace("<kind>", "findings")
        path = path.replace("<int(max=2100):start_year>", "2025")
        path = path.replace("<int(max=2147483647):number>/<name>", "1/figures.csv")
        path = path.replace("<int(max=2147483647):number>/<path:name>", "1/figures.csv")
        path = path.replace("<int(max=2147483647):document_id>", str(world["document"]))
        if "<any(pdf, json):extension>" in path:
            urls += [path.replace("<any(pdf, json):extension>", ext) for ext in ("pdf", "json")]
        elif "<any(csv, json):extension>" in path:
            urls += [path.replace("<any(csv, json):extension>", ext) for ext in ("csv", "json")]
        else:
            assert "<" not in path, f"the walk does not know how to fill {rule.rule}"
            urls.append(path)
    return urls


def test_no_answer_but_the_public_assets_is_stored(app, world, sessions, partnership):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    token = make_token(sessions, partnership, "manager")
    urls = _get_urls(app, world)
    downloads = [
        url.format(world["case"])
        for url in (
            "/cases/{}/audit.csv",
            "/cases/{}/subject-access.pdf",
            "/cases/{}/subject-access.json",
            "/api/v1/outbox",
        )
    ]
    assert set(downloads) <= set(urls)
    for url in urls:
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        response = client.get(url, headers=headers)
        assert response.status_code < 500, url
        if url in downloads:  # the personal data itself, not an error page in its place
            assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", (
            url,
            response.status_code,
            response.mimetype,
        )
    # ... errors and refusals too: a page not found, the API refusing a missing token
    for url in ("/no-such-page", "/api/v1/cases"):
        assert app.test_client().get(url).headers["Cache-Control"] == "no-store"


def test_the_public_assets_may_be_cached(client):
    with client.get("/static/govuk/app.mjs") as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("is_https_only", [True, False])
def test_hsts_only_behind_https(config, engine, partnership, is_https_only):
    from web.app import create_app

    server = dataclasses.replace(config.server, secure_cookies=is_https_only)
    app = create_app(dataclasses.replace(config, server=server), engine=engine)
    for url in ("/sign-in", "/apply", "/api/v1/openapi.json"):
        response = app.test_client().get(url)
        if is_https_only:
            assert response.headers["Strict-Transport-Security"] == (
                "max-age=31536000; includeSubDomains"
            )
        else:
            assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("DELETE", "/api/v1/cases", {"GET", "POST"}),
        ("PUT", "/apply/who", {"GET", "POST"}),
        ("GET", "/sign-out", {"POST"}),
    ],
)
def test_a_method_not_allowed_says_which_are(client, manager_token, method, url, allowed):
    headers = {"Authorization": f"Bearer {manager_token}"}
    response = client.open(url, method=method, headers=headers)
    assert response.status_code == 405
    assert allowed <= {name.strip() for name in response.headers["Allow"].split(",")}
