"""Storing documents: uploads that passed every check, generated results and slips.

``document_upload`` runs every check of ``motcua.documents.checks`` on a private
temporary copy, then stores the content through the ``default`` storage (file system
or S3-compatible by configuration) and writes the row and an audit entry in one
transaction. A refusal raises ``UploadRefused`` and leaves nothing behind: no file in
storage, no row. If the transaction fails after the file was written, the file is
deleted again.

The personal data warehouse (Decree 45/2020 Art. 16) is the set of an account's
documents with ``in_warehouse``: every upload of a citizen and every result issued to
them. Documents are immutable, so reusing one in a new dossier links the same row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import IO, Protocol

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.audit.services import NATIONAL_CHAIN, audit_record
from motcua.documents.checks import (
    CheckedFile,
    UploadRefused,
    check_upload,
    max_upload_bytes,
    sanitize_filename,
    sniff,
    spool,
    with_extension,
)
from motcua.documents.models import Document, DocumentKind

__all__ = ["UploadRefused", "document_store", "document_upload", "warehouse_documents"]


class Upload(Protocol):
    """What Django's ``UploadedFile`` offers (and what tests pass)."""

    name: str | None

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


def _save(
    *,
    stream: IO[bytes],
    checked: CheckedFile,
    size: int,
    sha256: str,
    kind: str,
    owner: User | None,
    actor: User | None,
    province_code: str,
    in_warehouse: bool,
    title: str,
) -> Document:
    document = Document(
        kind=kind,
        filename=checked.filename,
        content_type=checked.kind.content_type,
        size=size,
        sha256=sha256,
        page_count=checked.page_count,
        province_code=province_code,
        owner=owner,
        in_warehouse=in_warehouse and owner is not None,
        title=title.strip()[:300],
    )
    stream.seek(0)
    document.file.save(checked.filename, File(stream), save=False)
    stored_name = str(document.file.name)
    try:
        with transaction.atomic():
            document.save()
            audit_record(
                action=f"document.{kind}",
                actor=actor,
                object_type="document",
                object_id=document.pk,
                chain=province_code or NATIONAL_CHAIN,
                data={
                    # not the SHA-256: its hex may hold 9–12 digits in a row, which the
                    # audit log refuses as ID-like; the row keeps it.
                    "size": size,
                    "content_type": checked.kind.content_type,
                    "in_warehouse": document.in_warehouse,
                },
            )
    except BaseException:
        default_storage.delete(stored_name)
        raise
    return document


def document_upload(
    *,
    actor: User,
    upload: Upload,
    owner: User | None = None,
    province_code: str = "",
    title: str = "",
    in_warehouse: bool = True,
    size_exceeded: bool = False,
) -> Document:
    """Check and store a file sent by ``actor`` (for ``owner``, by default the actor).

    ``size_exceeded``: the upload handler already stopped reading past the limit.
    """
    owner = owner if owner is not None else actor
    filename = sanitize_filename(getattr(upload, "name", "") or "")
    limit = max_upload_bytes()
    if size_exceeded:
        stream, size, sha256 = None, limit + 1, ""
    else:
        stream, size, sha256 = spool(upload.chunks(), limit=limit)
    try:
        if size > limit:
            raise UploadRefused(
                "size",
                _("The file is larger than %(mb)s MB; send a smaller file.")
                % {"mb": f"{limit / (1024 * 1024):.0f}"},
            )
        assert stream is not None
        checked = check_upload(stream, filename=filename, size=size)
        return _save(
            stream=stream,
            checked=checked,
            size=size,
            sha256=sha256,
            kind=DocumentKind.UPLOAD,
            owner=owner,
            actor=actor,
            province_code=province_code,
            in_warehouse=in_warehouse,
            title=title or checked.filename,
        )
    finally:
        if stream is not None:
            stream.close()


def document_store(
    *,
    actor: User | None,
    content: bytes,
    filename: str,
    kind: str,
    owner: User | None = None,
    province_code: str = "",
    title: str = "",
    in_warehouse: bool = False,
) -> Document:
    """Store a document the system made (a result, a slip): trusted, still typed by content.

    A result issued to a citizen goes into their warehouse: pass ``owner`` and
    ``in_warehouse=True``.
    """
    if kind not in DocumentKind.values:
        raise ValueError(f"unknown document kind {kind!r}")
    file_type = sniff(content[:16])
    if file_type is None:
        raise UploadRefused(
            "type", _("Only PDF, JPEG and PNG files are accepted; this file is neither.")
        )
    stream, size, sha256 = spool([content], limit=max(len(content), 1))
    try:
        name = with_extension(sanitize_filename(filename), file_type)
        checked = CheckedFile(kind=file_type, filename=name, page_count=None)
        return _save(
            stream=stream,
            checked=checked,
            size=size,
            sha256=sha256,
            kind=kind,
            owner=owner,
            actor=actor,
            province_code=province_code,
            in_warehouse=in_warehouse,
            title=title or name,
        )
    finally:
        stream.close()


def document_keep(*, actor: User | None, document: Document, owner: User) -> Document:
    """Put ``document`` into ``owner``'s warehouse (e.g. a result issued to them)."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.owner_id not in (None, owner.pk):
            raise UploadRefused("owner", _("This document belongs to another account."))
        if locked.owner_id == owner.pk and locked.in_warehouse:
            return locked
        locked.owner = owner
        locked.in_warehouse = True
        locked.save(update_fields=["owner", "in_warehouse"])
        audit_record(
            action="document.keep",
            actor=actor,
            object_type="document",
            object_id=locked.pk,
            chain=locked.province_code or NATIONAL_CHAIN,
            data={"kind": locked.kind},
        )
    return locked


def warehouse_documents(owner: User) -> QuerySet[Document]:
    """The account's data warehouse, newest first (a read shared by portal and API)."""
    if not owner.is_authenticated:
        return Document.objects.none()
    return Document.objects.filter(owner=owner, in_warehouse=True).order_by("-created_at", "-pk")


def warehouse_document(owner: User, reference: str) -> Document:
    """One document of the account's warehouse, or ``Document.DoesNotExist``."""
    try:
        key = uuid.UUID(str(reference))
    except ValueError:
        raise Document.DoesNotExist(reference) from None
    return warehouse_documents(owner).get(reference=key)
