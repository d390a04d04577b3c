"""A development certificate authority: certificates with NO legal value.

``motcua signing-dev-setup`` (run by ``make run``) uses this module to create, under
``var/signing/``, a self-signed CA and one certificate per unit (and per leader or
one-stop officer), so results can be signed and verified on a laptop. Every name it
issues carries ``DEVELOPMENT ONLY`` in its organisational unit, the verification page
says so, and the command refuses to run in production.

Real deployments use certificates from a licensed Vietnamese CA (for state agencies,
the Government Cipher Committee's CA) in PKCS#12 files or on PKCS#11 tokens.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

DEV_MARK = "DEVELOPMENT ONLY - KHONG CO GIA TRI PHAP LY"
CA_COMMON_NAME = "motcua Development CA"
CA_CERT_FILE = "dev-ca.pem"
CA_KEY_FILE = "dev-ca.key.pem"
README = """DEVELOPMENT ONLY — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ

The certificate authority and the keys in this folder were generated on this machine
by `motcua signing-dev-setup` so that motcua can sign and verify documents in
development. They have no legal value. Never trust dev-ca.pem outside development,
never copy these keys to a server.
"""

KeyType = rsa.RSAPrivateKey


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: KeyType


def new_key() -> KeyType:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_ca(*, common_name: str = CA_COMMON_NAME, years: int = 10) -> Issued:
    key = new_key()
    name = _name(common_name, "motcua")
    start = _now() - dt.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue(
    ca: Issued,
    *,
    common_name: str,
    organisation: str,
    key: KeyType | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    """A signing certificate (digital signature + non-repudiation) from ``ca``."""
    key = key or new_key()
    start = not_before or (_now() - dt.timedelta(days=1))
    end = not_after or (start + dt.timedelta(days=3 * 365))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(certificate, key)


def pkcs12_bytes(
    *, key: KeyType, certificate: x509.Certificate, chain: list[x509.Certificate], passphrase: str
) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"motcua",
        key,
        certificate,
        chain,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def load_or_create_ca(directory: Path) -> tuple[Issued, bool]:
    """The CA kept in ``directory`` (created with its README the first time)."""
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return Issued(certificate, key), False
    ca = create_ca()
    directory.mkdir(parents=True, exist_ok=True)
    write_private(
        key_path,
        ca.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "README-DEVELOPMENT-ONLY.txt").write_text(README, encoding="utf-8")
    return ca, True


def is_development(certificate: x509.Certificate) -> bool:
    return any(
        a.value == DEV_MARK
        for a in certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    )
