"""Personal ID numbers and tax codes: refused with field-specific messages in vi and en."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from motcua.accounts.models import Organisation, User
from motcua.accounts.validators import validate_personal_id, validate_tax_code


@pytest.mark.parametrize("value", ["001203012345", "079095000123", "096300000001"])
def test_valid_personal_ids(value: str) -> None:
    validate_personal_id(value)


@pytest.mark.parametrize(
    ("value", "vi_fragment", "en_fragment"),
    [
        ("00120301234", "12 chữ số", "12 digits"),
        ("00120301234a", "12 chữ số", "12 digits"),
        ("003203012345", "mã tỉnh", "province code"),
        ("001999012345", "tương lai", "future"),
    ],
)
def test_invalid_personal_ids_say_why_in_both_languages(
    value: str, vi_fragment: str, en_fragment: str
) -> None:
    for lang, fragment in (("vi", vi_fragment), ("en", en_fragment)):
        with translation.override(lang):
            with pytest.raises(ValidationError) as exc:
                validate_personal_id(value)
            assert fragment in " ".join(exc.value.messages)


@pytest.mark.parametrize("value", ["0100233488", "0100233488-001", "0300588569"])
def test_valid_tax_codes(value: str) -> None:
    validate_tax_code(value)


@pytest.mark.parametrize(
    ("value", "vi_fragment", "en_fragment"),
    [("0100233489", "Chữ số kiểm tra", "check digit"), ("01002334", "10 chữ số", "10 digits")],
)
def test_invalid_tax_codes(value: str, vi_fragment: str, en_fragment: str) -> None:
    for lang, fragment in (("vi", vi_fragment), ("en", en_fragment)):
        with translation.override(lang):
            with pytest.raises(ValidationError) as exc:
                validate_tax_code(value)
            assert fragment in " ".join(exc.value.messages)


@pytest.mark.django_db
def test_model_validation_names_the_field() -> None:
    user = User(username="x", personal_id="12345")
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "personal_id" in exc.value.message_dict
    org = Organisation(name="Công ty", tax_code="0100233489")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert list(exc.value.message_dict) == ["tax_code"]
