"""Passwords, sessions, CSRF tokens and the Origin check of the review app (the login
throttle is in ``throttle``).

The session cookie (Starlette's, signed with itsdangerous, HttpOnly, SameSite=Lax) carries
only a random session id and the CSRF token; who is logged in lives in server memory, so logging
out really ends the session (a copied cookie is worthless afterwards) and restarting the server
logs everybody out. Every request checks the user against the database again: removing or
disabling a reviewer, or changing their password, ends their sessions at once.

Lax, not Strict: a Strict cookie is not sent when a link on another site opens the app, so the
reviewer looked logged out and the fresh cookie of that page replaced the real one. Lax cookies
still stay home on cross-site POSTs; the CSRF token and an Origin check refuse forged forms.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request

from receiptflow.errors import ReceiptflowError
from receiptflow.settings import Settings
from receiptflow.storage import Store, UserRecord

CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
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


def session_stamp(user: UserRecord) -> str:
    """What a session must still find in the database to stay valid: the same user row (not a
    new one of the same name) with the same password."""
    password = hashlib.sha256(user.password_hash.encode()).hexdigest()
    return f"{user.id}:{password}"


@dataclass
class _Session:
    user: str
    stamp: str
    seen: float


@dataclass
class SessionRegistry:
    """Logged-in session ids -> (user, stamp, last seen); idle sessions expire after
    ``max_age_s``."""

    max_age_s: float
    _sessions: dict[str, _Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, user: UserRecord) -> str:
        session_id = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            idle = [
                key for key, found in self._sessions.items() if now - found.seen > self.max_age_s
            ]
            for key in idle:
                del self._sessions[key]
            self._sessions[session_id] = _Session(user.name, session_stamp(user), now)
        return session_id

    def user(self, session_id: str | None) -> str | None:
        found = self._touch(session_id)
        return None if found is None else found.user

    def check(self, session_id: str | None, store: Store) -> str | None:
        """The session's user if the database still has them as they logged in (same row,
        same password, not disabled); else the session ends and the answer is None."""
        found = self._touch(session_id)
        if found is None:
            return None
        current = store.get_user(found.user)
        if current is None or current.disabled or session_stamp(current) != found.stamp:
            self.end(session_id)
            return None
        return found.user

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def _touch(self, session_id: str | None) -> _Session | None:
        if not session_id:
            return None
        now = time.monotonic()
        with self._lock:
            found = self._sessions.get(session_id)
            if found is None:
                return None
            if now - found.seen > self.max_age_s:
                del self._sessions[session_id]
                return None
            found.seen = now
            return found


def same_origin(request: Request, *, https_only: bool, public_origin: str | None = None) -> bool:
    """False for a state-changing request that says it comes from another origin.

    Browsers send ``Origin`` with every POST (``Referer`` is the fallback for old ones); it
    must name this server, as the ``Host`` header does, or be ``public_origin`` (the name a
    reverse proxy serves the app under). Requests with neither header (scripts, not browsers)
    pass here and still need the CSRF token."""
    if request.method in _SAFE_METHODS:
        return True
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return True
    if origin == "null":  # sandboxed frames, data: URLs, some cross-site redirects
        return False
    sent = _origin(origin)
    if sent is None or (https_only and not sent.startswith("https://")):
        return False
    scheme = sent.split(":", 1)[0]
    host = request.headers.get("host", "")
    return sent in {_origin(f"{scheme}://{host}") if host else None, _origin(public_origin)}


def _origin(url: str | None) -> str | None:
    """``scheme://host[:port]`` of ``url``, lower case, without the scheme's default port."""
    parts = urlsplit(url or "")
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc:
        return None
    netloc = parts.netloc.lower().removesuffix(_DEFAULT_PORTS[parts.scheme])
    return f"{parts.scheme}://{netloc}"


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
    user = sessions.check(request.session.get("sid"), request.app.state.store)
    if user is None:
        request.session.pop("sid", None)
        next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(next_url if request.method == "GET" else "/")
    return user


def safe_next(url: str | None) -> str:
    """Only paths on this site: no open redirect to another host after login."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return "/"
    return url
