"""The subject access export as files: JSON for the record, a PDF for the person.

Used by `casereview subject-access` and by the manager's link on a case page.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from web.formats import english, iso
from web.language import install_staff_words


def as_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False, default=_iso_or_text) + "\n"


def as_pdf(record: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    environment = Environment(loader=PackageLoader("web"), autoescape=select_autoescape())
    environment.filters["english"] = english
    install_staff_words(environment)
    html = environment.get_template("subject_access.html").render(record=record)
    return HTML(string=html).write_pdf()


def _iso_or_text(value: Any) -> str:
    """Dates as ISO 8601; anything else held (an enum, a decimal) as its text."""
    try:
        return iso(value)
    except TypeError:
        return str(value)
