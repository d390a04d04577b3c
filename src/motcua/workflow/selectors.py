"""Reads of the internal processes, for screens, slips, queues and reports.

Subjects are dossiers known by their integer id (``Dossier.pk``); this layer does not
import the dossier app.

* ``control_sheet(subject_id)`` — the process control sheet (form 6), one row per step.
* ``current_task(subject_id)`` — the open step (name, role, unit, due, started), or None.
* ``open_tasks_for(unit_roles)`` — open steps for "my tasks" queues, given the
  (unit id, role) pairs an officer holds today.
* ``followups_for(unit_roles)`` — open follow-ups (apology and extension letters due).
* ``step_actions(subject_id, unit_roles)`` — the hand-over actions the process lets the
  holder of these roles take now (None: no running process governs the subject), so a
  screen shows only what ``dossiers.services`` will accept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from motcua.units.models import StaffRole, Unit
from motcua.workflow.bpmn import UNIT_HANDLING, UNIT_RECEIVING
from motcua.workflow.engine import Engine
from motcua.workflow.models import FollowUp, InstanceStatus, ProcessInstance, WorkTask

MAX_TAKEOVERS = 3


@dataclass(frozen=True)
class TaskInfo:
    """The open step of a subject's process."""

    task_id: int
    step: str  # BPMN id of the user task
    name: str
    role: str  # a ``StaffRole`` value
    unit_id: int
    due_at: datetime | None
    started_at: datetime  # when it was given to the unit
    received_at: datetime | None  # when an officer took it (None: not yet claimed)
    receiver_id: int | None
    actions: tuple[str, ...]  # the dossier actions that complete it


@dataclass(frozen=True)
class ControlSheetRow:
    """One hand-over of the control sheet (form 6)."""

    seq: int
    step: str
    title: str
    role: str
    unit_id: int
    unit_name: str
    giver_id: int | None
    giver_name: str  # empty: given by the system at reception
    given_at: datetime
    receiver_id: int | None
    receiver_name: str
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    action: str  # what ended the step: forward, approve, send_back, transfer, cancelled…
    outcome: str  # "early" | "on_time" | "late" | "" (still open or cancelled)
    note: str


def _name(user: object | None) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or getattr(user, "username", ""))


def control_sheet(subject_id: int) -> list[ControlSheetRow]:
    """Every step of the subject's process in order (empty when it has none)."""
    rows = (
        WorkTask.objects.filter(subject_id=subject_id)
        .select_related("unit", "given_by", "receiver")
        .order_by("seq")
    )
    return [
        ControlSheetRow(
            seq=t.seq,
            step=t.step,
            title=t.title,
            role=t.role,
            unit_id=t.unit_id,
            unit_name=t.unit.name,
            giver_id=t.given_by_id,
            giver_name=_name(t.given_by),
            given_at=t.given_at,
            receiver_id=t.receiver_id,
            receiver_name=_name(t.receiver),
            received_at=t.received_at,
            due_at=t.due_at,
            finished_at=t.finished_at,
            action=t.action,
            outcome=t.outcome,
            note=t.note,
        )
        for t in rows
    ]


def _task_info(t: WorkTask) -> TaskInfo:
    return TaskInfo(
        task_id=t.pk,
        step=t.step,
        name=t.title,
        role=t.role,
        unit_id=t.unit_id,
        due_at=t.due_at,
        started_at=t.given_at,
        received_at=t.received_at,
        receiver_id=t.receiver_id,
        actions=tuple(t.actions),
    )


def current_task(subject_id: int) -> TaskInfo | None:
    """The open step of the subject's process; None when none is open (or no process)."""
    task = (
        WorkTask.objects.filter(subject_id=subject_id, finished_at__isnull=True)
        .order_by("seq")
        .first()
    )
    return _task_info(task) if task is not None else None


def _pairs(unit_roles: Iterable[tuple[int, str]]) -> Q | None:
    rule: Q | None = None
    for unit_id, role in unit_roles:
        one = Q(unit_id=unit_id, role=role)
        rule = one if rule is None else rule | one
    return rule


def open_tasks_for(unit_roles: Iterable[tuple[int, str]]) -> QuerySet[WorkTask]:
    """Open steps given to any of these (unit id, role) pairs, soonest due first.

    Each row carries ``subject_id`` (the dossier id), ``unit_id``, ``role``, ``title``,
    ``given_at`` and ``due_at``; filter dossiers with ``pk__in=...values("subject_id")``.
    """
    rule = _pairs(unit_roles)
    if rule is None:
        return WorkTask.objects.none()
    return WorkTask.objects.filter(rule, finished_at__isnull=True).order_by("due_at", "pk")


def followups_for(unit_roles: Iterable[tuple[int, str]]) -> QuerySet[FollowUp]:
    """Open follow-ups (e.g. apology letters to send) for these (unit id, role) pairs."""
    rule = _pairs(unit_roles)
    if rule is None:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(rule, closed_at__isnull=True).order_by("due_at", "pk")


def step_actions(subject_id: int, unit_roles: Iterable[tuple[int, str]]) -> frozenset[str] | None:
    """Hand-over actions (forward, send_back, approve, …) open to these roles right now.

    The same rule as ``services.process_act``: the open step's actions when the roles
    hold its role in its unit, or lead that unit's specialist; a leader also gets the
    actions of the following steps they would take over on the way (the engine is run
    in memory, nothing is stored). None when no running process governs the subject.
    """
    roles = frozenset(unit_roles)
    instance = (
        ProcessInstance.objects.select_related("definition")
        .filter(subject_id=subject_id, status=InstanceStatus.RUNNING)
        .first()
    )
    if instance is None:
        return None
    task = (
        WorkTask.objects.filter(instance=instance, finished_at__isnull=True).order_by("seq").first()
    )
    if task is None:
        return None

    def holds(unit_id: int, role: str) -> bool:
        return (unit_id, role) in roles or (
            role == StaffRole.SPECIALIST and (unit_id, StaffRole.LEADER) in roles
        )

    if not holds(task.unit_id, task.role):
        return frozenset()
    allowed = set(task.actions)
    leads = task.role == StaffRole.SPECIALIST and (task.unit_id, StaffRole.LEADER) in roles
    if not leads or "forward" not in task.actions:
        return frozenset(allowed)
    d = instance.definition
    engine = Engine.load((d.pk, d.sha256), d.spec, instance.state)
    engine_task = task.engine_task
    for _hop in range(MAX_TAKEOVERS):
        following = engine.complete(engine_task, "forward")
        if len(following) != 1:
            break
        step = following[0]
        if step.spec.unit == UNIT_RECEIVING:
            unit_id: int | None = instance.receiving_unit_id
        elif step.spec.unit == UNIT_HANDLING:
            unit_id = instance.lead_unit_id
        else:
            unit_id = Unit.objects.filter(code=step.spec.unit).values_list("pk", flat=True).first()
        if unit_id is None or not holds(unit_id, step.spec.role):
            break
        allowed.update(step.spec.actions)
        if not (
            step.spec.role == StaffRole.SPECIALIST
            and (unit_id, StaffRole.LEADER) in roles
            and "forward" in step.spec.actions
        ):
            break
        engine_task = step.task_id
    return frozenset(allowed)
