"""What the public pages say beside the form: the privacy notice (the same as the first
letter's, from config), the two-reports prompt, and the online form among the ways to apply."""

import dataclasses
import html
from datetime import date

from triggers.db import read_session
from triggers.figures import performance_year
from triggers.notices import PrivacyConfig
from web.app import create_app
from web.publish import publish


def test_the_start_page_carries_the_privacy_notice_from_config(config, engine):
    config = dataclasses.replace(
        config,
        privacy=PrivacyConfig(
            controllers="Charnwood Borough Council and Leicestershire Police, joint controllers",
            sharing_agreement="the Charnwood information-sharing agreement of 2024",
            dpo_contact="dpo@charnwood.example.org",
        ),
    )
    page = html.unescape(create_app(config, engine=engine).test_client().get("/apply").text)
    notice = page.split('id="privacy"', 1)[1]
    for words in (
        "Charnwood Borough Council and Leicestershire Police, joint controllers",
        "UK GDPR Article 6(1)(e)",
        "under the Charnwood information-sharing agreement of 2024",
        f"We keep it for {config.retention.years_after_closure} years",
        "Information Commissioner's Office",
        "You can contact them at dpo@charnwood.example.org.",
    ):
        assert words in notice


def test_the_start_page_tells_anyone_who_reported_twice_about_the_case_review(client):
    page = client.get("/apply").text
    assert "reported anti-social behaviour twice or more in the last six months" in page
    assert "e-mail" not in page.lower()


def publish_page(sessions, config, tmp_path) -> str:  # type: ignore[no-untyped-def]
    with read_session(sessions) as session:
        publish(session, config, None, performance_year(2025), tmp_path, date(2026, 4, 30))
    page = (tmp_path / "index.html").read_text()
    return page.split('id="apply"', 1)[1]


def test_the_published_page_lists_the_online_form_when_it_is_enabled(sessions, config, tmp_path):
    server = dataclasses.replace(config.server, public_url="https://casereview.example.org/")
    on = publish_page(sessions, dataclasses.replace(config, server=server), tmp_path)
    assert '<a href="https://casereview.example.org/apply">' in on
    assert "by email:" in on and "e-mail" not in on
    # Without a public address the form is still named, without a link that would not work.
    assert "online: with the form on our website" in publish_page(sessions, config, tmp_path)
    off = dataclasses.replace(config, online=dataclasses.replace(config.online, enabled=False))
    assert "online" not in publish_page(sessions, off, tmp_path)
