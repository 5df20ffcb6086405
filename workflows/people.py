"""Removing people and changing what they may do: deactivate, change a role, reset a
password, revoke a token. Used by the `casereview user`/`token` commands and the People page.

A leaver's access must end when they leave (UK GDPR Art. 32; NCSC "manage user privileges"):
deactivating ends their sessions and revokes their tokens in the same transaction. Every
change is an audit event with no case. The partnership always keeps an active manager, or
nobody could add people again: the last one can be neither deactivated nor demoted.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notifications import links
from triggers.accounts import (
    ROLES,
    AccountError,
    create_user,
    digest,
    hash_password,
    password_problem,
)
from triggers.audit import append_event
from triggers.config import Config
from triggers.models import (
    Agency,
    ApiToken,
    OutboxMessage,
    Partnership,
    PasswordReset,
    User,
)
from triggers.staff_sessions import store
from triggers.statuses import OutboxStatus, user_recipient
from workflows import permissions
from workflows.service import Actor

#: A reset link works for this long, once (NCSC: short-lived, single-use credentials).
RESET_LINK_LIFETIME = timedelta(hours=2)


def is_manager(user: User) -> bool:
    """May manage people: an active account whose role the permissions let manage them
    (the partnership must keep one)."""
    return user.is_active and permissions.role_may(user.role, permissions.MANAGE_PEOPLE)


def people_of(session: Session, partnership_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.partnership_id == partnership_id)
            .order_by(User.is_active.desc(), User.email)
        )
    )


def add_person(
    session: Session,
    partnership_id: int,
    email: str,
    password: str,
    role: str,
    agency_name: str | None,
    actor: Actor,
    now: datetime,
) -> User:
    partnership = session.get_one(Partnership, partnership_id)
    agency = _agency(session, partnership_id, role, agency_name)
    user = create_user(session, partnership, email, password, role, now)
    user.agency = agency
    _audit(session, user, actor, now, "user_added", {"role": role, "agency": agency_name or ""})
    return user


def deactivate(session: Session, user: User, actor: Actor, now: datetime) -> None:
    """End a leaver's access at once: sessions ended, tokens revoked, reset links spent."""
    if not user.is_active:
        raise AccountError(f"{user.email} is already deactivated")
    _keep_a_manager(session, user)
    user.is_active = False
    ended = store.end_all_of(session, user.id, now)
    revoked = _revoke_all_tokens(session, user, now)
    _spend_reset_links(session, user, now)
    _audit(session, user, actor, now, "user_deactivated", {"sessions": ended, "tokens": revoked})


def set_role(
    session: Session, user: User, role: str, agency_name: str | None, actor: Actor, now: datetime
) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)} (got '{role}')")
    if not user.is_active:
        raise AccountError(f"{user.email} is deactivated")
    if not permissions.role_may(role, permissions.MANAGE_PEOPLE):
        _keep_a_manager(session, user)
    agency = _agency(session, user.partnership_id, role, agency_name)
    before = user.role
    user.role, user.agency = role, agency
    _audit(
        session,
        user,
        actor,
        now,
        "role_changed",
        {"from": before, "to": role, "agency": agency.name if agency else ""},
    )


def set_password(session: Session, user: User, password: str, actor: Actor, now: datetime) -> None:
    """A new password (the NCSC rules apply); every session of the person ends."""
    if problem := password_problem(password, [user.email, user.partnership.name]):
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    ended = store.end_all_of(session, user.id, now)
    _spend_reset_links(session, user, now)
    _audit(session, user, actor, now, "password_changed", {"sessions": ended})


