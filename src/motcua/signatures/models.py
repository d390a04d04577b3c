"""Signing keys, the register of signed documents, and the certification register.

* ``SigningKey`` — a unit's organisation certificate or an officer's personal one, with
  where its private key lives (a PKCS#12 file or a PKCS#11 token, see ``providers``).
  Secrets (passphrase, PIN) are never stored here: ``config`` names an environment
  variable or a file that holds them. The certificate itself is copied in at
  registration, so verification can say which unit signed without opening the key.
* ``SignedResult`` — every PDF motcua signed (results, certified copies): its SHA-256,
  the token in its QR code, and whether it was revoked (with the reason). Verification
  looks documents up here.
* ``CertificationCounter`` / ``CertifiedCopy`` — the certification register (sổ chứng
  thực bản sao) per unit and year: numbers taken under a row lock in the certifying
  transaction, so they never skip or repeat.

This app sits below ``dossiers``: a signed result names its dossier by code only.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.documents.models import Document
from motcua.units.models import Unit


class KeyPurpose(models.TextChoices):
    ORGANISATION = "organisation", _("organisation seal of the unit")
    PERSONAL = "personal", _("personal certificate of an officer")


class SigningKey(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="signing_keys"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=KeyPurpose.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
        help_text=_("The officer who signs with a personal certificate."),
    )
    label = models.CharField(_("label"), max_length=200)
    provider = models.CharField(
        _("key provider"),
        max_length=32,
        help_text=_("Where the private key lives: pkcs12 (a file) or pkcs11 (a token)."),
    )
    config = models.JSONField(
        _("provider settings"),
        default=dict,
        blank=True,
        help_text=_(
            "For pkcs12: path and passphrase; for pkcs11: token, key_label, "
            "cert_label and pin. Secrets are given as env:NAME or file:/path, never inline."
        ),
    )
    certificate_der = models.BinaryField(_("certificate (DER)"), editable=False)
    fingerprint = models.CharField(
        _("certificate SHA-256 fingerprint"), max_length=64, db_index=True, editable=False
    )
    subject = models.CharField(_("certificate subject"), max_length=500, editable=False)
    issuer = models.CharField(_("certificate issuer"), max_length=500, editable=False)
    serial = models.CharField(_("certificate serial number"), max_length=80, editable=False)
    not_before = models.DateTimeField(_("valid from"), editable=False)
    not_after = models.DateTimeField(_("valid until"), editable=False)
    development_only = models.BooleanField(
        _("development only"),
        default=False,
        help_text=_("Issued by the development CA of `signing-dev-setup`: no legal value."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["unit__code", "purpose", "label"]
        indexes = [
            models.Index(fields=["unit", "purpose", "active"], name="signing_key_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.label


class SignedKind(models.TextChoices):
    RESULT = "result", _("result of a procedure")
    CERTIFIED_COPY = "certified_copy", _("certified electronic copy")
    SLIP = "slip", _("official slip")


def new_verification_token() -> str:
    """The token in a document's QR code: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


class SignedResult(models.Model):
    """A PDF signed by motcua, registered so anyone can check it."""

    token = models.CharField(
        _("verification code"),
        max_length=32,
        unique=True,
        default=new_verification_token,
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SignedKind.choices)
    document = models.OneToOneField(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="signed"
    )
    sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    subject_ref = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The dossier code or the certification number the document belongs to."),
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    province_code = models.CharField(_("province (tenant)"), max_length=8, db_index=True)
    keys = models.ManyToManyField(SigningKey, verbose_name=_("signed with"), related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")
        ordering = ["-signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="signed_result_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.token})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class CertificationCounter(models.Model):
    """The last number of a unit's certification register in one year (locked to take one)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="certification_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.last_number}"


class CertifiedCopy(models.Model):
    """One entry of the certification register: an electronic copy certified from an original."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("certifying unit"), on_delete=models.PROTECT, related_name="+"
    )
    province_code = models.CharField(_("province (tenant)"), max_length=8, db_index=True)
    year = models.PositiveSmallIntegerField(_("register year"))
    number = models.PositiveIntegerField(_("register number"))
    original_title = models.CharField(_("original document"), max_length=300)
    pages = models.PositiveIntegerField(_("pages"))
    fee = models.PositiveIntegerField(_("fee (VND)"))
    certifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certifier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="certified_copies",
    )
    signed = models.OneToOneField(
        SignedResult,
        verbose_name=_("signed copy"),
        on_delete=models.PROTECT,
        related_name="certified_copy",
    )
    certified_at = models.DateTimeField(_("certified at"))

    class Meta:
        verbose_name = _("certified copy")
        verbose_name_plural = _("certification register")
        ordering = ["unit", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="certified_copy_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.register_number

    @property
    def register_number(self) -> str:
        return f"{self.number}/{self.year}"
