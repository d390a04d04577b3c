"""Issuing a dossier's result: render it, sign it (PAdES), store it, result ready.

``dossier_sign_result(actor=…, public_id=…)`` is the lifecycle action "the leader
approves and signs → the result is ready → it goes into the applicant's data
warehouse", in **one database transaction**:

1. lock the dossier (the access gate), check the actor may mark the result ready
   (specialist or leader of the handling unit) and that it is processing;
2. a leader who has not approved yet approves now (``dossier_approve``); anyone else
   needs the leader's approval first;
3. render the result from the procedure's template (``register_result_template``;
   the standard template otherwise) with the dossier code and a QR code to the public
   verification page;
4. sign it: the actor's personal certificate (if they hold one at the unit) and the
   unit's organisation seal, each with a visible appearance;
5. store it as a ``documents.Document`` (kind result) owned by the applicant's account
   and kept in their data warehouse, registered for verification, attached to the
   dossier (role result);
6. ``dossier_mark_result_ready`` — event, audit, national-portal message.

Any refusal (no key, an expired or untrusted certificate, a key that does not match,
the process not letting this actor issue the result) raises before commit: nothing is
signed, stored or changed, and a file already written is deleted again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from fpdf.enums import XPos, YPos

from motcua.accounts.models import AccountKind, User
from motcua.core.clock import VIETNAM, now
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.core.pdf import FONT, OfficialPdf, nfc
from motcua.documents.models import Document
from motcua.dossiers import services
from motcua.dossiers.access import access_dossier, actor_roles, may_take
from motcua.dossiers.models import AttachmentRole, Dossier, DossierAttachment, Status
from motcua.signatures.errors import SigningRefused
from motcua.signatures.models import KeyPurpose, SignedKind, SignedResult, new_verification_token
from motcua.signatures.services import (
    PlannedSignature,
    discard_files,
    keys_for,
    signature_specs,
    signed_document_store,
    verification_url,
)
from motcua.signatures.signing import SignatureBox, pdf_sign, prepare_for_signing
from motcua.units.models import StaffRole

MM = 72 / 25.4


@dataclass(frozen=True)
class ResultContext:
    dossier: Dossier
    signer_name: str
    signer_is_leader: bool
    note: str
    issued_at: datetime
    verification_url: str
    token: str


@dataclass(frozen=True)
class RenderedResult:
    content: bytes
    pages: int
    personal_box: SignatureBox
    seal_box: SignatureBox


ResultTemplate = Callable[[ResultContext], RenderedResult]
_TEMPLATES: dict[str, ResultTemplate] = {}


def register_result_template(procedure_code: str, template: ResultTemplate) -> None:
    """Use ``template`` for the results of procedure ``procedure_code`` (e.g. ``1.001193``)."""
    _TEMPLATES[procedure_code] = template


def template_for(dossier: Dossier) -> ResultTemplate:
    return _TEMPLATES.get(dossier.procedure_version.procedure.code, standard_result)


# --- the standard template ------------------------------------------------------------------
def _vn_date(value: datetime) -> str:
    local = value.astimezone(VIETNAM)
    return f"ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def form_lines(dossier: Dossier) -> list[tuple[str, str]]:
    """The e-form's answers labelled with the form's own titles, in the form's order."""
    properties = (dossier.case.form_schema or {}).get("properties", {})
    data = dossier.form_data or {}
    lines = []
    for name, spec in properties.items():
        if name in data and data[name] not in ("", None):
            title = spec.get("title", name) if isinstance(spec, dict) else name
            lines.append((str(title), _value(data[name])))
    return lines


