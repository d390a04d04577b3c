"""Drafts live on the server: resumable on another device, listed with their expiry,
gone when expired, deleted on request; a submission consumes its draft once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import ProcedureCase
from motcua.core.clock import VIETNAM, now
from motcua.dossiers.models import Dossier, DossierDraft
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


def start(client: Client) -> DossierDraft:
    client.post(reverse("citizen:start", args=[C.RESIDENCE_CODE, "1"]))
    return DossierDraft.objects.latest("created_at")


def test_a_draft_saved_on_one_device_resumes_on_another(
    lan: Client, world: World, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan)
    step2 = reverse("citizen:draft_step", args=[draft.reference, 2])
    response = lan.post(step2, {"new_address": "5 Tràng Tiền", "action": "save"})
    assert response.status_code == 302 and response["Location"] == reverse("citizen:dashboard")
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    phone.force_login(world.citizen)
    dashboard = phone.get(reverse("citizen:dashboard")).content.decode()
    assert "Applications not yet submitted" in dashboard
    assert reverse("citizen:draft_step", args=[draft.reference, 2]) in dashboard
    expiry = DossierDraft.objects.get().expires_at.astimezone(VIETNAM).strftime("%d/%m/%Y")
    assert f"Kept until {expiry}, then deleted." in dashboard
    assert 'value="5 Tràng Tiền"' in phone.get(step2).content.decode()


def test_the_expiry_is_thirty_days_after_the_last_save(
    lan: Client, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan)
    left = draft.expires_at - now()
    assert timedelta(days=29, hours=23) < left <= timedelta(days=30)


def test_an_expired_draft_is_gone(
    lan: Client, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan)
    DossierDraft.objects.filter(pk=draft.pk).update(expires_at=now() - timedelta(seconds=1))
    assert lan.get(reverse("citizen:draft_step", args=[draft.reference, 1])).status_code == 404
    assert str(draft.reference) not in lan.get(reverse("citizen:dashboard")).content.decode()
    assert not DossierDraft.objects.exists()


def test_another_account_cannot_open_my_draft(
    lan: Client, world: World, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan)
    other = Client()
    other.force_login(world.stranger)
    for name in ("draft_documents", "draft_review"):
        assert other.get(reverse(f"citizen:{name}", args=[draft.reference])).status_code == 404
    assert other.post(reverse("citizen:draft_delete", args=[draft.reference])).status_code == 404
    assert DossierDraft.objects.filter(pk=draft.pk).exists()


def test_a_draft_can_be_deleted(
    lan: Client, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan)
    assert lan.post(reverse("citizen:draft_delete", args=[draft.reference])).status_code == 302
    assert not DossierDraft.objects.exists()


def test_submitting_twice_creates_one_dossier(
    lan: Client,
    world: World,
    residence: ProcedureCase,
    population: FakePopulation,
    media: Path,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents import samples as F

    draft = start(lan)
    lan.post(
        reverse("citizen:draft_step", args=[draft.reference, 2]),
        {"new_address": "5 Tràng Tiền", "reason": "Mua nhà", "action": "save"},
    )
    lan.post(
        reverse("citizen:draft_documents", args=[draft.reference]),
        {"file-TP1": SimpleUploadedFile("a.pdf", F.pdf_bytes()), "action": "save"},
    )
    review = reverse("citizen:draft_review", args=[draft.reference])
    body = {"province": "01", "receiving_unit": world.section.code, "action": "submit"}
    assert lan.post(review, body).status_code == 302
    assert lan.post(review, body).status_code == 404
    assert Dossier.objects.count() == 1


def test_the_review_names_what_is_missing(
    lan: Client, world: World, residence: ProcedureCase, population: FakePopulation
) -> None:
    draft = start(lan)
    review = reverse("citizen:draft_review", args=[draft.reference])
    response = lan.post(review, {"province": "01", "action": "submit"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "New address: This field is required." in html
    assert "Attach at least one file for this part." in html
    assert "Choose where to submit your dossier." in html
    assert Dossier.objects.count() == 0 and DossierDraft.objects.count() == 1
