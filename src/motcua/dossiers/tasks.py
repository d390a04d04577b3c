"""Periodic work of the dossier domain, as Celery tasks (scheduled in ``config.celery``).

Each task calls the same function the management commands call, so the embedded default
(no broker: cron + ``motcua overdue-scan``) and production (Celery beat) behave alike.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from motcua.dossiers.digitization import ocr_task  # noqa: F401  (registers motcua.dossiers.ocr)
from motcua.dossiers.events import SYNC_TOPIC
from motcua.dossiers.overdue import overdue_scan
from motcua.integrations.models import OutboxMessage
from motcua.integrations.outbox import outbox_deliver
from motcua.notifications.services import emails_send_pending

log = structlog.get_logger(__name__)


@shared_task(name="motcua.dossiers.overdue_scan", acks_late=True)
def overdue_scan_task() -> dict[str, int]:
    result = overdue_scan()
    return {"listed": result.listed, "opened": len(result.opened), "closed": result.closed}


def _portal_sender() -> Callable[[OutboxMessage], None] | None:
    path = getattr(settings, "MOTCUA_NATIONAL_PORTAL_SENDER", "")
    return import_string(path) if path else None


@shared_task(name="motcua.dossiers.national_portal_sync", acks_late=True)
def national_portal_sync_task(limit: int = 200) -> int:
    """Deliver pending dossier messages to the national portal, in order, with retries.

    Without a configured sender (``MOTCUA_NATIONAL_PORTAL_SENDER``) the messages stay
    queued — nothing acknowledged is lost — and the task says so in the log.
    """
    send = _portal_sender()
    if send is None:
        log.warning("national_portal_sync.no_sender", topic=SYNC_TOPIC)
        return 0
    return outbox_deliver(topic=SYNC_TOPIC, send=send, limit=limit)


@shared_task(name="motcua.dossiers.emails_send", acks_late=True)
def emails_send_task(limit: int = 200) -> int:
    return emails_send_pending(limit=limit)