def send_reset_link(
    session: Session, user: User, site_url: str, actor: Actor, now: datetime
) -> None:
    """Queue an e-mail with a one-time link to set a new password. Only the token's digest
    is kept with the reset; the link travels in the outbox row until it is sent."""
    if not user.is_active:
        raise AccountError(f"{user.email} is deactivated")
    token = secrets.token_urlsafe(32)
    expires_at = now + RESET_LINK_LIFETIME
    session.add(
        PasswordReset(token_hash=digest(token), user=user, created_at=now, expires_at=expires_at)
    )
    session.add(
        OutboxMessage(
            kind="password_reset",
            recipient=user_recipient(user.id),
            dedupe_key=f"password_reset:{digest(token)}",
            status=OutboxStatus.PENDING,
            send_after=now,
            created_at=now,
            payload={
                "partnership_id": user.partnership_id,
                "link": f"{site_url.rstrip('/')}/reset-password/{token}",
                "hours": int(RESET_LINK_LIFETIME.total_seconds() // 3600),
            },
        )
    )
    _audit(session, user, actor, now, "password_reset_sent", {})


def user_for_reset(session: Session, token: str, now: datetime) -> User | None:
    """The active user a reset link is for, if it is unused and unexpired."""
    reset = session.get(PasswordReset, digest(token))
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        return None
    return reset.user if reset.user.is_active else None


def reset_with_link(
    session: Session, token: str, password: str, address: str, now: datetime
) -> User:
    user = user_for_reset(session, token, now)
    if user is None:
        raise AccountError("this link has expired or has been used: ask for a new one")
    set_password(session, user, password, Actor(user.email, user.id, user.role, address), now)
    return user


def revoke_token(session: Session, token_id: int, actor: Actor, now: datetime) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError(f"there is no token {token_id}")
    if token.revoked_at is not None:
        raise AccountError(f"token {token_id} is already revoked")
    token.revoked_at = now
    _audit(session, token.user, actor, now, "token_revoked", {"token": token_id})
    return token


def tokens_of(session: Session, email: str | None) -> list[ApiToken]:
    query = select(ApiToken).join(ApiToken.user).order_by(User.email, ApiToken.id)
    if email:
        query = query.where(User.email == email.strip().lower())
    return list(session.scalars(query))


def _keep_a_manager(session: Session, user: User) -> None:
    if not is_manager(user):
        return
    # The managers' rows are locked, so two managers removing each other at once cannot
    # both succeed (FOR UPDATE on PostgreSQL; SQLite's writers are one at a time).
    managers = session.scalars(
        select(User.id)
        .where(
            User.partnership_id == user.partnership_id,
            User.role.in_(sorted(permissions.roles_for(permissions.MANAGE_PEOPLE))),
            User.is_active.is_(True),
        )
        .order_by(User.id)
        .with_for_update()
    ).all()
    others = [found for found in managers if found != user.id]
    if not others:
        raise AccountError(
            f"{user.email} is the partnership's last active manager: "
            "make someone else a manager first"
        )


def _agency(session: Session, partnership_id: int, role: str, name: str | None) -> Agency | None:
    if not name:
        if permissions.speaks_for_an_agency(role):
            raise AccountError(f"{role} users need the agency they speak for")
        return None
    agencies = session.scalars(select(Agency).where(Agency.partnership_id == partnership_id))
    found = [a for a in agencies if a.name.casefold() == name.strip().casefold()]
    if not found:
        raise AccountError(f"'{name}' is not one of the partnership's agencies")
    return found[0]


def _revoke_all_tokens(session: Session, user: User, now: datetime) -> int:
    return session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def _spend_reset_links(session: Session, user: User, now: datetime) -> None:
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )


def _audit(
    session: Session, user: User, actor: Actor, now: datetime, event: str, data: dict[str, Any]
) -> None:
    append_event(
        session,
        {
            "partnership_id": user.partnership_id,
            "at": now,
            "actor": actor.label,
            "event": event,
            "data": {"user": user.email, **data},
            "client_address": actor.address,
            "request_id": actor.request_id,
        },
    )


def site_url(config: Config) -> str:
    """Where links in e-mails point (one rule for every e-mail: notifications.links)."""
    return links.site_url(config)
