"""Administrative geography, agencies (units) and staff roles scoped to a unit.

``AdministrativeArea`` is the official two-tier geography since 1 July 2025 (34
provinces, 3,321 communes) from the ``vietnam-provinces`` package. ``Unit`` is an
agency: ministry, provincial People's Committee, provincial department, commune
People's Committee or one-stop section, identified by its electronic agency ID
(Decision 20/2020/QĐ-TTg). Units carry a validity period and a successor, so a
reorganisation merges units without rewriting the history of their dossiers.
Every unit belongs to a province (``province_code``): the tenant key.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REFORM_DATE = date(2025, 7, 1)  # two-tier local government (Resolution 202/2025/QH15)


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("centrally-run city")
    COMMUNE = "commune", _("commune")
    WARD = "ward", _("ward")
    SPECIAL_ZONE = "special_zone", _("special zone")


class AdministrativeArea(models.Model):
    code = models.CharField(_("official code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    codename = models.CharField(_("code name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_province(self) -> bool:
        return self.parent_id is None


class UnitLevel(models.TextChoices):
    MINISTRY = "ministry", _("ministry")
    PROVINCE = "province", _("province")
    DEPARTMENT = "department", _("provincial department")
    COMMUNE = "commune", _("commune")
    ONE_STOP = "one_stop", _("one-stop section")


class UnitQuerySet(models.QuerySet["Unit"]):
    def valid_on(self, day: date) -> UnitQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class Unit(models.Model):
    code = models.CharField(
        _("electronic agency ID"),
        max_length=40,
        unique=True,
        help_text=_("Mã định danh điện tử, e.g. H15.50.05.13 (Decision 20/2020/QĐ-TTg)."),
    )
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    province_code = models.CharField(_("province (tenant)"), max_length=8, db_index=True)
    area = models.ForeignKey(
        AdministrativeArea,
        verbose_name=_("area governed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    valid_from = models.DateField(_("valid from"), default=REFORM_DATE)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text=_("The unit that took over this one's work after a reorganisation."),
    )

    office_hours = models.JSONField(
        _("office hours"),
        default=list,
        blank=True,
        help_text=_(
            'Periods such as [["07:00", "11:30"], ["13:30", "17:00"]]; empty: the default.'
        ),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="unit_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to > day)


class StaffRole(models.TextChoices):
    ONE_STOP_OFFICER = "one_stop_officer", _("one-stop officer")
    SPECIALIST = "specialist", _("specialist")
    LEADER = "leader", _("leader")
    UNIT_ADMIN = "unit_admin", _("unit administrator")
    SUPERVISOR = "supervisor", _("supervisor")
    POPULATION_AUDITOR = "population_auditor", _("population-database auditor")


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: date) -> RoleAssignmentQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class RoleAssignment(models.Model):
    """An officer holds a role in one unit, for a period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role", "valid_from"], name="role_assignment_unique"
            ),
        ]
        indexes = [models.Index(fields=["unit", "role"], name="role_unit_role_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.unit_id}"


class AdjustmentKind(models.TextChoices):
    DAY_OFF = "day_off", _("day off")
    WORKING_DAY = "working_day", _("extra working day")


class CalendarAdjustment(models.Model):
    """A day off or an extra working day (e.g. a make-up Saturday) that admins maintain.

    Empty ``province_code``: the whole country (e.g. a government swap the ``holidays``
    package does not know yet); otherwise one province only.
    """

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=16, choices=AdjustmentKind.choices)
    province_code = models.CharField(_("province"), max_length=8, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("calendar adjustment")
        verbose_name_plural = _("calendar adjustments")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["day", "province_code"], name="calendar_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
