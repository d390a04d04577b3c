"""The data warehouse over the REST API: own documents only, every upload check, files as
attachments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.documents import samples as S
from tests.documents.conftest import stored_files

from motcua.accounts.models import AccountKind, User
from motcua.documents.models import Document

pytestmark = pytest.mark.django_db
URL = "/api/v1/documents/"


@pytest.fixture
def api(client: Client, citizen: User) -> Client:
    client.force_login(citizen)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_upload_list_describe_and_download(api: Client, storage: Path) -> None:
    data = S.pdf_bytes(pages=2)
    response = api.post(URL, {"file": SimpleUploadedFile("giấy tờ.pdf", data), "title": "Sổ đỏ"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["filename"] == "giấy tờ.pdf" and body["title"] == "Sổ đỏ"
    assert body["content_type"] == "application/pdf" and body["page_count"] == 2
    assert body["size"] == len(data) and len(body["sha256"]) == 64
    listing = api.get(URL).json()
    assert listing["count"] == 1 and listing["results"][0]["reference"] == body["reference"]
    assert api.get(f"{URL}{body['reference']}/").json()["sha256"] == body["sha256"]
    content = api.get(f"{URL}{body['reference']}/content/")
    assert content["Content-Disposition"].startswith("attachment;")
    assert content["X-Content-Type-Options"] == "nosniff"
    assert b"".join(content.streaming_content) == data


@pytest.mark.parametrize(
    ("content", "code", "status"),
    [
        (S.html_page(), "type", 400),
        (S.pdf_with_embedded_file(), "pdf_active", 400),
        (S.png_bomb(), "bomb", 400),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(
    api: Client, storage: Path, content: bytes, code: str, status: int
) -> None:
    response = api.post(URL, {"file": SimpleUploadedFile("x.pdf", content)})
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["errors"]["file"]
    assert Document.objects.count() == 0 and stored_files(storage) == []


def test_too_large_is_413_and_stopped_while_it_arrives(
    api: Client, storage: Path, settings: Any
) -> None:
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1000
    response = api.post(URL, {"file": SimpleUploadedFile("x.pdf", S.pdf_bytes(pages=20))})
    assert response.status_code == 413 and response.json()["code"] == "size"
    assert Document.objects.count() == 0 and stored_files(storage) == []


def test_no_file_names_the_field(api: Client, storage: Path) -> None:
    response = api.post(URL, {"title": "x"})
    assert response.status_code == 400 and response.json()["errors"]["file"]


def test_another_accounts_document_is_not_found(api: Client, storage: Path) -> None:
    other = User.objects.create_user(
        username="binh", kind=AccountKind.CITIZEN, personal_id="001090054321"
    )
    theirs_client = Client()
    theirs_client.force_login(other)
    reference = theirs_client.post(
        URL, {"file": SimpleUploadedFile("a.png", S.png_bytes())}
    ).json()["reference"]
    assert api.get(f"{URL}{reference}/").status_code == 404
    assert api.get(f"{URL}{reference}/content/").status_code == 404
    assert api.get(URL).json()["count"] == 0


def test_anonymous_callers_are_refused(client: Client, storage: Path) -> None:
    assert client.get(URL).status_code in {401, 403}
    assert client.post(URL, {"file": SimpleUploadedFile("a.png", S.png_bytes())}).status_code in {
        401,
        403,
    }
    assert Document.objects.count() == 0


def test_the_schema_describes_the_warehouse(client: Client) -> None:
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/v1/documents/"]) == {"get", "post"}
    assert "/api/v1/documents/{reference}/content/" in paths
