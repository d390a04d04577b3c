"""Good and bad files, built in memory with the same libraries an attacker would use."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import pikepdf
from fpdf import FPDF
from PIL import Image

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class Upload:
    """What Django hands a view for one uploaded file (name + chunks)."""

    def __init__(self, name: str, content: bytes) -> None:
        self.name = name
        self.content = content
        self.size = len(content)

    def chunks(self, chunk_size: int | None = None) -> list[bytes]:
        step = chunk_size or 64 * 1024
        return [self.content[i : i + step] for i in range(0, len(self.content), step)] or [b""]


# --- good files ---------------------------------------------------------------------------
def pdf_bytes(text: str = "Giấy khai sinh", pages: int = 1) -> bytes:
    doc = FPDF()
    for n in range(pages):
        doc.add_page()
        doc.set_font("helvetica", size=14)
        doc.cell(text=f"{text.encode('ascii', 'replace').decode()} - page {n + 1}")
    return bytes(doc.output())


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", quality=80)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 30)).save(out, "PNG")
    return out.getvalue()


# --- PDF variations -------------------------------------------------------------------------
def _edit_pdf(change: Callable[[pikepdf.Pdf], None], **save: object) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes())) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, **save)  # type: ignore[arg-type]
        return out.getvalue()


def pdf_with_javascript_open_action() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")

    return _edit_pdf(change)


def pdf_with_javascript_names() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        action = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS="1")
        )
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), action]))
        )

    return _edit_pdf(change)


def pdf_with_launch_action() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F="cmd.exe")

    return _edit_pdf(change)


def pdf_with_embedded_file() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.attachments["hoa-don.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00payload")

    return _edit_pdf(change)


def pdf_with_attachment_annotation() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        annotation = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.FileAttachment,
                Rect=[0, 0, 10, 10],
                FS=pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F="a.txt"),
            )
        )
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([annotation]))

    return _edit_pdf(change)


def pdf_with_xfa() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=pikepdf.Stream(pdf, b"<xdp/>"))

    return _edit_pdf(change)


def pdf_encrypted_user_password() -> bytes:
    return _edit_pdf(lambda pdf: None, encryption=pikepdf.Encryption(owner="o", user="secret"))


def pdf_encrypted_owner_password() -> bytes:
    return _edit_pdf(lambda pdf: None, encryption=pikepdf.Encryption(owner="o", user=""))


def pdf_flate_bomb(decoded: int) -> bytes:
    """A small PDF whose one stream inflates to ``decoded`` bytes."""
    packed = zlib.compress(b"\0" * decoded, 9)

    def change(pdf: pikepdf.Pdf) -> None:
        stream = pikepdf.Stream(pdf, packed)
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.Root.Extra = pdf.make_indirect(stream)

    return _edit_pdf(
        change, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none
    )


def pdf_huge_image() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        image = pikepdf.Stream(pdf, zlib.compress(b"\0" * 1000))
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width = 100_000
        image.Height = 100_000
        image.ColorSpace = pikepdf.Name.DeviceGray
        image.BitsPerComponent = 8
        image.Filter = pikepdf.Name.FlateDecode
        pdf.pages[0].Resources.XObject = pikepdf.Dictionary(Im0=pdf.make_indirect(image))

    return _edit_pdf(change, compress_streams=False)


def pdf_truncated() -> bytes:
    data = pdf_bytes(pages=3)
    return data[: len(data) // 2]


def pdf_without_eof() -> bytes:
    return pdf_bytes().rstrip().removesuffix(b"%%EOF")


def pdf_broken_xref() -> bytes:
    data = pdf_bytes()
    at = data.rindex(b"\nxref\n")
    return data[:at] + data[at:].replace(b" 00000 n", b"x00000 n")


def pdf_wrong_startxref() -> bytes:
    data = pdf_bytes()
    at = data.rindex(b"startxref")
    return data[:at] + b"startxref\n99999\n%%EOF\n"


def pdf_header_only() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << >> endobj\n%%EOF\n"


# --- images -----------------------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with a tiny compressed body."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = b"\0" * (width + 1)
    body = zlib.compressobj(9)
    packed = b"".join(body.compress(row) for _ in range(64)) + body.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", packed)
        + _png_chunk(b"IEND", b"")
    )


def png_text_bomb() -> bytes:
    """A normal PNG carrying a compressed text chunk that inflates to 64 MB."""
    good = png_bytes()
    text = b"Comment\0\0" + zlib.compress(b"A" * (64 * 1024 * 1024), 9)
    at = good.index(b"IDAT") - 4
    return good[:at] + _png_chunk(b"zTXt", text) + good[at:]


def jpeg_bomb() -> bytes:
    """A JPEG whose frame header claims 60,000 × 60,000 pixels."""
    data = bytearray(jpeg_bytes())
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", 60_000, 60_000)
    return bytes(data)


def jpeg_truncated() -> bytes:
    data = jpeg_bytes((400, 300))
    return data[: len(data) * 2 // 3]


def png_truncated() -> bytes:
    data = png_bytes((400, 300))
    return data[: len(data) // 2]


def jpeg_garbage_after_header() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x13\x37" * 200


def _jpeg_with_comment(comment: bytes) -> bytes:
    data = jpeg_bytes()
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return data[:2] + segment + data[2:]


def jpeg_with_pdf_header() -> bytes:
    return _jpeg_with_comment(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj")


def jpeg_with_html() -> bytes:
    return _jpeg_with_comment(b"<html><script>alert(document.cookie)</script></html>")


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A member of 64 MB of zeros in about 64 KB (ratio 1000:1)."""
    return zip_bytes({"bomb.bin": b"\0" * (64 * 1024 * 1024)})


def jpeg_plus_zip() -> bytes:
    return jpeg_bytes() + zip_bytes({"payload.js": b"alert(1)"})


def pdf_plus_zip() -> bytes:
    return pdf_bytes() + zip_bytes({"payload.exe": b"MZ\x90\x00"})


def png_with_trailing_data() -> bytes:
    return png_bytes() + b"hidden second file " * 10


def gzip_bomb() -> bytes:
    import gzip

    return gzip.compress(b"\0" * (50 * 1024 * 1024), 9)


def docx_like() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


def svg_with_script() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def html_page() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>"
