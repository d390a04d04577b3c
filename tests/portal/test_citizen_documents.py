"""My documents (the data warehouse): upload with every check, download by the owner only,
reuse in a new application with the right digitization state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import ProcedureCase
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import document_store
from motcua.dossiers.models import DigitizationState, DossierDraft
from tests.documents import samples as F
from tests.documents.conftest import stored_files
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World
from tests.portal import citizen as C
from tests.portal.citizen import FakePopulation

world = dossier_fixtures.world
lan = C.lan
media = C.media
residence = C.residence
population = C.population

pytestmark = pytest.mark.django_db
WAREHOUSE = "/ca-nhan/kho-du-lieu/"


def test_an_upload_is_kept_and_downloaded_as_an_attachment(lan: Client, media: Path) -> None:
    response = lan.post(
        WAREHOUSE, {"files": [SimpleUploadedFile("Giấy tờ nhà.pdf", F.pdf_bytes())]}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.in_warehouse and document.filename == "Giấy tờ nhà.pdf"
    html = lan.get(WAREHOUSE).content.decode()
    assert "Giấy tờ nhà.pdf" in html
    download = lan.get(reverse("citizen:warehouse_document", args=[document.reference]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a document", "Only PDF, JPEG and PNG"),
        ("js.pdf", F.pdf_with_javascript_open_action(), "JavaScript"),
        ("anh.jpg", F.jpeg_plus_zip(), "ZIP"),
    ],
)
def test_a_bad_upload_is_refused_on_the_page_and_nothing_is_stored(
    lan: Client, media: Path, name: str, content: bytes, words: str
) -> None:
    response = lan.post(WAREHOUSE, {"files": [SimpleUploadedFile(name, content)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and 'role="alert"' in html and name in html
    assert Document.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/x.pdf", "x.pdf"),
        ("..\\boot\\x.pdf", "x.pdf"),
        ("hoa-don\u202efdp.exe", "hoa-donfdp.exe.pdf"),
        ("ten\u2066an.pdf", "tenan.pdf"),
    ],
)
def test_names_lose_folders_and_hidden_characters_before_they_are_kept(
    lan: Client, media: Path, sent: str, kept: str
) -> None:
    """Django's upload parser already drops folders and non-printable characters; the
    service refuses them outright when another door (API, counter) passes them on
    (tests/documents/test_bad_files.py)."""
    response = lan.post(WAREHOUSE, {"files": [SimpleUploadedFile(sent, F.pdf_bytes())]})
    assert response.status_code == 302
    assert Document.objects.get().filename == kept


def test_a_file_over_the_limit_is_stopped_while_it_arrives(
    lan: Client, media: Path, settings: Any
) -> None:
    settings.MOTCUA_UPLOAD_MAX_BYTES = 2048
    response = lan.post(
        WAREHOUSE, {"files": [SimpleUploadedFile("lon.pdf", F.pdf_bytes(pages=30))]}
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_no_file_chosen_is_named(lan: Client, media: Path) -> None:
    response = lan.post(WAREHOUSE, {})
    assert response.status_code == 400 and "Choose at least one file." in response.content.decode()


def test_another_accounts_document_is_not_served(lan: Client, world: World, media: Path) -> None:
    theirs = document_store(
        actor=None,
        content=F.pdf_bytes(),
        filename="cua-nguoi-khac.pdf",
        kind=DocumentKind.RESULT,
        owner=world.stranger,
        in_warehouse=True,
    )
    response = lan.get(reverse("citizen:warehouse_document", args=[theirs.reference]))
    assert response.status_code == 404
    assert "cua-nguoi-khac" not in lan.get(WAREHOUSE).content.decode()


def test_a_new_application_reuses_a_stored_document_and_a_result(
    lan: Client,
    world: World,
    residence: ProcedureCase,
    population: FakePopulation,
    media: Path,
) -> None:
    lan.post(WAREHOUSE, {"files": [SimpleUploadedFile("so-do.pdf", F.pdf_bytes())]})
    stored = Document.objects.get()
    result = document_store(
        actor=None,
        content=F.pdf_bytes(),
        filename="giay-xac-nhan.pdf",
        kind=DocumentKind.RESULT,
        owner=world.citizen,
        in_warehouse=True,
    )
    lan.post(reverse("citizen:start", args=[C.RESIDENCE_CODE, "1"]))
    draft = DossierDraft.objects.get()
    documents_url = reverse("citizen:draft_documents", args=[draft.reference])
    page = lan.get(documents_url).content.decode()
    assert "Reuse a document from my documents" in page and "so-do.pdf" in page
    response = lan.post(
        documents_url,
        {
            "reuse-TP1": [str(stored.reference)],
            "reuse-TP2": [str(result.reference)],
            "action": "save",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["documents"] == {
        "TP1": [{"ref": str(stored.reference), "digitization": 2}],
        "TP2": [{"ref": str(result.reference), "digitization": 3}],
    }
    # A document of another account cannot be slipped in by its reference.
    theirs = document_store(
        actor=None,
        content=F.pdf_bytes(),
        filename="x.pdf",
        kind=DocumentKind.UPLOAD,
        owner=world.stranger,
        in_warehouse=True,
    )
    lan.post(documents_url, {"reuse-TP1": [str(theirs.reference)], "action": "save"})
    draft.refresh_from_db()
    assert str(theirs.reference) not in str(draft.data["documents"])
    assert DigitizationState.REUSED_FROM_WAREHOUSE == 2
