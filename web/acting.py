"""What the templates ask of the permissions about the signed-in person."""

from __future__ import annotations

from web.auth import current_actor
from workflows import permissions


def may(act: str) -> bool:
    """For the templates: whether the signed-in person may do ``act`` (shows its form)."""
    return permissions.may(current_actor(), act)
