"""The review web app: server-rendered pages over the same database as the CLI and the flows.

Everything it serves is local (templates, one CSS and one JS file): it works offline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from receiptflow.review import roles, security, throttle
from receiptflow.review.pages import PageImages, PageNotFound
from receiptflow.review.uploads import BackgroundExtractions
from receiptflow.settings import Settings
from receiptflow.storage import NotFoundError, Store

HERE = Path(__file__).parent
SESSION_COOKIE = "receiptflow_session"
# Only our own files; no inline script or style, no framing, forms post only here.
_CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def templates() -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=environment)


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A page with what every template needs: the user, the CSRF token, a one-time notice."""
    engine: Jinja2Templates = request.app.state.templates
    sessions: security.SessionRegistry = request.app.state.sessions
    user = sessions.user(request.session.get("sid"))
    base = {
        "user": user,
        "role": roles.role_of(request, user),
        "csrf_token": security.csrf_token(request),
        "notice": request.session.pop("notice", None),
        "problem": request.session.pop("problem", None),
    }
    return engine.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def create_app(
    settings: Settings, *, store: Store | None = None, allowed_hosts: list[str] | None = None
) -> FastAPI:
    """The app over ``store`` (default: the settings' database). ``allowed_hosts``: answer
    only requests for these host names (against DNS rebinding of a loopback server)."""
    store = store or Store.from_settings(settings)
    store.migrate()
    extractions = BackgroundExtractions(settings, store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        extractions.resume()  # uploads a stopped server received but did not extract
        yield
        extractions.stop()

    app = FastAPI(
        title="receiptflow review",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.extractions = extractions
    app.state.templates = templates()
    app.state.sessions = security.SessionRegistry(settings.review.session_max_age_s)
    app.state.throttle = throttle.LoginThrottle(
        settings.review.max_login_failures,
        settings.review.max_login_failures_per_address,
        settings.review.login_lockout_s,
    )
    app.state.pages = PageImages(
        store.archive.root, settings.ingest, settings.review.page_image_max_side
    )

    from receiptflow.review import (  # they use render()
        web_auth,
        web_books,
        web_export,
        web_receipts,
        web_upload,
    )

    app.include_router(web_auth.router)
    app.include_router(web_receipts.router)
    app.include_router(web_export.router)
    app.include_router(web_books.router)
    app.include_router(web_upload.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _add_handlers(app)

    @app.middleware("http")
    async def same_origin_only(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Every state-changing request, whatever its route: a form another site made the
        # browser send is refused before any handler runs (the CSRF token is checked too).
        review = settings.review
        if not security.same_origin(
            request, https_only=review.secure_cookies, public_origin=review.public_origin
        ):
            # Answered with a throwaway session: the refusal must not write a new session
            # cookie over the reviewer's (a cross-site POST arrives without it).
            untouched = Request({**request.scope, "session": {}}, request.receive)
            return _error(untouched, 403, "This request did not come from this site.")
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # Added last so it runs first: every handler above sees request.session.
    app.add_middleware(
        SessionMiddleware,
        secret_key=security.secret_key(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.review.session_max_age_s,
        same_site="lax",  # strict logged reviewers out on links from other sites
        https_only=settings.review.secure_cookies,
    )
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
        # Outermost, so the refusal of a foreign host name carries the headers too.
        app.add_middleware(_HeadersOnEverything)
    return app


class _HeadersOnEverything:
    """The security headers on responses made before the app's own middleware runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


_TITLES = {
    400: "Bad request",
    403: "Refused",
    404: "Not found",
    405: "Not allowed",
    409: "Changed by someone else",
    422: "Cannot use this input",
    500: "Something went wrong",
}


def _add_handlers(app: FastAPI) -> None:
    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, security.LoginRequired)
        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)

    async def csrf_failed(request: Request, exc: Exception) -> Response:
        return _error(request, 403, "This form has expired or did not come from this site.")

    async def forbidden(request: Request, exc: Exception) -> Response:
        return _error(request, 403, str(exc))

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(request, 404, str(exc))

    async def invalid_request(request: Request, exc: Exception) -> Response:
        # An id or page number that is no number (or out of range) names nothing: 404, not
        # FastAPI's JSON. A form that does not parse is a 422 page.
        assert isinstance(exc, RequestValidationError)
        places = {str(error["loc"][0]) for error in exc.errors() if error.get("loc")}
        if places & {"path", "query"}:
            return _error(request, 404, "There is no such page.")
        return _error(request, 422, "The form could not be read; go back and try again.")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, message, headers=exc.headers)

    async def crashed(request: Request, exc: Exception) -> Response:
        # Runs outside every middleware (Starlette's ServerErrorMiddleware), so _error adds the
        # security headers itself.
        return _error(request, 500, "The server could not do this. Nothing was changed.")

    app.add_exception_handler(security.LoginRequired, login_required)
    app.add_exception_handler(security.CsrfError, csrf_failed)
    app.add_exception_handler(roles.Forbidden, forbidden)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(PageNotFound, not_found)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, crashed)


def _error(
    request: Request,
    status_code: int,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An HTML error page with the same security headers as every other page."""
    context = {
        "status_code": status_code,
        "title": _TITLES.get(status_code, "Refused"),
        "message": message,
    }
    response: Response
    try:
        response = render(request, "error.html", context, status_code=status_code)
    except Exception:  # noqa: BLE001 - no session (a crash before it was read): a plain page
        engine: Jinja2Templates = request.app.state.templates
        page = engine.get_template("error.html").render(
            {**context, "request": request, "user": None, "notice": None, "problem": None}
        )
        response = HTMLResponse(page, status_code=status_code)
    for name, value in {**_HEADERS, **(headers or {})}.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
