"""Domain errors: each has a stable code and a message a person can act on.

Services raise them; `portal.errors.to_message` (HTML views) and the API layer turn them
into what the user sees."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None, *, code: str | None = None, **details):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **self.details}


class NotAllowed(DomainError):
    code = "not_allowed"
    default_message = "You are not allowed to do that."


class InvalidInput(DomainError):
    code = "invalid"
    default_message = "Please check what you entered."


class Conflict(DomainError):
    code = "conflict"
    default_message = "That could not be done because something changed. Please try again."


def add_error_message(request, error: DomainError) -> None:
    from django.contrib import messages

    messages.error(request, error.message)
