"""What the applicant is told after each change of their dossier.

Registered in ``FeedbackConfig.ready()`` with ``dossiers.events.register_after_change``,
so it runs after the transaction that changed the dossier commits. Every status change
(and a new promised date) becomes an e-mail in the applicant's language, queued and
sent through ``motcua.notifications``; once the result is ready it invites the
applicant to rate the service.

Why here and not in ``notifications``: the layers put ``notifications`` below
``dossiers`` (it only knows how to send a message); the app that reads the dossier and
decides what to tell must sit above ``dossiers``. ``feedback`` is that app: it is the
applicant-facing side of a dossier's life (status messages, the invitation to rate).
"""

from __future__ import annotations

from typing import Any

import structlog
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.feedback.services import RATABLE
from motcua.notifications.services import email_queue, email_send

log = structlog.get_logger(__name__)

TOPIC = "dossier.status"


def _worth_telling(event: DossierEvent) -> bool:
    return event.from_status != event.to_status or event.action == "apologise_extend"


def _link(name: str, public_id: str) -> str:
    try:
        path = reverse(name, args=[public_id])
    except NoReverseMatch:
        path = reverse("portal:dossier_lookup")
    return settings.PUBLIC_URL.rstrip("/") + path


class _LocalDue:
    """The due time formatted when the template renders (in the recipient's language)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return date_format(localtime(self.value), "H:i d/m/Y")


def dossier_status_notice(dossier_id: int, action: str) -> None:
    """Queue and send the e-mail for the latest ``action`` on the dossier."""
    dossier = (
        Dossier.objects.select_related("applicant_account", "procedure_version")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        return
    event = dossier.events.filter(action=action).order_by("-seq").first()
    if event is None or not _worth_telling(event):
        return
    account = dossier.applicant_account
    recipient = dossier.applicant_email or (account.email if account else "")
    language = account.preferred_language if account else settings.LANGUAGE_CODE
    ended = dossier.status in {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}
    context = {
        "name": dossier.applicant_name,
        "code": dossier.code or str(dossier.reference)[:8],
        "procedure": dossier.procedure_version.name,
        "status": Status(event.to_status).label,
        "reason": event.reason if action in {"refuse", "stop", "request_supplement"} else "",
        "items": event.data.get("items", []) if action == "request_supplement" else [],
        "due": _LocalDue(dossier.due_at) if dossier.due_at and not ended else "",
        "link": _link("citizen:dossier", dossier.public_id),
        "rate_link": (
            _link("citizen:rate", dossier.public_id) if event.to_status in RATABLE else ""
        ),
    }
    message = email_queue(
        key=f"dossier:{dossier.pk}:event:{event.seq}",
        topic=TOPIC,
        recipient=recipient,
        language=language,
        template="dossier_status",
        context=context,
        province_code=dossier.province_code,
    )
    if message is not None:
        email_send(message=message)
