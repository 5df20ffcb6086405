"""The README is part of the product: its process diagram must be the machine's."""

from pathlib import Path

from workflows.machine import mermaid_diagram

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_the_readme_diagram_is_generated_from_the_machine():
    assert f"```mermaid\n{mermaid_diagram()}\n```" in README


def test_the_readme_starts_with_the_two_commands():
    assert README.index("make run") < README.index("make test") < README.index("## What it does")
