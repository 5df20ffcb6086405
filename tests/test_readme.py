"""The README is part of the product: its process diagram must be the machine's."""

from pathlib import Path

from workflows.machine import mermaid_diagram

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_the_readme_diagram_is_generated_from_the_machine():
    assert f"```mermaid\n{mermaid_diagram()}\n```" in README


def test_the_readme_starts_with_the_two_commands():
    assert README.index("make run") < README.index("make test") < README.index("## What it does")


def test_the_configuration_reference_names_every_key():
    """A setting added to triggers/config.py without a row in the README's table fails here."""
    import dataclasses

    from triggers.config import Config

    table = README[README.index("## Configuration reference") : README.index("## Architecture")]
    missing = []
    for section in dataclasses.fields(Config):
        if section.name in ("source", "agencies", "themes"):
            continue
        for key in dataclasses.fields(section.default_factory()):  # type: ignore[misc]
            if dataclasses.is_dataclass(key.type) or key.name in (
                "same_incident_reporters",
                "hate_incident",
            ):
                continue
            full, short = f"`{section.name}.{key.name}`", f".{key.name}`"
            rows = [line for line in table.splitlines() if f"`{section.name}." in line]
            if full not in table and not any(short in row for row in rows):
                missing.append(f"{section.name}.{key.name}")
    assert missing == []
