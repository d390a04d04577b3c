from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notifications.smtp import SmtpServer


def use_smtp(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Dịch vụ công <no-reply@motcua.example>"


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A local SMTP server, and Django's SMTP backend pointed at it."""
    server = SmtpServer()
    server.start()
    use_smtp(settings, server.port)
    try:
        yield server
    finally:
        server.stop()
