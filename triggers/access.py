"""Who may see which case: one rule for the pages, the API and the exports.

Managers and viewers see every case of their partnership; agency representatives and panel
members the cases their agency is involved in; the CSP chair the cases that reached appeal.
Outside that a case is "not found", never "forbidden", so that a reference reveals nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists

from triggers.models import Appeal, CaseAgency, CaseReview


def visible_to(
    query: Select[Any], *, partnership_id: int, role: str, agency_id: int | None
) -> Select[Any]:
    """Limit a query over CaseReview to what a person with this role may see."""
    query = query.where(CaseReview.partnership_id == partnership_id)
    if role in ("agency", "panel"):
        return query.where(
            exists().where(CaseAgency.case_id == CaseReview.id, CaseAgency.agency_id == agency_id)
        )
    if role == "chair":
        return query.where(exists().where(Appeal.case_id == CaseReview.id))
    return query
