"""PAdES signing of a PDF with a visible signature appearance (pyHanko).

``pdf_sign(pdf, signatures=[SignatureSpec(...), ...])`` applies one or more PAdES
baseline signatures (``ETSI.CAdES.detached``), each in its own incremental update, so
a leader's personal signature and the unit's organisation seal can both sit on a
result. It writes nothing anywhere: it returns the signed bytes or raises
``SigningRefused`` with a clear message, before anything is signed:

* the PDF is damaged or encrypted (``pdf_damaged``, ``pdf_encrypted``);
* the key cannot be opened (``key_unavailable``, ``key_config``);
* the certificate has expired or is not valid yet (``certificate_expired``,
  ``certificate_not_yet_valid``), or does not chain to a trusted CA
  (``certificate_untrusted``), or is not for signing (``certificate_usage``);
* the private key does not match the certificate (``key_mismatch``): a probe is
  signed with the key and checked with the certificate's public key.

The appearance text is drawn with the embedded DejaVu font, so Vietnamese names show
exactly in every reader.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
)

from motcua.core.clock import VIETNAM, now
from motcua.core.pdf import FONT_DIR, nfc
from motcua.signatures.errors import SigningRefused
from motcua.signatures.providers import registry
from motcua.signatures.trust import validation_context

logging.getLogger("fontTools").setLevel(logging.ERROR)

FONT_FILE = FONT_DIR / "DejaVuSans.ttf"
# What a signature appearance may contain: Latin with every Vietnamese letter, digits,
# punctuation. Subsetting the whole DejaVu font for every signature costs more than the
# signature itself, so the appearance uses this subset, made once per machine.
APPEARANCE_CHARACTERS = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *range(0x1A0, 0x1B1),
    *range(0x300, 0x324),
    *range(0x1EA0, 0x1EFA),
    *range(0x2010, 0x2027),
    0x2030,
    0x20AB,
]
_font_lock = threading.Lock()


def appearance_font() -> str:
    """A DejaVu subset for appearances, cached in the temporary folder (per font version)."""
    source = FONT_FILE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"motcua-appearance-1000-{digest}.ttf"
    if path.exists():
        return str(path)
    with _font_lock:
        if path.exists():
            return str(path)
        from fontTools import subset
        from fontTools.ttLib.scaleUpem import scale_upem

        options = subset.Options()
        options.hinting = False
        options.drop_tables += ["FFTM", "DSIG"]
        options.layout_features = ["*"]
        font = subset.load_font(str(FONT_FILE), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=APPEARANCE_CHARACTERS)
        subsetter.subset(font)
        # pyHanko writes glyph widths in font units where PDF expects thousandths of an
        # em: with DejaVu's 2048 units per em the letters would stand twice too far apart.
        scale_upem(font, 1000)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        subset.save_font(font, str(partial), options)
        os.replace(partial, path)  # atomic: concurrent processes never read half a file
    return str(path)


# Either usage suffices: CAs issue signing certificates with one or both.
SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})


@dataclass(frozen=True)
class SignatureBox:
    """Where the visible signature goes: page (0-based, -1 the last) and a rectangle in
    PDF points from the bottom-left corner (x1, y1, x2, y2)."""

    page: int
    rect: tuple[float, float, float, float]


@dataclass(frozen=True)
class SignatureSpec:
    provider: str
    config: Mapping[str, Any]
    field_name: str
    reason: str = ""
    location: str = ""
    box: SignatureBox | None = None
    # Lines of the visible appearance (Vietnamese); the signing time is added last.
    lines: Sequence[str] = field(default_factory=tuple)


def _refuse_pdf_problem(exc: Exception | None = None) -> SigningRefused:
    return SigningRefused(
        "pdf_damaged",
        _("The PDF is damaged or incomplete and cannot be signed; export it again and retry."),
        field="file",
    )


def open_for_signing(pdf: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over ``pdf``; damaged or encrypted input is refused clearly."""
    if pdf.lstrip()[:5] != b"%PDF-":
        raise _refuse_pdf_problem()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        raise _refuse_pdf_problem(exc) from None
    if writer.prev.encrypted:
        raise SigningRefused(
            "pdf_encrypted",
            _("The PDF is encrypted; remove the protection before it can be signed."),
            field="file",
        )
    try:
        if writer.root["/Pages"]["/Count"] < 1:
            raise _refuse_pdf_problem()
    except (PdfError, KeyError, TypeError) as exc:
        raise _refuse_pdf_problem(exc) from None
    return writer


def annotations_indirect(document: Any) -> None:
    """Make every page's annotations indirect objects (in a pikepdf document).

    Generators write link annotations inline in ``/Annots``; a later signature field
    added to that array would then look to validators like a suspicious change of the
    signed page. With indirect annotations, adding a signature is a clean form change.
    """
    import pikepdf

    for page in document.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        page.obj["/Annots"] = pikepdf.Array(
            [a if a.is_indirect else document.make_indirect(a) for a in annots]
        )


