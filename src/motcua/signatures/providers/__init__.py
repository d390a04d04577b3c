"""Signature providers: where a signing key lives, behind one typed interface.

A provider turns a ``SigningKey``'s ``config`` into a pyHanko ``Signer``. Two ship
with motcua — ``pkcs12`` (a key file) and ``pkcs11`` (a hardware token or HSM, SoftHSM
in tests) — and a remote signing service is a third one: a subclass of
``SigningProvider`` whose ``load`` returns a pyHanko ``ExternalSigner`` (or any
``Signer``) that calls the service, registered with ``registry.register``.
"""

from motcua.signatures.providers.base import (
    ProviderRegistry,
    SigningProvider,
    registry,
    resolve_secret,
)

__all__ = ["ProviderRegistry", "SigningProvider", "registry", "resolve_secret"]
