"""Signing, verification and OCR benchmark (issue: electronic results anyone can verify).

Measures, in one run on this machine:

- baselines: SHA-256 of the result PDF, and rendering the unsigned result (fpdf2 with
  the embedded font and the QR code);
- signing: one PAdES signature with a visible appearance (PKCS#12 key, RSA-2048) on the
  rendered result — the key/certificate checks included — in 1 process and in as many
  processes as there are cores (2 on the reference machine);
- verification: ``pdf_verify`` of the signed result (signature, chain to the trust
  root, register look-up in the database), 1 process and all cores;
- OCR: OCRmyPDF with Tesseract ``vie`` on a generated 3-page Vietnamese scan at 300
  dpi, in seconds per page (skipped when the binaries are missing).

Throughput is printed as operations per second and as a ratio to the SHA-256 and
render baselines of the same run; a section is appended to ``bench/RESULTS.md``.
Runs on a temporary SQLite database and a temporary development CA: nothing of
``var/`` is touched. Usage: ``.venv/bin/python bench/signing.py``
(``BENCH_SECONDS`` per measurement, default 5).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CORES = os.cpu_count() or 1

_TMP = tempfile.mkdtemp(prefix="motcua-bench-signing-")
os.environ["MOTCUA_ENVIRONMENT"] = "test"
os.environ["MOTCUA_VAR_DIR"] = _TMP
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.config.settings"
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from motcua.core.pdf import OfficialPdf  # noqa: E402
from motcua.documents.ocr import ocr_available, ocr_pdf  # noqa: E402
from motcua.signatures import devca  # noqa: E402
from motcua.signatures.signing import (  # noqa: E402
    SignatureBox,
    SignatureSpec,
    pdf_sign,
    prepare_for_signing,
)
from motcua.signatures.verification import Verdict, pdf_verify  # noqa: E402

STATE: dict[str, object] = {}


def render() -> bytes:
    pdf = OfficialPdf(title="Giấy chứng nhận — H01.00070-261122-0001")
    pdf.set_keywords("motcua-verify:AAAAAAAAAAAAAAAAAAAAAA")
    pdf.national_heading("Ủy ban nhân dân phường Hoàn Kiếm")
    pdf.title_block("GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "Mã hồ sơ: H01.00070-261122-0001")
    pdf.paragraph("Căn cứ Luật Hộ tịch số 60/2014/QH13;")
    for label, value in [
        ("Tên tổ chức, cá nhân", "Nguyễn Thị Lan"),
        ("Số định danh cá nhân", "001090012345"),
        ("Địa chỉ", "12 Hàng Bài, phường Hoàn Kiếm, thành phố Hà Nội"),
        ("Tình trạng hôn nhân", "Chưa đăng ký kết hôn với ai"),
        ("Mục đích sử dụng", "Để đăng ký kết hôn"),
    ]:
        pdf.field(label, value)
    pdf.qr("https://dichvucong.example.vn/xac-thuc/AAAAAAAAAAAAAAAAAAAAAA/", caption="Xác thực")
    return prepare_for_signing(pdf.to_bytes())


def spec() -> SignatureSpec:
    return SignatureSpec(
        provider="pkcs12",
        config=STATE["config"],  # type: ignore[arg-type]
        field_name="Signature1",
        reason="Ban hành kết quả",
        location="Hà Nội",
        box=SignatureBox(page=-1, rect=(330, 60, 540, 130)),
        lines=("Ủy ban nhân dân phường Hoàn Kiếm",),
    )


def setup() -> None:
    call_command("migrate", verbosity=0)
    from motcua.signatures.models import SignedResult
    from motcua.signatures.services import signing_key_register
    from motcua.units.models import Unit, UnitLevel

    directory = Path(_TMP) / "signing"
    ca, _created = devca.load_or_create_ca(directory)
    issued = devca.issue(ca, common_name="UBND phường Hoàn Kiếm", organisation="UBND")
    p12, secret = directory / "seal.p12", directory / "seal.pass"
    passphrase = secrets.token_urlsafe(16)
    devca.write_private(
        p12,
        devca.pkcs12_bytes(
            key=issued.key,
            certificate=issued.certificate,
            chain=[ca.certificate],
            passphrase=passphrase,
        ),
    )
    devca.write_private(secret, passphrase.encode())
    STATE["config"] = {"path": str(p12), "passphrase": f"file:{secret}"}
    unit = Unit.objects.create(
        code="H01.00070", name="UBND phường Hoàn Kiếm", level=UnitLevel.COMMUNE, province_code="01"
    )
    signing_key_register(actor=None, unit=unit, provider="pkcs12", config=STATE["config"])
    STATE["pdf"] = render()
    signed = pdf_sign(STATE["pdf"], signatures=[spec()])  # type: ignore[arg-type]
    STATE["signed"] = signed
    # Register it as motcua would, so verification finds it (the full verdict path).
    from motcua.accounts.models import User
    from motcua.documents.models import Document

    user = User.objects.create_user(username="bench", password="x" * 16)
    document = Document.objects.create(
        kind="result",
        file="bench.pdf",
        filename="bench.pdf",
        content_type="application/pdf",
        size=len(signed),
        sha256=hashlib.sha256(signed).hexdigest(),
    )
    SignedResult.objects.create(
        kind="result",
        document=document,
        sha256=document.sha256,
        title="bench",
        unit=unit,
        province_code="01",
        signed_by=user,
        signed_at=datetime.now(UTC),
    )
    assert pdf_verify(signed).verdict == Verdict.VALID
    connection.close()


def op_sha256() -> None:
    hashlib.sha256(STATE["signed"]).digest()  # type: ignore[arg-type]


def op_render() -> None:
    render()


def op_sign() -> None:
    pdf_sign(STATE["pdf"], signatures=[spec()])  # type: ignore[arg-type]


def op_verify() -> None:
    assert pdf_verify(STATE["signed"]).verdict == Verdict.VALID  # type: ignore[arg-type]


OPS: dict[str, Callable[[], None]] = {
    "sha256": op_sha256,
    "render": op_render,
    "sign": op_sign,
    "verify": op_verify,
}


def _loop(name: str) -> int:
    op = OPS[name]
    op()  # warm up (fonts, key, caches)
    count, deadline = 0, time.perf_counter() + SECONDS
    while time.perf_counter() < deadline:
        op()
        count += 1
    connection.close()
    return count


def rate(name: str, processes: int = 1) -> float:
    if processes == 1:
        return _loop(name) / SECONDS
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        counts = pool.map(_loop, [name] * processes)
    return sum(counts) / SECONDS


TEXT = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014;",
    "Xét đề nghị của bà Nguyễn Thị Lan về việc cấp giấy xác nhận,",
    "Ủy ban nhân dân phường Hoàn Kiếm xác nhận:",
    "Họ, chữ đệm, tên: Nguyễn Thị Lan; giới tính: Nữ; dân tộc: Kinh",
    "Nơi cư trú: số 12 phố Hàng Bài, phường Hoàn Kiếm, thành phố Hà Nội",
    "Tình trạng hôn nhân: chưa đăng ký kết hôn với ai",
    "Giấy này có giá trị sử dụng trong thời hạn sáu tháng kể từ ngày cấp",
    "Mục đích sử dụng: để làm thủ tục đăng ký kết hôn",
    "Người ký: Trần Văn Hùng, Phó Chủ tịch Ủy ban nhân dân phường",
]


def ocr_seconds_per_page(pages: int = 3) -> tuple[float, float] | None:
    """Seconds per page and the share of words recognised exactly (with diacritics)."""
    if not ocr_available():
        return None
    import io
    from collections import Counter

    from PIL import Image, ImageDraw, ImageFont

    from motcua.core.pdf import FONT_DIR

    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 44)
    images, expected = [], Counter[str]()
    for n in range(pages):
        image = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(image)
        for i in range(26):
            line = TEXT[(i + n) % len(TEXT)]
            expected.update(line.split())
            draw.text((250, 300 + i * 110), line, font=font, fill=0)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=300, save_all=True, append_images=images[1:])
    start = time.perf_counter()
    outcome = ocr_pdf(buffer.getvalue())
    elapsed = time.perf_counter() - start
    assert outcome.ok, outcome.error
    found = Counter(outcome.text.split())
    exact = sum(min(count, found[word]) for word, count in expected.items())
    return elapsed / pages, exact / sum(expected.values())


LOAD_AT_START = os.getloadavg()[0]


def main() -> None:
    setup()
    results = {
        "sha256": rate("sha256"),
        "render": rate("render"),
        "sign": rate("sign"),
        f"sign ×{CORES}": rate("sign", CORES),
        "verify": rate("verify"),
        f"verify ×{CORES}": rate("verify", CORES),
    }
    ocr = ocr_seconds_per_page()
    sha, rend = results["sha256"], results["render"]
    rows = [
        ("baseline: SHA-256 of the signed PDF", "sha256"),
        ("baseline: render the unsigned result", "render"),
        ("sign (PAdES, visible, checks), 1 process", "sign"),
        (f"sign, {CORES} processes", f"sign ×{CORES}"),
        ("verify (pdf_verify, registered), 1 process", "verify"),
        (f"verify, {CORES} processes", f"verify ×{CORES}"),
    ]
    size = len(STATE["signed"])  # type: ignore[arg-type]
    lines = [
        f"## Signing and verification — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine: {platform.machine()}, {CORES} cores, Python {platform.python_version()}, "
        f"load average at start {LOAD_AT_START:.1f} (other work on the machine skews the "
        f"multi-process rows); "
        f"RSA-2048 PKCS#12 key, one-page result ({size:,} bytes signed); "
        f"{SECONDS:g} s per measurement; command: `.venv/bin/python bench/signing.py`.",
        "",
        "| operation | per second | ms each | ÷ SHA-256 | ÷ render |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, key in rows:
        per_s = results[key]
        lines.append(
            f"| {label} | {per_s:,.1f} | {1000 / per_s:.2f} | {per_s / sha:.5f} | "
            f"{per_s / rend:.2f} |"
        )
    lines.append("")
    if ocr is None:
        lines.append("OCR: skipped (ocrmypdf/tesseract with `vie` not installed).")
    else:
        lines.append(
            f"OCR (OCRmyPDF, Tesseract `vie`, PDF/A output, 3-page A4 scan at 300 dpi, "
            f"26 lines of Vietnamese per page): **{ocr[0]:.2f} s per page**; "
            f"{ocr[1]:.1%} of the words recognised exactly, diacritics included."
        )
    text = "\n".join(lines) + "\n"
    print(text)
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
        fh.write("\n" + text)


if __name__ == "__main__":
    main()
