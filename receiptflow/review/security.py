"""Passwords, sessions, CSRF tokens and the login throttle of the review app.

The session cookie (Starlette's, signed with itsdangerous, HttpOnly, SameSite=Strict) carries
only a random session id and the CSRF token; who is logged in lives in server memory, so logging
out really ends the session (a copied cookie is worthless afterwards) and restarting the server
logs everybody out.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request

from receiptflow.errors import ReceiptflowError
from receiptflow.settings import Settings

CSRF_FIELD = "csrf_token"
_MAX_FORM_FIELDS = 20_000
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class LoginRequired(ReceiptflowError):
    """Raised by the ``reviewer`` dependency; the app answers with a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url
        super().__init__("login required")


class CsrfError(ReceiptflowError):
    """A form came without this session's CSRF token."""


def hash_password(password: str) -> str:
    if not password:
        raise ReceiptflowError("the password must not be empty")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def secret_key(settings: Settings) -> str:
    """The configured key, else one generated once and kept beside the database (mode 0600)."""
    if settings.review.secret_key is not None:
        return settings.review.secret_key.get_secret_value()
    path = settings.home / "review-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it just now: use that one
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass
class SessionRegistry:
    """Logged-in session ids -> (user, last seen); idle sessions expire after ``max_age_s``."""

    max_age_s: float
    _sessions: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, user: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            idle = [key for key, (_, seen) in self._sessions.items() if now - seen > self.max_age_s]
            for key in idle:
                del self._sessions[key]
            self._sessions[session_id] = (user, now)
        return session_id

    def user(self, session_id: str | None) -> str | None:
        if not session_id:
            return None
        now = time.monotonic()
        with self._lock:
            found = self._sessions.get(session_id)
            if found is None:
                return None
            if now - found[1] > self.max_age_s:
                del self._sessions[session_id]
                return None
            self._sessions[session_id] = (found[0], now)
            return found[0]

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)


@dataclass
class LoginThrottle:
    """Refuses a user name for a while after too many wrong passwords (guessing protection)."""

    max_failures: int
    window_s: float
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, name: str) -> bool:
        with self._lock:
            return len(self._recent(name)) >= self.max_failures

    def failed(self, name: str) -> None:
        with self._lock:
            for other in [key for key in self._failures if not self._recent(key)]:
                del self._failures[other]  # forget names whose failures are old
            self._failures[name] = [*self._recent(name), time.monotonic()]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)

    def _recent(self, name: str) -> list[float]:
        cutoff = time.monotonic() - self.window_s
        return [moment for moment in self._failures.get(name, []) if moment > cutoff]


def csrf_token(request: Request) -> str:
    """This session's token, made on first use (the login form gets one too)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def check_csrf(request: Request) -> None:
    """Dependency of every POST route: the form's token must equal the session's."""
    expected = request.session.get(CSRF_FIELD)
    # Parsed (and cached for the route) here, with room for long receipts: 7 inputs per item.
    form = await request.form(max_fields=_MAX_FORM_FIELDS)
    sent = form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(sent, str):
        raise CsrfError("missing CSRF token")
    if not secrets.compare_digest(expected.encode(), sent.encode()):
        raise CsrfError("wrong CSRF token")


def reviewer(request: Request) -> str:
    """Dependency of every page but the login page: the logged-in user's name."""
    sessions: SessionRegistry = request.app.state.sessions
    user = sessions.user(request.session.get("sid"))
    if user is None:
        next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(next_url if request.method == "GET" else "/")
    return user


def safe_next(url: str | None) -> str:
    """Only paths on this site: no open redirect to another host after login."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return "/"
    return url
