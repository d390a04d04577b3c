"""Checks every uploaded file passes before anything is stored.

Pure functions over bytes and file objects; each refusal raises ``UploadRefused`` with a
``code`` (stable, for tests and the API) and a message in the active language that
says what is wrong and what to do. Nothing here writes to storage or the database.

What is accepted: PDF, JPEG and PNG, recognised by their content (magic bytes), never
by the name or the browser's content type.

* **Names** are normalised to NFC; a name with a path part (``/``, ``\\``, ``..``), a
  NUL, another control character or a bidirectional override (the right-to-left
  override makes ``invoice‮fdp.exe`` display as ``invoiceexe.pdf``) is refused; a
  long name is shortened keeping its extension; the extension is set to the one the
  content really has.
* **Size**: at most ``MOTCUA_UPLOAD_MAX_BYTES`` (20 MB by default), never empty.
* **Polyglots** — files that are valid as two formats at once — are refused: a second
  format's signature near the start (PDF readers accept ``%PDF-`` anywhere in the first
  kilobyte), HTML or script markup near the start, a ZIP directory at the end, bytes
  after an image's end marker.
* **PDF** is opened with pikepdf (qpdf) without recovery: encrypted, truncated or with a
  broken cross-reference table, it is refused. Active content is refused too:
  JavaScript, launch actions, embedded files and file attachments, XFA forms. Page
  images larger than the pixel limit are refused (they would exhaust the OCR).
* **Images** are opened with Pillow: at most ``MOTCUA_UPLOAD_MAX_PIXELS`` pixels
  (decompression bombs), fully decoded (truncated files are refused), oversized
  compressed text chunks refused.
* **ClamAV**: when ``MOTCUA_CLAMD_ADDRESS`` is set, the content is streamed to clamd with
  the INSTREAM command before any other content check (an infected file is named as
  such); a finding or an unreachable scanner refuses the upload (fail closed).
"""

from __future__ import annotations

import io
import os
import re
import socket
import struct
import unicodedata
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, cast

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 60_000_000  # an A4 page scanned at 600 dpi is about 35 million
MAX_NAME_LENGTH = 120
MAX_PDF_PAGES = 2000
MAX_PDF_OBJECTS = 500_000
SNIFF_BYTES = 1024


class UploadRefused(DomainError):
    """The file was refused; nothing was stored. ``code`` names the check."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, field="file")
        self.code = code


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", "pdf", "PDF")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
PNG = FileType("image/png", "png", "PNG")
ACCEPTED = (PDF, JPEG, PNG)
_EXTENSIONS = {PDF: {"pdf"}, JPEG: {"jpg", "jpeg", "jpe"}, PNG: {"png"}}

# Signatures of formats that must not hide inside an accepted one (polyglots).
_FOREIGN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"MZ\x90\x00", "Windows executable"),
    (b"\x7fELF", "ELF executable"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|\?php)\b",
    re.IGNORECASE,
)

# Characters a file name may never contain.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


# --- names ----------------------------------------------------------------------------------
def sanitize_filename(raw: str) -> str:
    """The name to keep and show, or ``UploadRefused`` for a name that tries to mislead."""
    name = unicodedata.normalize("NFC", raw or "")
    if "\x00" in name:
        raise UploadRefused("name_nul", _("The file name contains a NUL character."))
    if any(ch in _BIDI_CONTROLS for ch in name):
        raise UploadRefused(
            "name_bidi",
            _(
                "The file name contains a hidden character that reverses the text direction; "
                "rename the file and try again."
            ),
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"} for ch in name):
        raise UploadRefused(
            "name_control", _("The file name contains control characters; rename the file.")
        )
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or ":" in name:
        raise UploadRefused(
            "name_path", _("The file name may not contain folders or “..”; rename the file.")
        )
    name = " ".join(name.split())  # collapse and trim white space
    name = name.lstrip(".")  # no hidden files
    if not name:
        raise UploadRefused("name_empty", _("The file has no name."))
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 8:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH].rstrip()
    return name


def with_extension(name: str, kind: FileType) -> str:
    """``name`` ending with ``kind``'s extension (the content decides, not the name)."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() in _EXTENSIONS[kind]:
        return name
    if dot and stem and any(ext.lower() in known for known in _EXTENSIONS.values()):
        name = stem  # an accepted type's extension, but the wrong one: replace it
    base = name if len(name) + 4 <= MAX_NAME_LENGTH else name[: MAX_NAME_LENGTH - 4]
    return f"{base}.{kind.extension}"


