"""The dossier page: what an officer sees, only the actions allowed now, actions that are
refused change nothing, slips downloaded through the access gate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.audit.models import AuditEntry
from motcua.dossiers.models import AttachmentRole, Dossier, DossierAttachment, Status
from motcua.dossiers.services import dossier_forward, dossier_receive
from tests.backoffice.conftest import World, verified_client

pytestmark = pytest.mark.django_db


def page(code: str) -> str:
    return reverse("backoffice:dossier", args=[code])


def act(code: str, action: str) -> str:
    return reverse("backoffice:action", args=[code, action])


def actions_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [item["action"] for item in response.context["actions"]]


def snapshot(dossier: Dossier) -> tuple[object, ...]:
    dossier.refresh_from_db()
    return (
        dossier.status,
        dossier.code,
        dossier.due_at,
        dossier.handling_unit_id,
        dossier.events.count(),
        DossierAttachment.objects.filter(dossier=dossier).count(),
        AuditEntry.objects.count(),
    )


def test_the_page_shows_applicant_form_components_timeline_and_my_actions(world: World) -> None:
    dossier = world.submit()
    client = verified_client(world.reception)
    response = client.get(page(str(dossier.reference)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Thị Lan" in html and "12 Hàng Bài, Hoàn Kiếm" in html
    assert "Giấy chứng sinh" in html  # a component
    assert "Họ, chữ đệm, tên" in html or "Full name" in html  # the e-form's labels
    assert 'data-action="submit"' in html  # the timeline
    assert actions_of(response) == ["receive", "refuse", "withdraw"]
    assert response["Cache-Control"] == "private, no-store"


def test_a_specialist_sees_no_reception_actions(world: World) -> None:
    dossier = world.submit()
    response = verified_client(world.specialist).get(page(str(dossier.reference)))
    assert response.status_code == 200 and actions_of(response) == []


def test_an_officer_of_another_unit_gets_404(world: World) -> None:
    dossier = world.submit()
    response = verified_client(world.other_specialist).get(page(str(dossier.reference)))
    assert response.status_code == 404


def test_receiving_issues_the_receipt_slip_downloadable_as_attachment(world: World) -> None:
    dossier = world.submit()
    client = verified_client(world.reception)
    response = client.post(act(str(dossier.reference), "receive"))
    assert response.status_code == 303
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and response["Location"] == page(dossier.code)
    slip = DossierAttachment.objects.get(dossier=dossier, role=AttachmentRole.RECEIPT_SLIP)
    html = client.get(page(dossier.code)).content.decode()
    url = reverse("backoffice:attachment", args=[dossier.code, slip.pk])
    assert url in html
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Through the gate only: another commune's officer gets 404 for the same file.
    assert verified_client(world.other_specialist).get(url).status_code == 404


def test_an_action_not_allowed_is_refused_with_403_and_changes_nothing(world: World) -> None:
    dossier = world.submit()
    before = snapshot(dossier)
    response = verified_client(world.specialist).post(act(str(dossier.reference), "receive"))
    assert response.status_code == 403
    assert "role does not allow" in response.content.decode()
    assert snapshot(dossier) == before


def test_an_action_in_the_wrong_status_is_refused_with_409_and_changes_nothing(
    world: World,
) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    before = snapshot(dossier)
    response = verified_client(world.reception).post(act(dossier.code, "receive"))
    assert response.status_code == 409
    assert snapshot(dossier) == before


def test_refusal_without_reason_is_refused_and_changes_nothing(world: World) -> None:
    dossier = world.submit()
    before = snapshot(dossier)
    response = verified_client(world.reception).post(
        act(str(dossier.reference), "refuse"), {"refuse-reason": "   "}
    )
    assert response.status_code == 400
    assert snapshot(dossier) == before
    assert response.context["actions"][1]["open"]  # the refuse form stays open with its error


def test_supplement_request_lists_every_item_and_issues_form_2(world: World) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    client = verified_client(world.reception)
    response = client.post(
        act(dossier.code, "request_supplement"),
        {
            "request_supplement-items": "Giấy chứng sinh bản chính\n\nTờ khai có chữ ký",
            "request_supplement-reason": "Thiếu giấy tờ",
        },
    )
    assert response.status_code == 303
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    event = dossier.events.get(action="request_supplement")
    assert event.data["items"] == ["Giấy chứng sinh bản chính", "Tờ khai có chữ ký"]
    assert DossierAttachment.objects.filter(
        dossier=dossier, role=AttachmentRole.SUPPLEMENT_SLIP
    ).exists()
    # Once only: the second request is refused (the action is no longer offered either).
    client.post(act(dossier.code, "supplement"))
    before = snapshot(dossier)
    response = client.post(
        act(dossier.code, "request_supplement"),
        {"request_supplement-items": "X", "request_supplement-reason": "Y"},
    )
    assert response.status_code == 422
    assert snapshot(dossier) == before


def test_forward_to_another_unit_and_back_office_of_that_unit_sees_it(world: World) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    specialist = verified_client(world.specialist)
    # While the reception step is open, handing over is the one-stop officer's.
    assert "forward" not in actions_of(specialist.get(page(dossier.code)))
    dossier_forward(actor=world.reception, public_id=dossier.code)
    response = specialist.get(page(dossier.code))
    assert "forward" in actions_of(response)
    assert "approve" not in actions_of(response)
    response = specialist.post(
        act(dossier.code, "forward"),
        {"forward-to_unit": world.other_committee.pk, "forward-note": "Xác minh liên thông"},
    )
    assert response.status_code == 303
    dossier.refresh_from_db()
    assert dossier.handling_unit_id == world.other_committee.pk
    other = verified_client(world.other_specialist).get(page(dossier.code))
    assert other.status_code == 200 and "forward" in actions_of(other)


def test_unknown_action_is_404_and_get_is_not_allowed(world: World) -> None:
    dossier = world.submit()
    client = verified_client(world.reception)
    assert client.post(act(str(dossier.reference), "explode")).status_code == 404
    assert client.get(act(str(dossier.reference), "receive")).status_code == 405


def test_control_sheet_download(world: World) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    client = verified_client(world.leader)
    response = client.post(reverse("backoffice:control_sheet", args=[dossier.code]))
    assert response.status_code == 302
    download = client.get(response["Location"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_the_dossier_page_query_count_is_pinned(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    client = verified_client(world.specialist)
    client.get(page(dossier.code))
    with django_assert_max_num_queries(16):
        assert client.get(page(dossier.code)).status_code == 200
    # More history (hand-overs, slips) does not mean more queries.
    from motcua.dossiers.attachments import dossier_act

    dossier_act(actor=world.reception, action="forward", public_id=dossier.code)
    dossier_act(actor=world.specialist, action="forward", public_id=dossier.code)
    dossier_act(
        actor=world.specialist,
        action="request_supplement",
        public_id=dossier.code,
        items=["Giấy chứng sinh"],
        reason="Thiếu",
    )
    dossier_act(actor=world.reception, action="supplement", public_id=dossier.code)
    with django_assert_max_num_queries(16):
        assert client.get(page(dossier.code)).status_code == 200


def test_a_hand_over_the_open_step_does_not_take_is_refused_without_change(
    world: World,
) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    before = snapshot(dossier)
    # The lifecycle table lets a specialist forward a received dossier, but the process's
    # open step is the reception: the post is refused and nothing changes.
    response = verified_client(world.specialist).post(act(dossier.code, "forward"))
    assert response.status_code == 422
    assert snapshot(dossier) == before


def test_a_leader_may_approve_while_the_specialists_step_is_open(world: World) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    dossier_forward(actor=world.reception, public_id=dossier.code)
    leader = verified_client(world.leader)
    assert "approve" in actions_of(leader.get(page(dossier.code)))
    assert leader.post(act(dossier.code, "approve"), {"approve-note": "Đồng ý"}).status_code == 303
    dossier.refresh_from_db()
    assert dossier.approved
