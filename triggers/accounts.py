"""People who use the service, and the API tokens they act through.

Passwords are hashed with argon2 (NCSC and OWASP guidance); API tokens are random, shown
once, and stored only as a SHA-256 digest, so a copy of the database gives no access.
Password rules follow the NCSC's guidance: length over complexity (12 characters or more,
no rules about symbols), and a deny-list of common and easily guessed passwords (zxcvbn's
30,000 most common, and anything it scores as guessable: keyboard runs, a word and a year,
the person's own e-mail or the partnership's name).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from triggers.models import ApiToken, Partnership, User

ROLES = ("manager", "panel", "chair", "agency", "viewer")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "cr_"

#: Argon2id as OWASP recommends (19 MiB, 2 passes, 1 lane): each sign-in holds this much
#: memory while it checks, so a web worker's peak stays small. Hashes made with other
#: parameters still verify, and are rehashed with these at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class AccountError(ValueError):
    """A user or token cannot be created as asked; the message says why."""


MAX_PASSWORD_LENGTH = 1000
#: zxcvbn's score from 0 (guessed at once) to 4; below this a password is refused.
MIN_PASSWORD_SCORE = 3


def password_problem(password: str, context: list[str]) -> str | None:
    """Why ``password`` may not be used, in words a person can act on; None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters "
            "(three random words make a good one)"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password must be at most {MAX_PASSWORD_LENGTH} characters"
    if password.lower() in _common_passwords():
        return "that password is one of the most common: choose three random words instead"
    from zxcvbn import zxcvbn  # its dictionaries take 12 MB: loaded only to set a password

    words = [text.lower() for text in context]
    words += [part for text in words for part in text.replace("@", " ").split()]
    if zxcvbn(password[:100], user_inputs=words)["score"] < MIN_PASSWORD_SCORE:
        return (
            "that password is too easy to guess (a pattern, a common word with numbers, or "
            "your own name or address): three random words make a good one"
        )
    return None


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def create_user(
    session: Session,
    partnership: Partnership,
    email: str,
    password: str,
    role: str,
    now: datetime,
) -> User:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"'{email}' is not an e-mail address")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)} (got '{role}')")
    if problem := password_problem(password, [email, partnership.name, partnership.code]):
        raise AccountError(problem)
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"a user with the e-mail {email} already exists")
    user = User(
        partnership=partnership,
        email=email,
        password_hash=hash_password(password),
        role=role,
        is_active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_token(session: Session, user: User, now: datetime) -> str:
    """A new API token for ``user``; the only time the token itself is seen."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_digest(token), created_at=now))
    session.flush()
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The active user a token belongs to, or None; records when it was last used."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    row.last_used_at = now
    return row.user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
