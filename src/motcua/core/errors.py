"""Domain errors that carry a message for the user, in the user's language."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A refused action: nothing was changed, the message says why."""

    code = "refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


__all__ = ["Conflict", "DomainError", "PermissionDenied", "ValidationError"]