# --- content type and polyglots ---------------------------------------------------------------
def sniff(head: bytes) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def refuse_wrong_type() -> UploadRefused:
    return UploadRefused(
        "type",
        _("Only PDF, JPEG and PNG files are accepted; this file is neither (by its content)."),
    )


def check_polyglot(stream: IO[bytes], size: int, kind: FileType) -> None:
    """Refuse a file that another program would read as a different format."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    for signature, label in _FOREIGN_SIGNATURES:
        at = head.find(signature)
        if at > 0 or (at == 0 and label != kind.label):
            raise UploadRefused(
                "polyglot",
                _("The file also looks like a %(format)s file; send a plain %(kind)s file.")
                % {"format": label, "kind": kind.label},
            )
    if _MARKUP.search(head):
        raise UploadRefused(
            "polyglot",
            _("The file contains web page or script markup; send a plain %(kind)s file.")
            % {"kind": kind.label},
        )
    # A ZIP archive is read from its end (central directory): PDF+ZIP and image+ZIP.
    if _has_zip_directory(stream, size):
        raise UploadRefused(
            "polyglot",
            _("The file also contains a ZIP archive; send a plain %(kind)s file.")
            % {"kind": kind.label},
        )
    stream.seek(0)


def _has_zip_directory(stream: IO[bytes], size: int) -> bool:
    """Whether a ZIP end-of-directory record near the end points at a real directory."""
    tail_size = min(size, 65_557)  # the record (22 bytes) + the longest comment
    base = size - tail_size
    stream.seek(base)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    while at >= 0:
        if at + 22 <= len(tail):
            directory_size, directory_offset = struct.unpack("<II", tail[at + 12 : at + 20])
            start = base + at - directory_size  # where the directory ends up, data prepended
            for position in {start, directory_offset}:
                if 0 <= position < size:
                    stream.seek(position)
                    if stream.read(4) == b"PK\x01\x02":
                        return True
        at = tail.rfind(b"PK\x05\x06", 0, at)
    return False


# --- PDF --------------------------------------------------------------------------------------
_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "launch action",
    "/EmbeddedFile": "embedded file",
    "/EmbeddedFiles": "embedded file",
    "/FileAttachment": "file attachment",
    "/XFA": "XFA form",
    "/RichMedia": "rich media",
}


def _active_content(obj: Any) -> str | None:
    """The kind of active content this object carries, if any."""
    import pikepdf

    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return None
    for key in obj.keys():  # noqa: SIM118 (pikepdf objects are not plain dicts)
        if key in _ACTIVE_KEYS:
            return _ACTIVE_KEYS[key]
    for key in ("/S", "/Type", "/Subtype"):
        value = obj.get(key)
        if isinstance(value, pikepdf.Name) and str(value) in _ACTIVE_KEYS:
            return _ACTIVE_KEYS[str(value)]
    return None


def _refuse_damaged_pdf() -> UploadRefused:
    return UploadRefused(
        "pdf_damaged",
        _(
            "The PDF is damaged or incomplete (it cannot be read without repair); "
            "save or export it again and retry."
        ),
    )


def _pdf_tail_ok(stream: IO[bytes]) -> bool:
    """A complete PDF ends with ``%%EOF`` (readers look in the last kilobyte)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - 1024))
    return b"%%EOF" in stream.read()


def _flate_budget_left(raw: bytes, budget: int) -> int:
    """Decode a Flate stream up to ``budget`` bytes; the budget left (negative: exceeded)."""
    inflater = zlib.decompressobj()
    data = raw
    while data:
        out = inflater.decompress(data, 1024 * 1024)
        budget -= len(out)
        if budget < 0:
            return budget
        data = inflater.unconsumed_tail
        if inflater.eof:
            break
    return budget


def max_pdf_decoded_bytes() -> int:
    return int(getattr(settings, "MOTCUA_PDF_MAX_DECODED_BYTES", 512 * 1024 * 1024))


def _active_content_within(obj: Any) -> str | None:
    """Active content in ``obj`` or in the direct objects nested in it (indirect ones are
    visited on their own as members of ``pdf.objects``)."""
    import pikepdf

    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        current, depth = stack.pop()
        found = _active_content(current)
        if found:
            return found
        if depth > 64:
            raise UploadRefused("pdf_complex", _("The PDF is too complex to check."))
        if isinstance(current, pikepdf.Dictionary | pikepdf.Stream):
            children = [current.get(key) for key in current.keys()]  # noqa: SIM118
        elif isinstance(current, pikepdf.Array):
            children = list(current)
        else:
            continue
        for child in children:
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
                stack.append((child, depth + 1))
    return None


