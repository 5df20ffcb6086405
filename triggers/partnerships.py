"""The partnership and its agencies, kept in step with config.toml.

The file is the partnership's policy; the database holds the rows cases point at. Agencies
are added or updated from the file, never deleted, because closed cases still name them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from triggers.config import Config
from triggers.models import Agency, Partnership


def sync_partnership(session: Session, config: Config, now: datetime) -> Partnership:
    """Create or update the configured partnership and its agencies; return it."""
    settings = config.partnership
    partnership = session.scalar(select(Partnership).where(Partnership.code == settings.code))
    if partnership is None:
        partnership = session.scalar(select(Partnership).where(Partnership.name == settings.name))
    if partnership is None:
        partnership = Partnership(name=settings.name, code=settings.code, created_at=now)
        session.add(partnership)
    partnership.name, partnership.code = settings.name, settings.code
    session.flush()
    existing = {agency.name.casefold(): agency for agency in partnership.agencies}
    for agency_config in config.agencies:
        agency = existing.get(agency_config.name.casefold())
        if agency is None:
            agency = Agency(partnership=partnership, name=agency_config.name)
            session.add(agency)
        agency.kind, agency.email = agency_config.kind, agency_config.email
    session.flush()
    return partnership


def partnership_by_name(session: Session, name: str) -> Partnership | None:
    return session.scalar(
        select(Partnership).where((Partnership.name == name) | (Partnership.code == name))
    )
