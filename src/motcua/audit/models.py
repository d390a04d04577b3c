"""The security audit log: append-only, hash-chained, partitioned by chain.

Each entry stores the SHA-256 of its canonical JSON, which includes the previous
entry's hash, so changing, inserting or removing an entry breaks every later link.
There is one chain per partition (a province, or ``national``) so concurrent
writers in different provinces never queue behind one row (ARCHITECTURE: no global
choke points). On PostgreSQL and SQLite a trigger refuses UPDATE and DELETE.

Entries name actors and objects by id only — never names, ID numbers or addresses.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class ActorType(models.TextChoices):
    USER = "user", _("user")
    SYSTEM = "system", _("system")
    INTEGRATION = "integration", _("integration")
    ANONYMOUS = "anonymous", _("anonymous")


class AuditChain(models.Model):
    """The head of one chain: the last sequence number and hash, locked to append."""

    key = models.CharField(_("chain"), max_length=32, primary_key=True)
    last_seq = models.BigIntegerField(_("last sequence"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self) -> str:
        return f"{self.key} #{self.last_seq}"


class AuditEntry(models.Model):
    chain = models.CharField(_("chain"), max_length=32)
    seq = models.BigIntegerField(_("sequence"))
    occurred_at = models.DateTimeField(_("occurred at"))
    actor_type = models.CharField(_("actor type"), max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq_unique")
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_entry_object_idx")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"
