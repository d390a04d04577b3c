"""Build an NSS database that trusts one CA, for poppler's ``pdfsig -nssdir``.

Debian's NSS command-line tools (``certutil``) are not needed: this calls libnss3
(which poppler itself links) through ctypes, the way ``certutil -A -t CT,C,C`` does.
Run it in a separate process (``python -m tests.signatures.nssdb DIR CA.pem``) so the
test process never loads NSS.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization


class _SECItem(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("data", ctypes.c_char_p), ("len", ctypes.c_uint)]


class _CertTrust(ctypes.Structure):
    _fields_ = [
        ("sslFlags", ctypes.c_uint),
        ("emailFlags", ctypes.c_uint),
        ("objectSigningFlags", ctypes.c_uint),
    ]


def build(directory: Path, ca_pem: Path, nickname: str = "motcua-test-ca") -> None:
    der = x509.load_pem_x509_certificate(ca_pem.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )
    directory.mkdir(parents=True, exist_ok=True)
    nss = ctypes.CDLL(ctypes.util.find_library("nss3") or "libnss3.so")
    nss.NSS_InitReadWrite.argtypes = [ctypes.c_char_p]
    nss.CERT_GetDefaultCertDB.restype = ctypes.c_void_p
    nss.CERT_NewTempCertificate.restype = ctypes.c_void_p
    nss.CERT_NewTempCertificate.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(_SECItem),
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_int,
    ]
    nss.PK11_GetInternalKeySlot.restype = ctypes.c_void_p
    nss.PK11_NeedUserInit.argtypes = [ctypes.c_void_p]
    nss.PK11_InitPin.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    nss.PK11_ImportCert.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    nss.CERT_DecodeTrustString.argtypes = [ctypes.POINTER(_CertTrust), ctypes.c_char_p]
    nss.CERT_ChangeCertTrust.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.POINTER(_CertTrust),
    ]
    nss.PK11_FreeSlot.argtypes = [ctypes.c_void_p]
    nss.CERT_DestroyCertificate.argtypes = [ctypes.c_void_p]

    if nss.NSS_InitReadWrite(f"sql:{directory}".encode()) != 0:
        raise RuntimeError("NSS_InitReadWrite failed")
    item = _SECItem(0, der, len(der))
    cert = nss.CERT_NewTempCertificate(nss.CERT_GetDefaultCertDB(), ctypes.byref(item), None, 0, 1)
    if not cert:
        raise RuntimeError("CERT_NewTempCertificate failed")
    slot = nss.PK11_GetInternalKeySlot()
    if nss.PK11_NeedUserInit(slot) and nss.PK11_InitPin(slot, None, b"") != 0:
        raise RuntimeError("PK11_InitPin failed")
    if nss.PK11_ImportCert(slot, cert, 0, nickname.encode(), 0) != 0:
        raise RuntimeError("PK11_ImportCert failed")
    trust = _CertTrust()
    if nss.CERT_DecodeTrustString(ctypes.byref(trust), b"CT,C,C") != 0:
        raise RuntimeError("CERT_DecodeTrustString failed")
    if nss.CERT_ChangeCertTrust(nss.CERT_GetDefaultCertDB(), cert, ctypes.byref(trust)) != 0:
        raise RuntimeError("CERT_ChangeCertTrust failed")
    nss.PK11_FreeSlot(slot)
    nss.CERT_DestroyCertificate(cert)
    if nss.NSS_Shutdown() != 0:
        raise RuntimeError("NSS_Shutdown failed")


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
