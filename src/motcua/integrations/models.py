"""Integration records: the transactional outbox, integration clients, population look-ups."""

from __future__ import annotations

from typing import Any

from django.conf import settings
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


class LookupPurpose(models.TextChoices):
    EFORM_PREFILL = "eform_prefill", _("e-form prefill")
    EFORM_CHECK = "eform_check", _("check of submitted e-form data")
    COUNTER_IDENTITY = "counter_identity", _("identity check at the counter")
    DOSSIER_PROCESSING = "dossier_processing", _("dossier processing")


class LookupOutcome(models.TextChoices):
    FOUND = "found", _("found")
    NOT_FOUND = "not_found", _("not found")
    REFUSED = "refused", _("refused: not the requester's own or a relative's data")
    FAILED = "failed", _("failed: the database did not answer")


class LookupActorKind(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    OFFICER = "officer", _("officer")
    SYSTEM = "system", _("system")


class AppendOnly(Exception):
    """A look-up log row cannot be changed or removed."""


class PopulationLookup(models.Model):
    """One look-up in the national population database (DOMAIN §9), kept for auditors.

    Append-only (a database trigger refuses UPDATE, and DELETE on PostgreSQL). It records
    who asked (account id), for which unit, why, the request id sent to the database and
    whether a resident was found — never anything about the person looked up: the
    population database's own log, keyed by the same request id, holds that.
    """

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(_("who"), max_length=16, choices=LookupActorKind.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    province_code = models.CharField(_("province"), max_length=8, blank=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=LookupPurpose.choices)
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("What the look-up served, e.g. a procedure or dossier code."),
    )
    request_id = models.CharField(_("request id"), max_length=64, unique=True)
    correlation_id = models.CharField(
        _("motcua request id"),
        max_length=64,
        blank=True,
        help_text=_("The id of the web request that caused the look-up, as in the logs."),
    )
    outcome = models.CharField(_("result"), max_length=16, choices=LookupOutcome.choices)
    error = models.CharField(_("error"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("population-database look-up")
        verbose_name_plural = _("population-database look-ups")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["province_code", "occurred_at"], name="poplookup_province_time"),
            models.Index(fields=["actor", "occurred_at"], name="poplookup_actor_time"),
        ]

    def __str__(self) -> str:
        return self.request_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("population look-ups are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("population look-ups are append-only")
