"""PAdES signing with keys from PKCS#12 files and a PKCS#11 token (SoftHSM2): signatures
our verifier and poppler's ``pdfsig`` accept, one changed byte both reject, and every
bad input refused with a clear error before anything is signed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from motcua.signatures.errors import SigningRefused
from motcua.signatures.signing import SignatureBox, SignatureSpec, pdf_sign
from motcua.signatures.verification import Verdict, pdf_verify
from tests.signatures.fixtures import (
    Pki,
    Token,
    alter_one_byte,
    encrypted_pdf,
    pdfsig,
    pdfsig_verdicts,
    sample_pdf,
)

pytestmark = pytest.mark.django_db

BOX = SignatureBox(page=-1, rect=(330, 80, 540, 150))


def spec(provider: str, config: dict[str, str], name: str = "Signature1") -> SignatureSpec:
    return SignatureSpec(
        provider=provider,
        config=config,
        field_name=name,
        reason="Ban hành kết quả",
        location="Hà Nội",
        box=BOX,
        lines=("Ủy ban nhân dân phường Hoàn Kiếm", "Nguyễn Văn Một"),
    )


def test_pkcs12_signature_is_valid_for_motcua_and_for_pdfsig(
    signing: Pki, nssdir: Path, tmp_path: Path
) -> None:
    config = signing.p12("seal-hoan-kiem")
    signed = pdf_sign(sample_pdf(), signatures=[spec("pkcs12", config)])

    report = pdf_verify(signed)
    [signature] = report.signatures
    assert signature.intact and signature.valid and signature.trusted
    assert not signature.modified_after and signature.covers_whole_file
    assert signature.signer_name == "seal-hoan-kiem"
    assert signature.organisation == "UBND phường Hoàn Kiếm"
    assert signature.development_only  # issued by the development CA
    # Signed and trusted, but not a file motcua registered.
    assert report.verdict == Verdict.NOT_REGISTERED

    assert pdfsig_verdicts(pdfsig(signed, nssdir, tmp_path)) == [
        ("Signature is Valid.", "Certificate is Trusted.")
    ]


def test_one_changed_byte_is_reported_altered_by_both(
    signing: Pki, nssdir: Path, tmp_path: Path
) -> None:
    signed = pdf_sign(sample_pdf(), signatures=[spec("pkcs12", signing.p12("seal-altered"))])
    altered = alter_one_byte(signed)
    assert len(altered) == len(signed) and altered != signed

    report = pdf_verify(altered)
    assert report.verdict == Verdict.ALTERED
    assert not report.signatures[0].intact

    [(signature, _certificate)] = pdfsig_verdicts(pdfsig(altered, nssdir, tmp_path))
    assert signature == "Digest Mismatch."


def test_two_signatures_leader_and_seal_both_verify(
    signing: Pki, nssdir: Path, tmp_path: Path
) -> None:
    leader = signing.p12("Trần Văn Lãnh", signing.issue("Trần Văn Lãnh"))
    seal = signing.p12("seal-two")
    signed = pdf_sign(
        sample_pdf(),
        signatures=[
            spec("pkcs12", leader, "Signature1"),
            SignatureSpec(
                provider="pkcs12",
                config=seal,
                field_name="Signature2",
                box=SignatureBox(page=0, rect=(60, 80, 260, 150)),
                lines=("Ủy ban nhân dân phường Hoàn Kiếm",),
            ),
        ],
    )
    report = pdf_verify(signed)
    assert [s.signer_name for s in report.signatures] == ["Trần Văn Lãnh", "seal-two"]
    assert all(
        s.intact and s.valid and s.trusted and not s.modified_after for s in report.signatures
    )
    assert pdfsig_verdicts(pdfsig(signed, nssdir, tmp_path)) == [
        ("Signature is Valid.", "Certificate is Trusted."),
        ("Signature is Valid.", "Certificate is Trusted."),
    ]


def test_pkcs11_token_signature_is_valid_for_both(
    signing: Pki, softhsm: Token, nssdir: Path, tmp_path: Path
) -> None:
    signed = pdf_sign(sample_pdf(), signatures=[spec("pkcs11", softhsm.config("seal"))])
    [signature] = pdf_verify(signed).signatures
    assert signature.intact and signature.valid and signature.trusted
    assert signature.signer_name == "UBND phường Hoàn Kiếm (token)"
    assert pdfsig_verdicts(pdfsig(signed, nssdir, tmp_path)) == [
        ("Signature is Valid.", "Certificate is Trusted.")
    ]


# --- bad input: a clear error, nothing signed ------------------------------------------------
def _refusal(pdf: bytes, signature: SignatureSpec) -> SigningRefused:
    with translation.override("en"), pytest.raises(SigningRefused) as caught:
        pdf_sign(pdf, signatures=[signature])
    return caught.value


def test_corrupt_pdf_is_refused(signing: Pki) -> None:
    pdf = sample_pdf()
    corrupt = pdf[: len(pdf) // 2]  # truncated: no cross-reference table, no trailer
    error = _refusal(corrupt, spec("pkcs12", signing.p12("seal-corrupt")))
    assert error.code == "pdf_damaged"
    assert "damaged" in error.message
    assert _refusal(b"not a pdf at all", spec("pkcs12", signing.p12("seal-x"))).code == (
        "pdf_damaged"
    )


def test_encrypted_pdf_is_refused(signing: Pki) -> None:
    error = _refusal(encrypted_pdf(sample_pdf()), spec("pkcs12", signing.p12("seal-enc")))
    assert error.code == "pdf_encrypted"
    assert "encrypted" in error.message


def test_expired_certificate_is_refused(signing: Pki) -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
    expired = signing.issue(
        "Chứng thư hết hạn", not_before=long_ago, not_after=long_ago + dt.timedelta(days=365)
    )
    error = _refusal(sample_pdf(), spec("pkcs12", signing.p12("expired", expired)))
    assert error.code == "certificate_expired"
    assert "expired on" in error.message and "Chứng thư hết hạn" in error.message


def test_certificate_not_yet_valid_is_refused(signing: Pki) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    future = signing.issue("Chứng thư tương lai", not_before=later)
    error = _refusal(sample_pdf(), spec("pkcs12", signing.p12("future", future)))
    assert error.code == "certificate_not_yet_valid"


def test_untrusted_certificate_is_refused(signing: Pki) -> None:
    rogue = signing.issue("Chứng thư lạ", ca=signing.rogue)
    error = _refusal(sample_pdf(), spec("pkcs12", signing.p12("rogue", rogue)))
    assert error.code == "certificate_untrusted"
    assert "not issued by a certification authority motcua trusts" in error.message


def test_key_that_does_not_match_its_certificate_is_refused(signing: Pki) -> None:
    issued = signing.issue("Chứng thư bị ghép khóa sai")
    other_key = signing.issue("khác").key
    config = signing.p12("mismatch", issued, key=other_key)
    error = _refusal(sample_pdf(), spec("pkcs12", config))
    assert error.code == "key_mismatch"
    assert "does not belong to the certificate" in error.message


def test_token_key_that_does_not_match_its_certificate_is_refused(
    signing: Pki, softhsm: Token
) -> None:
    error = _refusal(sample_pdf(), spec("pkcs11", softhsm.config("lonely-key", "other-cert")))
    assert error.code == "key_mismatch"


def test_wrong_passphrase_and_wrong_pin_are_refused(signing: Pki, softhsm: Token) -> None:
    config = signing.p12("wrong-pass")
    Path(config["passphrase"].removeprefix("file:")).write_text("not-the-passphrase")
    error = _refusal(sample_pdf(), spec("pkcs12", config))
    assert error.code == "key_unavailable"
    assert "passphrase is wrong" in error.message

    wrong_pin = signing.root / "wrong-pin"
    wrong_pin.write_text("000000")
    config = {"token": softhsm.label, "key_label": "seal", "pin": f"file:{wrong_pin}"}
    error = _refusal(sample_pdf(), spec("pkcs11", config))
    assert error.code == "key_unavailable"
    assert "refused the PIN" in error.message


def test_missing_token_or_label_is_refused(signing: Pki, softhsm: Token) -> None:
    missing = {"token": "no-such-token", "key_label": "seal", "pin": f"file:{softhsm.pin_file}"}
    assert _refusal(sample_pdf(), spec("pkcs11", missing)).code == "key_unavailable"
    error = _refusal(sample_pdf(), spec("pkcs11", softhsm.config("no-such-key")))
    assert error.code == "key_unavailable"


def test_secrets_are_never_inline(signing: Pki) -> None:
    config = signing.p12("inline")
    config["passphrase"] = "mat-khau-thu-nghiem"  # the secret itself: refused
    assert _refusal(sample_pdf(), spec("pkcs12", config)).code == "key_config"


def test_refusal_messages_follow_the_users_language(signing: Pki) -> None:
    """The same refusal in Vietnamese (default language) and in English."""
    config = signing.p12("seal-lang")
    for language in ("vi", "en"):
        with translation.override(language), pytest.raises(SigningRefused) as caught:
            pdf_sign(b"%PDF-1.7 broken", signatures=[spec("pkcs12", config)])
        assert caught.value.code == "pdf_damaged"
        assert caught.value.message.strip()


def test_a_replaced_key_file_is_used_without_a_restart(signing: Pki) -> None:
    """A renewed certificate written over the old file signs from the next document on."""
    config = signing.p12("renewed", signing.issue("Chứng thư cũ"))
    first = pdf_sign(sample_pdf(), signatures=[spec("pkcs12", config)])
    renewed = signing.p12("renewed", signing.issue("Chứng thư mới"))
    assert renewed["path"] == config["path"]
    second = pdf_sign(sample_pdf(), signatures=[spec("pkcs12", config)])
    assert pdf_verify(first).signatures[0].signer_name == "Chứng thư cũ"
    assert pdf_verify(second).signatures[0].signer_name == "Chứng thư mới"
