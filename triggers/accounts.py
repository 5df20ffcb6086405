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
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, bindparam, or_, select, update
from sqlalchemy.orm import Session

from triggers.models import ApiToken, Partnership, SignInFailure, User
from triggers.text import email_problem

ROLES = ("manager", "panel", "chair", "agency", "viewer")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "cr_"
#: ``server.token_days``' default.
TOKEN_DAYS = 90
#: Failed sign-ins in a row for one address before it is locked, and for how long.
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)

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
    if problem := email_problem(email):  # the one e-mail rule of every channel
        raise AccountError(f"'{email}' {problem}")
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


def _rehash_if_outdated(user: User, password: str) -> None:
    """After a password has matched: hash it again if today's parameters differ (one Argon2
    verify a sign-in is enough; a second costs a person another 20 ms for nothing)."""
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash no password matches in practice, checked for an address that is no user's, so
    that answering takes the same Argon2 work either way (OWASP authentication cheat sheet)."""
    return _hasher.hash(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: the user, or why not (``locked`` or ``wrong``)."""

    user: User | None
    problem: str = ""


def sign_in_with_password(session: Session, email: str, password: str, now: datetime) -> SignIn:
    """Check an e-mail and password the same way whether or not the address is a user's.

    The same Argon2 verify happens (against a dummy hash for an unknown address), and
    failures are counted per submitted address, so an unknown address also "locks": neither
    the time taken nor the words tell whether someone has an account (OWASP ASVS 2.2, NCSC
    guidance on lock-out)."""
    address = email.strip().lower()
    user = find_user(session, address)
    matches = _verify(user.password_hash if user is not None else _dummy_hash(), password)
    key = digest(address)
    failures = session.get(SignInFailure, key)
    if failures is not None and failures.locked_until is not None and failures.locked_until > now:
        return SignIn(None, "locked")
    if matches and user is not None and user.is_active:
        if failures is not None:
            session.delete(failures)
        _rehash_if_outdated(user, password)
        return SignIn(user)
    if failures is None:
        failures = SignInFailure(email_hash=key, failures=0)
        session.add(failures)
    failures.failures += 1
    if failures.failures >= MAX_FAILURES:
        failures.locked_until, failures.failures = now + LOCK_FOR, 0
    return SignIn(None, "wrong")


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_token(session: Session, user: User, now: datetime, days: int = TOKEN_DAYS) -> str:
    """A new API token for ``user``, working for ``days``; the only time the token is seen."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user=user,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return token


#: An API token's ``last_used_at`` is written at most this often: a request with a token
#: used more recently only reads it. Writing it on every request made every API call a
#: write transaction (SQLite's one write lock; on PostgreSQL, clients sharing a token queued
#: on its row), so ``casereview token list`` says when a token was last used to within this.
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid API token acts for, and whether this use is to be recorded."""

    user: User
    token_id: int
    #: ``last_used_at`` is unset or older than ``TOKEN_USE_RECORDED_EVERY``: call
    #: ``record_token_use`` in a write transaction.
    is_due_a_record: bool


def user_for_token(session: Session, token: str, now: datetime) -> TokenHolder | None:
    """The active user a token belongs to, or None (unknown, revoked, expired, or its user
    deactivated). Only reads (the token and its user in one statement), so that an API
    request need not write."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = session.execute(_token_holder_statement(), {"token_hash": digest(token)}).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or row.expires_at <= now or not user.is_active:
        return None
    stale = row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RECORDED_EVERY
    return TokenHolder(user, row.id, is_due_a_record=stale)


@lru_cache(maxsize=1)
def _token_holder_statement() -> Select[tuple[ApiToken, User]]:
    """Built once, its digest bound at execution: built per request, its construction and
    cache key were a tenth of an API request's own statement work."""
    return (
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )


def record_token_use(session: Session, token_id: int, now: datetime) -> None:
    """Record that the token was used at ``now``, unless a request in between did (several
    clients sharing a token find it due at once; one write is enough)."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - TOKEN_USE_RECORDED_EVERY,
            ),
        )
        .values(last_used_at=now)
    )


def digest(secret: str) -> str:
    """SHA-256 of a random secret (a token, a session id): what is stored instead of it."""
    return hashlib.sha256(secret.encode()).hexdigest()
