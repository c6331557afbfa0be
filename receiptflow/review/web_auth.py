"""Log in and out. Users are made on the command line: ``receiptflow users add NAME``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from receiptflow.review import security
from receiptflow.review.app import render
from receiptflow.review.throttle import LoginThrottle, client_address
from receiptflow.storage import Store

router = APIRouter()


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query name
    return render(request, "login.html", {"next": security.safe_next(next), "name": ""})


@router.post("/login", dependencies=[Depends(security.check_csrf)])
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",  # noqa: A002
) -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    store: Store = request.app.state.store
    name = name.strip()
    address = client_address(request)
    if throttle.blocked(name, address):
        return _refused(
            request, name, next, "Too many wrong passwords. Try again in a few minutes."
        )
    user = await run_in_threadpool(store.get_user, name)
    password_hash = user.password_hash if user is not None else None
    # Checked even for an unknown name (against a dummy hash): a wrong name takes as long.
    right = await run_in_threadpool(security.verify_password, password_hash, password)
    if user is None or not right:
        throttle.failed(name, address)
        return _refused(request, name, next, "Wrong user name or password.")
    throttle.succeeded(name, address)
    if user.disabled:  # said only to whoever knows the password
        return _refused(request, name, next, "This account is disabled.")
    sessions: security.SessionRegistry = request.app.state.sessions
    sessions.end(request.session.get("sid"))
    request.session.clear()  # a fresh session id and CSRF token after login (no fixation)
    request.session["sid"] = sessions.start(user)
    security.csrf_token(request)
    return RedirectResponse(security.safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(security.check_csrf)])
def logout(request: Request) -> Response:
    sessions: security.SessionRegistry = request.app.state.sessions
    sessions.end(request.session.get("sid"))
    request.session.clear()
    # Page images and pages of the ended session leave the browser's cache too.
    return RedirectResponse("/login", status_code=303, headers={"Clear-Site-Data": '"cache"'})


def _refused(request: Request, name: str, next_url: str, message: str) -> Response:
    context = {"next": security.safe_next(next_url), "name": name, "error": message}
    return render(request, "login.html", context, status_code=401)
