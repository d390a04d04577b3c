"""Queue and send e-mail in the recipient's language over the configured SMTP server.

``email_queue`` renders ``notifications/email/<template>_subject.txt`` and
``_body.txt`` with the active language switched to the recipient's, stores the
message (idempotent by ``key``) and audits it by id. ``email_send`` delivers one
message through Django's mail backend (SMTP when ``EMAIL_HOST`` is set) and records
the outcome; ``emails_send_pending`` retries what is still pending. Sending happens
outside any database transaction: callers queue inside theirs and send after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from motcua.audit.services import NATIONAL_CHAIN, audit_record
from motcua.core.clock import now
from motcua.notifications.models import MAX_ATTEMPTS, EmailStatus, OutgoingEmail

log = structlog.get_logger(__name__)


def _language(code: str) -> str:
    known = {lang for lang, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def email_queue(
    *,
    key: str,
    topic: str,
    recipient: str,
    language: str,
    template: str,
    context: Mapping[str, Any],
    province_code: str = "",
) -> OutgoingEmail | None:
    """Store one message for ``recipient``; None when there is no address.

    Queuing the same ``key`` twice returns the first message and sends nothing more.
    """
    recipient = (recipient or "").strip()
    if not recipient:
        return None
    existing = OutgoingEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    language = _language(language)
    with translation.override(language):
        rendered_subject = render_to_string(
            f"notifications/email/{template}_subject.txt", dict(context)
        )
        body = str(render_to_string(f"notifications/email/{template}_body.txt", dict(context)))
    subject = " ".join(str(rendered_subject).split())[:300]
    try:
        with transaction.atomic():
            message = OutgoingEmail.objects.create(
                key=key,
                topic=topic,
                recipient=recipient,
                language=language,
                subject=subject,
                body=body.strip() + "\n",
                province_code=province_code,
            )
            audit_record(
                action="email.queue",
                object_type="email",
                object_id=message.pk,
                chain=province_code or NATIONAL_CHAIN,
                data={"topic": topic, "language": language},
            )
    except IntegrityError:  # queued concurrently by another process
        return OutgoingEmail.objects.get(key=key)
    return message


def email_send(*, message: OutgoingEmail) -> bool:
    """Deliver one pending message now; True when the SMTP server accepted it."""
    if message.status != EmailStatus.PENDING:
        return message.status == EmailStatus.SENT
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": message.language,
            "X-Motcua-Reference": str(message.reference),
        },
    )
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # any delivery failure is recorded and retried later
        message.attempts += 1
        # The class name and SMTP code only: server messages may quote the address.
        code = getattr(exc, "smtp_code", "")
        message.last_error = f"{type(exc).__name__} {code}".strip()[:200]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = EmailStatus.FAILED
        message.save(update_fields=["attempts", "last_error", "status"])
        log.warning(
            "email_failed",
            message_id=message.pk,
            attempts=message.attempts,
            error=type(exc).__name__,
        )
        return False
    message.attempts += 1
    message.status = EmailStatus.SENT
    message.sent_at = now()
    message.last_error = ""
    message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    log.info("email_sent", message_id=message.pk, topic=message.topic)
    return True


def emails_send_pending(*, limit: int = 200) -> int:
    """Retry pending messages, oldest first; returns how many were sent."""
    sent = 0
    pending = OutgoingEmail.objects.filter(status=EmailStatus.PENDING).order_by("created_at")
    for message in pending[:limit]:
        sent += email_send(message=message)
    return sent
