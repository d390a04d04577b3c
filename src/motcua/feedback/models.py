"""The applicant's own rating of how their dossier was handled (DOMAIN §8).

One rating per dossier, by its applicant, once the result is ready: very satisfied,
satisfied or dissatisfied, with an optional comment. Ratings feed the satisfaction
indicator of the service index (Decision 766).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("very satisfied")
    SATISFIED = "satisfied", _("satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class Rating(models.Model):
    dossier = models.OneToOneField(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="rating"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    province_code = models.CharField(_("province (tenant)"), max_length=8, db_index=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        indexes = [models.Index(fields=["province_code", "created_at"], name="rating_province_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.satisfaction}"
