"""The national portal's dossier sync: the HTTP sender of the outbox (docs/national-portal.md).

Every change of a dossier writes an outbox message (topic ``national_portal.dossier``,
key = the dossier's reference) in the transaction of the change. ``send`` delivers one
message to the national portal — ``POST {MOTCUA_NATIONAL_PORTAL_URL}/v1/dossier-sync``
with ``Authorization: Bearer {MOTCUA_NATIONAL_PORTAL_TOKEN}`` and the body
``{"message_id", "topic", "key", "created_at", "payload"}`` — and raises on anything but
a 2xx answer, so ``outbox_deliver`` keeps the message and retries it with backoff.
``simulators/national_portal`` speaks the same protocol.

The message id is the outbox row's id: a message delivered again (the answer was lost,
or the delivery's transaction did not commit) carries the same id, and the receiver
acknowledges it without counting it twice.

Configure ``MOTCUA_NATIONAL_PORTAL_SENDER=motcua.integrations.national_portal.send``.
Without a URL, local environments (``SIMULATORS_IN_PROCESS``) talk to the in-process
simulator through ``httpx.WSGITransport``; production requires the URL and the token.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from motcua.integrations.models import OutboxMessage
from motcua.integrations.outbox import outbox_deliver

# The outbox topic of dossier messages. Integrations sit below dossiers and cannot import
# ``motcua.dossiers.events.SYNC_TOPIC``; a test keeps the two equal.
TOPIC = "national_portal.dossier"
SYNC_PATH = "v1/dossier-sync"
IN_PROCESS_APP = "simulators.national_portal.app.in_process_application"
CONNECT_TIMEOUT = 2.0


class NationalPortalError(Exception):
    """The national portal did not acknowledge a message; the outbox retries it."""


@dataclass(frozen=True)
class PortalSettings:
    url: str
    token: str
    timeout: float

    @property
    def in_process(self) -> bool:
        return not self.url


def local_token() -> str:
    """The token of the in-process simulator, derived from the secret key (never shipped)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), b"motcua.national-portal-simulator", hashlib.sha256
    ).hexdigest()


def portal_settings() -> PortalSettings:
    url = str(getattr(settings, "MOTCUA_NATIONAL_PORTAL_URL", "") or "").strip()
    token = str(getattr(settings, "MOTCUA_NATIONAL_PORTAL_TOKEN", "") or "").strip()
    timeout = float(getattr(settings, "MOTCUA_NATIONAL_PORTAL_TIMEOUT", 5))
    if not url:
        if not getattr(settings, "SIMULATORS_IN_PROCESS", False):
            raise ImproperlyConfigured(
                "MOTCUA_NATIONAL_PORTAL_URL is required (the in-process simulator runs only "
                "in development and tests)."
            )
        token = token or local_token()
    elif not token:
        raise ImproperlyConfigured(
            "MOTCUA_NATIONAL_PORTAL_TOKEN is required with MOTCUA_NATIONAL_PORTAL_URL."
        )
    return PortalSettings(url=url, token=token, timeout=timeout)


def message_body(message: OutboxMessage) -> dict[str, Any]:
    return {
        "message_id": str(message.pk),
        "topic": message.topic,
        "key": message.key,
        "created_at": message.created_at.isoformat() if message.created_at else None,
        "payload": message.payload,
    }


class NationalPortalClient:
    """The sync endpoint over HTTP: short timeouts, one keep-alive connection pool."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
            transport=transport,
            follow_redirects=False,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def deliver(self, message: OutboxMessage) -> None:
        """Send one message; return only when the portal acknowledged it (2xx)."""
        try:
            response = self._client.post(SYNC_PATH, json=message_body(message))
        except httpx.TimeoutException as exc:
            raise NationalPortalError(f"timeout: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise NationalPortalError(f"connection: {type(exc).__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise NationalPortalError(f"HTTP {response.status_code}: {response.text[:300]}")

    def close(self) -> None:
        self._client.close()


_clients: dict[PortalSettings, NationalPortalClient] = {}
_clients_lock = threading.Lock()


def portal_client() -> NationalPortalClient:
    """The configured client (one per configuration, reused)."""
    config = portal_settings()
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            if config.in_process:
                app = import_string(
                    getattr(settings, "MOTCUA_NATIONAL_PORTAL_IN_PROCESS_APP", IN_PROCESS_APP)
                )
                client = NationalPortalClient(
                    base_url="http://national-portal.simulator/",
                    token=config.token,
                    timeout=config.timeout,
                    transport=httpx.WSGITransport(app=app()),
                )
            else:
                client = NationalPortalClient(
                    base_url=config.url, token=config.token, timeout=config.timeout
                )
            _clients[config] = client
    return client


def send(message: OutboxMessage) -> None:
    """``MOTCUA_NATIONAL_PORTAL_SENDER``: deliver one message or raise."""
    portal_client().deliver(message)


def configured_sender() -> Callable[[OutboxMessage], None] | None:
    path = str(getattr(settings, "MOTCUA_NATIONAL_PORTAL_SENDER", "") or "")
    return import_string(path) if path else None


def national_portal_deliver(
    *, limit: int = 200, send: Callable[[OutboxMessage], None] | None = None
) -> int:
    """Deliver pending dossier messages with the configured sender; the number delivered."""
    send = send or configured_sender()
    if send is None:
        raise ImproperlyConfigured(
            "No national portal sender: set MOTCUA_NATIONAL_PORTAL_SENDER "
            "(e.g. motcua.integrations.national_portal.send)."
        )
    return outbox_deliver(topic=TOPIC, send=send, limit=limit)
