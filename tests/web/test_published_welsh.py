"""The published figures page in Welsh and English for a bilingual partnership (issue 21):
index.html and cy/index.html linking to each other, the CSV and JSON written once, keys as
they were."""

import dataclasses
import json
import subprocess
from datetime import date

from tests.factories import new_case
from tests.web.test_figures_cli import VNU
from triggers.db import write_transaction
from triggers.figures import performance_year
from web.publish import publish


def test_a_bilingual_partnership_publishes_both_pages(
    sessions, partnership, policy, config, tmp_path
):
    bilingual = dataclasses.replace(
        config, language=dataclasses.replace(config.language, bilingual=True)
    )
    with write_transaction(sessions) as session:
        new_case(session, partnership, policy)
        written = publish(
            session, bilingual, None, performance_year(2025), tmp_path, date(2026, 4, 30)
        )
    names = sorted(str(path.relative_to(tmp_path)) for path in written)
    assert names == ["cy/index.html", "figures.csv", "figures.json", "index.html"]
    english = (tmp_path / "index.html").read_text()
    welsh = (tmp_path / "cy" / "index.html").read_text()
    assert '<html lang="en-GB">' in english and 'href="cy/index.html"' in english
    assert '<html lang="cy">' in welsh and 'href="../index.html"' in welsh
    assert "Adolygiadau achos ymddygiad gwrthgymdeithasol: ffigurau 2025/26" in welsh
    assert "Ceisiadau am adolygiad achos ymddygiad gwrthgymdeithasol a gafwyd" in welsh
    assert "ddydd Iau 30 Ebrill 2026" in welsh  # published on, in Babel's Welsh
    assert 'href="../figures.csv"' in welsh and 'href="../figures.json"' in welsh
    assert "Anti-social behaviour case reviews: figures for 2025/26" in english
    assert "applications_received" in json.loads((tmp_path / "figures.json").read_text())
    checked = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "text",
            str(tmp_path / "cy" / "index.html"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_english_only_partnership_publishes_one_page(
    sessions, partnership, policy, config, tmp_path
):
    with write_transaction(sessions) as session:
        written = publish(
            session, config, None, performance_year(2025), tmp_path, date(2026, 4, 30)
        )
    assert sorted(path.name for path in written) == ["figures.csv", "figures.json", "index.html"]
    assert "cy/index.html" not in (tmp_path / "index.html").read_text()
