"""People and organisations.

Officers log in with a password and a TOTP second factor; citizens log in with the
national e-ID (OpenID Connect) and are linked by their personal ID number.
Roles are scoped to a unit and live in ``units`` (a layer above this one).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.accounts.validators import validate_personal_id, validate_tax_code


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    OFFICER = "officer", _("officer")


class User(AbstractUser):
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    kind = models.CharField(
        _("account kind"), max_length=16, choices=AccountKind.choices, default=AccountKind.CITIZEN
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    personal_id = models.CharField(
        _("personal ID number"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_personal_id],
        help_text=_("12 digits, as on the citizen identity card."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Identity as the national e-ID (VNeID) last asserted it at login (accounts/oidc.py).
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    assurance_level = models.CharField(
        _("identity assurance level"),
        max_length=200,
        blank=True,
        help_text=_("As the national e-ID stated it at the last login (e.g. its acr value)."),
    )
    national_id_verified_at = models.DateTimeField(
        _("last verified with the national e-ID"), null=True, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="vi"
    )
    failed_login_count = models.PositiveIntegerField(_("consecutive failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.username

    @property
    def is_officer(self) -> bool:
        return self.kind == AccountKind.OFFICER


class Organisation(models.Model):
    """A business or other organisation acting as applicant, identified by its tax code."""

    name = models.CharField(_("name"), max_length=300)
    tax_code = models.CharField(
        _("tax code"), max_length=14, unique=True, validators=[validate_tax_code]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    members = models.ManyToManyField(
        User, through="OrganisationMember", related_name="organisations", blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    is_legal_representative = models.BooleanField(_("legal representative"), default=False)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="org_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.user_id}"
