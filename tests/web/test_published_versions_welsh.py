"""A bilingual partnership's published version keeps both pages (issue 21): "Publish these
figures" stores index.html and cy/index.html with the CSV and JSON, each page linking to the
other, and the version kept with its date serves both as they were published."""

import base64
import dataclasses
import hashlib
import re

import pytest

from tests.web.test_access import sign_in
from tests.web.test_publish_page import publish


@pytest.fixture
def config(base_config):  # type: ignore[no-untyped-def]
    return dataclasses.replace(
        base_config, language=dataclasses.replace(base_config.language, bilingual=True)
    )


def test_a_published_version_serves_the_welsh_page_beside_the_english(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    assert publish(client, 2025, "Restated in Welsh and English.").status_code == 302
    english = client.get("/statistics/published/2025/2/index.html")
    welsh = client.get("/statistics/published/2025/2/cy/index.html")
    assert welsh.status_code == 200 and welsh.mimetype == "text/html"
    assert "Content-Disposition" not in welsh.headers  # opens in the browser, as on the website
    english_html, welsh_html = english.get_data(as_text=True), welsh.get_data(as_text=True)
    assert '<html lang="en-GB">' in english_html and 'href="cy/index.html"' in english_html
    assert '<html lang="cy">' in welsh_html and 'href="../index.html"' in welsh_html
    assert "Adolygiadau achos ymddygiad gwrthgymdeithasol: ffigurau 2025/26" in welsh_html
    # Relative to the stored page, the CSV the Welsh page links to is the version's own.
    assert 'href="../figures.csv"' in welsh_html
    assert client.get("/statistics/published/2025/2/figures.csv").status_code == 200
    page = client.get("/statistics?year=2025").get_data(as_text=True)
    assert "/statistics/published/2025/2/cy/index.html" in page
    # Each page's own inline style is allowed by its hash (it is shown styled, as published),
    # and no other page's: the strict policy stands.
    for answer, html in ((english, english_html), (welsh, welsh_html)):
        [style] = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        policy = answer.headers["Content-Security-Policy"]
        assert f"style-src 'self' 'sha256-{digest}';" in policy
        assert "unsafe-inline" not in policy
    assert "sha256-" not in page_policy(client)


def page_policy(client) -> str:  # type: ignore[no-untyped-def]
    return client.get("/statistics?year=2025").headers["Content-Security-Policy"]


def test_a_version_published_in_english_only_has_no_welsh_page(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    # The shared world's version 1 was kept before the partnership was bilingual.
    assert client.get("/statistics/published/2025/1/cy/index.html").status_code == 404
    assert client.get("/statistics/published/2025/1/cy/figures.csv").status_code == 404
    page = client.get("/statistics?year=2025").get_data(as_text=True)
    assert "/statistics/published/2025/1/cy/index.html" not in page


def test_the_welsh_page_names_the_local_policing_body_in_welsh(config):  # type: ignore[no-untyped-def]
    from web.publish import labels, translations

    welsh = labels(config, translations(config, "cy").gettext, "cy")
    english = labels(config)
    assert "y corff plismona lleol" in welsh["policing_body_reviews_requested"]
    assert "Y corff plismona lleol" in welsh["policing_body_reviews_upheld"]
    assert not any("local policing body" in text for text in welsh.values())
    assert "the local policing body" in english["policing_body_reviews_requested"]
