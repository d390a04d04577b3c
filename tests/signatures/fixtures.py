"""Real keys for signing tests: a test CA, PKCS#12 files, a SoftHSM2 token, an NSS
database for poppler's ``pdfsig``. Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from motcua.core.pdf import FONT_DIR, OfficialPdf
from motcua.signatures import devca
from motcua.signatures.providers import registry

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "motcua-test"
TOKEN_PIN = "246810"


@dataclass
class Pki:
    root: Path
    ca: devca.Issued
    ca_pem: Path
    rogue: devca.Issued
    made: dict[str, dict[str, str]] = field(default_factory=dict)

    def issue(
        self,
        common_name: str,
        *,
        organisation: str = "UBND phường Hoàn Kiếm",
        ca: devca.Issued | None = None,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> devca.Issued:
        return devca.issue(
            ca or self.ca,
            common_name=common_name,
            organisation=organisation,
            not_before=not_before,
            not_after=not_after,
        )

    def p12(
        self,
        name: str,
        issued: devca.Issued | None = None,
        *,
        key: rsa.RSAPrivateKey | None = None,
        passphrase: str = "mat-khau-thu-nghiem",  # noqa: S107 — a test key's passphrase
    ) -> dict[str, str]:
        """A PKCS#12 file and its config; ``key``: a file pairing another private key with
        the certificate (the tools refuse to make one, so it is assembled by hand)."""
        issued = issued or self.issue(name)
        keys = self.root / "keys"
        path, secret = keys / f"{name}.p12", keys / f"{name}.pass"
        if key is None:
            data = devca.pkcs12_bytes(
                key=issued.key,
                certificate=issued.certificate,
                chain=[self.ca.certificate],
                passphrase=passphrase,
            )
            devca.write_private(secret, passphrase.encode())
            devca.write_private(path, data)
            return {"path": str(path), "passphrase": f"file:{secret}"}
        devca.write_private(path, _unprotected_p12(key, issued.certificate))
        return {"path": str(path)}


def _unprotected_p12(key: rsa.RSAPrivateKey, certificate: Any) -> bytes:
    """A PKCS#12 whose key bag and certificate bag claim to belong together."""
    from asn1crypto import cms, keys, pkcs12
    from asn1crypto import x509 as asn1_x509

    pair = pkcs12.Attributes([{"type": "local_key_id", "values": [b"\x01"]}])
    key_info = keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    bags = pkcs12.SafeContents(
        [
            pkcs12.SafeBag({"bag_id": "key_bag", "bag_value": key_info, "bag_attributes": pair}),
            pkcs12.SafeBag(
                {
                    "bag_id": "cert_bag",
                    "bag_value": pkcs12.CertBag({"cert_id": "x509", "cert_value": cert}),
                    "bag_attributes": pair,
                }
            ),
        ]
    )
    safe = pkcs12.AuthenticatedSafe(
        [cms.ContentInfo({"content_type": "data", "content": bags.dump()})]
    )
    return pkcs12.Pfx(
        {
            "version": "v3",
            "auth_safe": cms.ContentInfo({"content_type": "data", "content": safe.dump()}),
        }
    ).dump()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = tmp_path_factory.mktemp("signing")
    ca, _created = devca.load_or_create_ca(root)
    rogue = devca.create_ca(common_name="Someone else's CA")
    return Pki(root=root, ca=ca, ca_pem=root / devca.CA_CERT_FILE, rogue=rogue)


@pytest.fixture
def signing(settings: Any, pki: Pki) -> Iterator[Pki]:
    """Settings pointing at the test CA (trusted) and its keys; no cached signers."""
    settings.MOTCUA_SIGNING_DIR = str(pki.root)
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(pki.ca_pem)]
    settings.PUBLIC_URL = "https://dichvucong.example.vn"
    registry.clear()
    yield pki
    registry.clear()


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    """The default storage in a fresh folder, so a test can see what was (not) stored."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- poppler ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def nssdir(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NSS database trusting the test CA (as ``certutil -A -t CT,C,C`` would make)."""
    directory = tmp_path_factory.mktemp("nssdb")
    subprocess.run(
        [sys.executable, "-m", "tests.signatures.nssdb", str(directory), str(pki.ca_pem)],
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
    )
    return directory


def pdfsig(pdf: bytes, nssdir: Path, tmp: Path) -> str:
    path = tmp / "checked.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nssdir}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout + done.stderr


def pdfsig_verdicts(output: str) -> list[tuple[str, str]]:
    """(signature validation, certificate validation) per signature, as pdfsig says."""
    signatures = re.findall(r"Signature Validation: ([^\n]*)", output)
    certificates = re.findall(r"Certificate Validation: ([^\n]*)", output)
    certificates += [""] * (len(signatures) - len(certificates))
    return list(zip(signatures, certificates, strict=True))


def pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "text.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


# --- documents --------------------------------------------------------------------------------
def sample_pdf(title: str = "Giấy xác nhận tình trạng hôn nhân") -> bytes:
    pdf = OfficialPdf(title=title)
    pdf.national_heading("Ủy ban nhân dân phường Hoàn Kiếm")
    pdf.title_block(title.upper(), "Mã hồ sơ: H01.00070-261123-0001")
    pdf.field("Họ và tên", "Nguyễn Thị Lan")
    pdf.paragraph("Chứng nhận bà Nguyễn Thị Lan hiện đang cư trú tại phường Hoàn Kiếm.")
    return pdf.to_bytes()