def prepare_for_signing(pdf: bytes, *, keywords: str = "") -> bytes:
    """``pdf`` rewritten so signatures can be added cleanly (see ``annotations_indirect``)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        annotations_indirect(document)
        if keywords:
            document.docinfo["/Keywords"] = keywords
        out = io.BytesIO()
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _cryptography_cert(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def _probe_matches(signer: signers.Signer, certificate: x509.Certificate) -> bool:
    """Sign a probe with the private key and check it with the certificate's public key."""
    probe = b"motcua key/certificate match probe"
    try:
        raw = asyncio.run(signer.async_sign_raw(probe, "sha256"))
    except Exception:  # a token refusing the mechanism says the same: unusable key
        return False
    public = certificate.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(raw, probe, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(raw, probe, ec.ECDSA(hashes.SHA256()))
        else:
            public.verify(raw, probe)  # type: ignore[call-arg,union-attr]
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _format(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y")


def check_signer(signer: signers.Signer, *, at: datetime | None = None) -> x509.Certificate:
    """The signer's certificate if it may sign now; ``SigningRefused`` otherwise."""
    moment = at or now()
    asn1_cert = signer.signing_cert
    if asn1_cert is None:
        raise SigningRefused("key_unavailable", _("This key has no certificate."))
    certificate = _cryptography_cert(asn1_cert)
    if certificate.not_valid_after_utc <= moment:
        raise SigningRefused(
            "certificate_expired",
            _(
                "The certificate “%(name)s” expired on %(date)s; renew it with the "
                "certification authority before signing."
            )
            % {"name": _common_name(certificate), "date": _format(certificate.not_valid_after_utc)},
        )
    if certificate.not_valid_before_utc > moment:
        raise SigningRefused(
            "certificate_not_yet_valid",
            _("The certificate “%(name)s” is valid only from %(date)s.")
            % {
                "name": _common_name(certificate),
                "date": _format(certificate.not_valid_before_utc),
            },
        )
    validator = CertificateValidator(
        asn1_cert,
        intermediate_certs=list(signer.cert_registry),
        validation_context=validation_context(moment=moment),
    )
    try:
        asyncio.run(validator.async_validate_usage(set(), extended_optional=True))
    except (ExpiredError, NotYetValidError):
        raise SigningRefused(
            "certificate_expired",
            _("A certificate of the chain of “%(name)s” is outside its validity period.")
            % {"name": _common_name(certificate)},
        ) from None
    except PathBuildingError:
        raise SigningRefused(
            "certificate_untrusted",
            _(
                "The certificate “%(name)s” was not issued by a certification authority "
                "motcua trusts; signatures with it could not be verified."
            )
            % {"name": _common_name(certificate)},
        ) from None
    except (PathValidationError, InvalidCertificateError):
        raise SigningRefused(
            "certificate_untrusted",
            _("The certificate “%(name)s” did not pass validation.")
            % {"name": _common_name(certificate)},
        ) from None
    usage = _key_usages(certificate)
    if usage is not None and not (usage & SIGNING_KEY_USAGES):
        raise SigningRefused(
            "certificate_usage",
            _("The certificate “%(name)s” is not meant for signing documents.")
            % {"name": _common_name(certificate)},
        )
    if not _probe_matches(signer, certificate):
        raise SigningRefused(
            "key_mismatch",
            _(
                "The private key does not belong to the certificate “%(name)s”; check the "
                "key file or the token's labels."
            )
            % {"name": _common_name(certificate)},
        )
    return certificate


def _key_usages(certificate: x509.Certificate) -> set[str] | None:
    try:
        ku = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    found = set()
    if ku.digital_signature:
        found.add("digital_signature")
    if ku.content_commitment:
        found.add("non_repudiation")
    return found


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def _stamp_style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(appearance_font()), font_size=8),
        border_width=1,
        background=None,
    )


def _sign_one(pdf: bytes, spec: SignatureSpec, moment: datetime) -> bytes:
    writer = open_for_signing(pdf)
    with registry.signer(spec.provider, spec.config) as signer:
        check_signer(signer, at=moment)
        meta = signers.PdfSignatureMetadata(
            field_name=spec.field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=nfc(spec.reason) or None,
            location=nfc(spec.location) or None,
        )
        field_spec = None
        if spec.box is not None:
            pages = int(writer.root["/Pages"]["/Count"])
            page = spec.box.page if spec.box.page >= 0 else pages + spec.box.page
            field_spec = fields.SigFieldSpec(
                spec.field_name,
                on_page=page,
                box=tuple(round(v) for v in spec.box.rect),  # type: ignore[arg-type]
            )
        lines = [nfc(line) for line in spec.lines if line]
        lines.append(f"Thời gian ký: {moment.astimezone(VIETNAM):%H:%M:%S %d/%m/%Y}")
        pdf_signer = signers.PdfSigner(
            meta,
            signer,
            stamp_style=_stamp_style() if spec.box is not None else None,
            new_field_spec=field_spec,
        )
        try:
            out = pdf_signer.sign_pdf(writer, appearance_text_params={"lines": "\n".join(lines)})
        except SigningError as exc:
            raise SigningRefused(
                "signing_failed",
                _("The signature could not be made: %(reason)s") % {"reason": exc},
            ) from None
        except (PdfError, KeyError, TypeError) as exc:
            raise _refuse_pdf_problem(exc) from None
    return bytes(out.getvalue())


def pdf_sign(
    pdf: bytes, *, signatures: Sequence[SignatureSpec], at: datetime | None = None
) -> bytes:
    """``pdf`` with every signature of ``signatures`` applied in order."""
    if not signatures:
        raise SigningRefused("no_key", _("No signing key was given."))
    moment = at or now()
    signed = pdf
    for spec in signatures:
        signed = _sign_one(signed, spec, moment)
    return signed


def certificate_of(provider: str, config: Mapping[str, Any]) -> x509.Certificate:
    """The certificate of a key, after checking the key can sign now (used at registration)."""
    with registry.signer(provider, config) as signer:
        return check_signer(signer)
