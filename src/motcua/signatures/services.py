"""Every write of the signatures app: keys, signed documents, revocation, certification.

Each function is keyword-only, runs in one transaction (joining the caller's), writes
one audit entry by ids only, and refuses bad input with a ``DomainError`` whose message
is in the actor's language — before anything is signed or stored. A file written to
storage is deleted again when the transaction around it fails in this module; callers
that wrap these functions in a larger transaction delete ``document.file`` themselves
on failure (``discard_files``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, User
from motcua.audit.services import audit_record
from motcua.core.clock import VIETNAM, local_now, now
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.documents.checks import PDF, UploadRefused, check_upload
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import document_store
from motcua.signatures.certification import (
    CertificationPage,
    certification_fee,
    next_certification_number,
    render_certified_copy,
)
from motcua.signatures.devca import is_development
from motcua.signatures.errors import SigningRefused
from motcua.signatures.models import (
    CertifiedCopy,
    KeyPurpose,
    SignedKind,
    SignedResult,
    SigningKey,
    new_verification_token,
)
from motcua.signatures.providers import registry
from motcua.signatures.signing import (
    SignatureBox,
    SignatureSpec,
    certificate_of,
    pdf_sign,
)
from motcua.units.models import RoleAssignment, StaffRole, Unit, UnitLevel

# Where the public verification page lives (mounted by motcua.portal.verify_urls).
VERIFY_PATH = "xac-thuc/"


def verification_url(token: str) -> str:
    base = str(getattr(settings, "PUBLIC_URL", "")).rstrip("/")
    return f"{base}/{VERIFY_PATH}{token}/"


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, field=field)


# --- keys ---------------------------------------------------------------------------------
def signing_key_register(
    *,
    actor: User | None,
    unit: Unit,
    provider: str,
    config: Mapping[str, Any],
    purpose: str = KeyPurpose.ORGANISATION,
    holder: User | None = None,
    label: str = "",
) -> SigningKey:
    """Register a key after opening it: it must sign now with a trusted, matching certificate."""
    if purpose not in KeyPurpose.values:
        raise _invalid("purpose", _("Choose one of the listed values."))
    if purpose == KeyPurpose.PERSONAL and (holder is None or holder.kind != AccountKind.OFFICER):
        raise _invalid("holder", _("A personal certificate belongs to an officer."))
    errors = registry.get(provider).config_errors(config)
    if errors:
        field, messages = next(iter(errors.items()))
        raise _invalid(f"config.{field}", messages[0])
    certificate = certificate_of(provider, config)
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    with transaction.atomic():
        key = SigningKey.objects.create(
            unit=unit,
            purpose=purpose,
            holder=holder if purpose == KeyPurpose.PERSONAL else None,
            label=label or _subject_label(certificate),
            provider=provider,
            config=dict(config),
            certificate_der=certificate.public_bytes(Encoding.DER),
            fingerprint=fingerprint,
            subject=certificate.subject.rfc4514_string()[:500],
            issuer=certificate.issuer.rfc4514_string()[:500],
            serial=format(certificate.serial_number, "X")[:80],
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            development_only=is_development(certificate),
        )
        audit_record(
            action="signing_key.register",
            actor=actor,
            actor_type=None if actor else "system",
            object_type="signing_key",
            object_id=key.pk,
            chain=unit.province_code or "national",
            data={"unit": unit.pk, "purpose": purpose, "provider": provider},
        )
    return key


def signing_key_deactivate(*, actor: User | None, key: SigningKey) -> SigningKey:
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().get(pk=key.pk)
        if not key.active:
            return key
        key.active = False
        key.save(update_fields=["active"])
        audit_record(
            action="signing_key.deactivate",
            actor=actor,
            actor_type=None if actor else "system",
            object_type="signing_key",
            object_id=key.pk,
            chain=key.unit.province_code or "national",
        )
    registry.clear()
    return key


def _subject_label(certificate: Any) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value)[:200] if names else certificate.subject.rfc4514_string()[:200]


# --- signing and the register of signed documents -------------------------------------------
@dataclass(frozen=True)
class PlannedSignature:
    """One key to sign with, where its appearance goes and what it says."""

    key: SigningKey
    box: SignatureBox | None
    lines: Sequence[str] = ()


def signature_specs(
    planned: Sequence[PlannedSignature], *, reason: str, location: str = ""
) -> list[SignatureSpec]:
    specs = []
    for i, item in enumerate(planned, start=1):
        if not item.key.active:
            raise SigningRefused(
                "no_key", _("The signing key “%(label)s” is disabled.") % {"label": item.key.label}
            )
        specs.append(
            SignatureSpec(
                provider=item.key.provider,
                config=item.key.config,
                field_name=f"Signature{i}",
                reason=reason,
                location=location,
                box=item.box,
                lines=tuple(item.lines),
            )
        )
    return specs


def _store_pdf(
    *,
    actor: User,
    content: bytes,
    kind: str,
    title: str,
    filename: str,
    owner: User | None,
    province_code: str,
    pages: int | None,
) -> Document:
    document = document_store(
        actor=actor,
        content=content,
        filename=filename,
        kind=kind,
        owner=owner,
        province_code=province_code,
        title=title[:300],
        in_warehouse=owner is not None,
    )
    if pages is not None:
        Document.objects.filter(pk=document.pk).update(page_count=pages)
        document.page_count = pages
    return document


def discard_files(documents: Iterable[Document]) -> None:
    """Delete files of documents whose transaction rolled back (best effort)."""
    for document in documents:
        try:
            document.file.delete(save=False)
        except Exception:  # noqa: S112 — storage errors must not hide the original error
            continue


def signed_document_store(
    *,
    actor: User,
    token: str,
    content: bytes,
    kind: str,
    title: str,
    filename: str,
    subject_ref: str,
    unit: Unit,
    keys: Sequence[SigningKey],
    owner: User | None,
    pages: int | None,
) -> SignedResult:
    """Store a signed PDF as a document (in ``owner``'s warehouse) and register it.

    Joins the caller's transaction; if anything here fails, the file is deleted.
    """
    if kind not in SignedKind.values:
        raise ValueError(kind)
    document_kind = {
        SignedKind.RESULT: DocumentKind.RESULT,
        SignedKind.CERTIFIED_COPY: DocumentKind.CERTIFIED_COPY,
        SignedKind.SLIP: DocumentKind.SLIP,
    }[SignedKind(kind)]
    with transaction.atomic():
        document = _store_pdf(
            actor=actor,
            content=content,
            kind=document_kind,
            title=title,
            filename=filename,
            owner=owner,
            province_code=unit.province_code,
            pages=pages,
        )
        try:
            result = SignedResult.objects.create(
                token=token,
                kind=kind,
                document=document,
                sha256=document.sha256,
                title=title[:300],
                subject_ref=subject_ref[:64],
                unit=unit,
                province_code=unit.province_code,
                signed_by=actor,
                signed_at=now(),
            )
            result.keys.set(keys)
            audit_record(
                action="signed_document.issue",
                actor=actor,
                object_type="signed_document",
                object_id=result.pk,
                chain=unit.province_code or "national",
                data={
                    "kind": kind,
                    "document": document.pk,
                    "unit": unit.pk,
                    "keys": [k.pk for k in keys],
                },
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return result


def _holds(user: User, unit_ids: Iterable[int], roles: Iterable[str]) -> bool:
    return (
        RoleAssignment.objects.active_on(local_now().date())
        .filter(user_id=user.pk, unit_id__in=list(unit_ids), role__in=list(roles))
        .exists()
    )


def signed_result_revoke(*, actor: User, token: str, reason: str) -> SignedResult:
    """Revoke a signed document (e.g. a licence withdrawn); verification shows it from now."""
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Give the reason for the revocation."))
    with transaction.atomic():
        result = SignedResult.objects.select_for_update().filter(token=token).first()
        if result is None:
            raise DomainError(_("No signed document has this verification code."), field="token")
        if not actor.is_active or not (
            actor.is_superuser or _holds(actor, [result.unit_id], [StaffRole.LEADER])
        ):
            raise PermissionDenied(_("Only a leader of the issuing unit may revoke it."))
        if result.revoked_at is not None:
            raise Conflict(_("This document was already revoked."))
        result.revoked_at = now()
        result.revoked_by = actor
        result.revocation_reason = reason[:2000]
        result.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit_record(
            action="signed_document.revoke",
            actor=actor,
            object_type="signed_document",
            object_id=result.pk,
            chain=result.province_code or "national",
            data={"kind": result.kind},
        )
    return result


# --- keys for a signing act ---------------------------------------------------------------
def keys_for(
    *, unit: Unit, holder: User | None, holder_units: Iterable[int] = ()
) -> list[SigningKey]:
    """The keys that sign for ``unit``: the holder's personal key, then the unit's seal."""
    moment = now()
    usable = SigningKey.objects.filter(active=True, not_before__lte=moment, not_after__gt=moment)
    found: list[SigningKey] = []
    if holder is not None:
        personal = (
            usable.filter(
                purpose=KeyPurpose.PERSONAL,
                holder=holder,
                unit_id__in={unit.pk, *holder_units},
            )
            .order_by("-not_after")
            .first()
        )
        if personal is not None:
            found.append(personal)
    seal = usable.filter(purpose=KeyPurpose.ORGANISATION, unit=unit).order_by("-not_after").first()
    if seal is not None:
        found.append(seal)
    return found


# --- certification of copies ----------------------------------------------------------------
def _certifying_units(unit: Unit) -> list[int]:
    """The unit and its one-stop sections (officers at the counter certify for it)."""
    sections = Unit.objects.filter(parent=unit, level=UnitLevel.ONE_STOP).values_list(
        "pk", flat=True
    )
    return [unit.pk, *sections]


def certified_copy_issue(
    *,
    actor: User,
    unit: Unit,
    original: bytes,
    original_title: str,
    applicant: User,
    fee: int | None = None,
) -> CertifiedCopy:
    """Certify an electronic copy of an original shown at the counter.

    ``original`` is the scan (PDF) the officer compared with the original. The copy gets
    the next number of ``unit``'s register for the year, is signed by the certifier
    (personal key) and/or the unit's seal, and goes to the applicant's data warehouse.
    """
    title = " ".join((original_title or "").split())
    if not title:
        raise _invalid("original_title", _("Name the original document (e.g. birth certificate)."))
    if not actor.is_active or not _holds(
        actor, _certifying_units(unit), [StaffRole.ONE_STOP_OFFICER, StaffRole.LEADER]
    ):
        raise PermissionDenied(_("You do not certify copies for this unit."))
    if applicant.kind != AccountKind.CITIZEN or not applicant.is_active:
        raise _invalid(
            "applicant", _("The copy goes to a citizen's account; choose the applicant.")
        )
    # Damaged, encrypted or active-content scans are refused here, before anything else.
    checked = check_upload(io.BytesIO(original), filename="scan.pdf", size=len(original))
    if checked.kind is not PDF or not checked.page_count:
        raise UploadRefused("type", _("Send the scan as one PDF file."))
    pages = checked.page_count
    if fee is None:
        fee = certification_fee(pages)
    elif not isinstance(fee, int) or fee < 0:
        raise _invalid("fee", _("Enter the fee in VND, a whole number (0 when exempt)."))
    sections = [u for u in _certifying_units(unit) if u != unit.pk]
    keys = keys_for(unit=unit, holder=actor, holder_units=sections)
    if not keys:
        raise SigningRefused(
            "no_key",
            _("No signing key is registered for %(unit)s; ask the unit administrator.")
            % {"unit": unit.name},
        )
    certified_at = now()
    year = certified_at.astimezone(VIETNAM).year
    token = new_verification_token()
    certifier_name = actor.full_name or actor.username
    written: list[Document] = []
    try:
        with transaction.atomic():
            number = next_certification_number(unit, year)
            rendered = render_certified_copy(
                original,
                CertificationPage(
                    unit_name=unit.name,
                    original_title=title,
                    number=number,
                    year=year,
                    pages=pages,
                    fee=fee,
                    certifier_name=certifier_name,
                    certified_at=certified_at,
                    verification_url=verification_url(token),
                ),
                token=token,
            )
            has_personal = any(key.purpose == KeyPurpose.PERSONAL for key in keys)
            planned = []
            for key in keys:
                personal = key.purpose == KeyPurpose.PERSONAL
                planned.append(
                    PlannedSignature(
                        key=key,
                        # The seal sits beside the certifier's signature, or in its place.
                        box=rendered.seal_box
                        if not personal and has_personal
                        else rendered.certifier_box,
                        lines=(
                            f"Ký bởi: {certifier_name if personal else unit.name}",
                            f"Số chứng thực {number}/{year}",
                        ),
                    )
                )
            signed = pdf_sign(
                rendered.content,
                signatures=signature_specs(planned, reason="Chứng thực bản sao từ bản chính"),
                at=certified_at,
            )
            result = signed_document_store(
                actor=actor,
                token=token,
                content=signed,
                kind=SignedKind.CERTIFIED_COPY,
                title=f"Bản sao chứng thực số {number}/{year}: {title}",
                filename=f"ban-sao-chung-thuc-{number}-{year}.pdf",
                subject_ref=f"{unit.code}/{number}/{year}",
                unit=unit,
                keys=keys,
                owner=applicant,
                pages=rendered.pages,
            )
            written.append(result.document)
            copy = CertifiedCopy.objects.create(
                unit=unit,
                province_code=unit.province_code,
                year=year,
                number=number,
                original_title=title[:300],
                pages=pages,
                fee=fee,
                certifier=actor,
                applicant=applicant,
                signed=result,
                certified_at=certified_at,
            )
            audit_record(
                action="certified_copy.issue",
                actor=actor,
                object_type="certified_copy",
                object_id=copy.pk,
                chain=unit.province_code or "national",
                data={"unit": unit.pk, "year": year, "number": number, "signed": result.pk},
            )
    except BaseException:
        discard_files(written)
        raise
    return copy
