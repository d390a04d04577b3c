"""Documents attached to a dossier's components (what the applicant sent for each part).

``component_documents_attach`` links documents of the applicant's data warehouse to the
dossier's components, with the digitization state each one implies (DOMAIN §7):
1 a file sent electronically for this dossier, 2 reused from the data warehouse, 3 a
result of another dossier reused. A component the applicant had left out (an optional
one, or one asked for in a supplement request) gets its row here. Documents are
immutable, so reuse links the same document; nothing is copied.

Call it inside the transaction of the dossier action it belongs to (submission,
supplement), so the dossier never shows half its documents.

The link is ``DossierComponent.documents`` (many-to-many). Until that field exists in
``dossiers.models``, documents are kept as the dossier's attachments with the role
"other" (the component row still records how the part was received and its
digitization state); ``documents_of`` reads either form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.audit.services import audit_record
from motcua.core.errors import PermissionDenied
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers.models import (
    AttachmentRole,
    DigitizationState,
    Dossier,
    DossierAttachment,
    DossierComponent,
    ReceivedAs,
)
from motcua.dossiers.services import InvalidInput

# Whether dossiers.models has the many-to-many DossierComponent.documents (see above).
LINKS_ON_COMPONENTS = hasattr(DossierComponent, "documents")


@dataclass(frozen=True)
class ChosenDocument:
    document: Document
    digitization: int = DigitizationState.DIGITIZED


def reuse_state(document: Document) -> int:
    """The digitization state of reusing ``document`` from the warehouse in a new dossier."""
    if document.kind == DocumentKind.RESULT:
        return DigitizationState.REUSED_FROM_RESULT
    return DigitizationState.REUSED_FROM_WAREHOUSE


def _component_state(states: Sequence[int]) -> int:
    if DigitizationState.DIGITIZED in states:
        return DigitizationState.DIGITIZED
    if DigitizationState.REUSED_FROM_RESULT in states:
        return DigitizationState.REUSED_FROM_RESULT
    return DigitizationState.REUSED_FROM_WAREHOUSE


def component_documents_attach(
    *,
    actor: User,
    dossier: Dossier,
    chosen: Mapping[str, Sequence[ChosenDocument]],
) -> list[DossierComponent]:
    """Link ``chosen`` documents (per component code) to ``dossier``'s components."""
    chosen = {code: list(items) for code, items in chosen.items() if items}
    if not chosen:
        return []
    by_code = {c.code: c for c in dossier.case.components.all()}
    errors: dict[str, list[str]] = {}
    for code, items in chosen.items():
        known = by_code.get(code)
        if known is None:
            errors[f"documents.{code}"] = [_("This procedure has no such component.")]
        elif known.registry:
            errors[f"documents.{code}"] = [
                _("This part comes from a connected database; no document is needed.")
            ]
        for item in items:
            owner_id = item.document.owner_id
            if owner_id is None or owner_id != dossier.applicant_account_id:
                raise PermissionDenied(_("You may attach documents of your own account only."))
    if errors:
        raise InvalidInput(errors)
    rows: list[DossierComponent] = []
    with transaction.atomic():
        existing = {row.code: row for row in dossier.components.select_for_update()}
        for code, items in chosen.items():
            known = by_code[code]
            row = existing.get(code)
            if row is None:
                row = DossierComponent.objects.create(
                    dossier=dossier,
                    component=known,
                    code=code,
                    name=known.name,
                    received_as=ReceivedAs.ELECTRONIC,
                    count=len(items),
                )
            documents = [item.document for item in items]
            if LINKS_ON_COMPONENTS:
                row.documents.add(*documents)  # type: ignore[attr-defined]
                count = row.documents.count()  # type: ignore[attr-defined]
            else:
                DossierAttachment.objects.bulk_create(
                    DossierAttachment(dossier=dossier, document=d, role=AttachmentRole.OTHER)
                    for d in documents
                )
                count = max(row.count, len(documents))
            states = [item.digitization for item in items]
            if row.digitization not in (DigitizationState.NOT_DIGITIZED,):
                states.append(row.digitization)
            row.digitization = _component_state(states)
            row.received_as = ReceivedAs.ELECTRONIC
            row.count = count
            row.save(update_fields=["digitization", "received_as", "count"])
            rows.append(row)
        audit_record(
            action="dossier.documents_attach",
            actor=actor,
            object_type="dossier",
            object_id=dossier.pk,
            chain=dossier.province_code,
            data={
                "components": sorted(chosen),
                "documents": sorted(i.document.pk for v in chosen.values() for i in v),
            },
        )
    return rows


def documents_of(component: DossierComponent) -> list[Document]:
    """The documents sent for ``component`` (empty until the link field exists)."""
    if LINKS_ON_COMPONENTS:
        return list(component.documents.order_by("pk"))  # type: ignore[attr-defined]
    return []


def dossier_documents(dossier: Dossier) -> set[int]:
    """Ids of every document that belongs to ``dossier`` (components and attachments)."""
    ids: set[int] = set()
    if LINKS_ON_COMPONENTS:
        through = DossierComponent.documents.through  # type: ignore[attr-defined]
        ids.update(
            through.objects.filter(dossiercomponent__dossier=dossier).values_list(
                "document_id", flat=True
            )
        )
    ids.update(
        DossierAttachment.objects.filter(dossier=dossier).values_list("document_id", flat=True)
    )
    return ids
