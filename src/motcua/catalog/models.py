"""The procedure catalog: procedures, immutable published versions, cases, fees, components.

A ``Procedure`` is the stable identity (its national code). Its content lives in
``ProcedureVersion`` rows: a draft is editable; a published version is immutable and
has an effective date; retiring keeps every version readable. Dossiers pin the version
and case they were submitted under, so changing a live procedure never breaks an
application in progress.
"""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$",
    _("Use letters, digits, dots, hyphens or underscores (e.g. 1.001193)."),
)


class Level(models.TextChoices):
    MINISTRY = "ministry", _("ministry level")
    PROVINCE = "province", _("province level")
    COMMUNE = "commune", _("commune level")


class Subject(models.TextChoices):
    CITIZEN = "citizen", _("citizens")
    ORGANISATION = "organisation", _("organisations")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("full-process online")
    PARTIAL = "partial", _("partially online")
    NONE = "none", _("not online")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    ONLINE = "online", _("online")
    POST = "post", _("public postal service")


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working-days", _("working days")
    CALENDAR_DAYS = "calendar-days", _("calendar days")
    WORKING_HOURS = "working-hours", _("working hours")


class FeeKind(models.TextChoices):
    FEE = "fee", _("fee (lệ phí)")
    CHARGE = "charge", _("charge (phí)")


class FeeMode(models.TextChoices):
    BEFORE = "before", _("pay before processing")
    AFTER = "after", _("pay when the result is returned")
    EXEMPT = "exempt", _("exempt")


class Registry(models.TextChoices):
    POPULATION = "population", _("national population database")
    CIVIL_STATUS = "civil_status", _("civil status database")
    BUSINESS = "business", _("business registration database")
    LAND = "land", _("land database")
    INSURANCE = "insurance", _("social insurance database")
    VEHICLE = "vehicle", _("vehicle registration database")
    JUDICIAL_RECORD = "judicial_record", _("judicial record database")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RETIRED = "retired", _("retired")


class Sector(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(
        _("national procedure code"), max_length=40, unique=True, validators=[CODE_VALIDATOR]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def in_force(self, on: date) -> ProcedureVersionQuerySet:
        """Versions in force on ``on`` (a retired version was in force until it ended)."""
        return self.filter(
            status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED], effective_from__lte=on
        ).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(
        _("effective until"),
        null=True,
        blank=True,
        help_text=_("Set when a newer version takes over or the procedure is retired."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name in English"), max_length=500)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="versions"
    )
    levels = models.JSONField(_("implementing levels"), default=list)
    subjects = models.JSONField(_("subjects"), default=list)
    implementing_agency = models.CharField(_("implementing agency"), max_length=500)
    receiving_agency = models.CharField(_("receiving agency"), max_length=500)
    online_level = models.CharField(
        _("online service"), max_length=16, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    essential = models.BooleanField(_("one of the 25 essential services"), default=False)
    steps = models.TextField(_("steps"))
    requirements = models.TextField(_("requirements"), blank=True)
    result_code = models.CharField(_("result code"), max_length=60, blank=True)
    result_name = models.CharField(_("result"), max_length=500)
    result_name_en = models.CharField(_("result in English"), max_length=500, blank=True)
    publication_decision = models.CharField(_("publication decision"), max_length=100, blank=True)
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    publication_issuer = models.CharField(_("publication issuer"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Folded text for diacritic-insensitive search (motcua.catalog.text.fold).
    search_name = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedure_version_unique"
            ),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(status="draft"), name="one_draft_per_procedure"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(effective_from__isnull=False),
                name="published_has_effective_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_from"], name="version_status_eff_idx")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class LegalBasis(models.Model):
    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="legal_bases"
    )
    position = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(_("document number"), max_length=100)
    title = models.CharField(_("title"), max_length=500)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProcedureCase(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("code"), max_length=40, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name in English"), max_length=500, blank=True)
    same_day_rule = models.BooleanField(
        _("same-day procedure (15:00 rule)"),
        default=False,
        help_text=_("Received at or after 15:00, it is due the next working day."),
    )
    form_schema = models.JSONField(_("e-form (JSON Schema)"), default=dict)
    form_ui = models.JSONField(_("e-form presentation"), default=dict, blank=True)
    process = models.CharField(
        _("internal process"),
        max_length=100,
        blank=True,
        help_text=_("Reference to the BPMN process; empty: the default process."),
    )

    class Meta:
        verbose_name = _("procedure case")
        verbose_name_plural = _("procedure cases")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="case_code_unique")]

    def __str__(self) -> str:
        return self.name


class WayOfPerforming(models.Model):
    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="ways")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    duration = models.PositiveIntegerField(
        _("duration"), validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    duration_unit = models.CharField(_("unit"), max_length=16, choices=DurationUnit.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("way of performing")
        verbose_name_plural = _("ways of performing")
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="way_channel_unique"),
            models.CheckConstraint(condition=Q(duration__gte=1), name="way_duration_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.duration} {self.duration_unit}"


class Fee(models.Model):
    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("code"), max_length=40, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    kind = models.CharField(_("kind"), max_length=16, choices=FeeKind.choices)
    mode = models.CharField(_("collection"), max_length=16, choices=FeeMode.choices)
    channel = models.CharField(
        _("only for channel"), max_length=16, choices=Channel.choices, blank=True
    )

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="fee_code_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} VND"


class Component(models.Model):
    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("code"), max_length=40, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name in English"), max_length=500, blank=True)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    required = models.BooleanField(_("required"), default=True)
    registry = models.CharField(
        _("can be replaced by data from"), max_length=32, choices=Registry.choices, blank=True
    )

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="component_code_unique")
        ]

    def __str__(self) -> str:
        return self.name
