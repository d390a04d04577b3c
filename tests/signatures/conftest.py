"""Fixtures of the signing tests (defined in ``fixtures`` so other test packages reuse them)."""

from tests.dossiers.conftest import world
from tests.signatures.fixtures import nssdir, pki, signing, softhsm, storage

__all__ = ["nssdir", "pki", "signing", "softhsm", "storage", "world"]
