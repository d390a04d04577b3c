"""Following a dossier: dashboard, page, downloads through the gate, supplement, withdraw,
rating — each for its applicant only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.core.clock import VIETNAM
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import document_store, document_upload
from motcua.dossiers import services as S
from motcua.dossiers.components import ChosenDocument, component_documents_attach
from motcua.dossiers.models import AttachmentRole, Dossier, DossierAttachment, Status
from motcua.feedback.models import Rating
from tests.documents import samples as F
from tests.documents.conftest import stored_files
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World
from tests.portal import citizen as C

world = dossier_fixtures.world
lan = C.lan
media = C.media

pytestmark = pytest.mark.django_db


def url(name: str, dossier: Dossier, *args: object) -> str:
    return reverse(f"citizen:{name}", args=[dossier.public_id, *args])


@pytest.fixture
def received(world: World, media: Path) -> Dossier:
    dossier = world.submit()
    upload = document_upload(actor=world.citizen, upload=F.Upload("to-khai.pdf", F.pdf_bytes()))
    component_documents_attach(
        actor=world.citizen, dossier=dossier, chosen={"TP1": [ChosenDocument(upload)]}
    )
    return S.dossier_receive(actor=world.reception, public_id=str(dossier.reference))


def result_ready(world: World, dossier: Dossier) -> Dossier:
    code = dossier.public_id
    S.dossier_forward(actor=world.reception, public_id=code)
    S.dossier_forward(actor=world.specialist, public_id=code)
    S.dossier_approve(actor=world.leader, public_id=code)
    return S.dossier_mark_result_ready(actor=world.specialist, public_id=code)


def test_the_dashboard_lists_my_dossiers_with_status_and_due_date(
    lan: Client, world: World, received: Dossier
) -> None:
    other = world.submit(
        actor=world.stranger,
        applicant=S.Applicant(kind="citizen", name="Trần Bình", id_number="001090054321"),
    )
    html = lan.get(reverse("citizen:dashboard")).content.decode()
    assert received.code in html and "received" in html.lower()
    assert received.due_at is not None
    assert received.due_at.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y") in html
    assert str(other.reference) not in html and "Trần Bình" not in html


def test_anonymous_visitors_are_sent_to_sign_in_and_officers_are_refused(
    client: Client, world: World, received: Dossier
) -> None:
    response = client.get(url("dossier", received))
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(world.reception)
    response = client.get(reverse("citizen:dashboard"))
    assert response.status_code == 403


def test_the_dossier_page_shows_status_due_date_timeline_and_documents(
    lan: Client, received: Dossier
) -> None:
    html = lan.get(url("dossier", received)).content.decode()
    assert received.code in html
    assert "Submitted" in html and "Received" in html  # the timeline
    assert "to-khai.pdf" in html
    assert "Withdraw this dossier" in html
    assert "Rate the service" not in html


def test_downloads_are_attachments_never_sniffed_and_only_for_the_applicant(
    lan: Client, world: World, received: Dossier
) -> None:
    document = Document.objects.get(filename="to-khai.pdf")
    response = lan.get(url("dossier_document", received, document.reference))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="to-khai.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == document.file.open("rb").read()
    # A stranger gets the same answer as for a dossier that does not exist.
    stranger = Client()
    stranger.force_login(world.stranger)
    assert stranger.get(url("dossier_document", received, document.reference)).status_code == 404
    assert stranger.get(url("dossier", received)).status_code == 404


def test_a_document_outside_the_dossier_is_not_served_through_it(
    lan: Client, world: World, received: Dossier
) -> None:
    mine = document_upload(actor=world.citizen, upload=F.Upload("khac.png", F.png_bytes()))
    response = lan.get(url("dossier_document", received, mine.reference))
    assert response.status_code == 404


def test_answering_a_supplement_request_attaches_files_and_resumes(
    lan: Client, world: World, received: Dossier, media: Path
) -> None:
    S.dossier_request_supplement(
        actor=world.reception,
        public_id=received.code,
        items=["Giấy chứng sinh bản sao"],
        reason="Thiếu giấy tờ",
    )
    page = lan.get(url("dossier", received)).content.decode()
    assert "Giấy chứng sinh bản sao" in page and url("supplement", received) in page
    files_before = len(stored_files(media))
    # A bad file: refused with its reason, nothing stored, still waiting for the supplement.
    response = lan.post(
        url("supplement", received),
        {"file-TP2": SimpleUploadedFile("chung-sinh.pdf", F.pdf_truncated())},
    )
    assert response.status_code == 400
    assert "damaged or incomplete" in response.content.decode()
    assert len(stored_files(media)) == files_before
    assert Dossier.objects.get(pk=received.pk).status == Status.SUPPLEMENT_REQUESTED
    response = lan.post(
        url("supplement", received),
        {
            "file-TP2": SimpleUploadedFile("chung-sinh.jpg", F.jpeg_bytes()),
            "note": "Đã bổ sung",
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=received.pk)
    assert dossier.status == Status.RECEIVED
    assert dossier.events.last().action == "supplement"
    assert "chung-sinh.jpg" in lan.get(url("dossier", received)).content.decode()


def test_withdrawing_asks_for_confirmation_then_ends_the_dossier(
    lan: Client, received: Dossier
) -> None:
    page = lan.get(url("withdraw", received))
    assert page.status_code == 200 and "cannot be resumed" in page.content.decode()
    response = lan.post(url("withdraw", received), {"reason": "Không cần nữa"})
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=received.pk)
    assert dossier.status == Status.WITHDRAWN
    assert dossier.events.last().reason == "Không cần nữa"
    again = lan.post(url("withdraw", received), {"reason": "x"})
    assert again.status_code == 302
    assert Dossier.objects.get(pk=received.pk).events.filter(action="withdraw").count() == 1


def test_the_result_is_downloaded_kept_in_my_documents_and_the_service_rated(
    lan: Client, world: World, received: Dossier
) -> None:
    assert lan.get(url("rate", received)).status_code == 302  # nothing to rate yet
    dossier = result_ready(world, received)
    result = document_store(
        actor=world.specialist,
        content=F.pdf_bytes("Ket qua"),
        filename="ket-qua.pdf",
        kind=DocumentKind.RESULT,
        owner=world.citizen,
        province_code="01",
        in_warehouse=True,
        title="Giấy khai sinh",
    )
    DossierAttachment.objects.create(dossier=dossier, document=result, role=AttachmentRole.RESULT)
    html = lan.get(url("dossier", dossier)).content.decode()
    link = url("dossier_document", dossier, result.reference)
    assert link in html and "Rate the service" in html
    response = lan.get(link)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Giấy khai sinh" in lan.get(reverse("citizen:warehouse")).content.decode()
    # The rating: a missing choice names the field; then it is recorded once.
    refused = lan.post(url("rate", dossier), {"comment": "Tốt"})
    assert refused.status_code == 400
    assert re.search(r'href="#id_satisfaction_0">How satisfied', refused.content.decode())
    assert Rating.objects.count() == 0
    done = lan.post(url("rate", dossier), {"satisfaction": "satisfied", "comment": "Nhanh"})
    assert done.status_code == 302
    rating = Rating.objects.get()
    assert (rating.satisfaction, rating.comment, rating.author) == (
        "satisfied",
        "Nhanh",
        world.citizen,
    )
    assert "Your rating: satisfied" in lan.get(url("dossier", dossier)).content.decode()
    assert lan.post(url("rate", dossier), {"satisfaction": "dissatisfied"}).status_code == 302
    assert Rating.objects.get().satisfaction == "satisfied"
