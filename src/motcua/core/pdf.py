"""PDF documents with exact Vietnamese text: fpdf2 + an embedded Unicode font (DejaVu).

Pure Python, so `make run` needs no system library. Text is normalised to NFC before
it is written (DejaVu carries precomposed Vietnamese glyphs), and the font is embedded
(subset) so every reader shows the same letters. ``qr_png`` makes the QR codes that
link slips and results to their public pages.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def qr_png(data: str, *, box_size: int = 6) -> bytes:
    image = qrcode.make(data, box_size=box_size, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class OfficialPdf(FPDF):
    """A4 portrait with the embedded font; helpers for the usual official layout."""

    def __init__(self, *, title: str, author: str = "motcua") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(nfc(title))
        self.set_author(nfc(author))
        self.set_creator("motcua")
        self.set_margins(20, 15, 20)
        self.set_auto_page_break(auto=True, margin=18)
        self.add_page()
        self.set_font(FONT, size=11)

    def national_heading(self, agency: str) -> None:
        """Agency name left, the national motto right (Decree 30/2020 layout)."""
        width = (self.w - self.l_margin - self.r_margin) / 2
        top = self.get_y()
        self.set_font(FONT, "B", 10)
        self.multi_cell(
            width, 5, nfc(agency.upper()), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        left_bottom = self.get_y()
        self.set_xy(self.l_margin + width, top)
        self.multi_cell(
            width,
            5,
            nfc("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_x(self.l_margin + width)
        self.multi_cell(
            width,
            5,
            nfc("Độc lập - Tự do - Hạnh phúc"),
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_y(max(left_bottom, self.get_y()) + 4)
        self.set_font(FONT, size=11)

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FONT, "B", 13)
        self.multi_cell(0, 7, nfc(title), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FONT, size=10)
            self.multi_cell(0, 5, nfc(subtitle), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)
        self.set_font(FONT, size=11)

    def field(self, label: str, value: str) -> None:
        self.set_font(FONT, "B", 11)
        self.write(6, nfc(f"{label}: "))
        self.set_font(FONT, size=11)
        self.write(6, nfc(value))
        self.ln(7)

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", 11)
        self.multi_cell(0, 6, nfc(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=11)

    def qr(self, data: str, *, size_mm: float = 28, caption: str = "") -> None:
        x = self.w - self.r_margin - size_mm
        y = self.get_y()
        self.image(io.BytesIO(qr_png(data)), x=x, y=y, w=size_mm, h=size_mm)
        if caption:
            self.set_xy(x - 10, y + size_mm)
            self.set_font(FONT, size=7)
            self.multi_cell(
                size_mm + 10, 3.5, nfc(caption), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            self.set_font(FONT, size=11)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
