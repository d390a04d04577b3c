"""The administration pages over the demo data.

Dossiers are read-only there (list, filters, search by code, detail with components and
timeline; no add, change or delete) and each officer sees what the one gate lets them
see. Calendar adjustments are maintained there, and every change is audited.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.audit.services import audit_verify
from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.models import Dossier, Status
from motcua.units.models import AdjustmentKind, CalendarAdjustment, Unit

pytestmark = pytest.mark.django_db

DOSSIERS = "/admin/dossiers/dossier/"
ADJUSTMENTS = "/admin/units/calendaradjustment/"


def signed_in(username: str) -> Client:
    """A client with an officer session verified by the second factor."""
    user = User.objects.get(username=username)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def listed(html: str) -> set[str]:
    """Dossier codes (or references) shown in a change list."""
    return set(re.findall(r'<th class="field-public_code"><a href="[^"]+">([^<]+)</a>', html))


def test_the_list_filters_and_searches(demo: str) -> None:
    client = signed_in("admin")
    page = client.get(DOSSIERS)
    assert page.status_code == 200
    assert listed(page.content.decode()) == {d.public_id for d in Dossier.objects.all()}
    processing = client.get(DOSSIERS, {"status__exact": Status.PROCESSING}).content.decode()
    assert listed(processing) == {
        d.public_id for d in Dossier.objects.filter(status=Status.PROCESSING)
    }
    danang = Unit.objects.get(code="H48.20242.MC")
    by_unit = client.get(DOSSIERS, {"receiving_unit__id__exact": danang.pk}).content.decode()
    assert listed(by_unit) == {d.public_id for d in Dossier.objects.filter(receiving_unit=danang)}
    birth = Dossier.objects.filter(procedure_version__procedure__code="1.001193").first()
    assert birth is not None
    procedure_id = birth.procedure_version.procedure_id
    by_procedure = client.get(
        DOSSIERS, {"procedure_version__procedure__id__exact": procedure_id}
    ).content.decode()
    assert listed(by_procedure) == {
        d.public_id for d in Dossier.objects.filter(procedure_version__procedure_id=procedure_id)
    }
    code = Dossier.objects.exclude(code=None).order_by("code").first().code  # type: ignore[union-attr]
    assert listed(client.get(DOSSIERS, {"q": code}).content.decode()) == {code}


def test_the_detail_shows_components_and_timeline_and_changes_nothing(demo: str) -> None:
    client = signed_in("admin")
    d = Dossier.objects.filter(status=Status.RESULT_RETURNED).first()
    assert d is not None
    url = f"{DOSSIERS}{d.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for component in d.components.all():
        assert component.name in html
    for action in d.events.values_list("action", flat=True):
        assert action in html
    assert d.code in html and 'name="_save"' not in html
    before = Dossier.objects.values().get(pk=d.pk)
    assert client.post(url, {"status": Status.NEW}).status_code == 403
    assert client.get(f"{DOSSIERS}add/").status_code == 403
    assert client.post(f"{DOSSIERS}{d.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Dossier.objects.values().get(pk=d.pk) == before


@pytest.mark.parametrize(
    "username", ["motcua.cuanam", "chuyenvien.cuanam", "giamsat.danang", "chuyenvien.hanoi"]
)
def test_each_officer_sees_what_the_gate_allows(demo: str, username: str) -> None:
    user = User.objects.get(username=username)
    client = signed_in(username)
    shown = listed(client.get(DOSSIERS).content.decode())
    allowed = {d.public_id for d in visible_dossiers(user)}
    assert shown == allowed and 0 < len(allowed) < Dossier.objects.count()
    hidden = Dossier.objects.exclude(pk__in=visible_dossiers(user).values("pk")).first()
    assert hidden is not None
    assert client.get(f"{DOSSIERS}{hidden.pk}/change/").status_code != 200


def test_the_commune_sees_a_dossier_forwarded_to_it(demo: str) -> None:
    forwarded = Dossier.objects.get(supporting_units__code="H01.00070")
    assert forwarded.handling_unit.code == "H01.00073"
    shown = listed(signed_in("chuyenvien.cuanam").get(DOSSIERS).content.decode())
    assert forwarded.public_id in shown


def test_admins_keep_the_calendar_and_every_change_is_audited(demo: str) -> None:
    client = signed_in("admin")
    assert client.get(ADJUSTMENTS).status_code == 200
    entries = AuditEntry.objects.count()
    response = client.post(
        f"{ADJUSTMENTS}add/",
        {"day": "2026-12-31", "kind": AdjustmentKind.DAY_OFF, "province_code": "01",
         "reason": "Nghỉ bù Tết Dương lịch"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    adjustment = CalendarAdjustment.objects.get(day=date(2026, 12, 31), province_code="01")
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and entry.action == "calendar.adjustment_saved"
    assert entry.data == {"day": "2026-12-31", "kind": "day_off", "province": "01"}
    assert entry.chain == "01"
    # Clear errors for a bad province and for the same day twice; nothing saved.
    for province, message in [("Hà Nội", "2-digit province code"), ("01", "already exists")]:
        page = client.post(
            f"{ADJUSTMENTS}add/",
            {"day": "2026-12-31", "kind": AdjustmentKind.WORKING_DAY,
             "province_code": province, "reason": "x"},
        )  # fmt: skip
        assert page.status_code == 200 and message in page.content.decode()
    assert client.post(f"{ADJUSTMENTS}{adjustment.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not CalendarAdjustment.objects.exists()
    assert AuditEntry.objects.count() == entries + 2
    assert AuditEntry.objects.order_by("-id").first().action == "calendar.adjustment_deleted"  # type: ignore[union-attr]
    assert audit_verify() == []


def test_officers_without_the_right_cannot_change_the_calendar(demo: str) -> None:
    client = signed_in("motcua.hoankiem")
    assert client.get(f"{ADJUSTMENTS}add/").status_code == 403
