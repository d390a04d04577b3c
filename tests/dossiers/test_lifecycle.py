"""The lifecycle through the services: transitions, legal time, refusals without effects."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from motcua.audit.models import AuditEntry
from motcua.audit.services import audit_verify
from motcua.core.clock import VIETNAM
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers import services as S
from motcua.dossiers.access import DossierNotFound, available_actions, visible_dossiers
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.integrations.models import OutboxMessage
from tests.dossiers.conftest import World

pytestmark = pytest.mark.django_db


def _effects(dossier: Dossier) -> tuple[int, int, int, str]:
    dossier.refresh_from_db()
    return (
        DossierEvent.objects.filter(dossier=dossier).count(),
        AuditEntry.objects.count(),
        OutboxMessage.objects.count(),
        dossier.status,
    )


def test_the_whole_lifecycle(world: World) -> None:
    d = world.submit()
    assert d.status == Status.NEW and d.code is None and d.national_status == 1
    ref = str(d.reference)
    d = S.dossier_receive(actor=world.reception, public_id=ref)
    assert re.fullmatch(r"H01\.00070\.MC-\d{6}-0001", d.code or "")
    assert d.due_at and d.due_at > d.received_at
    d = S.dossier_request_supplement(
        actor=world.reception,
        public_id=d.code,
        items=["Giấy chứng sinh bản chính"],
        reason="Thiếu giấy tờ",
    )
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.paused_at
    d = S.dossier_supplement(actor=world.citizen, public_id=d.code)
    assert d.status == Status.RECEIVED and d.paused_at is None
    d = S.dossier_forward(actor=world.reception, public_id=d.code)
    assert d.status == Status.PROCESSING
    d = S.dossier_forward(
        actor=world.specialist, public_id=d.code, to_unit=world.other_committee, note="Lấy ý kiến"
    )
    assert d.handling_unit == world.other_committee
    d = S.dossier_forward(actor=world.other_specialist, public_id=d.code, to_unit=world.committee)
    d = S.dossier_approve(actor=world.leader, public_id=d.code)
    d = S.dossier_mark_result_ready(actor=world.specialist, public_id=d.code)
    assert d.status == Status.RESULT_READY and d.national_status == 9 and d.ended_at
    d = S.dossier_return_result(actor=world.reception, public_id=d.code, method="warehouse")
    assert d.status == Status.RESULT_RETURNED and d.national_status == 10
    actions = list(d.events.values_list("action", flat=True))
    assert actions == [
        "submit",
        "receive",
        "request_supplement",
        "supplement",
        "forward",
        "forward",
        "forward",
        "approve",
        "mark_result_ready",
        "return_result",
    ]
    assert list(d.events.values_list("seq", flat=True)) == list(range(1, 11))
    assert OutboxMessage.objects.filter(key=str(d.reference)).count() == 10
    last = OutboxMessage.objects.filter(key=str(d.reference)).order_by("id").last()
    assert last.payload["TrangThaiHoSo"] == 10 and last.payload["MaHoSo"] == d.code
    assert audit_verify() == []


def test_codes_count_per_agency_and_day(world: World) -> None:
    codes = [
        S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference)).code
        for _ in range(3)
    ]
    assert [c.rsplit("-", 1)[1] for c in codes] == ["0001", "0002", "0003"]


def test_refusal_needs_a_reason_and_changes_nothing_without_one(world: World) -> None:
    d = world.submit()
    before = _effects(d)
    with pytest.raises(S.InvalidInput) as exc:
        S.dossier_refuse(actor=world.reception, public_id=str(d.reference), reason="  ")
    assert "reason" in exc.value.errors
    assert _effects(d) == before
    d = S.dossier_refuse(
        actor=world.reception, public_id=str(d.reference), reason="Không thuộc thẩm quyền"
    )
    assert d.status == Status.REFUSED and d.national_status == 3


def test_supplement_only_once(world: World) -> None:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    S.dossier_request_supplement(actor=world.reception, public_id=d.code, items=["A"], reason="r")
    S.dossier_supplement(actor=world.citizen, public_id=d.code)
    before = _effects(d)
    with pytest.raises(DomainError, match=r"only once|một lần"):
        S.dossier_request_supplement(
            actor=world.specialist, public_id=d.code, items=["B"], reason="r"
        )
    assert _effects(d) == before


def test_the_pause_moves_the_due_date(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = datetime(2027, 3, 1, 8, 0, tzinfo=VIETNAM)  # Monday
    monkeypatch.setattr(S, "now", lambda: t0)
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    due = d.due_at
    monkeypatch.setattr(S, "now", lambda: t0 + timedelta(hours=1))
    S.dossier_request_supplement(actor=world.reception, public_id=d.code, items=["A"], reason="r")
    monkeypatch.setattr(S, "now", lambda: t0 + timedelta(days=1))  # Tuesday 08:00
    d = S.dossier_supplement(actor=world.citizen, public_id=d.code)
    # The sample case is a same-day procedure: received Monday 08:00 (before 15:00) it is due
    # Monday 17:00. Paused Monday 09:00 → Tuesday 08:00 = 7 working hours of office time
    # (09:00–11:30, 13:30–17:00, Tuesday 07:00–08:00), so the due moves to Tuesday 16:00.
    assert due.astimezone(VIETNAM) == datetime(2027, 3, 1, 17, 0, tzinfo=VIETNAM)
    assert d.due_at.astimezone(VIETNAM) == datetime(2027, 3, 2, 16, 0, tzinfo=VIETNAM)


def test_extension_once_and_at_least_a_working_day_ahead(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    t0 = datetime(2027, 3, 1, 8, 0, tzinfo=VIETNAM)
    monkeypatch.setattr(S, "now", lambda: t0)
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    Dossier.objects.filter(pk=d.pk).update(due_at=t0 + timedelta(days=3))
    with pytest.raises(S.InvalidInput):
        S.dossier_apologise_extend(
            actor=world.specialist, public_id=d.code, reason="Xin lỗi", new_due=t0
        )
    d = S.dossier_apologise_extend(
        actor=world.specialist, public_id=d.code, reason="Xin lỗi", new_due=t0 + timedelta(days=7)
    )
    assert d.extension_count == 1 and d.original_due_at != d.due_at
    with pytest.raises(DomainError, match=r"once|một lần"):
        S.dossier_apologise_extend(
            actor=world.specialist, public_id=d.code, reason="x", new_due=t0 + timedelta(days=9)
        )


def test_late_apology_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = datetime(2027, 3, 1, 8, 0, tzinfo=VIETNAM)
    monkeypatch.setattr(S, "now", lambda: t0)
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    Dossier.objects.filter(pk=d.pk).update(due_at=t0 + timedelta(hours=4))
    with pytest.raises(DomainError, match=r"working day|ngày làm việc"):
        S.dossier_apologise_extend(
            actor=world.specialist, public_id=d.code, reason="r", new_due=t0 + timedelta(days=5)
        )


def test_result_needs_approval(world: World) -> None:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    S.dossier_forward(actor=world.reception, public_id=d.code)
    with pytest.raises(DomainError):
        S.dossier_mark_result_ready(actor=world.specialist, public_id=d.code)


def test_wrong_status_is_a_conflict_and_wrong_role_is_forbidden(world: World) -> None:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    before = _effects(d)
    with pytest.raises(Conflict):
        S.dossier_receive(actor=world.reception, public_id=d.code)
    with pytest.raises(PermissionDenied):
        S.dossier_stop(actor=world.specialist, public_id=d.code, reason="r")  # leaders only
    with pytest.raises(DossierNotFound):  # another unit cannot even see it
        S.dossier_forward(actor=world.other_specialist, public_id=d.code)
    with pytest.raises(DossierNotFound):
        S.dossier_withdraw(actor=world.stranger, public_id=d.code)
    assert _effects(d) == before


def test_citizen_may_withdraw_own_dossier(world: World) -> None:
    d = world.submit()
    d = S.dossier_withdraw(actor=world.citizen, public_id=str(d.reference), reason="Nộp nhầm")
    assert d.status == Status.WITHDRAWN and d.national_status == 7


def test_submission_errors_name_the_field_and_create_nothing(world: World) -> None:
    with pytest.raises(S.InvalidInput) as exc:
        world.submit(
            form_data={"full_name": "x" * 500}, channel="post", components=[S.ComponentInput("TP9")]
        )
    errors = exc.value.errors
    assert "form_data.full_name" in errors and "form_data.id_number" in errors
    assert "channel" in errors and "components[0].code" in errors
    assert Dossier.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_citizens_submit_only_for_themselves(world: World) -> None:
    with pytest.raises(S.InvalidInput) as exc:
        world.submit(actor=world.stranger)
    assert "applicant.id_number" in exc.value.errors


def test_visibility_rule(world: World) -> None:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    for user, sees in [
        (world.citizen, True),
        (world.stranger, False),
        (world.reception, True),
        (world.specialist, True),
        (world.other_specialist, False),
        (world.supervisor, True),
    ]:
        assert visible_dossiers(user).filter(pk=d.pk).exists() is sees, user.username
    assert available_actions(world.reception, d) == [
        "request_supplement",
        "forward",
        "request_payment",
        "withdraw",
        "apologise_extend",
    ]
    assert "stop" in available_actions(world.leader, d)
    assert available_actions(world.citizen, d) == ["withdraw"]


def test_each_missing_field_is_named_once(world: World) -> None:
    with pytest.raises(S.InvalidInput) as exc:
        world.submit(form_data={})
    assert exc.value.errors["form_data.full_name"] == exc.value.errors["form_data.id_number"]
    assert len(exc.value.errors["form_data.full_name"]) == 1


def test_each_event_names_the_unit_the_officer_acted_for(world: World) -> None:
    """A one-stop officer forwards for the receiving section; a specialist forwards and a
    leader approves for the handling committee (the timeline and control sheet say so)."""
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    S.dossier_forward(actor=world.reception, public_id=d.code)
    S.dossier_forward(actor=world.specialist, public_id=d.code)
    S.dossier_approve(actor=world.leader, public_id=d.code)
    units = dict(
        Dossier.objects.get(pk=d.pk)
        .events.filter(action__in=["receive", "approve"])
        .values_list("action", "actor_unit_id")
    )
    forwards = list(
        Dossier.objects.get(pk=d.pk)
        .events.filter(action="forward")
        .order_by("seq")
        .values_list("actor_unit_id", flat=True)
    )
    assert units["receive"] == world.section.pk
    assert forwards == [world.section.pk, world.committee.pk]
    assert units["approve"] == world.committee.pk
