"""Which certificate authorities motcua trusts, and the pyHanko validation context.

``MOTCUA_SIGNING_TRUST_ROOTS``: PEM/DER files of the trusted root CAs (a list, or one
string separated by commas). Unset in development and tests, the development CA of
``signing-dev-setup`` (``<MOTCUA_SIGNING_DIR>/dev-ca.pem``) is trusted. In production a
certificate marked development-only is never trusted, whatever the setting says.

Verification does not fetch anything from the network (no AIA, CRL or OCSP
downloads): a page a citizen opens must not make the server call URLs chosen by
whoever made the PDF. Revocation of results is motcua's own register.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import structlog
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from pyhanko_certvalidator import ValidationContext

from motcua.core.clock import now
from motcua.signatures.devca import CA_CERT_FILE, is_development

log = structlog.get_logger(__name__)


def signing_dir() -> Path:
    configured = getattr(settings, "MOTCUA_SIGNING_DIR", "")
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", "var")) / "signing"


def is_local() -> bool:
    return getattr(settings, "ENVIRONMENT", "production") in {"development", "test"}


def trust_root_paths() -> list[Path]:
    configured = getattr(settings, "MOTCUA_SIGNING_TRUST_ROOTS", None)
    if isinstance(configured, str):
        configured = [p.strip() for p in configured.split(",") if p.strip()]
    if configured:
        return [Path(p) for p in configured]
    if is_local():
        dev = signing_dir() / CA_CERT_FILE
        return [dev] if dev.exists() else []
    return []


def _load(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


@functools.lru_cache(maxsize=8)
def _roots(key: tuple[tuple[str, float], ...], local: bool) -> tuple[asn1_x509.Certificate, ...]:
    roots: list[asn1_x509.Certificate] = []
    for path, _mtime in key:
        try:
            certificates = _load(Path(path))
        except (OSError, ValueError):
            log.warning("signing.trust_root_unreadable", path=path)
            continue
        for certificate in certificates:
            if is_development(certificate) and not local:
                log.warning("signing.development_root_ignored", path=path)
                continue
            roots.append(asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)))
    return tuple(roots)


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    key = []
    for path in trust_root_paths():
        try:
            key.append((str(path), path.stat().st_mtime))
        except OSError:
            log.warning("signing.trust_root_missing", path=str(path))
    return _roots(tuple(key), is_local())


def validation_context(*, moment: datetime | None = None) -> ValidationContext:
    """A fresh context (it caches per validation) trusting exactly our roots, offline,
    validating at ``moment`` (default: now, by motcua's one clock)."""
    return ValidationContext(
        trust_roots=list(trust_roots()),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment or now(),
    )
