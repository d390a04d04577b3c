"""Anyone can verify: the public page and API answer whether a PDF's signatures are intact,
who signed it, whether it is the registered file and whether it was revoked (with the
reason); revocation is a leader's act with a reason; the development CA command."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.signatures.models import CertifiedCopy, KeyPurpose, SignedResult, SigningKey
from motcua.signatures.services import certified_copy_issue, signed_result_revoke
from motcua.signatures.signing import SignatureSpec, pdf_sign
from motcua.signatures.verification import Verdict, pdf_verify
from tests.dossiers.conftest import World
from tests.signatures.fixtures import (
    Pki,
    alter_one_byte,
    encrypted_pdf,
    register_world_keys,
    sample_pdf,
    scan_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(signing: Pki, world: World, storage: Path) -> CertifiedCopy:
    register_world_keys(signing, world)
    return certified_copy_issue(
        actor=world.reception,
        unit=world.committee,
        original=scan_pdf([["GIẤY KHAI SINH", "Nguyễn Thị Lan"]]),
        original_title="Giấy khai sinh",
        applicant=world.citizen,
    )


def content_of(copy: CertifiedCopy) -> bytes:
    with copy.signed.document.file.open("rb") as fh:
        return fh.read()


def upload(content: bytes, name: str = "ban-sao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the verifier -----------------------------------------------------------------------------
def test_verdicts(copy: CertifiedCopy, signing: Pki, settings: Any) -> None:
    content = content_of(copy)
    assert pdf_verify(content).verdict == Verdict.VALID
    altered = pdf_verify(alter_one_byte(content))
    assert altered.verdict == Verdict.ALTERED
    assert altered.registered is None and altered.claimed == copy.signed  # it says who it was
    assert pdf_verify(sample_pdf()).verdict == Verdict.UNSIGNED
    assert pdf_verify(b"%PDF-1.7\ngarbage").verdict == Verdict.UNREADABLE
    assert pdf_verify(b"GIF89a").verdict == Verdict.UNREADABLE
    assert pdf_verify(encrypted_pdf(sample_pdf())).verdict == Verdict.ENCRYPTED
    rogue = signing.issue("Chứng thư lạ", ca=signing.rogue)
    # Signed with a certificate from a CA we do not trust: sign while trusting it...
    signing_roots = [str(signing.ca_pem)]
    rogue_pem = signing.root / "rogue.pem"
    rogue_pem.write_bytes(signing.rogue.certificate.public_bytes(Encoding.PEM))
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [*signing_roots, str(rogue_pem)]
    untrusted = pdf_sign(
        sample_pdf(),
        signatures=[SignatureSpec("pkcs12", signing.p12("rogue-v", rogue), "Signature1")],
    )
    # ...then verify with our roots only.
    settings.MOTCUA_SIGNING_TRUST_ROOTS = signing_roots
    report = pdf_verify(untrusted)
    assert report.verdict == Verdict.UNTRUSTED
    assert report.signatures[0].intact and not report.signatures[0].trusted


def test_a_registered_result_stays_valid_after_its_certificate_expires(
    copy: CertifiedCopy, signing: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registered file is validated at its registered signing time; any other file now."""
    unregistered = pdf_sign(
        sample_pdf(), signatures=[SignatureSpec("pkcs12", signing.p12("later"), "Signature1")]
    )
    later = copy.signed.signed_at + timedelta(days=5 * 365)  # the certificates have expired
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert pdf_verify(content_of(copy)).verdict == Verdict.VALID
    report = pdf_verify(unregistered)
    assert report.verdict == Verdict.UNTRUSTED and report.signatures[0].intact


# --- revocation -------------------------------------------------------------------------------
def test_revocation_is_a_leaders_act_with_a_reason(copy: CertifiedCopy, world: World) -> None:
    token = copy.signed.token
    with pytest.raises(DomainError):
        signed_result_revoke(actor=world.leader, token=token, reason="  ")
    with pytest.raises(PermissionDenied):
        signed_result_revoke(actor=world.reception, token=token, reason="Sai thông tin")
    with pytest.raises(PermissionDenied):
        signed_result_revoke(actor=world.other_leader, token=token, reason="Sai thông tin")
    assert not SignedResult.objects.get(pk=copy.signed.pk).revoked
    assert not AuditEntry.objects.filter(action="signed_document.revoke").exists()

    signed_result_revoke(actor=world.leader, token=token, reason="Bản chính là giả mạo.")
    with pytest.raises(Conflict):
        signed_result_revoke(actor=world.leader, token=token, reason="Lần hai")
    revoked = SignedResult.objects.get(pk=copy.signed.pk)
    assert revoked.revoked_by == world.leader
    assert revoked.revocation_reason == "Bản chính là giả mạo."
    report = pdf_verify(content_of(copy))
    assert report.verdict == Verdict.REVOKED and report.revoked
    assert AuditEntry.objects.filter(action="signed_document.revoke").count() == 1