def scan_pdf(pages: list[list[str]], *, dpi: int = 200) -> bytes:
    """A scan as a counter scanner makes it: one image per page (text drawn with DejaVu)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), int(dpi / 300 * 44))
    images = []
    for lines in pages:
        image = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((dpi, dpi + i * int(dpi * 0.45)), line, font=font, fill=0)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def alter_one_byte(pdf: bytes) -> bytes:
    """Change one byte inside the first signed range (a letter of the /Producer text)."""
    ranges = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert ranges, "the PDF is not signed"
    first_end = int(ranges[2])
    at = pdf.find(b"/Producer (") + len(b"/Producer (")
    assert 0 < at < first_end, "no text inside the signed range to alter"
    data = bytearray(pdf)
    data[at] = ord("Q") if data[at] != ord("Q") else ord("R")
    return bytes(data)


def encrypted_pdf(pdf: bytes) -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="chu", user="nguoidung", R=6))
    return out.getvalue()


# --- SoftHSM2 ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    label: str
    pin_file: Path
    seal: devca.Issued
    other: devca.Issued

    def config(self, key_label: str, cert_label: str | None = None) -> dict[str, str]:
        config = {"token": self.label, "key_label": key_label, "pin": f"file:{self.pin_file}"}
        if cert_label:
            config["cert_label"] = cert_label
        return config


def _import(session: Any, issued: devca.Issued, label: str, *, key: bool, cert: bool) -> None:
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.constants import CertificateType

    def big(i: int) -> bytes:
        return i.to_bytes((i.bit_length() + 7) // 8, "big")

    ident = label.encode()
    if key:
        n = issued.key.private_numbers()
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                Attribute.KEY_TYPE: KeyType.RSA,
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.SIGN: True,
                Attribute.LABEL: label,
                Attribute.ID: ident,
                Attribute.MODULUS: big(n.public_numbers.n),
                Attribute.PUBLIC_EXPONENT: big(n.public_numbers.e),
                Attribute.PRIVATE_EXPONENT: big(n.d),
                Attribute.PRIME_1: big(n.p),
                Attribute.PRIME_2: big(n.q),
                Attribute.EXPONENT_1: big(n.dmp1),
                Attribute.EXPONENT_2: big(n.dmq1),
                Attribute.COEFFICIENT: big(n.iqmp),
            }
        )
    if cert:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: ident,
                Attribute.VALUE: issued.certificate.public_bytes(serialization.Encoding.DER),
                Attribute.SUBJECT: issued.certificate.subject.public_bytes(),
            }
        )


@pytest.fixture(scope="session")
def softhsm(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Token:
    """A SoftHSM2 token (own config in a temporary folder) holding test keys:

    * ``seal``: a key with its own certificate;
    * ``lonely-key`` + certificate ``other-cert``: a key and a certificate that do not match.
    """
    if not Path(SOFTHSM_MODULE).exists() or not shutil.which("softhsm2-util"):
        pytest.fail("SoftHSM2 is needed (Debian package softhsm2); CI installs it")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--pin",
            TOKEN_PIN,
            "--so-pin",
            "13579",
        ],
        check=True,
        capture_output=True,
    )
    import pkcs11

    seal = pki.issue("UBND phường Hoàn Kiếm (token)")
    other = pki.issue("Chứng thư khác")
    token = pkcs11.lib(SOFTHSM_MODULE).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=TOKEN_PIN) as session:
        _import(session, seal, "seal", key=True, cert=True)
        _import(
            session,
            devca.Issued(other.certificate, devca.new_key()),
            "lonely-key",
            key=True,
            cert=False,
        )
        _import(session, other, "other-cert", key=False, cert=True)
    pin_file = root / "pin"
    devca.write_private(pin_file, TOKEN_PIN.encode())
    return Token(label=TOKEN_LABEL, pin_file=pin_file, seal=seal, other=other)


# --- keys registered for the dossier test world ------------------------------------------------
@dataclass(frozen=True)
class WorldKeys:
    seal: Any  # the committee's organisation seal
    leader: Any  # the committee leader's personal key
    certifier: Any  # the one-stop officer's personal key (at the section)


def register_world_keys(pki: Pki, world: Any) -> WorldKeys:
    from motcua.signatures.models import KeyPurpose
    from motcua.signatures.services import signing_key_register

    def register(unit: Any, name: str, holder: Any = None) -> Any:
        issued = pki.issue(name, organisation=unit.name)
        return signing_key_register(
            actor=None,
            unit=unit,
            provider="pkcs12",
            config=pki.p12(f"{unit.code}-{name}", issued),
            purpose=KeyPurpose.PERSONAL if holder else KeyPurpose.ORGANISATION,
            holder=holder,
        )

    return WorldKeys(
        seal=register(world.committee, world.committee.name),
        leader=register(world.committee, "Cán bộ lanhdao", world.leader),
        certifier=register(world.section, "Cán bộ motcua", world.reception),
    )
