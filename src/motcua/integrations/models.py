"""Transactional outbox: messages to other systems, written with the change they report."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One message to deliver (e.g. a dossier status to the national portal).

    Inserted in the same database transaction as the change it reports, so a
    committed change always has its message; a delivery worker sends pending messages
    in order per key and retries until the receiver acknowledges.
    """

    topic = models.CharField(_("topic"), max_length=100)
    key = models.CharField(_("key"), max_length=100, help_text=_("Ordering key, e.g. a dossier."))
    payload = models.JSONField(_("payload"))
    province_code = models.CharField(_("province"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["topic", "id"],
                name="outbox_pending_idx",
                condition=models.Q(delivered_at__isnull=True),
            ),
            models.Index(fields=["key"], name="outbox_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic}:{self.key}#{self.pk}"


class IntegrationClient(models.Model):
    """Another system calling the API (e.g. the national portal handing over dossiers).

    It authenticates with ``Authorization: Token <token>``. Only the SHA-256 of the token
    is stored: the token is shown once, when the client is created
    (``motcua create-integration-client``), and cannot be read back.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit this client hands dossiers to unless it names another."),
    )
    scopes = models.JSONField(
        _("scopes"), default=list, blank=True, help_text=_('What it may do, e.g. ["intake"].')
    )
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True)
    token_prefix = models.CharField(
        _("token prefix"), max_length=8, help_text=_("The first characters, to recognise it.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("integration client")
        verbose_name_plural = _("integration clients")

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return isinstance(self.scopes, list) and scope in self.scopes
