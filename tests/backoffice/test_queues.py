"""Officer queues: who sees what, counts, filters, keyset pages, the reception clock,
the second factor, and query counts that do not grow with the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from motcua.core.clock import now
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_forward, dossier_receive, dossier_request_supplement
from tests.backoffice.conftest import World, verified_client

pytestmark = pytest.mark.django_db
HOME = "/can-bo/"


def queue_url(slug: str) -> str:
    return reverse("backoffice:queue", args=[slug])


def codes_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.public_id for row in response.context["page"].rows]


def counts(response) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {tab["queue"]: tab["count"] for tab in response.context["tabs"]}


def test_anonymous_and_password_only_sessions_are_sent_to_log_in(world: World) -> None:
    anonymous = Client()
    response = anonymous.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    password_only = Client()
    password_only.force_login(world.reception)  # no second factor
    response = password_only.get(HOME)
    assert response.status_code == 302 and "next=/can-bo/" in response["Location"]


def test_a_citizen_is_refused(world: World) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world.citizen, name="x")
    assert verified_client(world.citizen).get(HOME).status_code == 403


def test_to_receive_lists_new_dossiers_of_my_reception_unit_with_the_clock(world: World) -> None:
    first = world.submit()
    second = world.submit()
    client = verified_client(world.reception)
    response = client.get(HOME)  # a one-stop officer starts on "to receive"
    assert response.status_code == 200
    assert response.context["queue"] == "receive"
    assert codes_in(response) == [str(first.reference), str(second.reference)]
    row = response.context["page"].rows[0]
    # The reception clock: 8 working hours from submission.
    assert row.clock_due is not None and row.clock_due > row.submitted_at
    assert counts(response)["receive"] == 2
    assert response["Cache-Control"] == "private, no-store"
    # The specialist of the committee does not receive dossiers.
    other = verified_client(world.specialist).get(queue_url("cho-tiep-nhan"))
    assert codes_in(other) == []


def test_my_tasks_follow_the_open_step_of_the_process(world: World) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    reception = verified_client(world.reception)
    specialist = verified_client(world.specialist)
    # The default process opens with the reception step (one-stop officer).
    assert codes_in(reception.get(queue_url("viec-cua-toi"))) == [dossier.code]
    assert codes_in(specialist.get(queue_url("viec-cua-toi"))) == []
    dossier_forward(actor=world.reception, public_id=dossier.code)
    assert codes_in(reception.get(queue_url("viec-cua-toi"))) == []
    assert codes_in(specialist.get(queue_url("viec-cua-toi"))) == [dossier.code]
    # An inter-agency step puts it on the other commune's specialist's list.
    other = verified_client(world.other_specialist)
    assert codes_in(other.get(queue_url("viec-cua-toi"))) == []
    dossier_forward(actor=world.specialist, public_id=dossier.code, to_unit=world.other_committee)
    assert codes_in(other.get(queue_url("viec-cua-toi"))) == [dossier.code]
    assert codes_in(specialist.get(queue_url("viec-cua-toi"))) == []


def test_my_tasks_without_a_process_follow_the_status(world: World) -> None:
    from motcua.workflow.models import ProcessInstance, WorkTask

    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    WorkTask.objects.filter(subject_id=dossier.pk).delete()  # received before processes
    ProcessInstance.objects.filter(subject_id=dossier.pk).delete()
    specialist = verified_client(world.specialist)
    assert codes_in(specialist.get(queue_url("viec-cua-toi"))) == [dossier.code]


def test_due_today_overdue_and_waiting(world: World) -> None:
    today = world.submit()
    late = world.submit()
    waiting = world.submit()
    for d in (today, late, waiting):
        dossier_receive(actor=world.reception, public_id=str(d.reference))
        d.refresh_from_db()
    dossier_request_supplement(
        actor=world.reception, public_id=waiting.code, items=["Giấy chứng sinh"], reason="Thiếu"
    )
    Dossier.objects.filter(pk=late.pk).update(due_at=now() - timedelta(hours=1))
    from motcua.backoffice.selectors import _today_end

    end = _today_end()
    Dossier.objects.filter(pk=today.pk).update(due_at=end - timedelta(seconds=1))
    client = verified_client(world.reception)
    response = client.get(queue_url("qua-han"))
    assert codes_in(response) == [late.code]
    assert response.context["page"].rows[0].late
    assert counts(response) == {
        "receive": 0,
        "mine": 3,  # the reception steps are open (one of them paused)
        "due_today": 1 if end - timedelta(seconds=1) > now() else 0,
        "overdue": 1,
        "waiting": 1,
    }
    assert codes_in(client.get(queue_url("cho-cong-dan"))) == [waiting.code]


def test_filters_by_procedure_unit_and_status(world: World) -> None:
    a = world.submit()
    b = world.submit()
    dossier_receive(actor=world.reception, public_id=str(b.reference))
    client = verified_client(world.supervisor)  # sees the whole province
    url = queue_url("cho-cong-dan")
    assert counts(client.get(url))["waiting"] == 0
    response = client.get(queue_url("viec-cua-toi"), {"status": "received"})
    assert response.status_code == 200
    reception = verified_client(world.reception)
    response = reception.get(queue_url("cho-tiep-nhan"), {"procedure": "1.001193"})
    assert codes_in(response) == [str(a.reference)]
    response = reception.get(queue_url("cho-tiep-nhan"), {"procedure": "9.999999"})
    assert codes_in(response) == [] and counts(response)["receive"] == 0
    response = reception.get(queue_url("cho-tiep-nhan"), {"unit": world.section.pk})
    assert codes_in(response) == [str(a.reference)]
    response = reception.get(queue_url("cho-tiep-nhan"), {"status": "received"})
    assert codes_in(response) == []


def test_keyset_pages_cover_the_queue_once_in_order(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.backoffice import selectors

    submitted = [world.submit() for _ in range(7)]
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    client = verified_client(world.reception)
    seen: list[str] = []
    params: dict[str, str] = {}
    pages = 0
    while True:
        response = client.get(queue_url("cho-tiep-nhan"), params)
        pages += 1
        seen += codes_in(response)
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        params = {"after": cursor}
    assert pages == 3
    assert seen == [str(d.reference) for d in submitted]


def test_a_broken_cursor_shows_the_first_page(world: World) -> None:
    world.submit()
    response = verified_client(world.reception).get(
        queue_url("cho-tiep-nhan"), {"after": "x.y'; drop"}
    )
    assert response.status_code == 200 and len(codes_in(response)) == 1


def test_the_queue_page_makes_the_same_number_of_queries_for_3_or_30_dossiers(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        world.submit()
    client = verified_client(world.reception)
    client.get(HOME)  # warm the session
    with django_assert_max_num_queries(9):
        assert client.get(HOME).status_code == 200
    for _ in range(27):
        world.submit()
    with django_assert_max_num_queries(9):
        response = client.get(HOME)
    assert len(codes_in(response)) == 25


def test_english_and_vietnamese(world: World) -> None:
    world.submit()
    english = verified_client(world.reception, language="en").get(HOME)
    assert "To receive" in english.content.decode()
    vietnamese = verified_client(world.reception, language="vi").get(HOME)
    assert vietnamese.status_code == 200
    assert '<html lang="vi">' in vietnamese.content.decode()


def test_apology_follow_ups_show_on_the_responsible_officers_list(world: World) -> None:
    from motcua.dossiers.models import Dossier as D
    from motcua.units.models import StaffRole
    from motcua.workflow.models import FollowUp, FollowUpKind

    soon = world.submit()
    dossier_receive(actor=world.reception, public_id=str(soon.reference))
    soon.refresh_from_db()
    closed = world.submit()
    dossier_receive(actor=world.reception, public_id=str(closed.reference))
    closed.refresh_from_db()
    for dossier, closed_at in ((soon, None), (closed, now())):
        FollowUp.objects.create(
            subject_id=dossier.pk,
            province_code="01",
            kind=FollowUpKind.APOLOGY,
            unit=world.committee,
            role=StaffRole.SPECIALIST,
            due_at=dossier.due_at,
            created_at=now(),
            closed_at=closed_at,
        )
    response = verified_client(world.specialist).get(queue_url("qua-han"))
    assert [f["code"] for f in response.context["followups"]] == [soon.code]
    assert 'id="followups"' in response.content.decode()
    # Not the leader's (another role), nor once the extension was given.
    assert verified_client(world.leader).get(HOME).context["followups"] == []
    D.objects.filter(pk=soon.pk).update(extension_count=1)
    assert verified_client(world.specialist).get(HOME).context["followups"] == []
