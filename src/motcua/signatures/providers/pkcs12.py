"""Keys in PKCS#12 files (``.p12`` / ``.pfx``), as licensed CAs deliver software certificates.

``config``: ``{"path": "/etc/motcua/keys/unit.p12", "passphrase": "env:UNIT_P12_PASS"}``
(the passphrase may also be ``file:/path``; omit it for an unprotected file).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asn1crypto import keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils.translation import gettext as _
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from motcua.signatures.errors import SigningRefused
from motcua.signatures.providers.base import SigningProvider, resolve_secret


class _LoadedKeySigner(SimpleSigner):
    """A ``SimpleSigner`` that keeps the private key loaded.

    pyHanko's ``SimpleSigner`` parses the key from DER on every signature, which for an
    RSA key (validated on load) costs more than the signature itself.
    """

    def __init__(self, key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaded_key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            return super().sign_raw(data, digest_algorithm)
        key = self._loaded_key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)


class Pkcs12Provider(SigningProvider):
    name = "pkcs12"
    thread_safe = True

    def config_errors(self, config: Mapping[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if not str(config.get("path") or "").strip():
            errors["path"] = [_("Give the path of the PKCS#12 file.")]
        secret = config.get("passphrase")
        if secret and not str(secret).startswith(("env:", "file:")):
            errors["passphrase"] = [
                _("Give the passphrase as env:VARIABLE or file:/path, never the secret itself.")
            ]
        return errors

    def cache_token(self, config: Mapping[str, Any]) -> str:
        try:
            info = Path(str(config.get("path") or "")).stat()
        except OSError:
            return ""
        return f":{info.st_mtime_ns}:{info.st_size}"

    def load(self, config: Mapping[str, Any]) -> SimpleSigner:
        path = Path(str(config.get("path") or ""))
        try:
            data = path.read_bytes()
        except OSError:
            raise SigningRefused(
                "key_unavailable",
                _("The key file %(path)s cannot be read.") % {"path": path},
            ) from None
        reference = config.get("passphrase")
        passphrase = resolve_secret(str(reference), what=_("passphrase")) if reference else None
        try:
            key, certificate, others = pkcs12.load_key_and_certificates(
                data, passphrase.encode() if passphrase else None
            )
        except ValueError:
            raise SigningRefused(
                "key_unavailable",
                _(
                    "The key file %(path)s cannot be opened: the passphrase is wrong or the "
                    "file is not a PKCS#12 key."
                )
                % {"path": path},
            ) from None
        if key is None:
            raise SigningRefused(
                "key_unavailable",
                _("The key file %(path)s holds no private key.") % {"path": path},
            )
        if certificate is None:
            # OpenSSL pairs a key with the certificate of the same public key; a file
            # whose only certificate belongs to another key yields none.
            raise SigningRefused(
                "key_mismatch" if others else "key_unavailable",
                _(
                    "The key file %(path)s holds no certificate for its private key: the "
                    "private key does not belong to the certificate in the file."
                )
                % {"path": path}
                if others
                else _("The key file %(path)s holds no certificate.") % {"path": path},
            )
        der = serialization.Encoding.DER
        return _LoadedKeySigner(
            key,
            signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
            signing_key=keys.PrivateKeyInfo.load(
                key.private_bytes(
                    der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(c.public_bytes(der)) for c in others]
            ),
        )
