"""Every page of the public form passes the W3C Nu HTML checker, with its errors shown and
without: the HTML as the server sends it."""

import re
import subprocess
from datetime import timedelta

import pytest

from tests.factories import SAMPLE_NOW
from tests.web.test_apply import AS_VICTIM, answer, fill, send, token
from tests.web.test_figures_cli import VNU

#: What shows the expired and the error pages are in the language asked for (issue 21).
WORDS = {
    "en": ("Your answers were deleted", "There is a problem"),
    "cy": ("Cafodd eich atebion eu dileu", "Mae problem wedi codi"),
}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_page_of_the_form_is_valid_html(app, client, tmp_path, language):
    deleted, problem = WORDS[language]
    client.get(f"/apply?lang={language}")
    pages: dict[str, str] = {"start": client.get("/apply").get_data(as_text=True)}
    who = client.get("/apply/who").get_data(as_text=True)
    pages["who"] = who
    pages["who-error"] = client.post("/apply/who", data={"csrf_token": token(who)}).get_data(
        as_text=True
    )
    answer(client, "/apply/who", {"who": "on_behalf"})
    pages["about-you-error"] = answer(client, "/apply/about-you", {}).get_data(as_text=True)
    answer(
        client,
        "/apply/about-you",
        {"applicant_name": "Dan", "applicant_relationship": "Son", "consent": "y"},
    )
    for path, fields in AS_VICTIM[1:]:
        name = path.removeprefix("/apply/").replace("/", "-")
        pages[name] = client.get(path).get_data(as_text=True)
        broken = {key: "" for key in fields} | {"what_happened": "x" * 5001}
        pages[f"{name}-error"] = answer(client, path, broken).get_data(as_text=True)
        assert answer(client, path, fields).status_code == 302, path
    pages["check"] = client.get("/apply/check").get_data(as_text=True)
    pages["check-honeypot"] = send(client, website="spam").get_data(as_text=True)
    send(client)
    pages["confirmation"] = client.get("/apply/confirmation").get_data(as_text=True)
    fill(client, AS_VICTIM[:2])
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW + timedelta(hours=2)
    client.get("/apply/victim-name")
    pages["expired"] = client.get("/apply").get_data(as_text=True)
    assert deleted in pages["expired"]
    for name in ("who-error", "about-you-error", "incidents-1-error", "check-honeypot"):
        assert problem in pages[name], name

    for name, html in pages.items():
        # Every page has one main heading, and no question is asked without its words.
        assert len(re.findall(r"<h1[ >]", html)) == 1, name
        for legend in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S):
            assert re.sub(r"<[^>]+>", "", legend).strip(), f"an empty legend on {name}"
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        files.append(str(path))
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "text", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
