"""Who may do what in the review app: reviewers edit, approvers also decide and export.

The role is read from the database on each request (not kept in the session), so a changed
role counts at once. The server refuses (403, an HTML page); the templates only hide what a
user may not do. The optional four-eyes rule (``RECEIPTFLOW_REVIEW__FOUR_EYES``) asks the
review trail whether the approver edited the receipt: then another approver must approve it.
"""

from __future__ import annotations

from fastapi import Depends, Request

from receiptflow.errors import ReceiptflowError
from receiptflow.review.security import reviewer
from receiptflow.settings import Settings
from receiptflow.storage import Store

REVIEWER = "reviewer"
APPROVER = "approver"


class Forbidden(ReceiptflowError):
    """The logged-in user's role does not allow this; the app answers 403 with a page."""


def role_of(request: Request, user: str | None) -> str | None:
    if user is None:
        return None
    store: Store = request.app.state.store
    found = store.get_user(user)
    return None if found is None else found.role


def approver(request: Request, user: str = Depends(reviewer)) -> str:
    """Dependency of approve, reject, reopen and export: the user, if an approver."""
    if role_of(request, user) != APPROVER:
        raise Forbidden(
            f"{user} is a reviewer: reviewers edit receipts; approving, rejecting, reopening "
            "and exporting are for approvers."
        )
    return user


def four_eyes_refusal(request: Request, receipt_id: int, user: str) -> str | None:
    """Why ``user`` may not approve this receipt under the four-eyes rule, else None."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    if settings.review.four_eyes and store.edited_by(receipt_id, user):
        return (
            f"{user} edited this receipt, so another approver must approve it "
            "(four-eyes rule, RECEIPTFLOW_REVIEW__FOUR_EYES)."
        )
    return None
