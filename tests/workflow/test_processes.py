"""Dossiers moving through BPMN processes via the lifecycle services.

Time is controlled by replacing ``motcua.dossiers.services.now`` (the instant every
action and every step of the process records). The sample case is made a three-working-
day procedure, so the default process's shares of the legal time (10/50/20/10/10 %) are
2 h 24, 12 h, 4 h 48, 2 h 24 and 2 h 24 of office time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from motcua.audit.models import AuditEntry
from motcua.core.calendar import VN_TZ
from motcua.core.errors import PermissionDenied
from motcua.dossiers import services as S
from motcua.dossiers.access import DossierNotFound, actor_roles, visible_dossiers
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.integrations.models import OutboxMessage
from motcua.units.models import AdjustmentKind, CalendarAdjustment, StaffRole
from motcua.workflow.models import InstanceStatus, ProcessInstance, WorkTask
from motcua.workflow.selectors import control_sheet, current_task, open_tasks_for, step_actions
from motcua.workflow.services import (
    StepRefused,
    process_definition_upload,
    task_claim,
)
from tests.workflow.conftest import World, process_xml

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 3, 1)


def at(day: int, hhmm: str) -> datetime:
    """``day`` 0 = Monday 1 March 2027, local time."""
    hour, minute = map(int, hhmm.split(":"))
    d = MONDAY + timedelta(days=day)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=VN_TZ)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.value = at(0, "08:00")
        monkeypatch.setattr(S, "now", lambda: self.value)

    def set(self, value: datetime) -> None:
        self.value = value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def three_days(world: World) -> World:
    world.case.same_day_rule = False
    world.case.save(update_fields=["same_day_rule"])
    world.case.ways.update(duration=3)
    return world


def received(world: World) -> Dossier:
    return S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))


def rows(d: Dossier) -> list[tuple[Any, ...]]:
    return [
        (r.step, r.unit_name.split()[-1], r.giver_name, r.receiver_name, r.action, r.outcome)
        for r in control_sheet(d.pk)
    ]


def effects(d: Dossier) -> tuple[Any, ...]:
    d.refresh_from_db()
    instance = ProcessInstance.objects.get(subject_id=d.pk)
    return (
        d.status,
        d.handling_unit_id,
        d.approved,
        DossierEvent.objects.filter(dossier=d).count(),
        AuditEntry.objects.count(),
        OutboxMessage.objects.count(),
        list(WorkTask.objects.filter(subject_id=d.pk).values_list("pk", "finished_at", "unit")),
        instance.state,
        instance.current_task_id,
    )


# --- the default process ----------------------------------------------------------------------
def test_the_default_path_records_the_control_sheet_against_the_calendar(
    three_days: World, clock: Clock
) -> None:
    w = three_days
    d = received(w)
    assert d.due_at == at(3, "08:00")  # three working days: Thursday 08:00
    task = current_task(d.pk)
    assert task is not None and (task.step, task.role, task.unit_id) == (
        "reception",
        StaffRole.ONE_STOP_OFFICER,
        w.section.pk,
    )
    assert task.due_at == at(0, "10:24") and task.started_at == at(0, "08:00")

    clock.set(at(0, "09:00"))
    d = S.dossier_forward(actor=w.reception, public_id=d.code)
    assert current_task(d.pk).due_at == at(1, "15:00")  # 12 h: Mon 6 h, Tue 4 h 30 + 1 h 30
    clock.set(at(0, "15:00"))
    S.dossier_forward(actor=w.specialist, public_id=d.code, note="Trình lãnh đạo")
    assert current_task(d.pk).due_at == at(1, "09:48")  # 4 h 48: Mon 2 h, Tue 2 h 48
    clock.set(at(2, "08:00"))
    S.dossier_approve(actor=w.leader, public_id=d.code)
    assert current_task(d.pk).due_at == at(2, "10:24")
    clock.set(at(2, "10:24"))
    S.dossier_mark_result_ready(actor=w.specialist, public_id=d.code)
    assert current_task(d.pk).due_at == at(2, "14:48")  # 1 h 06 before lunch, 1 h 18 after
    clock.set(at(2, "16:00"))
    d = S.dossier_return_result(actor=w.reception, public_id=d.code, method="counter")

    assert d.status == Status.RESULT_RETURNED and current_task(d.pk) is None
    assert ProcessInstance.objects.get(subject_id=d.pk).status == InstanceStatus.COMPLETED
    assert rows(d) == [
        ("reception", "H01.00070.MC", "", "Cán bộ motcua", "forward", "on_time"),
        ("processing", "H01.00070", "Cán bộ motcua", "Cán bộ chuyenvien", "forward", "early"),
        ("approval", "H01.00070", "Cán bộ chuyenvien", "Cán bộ lanhdao", "approve", "late"),
        (
            "result",
            "H01.00070",
            "Cán bộ lanhdao",
            "Cán bộ chuyenvien",
            "mark_result_ready",
            "on_time",
        ),
        ("return", "H01.00070.MC", "Cán bộ chuyenvien", "Cán bộ motcua", "return_result", "late"),
    ]
    sheet = control_sheet(d.pk)
    assert [r.given_at for r in sheet] == [
        at(0, "08:00"),
        at(0, "09:00"),
        at(0, "15:00"),
        at(2, "08:00"),
        at(2, "10:24"),
    ]
    assert [r.finished_at for r in sheet] == [r.given_at for r in sheet[1:]] + [at(2, "16:00")]
    assert sheet[0].title == "Tiếp nhận, chuyển hồ sơ" and sheet[0].received_at == at(0, "08:00")


def test_step_dues_skip_days_off_of_the_province(three_days: World, clock: Clock) -> None:
    CalendarAdjustment.objects.create(
        day=MONDAY + timedelta(days=1), kind=AdjustmentKind.DAY_OFF, province_code="01", reason="x"
    )
    d = received(three_days)
    clock.set(at(0, "09:00"))
    S.dossier_forward(actor=three_days.reception, public_id=d.code)
    assert current_task(d.pk).due_at == at(2, "15:00")  # Tuesday is off: Wednesday instead
    clock.set(at(2, "15:01"))
    S.dossier_forward(actor=three_days.specialist, public_id=d.code)
    assert control_sheet(d.pk)[1].outcome == "late"


def test_send_back_gateway_returns_to_the_specialist(three_days: World, clock: Clock) -> None:
    w = three_days
    d = received(w)
    S.dossier_forward(actor=w.reception, public_id=d.code)
    S.dossier_forward(actor=w.specialist, public_id=d.code)
    d = S.dossier_send_back(actor=w.leader, public_id=d.code, reason="Kiểm tra lại diện tích")
    assert current_task(d.pk).step == "processing" and d.approved is False
    assert control_sheet(d.pk)[-2].note == "Kiểm tra lại diện tích"
    with pytest.raises(StepRefused):  # the specialist's step has no way back
        S.dossier_send_back(actor=w.specialist, public_id=d.code, reason="x")
    S.dossier_forward(actor=w.specialist, public_id=d.code)
    d = S.dossier_approve(actor=w.leader, public_id=d.code)
    assert current_task(d.pk).step == "result" and d.approved is True
    assert [r[0] for r in rows(d)] == [
        "reception",
        "processing",
        "approval",
        "processing",
        "approval",
        "result",
    ]
    assert [r[4] for r in rows(d)][:-1] == ["forward", "forward", "send_back", "forward", "approve"]


def test_a_hand_over_the_open_step_does_not_take_is_refused_without_effects(
    three_days: World, clock: Clock
) -> None:
    w = three_days
    d = received(w)
    S.dossier_forward(actor=w.reception, public_id=d.code)
    before = effects(d)
    with pytest.raises(StepRefused, match="Thẩm định, xử lý hồ sơ"):
        S.dossier_forward(actor=w.reception, public_id=d.code)  # the specialist's step now
    with pytest.raises(StepRefused):
        S.dossier_send_back(actor=w.specialist, public_id=d.code, reason="r")
    with pytest.raises(PermissionDenied):  # the lifecycle's own rule comes first
        S.dossier_approve(actor=w.specialist, public_id=d.code)
    with pytest.raises(DossierNotFound):
        S.dossier_forward(actor=w.other_specialist, public_id=d.code)
    assert effects(d) == before


def test_a_leader_takes_over_the_specialist_step_of_their_unit(
    three_days: World, clock: Clock
) -> None:
    w = three_days
    d = received(w)
    before = effects(d)
    with pytest.raises(StepRefused):  # leaders take over specialists, not the one-stop section
        S.dossier_forward(actor=w.leader, public_id=d.code)
    assert effects(d) == before
    S.dossier_forward(actor=w.reception, public_id=d.code)
    clock.set(at(0, "10:00"))
    d = S.dossier_approve(actor=w.leader, public_id=d.code)
    assert d.approved and current_task(d.pk).step == "result"
    assert rows(d)[1:3] == [
        ("processing", "H01.00070", "Cán bộ motcua", "Cán bộ lanhdao", "take_over", "early"),
        ("approval", "H01.00070", "Cán bộ lanhdao", "Cán bộ lanhdao", "approve", "on_time"),
    ]


# --- inter-agency ----------------------------------------------------------------------------
INTER_AGENCY = """
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="reception"/>
  <bpmn:userTask id="reception" name="Tiếp nhận" motcua:role="one_stop_officer"
                 motcua:allotment="PT2H" motcua:actions="forward"/>
  <bpmn:sequenceFlow id="f1" sourceRef="reception" targetRef="processing"/>
  <bpmn:userTask id="processing" name="Thẩm định" motcua:role="specialist"
                 motcua:allotment="PT4H"/>
  <bpmn:sequenceFlow id="f2" sourceRef="processing" targetRef="verify"/>
  <bpmn:userTask id="verify" name="Xác minh tại phường Cửa Nam" motcua:role="specialist"
                 motcua:unit="H01.00073" motcua:allotment="P1D"/>
  <bpmn:sequenceFlow id="f3" sourceRef="verify" targetRef="approval"/>
  <bpmn:userTask id="approval" name="Phê duyệt" motcua:role="leader" motcua:allotment="PT4H"/>
  <bpmn:sequenceFlow id="f4" sourceRef="approval" targetRef="decision"/>
  <bpmn:exclusiveGateway id="decision" default="ok"/>
  <bpmn:sequenceFlow id="back" sourceRef="decision" targetRef="verify">
    <bpmn:conditionExpression>outcome == "send_back"</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="ok" sourceRef="decision" targetRef="result"/>
  <bpmn:userTask id="result" name="Ban hành" motcua:role="specialist" motcua:allotment="PT2H"
                 motcua:actions="mark_result_ready"/>
  <bpmn:sequenceFlow id="f5" sourceRef="result" targetRef="return"/>
  <bpmn:userTask id="return" name="Trả kết quả" motcua:role="one_stop_officer"
                 motcua:allotment="PT2H" motcua:actions="return_result"/>
  <bpmn:sequenceFlow id="f6" sourceRef="return" targetRef="end"/>
  <bpmn:endEvent id="end"/>
