"""Outgoing e-mail, kept so that nothing acknowledged is lost.

Each message is rendered once, in its recipient's language, and stored before it is
sent; a failed delivery stays ``pending`` and is retried (``motcua send-emails``) until
it is sent or has failed ``MAX_ATTEMPTS`` times. ``key`` makes queuing idempotent:
the same event never sends two e-mails.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ATTEMPTS = 8


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutgoingEmail(models.Model):
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    topic = models.CharField(_("topic"), max_length=60)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    province_code = models.CharField(_("province (tenant)"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "created_at"], name="email_status_idx")]

    def __str__(self) -> str:
        return f"{self.topic} {self.reference}"
