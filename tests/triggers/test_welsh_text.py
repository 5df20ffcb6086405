"""The partnership's letter text in Welsh (issue 21): the ``cy`` table beside each table of
letter text, casereview's Welsh for its own defaults, the English quoted where a partnership
changed a key and gave no Welsh, and a Welsh or bilingual partnership refused until it does."""

import pytest

from triggers.config import ConfigError, config_from_dict
from triggers.notices import privacy_notice
from triggers.welsh import WELSH_TABLES, in_welsh


def welsh_notice(raw):  # type: ignore[no-untyped-def]
    config = config_from_dict(raw)
    sections = privacy_notice(config.privacy, "Partneriaeth Conwy", "csp@example.org", 6, "cy")
    return {section.heading: section.text for section in sections}


def test_the_default_notice_in_welsh():
    notice = welsh_notice({})
    assert notice["Eich hawliau"].startswith("Mae gennych hawl i ofyn am gopi")
    assert "cytundeb rhannu gwybodaeth y bartneriaeth" in notice["Gyda phwy rydyn ni’n ei rhannu"]
    assert "am 6 o flynyddoedd" in notice["Am ba hyd rydyn ni’n ei chadw"]
    assert "Partneriaeth Conwy" in notice["Pwy sy’n gyfrifol am eich gwybodaeth"]
    assert notice["Ein swyddog diogelu data"] == "Gallwch gysylltu â nhw drwy csp@example.org."


def test_the_partnerships_welsh_is_used_and_its_untranslated_english_is_quoted():
    notice = welsh_notice(
        {
            "privacy": {
                "sharing_agreement": "the Conwy agreement",
                "rights": "Ask us.",
                "dpo_contact": "dpo@conwy.example",
                "cy": {"rights": "Gofynnwch i ni."},
            }
        }
    )
    assert notice["Eich hawliau"] == "Gofynnwch i ni."
    assert "o dan the Conwy agreement" in notice["Gyda phwy rydyn ni’n ei rhannu"]
    assert notice["Ein swyddog diogelu data"] == "Gallwch gysylltu â nhw yn dpo@conwy.example."


def test_the_english_notice_is_unchanged_by_the_welsh():
    config = config_from_dict({"privacy": {"cy": {"rights": "Gofynnwch i ni."}}})
    sections = privacy_notice(config.privacy, "P", "csp@example.org", 1)
    assert sections[4].text.startswith("You have the right")
    assert "1 year after" in sections[3].text


def test_support_and_routes_in_welsh():
    config = config_from_dict(
        {
            "support": {"local_service": "the Conwy ASB service on 01492 000000"},
            "review_routes": {"appeal": {"cy": {"name": "Cadeirydd PDC Gwynedd"}}},
        }
    )
    assert in_welsh(config.support).victim_support.startswith("Cymorth i Ddioddefwyr")
    assert in_welsh(config.support).local_service == "the Conwy ASB service on 01492 000000"
    appeal = in_welsh(config.review_routes.appeal)
    assert appeal.name == "Cadeirydd PDC Gwynedd"
    assert appeal.final == "Mae penderfyniad y Cadeirydd yn derfynol."
    assert in_welsh(config.review_routes.local_policing_body).name == "y corff plismona lleol"


@pytest.mark.parametrize("language", [{"bilingual": True}, {"default": "cy"}])
@pytest.mark.parametrize(
    ("english", "welsh", "key"),
    [
        (
            {"privacy": {"sharing_agreement": "the Conwy agreement"}},
            {
                "privacy": {
                    "sharing_agreement": "the Conwy agreement",
                    "cy": {"sharing_agreement": "cytundeb Conwy"},
                }
            },
            "privacy.sharing_agreement",
        ),
        (
            {"support": {"local_service": "the Conwy service"}},
            {
                "support": {
                    "local_service": "the Conwy service",
                    "cy": {"local_service": "gwasanaeth Conwy"},
                }
            },
            "support.local_service",
        ),
        (
            {"review_routes": {"appeal": {"how": "Write to us."}}},
            {
                "review_routes": {
                    "appeal": {"how": "Write to us.", "cy": {"how": "Ysgrifennwch atom."}}
                }
            },
            "review_routes.appeal.how",
        ),
    ],
)
def test_a_welsh_partnership_gives_its_changed_text_in_welsh(language, english, welsh, key):
    with pytest.raises(ConfigError, match=f"'{key}' changed in English but not given in Welsh"):
        config_from_dict({"language": language, **english})
    config_from_dict({"language": language, **welsh})  # accepted with the Welsh


def test_a_web_address_needs_no_welsh():
    config_from_dict(
        {"language": {"bilingual": True}, "privacy": {"notice_url": "https://x.example/p"}}
    )


def test_the_tables_named_have_a_welsh_table():
    config = config_from_dict({})
    for table in WELSH_TABLES:
        english = config
        for part in table.split("."):
            english = getattr(english, part)
        assert in_welsh(english) == english.cy


def test_a_welsh_partnership_names_every_theme_in_welsh():
    """The Welsh published page lists the themes: each needs its Welsh name."""
    themes = [{"key": "hate_not_recorded", "label": "Hate incidents not recorded consistently"}]
    config_from_dict({"themes": themes})  # an English partnership needs none
    with pytest.raises(ConfigError, match="themes 'hate_not_recorded' have no 'label_cy'"):
        config_from_dict({"language": {"bilingual": True}, "themes": themes})
    named = [{**themes[0], "label_cy": "Digwyddiadau casineb heb eu cofnodi’n gyson"}]
    config = config_from_dict({"language": {"default": "cy"}, "themes": named})

    from web.publish import theme_labels

    assert theme_labels(config, "cy") == {"hate_not_recorded": named[0]["label_cy"]}
    assert theme_labels(config) == {"hate_not_recorded": themes[0]["label"]}


def test_the_shipped_config_names_its_themes_in_welsh():
    from pathlib import Path

    from triggers.config import load_config

    config = load_config(Path(__file__).resolve().parents[2] / "config.toml")
    assert config.themes and all(theme.label_cy for theme in config.themes)