"""


def test_an_inter_agency_step_in_another_unit_then_back(three_days: World, clock: Clock) -> None:
    w = three_days
    definition = process_definition_upload(
        actor=None, xml=process_xml(INTER_AGENCY), procedure_code="1.001193", case_code="1"
    )
    d = received(w)
    assert ProcessInstance.objects.get(subject_id=d.pk).definition == definition
    S.dossier_forward(actor=w.reception, public_id=d.code)
    clock.set(at(0, "10:00"))
    d = S.dossier_forward(actor=w.specialist, public_id=d.code, note="Đề nghị xác minh")
    task = current_task(d.pk)
    assert task.step == "verify" and task.unit_id == w.other_committee.pk
    assert task.due_at == at(1, "10:00")  # one working day
    assert d.handling_unit == w.other_committee
    assert list(d.supporting_units.all()) == [w.committee]
    assert d.events.last().to_unit == w.other_committee
    assert visible_dossiers(w.other_specialist).filter(pk=d.pk).exists()
    assert list(open_tasks_for([(w.other_committee.pk, StaffRole.SPECIALIST)])) == [
        WorkTask.objects.get(pk=task.task_id)
    ]
    # Our own specialist no longer holds the dossier's step.
    with pytest.raises((StepRefused, PermissionDenied)):
        S.dossier_forward(actor=w.specialist, public_id=d.code)
    clock.set(at(1, "09:00"))
    d = S.dossier_forward(actor=w.other_specialist, public_id=d.code, note="Đã xác minh")
    assert d.handling_unit == w.committee and current_task(d.pk).step == "approval"
    assert w.other_committee in d.supporting_units.all()
    S.dossier_approve(actor=w.leader, public_id=d.code)
    S.dossier_mark_result_ready(actor=w.specialist, public_id=d.code)
    d = S.dossier_return_result(actor=w.reception, public_id=d.code)
    assert d.status == Status.RESULT_RETURNED
    assert [(r[0], r[1], r[2], r[3]) for r in rows(d)] == [
        ("reception", "H01.00070.MC", "", "Cán bộ motcua"),
        ("processing", "H01.00070", "Cán bộ motcua", "Cán bộ chuyenvien"),
        ("verify", "H01.00073", "Cán bộ chuyenvien", "Cán bộ chuyenvien2"),
        ("approval", "H01.00070", "Cán bộ chuyenvien2", "Cán bộ lanhdao"),
        ("result", "H01.00070", "Cán bộ lanhdao", "Cán bộ chuyenvien"),
        ("return", "H01.00070.MC", "Cán bộ chuyenvien", "Cán bộ motcua"),
    ]
    assert control_sheet(d.pk)[2].outcome == "on_time"


def test_an_ad_hoc_transfer_keeps_the_step_and_its_due(three_days: World, clock: Clock) -> None:
    w = three_days
    d = received(w)
    S.dossier_forward(actor=w.reception, public_id=d.code)
    due = current_task(d.pk).due_at
    d = S.dossier_forward(
        actor=w.specialist, public_id=d.code, to_unit=w.other_committee, note="Lấy ý kiến"
    )
    task = current_task(d.pk)
    assert (task.step, task.unit_id, task.due_at) == ("processing", w.other_committee.pk, due)
    assert d.handling_unit == w.other_committee
    d = S.dossier_forward(actor=w.other_specialist, public_id=d.code, to_unit=w.committee)
    assert current_task(d.pk).unit_id == w.committee.pk and d.handling_unit == w.committee
    S.dossier_forward(actor=w.specialist, public_id=d.code)
    assert [r[:2] + r[4:5] for r in rows(d)] == [
        ("reception", "H01.00070.MC", "forward"),
        ("processing", "H01.00070", "transfer"),
        ("processing", "H01.00073", "transfer"),
        ("processing", "H01.00070", "forward"),
        ("approval", "H01.00070", ""),
    ]


def test_reception_routes_the_dossier_to_the_competent_unit(
    three_days: World, clock: Clock
) -> None:
    w = three_days
    d = received(w)
    d = S.dossier_forward(actor=w.reception, public_id=d.code, to_unit=w.other_committee)
    assert d.handling_unit == w.other_committee
    assert current_task(d.pk).unit_id == w.other_committee.pk
    S.dossier_forward(actor=w.other_specialist, public_id=d.code)
    task = current_task(d.pk)
    assert (task.step, task.unit_id) == ("approval", w.other_committee.pk)
    d = S.dossier_approve(actor=w.other_leader, public_id=d.code)
    assert current_task(d.pk).unit_id == w.other_committee.pk


# --- versions ---------------------------------------------------------------------------------
SHORT = """
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="reception"/>
  <bpmn:userTask id="reception" name="Tiếp nhận" motcua:role="one_stop_officer"
                 motcua:allotment="20%" motcua:actions="forward"/>
  <bpmn:sequenceFlow id="f1" sourceRef="reception" targetRef="decide"/>
  <bpmn:userTask id="decide" name="Lãnh đạo quyết định" motcua:role="leader"
                 motcua:allotment="60%" motcua:actions="approve"/>
  <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="result"/>
  <bpmn:userTask id="result" name="Ban hành" motcua:role="specialist" motcua:allotment="10%"
                 motcua:actions="mark_result_ready"/>
  <bpmn:sequenceFlow id="f3" sourceRef="result" targetRef="return"/>
  <bpmn:userTask id="return" name="Trả" motcua:role="one_stop_officer" motcua:allotment="10%"
                 motcua:actions="return_result"/>
  <bpmn:sequenceFlow id="f4" sourceRef="return" targetRef="end"/>
  <bpmn:endEvent id="end"/>
