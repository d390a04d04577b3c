"""Keys on a PKCS#11 token or HSM (a USB token, a network HSM, SoftHSM2 in tests).

``config``: ``{"token": "UNIT-H01", "key_label": "seal", "cert_label": "seal",
"pin": "env:UNIT_H01_PIN"}`` (``cert_label`` defaults to ``key_label``).

The PKCS#11 module is not part of a key's settings: it is the deployment's
``MOTCUA_PKCS11_MODULE`` (default ``/usr/lib/softhsm/libsofthsm2.so``), so that no
administrator screen can make the server load an arbitrary library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Error, PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import Signer

from motcua.signatures.errors import SigningRefused
from motcua.signatures.providers.base import SigningProvider, resolve_secret

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def pkcs11_module() -> str:
    return str(getattr(settings, "MOTCUA_PKCS11_MODULE", "") or DEFAULT_MODULE)


class Pkcs11Provider(SigningProvider):
    name = "pkcs11"
    thread_safe = False

    def config_errors(self, config: Mapping[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for name in ("token", "key_label"):
            if not str(config.get(name) or "").strip():
                errors[name] = [_("This field is required.")]
        if not str(config.get("pin") or "").startswith(("env:", "file:")):
            errors["pin"] = [
                _("Give the PIN as env:VARIABLE or file:/path, never the secret itself.")
            ]
        return errors

    def load(self, config: Mapping[str, Any]) -> Signer:
        import pkcs11.exceptions

        token = str(config.get("token") or "")
        key_label = str(config.get("key_label") or "")
        cert_label = str(config.get("cert_label") or key_label)
        pin = resolve_secret(str(config.get("pin") or ""), what=_("PIN"))
        module = pkcs11_module()
        try:
            session = open_pkcs11_session(
                module, token_criteria=TokenCriteria(label=token), user_pin=pin
            )
        except (pkcs11.exceptions.PinIncorrect, pkcs11.exceptions.PinLenRange):
            raise SigningRefused(
                "key_unavailable",
                _("The token %(token)s refused the PIN.") % {"token": token},
            ) from None
        except (PKCS11Error, pkcs11.exceptions.PKCS11Error, OSError, RuntimeError):
            raise SigningRefused(
                "key_unavailable",
                _("The token %(token)s is not available (module %(module)s).")
                % {"token": token, "module": module},
            ) from None
        signer = PKCS11Signer(session, cert_label=cert_label, key_label=key_label)
        try:
            # Reading the certificate loads the key handle too (both must exist).
            if signer.signing_cert is None:
                raise PKCS11Error("no certificate")
        except (PKCS11Error, pkcs11.exceptions.PKCS11Error):
            session.close()
            raise SigningRefused(
                "key_unavailable",
                _("The token %(token)s holds no key “%(key)s” with a certificate “%(cert)s”.")
                % {"token": token, "key": key_label, "cert": cert_label},
            ) from None
        return signer

    def close(self, signer: Signer) -> None:
        if isinstance(signer, PKCS11Signer):
            signer.pkcs11_session.close()
