"""Digitization at the counter: scans of paper components, OCR, search by recognised text.

``component_attach_scan`` — the one-stop officer of the receiving unit uploads the scan
of a paper component. The file passes the upload checks (``documents.checks``) and the
scanning rules (``documents.ocr.scan_check``: one image per page, as many images as the
original has pages, pages with notes twice); then, in one transaction, it is stored as
a document (kind scan), linked to the component, the component's digitization state
becomes "digitized" (DOMAIN §7) and an audit entry is written. OCR is queued after
commit: a Celery task when a broker is configured (``CELERY_BROKER_URL``), otherwise it
runs in-process right after the commit (the embedded default).

``document_ocr_run`` — OCRmyPDF (Vietnamese) makes a searchable PDF/A, stored as a new
document linked to the same component; the original is kept unchanged either way and
its OCR state says done, or failed and why.

``dossiers_search_text`` — dossiers whose components' recognised text contains the
query, among the dossiers the user may see (``access.visible_dossiers``).
"""

from __future__ import annotations

import io
import unicodedata

import structlog
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, User
from motcua.audit.services import audit_record
from motcua.core.errors import Conflict, PermissionDenied
from motcua.documents.checks import PDF, UploadRefused, check_upload
from motcua.documents.models import Document, DocumentKind, OcrStatus
from motcua.documents.ocr import ocr_pdf, scan_check
from motcua.documents.services import document_store
from motcua.dossiers.access import access_dossier, may_take, visible_dossiers
from motcua.dossiers.models import (
    ENDED_STATUSES,
    AttachmentRole,
    DigitizationState,
    Dossier,
    DossierAttachment,
    DossierComponent,
    Status,
)
from motcua.dossiers.services import InvalidInput

log = structlog.get_logger(__name__)

MIN_QUERY = 2
# Whether dossiers.models has the many-to-many DossierComponent.documents. Until it
# does, a scan is linked to its dossier as an attachment (role "other") titled with the
# component's name; the component row still records its digitization state.
LINKS_ON_COMPONENTS = hasattr(DossierComponent, "documents")


def _link(component: DossierComponent, document: Document) -> None:
    if LINKS_ON_COMPONENTS:
        component.documents.add(document)  # type: ignore[attr-defined]
    else:
        DossierAttachment.objects.create(
            dossier_id=component.dossier_id, document=document, role=AttachmentRole.OTHER
        )


def _owner(dossier: Dossier) -> User | None:
    if dossier.applicant_account_id is not None:
        return dossier.applicant_account
    if dossier.applicant_kind == "citizen":
        return User.objects.filter(
            kind=AccountKind.CITIZEN, personal_id=dossier.applicant_id_number, is_active=True
        ).first()
    return None


def component_attach_scan(
    *,
    actor: User,
    public_id: str,
    component_code: str,
    content: bytes,
    filename: str,
    original_pages: int,
    annotated_pages: int = 0,
) -> Document:
    """Attach the counter scan of a paper component; OCR follows after commit."""
    if not isinstance(original_pages, int) or original_pages < 1:
        raise InvalidInput({"original_pages": [_("Give the number of pages of the original.")]})
    if not isinstance(annotated_pages, int) or not 0 <= annotated_pages <= original_pages:
        raise InvalidInput(
            {"annotated_pages": [_("Pages with notes: between 0 and the number of pages.")]}
        )
    checked = check_upload(io.BytesIO(content), filename=filename, size=len(content))
    if checked.kind is not PDF:
        raise UploadRefused("type", _("Send the scan as one PDF file, one page per image."))
    scan_check(content, expected_images=original_pages + annotated_pages)
    written: list[Document] = []
    try:
        with transaction.atomic():
            dossier = access_dossier(actor, public_id, for_update=True)
            if not may_take(actor, dossier, "receive"):
                raise PermissionDenied(
                    _("Only a one-stop officer of the receiving unit digitizes its papers.")
                )
            if dossier.status in ENDED_STATUSES:
                raise Conflict(
                    _("The dossier is now “%(status)s”: this action is no longer possible.")
                    % {"status": Status(dossier.status).label}
                )
            component = dossier.components.filter(code=component_code).first()
            if component is None:
                raise InvalidInput({"component_code": [_("This dossier has no such component.")]})
            owner = _owner(dossier)
            document = document_store(
                actor=actor,
                content=content,
                filename=checked.filename,
                kind=DocumentKind.SCAN,
                owner=owner,
                province_code=dossier.province_code,
                title=component.name,
                in_warehouse=False,
            )
            written.append(document)
            Document.objects.filter(pk=document.pk).update(
                page_count=checked.page_count, ocr_status=OcrStatus.PENDING
            )
            _link(component, document)
            component.digitization = DigitizationState.DIGITIZED
            component.save(update_fields=["digitization"])
            audit_record(
                action="dossier.component_digitize",
                actor=actor,
                object_type="dossier",
                object_id=dossier.pk,
                chain=dossier.province_code,
                data={"component": component.pk, "document": document.pk},
            )
            document_id, component_id = document.pk, component.pk
            transaction.on_commit(lambda: ocr_enqueue(document_id, component_id))
    except BaseException:
        for item in written:
            item.file.delete(save=False)
        raise
    document.refresh_from_db()
    return document


