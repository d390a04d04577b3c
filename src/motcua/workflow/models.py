"""Internal processes: BPMN definitions, running instances, their steps and follow-ups.

The workflow layer sits below ``dossiers``: it knows a *subject* only by its integer id
(a dossier's primary key) and never imports the dossier app. Units and roles come from
``motcua.units``.

* ``ProcessDefinition`` — one uploaded BPMN 2.0 file for a procedure case (or a whole
  procedure, or the default), in a province or everywhere; versions are immutable and a
  replacement is a new version.
* ``ProcessInstance`` — the process of one subject, pinned to the definition version it
  started with, with the engine's serialized state.
* ``WorkTask`` — one step as it happened: a user task given to a role in a unit. The
  rows of one instance *are* the process control sheet (form 6): giver and receiver,
  given / received / due / finished times and early / on time / late.
* ``FollowUp`` — a to-do for a role in a unit about a subject (the apology-and-extension
  letter for a dossier about to be late), written idempotently by the overdue scan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.units.models import StaffRole, Unit


class ProcessDefinition(models.Model):
    """An uploaded internal process (BPMN 2.0 XML), immutable once stored.

    The key is (province, procedure code, case code); an empty part means "any". The
    highest ``version`` of the most specific key is the process new dossiers start with.
    A definition may instead carry a ``reference`` (a name such as ``lien-thong-ho-tich``)
    that procedure cases name in their ``process`` field, to share one process.
    """

    province_code = models.CharField(
        _("province"), max_length=8, blank=True, help_text=_("Empty: every province.")
    )
    procedure_code = models.CharField(
        _("procedure code"),
        max_length=40,
        blank=True,
        help_text=_("Empty: the default process for procedures without their own."),
    )
    case_code = models.CharField(
        _("case code"),
        max_length=40,
        blank=True,
        help_text=_("Empty: every case of the procedure."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("A name procedure cases use to share this process (their “process” field)."),
    )
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=300)
    process_id = models.CharField(_("BPMN process id"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    spec = models.JSONField(_("parsed process"), default=dict, editable=False)
    steps = models.JSONField(_("steps"), default=list, editable=False)
    parsed_ok = models.BooleanField(_("parsed without errors"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        ordering = ["province_code", "procedure_code", "case_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["province_code", "procedure_code", "case_code", "reference", "version"],
                name="process_definition_key_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(case_code="") | ~Q(procedure_code=""),
                name="process_definition_case_needs_procedure",
            ),
            models.CheckConstraint(
                condition=Q(reference="") | Q(procedure_code=""),
                name="process_definition_reference_or_procedure",
            ),
        ]

    def __str__(self) -> str:
        parts = (self.province_code, self.reference, self.procedure_code, self.case_code)
        key = "/".join(p for p in parts if p)
        return f"{key or 'default'} v{self.version}"


class InstanceStatus(models.TextChoices):
    RUNNING = "running", _("running")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class ProcessInstance(models.Model):
    """The process of one subject (a dossier), pinned to its definition version."""

    subject_id = models.PositiveBigIntegerField(_("subject (dossier id)"), unique=True)
    province_code = models.CharField(_("province (tenant)"), max_length=8, db_index=True)
    definition = models.ForeignKey(
        ProcessDefinition,
        verbose_name=_("definition version"),
        on_delete=models.PROTECT,
        related_name="instances",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING
    )
    receiving_unit = models.ForeignKey(
        Unit, verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="+"
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead (handling) unit"), on_delete=models.PROTECT, related_name="+"
    )
    budget_seconds = models.PositiveIntegerField(
        _("legal processing time (office seconds)"), default=0
    )
    state = models.JSONField(_("engine state"), default=dict, editable=False)
    current_task = models.ForeignKey(
        "WorkTask",
        verbose_name=_("current step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")

    def __str__(self) -> str:
        return f"{self.subject_id} ({self.definition})"


class Timing(models.TextChoices):
    """How a step fared against its due time (form 6)."""

    EARLY = "early", _("early")
    ON_TIME = "on_time", _("on time")
    LATE = "late", _("late")


class WorkTask(models.Model):
    """One step of a process as it happened: a row of the control sheet (form 6)."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    subject_id = models.PositiveBigIntegerField(_("subject (dossier id)"))
    province_code = models.CharField(_("province (tenant)"), max_length=8)
    seq = models.PositiveIntegerField(_("sequence"))
    engine_task = models.UUIDField(_("engine task"))
    step = models.CharField(_("step id"), max_length=200)
    title = models.CharField(_("step"), max_length=300)
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    actions = models.JSONField(_("actions that complete it"), default=list)
    allotment = models.CharField(_("time allotment"), max_length=40, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    given_by_unit = models.ForeignKey(
        Unit,
        verbose_name=_("giving unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    given_at = models.DateTimeField(_("given at"))
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("finished with"), max_length=40, blank=True)
    outcome = models.CharField(_("result"), max_length=16, choices=Timing.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["instance", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "seq"], name="worktask_seq_unique"),
        ]
        indexes = [
            models.Index(
                fields=["unit", "role", "due_at"],
                name="worktask_open_idx",
                condition=Q(finished_at__isnull=True),
            ),
            models.Index(fields=["subject_id", "seq"], name="worktask_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id}#{self.seq} {self.step}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class FollowUpKind(models.TextChoices):
    APOLOGY = "apology", _("apology and extension")


class FollowUp(models.Model):
    """A to-do on a role's list in a unit about one subject; one row per (subject, kind, unit,
    role), so the scan that writes it can run any number of times."""

    subject_id = models.PositiveBigIntegerField(_("subject (dossier id)"))
    province_code = models.CharField(_("province (tenant)"), max_length=8)
    kind = models.CharField(_("kind"), max_length=16, choices=FollowUpKind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.choices)
    due_at = models.DateTimeField(_("subject due at"))
    created_at = models.DateTimeField(_("created at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(_("closed because"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_id", "kind", "unit", "role"], name="followup_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["unit", "role", "due_at"],
                name="followup_open_idx",
                condition=Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} → {self.role}@{self.unit_id}"
