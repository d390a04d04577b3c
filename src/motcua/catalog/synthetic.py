"""A synthetic catalog the size of the national one (~4,400 procedures) for benchmarks.

Deterministic (seeded): names are built from real Vietnamese procedure vocabulary so
search behaves as on real data. Codes start with ``9.`` and never collide with real ones.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from motcua.catalog.exchange import FORMAT

ACTIONS = [
    ("Cấp", "Issuance of"),
    ("Cấp lại", "Re-issuance of"),
    ("Cấp đổi", "Renewal of"),
    ("Gia hạn", "Extension of"),
    ("Điều chỉnh", "Amendment of"),
    ("Thu hồi", "Withdrawal of"),
    ("Đăng ký", "Registration of"),
    ("Xác nhận", "Certification of"),
    ("Thẩm định", "Appraisal of"),
    ("Công nhận", "Recognition of"),
]
OBJECTS = [
    ("giấy phép xây dựng", "construction permit"),
    ("hộ chiếu phổ thông", "ordinary passport"),
    ("giấy chứng nhận quyền sử dụng đất", "land-use right certificate"),
    ("giấy phép lái xe", "driving licence"),
    ("giấy chứng nhận đăng ký hộ kinh doanh", "household business certificate"),
    ("giấy phép lao động", "work permit"),
    ("chứng chỉ hành nghề", "practice certificate"),
    ("giấy chứng nhận an toàn thực phẩm", "food safety certificate"),
    ("giấy phép kinh doanh vận tải", "transport business licence"),
    ("giấy chứng nhận đủ điều kiện", "certificate of eligibility"),
    ("quyết định trợ cấp xã hội", "social allowance decision"),
    ("giấy phép khai thác nước", "water extraction licence"),
    ("bằng tốt nghiệp", "diploma"),
    ("giấy phép hoạt động", "operating licence"),
]
QUALIFIERS = [
    ("", ""),
    ("cho tổ chức", "for organisations"),
    ("cho cá nhân", "for individuals"),
    ("có yếu tố nước ngoài", "with a foreign element"),
    ("trong trường hợp bị mất", "when lost"),
    ("do hết hạn", "on expiry"),
    ("tại khu công nghiệp", "in industrial zones"),
    ("đối với công trình cấp III", "for grade III works"),
]
SECTORS = [
    ("XAYDUNG", "Xây dựng", "Construction"),
    ("XNC", "Xuất nhập cảnh", "Immigration"),
    ("DATDAI", "Đất đai", "Land"),
    ("GTVT", "Giao thông vận tải", "Transport"),
    ("KHDT", "Kế hoạch và đầu tư", "Planning and investment"),
    ("LDTBXH", "Lao động, thương binh và xã hội", "Labour and social affairs"),
    ("YTE", "Y tế", "Health"),
    ("GDDT", "Giáo dục và đào tạo", "Education"),
    ("TNMT", "Tài nguyên và môi trường", "Natural resources and environment"),
    ("HOTICH", "Hộ tịch", "Civil status"),
]


def synthetic_document(count: int, *, seed: int = 766) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 — reproducible test data, not security
    form = {
        "schema": {
            "type": "object",
            "required": ["full_name"],
            "properties": {
                "full_name": {"type": "string", "title": "Họ và tên", "maxLength": 100},
                "note": {"type": "string", "title": "Ghi chú", "maxLength": 500},
            },
        },
        "ui": {
            "steps": [
                {"title": "Thông tin", "title_en": "Details", "fields": ["full_name", "note"]}
            ],
            "labels_en": {"full_name": "Full name", "note": "Note"},
        },
    }
    procedures = []
    for i in range(count):
        action, obj, qual = rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)
        sector = rng.choice(SECTORS)
        level = rng.choice(["province", "commune", "ministry"])
        name = " ".join(p for p in (action[0], obj[0], qual[0]) if p)
        name_en = " ".join(p for p in (action[1], obj[1], qual[1]) if p)
        duration = rng.choice([1, 3, 5, 7, 10, 15, 20, 30])
        procedures.append(
            {
                "code": f"9.{i:06d}",
                "version": 1,
                "status": "published",
                "effective_from": "2025-07-01",
                "effective_to": None,
                "name": f"{name} (mẫu {i})",
                "name_en": f"{name_en} (sample {i})",
                "sector": {"code": sector[0], "name": sector[1], "name_en": sector[2]},
                "levels": [level],
                "subjects": ["citizen", "organisation"],
                "implementing_agency": "Ủy ban nhân dân cấp tỉnh",
                "receiving_agency": "Trung tâm Phục vụ hành chính công",
                "online_level": rng.choice(["full", "partial", "none"]),
                "essential": False,
                "steps": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
                "requirements": "",
                "result": {"code": "", "name": obj[0].capitalize(), "name_en": obj[1].capitalize()},
                "legal_basis": [
                    {
                        "number": "118/2025/NĐ-CP",
                        "title": "Nghị định về cơ chế một cửa",
                        "date": "2025-06-09",
                        "issuer": "Chính phủ",
                    }
                ],
                "publication": {"decision": "", "date": "2025-07-01", "issuer": ""},
                "note": "synthetic",
                "cases": [
                    {
                        "code": "1",
                        "name": name,
                        "name_en": name_en,
                        "same_day_rule": False,
                        "ways": [
                            {
                                "channel": "in_person",
                                "duration": duration,
                                "duration_unit": "working-days",
                                "description": "",
                            },
                            {
                                "channel": "online",
                                "duration": duration,
                                "duration_unit": "working-days",
                                "description": "",
                            },
                        ],
                        "fees": [
                            {
                                "code": "LP",
                                "name": "Lệ phí",
                                "name_en": "Fee",
                                "amount": rng.choice([0, 50000, 100000, 200000]),
                                "kind": "fee",
                                "mode": "before",
                                "channel": None,
                            }
                        ],
                        "components": [
                            {
                                "code": "TP1",
                                "name": "Đơn đề nghị",
                                "name_en": "Application",
                                "originals": 1,
                                "copies": 0,
                                "required": True,
                                "registry": None,
                            }
                        ],
                        "form": copy.deepcopy(form),
                        "process": None,
                    }
                ],
            }
        )
    return {"format": FORMAT, "procedures": procedures}
