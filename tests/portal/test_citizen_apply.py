"""Applying online: search, a prefilled e-form in steps, documents, submit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import ProcedureCase
from motcua.documents.models import Document
from motcua.dossiers.components import documents_of, dossier_documents
from motcua.dossiers.models import DigitizationState, Dossier, DossierDraft, ReceivedAs
from tests.documents import samples as F
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import CITIZEN_ID, World
from tests.portal import citizen as C
from tests.portal.citizen import FakePopulation

world = dossier_fixtures.world
residence = C.residence
population = C.population
lan = C.lan
media = C.media

pytestmark = pytest.mark.django_db


def start(client: Client, case: ProcedureCase) -> DossierDraft:
    url = reverse("citizen:start", args=[case.version.procedure.code, case.code])
    response = client.post(url)
    assert response.status_code == 302
    return DossierDraft.objects.latest("created_at")


def step_url(draft: DossierDraft, n: int) -> str:
    return reverse("citizen:draft_step", args=[draft.reference, n])


def test_search_lists_online_procedures_with_an_apply_button(
    lan: Client, residence: ProcedureCase
) -> None:
    page = lan.get(reverse("citizen:new_application"), {"q": "dang ky thuong tru"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Permanent residence registration" in html
    assert reverse("citizen:start", args=[C.RESIDENCE_CODE, "1"]) in html


def test_the_form_is_prefilled_and_identity_fields_are_read_only(
    lan: Client, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan, residence)
    assert population.purposes == ["eform_prefill"]
    html = lan.get(step_url(draft, 1)).content.decode()
    # Labels tied to inputs, hints and read-only markers by aria-describedby.
    assert '<label for="f-full_name">Full name' in html
    assert re.search(r'id="f-id_number" value="001090012345"[^>]* readonly', html)
    assert re.search(r'id="f-full_name" value="Nguyễn Thị Lan"[^>]* readonly', html)
    assert 'aria-describedby="f-id_number-hint"' in html
    assert "Gồm 12 chữ số" in html
    # An account value is a suggestion the citizen may change.
    assert re.search(r'id="f-phone" value="0912345678"', html)
    assert not re.search(r'id="f-phone"[^>]* readonly', html)
    # Radio group for a short list, with the population's value chosen.
    assert re.search(r'<input type="radio" name="sex" id="f-sex-2" value="nu" checked', html)


def test_a_client_that_edits_a_read_only_value_is_refused_and_nothing_is_saved(
    lan: Client, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan, residence)
    before = dict(draft.data)
    response = lan.post(
        step_url(draft, 1),
        {
            "full_name": "Someone Else",
            "id_number": CITIZEN_ID,
            "date_of_birth": "1990-05-17",
            "sex": "nu",
            "action": "next",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be changed here" in html
    assert 'href="#f-full_name"' in html
    draft.refresh_from_db()
    assert draft.data == before


def test_step_errors_name_the_field_and_tie_to_it(
    lan: Client, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan, residence)
    lan.post(step_url(draft, 1), {"phone": "0912345678", "action": "next"})
    response = lan.post(step_url(draft, 2), {"new_address": "", "members": "two", "action": "next"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert html.count('<a href="#f-new_address">New address: This field is required.</a>') == 1
    assert '<a href="#f-members">People moving with you: Enter a whole number.</a>' in html
    assert 'aria-describedby="f-new_address-error"' in html
    assert re.search(r'id="f-members"[^>]*aria-invalid="true"', html)


def test_english_and_vietnamese_labels(
    client: Client, world: World, residence: ProcedureCase, population: FakePopulation
) -> None:
    client.force_login(world.citizen)
    draft = start(client, residence)
    vi = client.get(step_url(draft, 2), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<label for="f-new_address">Địa chỉ nơi cư trú mới' in vi
    en = client.get(step_url(draft, 2), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<label for="f-new_address">New address' in en
    assert "The change" in en


def fill(client: Client, draft: DossierDraft) -> None:
    assert (
        client.post(step_url(draft, 1), {"phone": "0912345678", "action": "next"}).status_code
        == 302
    )
    response = client.post(
        step_url(draft, 2),
        {
            "new_address": "5 Tràng Tiền",
            "reason": "Mua nhà",
            "members": "2",
            "agree": "on",
            "action": "next",
        },
    )
    assert response.status_code == 302
    # "note" is in no step of the hints: it gets a step of its own at the end.
    assert response["Location"] == step_url(draft, 3)
    response = client.post(step_url(draft, 3), {"note": "", "action": "next"})
    assert response["Location"] == reverse("citizen:draft_documents", args=[draft.reference])


def test_the_whole_application_is_submitted_with_documents_and_registry_data(
    lan: Client, world: World, residence: ProcedureCase, population: FakePopulation, media: Path
) -> None:
    draft = start(lan, residence)
    fill(lan, draft)
    documents_url = reverse("citizen:draft_documents", args=[draft.reference])
    page = lan.get(documents_url).content.decode()
    assert "Supplied from the national population database" in page
    # Continue without the required part: refused, named.
    response = lan.post(documents_url, {"action": "next"})
    assert response.status_code == 400
    assert "Attach at least one file for this part." in response.content.decode()
    response = lan.post(
        documents_url,
        {"action": "next", "file-TP1": SimpleUploadedFile("hop-dong.pdf", F.pdf_bytes())},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    review_url = reverse("citizen:draft_review", args=[draft.reference])
    review = lan.get(review_url).content.decode()
    assert "hop-dong.pdf" in review and "5 Tràng Tiền" in review
    response = lan.post(
        review_url, {"province": "01", "receiving_unit": world.section.code, "action": "submit"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("citizen:dossier", args=[dossier.public_id])
    assert dossier.applicant_account == world.citizen
    assert dossier.applicant_name == "Nguyễn Thị Lan" and dossier.applicant_id_number == CITIZEN_ID
    assert dossier.form_data["full_name"] == "Nguyễn Thị Lan"
    assert dossier.form_data["members"] == 2 and dossier.form_data["agree"] is True
    assert dossier.channel == "online" and dossier.receiving_unit == world.section
    parts = {c.code: c for c in dossier.components.all()}
    assert parts["TP3"].received_as == ReceivedAs.FROM_DATA
    assert parts["TP1"].received_as == ReceivedAs.ELECTRONIC
    assert parts["TP1"].digitization == DigitizationState.DIGITIZED
    assert [d.filename for d in documents_of(parts["TP1"])] in (
        ["hop-dong.pdf"],
        [],  # until DossierComponent.documents exists: kept as the dossier's attachment
    )
    assert [d.filename for d in Document.objects.filter(pk__in=dossier_documents(dossier))] == [
        "hop-dong.pdf"
    ]
    assert Document.objects.get().in_warehouse
    assert not DossierDraft.objects.exists()
    assert population.purposes == ["eform_prefill", "eform_check"]
