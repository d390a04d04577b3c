"""Verification of a PDF: are its signatures intact and trusted, is it the file motcua
registered, has it been revoked? Read-only: nothing is written.

``pdf_verify(data)`` answers with a ``VerificationReport``:

* for every embedded signature: whether the signed bytes are unchanged (``intact``),
  the cryptography holds (``valid``), the certificate chains to a CA motcua trusts
  (``trusted``), whether the file was changed after signing beyond adding further
  signatures (``modified_after``), who signed (certificate subject, serial, issuer,
  validity; the unit when the certificate is one of motcua's registered keys) and
  whether the certificate is development-only;
* whether this exact file (same SHA-256) is in motcua's register of signed documents,
  and if so whether it was revoked, when and why;
* when the file is not registered but names a registered document (its metadata carry
  the verification code of the QR), that document — "this claims to be X but is not
  the file motcua issued";
* one ``verdict`` summing it up.

A registered file is validated at the time motcua recorded its signing (the register
is our own evidence), so a certificate that expired since does not make an old result
look invalid; any other file is validated now.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import structlog
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel

from motcua.core.clock import now
from motcua.signatures.devca import is_development
from motcua.signatures.models import SignedResult, SigningKey
from motcua.signatures.trust import validation_context

log = structlog.get_logger(__name__)
# pyHanko logs every untrusted or broken signature it validates as an error with a
# traceback; for uploads by the public that is expected input, and the report says it.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko.sign.diff_analysis").setLevel(logging.CRITICAL)

TOKEN_IN_KEYWORDS = re.compile(r"motcua-verify:([A-Za-z0-9_-]{16,32})")
KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


class Verdict(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    ALTERED = "altered"
    UNTRUSTED = "untrusted"
    NOT_REGISTERED = "not_registered"
    UNSIGNED = "unsigned"
    ENCRYPTED = "encrypted"
    UNREADABLE = "unreadable"


VERDICT_LABELS = {
    Verdict.VALID: _("Valid: signed, unchanged and registered"),
    Verdict.REVOKED: _("Revoked"),
    Verdict.ALTERED: _("Altered after signing"),
    Verdict.UNTRUSTED: _("Signed with an untrusted certificate"),
    Verdict.NOT_REGISTERED: _("Signed, but not a document motcua issued"),
    Verdict.UNSIGNED: _("Not signed"),
    Verdict.ENCRYPTED: _("Encrypted: cannot be checked"),
    Verdict.UNREADABLE: _("Not a readable PDF"),
}


@dataclass(frozen=True)
class SignatureReport:
    field_name: str
    intact: bool
    valid: bool
    trusted: bool
    modified_after: bool
    covers_whole_file: bool
    signer_name: str = ""
    organisation: str = ""
    subject: str = ""
    issuer: str = ""
    serial: str = ""
    fingerprint: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    signed_at: datetime | None = None
    development_only: bool = False
    unit_name: str = ""
    unit_code: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.modified_after


@dataclass
class VerificationReport:
    sha256: str
    size: int
    readable: bool = True
    encrypted: bool = False
    signatures: list[SignatureReport] = field(default_factory=list)
    registered: SignedResult | None = None
    claimed: SignedResult | None = None
    expected: SignedResult | None = None

    @property
    def revoked(self) -> bool:
        return self.registered is not None and self.registered.revoked

    @property
    def matches_expected(self) -> bool | None:
        """With a verification code given: is this file the one registered under it?"""
        if self.expected is None:
            return None
        return self.registered is not None and self.registered.pk == self.expected.pk

    @property
    def development_only(self) -> bool:
        return any(s.development_only for s in self.signatures)

    @property
    def verdict(self) -> Verdict:
        if self.encrypted:
            return Verdict.ENCRYPTED
        if not self.readable:
            return Verdict.UNREADABLE
        if not self.signatures:
            return Verdict.ALTERED if self.claimed is not None else Verdict.UNSIGNED
        if any(not s.intact or not s.valid or s.modified_after for s in self.signatures):
            return Verdict.ALTERED
        if any(not s.trusted for s in self.signatures):
            return Verdict.UNTRUSTED
        if self.registered is None:
            return Verdict.ALTERED if self.claimed is not None else Verdict.NOT_REGISTERED
        if self.revoked:
            return Verdict.REVOKED
        return Verdict.VALID

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _signature_report(embedded, moment: datetime | None) -> SignatureReport:  # type: ignore[no-untyped-def]
    field_name = str(embedded.field_name or "")
    try:
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=validation_context(moment=moment),
            key_usage_settings=KEY_USAGE,
        )
    except Exception as exc:  # a malformed signature container is a broken signature
        log.info("signing.verify_signature_unreadable", error=type(exc).__name__)
        return SignatureReport(
            field_name=field_name,
            intact=False,
            valid=False,
            trusted=False,
            modified_after=True,
            covers_whole_file=False,
            problem=str(_("The signature data cannot be read.")),
        )
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    level = status.modification_level
    modified_after = level is not None and level > ModificationLevel.FORM_FILLING
    key = (
        SigningKey.objects.select_related("unit")
        .filter(fingerprint=fingerprint)
        .order_by("-created_at")
        .first()
    )
    problem = ""
    if not status.intact:
        problem = str(_("The signed content was changed after signing."))
    elif not status.valid:
        problem = str(_("The signature does not match the signed content."))
    elif modified_after:
        problem = str(_("The file was changed after signing (beyond adding signatures)."))
    elif not status.trusted and certificate.not_valid_after_utc <= (moment or now()):
        problem = str(_("The certificate had expired at the time of checking."))
    elif not status.trusted:
        problem = str(_("The certificate was not issued by a certification authority we trust."))
    return SignatureReport(
        field_name=field_name,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        modified_after=modified_after,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_name=_name_part(certificate.subject, x509.NameOID.COMMON_NAME),
        organisation=_name_part(certificate.subject, x509.NameOID.ORGANIZATION_NAME),
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=format(certificate.serial_number, "X"),
        fingerprint=fingerprint,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        signed_at=status.signer_reported_dt,
        development_only=is_development(certificate),
        unit_name=key.unit.name if key else "",
        unit_code=key.unit.code if key else "",
        problem=problem,
    )


def _claimed_token(reader: PdfFileReader) -> str | None:
    try:
        info = reader.trailer["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except (KeyError, PdfError, TypeError, AttributeError):
        return None
    match = TOKEN_IN_KEYWORDS.search(keywords)
    return match[1] if match else None


def result_by_token(token: str) -> SignedResult | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,32}", token or ""):
        return None
    return (
        SignedResult.objects.select_related("unit", "document")
        .prefetch_related("keys")
        .filter(token=token)
        .first()
    )


def pdf_verify(data: bytes, *, token: str | None = None) -> VerificationReport:
    """Check ``data`` (a PDF someone holds); ``token``: the code its QR claims to have."""
    digest = hashlib.sha256(data).hexdigest()
    report = VerificationReport(sha256=digest, size=len(data))
    report.expected = result_by_token(token) if token else None
    report.registered = (
        SignedResult.objects.select_related("unit", "document", "revoked_by")
        .filter(sha256=digest)
        .order_by("signed_at")
        .first()
    )
    if data.lstrip()[:5] != b"%PDF-":
        report.readable = False
        return report
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            report.encrypted = True
            return report
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError, AttributeError):
        report.readable = False
        return report
    if report.registered is None:
        claimed = _claimed_token(reader)
        report.claimed = result_by_token(claimed) if claimed else None
    moment = report.registered.signed_at if report.registered else None
    report.signatures = [_signature_report(sig, moment) for sig in embedded]
    return report