"""


def test_replacing_a_process_leaves_dossiers_in_flight_on_their_version(
    three_days: World, clock: Clock
) -> None:
    w = three_days
    first = received(w)  # the built-in default, stored as version 1
    S.dossier_forward(actor=w.reception, public_id=first.code)
    v1 = ProcessInstance.objects.get(subject_id=first.pk).definition
    assert (v1.version, v1.procedure_code, v1.process_id) == (1, "", "motcua_default")

    v2 = process_definition_upload(actor=w.supervisor, xml=process_xml(SHORT, name="Rút gọn"))
    assert (v2.version, v2.procedure_code) == (2, "")
    second = received(w)
    assert ProcessInstance.objects.get(subject_id=second.pk).definition == v2
    S.dossier_forward(actor=w.reception, public_id=second.code)
    assert current_task(second.pk).step == "decide"

    # The first dossier still walks version 1: the specialist's step, then the approval.
    assert current_task(first.pk).step == "processing"
    S.dossier_forward(actor=w.specialist, public_id=first.code)
    assert current_task(first.pk).step == "approval"
    assert ProcessInstance.objects.get(subject_id=first.pk).definition == v1
    # A procedure's own process wins over the default, for new dossiers only.
    v3 = process_definition_upload(
        actor=None, xml=process_xml(INTER_AGENCY), procedure_code="1.001193"
    )
    third = received(w)
    assert ProcessInstance.objects.get(subject_id=third.pk).definition == v3
    assert ProcessInstance.objects.get(subject_id=second.pk).definition == v2


def test_a_case_naming_a_shared_process_gets_it(three_days: World, clock: Clock) -> None:
    shared = process_definition_upload(
        actor=None, xml=process_xml(SHORT), reference="quy-trinh-rut-gon"
    )
    three_days.case.process = "quy-trinh-rut-gon"
    three_days.case.save(update_fields=["process"])
    d = received(three_days)
    assert ProcessInstance.objects.get(subject_id=d.pk).definition == shared


# --- the clock and the end ---------------------------------------------------------------------
def test_a_supplement_request_pauses_the_step_clock(three_days: World, clock: Clock) -> None:
    w = three_days
    d = received(w)
    S.dossier_forward(actor=w.reception, public_id=d.code)
    due = current_task(d.pk).due_at
    assert due == at(1, "14:00")  # 12 h from Monday 08:00: 7 h on Monday, 5 h on Tuesday
    clock.set(at(0, "09:00"))
    S.dossier_request_supplement(actor=w.specialist, public_id=d.code, items=["A"], reason="r")
    clock.set(at(1, "09:00"))  # 8 working hours later (6 h on Monday, 2 h on Tuesday)
    S.dossier_supplement(actor=w.citizen, public_id=d.code)
    assert current_task(d.pk).due_at == at(2, "14:00")  # Tuesday 14:00 + 8 working hours


@pytest.mark.parametrize("how", ["withdraw", "stop"])
def test_withdrawal_or_stop_closes_the_open_step(three_days: World, clock: Clock, how: str) -> None:
    w = three_days
    d = received(w)
    S.dossier_forward(actor=w.reception, public_id=d.code)
    clock.set(at(0, "11:00"))
    if how == "withdraw":
        S.dossier_withdraw(actor=w.citizen, public_id=d.code, reason="Nộp nhầm")
    else:
        S.dossier_stop(actor=w.leader, public_id=d.code, reason="Không đủ điều kiện")
    assert current_task(d.pk) is None
    assert ProcessInstance.objects.get(subject_id=d.pk).status == InstanceStatus.CANCELLED
    last = control_sheet(d.pk)[-1]
    assert (last.step, last.action, last.outcome, last.finished_at) == (
        "processing",
        how,
        "",
        at(0, "11:00"),
    )
    assert list(open_tasks_for([(w.committee.pk, StaffRole.SPECIALIST)])) == []


def test_claiming_the_open_step_records_the_receiver(three_days: World, clock: Clock) -> None:
    w = three_days
    d = received(w)
    S.dossier_forward(actor=w.reception, public_id=d.code)
    roles = [(w.committee.pk, StaffRole.SPECIALIST)]
    task = task_claim(subject_id=d.pk, actor=w.specialist, unit_roles=roles, at=at(0, "08:30"))
    assert (task.receiver, task.received_at) == (w.specialist, at(0, "08:30"))
    with pytest.raises(StepRefused):
        task_claim(
            subject_id=d.pk,
            actor=w.other_specialist,
            unit_roles=[(w.other_committee.pk, StaffRole.SPECIALIST)],
            at=at(0, "08:40"),
        )
    clock.set(at(0, "09:00"))
    S.dossier_forward(actor=w.specialist, public_id=d.code)
    row = control_sheet(d.pk)[1]
    assert (row.receiver_name, row.received_at, row.finished_at) == (
        "Cán bộ chuyenvien",
        at(0, "08:30"),
        at(0, "09:00"),
    )


def test_queues_list_open_steps_per_unit_and_role(three_days: World, clock: Clock) -> None:
    w = three_days
    first, second = received(w), received(w)
    S.dossier_forward(actor=w.reception, public_id=first.code)
    reception = [(w.section.pk, StaffRole.ONE_STOP_OFFICER)]
    specialist = [(w.committee.pk, StaffRole.SPECIALIST)]
    assert list(open_tasks_for(reception).values_list("subject_id", flat=True)) == [second.pk]
    assert list(open_tasks_for(specialist).values_list("subject_id", flat=True)) == [first.pk]
    both = open_tasks_for([*reception, *specialist])
    assert set(both.values_list("subject_id", flat=True)) == {first.pk, second.pk}
    assert list(open_tasks_for([])) == []


def test_a_dossier_without_a_process_follows_the_lifecycle_table(
    three_days: World, clock: Clock
) -> None:
    """Dossiers received before processes existed have no instance: nothing blocks them."""
    w = three_days
    d = received(w)
    ProcessInstance.objects.filter(subject_id=d.pk).delete()
    S.dossier_forward(actor=w.reception, public_id=d.code)
    S.dossier_approve(actor=w.leader, public_id=d.code)
    d = S.dossier_mark_result_ready(actor=w.leader, public_id=d.code)
    assert d.status == Status.RESULT_READY and control_sheet(d.pk) == []


# --- what screens may offer -------------------------------------------------------------------
class _Undo(Exception):
    pass


HAND_OVERS = ("forward", "send_back", "approve", "mark_result_ready", "return_result")


def _try(action: str, user: Any, code: str) -> str:
    calls = {
        "forward": lambda: S.dossier_forward(actor=user, public_id=code),
        "send_back": lambda: S.dossier_send_back(actor=user, public_id=code, reason="Lý do"),
        "approve": lambda: S.dossier_approve(actor=user, public_id=code),
        "mark_result_ready": lambda: S.dossier_mark_result_ready(actor=user, public_id=code),
        "return_result": lambda: S.dossier_return_result(actor=user, public_id=code),
    }
    try:
        with transaction.atomic():
            calls[action]()
            raise _Undo
    except _Undo:
        return "done"
    except StepRefused:
        return "step refused"
    except (S.DomainError, DossierNotFound):
        return "lifecycle refused"


def test_step_actions_offer_exactly_what_the_services_accept(
    three_days: World, clock: Clock
) -> None:
    w = three_days
    d = received(w)
    path = [
        lambda: None,
        lambda: S.dossier_forward(actor=w.reception, public_id=d.code),
        lambda: S.dossier_forward(actor=w.specialist, public_id=d.code),
        lambda: S.dossier_approve(actor=w.leader, public_id=d.code),
        lambda: S.dossier_mark_result_ready(actor=w.specialist, public_id=d.code),
    ]
    actors = ["reception", "specialist", "leader", "other_specialist", "other_leader"]
    checked = 0
    for step in path:
        step()
        for name in actors:
            user = getattr(w, name)
            offered = step_actions(d.pk, actor_roles(user).roles)
            assert offered is not None
            for action in HAND_OVERS:
                answer = _try(action, user, d.code)
                if answer == "lifecycle refused":
                    continue
                assert (answer == "done") == (action in offered), (
                    current_task(d.pk).step,
                    name,
                    action,
                    answer,
                    offered,
                )
                checked += 1
    assert checked > 20
    S.dossier_return_result(actor=w.reception, public_id=d.code)
    assert step_actions(d.pk, actor_roles(w.reception).roles) is None
