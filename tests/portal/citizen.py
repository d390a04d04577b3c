"""Shared pieces of the citizen-portal tests: a richer procedure, prefill, sample files."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureCase
from motcua.catalog.services import catalog_import
from motcua.portal.citizen import apply as apply_views
from motcua.portal.citizen.prefill import Prefill
from tests.catalog.samples import document, record
from tests.dossiers.conftest import CITIZEN_ID, World

RESIDENCE_CODE = "3.000001"

FORM: dict[str, Any] = {
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": "Tờ khai thay đổi thông tin cư trú",
        "required": ["full_name", "id_number", "date_of_birth", "sex", "new_address", "reason"],
        "properties": {
            "full_name": {"type": "string", "title": "Họ, chữ đệm và tên", "maxLength": 100},
            "id_number": {
                "type": "string",
                "title": "Số định danh cá nhân",
                "pattern": "^[0-9]{12}$",
                "description": "Gồm 12 chữ số",
            },
            "date_of_birth": {"type": "string", "format": "date", "title": "Ngày sinh"},
            "sex": {
                "type": "string",
                "title": "Giới tính",
                "oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}],
            },
            "phone": {
                "type": "string",
                "title": "Số điện thoại",
                "pattern": "^(0|\\+84)[0-9]{9,10}$",
            },
            "email": {"type": "string", "title": "Thư điện tử", "format": "email"},
            "new_address": {"type": "string", "title": "Địa chỉ nơi cư trú mới", "maxLength": 300},
            "reason": {
                "type": "string",
                "title": "Lý do",
                "enum": ["Chuyển nơi làm việc", "Mua nhà", "Ở nhờ người thân", "Thuê nhà", "Khác"],
            },
            "members": {"type": "integer", "title": "Số người cùng chuyển", "minimum": 0},
            "agree": {"type": "boolean", "title": "Tôi cam đoan lời khai là đúng sự thật"},
            "note": {"type": "string", "title": "Ghi chú", "maxLength": 1000},
        },
        "additionalProperties": False,
    },
    "ui": {
        "steps": [
            {
                "title": "Người khai",
                "title_en": "Declarant",
                "fields": ["full_name", "id_number", "date_of_birth", "sex", "phone", "email"],
            },
            {
                "title": "Nội dung thay đổi",
                "title_en": "The change",
                "fields": ["new_address", "reason", "members", "agree"],
            },
        ],
        "labels_en": {
            "full_name": "Full name",
            "id_number": "Personal ID number",
            "date_of_birth": "Date of birth",
            "sex": "Sex",
            "phone": "Phone",
            "email": "E-mail",
            "new_address": "New address",
            "reason": "Reason",
            "members": "People moving with you",
            "agree": "I declare that this is true",
        },
        "prefill": {
            "full_name": "population.full_name",
            "id_number": "population.id_number",
            "date_of_birth": "population.date_of_birth",
            "sex": "population.sex",
            "phone": "account.phone",
            "email": "account.email",
        },
        "readonly": ["id_number"],
    },
}


def residence_record() -> dict[str, Any]:
    rec = record(RESIDENCE_CODE, "Đăng ký thường trú", "Permanent residence registration")
    case = rec["cases"][0]
    case["same_day_rule"] = False
    case["ways"][1]["duration"] = 7
    case["ways"][0]["duration"] = 7
    case["form"] = copy.deepcopy(FORM)
    case["components"] = [
        {
            "code": "TP1",
            "name": "Giấy tờ chứng minh chỗ ở hợp pháp",
            "name_en": "Proof of lawful residence",
            "originals": 1,
            "copies": 0,
            "required": True,
            "registry": None,
        },
        {
            "code": "TP2",
            "name": "Văn bản đồng ý của chủ hộ",
            "name_en": "Consent of the head of household",
            "originals": 1,
            "copies": 0,
            "required": False,
            "registry": None,
        },
        {
            "code": "TP3",
            "name": "Thông tin cư trú trong Cơ sở dữ liệu quốc gia về dân cư",
            "name_en": "Residence data in the population database",
            "originals": 0,
            "copies": 0,
            "required": True,
            "registry": "population",
        },
    ]
    return rec


POPULATION = {
    "population.id_number": CITIZEN_ID,
    "population.full_name": "Nguyễn Thị Lan",
    "population.date_of_birth": "1990-05-17",
    "population.sex": "nu",
    "population.current_residence": "12 Hàng Bài, Phường Hoàn Kiếm, Thành phố Hà Nội",
    "population.permanent_residence": "12 Hàng Bài, Phường Hoàn Kiếm, Thành phố Hà Nội",
    "account.email": "lan@example.invalid",
    "account.phone": "0912345678",
}


@pytest.fixture
def residence(world: World) -> ProcedureCase:
    catalog_import(document(residence_record()))
    return ProcedureCase.objects.get(version__procedure__code=RESIDENCE_CODE)


@dataclass
class FakePopulation:
    values: dict[str, str]
    purposes: list[str] = field(default_factory=list)


@pytest.fixture
def population(monkeypatch: pytest.MonkeyPatch) -> FakePopulation:
    """What the population database answers for the citizen (a stand-in adapter)."""
    fake = FakePopulation(dict(POPULATION))

    def answer(user: User, *, purpose: str = "eform_prefill") -> Prefill:
        fake.purposes.append(purpose)
        return Prefill(dict(fake.values))

    monkeypatch.setattr(apply_views, "account_prefill", answer)
    return fake


@pytest.fixture
def lan(world: World, client: Client) -> Client:
    world.citizen.full_name = "Nguyễn Thị Lan"
    world.citizen.email = "lan@example.invalid"
    world.citizen.save()
    client.force_login(world.citizen)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
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
