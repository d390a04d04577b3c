"""E-forms filled from the national population database (the in-process simulator, over
its real protocol): every look-up is logged with its purpose, read-only values are
re-derived at submission, and a form still works when the database cannot answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from simulators.population.generator import Resident, population

from motcua.accounts.models import AccountKind, User
from motcua.catalog.models import ProcedureCase
from motcua.dossiers.models import Dossier, DossierDraft
from motcua.integrations.models import LookupOutcome, PopulationLookup
from tests.documents import samples as F
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World
from tests.portal import citizen as C

world = dossier_fixtures.world
residence = C.residence
media = C.media

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def resident() -> Resident:
    return population().with_e_id(offset=40, limit=1)[0]


@pytest.fixture
def signed_in(client: Client, resident: Resident) -> tuple[Client, User]:
    """A citizen as the national e-ID login leaves them: identity on the account."""
    user = User.objects.create_user(
        username="vneid-test",
        kind=AccountKind.CITIZEN,
        personal_id=resident.id_number,
        full_name=resident.full_name,
        date_of_birth=resident.date_of_birth,
        email="dan@example.invalid",
    )
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client, user


def test_the_form_is_filled_from_the_population_database_and_the_look_up_logged(
    signed_in: tuple[Client, User], resident: Resident, residence: ProcedureCase
) -> None:
    client, user = signed_in
    client.post(reverse("citizen:start", args=[C.RESIDENCE_CODE, "1"]))
    draft = DossierDraft.objects.get()
    form = draft.data["form"]
    assert form["full_name"] == resident.full_name
    assert form["id_number"] == resident.id_number
    assert form["date_of_birth"] == resident.date_of_birth.isoformat()
    assert form["sex"] in {"nam", "nu"}
    assert form["email"] == "dan@example.invalid"
    [lookup] = PopulationLookup.objects.all()
    assert (lookup.actor, lookup.purpose, lookup.outcome) == (
        user,
        "eform_prefill",
        LookupOutcome.FOUND,
    )
    html = client.get(reverse("citizen:draft_step", args=[draft.reference, 1])).content.decode()
    assert f'value="{resident.id_number}"' in html and "readonly" in html


def test_submission_re_derives_read_only_values_with_a_logged_check(
    signed_in: tuple[Client, User],
    world: World,
    resident: Resident,
    residence: ProcedureCase,
    media: Path,
) -> None:
    client, _user = signed_in
    client.post(reverse("citizen:start", args=[C.RESIDENCE_CODE, "1"]))
    draft = DossierDraft.objects.get()
    # Even a value slipped into the stored draft does not survive submission.
    data = dict(draft.data)
    data["form"] = dict(data["form"]) | {"full_name": "Tên Giả Mạo"}
    data["form"] |= {"new_address": "5 Tràng Tiền", "reason": "Thuê nhà"}
    DossierDraft.objects.filter(pk=draft.pk).update(data=data)
    client.post(
        reverse("citizen:draft_documents", args=[draft.reference]),
        {"file-TP1": SimpleUploadedFile("hop-dong.pdf", F.pdf_bytes()), "action": "save"},
    )
    response = client.post(
        reverse("citizen:draft_review", args=[draft.reference]),
        {"province": "01", "receiving_unit": world.section.code, "action": "submit"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.form_data["full_name"] == resident.full_name
    assert dossier.applicant_name == resident.full_name
    assert dossier.applicant_id_number == resident.id_number
    assert dossier.applicant_address  # the current residence from the database
    purposes = list(PopulationLookup.objects.order_by("pk").values_list("purpose", flat=True))
    assert purposes == ["eform_prefill", "eform_check"]


def test_without_a_verified_identity_nothing_is_read_only_and_the_page_says_why(
    client: Client, world: World, residence: ProcedureCase
) -> None:
    world.citizen.date_of_birth = None
    world.citizen.save()
    client.force_login(world.citizen)
    response = client.post(
        reverse("citizen:start", args=[C.RESIDENCE_CODE, "1"]),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = response.content.decode()
    assert "national electronic identity" in html  # the adapter's message, shown
    assert "readonly" not in html.split('id="f-full_name"')[1].split(">")[0]
    assert PopulationLookup.objects.count() == 0
