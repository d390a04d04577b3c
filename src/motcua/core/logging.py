"""Structured logging (structlog) with a request id and no personal data.

Events are named (``login_failed``), context is bound (``request_id``, ``user_id``).
A last processor scrubs anything that looks like personal data: values under
personal keys, 9–12 digit identity numbers, e-mail addresses and phone numbers,
so a careless log call cannot leak them.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

PERSONAL_KEYS = frozenset(
    {
        "name",
        "full_name",
        "username",
        "email",
        "phone",
        "address",
        "id_number",
        "personal_id",
        "tax_code",
        "date_of_birth",
        "password",
        "otp_token",
        "token",
    }
)
_ID_NUMBER = re.compile(r"(?<!\d)\d{9,12}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+84|0)\d{9,10}(?!\d)")
REDACTED = "[redacted]"
# Request ids the middleware makes (uuid4 hex) are not personal data, but a run of 9–12
# digits inside one looked like an ID number and was cut, breaking log correlation.
_GENERATED_ID = re.compile(r"[0-9a-f]{32}")
SYSTEM_ID_KEYS = frozenset({"request_id"})


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        value = _EMAIL.sub(REDACTED, value)
        value = _PHONE.sub(REDACTED, value)
        return _ID_NUMBER.sub(REDACTED, value)
    if isinstance(value, dict):
        return {k: (REDACTED if k in PERSONAL_KEYS else scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _scrub_item(key: str, value: Any) -> Any:
    if key in PERSONAL_KEYS:
        return REDACTED
    if key in SYSTEM_ID_KEYS and isinstance(value, str) and _GENERATED_ID.fullmatch(value):
        return value
    return scrub(value)


def scrub_personal_data(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {key: _scrub_item(key, value) for key, value in event_dict.items()}


def configure_logging(*, level: str = "INFO", fmt: str = "json") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        scrub_personal_data,
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("django.db.backends").setLevel("WARNING")
    logging.getLogger("pikepdf").setLevel("WARNING")
