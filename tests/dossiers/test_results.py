"""Issuing a signed result: the leader approves and signs (or a specialist issues it with the
unit's seal after approval) → result ready → in the applicant's data warehouse; verified by
motcua and by poppler's pdfsig; one changed byte reported by both; revocation shown; and
every refusal leaves the dossier exactly as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from motcua.core.errors import DomainError, PermissionDenied
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import warehouse_documents
from motcua.dossiers.access import DossierNotFound
from motcua.dossiers.models import AttachmentRole, Dossier, DossierAttachment, DossierEvent, Status
from motcua.dossiers.results import dossier_sign_result
from motcua.dossiers.services import dossier_approve, dossier_forward, dossier_receive
from motcua.signatures.errors import SigningRefused
from motcua.signatures.models import SignedResult, SigningKey
from motcua.signatures.providers import registry
from motcua.signatures.services import signed_result_revoke
from motcua.signatures.verification import Verdict, pdf_verify
from motcua.workflow.models import ProcessInstance
from tests.dossiers.conftest import World
from tests.signatures import fixtures as sig
from tests.signatures.fixtures import (
    Pki,
    WorldKeys,
    alter_one_byte,
    pdf_text,
    pdfsig,
    pdfsig_verdicts,
    register_world_keys,
    stored_files,
)

pytestmark = pytest.mark.django_db

pki = sig.pki
signing = sig.signing
storage = sig.storage
nssdir = sig.nssdir


@pytest.fixture
def keys(signing: Pki, world: World) -> WorldKeys:
    return register_world_keys(signing, world)


def in_processing(world: World) -> Dossier:
    """Submitted online, received, handed to the specialist, sent on for approval."""
    d = world.submit()
    d = dossier_receive(actor=world.reception, public_id=str(d.reference))
    d = dossier_forward(actor=world.reception, public_id=d.code)
    return dossier_forward(actor=world.specialist, public_id=d.code)


def without_process(d: Dossier) -> Dossier:
    """A dossier no internal process governs (received before processes existed): the
    lifecycle table alone decides, so the leader may approve and issue in one act."""
    ProcessInstance.objects.filter(subject_id=d.pk).delete()
    return d


def test_leader_approves_signs_and_the_result_goes_to_the_warehouse(
    world: World, keys: WorldKeys, storage: Path, nssdir: Path, tmp_path: Path
) -> None:
    d = without_process(in_processing(world))
    issued = dossier_sign_result(actor=world.leader, public_id=d.code, note="Đủ điều kiện cấp.")

    d.refresh_from_db()
    assert d.status == Status.RESULT_READY and d.approved and d.result_ready_at is not None
    actions = list(d.events.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["approve", "mark_result_ready"]

    document = issued.signed.document
    assert document.kind == DocumentKind.RESULT
    assert document.owner == world.citizen and document.in_warehouse
    assert document in warehouse_documents(world.citizen)
    assert issued.attachment.role == AttachmentRole.RESULT and issued.attachment.dossier == d
    assert issued.signed.subject_ref == d.code and issued.signed.unit == world.committee

    content = document.file.read()
    text = pdf_text(content, tmp_path)
    assert d.code in text and "GIẤY KHAI SINH" in text and "Nguyễn Thị Lan" in text
    url = f"https://dichvucong.example.vn/xac-thuc/{issued.signed.token}/"
    assert url in re.sub(r"\s+", "", text)

    report = pdf_verify(content)
    assert report.verdict == Verdict.VALID
    assert report.registered == issued.signed
    assert [s.signer_name for s in report.signatures] == ["Cán bộ lanhdao", world.committee.name]
    assert {s.unit_code for s in report.signatures} == {world.committee.code}
    assert pdfsig_verdicts(pdfsig(content, nssdir, tmp_path)) == [
        ("Signature is Valid.", "Certificate is Trusted."),
        ("Signature is Valid.", "Certificate is Trusted."),
    ]

    # The applicant downloads it from the warehouse; changing one byte is caught by both.
    altered = alter_one_byte(content)
    assert pdf_verify(altered).verdict == Verdict.ALTERED
    assert pdfsig_verdicts(pdfsig(altered, nssdir, tmp_path))[0][0] == "Digest Mismatch."


def test_specialist_issues_with_the_seal_after_the_leaders_approval(
    world: World, keys: WorldKeys, storage: Path, nssdir: Path, tmp_path: Path
) -> None:
    d = in_processing(world)
    dossier_approve(actor=world.leader, public_id=d.code)
    issued = dossier_sign_result(actor=world.specialist, public_id=d.code)

    assert issued.dossier.status == Status.RESULT_READY
    content = issued.signed.document.file.read()
    report = pdf_verify(content)
    assert report.verdict == Verdict.VALID
    # The specialist holds no personal certificate: the unit's seal alone.
    assert [s.signer_name for s in report.signatures] == [world.committee.name]
    assert pdfsig_verdicts(pdfsig(content, nssdir, tmp_path)) == [
        ("Signature is Valid.", "Certificate is Trusted.")
    ]


def test_revoked_result_shows_as_revoked(world: World, keys: WorldKeys, storage: Path) -> None:
    d = in_processing(world)
    dossier_approve(actor=world.leader, public_id=d.code)
    issued = dossier_sign_result(actor=world.specialist, public_id=d.code)
    content = issued.signed.document.file.read()

    with pytest.raises(PermissionDenied):
        signed_result_revoke(actor=world.specialist, token=issued.signed.token, reason="x")
    signed_result_revoke(
        actor=world.leader, token=issued.signed.token, reason="Giấy phép bị thu hồi."
    )

    report = pdf_verify(content)
    assert report.verdict == Verdict.REVOKED
    assert report.registered is not None
    assert report.registered.revocation_reason == "Giấy phép bị thu hồi."
    page = Client().get(f"/xac-thuc/{issued.signed.token}/")
    assert page.status_code == 200
    assert "Giấy phép bị thu hồi." in page.content.decode()


# --- refusals: nothing signed, nothing stored, nothing changed --------------------------------
def _snapshot(d: Dossier) -> tuple[object, ...]:
    d.refresh_from_db()
    return (
        d.status,
        d.approved,
        d.result_ready_at,
        DossierEvent.objects.filter(dossier=d).count(),
        DossierAttachment.objects.filter(dossier=d, role=AttachmentRole.RESULT).count(),
        Document.objects.filter(kind=DocumentKind.RESULT).count(),
        SignedResult.objects.count(),
    )


def test_without_a_key_nothing_changes(world: World, storage: Path, signing: Pki) -> None:
    d = without_process(in_processing(world))
    before = _snapshot(d)
    with translation.override("en"), pytest.raises(SigningRefused) as caught:
        dossier_sign_result(actor=world.leader, public_id=d.code)
    assert caught.value.code == "no_key"
    assert "No signing key" in caught.value.message
    assert _snapshot(d) == before
    assert stored_files(storage) == []


def test_a_key_failing_at_signing_rolls_everything_back(
    world: World, keys: WorldKeys, storage: Path, signing: Pki
) -> None:
    """The leader's key file is unreadable when signing: no approval, no result, no file."""
    d = without_process(in_processing(world))
    Path(keys.leader.config["path"]).write_bytes(b"not a key")
    registry.clear()
    before = _snapshot(d)
    with translation.override("en"), pytest.raises(SigningRefused) as caught:
        dossier_sign_result(actor=world.leader, public_id=d.code)
    assert caught.value.code == "key_unavailable"
    assert _snapshot(d) == before
    assert not d.approved
    assert stored_files(storage) == []