# --- the public page --------------------------------------------------------------------------
def test_public_page_checks_an_upload(copy: CertifiedCopy, client: Client) -> None:
    page = client.get("/xac-thuc/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html

    response = client.post(
        "/xac-thuc/", {"file": upload(content_of(copy))}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="valid"' in html
    assert copy.signed.title in html
    assert copy.unit.name in html and copy.unit.code in html  # who signed: the unit
    assert copy.signed.sha256 in html
    assert "Nguyễn Thị Lan" not in html  # no personal data on a public page

    altered = client.post("/xac-thuc/", {"file": upload(alter_one_byte(content_of(copy)))})
    assert 'data-verdict="altered"' in altered.content.decode()
    assert client.post("/xac-thuc/", {}).status_code == 400


def test_qr_page_shows_the_registered_document_and_its_revocation(
    copy: CertifiedCopy, client: Client, world: World
) -> None:
    url = f"/xac-thuc/{copy.signed.token}/"
    assert client.get(url).status_code == 200
    assert client.get("/xac-thuc/AAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    signed_result_revoke(actor=world.leader, token=copy.signed.token, reason="Đã thu hồi.")
    html = client.get(url).content.decode()
    assert "Đã thu hồi." in html and copy.signed.title in html

    # A different file against this code is reported as not this document.
    other = client.post(url, {"file": upload(sample_pdf())}).content.decode()
    assert 'data-verdict="unsigned"' in other
    same = client.post(url, {"file": upload(content_of(copy))}).content.decode()
    assert 'data-verdict="revoked"' in same


def test_checks_are_rate_limited(copy: CertifiedCopy, client: Client, settings: Any) -> None:
    settings.MOTCUA_VERIFY_RATE_PER_IP = 2
    for _ in range(2):
        assert client.post("/xac-thuc/", {"file": upload(sample_pdf())}).status_code == 200
    limited = client.post("/xac-thuc/", {"file": upload(sample_pdf())})
    assert limited.status_code == 429 and limited["Retry-After"] == "600"


# --- the API ----------------------------------------------------------------------------------
def test_api_verifies_and_reports_revocation(copy: CertifiedCopy, world: World) -> None:
    api = Client()
    answer = api.post("/api/v1/verify/", {"file": upload(content_of(copy))})
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "valid"
    assert body["registered"]["token"] == copy.signed.token
    assert body["registered"]["unit"] == {"code": copy.unit.code, "name": copy.unit.name}
    assert [s["intact"] for s in body["signatures"]] == [True, True]
    assert body["signatures"][1]["unit"]["code"] == world.committee.code
    assert body["development_only"] is True

    entry = api.get(f"/api/v1/verify/{copy.signed.token}/").json()
    assert entry["revoked"] is False and entry["sha256"] == copy.signed.sha256
    assert api.get("/api/v1/verify/AAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    assert api.post("/api/v1/verify/", {}).status_code == 400

    # Revocation needs a signed-in leader of the unit.
    revoke = f"/api/v1/signed-documents/{copy.signed.token}/revoke/"
    assert api.post(revoke, {"reason": "x"}, content_type="application/json").status_code == 403
    officer = Client()
    officer.force_login(world.reception)
    assert officer.post(revoke, {"reason": "x"}, content_type="application/json").status_code == 403
    leader = Client()
    leader.force_login(world.leader)
    done = leader.post(revoke, {"reason": "Giấy phép bị thu hồi."}, content_type="application/json")
    assert done.status_code == 200 and done.json()["revoked"] is True
    again = leader.post(revoke, {"reason": "Lần hai"}, content_type="application/json")
    assert again.status_code == 409
    body = api.post("/api/v1/verify/", {"file": upload(content_of(copy))}).json()
    assert body["verdict"] == "revoked"
    assert body["registered"]["revocation_reason"] == "Giấy phép bị thu hồi."


def test_schema_describes_verification(client: Client) -> None:
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/v1/verify/"]) == {"post"}
    assert set(paths["/api/v1/verify/{token}/"]) == {"get"}


# --- the development CA -----------------------------------------------------------------------
def test_dev_setup_makes_development_only_keys_once(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MOTCUA_SIGNING_DIR = str(tmp_path / "signing")
    settings.MOTCUA_SIGNING_TRUST_ROOTS = None  # development: the dev CA is trusted
    call_command("signing_dev_setup")
    keys = SigningKey.objects.all()
    seals = {k.unit.code for k in keys if k.purpose == KeyPurpose.ORGANISATION}
    holders = {k.holder.username for k in keys if k.purpose == KeyPurpose.PERSONAL}
    # Units with staff get a seal (a one-stop section signs with its committee's).
    assert seals == {"H01", "H01.00070", "H01.00073"}
    assert holders == {"motcua", "lanhdao", "lanhdao2"}
    assert all(k.development_only and "DEVELOPMENT ONLY" in k.label for k in keys)
    ca = Path(settings.MOTCUA_SIGNING_DIR) / "dev-ca.pem"
    assert ca.exists()
    assert (Path(settings.MOTCUA_SIGNING_DIR) / "README-DEVELOPMENT-ONLY.txt").exists()
    for key in keys:
        mode = Path(key.config["path"]).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600

    call_command("signing_dev_setup")  # idempotent
    assert SigningKey.objects.count() == len(keys)


def test_dev_setup_refuses_production(settings: Any, db: None) -> None:
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError):
        call_command("signing_dev_setup")
    assert not SigningKey.objects.exists()