def ocr_enqueue(document_id: int, component_id: int) -> None:
    """Queue OCR: Celery with a broker, in-process without (never inside a transaction)."""
    if getattr(settings, "CELERY_BROKER_URL", ""):
        ocr_task.delay(document_id, component_id)
    else:
        document_ocr_run(document_id=document_id, component_id=component_id)


@shared_task(name="motcua.dossiers.ocr", acks_late=True)
def ocr_task(document_id: int, component_id: int) -> str:
    return document_ocr_run(document_id=document_id, component_id=component_id)


def document_ocr_run(*, document_id: int, component_id: int) -> str:
    """OCR one scan; the searchable PDF/A becomes a second document of the component."""
    original = Document.objects.filter(pk=document_id).first()
    component = DossierComponent.objects.select_related("dossier").filter(pk=component_id).first()
    if original is None or component is None or original.ocr_status != OcrStatus.PENDING:
        return "skipped"
    with original.file.open("rb") as fh:
        content = fh.read()
    outcome = ocr_pdf(content)
    written: list[Document] = []
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=original.pk)
            if locked.ocr_status != OcrStatus.PENDING:
                return "skipped"
            if outcome.ok and outcome.pdf is None:  # already searchable: keep it as it is
                locked.ocr_status = OcrStatus.DONE
                locked.ocr_text = outcome.text
                locked.ocr_error = ""
            elif outcome.ok and outcome.pdf is not None:
                searchable = document_store(
                    actor=None,
                    content=outcome.pdf,
                    filename=f"{locked.filename.rsplit('.', 1)[0]}-pdfa.pdf",
                    kind=DocumentKind.SCAN,
                    owner=locked.owner,
                    province_code=locked.province_code,
                    title=f"{locked.title} (PDF/A)",
                    in_warehouse=locked.owner is not None,
                )
                written.append(searchable)
                Document.objects.filter(pk=searchable.pk).update(
                    page_count=locked.page_count, ocr_status=OcrStatus.DONE, ocr_text=outcome.text
                )
                _link(component, searchable)
                locked.ocr_status = OcrStatus.DONE
                locked.ocr_error = ""
            else:
                locked.ocr_status = OcrStatus.FAILED
                locked.ocr_error = outcome.error
            locked.save(update_fields=["ocr_status", "ocr_text", "ocr_error"])
            audit_record(
                action="document.ocr",
                actor_type="system",
                object_type="document",
                object_id=locked.pk,
                chain=locked.province_code or "national",
                data={"status": locked.ocr_status, "code": outcome.code},
            )
    except BaseException:
        for item in written:
            item.file.delete(save=False)
        raise
    log.info("dossier.ocr", document=document_id, status=locked.ocr_status, code=outcome.code)
    return str(locked.ocr_status)


def dossiers_search_text(*, user: User, query: str) -> QuerySet[Dossier]:
    """Dossiers ``user`` may see whose scanned components' text contains ``query``."""
    text = unicodedata.normalize("NFC", " ".join((query or "").split()))
    if len(text) < MIN_QUERY:
        return Dossier.objects.none()
    found = Document.objects.filter(kind=DocumentKind.SCAN, ocr_text__icontains=text)
    matching = Q(pk__in=DossierAttachment.objects.filter(document__in=found).values("dossier_id"))
    if LINKS_ON_COMPONENTS:
        through = DossierComponent.documents.through  # type: ignore[attr-defined]
        matching |= Q(
            pk__in=DossierComponent.objects.filter(
                pk__in=through.objects.filter(document__in=found).values("dossiercomponent_id")
            ).values("dossier_id")
        )
    return visible_dossiers(user).filter(matching).order_by("-submitted_at")