def standard_result(ctx: ResultContext) -> RenderedResult:
    """A generic result: the procedure's result named, the applicant, the answers, the
    legal bases, the signer's note, signature blocks and the verification QR code."""
    d = ctx.dossier
    version = d.procedure_version
    unit = d.handling_unit
    pdf = OfficialPdf(title=f"{version.result_name} — {d.code}")
    pdf.set_keywords(f"motcua-verify:{ctx.token}")
    pdf.national_heading(unit.name)
    pdf.title_block(version.result_name.upper(), f"Mã hồ sơ: {d.code}")
    for basis in version.legal_bases.all():
        pdf.paragraph(f"Căn cứ {basis.title} số {basis.number};")
    pdf.paragraph(f"Xét đề nghị của {d.applicant_name} tại hồ sơ số {d.code},")
    pdf.ln(1)
    pdf.paragraph(f"{unit.name.upper()} CẤP {version.result_name.upper()}", bold=True)
    pdf.field("Tên tổ chức, cá nhân", d.applicant_name)
    label = "Số định danh cá nhân" if d.applicant_kind == "citizen" else "Mã số thuế"
    pdf.field(label, d.applicant_id_number)
    if d.applicant_address:
        pdf.field("Địa chỉ", d.applicant_address)
    for title, value in form_lines(d):
        if value in {d.applicant_name, d.applicant_id_number}:
            continue
        pdf.field(title, value)
    pdf.field("Thủ tục", version.name)
    if ctx.note:
        pdf.paragraph(ctx.note)
    # The signature blocks never split across pages.
    if pdf.get_y() + 75 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(3)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(width, 5, nfc(f"Nơi nhận:\n- {d.applicant_name};\n- Lưu: hồ sơ {d.code}."))
    pdf.set_xy(pdf.l_margin + width, top)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(
        width, 5, nfc(_vn_date(ctx.issued_at)), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_x(pdf.l_margin + width)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(
        width, 6, nfc(f"TM. {unit.name.upper()}"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    box_top = pdf.get_y() + 2
    box_height = 24.0
    page_index = pdf.page_no() - 1  # the signature boxes' page (the QR may start another)
    pdf.set_y(box_top + box_height + 2)
    pdf.set_x(pdf.l_margin + width)
    if ctx.signer_is_leader:
        pdf.cell(width, 6, nfc(ctx.signer_name), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=11)
    pdf.ln(4)
    size = 26.0
    if pdf.get_y() + size + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    qr_top = pdf.get_y()
    pdf.qr(ctx.verification_url, size_mm=size, caption="Quét mã để xác thực")
    pdf.link(pdf.w - pdf.r_margin - size, qr_top, size, size, ctx.verification_url)
    pdf.set_y(qr_top + 2)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(
        pdf.w - pdf.l_margin - pdf.r_margin - size - 14,
        5,
        nfc(
            "Văn bản điện tử có chữ ký số. Kiểm tra tính xác thực, tình trạng thu hồi tại "
            f"{ctx.verification_url}"
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    content = prepare_for_signing(pdf.to_bytes())
    height_pt = pdf.h * MM

    def box(x_mm: float) -> SignatureBox:
        y2 = height_pt - box_top * MM
        y1 = height_pt - (box_top + box_height) * MM
        return SignatureBox(page=page_index, rect=(x_mm * MM, y1, (x_mm + width - 12) * MM, y2))

    return RenderedResult(
        content=content,
        pages=pdf.page_no(),
        personal_box=box(pdf.l_margin + width + 6),
        seal_box=box(pdf.l_margin + 6),
    )


# --- the action -----------------------------------------------------------------------------
def _owner(dossier: Dossier) -> User | None:
    """The applicant's account: the submitting account, else the citizen with that ID."""
    if dossier.applicant_account_id is not None:
        return dossier.applicant_account
    if dossier.applicant_kind == "citizen":
        return User.objects.filter(
            kind=AccountKind.CITIZEN, personal_id=dossier.applicant_id_number, is_active=True
        ).first()
    return None


def _slug(code: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in code)


@dataclass(frozen=True)
class SignedDossierResult:
    dossier: Dossier
    signed: SignedResult
    attachment: DossierAttachment


def dossier_sign_result(*, actor: User, public_id: str, note: str = "") -> SignedDossierResult:
    """Approve (a leader who has not yet), sign and issue the result: result ready."""
    note = (note or "").strip()[:2000]
    written: list[Document] = []
    try:
        with transaction.atomic():
            dossier = access_dossier(actor, public_id, for_update=True)
            if not may_take(actor, dossier, "mark_result_ready"):
                raise PermissionDenied(_("Your role does not allow this action on this dossier."))
            if dossier.status != Status.PROCESSING:
                raise Conflict(
                    _("The dossier is now “%(status)s”: this action is no longer possible.")
                    % {"status": Status(dossier.status).label}
                )
            is_leader = actor_roles(actor).holds(dossier.handling_unit_id, StaffRole.LEADER)
            if not dossier.approved and not is_leader:
                raise DomainError(_("The leader has not approved this dossier yet."))
            unit = dossier.handling_unit
            keys = keys_for(unit=unit, holder=actor)
            if not keys:
                raise SigningRefused(
                    "no_key",
                    _("No signing key is registered for %(unit)s; ask the unit administrator.")
                    % {"unit": unit.name},
                )
            if not dossier.approved:
                dossier = services.dossier_approve(actor=actor, public_id=public_id, note=note)
            token = new_verification_token()
            issued_at = now()
            signer_name = actor.full_name or actor.username
            rendered = template_for(dossier)(
                ResultContext(
                    dossier=dossier,
                    signer_name=signer_name,
                    signer_is_leader=is_leader,
                    note=note,
                    issued_at=issued_at,
                    verification_url=verification_url(token),
                    token=token,
                )
            )
            personal = any(key.purpose == KeyPurpose.PERSONAL for key in keys)
            planned = [
                PlannedSignature(
                    key=key,
                    # The seal sits beside a personal signature, or in its place.
                    box=rendered.seal_box
                    if key.purpose == KeyPurpose.ORGANISATION and personal
                    else rendered.personal_box,
                    lines=(
                        "Ký bởi: "
                        + (signer_name if key.purpose == KeyPurpose.PERSONAL else unit.name),
                    ),
                )
                for key in keys
            ]
            signed_pdf = pdf_sign(
                rendered.content,
                signatures=signature_specs(
                    planned,
                    reason=f"Ban hành kết quả hồ sơ {dossier.code}",
                    location=unit.name,
                ),
                at=issued_at,
            )
            result_name = dossier.procedure_version.result_name
            signed = signed_document_store(
                actor=actor,
                token=token,
                content=signed_pdf,
                kind=SignedKind.RESULT,
                title=f"{result_name} — {dossier.code}",
                filename=f"ket-qua-{_slug(dossier.code or dossier.public_id)}.pdf",
                subject_ref=dossier.code or "",
                unit=unit,
                keys=keys,
                owner=_owner(dossier),
                pages=rendered.pages,
            )
            written.append(signed.document)
            attachment = DossierAttachment.objects.create(
                dossier=dossier, document=signed.document, role=AttachmentRole.RESULT
            )
            dossier = services.dossier_mark_result_ready(actor=actor, public_id=public_id)
    except BaseException:
        discard_files(written)
        raise
    return SignedDossierResult(dossier=dossier, signed=signed, attachment=attachment)
