"""The subject access export as files: JSON for the record, a PDF for the person.

Used by `casereview subject-access` and by the manager's link on a case page.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from triggers.calendar import english_date
from web.language import install_staff_words


def _english(value: Any) -> str:
    if not value:
        return ""
    return english_date(date.fromisoformat(str(value)[:10]))


def as_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n"


def as_pdf(record: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    environment = Environment(loader=PackageLoader("web"), autoescape=select_autoescape())
    environment.filters["english"] = _english
    install_staff_words(environment)
    html = environment.get_template("subject_access.html").render(record=record)
    return HTML(string=html).write_pdf()
