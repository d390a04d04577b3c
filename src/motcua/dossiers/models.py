"""The dossier aggregate: one application for one procedure case by one applicant.

Status values are readable strings mapped to the national codes 1–10 (DOMAIN §3).
Rows change only through ``motcua.dossiers.services`` (one door for every change).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Channel, Component, ProcedureCase, ProcedureVersion
from motcua.documents.models import Document
from motcua.units.models import Unit


class Status(models.TextChoices):
    NEW = "new", _("new, awaiting reception")
    RECEIVED = "received", _("received")
    REFUSED = "refused", _("refused")
    PROCESSING = "processing", _("processing")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("supplement requested")
    AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
    WITHDRAWN = "withdrawn", _("withdrawn")
    STOPPED = "stopped", _("stopped")
    RESULT_READY = "result_ready", _("result ready")
    RESULT_RETURNED = "result_returned", _("result returned")


NATIONAL_STATUS_CODE: dict[str, int] = {
    Status.NEW: 1,
    Status.RECEIVED: 2,
    Status.REFUSED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.AWAITING_PAYMENT: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESULT_READY: 9,
    Status.RESULT_RETURNED: 10,
}
ENDED_STATUSES = frozenset(
    {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RESULT_READY, Status.RESULT_RETURNED}
)
CLOCK_RUNNING = frozenset({Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT})


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    ORGANISATION = "organisation", _("organisation")


class Dossier(models.Model):
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("dossier code"), max_length=64, unique=True, null=True, blank=True)
    external_code = models.CharField(
        _("code on the national portal"), max_length=64, unique=True, null=True, blank=True
    )
    province_code = models.CharField(_("province (tenant)"), max_length=8, db_index=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("procedure version"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    case = models.ForeignKey(
        ProcedureCase,
        verbose_name=_("procedure case"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.NEW
    )
    # Applicant and authorised representative.
    applicant_kind = models.CharField(
        _("applicant kind"), max_length=16, choices=ApplicantKind.choices
    )
    applicant_name = models.CharField(_("applicant name"), max_length=200)
    applicant_id_number = models.CharField(
        _("personal ID number or tax code"), max_length=14, db_index=True
    )
    applicant_address = models.CharField(_("address"), max_length=300, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    representative_name = models.CharField(
        _("authorised representative"), max_length=200, blank=True
    )
    representative_id_number = models.CharField(
        _("representative's ID number"), max_length=12, blank=True
    )
    # Units.
    receiving_unit = models.ForeignKey(
        Unit, verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="+"
    )
    handling_unit = models.ForeignKey(
        Unit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    supporting_units = models.ManyToManyField(
        Unit, verbose_name=_("supporting units"), blank=True, related_name="+"
    )
    # Content.
    form_data = models.JSONField(_("e-form data"), default=dict, blank=True)
    request_summary = models.CharField(_("request"), max_length=500, blank=True)
    # Legal time.
    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField(_("first promised at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    result_ready_at = models.DateTimeField(_("result ready at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    status_before_pause = models.CharField(max_length=32, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    approved = models.BooleanField(_("approved by the leader"), default=False)
    verified_with_national_id = models.BooleanField(
        _("account verified with the national e-ID"), default=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["handling_unit", "status", "due_at"], name="dossier_queue_idx"),
            models.Index(
                fields=["receiving_unit", "status", "submitted_at"], name="dossier_reception_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="new")
                | Q(status="refused")
                | Q(status="withdrawn")
                | Q(code__isnull=False),
                name="dossier_received_has_code",
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(self.reference)

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS_CODE[self.status]

    @property
    def public_id(self) -> str:
        """How the API and pages address the dossier: its code once received."""
        return self.code or str(self.reference)


class ReceivedAs(models.TextChoices):
    ORIGINAL = "original", _("original")
    CERTIFIED_COPY = "certified_copy", _("certified copy")
    PHOTOCOPY = "photocopy", _("photocopy")
    ELECTRONIC = "electronic", _("electronic document")
    FROM_DATA = "from_data", _("replaced by data from a connected database")


class DigitizationState(models.IntegerChoices):
    NOT_DIGITIZED = 0, _("not digitized")
    DIGITIZED = 1, _("digitized")
    REUSED_FROM_WAREHOUSE = 2, _("reused from the data warehouse")
    REUSED_FROM_RESULT = 3, _("reused from another dossier's result")


class DossierComponent(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=500)
    received_as = models.CharField(_("received as"), max_length=16, choices=ReceivedAs.choices)
    count = models.PositiveSmallIntegerField(_("count"), default=1)
    digitization = models.PositiveSmallIntegerField(
        _("digitization"),
        choices=DigitizationState.choices,
        default=DigitizationState.NOT_DIGITIZED,
    )
    from_national_warehouse = models.BooleanField(
        _("taken from the national warehouse"), default=False
    )

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="dossier_component_unique")
        ]

    def __str__(self) -> str:
        return self.name


class DossierEvent(models.Model):
    """The dossier's timeline: one typed event per action (separate from the audit log)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(_("sequence"))
    occurred_at = models.DateTimeField(_("occurred at"))
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from status"), max_length=32, blank=True)
    to_status = models.CharField(_("to status"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    due_at = models.DateTimeField(_("due at after this step"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"


class DossierCodeSequence(models.Model):
    """The daily sequence per agency: one row per (agency, day), locked to take a number."""

    agency_code = models.CharField(max_length=40)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="dossier_code_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day}: {self.last_value}"


class AttachmentRole(models.TextChoices):
    RECEIPT_SLIP = "receipt_slip", _("receipt and appointment slip")
    SUPPLEMENT_SLIP = "supplement_slip", _("supplement request")
    REFUSAL_SLIP = "refusal_slip", _("refusal notice")
    APOLOGY_SLIP = "apology_slip", _("apology and extension")
    STOP_SLIP = "stop_slip", _("stop notice")
    CONTROL_SHEET = "control_sheet", _("process control sheet")
    RESULT = "result", _("result")
    OTHER = "other", _("other")


class DossierAttachment(models.Model):
    """A document produced for the dossier: an official slip, the signed result…"""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=AttachmentRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier attachment")
        verbose_name_plural = _("dossier attachments")
        indexes = [models.Index(fields=["dossier", "role"], name="attachment_role_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.role}"


class DossierDraft(models.Model):
    """An application being filled in, saved on the server for its account.

    Resumable on any device; listed in the account's dashboard; deleted after
    ``expires_at`` (the page says when).
    """

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_drafts"
    )
    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(_("form data"), default=dict, blank=True)
    step = models.PositiveSmallIntegerField(_("current step"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("draft application")
        verbose_name_plural = _("draft applications")
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_idx")]

    def __str__(self) -> str:
        return str(self.reference)
