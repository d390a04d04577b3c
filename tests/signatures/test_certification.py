"""Certified electronic copies from originals: register numbers per unit and year without
gaps or repeats (also under concurrent certifications on PostgreSQL), a copy carrying the
statement, certifier, number, fee and signatures, kept in the applicant's warehouse; bad
input changes nothing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from motcua.audit.models import AuditEntry
from motcua.core.errors import DomainError, PermissionDenied
from motcua.documents.models import Document, DocumentKind
from motcua.signatures import services
from motcua.signatures.certification import certification_fee
from motcua.signatures.errors import SigningRefused
from motcua.signatures.models import (
    CertificationCounter,
    CertifiedCopy,
    SignedResult,
    SigningKey,
)
from motcua.signatures.providers import registry
from motcua.signatures.services import certified_copy_issue, signing_key_deactivate
from motcua.signatures.verification import Verdict, pdf_verify
from motcua.units.models import StaffRole
from tests.dossiers.conftest import World, _officer
from tests.signatures.fixtures import (
    Pki,
    WorldKeys,
    encrypted_pdf,
    pdf_text,
    pdfsig,
    pdfsig_verdicts,
    register_world_keys,
    scan_pdf,
    stored_files,
)

BIRTH_CERTIFICATE = [
    ["GIẤY KHAI SINH", "Họ, chữ đệm, tên: Nguyễn Thị Lan", "Ngày sinh: 12/03/1990"],
    ["Nơi đăng ký: UBND phường Hoàn Kiếm", "Người đi khai sinh: Nguyễn Văn Hùng"],
]


@pytest.fixture
def keys(signing: Pki, world: World) -> WorldKeys:
    return register_world_keys(signing, world)


def _certify(world: World, **changes: Any) -> CertifiedCopy:
    kwargs: dict[str, Any] = {
        "actor": world.reception,
        "unit": world.committee,
        "original": scan_pdf(BIRTH_CERTIFICATE),
        "original_title": "Giấy khai sinh",
        "applicant": world.citizen,
    }
    kwargs.update(changes)
    return certified_copy_issue(**kwargs)


def test_fee_per_circular_226_2016() -> None:
    assert [certification_fee(n) for n in (0, 1, 2, 3, 10)] == [0, 2000, 4000, 5000, 12000]
    assert certification_fee(500) == 200_000  # at most 200,000 VND per copy


@pytest.mark.django_db
def test_certified_copy_is_numbered_signed_and_kept_in_the_warehouse(
    world: World, keys: WorldKeys, storage: Path, nssdir: Path, tmp_path: Path
) -> None:
    first = _certify(world)
    second = _certify(world, original_title="Căn cước công dân", original=scan_pdf([["CCCD"]]))

    assert (first.number, second.number) == (1, 2)
    assert first.year == second.year == first.certified_at.year
    assert first.register_number == f"1/{first.year}"
    assert (first.pages, first.fee) == (2, 4000)
    assert (second.pages, second.fee) == (1, 2000)

    document = first.signed.document
    assert document.kind == DocumentKind.CERTIFIED_COPY
    assert document.owner == world.citizen and document.in_warehouse
    assert document.page_count == 3  # the two scanned pages and the certification page
    content = document.file.read()
    assert first.signed.sha256 == document.sha256

    text = pdf_text(content, tmp_path)
    assert "CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH" in text
    assert "Giấy khai sinh" in text
    assert "Số chứng thực: 1" in text
    assert f"Quyển số: {first.year:04d}-SCT/BS" in text
    assert "Phí chứng thực: 4.000 đồng" in text
    assert "Cán bộ motcua" in text  # the certifier

    report = pdf_verify(content)
    assert report.verdict == Verdict.VALID
    assert report.registered == first.signed
    assert [s.signer_name for s in report.signatures] == ["Cán bộ motcua", world.committee.name]
    assert {s.unit_code for s in report.signatures} == {world.section.code, world.committee.code}
    assert pdfsig_verdicts(pdfsig(content, nssdir, tmp_path)) == [
        ("Signature is Valid.", "Certificate is Trusted."),
        ("Signature is Valid.", "Certificate is Trusted."),
    ]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"certified_copy.issue", "signed_document.issue"} <= actions


@pytest.mark.django_db
def test_registers_are_per_unit(world: World, keys: WorldKeys, signing: Pki) -> None:
    other_officer = _officer("motcua2", world.other_committee, StaffRole.ONE_STOP_OFFICER)
    issued = signing.issue("Đơn vị khác", organisation=world.other_committee.name)
    services.signing_key_register(
        actor=None,
        unit=world.other_committee,
        provider="pkcs12",
        config=signing.p12("other-seal", issued),
    )
    assert _certify(world).number == 1
    assert _certify(world, actor=other_officer, unit=world.other_committee).number == 1
    assert _certify(world).number == 2


def _nothing_stored(storage: Path) -> None:
    assert not CertifiedCopy.objects.exists()
    assert not SignedResult.objects.exists()
    assert not Document.objects.exists()
    assert stored_files(storage) == []
    assert not CertificationCounter.objects.filter(last_number__gt=0).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("original", "code"),
    [
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "pdf_damaged"),
        (scan_pdf([["x"]])[:700], "pdf_damaged"),
        (encrypted_pdf(scan_pdf([["x"]])), "pdf_encrypted"),
    ],
    ids=["corrupt", "truncated", "encrypted"],
)
def test_bad_scans_are_refused_and_nothing_is_stored(
    world: World, keys: WorldKeys, storage: Path, original: bytes, code: str
) -> None:
    with translation.override("en"), pytest.raises(DomainError) as caught:
        _certify(world, original=original)
    assert getattr(caught.value, "code", "") == code
    _nothing_stored(storage)


@pytest.mark.django_db
def test_refusals_change_nothing(world: World, keys: WorldKeys, storage: Path) -> None:
    with pytest.raises(PermissionDenied):
        _certify(world, actor=world.other_specialist)
    with pytest.raises(DomainError):
        _certify(world, applicant=world.leader)  # an officer account is not an applicant
    with pytest.raises(DomainError):
        _certify(world, original_title="   ")
    with pytest.raises(DomainError):
        _certify(world, fee=-1)
    _nothing_stored(storage)


@pytest.mark.django_db
def test_without_keys_nothing_is_certified(world: World, keys: WorldKeys, storage: Path) -> None:
    for key in SigningKey.objects.all():
        signing_key_deactivate(actor=None, key=key)
    with translation.override("en"), pytest.raises(SigningRefused) as caught:
        _certify(world)
    assert caught.value.code == "no_key"
    assert world.committee.name in caught.value.message
    _nothing_stored(storage)


@pytest.mark.django_db
def test_a_failure_after_taking_a_number_gives_it_back(
    world: World, keys: WorldKeys, storage: Path, signing: Pki
) -> None:
    """The key fails while signing (its file vanished): the number is not used up."""
    Path(keys.certifier.config["path"]).rename(signing.root / "moved-away.p12")
    registry.clear()  # forget the key loaded at registration
    try:
        with pytest.raises(SigningRefused) as caught:
            _certify(world)
        assert caught.value.code == "key_unavailable"
        _nothing_stored(storage)
    finally:
        (signing.root / "moved-away.p12").rename(keys.certifier.config["path"])
    assert _certify(world).number == 1


# --- concurrency ------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_certifications_never_skip_or_repeat(
    on_postgres: None, world: World, keys: WorldKeys, storage: Path
) -> None:
    """Eight counters certify at once at one unit, one of them failing after taking its
    number: the register holds exactly 1..7, each once."""
    n = 8
    originals = [scan_pdf([[f"Bản chính số {i}"]]) for i in range(n)]
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            outcomes[i] = _certify(
                world,
                original=originals[i],
                original_title=f"Bản chính {i}",
                fee=-1 if i == 3 else None,  # refused: nothing taken
            )
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a certification is stuck"

    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], DomainError)
    numbers = sorted(c.number for c in CertifiedCopy.objects.filter(unit=world.committee))
    assert numbers == list(range(1, n))
    assert CertificationCounter.objects.get(unit=world.committee).last_number == n - 1
    assert len({c.signed.sha256 for c in CertifiedCopy.objects.all()}) == n - 1