def check_pdf(stream: IO[bytes]) -> int:
    """Open the PDF strictly and refuse what is not plain content; returns the page count."""
    import pikepdf

    if not _pdf_tail_ok(stream):
        raise _refuse_damaged_pdf()
    stream.seek(0)
    try:
        pdf = pikepdf.open(cast(BinaryIO, stream), attempt_recovery=False, suppress_warnings=True)
    except pikepdf.PasswordError:
        raise UploadRefused(
            "pdf_encrypted",
            _("The PDF is protected by a password; send it without protection."),
        ) from None
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError):
        raise _refuse_damaged_pdf() from None
    with pdf:
        if pdf.is_encrypted:
            raise UploadRefused(
                "pdf_encrypted",
                _("The PDF is encrypted; save it without protection and retry."),
            )
        try:
            pages = _check_pdf_objects(pdf)
        except (pikepdf.PdfError, RuntimeError, ValueError, TypeError, zlib.error):
            raise _refuse_damaged_pdf() from None
        if pdf.get_warnings():
            raise _refuse_damaged_pdf()
        return pages


def _check_pdf_objects(pdf: Any) -> int:
    import pikepdf

    pages = len(pdf.pages)
    if pages == 0:
        raise UploadRefused("pdf_damaged", _("The PDF has no pages."))
    if pages > MAX_PDF_PAGES:
        raise UploadRefused(
            "pdf_pages",
            _("The PDF has more than %(n)s pages; split it into several files.")
            % {"n": MAX_PDF_PAGES},
        )
    if len(pdf.objects) > MAX_PDF_OBJECTS:
        raise UploadRefused("pdf_complex", _("The PDF is too complex to check."))
    pixel_limit = max_pixels()
    budget = max_pdf_decoded_bytes()
    for obj in pdf.objects:
        active = _active_content_within(obj)
        if active:
            raise UploadRefused(
                "pdf_active",
                _(
                    "The PDF contains active content (%(what)s), which is not accepted; "
                    "print it to a new PDF and retry."
                )
                % {"what": active},
            )
        if not isinstance(obj, pikepdf.Stream):
            continue
        if obj.get("/Subtype") == pikepdf.Name.Image:
            pixels = int(obj.get("/Width", 0)) * int(obj.get("/Height", 0))
            if pixels > pixel_limit:
                raise UploadRefused("bomb", _("The file holds an image too large to open safely."))
        filters = obj.get("/Filter")
        first = filters[0] if isinstance(filters, pikepdf.Array) and len(filters) else filters
        if first == pikepdf.Name.FlateDecode:
            budget = _flate_budget_left(obj.read_raw_bytes(), budget)
            if budget < 0:
                raise UploadRefused(
                    "bomb",
                    _("The PDF expands to far more data than its size allows; it was refused."),
                )
    for page in pdf.pages:  # every page must resolve to a page dictionary
        if not isinstance(page.obj, pikepdf.Dictionary):
            raise _refuse_damaged_pdf()
    return pages


# --- images -----------------------------------------------------------------------------------
def check_image(stream: IO[bytes], kind: FileType) -> None:
    """Decode the whole image safely; refuse bombs, truncation and trailing data."""
    from PIL import Image, UnidentifiedImageError

    stream.seek(0)
    limit = max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=["JPEG" if kind is JPEG else "PNG"]) as image:
                width, height = image.size
                if width * height > limit or width <= 0 or height <= 0:
                    raise UploadRefused(
                        "bomb",
                        _("The image is too large to open safely (%(w)s × %(h)s pixels).")
                        % {"w": width, "h": height},
                    )
                image.load()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("bomb", _("The image is too large to open safely.")) from None
    except ValueError as exc:
        # Pillow refuses PNG text chunks that decompress beyond its safety limit.
        if "too large" in str(exc).lower():
            raise UploadRefused(
                "bomb", _("The image holds data that expands too much to open safely.")
            ) from None
        raise UploadRefused(
            "image_damaged",
            _("The image is damaged or incomplete; take or export it again and retry."),
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, struct.error, EOFError):
        raise UploadRefused(
            "image_damaged",
            _("The image is damaged or incomplete; take or export it again and retry."),
        ) from None
    stream.seek(0)
    data = stream.read()
    end = _png_end(data) if kind is PNG else _jpeg_end(data)
    if end is None:
        raise UploadRefused(
            "image_damaged",
            _("The image is damaged or incomplete; take or export it again and retry."),
        )
    if data[end:].strip(b"\x00"):
        raise UploadRefused(
            "polyglot",
            _("The image has data hidden after its end; export it again and retry."),
        )
    stream.seek(0)


