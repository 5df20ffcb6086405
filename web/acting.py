"""The signed-in person as the permissions see them: who, from where, and for which agency."""

from __future__ import annotations

from dataclasses import replace

from flask_login import current_user

from web.auth import current_actor
from workflows import permissions
from workflows.service import Actor


def signed_in_actor() -> Actor:
    """``web.auth.current_actor`` with the agency the person speaks for, which
    ``workflows.permissions`` checks before anyone writes in an agency's name."""
    return replace(current_actor(), agency_id=current_user.agency_id)


def may(act: str) -> bool:
    """For the templates: whether the signed-in person may do ``act`` (shows its form)."""
    return permissions.may(signed_in_actor(), act)