def test_expired_seal_is_refused_and_nothing_changes(
    world: World, keys: WorldKeys, storage: Path, signing: Pki
) -> None:
    d = in_processing(world)
    dossier_approve(actor=world.leader, public_id=d.code)
    # The seal's certificate expires (the key row says so too: it is no longer offered).
    SigningKey.objects.filter(pk=keys.seal.pk).update(not_after=keys.seal.not_before)
    before = _snapshot(d)
    with pytest.raises(SigningRefused) as caught:
        dossier_sign_result(actor=world.specialist, public_id=d.code)
    assert caught.value.code == "no_key"
    assert _snapshot(d) == before


def test_wrong_actor_or_state_changes_nothing(world: World, keys: WorldKeys, storage: Path) -> None:
    d = in_processing(world)
    before = _snapshot(d)
    with pytest.raises(DomainError):  # the specialist needs the leader's approval first
        dossier_sign_result(actor=world.specialist, public_id=d.code)
    with pytest.raises(DossierNotFound):  # another commune's leader does not see it
        dossier_sign_result(actor=world.other_leader, public_id=d.code)
    with pytest.raises(PermissionDenied):  # the one-stop officer sees it but may not issue
        dossier_sign_result(actor=world.reception, public_id=d.code)
    with pytest.raises(PermissionDenied):  # the applicant sees it, of course may not issue
        dossier_sign_result(actor=world.citizen, public_id=d.code)
    with pytest.raises(DossierNotFound):
        dossier_sign_result(actor=world.stranger, public_id=d.code)
    assert _snapshot(d) == before
    assert stored_files(storage) == []
