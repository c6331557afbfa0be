"""The review web app for accountants: flagged queue, image beside the fields, approve/reject."""

from receiptflow.review.app import create_app

__all__ = ["create_app"]
