"""Official slips stored on the dossier, issued in the same transaction as the action.

``dossier_act(actor=…, action="receive", public_id=…)`` runs the lifecycle service
``dossier_<action>`` and, for the actions the law pairs with a slip (reception →
form 1, supplement request → form 2, refusal → form 3, apology → form 4, stop →
form 5), renders the slip and stores it as a ``documents.Document`` (kind ``slip``)
attached to the dossier with its ``DossierAttachment`` role — all in **one database
transaction** wrapped around the service's own (a savepoint inside it). So a
dossier is never received without its receipt slip: if rendering or storing the slip
fails, the reception is rolled back and the officer sees the error. The dossier row
lock the service takes is held until the slip is stored, so a concurrent action
waits; a slip renders in tens of milliseconds.

File storage is not transactional: a file written before a rollback is deleted
again here (best effort), so at worst an orphan file remains, never a dossier
without its slip. The national-portal message and after-commit hooks of the
service fire only when the outer transaction commits.

``control_sheet_issue`` stores the current process control sheet (form 6) on demand
(a new version each time; the newest is the one shown).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from motcua.accounts.models import User
from motcua.audit.services import audit_record
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers import services
from motcua.dossiers.access import access_dossier
from motcua.dossiers.models import AttachmentRole, Dossier, DossierAttachment
from motcua.dossiers.slips import (
    SLIP_BUILDERS,
    Slip,
    control_sheet_slip,
    receipt_slip,
)

# The slip each action issues (DOMAIN §5).
ACTION_SLIPS: dict[str, str] = {
    "receive": AttachmentRole.RECEIPT_SLIP,
    "request_supplement": AttachmentRole.SUPPLEMENT_SLIP,
    "refuse": AttachmentRole.REFUSAL_SLIP,
    "apologise_extend": AttachmentRole.APOLOGY_SLIP,
    "stop": AttachmentRole.STOP_SLIP,
}


@dataclass(frozen=True)
class ActResult:
    dossier: Dossier
    slip: DossierAttachment | None


def _render(actor: User, dossier: Dossier, role: str) -> Slip:
    if role == AttachmentRole.RECEIPT_SLIP:
        return receipt_slip(dossier, receiver_name=actor.full_name or actor.username)
    if role == AttachmentRole.CONTROL_SHEET:
        return control_sheet_slip(dossier)
    event = dossier.events.select_related("actor", "actor_unit").order_by("-seq").first()
    assert event is not None, "a slip follows an action, which wrote an event"
    return SLIP_BUILDERS[role](dossier, event)


def slip_store(*, actor: User, dossier: Dossier, slip: Slip) -> DossierAttachment:
    """Store a rendered slip as a document attached to the dossier (joins the transaction)."""
    with transaction.atomic():
        document = Document(
            kind=DocumentKind.SLIP,
            filename=slip.filename,
            content_type="application/pdf",
            size=len(slip.content),
            sha256=hashlib.sha256(slip.content).hexdigest(),
            page_count=slip.pages,
            province_code=dossier.province_code,
            title=slip.title,
        )
        document.file.save(slip.filename, ContentFile(slip.content), save=False)
        try:
            document.save()
            attachment = DossierAttachment.objects.create(
                dossier=dossier, document=document, role=slip.role
            )
            audit_record(
                action="dossier.slip_issue",
                actor=actor,
                object_type="dossier",
                object_id=dossier.pk,
                chain=dossier.province_code,
                data={"role": slip.role, "document": document.pk},
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return attachment


def dossier_act(*, actor: User, action: str, public_id: str, **params: Any) -> ActResult:
    """Run ``dossier_<action>`` and issue its slip, if it has one, in one transaction.

    Errors of the service (``InvalidInput``, ``PermissionDenied``, ``Conflict``,
    ``DomainError``) propagate unchanged and nothing is stored.
    """
    service = getattr(services, f"dossier_{action}", None)
    if service is None or action == "submit":
        raise ValueError(f"unknown action {action!r}")
    role = ACTION_SLIPS.get(action)
    written: list[Document] = []
    try:
        with transaction.atomic():
            dossier: Dossier = service(actor=actor, public_id=public_id, **params)
            attachment = None
            if role is not None:
                attachment = slip_store(
                    actor=actor, dossier=dossier, slip=_render(actor, dossier, role)
                )
                written.append(attachment.document)
    except BaseException:
        for document in written:  # the transaction rolled back: do not keep the file
            document.file.delete(save=False)
        raise
    return ActResult(dossier=dossier, slip=attachment)


def control_sheet_issue(*, actor: User, public_id: str) -> DossierAttachment:
    """Store the current process control sheet (form 6) of a dossier the actor may see."""
    with transaction.atomic():
        dossier = access_dossier(actor, public_id, for_update=True)
        return slip_store(
            actor=actor, dossier=dossier, slip=_render(actor, dossier, AttachmentRole.CONTROL_SHEET)
        )
