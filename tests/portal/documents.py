"""Catalog documents that exercise every public part of a procedure (used by portal and API)."""

from __future__ import annotations

from typing import Any

from tests.catalog.samples import document, record

PASSPORT = "2.000635"


def complete_record(**changes: Any) -> dict[str, Any]:
    """The passport procedure with a paid fee, a registry-backed copy and requirements."""
    rec = record(
        PASSPORT,
        "Cấp hộ chiếu phổ thông trong nước",
        "Ordinary passport issuance",
        sector=("XNC", "Xuất nhập cảnh"),
        levels=["province", "ministry"],
        online_level="full",
    )
    rec["sector"]["name_en"] = "Immigration"
    rec["subjects"] = ["citizen", "organisation"]
    rec["implementing_agency"] = "Phòng Quản lý xuất nhập cảnh Công an tỉnh"
    rec["receiving_agency"] = "Bộ phận Một cửa Công an tỉnh"
    rec["steps"] = "Bước 1: Khai tờ khai đề nghị cấp hộ chiếu.\nBước 2: Nhận hộ chiếu."
    rec["requirements"] = "Công dân Việt Nam có căn cước còn hiệu lực."
    rec["result"] = {"code": "KQ-HC", "name": "Hộ chiếu phổ thông", "name_en": "Ordinary passport"}
    rec["legal_basis"] = [
        {
            "number": "49/2019/QH14",
            "title": "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam",
            "date": "2019-11-22",
            "issuer": "Quốc hội",
        },
    ]
    rec["publication"] = {"decision": "2345/QĐ-BCA", "date": "2025-06-20", "issuer": "Bộ Công an"}
    case = rec["cases"][0]
    case["name"] = "Cấp lần đầu"
    case["name_en"] = "First issuance"
    case["same_day_rule"] = False
    case["ways"] = [
        {
            "channel": "in_person",
            "duration": 8,
            "duration_unit": "working-days",
            "description": "Nộp tại Công an tỉnh",
        },
        {
            "channel": "online",
            "duration": 5,
            "duration_unit": "working-days",
            "description": "Nộp trên Cổng dịch vụ công",
        },
        {
            "channel": "post",
            "duration": 10,
            "duration_unit": "working-days",
            "description": "Qua bưu chính công ích",
        },
    ]
    case["fees"] = [
        {
            "code": "LP1",
            "name": "Lệ phí cấp hộ chiếu",
            "name_en": "Passport fee",
            "amount": 1200000,
            "kind": "fee",
            "mode": "before",
            "channel": None,
        },
        {
            "code": "LP2",
            "name": "Lệ phí cấp hộ chiếu trực tuyến",
            "name_en": "Online passport fee",
            "amount": 960000,
            "kind": "fee",
            "mode": "before",
            "channel": "online",
        },
    ]
    case["components"] = [
        {
            "code": "TK",
            "name": "Tờ khai đề nghị cấp hộ chiếu",
            "name_en": "Application form",
            "originals": 1,
            "copies": 0,
            "required": True,
            "registry": None,
        },
        {
            "code": "CC",
            "name": "Bản sao căn cước",
            "name_en": "Copy of the identity card",
            "originals": 0,
            "copies": 2,
            "required": False,
            "registry": "population",
        },
    ]
    rec.update(changes)
    return rec


def versions_document() -> dict[str, Any]:
    """Passport v1 (ended 2021), v2 (in force), v3 (published for 2999) and a draft v4."""
    old = complete_record(
        version=1,
        name="Cấp hộ chiếu (bản cũ)",
        name_en="Passport (old)",
        effective_from="2020-01-01",
    )
    old["effective_to"] = "2021-01-01"
    current = complete_record(version=2, effective_from="2021-01-01")
    future = complete_record(
        version=3,
        name="Cấp hộ chiếu (bản mới)",
        name_en="Passport (new)",
        effective_from="2999-01-01",
    )
    draft = complete_record(
        version=4, status="draft", effective_from=None, name="Cấp hộ chiếu (dự thảo)"
    )
    return document(old, current, future, draft)


def many_document(count: int = 25) -> dict[str, Any]:
    """``count`` extra procedures in one sector, codes 9.000001 … (for pagination)."""
    return document(
        *(
            record(
                f"9.{i:06d}",
                f"Thủ tục thử nghiệm số {i}",
                f"Test procedure {i}",
                sector=("THU", "Thử nghiệm"),
            )
            for i in range(1, count + 1)
        )
    )


def ranking_document() -> dict[str, Any]:
    """``hộ tịch`` is in the name of 9.999999 but only in the sector of the others."""
    return document(
        record("8.000001", "Đăng ký khai tử", "Death registration"),
        record(
            "9.999999",
            "Cấp bản sao trích lục hộ tịch",
            "Copy of a civil status extract",
            sector=("TP", "Tư pháp"),
        ),
    )
