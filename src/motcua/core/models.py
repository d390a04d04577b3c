"""Idempotency records: a command repeated with the same key returns the first answer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The committed answer to one command, keyed by who sent it and their key.

    Written in the same transaction as the command's effects, so an answer exists
    exactly when the effects do. Kept at least 24 hours (``motcua purge-idempotency``).
    """

    scope = models.CharField(_("scope"), max_length=100)
    key = models.CharField(_("key"), max_length=200)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
