"""The applicant's status e-mail as background work (Celery), off the request's path.

With a broker (production), a change of a dossier publishes this task after its
transaction commits, and a worker renders, queues and sends the e-mail: the request
that made the change does not wait for the template, the mail row or the SMTP server.
Without a broker (the embedded default) the hook does the same work in-process.
"""

from __future__ import annotations

import structlog
from celery import shared_task
from django.conf import settings

from motcua.feedback.notices import dossier_status_notice

log = structlog.get_logger(__name__)


@shared_task(name="motcua.feedback.dossier_status_notice", acks_late=True)
def dossier_status_notice_task(dossier_id: int, action: str) -> None:
    dossier_status_notice(dossier_id, action)


def dossier_status_notice_later(dossier_id: int, action: str) -> None:
    """After-commit hook: hand the notice to a worker, or do it now without a broker.

    If the broker cannot be reached the notice is done in-process, so a broker outage
    costs latency, never a message.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        dossier_status_notice(dossier_id, action)
        return
    try:
        dossier_status_notice_task.apply_async(args=(dossier_id, action), retry=False)
    except Exception as exc:  # broker unreachable: do it here rather than lose it
        log.warning("status_notice.broker_unavailable", error=type(exc).__name__)
        dossier_status_notice(dossier_id, action)
