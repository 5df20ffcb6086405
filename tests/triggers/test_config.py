from pathlib import Path

import pytest

from triggers.config import ConfigError, config_from_dict, database_url, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_config_loads_with_its_agencies_and_themes():
    config = load_config(ROOT / "config.toml", environ={})
    assert config.deadlines.acknowledge == 5 and config.deadlines.panel == 28
    assert len(config.agencies) == 4
    assert "inconsistent_recording" in config.theme_keys()


def test_a_misspelt_key_is_refused_with_a_suggestion():
    with pytest.raises(
        ConfigError,
        match=r"unknown key 'deadlines.acknowlege' \(did you mean "
        r"'acknowledge'\?\)",
    ):
        config_from_dict({"deadlines": {"acknowlege": 5}})


def test_a_wrong_type_names_the_key():
    with pytest.raises(ConfigError, match=r"'deadlines\.panel' must be a whole number"):
        config_from_dict({"deadlines": {"panel": "28"}})


def test_a_higher_statutory_number_is_refused_citing_the_act():
    with pytest.raises(ConfigError, match="section 104"):
        config_from_dict({"threshold": {"statutory_minimum_incidents": 5}})


@pytest.mark.parametrize("key", ["complaint_within_months", "application_within_months"])
def test_a_shorter_statutory_window_is_refused(key):
    with pytest.raises(ConfigError, match=key):
        config_from_dict({"threshold": {key: 0}})


def test_closure_days_must_be_dates():
    with pytest.raises(ConfigError, match=r"closure_days\[1\].*YYYY-MM-DD"):
        config_from_dict({"calendar": {"closure_days": ["2026-12-29", "29/12/2026"]}})


def test_region_must_be_england_or_wales():
    with pytest.raises(ConfigError, match="england, wales"):
        config_from_dict({"calendar": {"region": "scotland"}})


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[deadlines\nacknowledge = 5\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, environ={})


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.toml", environ={})


def test_database_url_from_the_environment_wins(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[database]\nurl = "sqlite:///local.db"\n')
    assert database_url(load_config(path, environ={})) == f"sqlite:///{tmp_path / 'local.db'}"
    overridden = load_config(path, environ={"DATABASE_URL": "postgresql+psycopg://x@h/db"})
    assert database_url(overridden) == "postgresql+psycopg://x@h/db"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"online": {"submission_limit": "lots"}}, "'online.submission_limit' must be a rate"),
        ({"server": {"sign_in_limit": "10/fortnight"}}, "'server.sign_in_limit' must be a rate"),
        ({"online": {"draft_expiry_minutes": 0}}, "'online.draft_expiry_minutes' must be from 5"),
        ({"online": {"draft_limit": "many"}}, "'online.draft_limit' must be a rate"),
        ({"statistics": {"areas": ["Syston", " syston "]}}, "'statistics.areas' must be"),
        ({"statistics": {"areas": ["Other Area"]}}, "'statistics.areas' may not hold"),
        ({"online": {"most_incidents": 0}}, "'online.most_incidents' must be from 1 to 1000"),
        ({"online": {"longest_answer": 10**6}}, "'online.longest_answer' must be from 500"),
    ],
)
def test_the_online_form_settings_are_checked(raw, message):
    with pytest.raises(ConfigError, match=message):
        config_from_dict(raw)


def test_the_shipped_config_serves_the_online_form():
    online = load_config(Path(__file__).parents[2] / "config.toml", environ={}).online
    assert (online.enabled, online.draft_expiry_minutes, online.submission_limit) == (
        True,
        60,
        "5 per hour",
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"mail": {"from_address": "a@example.org,b@example.org"}}, "'mail.from_address' is not"),
        ({"partnership": {"contact_email": "csp@"}}, "'partnership.contact_email' is not"),
        (
            {"agencies": [{"name": "Police", "kind": "police", "email": "a@x.org,bob"}]},
            r"'agencies\[0\].email' is not an e-mail address",
        ),
        ({"partnership": {"code": "C²"}}, "'partnership.code' must be 1 to 10 letters"),
    ],
)
def test_addresses_and_the_code_follow_the_input_rules(raw, message):
    with pytest.raises(ConfigError, match=message):
        config_from_dict(raw)


def test_the_language_is_english_or_welsh():
    assert config_from_dict({"language": {"default": "cy"}}).language.default == "cy"
    with pytest.raises(ConfigError, match=r"'language\.default' must be \"en\" or \"cy\""):
        config_from_dict({"language": {"default": "fr"}})
