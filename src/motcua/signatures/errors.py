"""Refusals of signing and certification: a clear message, nothing signed, nothing stored.

Each error has a stable ``code`` (for the API and tests) and a message in the active
language that says what is wrong and what to do.
"""

from __future__ import annotations

from motcua.core.errors import DomainError


class SigningRefused(DomainError):
    """Signing could not happen; nothing was marked signed or stored."""

    code = "signing_refused"

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code