def _png_end(data: bytes) -> int | None:
    """Offset just after the IEND chunk, walking the chunk list."""
    at = 8
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunk_type = data[at + 4 : at + 8]
        at += 12 + length
        if chunk_type == b"IEND":
            return at if at <= len(data) else None
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the EOI marker, walking segments and entropy-coded data."""
    at = 2  # after SOI
    size = len(data)
    while at + 2 <= size:
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:  # EOI
            return at + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            at += 2
            continue
        if at + 4 > size:
            return None
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= size:
                    return None
                following = data[at + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    at += 2
                    continue
                break
    return None


# --- ClamAV -----------------------------------------------------------------------------------
CHUNK = 64 * 1024


def clamd_address() -> str:
    return str(getattr(settings, "MOTCUA_CLAMD_ADDRESS", "") or "").strip()


def _connect(address: str, timeout: float) -> socket.socket:
    """Open a connection to clamd.

    ``unix:///run/clamav/clamd.ctl`` or ``/path/to/socket``; ``tcp://host:3310`` or
    ``host:3310``.
    """
    if address.startswith(("unix://", "/")):
        path = address.removeprefix("unix://")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(path)
        return sock
    hostport = address.removeprefix("tcp://")
    host, _sep, port = hostport.rpartition(":")
    return socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout)


def clamd_instream(chunks: Iterable[bytes], *, address: str, timeout: float = 30.0) -> str:
    """Stream ``chunks`` to clamd (INSTREAM) and return its answer, e.g. ``stream: OK``."""
    with _connect(address, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        for chunk in chunks:
            for start in range(0, len(chunk), CHUNK):
                piece = chunk[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(piece)) + piece)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def _read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        yield chunk


def scan_for_viruses(stream: IO[bytes]) -> None:
    """Refuse infected content when a clamd address is configured (fail closed)."""
    address = clamd_address()
    if not address:
        return
    timeout = float(getattr(settings, "MOTCUA_CLAMD_TIMEOUT", 30))
    try:
        answer = clamd_instream(_read_chunks(stream), address=address, timeout=timeout)
    except (OSError, ValueError):
        raise UploadRefused(
            "scan_unavailable",
            _("The virus scan is unavailable at the moment; nothing was stored. Try again later."),
        ) from None
    finally:
        stream.seek(0)
    if answer.endswith("FOUND"):
        raise UploadRefused(
            "virus",
            _("The virus scan found a threat in this file; it was not stored."),
        )
    if not answer.endswith("OK"):
        raise UploadRefused(
            "scan_unavailable",
            _("The virus scan could not check this file; nothing was stored. Try again later."),
        )


# --- everything, in order -----------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedFile:
    kind: FileType
    filename: str
    page_count: int | None


def check_upload(stream: IO[bytes], *, filename: str, size: int) -> CheckedFile:
    """Every check, cheapest first; ``stream`` is seekable and holds exactly ``size`` bytes."""
    name = sanitize_filename(filename)
    if size <= 0:
        raise UploadRefused("empty", _("The file is empty."))
    limit = max_upload_bytes()
    if size > limit:
        raise UploadRefused(
            "size",
            _("The file is larger than %(mb)s MB; send a smaller file.")
            % {"mb": _megabytes(limit)},
        )
    scan_for_viruses(stream)  # first: an infected file is named as such, whatever it is
    stream.seek(0)
    kind = sniff(stream.read(16))
    if kind is None:
        raise refuse_wrong_type()
    check_polyglot(stream, size, kind)
    pages: int | None = None
    if kind is PDF:
        pages = check_pdf(stream)
    else:
        check_image(stream, kind)
        pages = 1
    stream.seek(0)
    return CheckedFile(kind=kind, filename=with_extension(name, kind), page_count=pages)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit (before it reaches a disk).

    Install first in ``request.upload_handlers``; ``exceeded`` tells the view to refuse.
    """

    def __init__(self, request: Any = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = limit if limit is not None else max_upload_bytes()
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = start + len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def spool(chunks: Iterable[bytes], *, limit: int) -> tuple[IO[bytes], int, str]:
    """Copy ``chunks`` to a seekable temporary file, hashing; stops past ``limit``.

    Returns (file, size, sha256 hex). A size above ``limit`` is reported as ``limit + 1``.
    """
    import hashlib
    import tempfile

    digest = hashlib.sha256()
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=2 * 1024 * 1024)  # noqa: SIM115
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            out.close()
            return io.BytesIO(b""), limit + 1, ""
        digest.update(chunk)
        out.write(chunk)
    out.seek(0)
    return out, size, digest.hexdigest()
