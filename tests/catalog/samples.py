"""Small, valid catalog documents for tests (the real seed is in src/motcua/catalog/seed)."""

from __future__ import annotations

import copy
from typing import Any

FORM = {
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": "Tờ khai",
        "required": ["full_name", "id_number"],
        "properties": {
            "full_name": {"type": "string", "title": "Họ, chữ đệm, tên", "maxLength": 100},
            "id_number": {
                "type": "string",
                "title": "Số định danh cá nhân",
                "pattern": "^[0-9]{12}$",
            },
            "purpose": {"type": "string", "title": "Mục đích", "maxLength": 300},
        },
    },
    "ui": {
        "steps": [
            {
                "title": "Người yêu cầu",
                "title_en": "Applicant",
                "fields": ["full_name", "id_number", "purpose"],
            }
        ],
        "labels_en": {
            "full_name": "Full name",
            "id_number": "Personal ID number",
            "purpose": "Purpose",
        },
        "prefill": {"full_name": "population.full_name", "id_number": "population.id_number"},
        "readonly": ["id_number"],
    },
}


def record(
    code: str = "1.001193",
    name: str = "Thủ tục đăng ký khai sinh",
    name_en: str = "Birth registration",
    *,
    sector: tuple[str, str] = ("HOTICH", "Hộ tịch"),
    levels: list[str] | None = None,
    online_level: str = "full",
    version: int = 1,
    status: str = "published",
    effective_from: str | None = "2025-07-01",
) -> dict[str, Any]:
    return {
        "code": code,
        "version": version,
        "status": status,
        "effective_from": effective_from,
        "effective_to": None,
        "name": name,
        "name_en": name_en,
        "sector": {"code": sector[0], "name": sector[1], "name_en": ""},
        "levels": levels or ["commune"],
        "subjects": ["citizen"],
        "implementing_agency": "Ủy ban nhân dân cấp xã",
        "receiving_agency": "Bộ phận Một cửa Ủy ban nhân dân cấp xã",
        "online_level": online_level,
        "essential": True,
        "steps": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        "requirements": "",
        "result": {"code": f"KQ-{code}", "name": "Giấy khai sinh", "name_en": "Birth certificate"},
        "legal_basis": [
            {
                "number": "60/2014/QH13",
                "title": "Luật Hộ tịch",
                "date": "2014-11-20",
                "issuer": "Quốc hội",
            }
        ],
        "publication": {"decision": "1872/QĐ-BTP", "date": "2025-06-30", "issuer": "Bộ Tư pháp"},
        "note": "",
        "cases": [
            {
                "code": "1",
                "name": "Đăng ký khai sinh đúng hạn",
                "name_en": "Timely registration",
                "same_day_rule": True,
                "ways": [
                    {
                        "channel": "in_person",
                        "duration": 1,
                        "duration_unit": "working-days",
                        "description": "Nộp trực tiếp",
                    },
                    {
                        "channel": "online",
                        "duration": 1,
                        "duration_unit": "working-days",
                        "description": "Nộp trực tuyến",
                    },
                ],
                "fees": [
                    {
                        "code": "LP",
                        "name": "Lệ phí",
                        "name_en": "Fee",
                        "amount": 0,
                        "kind": "fee",
                        "mode": "exempt",
                        "channel": None,
                    }
                ],
                "components": [
                    {
                        "code": "TP1",
                        "name": "Tờ khai đăng ký khai sinh",
                        "name_en": "Declaration",
                        "originals": 1,
                        "copies": 0,
                        "required": True,
                        "registry": None,
                    },
                    {
                        "code": "TP2",
                        "name": "Giấy chứng sinh",
                        "name_en": "Birth notification",
                        "originals": 1,
                        "copies": 0,
                        "required": True,
                        "registry": None,
                    },
                ],
                "form": copy.deepcopy(FORM),
                "process": None,
            }
        ],
    }


def document(*records: dict[str, Any]) -> dict[str, Any]:
    return {"format": "motcua-catalog/1", "procedures": list(records) or [record()]}


def varied_document() -> dict[str, Any]:
    """Several procedures for search and filter tests."""
    return document(
        record(),
        record(
            "2.000635",
            "Cấp hộ chiếu phổ thông trong nước",
            "Ordinary passport issuance",
            sector=("XNC", "Xuất nhập cảnh"),
            levels=["province"],
            online_level="full",
        ),
        record("1.000894", "Đăng ký kết hôn", "Marriage registration"),
        record(
            "2.001023",
            "Cấp Phiếu lý lịch tư pháp",
            "Judicial record certificate",
            sector=("LLTP", "Lý lịch tư pháp"),
            levels=["province"],
            online_level="partial",
        ),
        record(
            "1.004227",
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
            "Certification of copies from originals",
            sector=("CT", "Chứng thực"),
            online_level="none",
        ),
        record(
            "1.010000",
            "Gia hạn hộ chiếu của cơ quan chiếu lệ",
            "A passport-like name",
            sector=("XNC", "Xuất nhập cảnh"),
            levels=["province"],
        ),
    )
