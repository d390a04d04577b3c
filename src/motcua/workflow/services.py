"""Every write of the internal processes: definitions, instances, steps, follow-ups.

Processes are run for a *subject* known by its integer id (a dossier). The dossier
services call ``process_start`` at reception and ``process_act`` for every hand-over
(forward, send back, approve, result ready, result returned) inside their own
transaction, passing the instant (``at``) and the roles the actor holds today; they
write the dossier's timeline and audit entry themselves, so these functions add none.
Admin uploads (``process_definition_upload``) are audited here.

The rules of a hand-over (docs/processes.md):

* the open step takes the action if it lists it (``motcua:actions``) and the actor holds
  the step's role in the step's unit — or is a leader of that unit acting on a
  specialist's step (leaders supervise their specialists);
* a leader whose action belongs to a later step may *take over* the specialist's open
  step of their unit: it is completed as ``forward`` in the leader's name and the
  action then applies to the next step (at most ``MAX_TAKEOVERS`` steps);
* ``forward`` with another unit from a step of the handling side *transfers* the step
  to the same role in that unit (ad-hoc inter-agency consultation, "liên thông"); the
  step keeps its due time, and a ``forward`` there without a unit completes it, after
  which the process goes on in the lead unit;
* ``forward`` with another unit from a step of the receiving unit (reception) routes
  the dossier: that unit becomes the lead unit for the rest of the process;
* ``send_back`` with another unit gives the step it leads back to to that unit;
* anything else is refused with ``StepRefused`` and changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.audit.services import audit_record
from motcua.core.calendar import (
    VN_TZ,
    add_working_time,
    extend_for_pause,
    working_time_between,
)
from motcua.core.clock import local_now, now
from motcua.core.errors import Conflict, DomainError
from motcua.units.models import StaffRole, Unit
from motcua.units.selectors import office_hours, work_calendar
from motcua.workflow.bpmn import (
    UNIT_HANDLING,
    UNIT_RECEIVING,
    ParsedProcess,
    ProcessInvalid,
    parse_allotment,
    parse_process,
)
from motcua.workflow.engine import Engine, ReadyStep
from motcua.workflow.models import (
    FollowUp,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    Timing,
    WorkTask,
)

__all__ = ["ProcessInvalid", "StepRefused"]

BUILTIN_DEFAULT = Path(__file__).parent / "processes" / "default.bpmn"
MAX_TAKEOVERS = 3
CANCEL_ACTIONS = frozenset({"withdraw", "stop", "cancel"})
FOLLOWUP_DONE = "done"


class StepRefused(DomainError):
    """The process does not allow this hand-over now; nothing was changed."""

    code = "refused"


UnitRoles = Iterable[tuple[int, str]]


@dataclass(frozen=True)
class Moved:
    """What a hand-over did to the process."""

    task: WorkTask | None  # the step now open; None when the process ended
    unit: Unit | None  # the unit that now holds the subject, when not the receiving unit
    completed: bool = False


def step_timing(finished: datetime, due: datetime | None) -> str:
    """Early (finished on a day before the due day), on time (by the due time), late (after)."""
    if due is None:
        return ""
    if finished > due:
        return Timing.LATE
    if finished.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date():
        return Timing.EARLY
    return Timing.ON_TIME


# --- definitions ----------------------------------------------------------------------------
def _key(
    province_code: str, procedure_code: str, case_code: str, reference: str = ""
) -> dict[str, str]:
    return {
        "province_code": (province_code or "").strip(),
        "procedure_code": (procedure_code or "").strip(),
        "case_code": (case_code or "").strip(),
        "reference": (reference or "").strip(),
    }


def _store(
    parsed: ParsedProcess,
    key: dict[str, str],
    *,
    actor: User | None,
    name: str,
    xml: str,
    using: str = "default",
) -> ProcessDefinition:
    definitions = ProcessDefinition.objects.using(using)
    # A concurrent upload of the same key fails on the unique constraint.
    last = definitions.filter(**key).aggregate(m=Max("version"))["m"] or 0
    return definitions.create(
        **key,
        version=last + 1,
        name=(name or parsed.name)[:300],
        process_id=parsed.process_id,
        bpmn_xml=xml,
        sha256=parsed.sha256,
        spec=parsed.spec,
        steps=[s.as_dict() for s in parsed.steps],
        parsed_ok=True,
        uploaded_by=actor,
        uploaded_at=now(),
    )


def process_definition_upload(
    *,
    actor: User | None,
    xml: str | bytes,
    province_code: str = "",
    procedure_code: str = "",
    case_code: str = "",
    reference: str = "",
    name: str = "",
) -> ProcessDefinition:
    """Store a new version of the process for this key; a bad file is refused with its reason.

    Dossiers already started keep the version they started with.
    """
    key = _key(province_code, procedure_code, case_code, reference)
    if key["case_code"] and not key["procedure_code"]:
        raise ProcessInvalid(_("A case code needs its procedure code."), field="procedure_code")
    if key["reference"] and key["procedure_code"]:
        raise ProcessInvalid(
            _("Give either a reference or a procedure code, not both."), field="reference"
        )
    parsed = parse_process(xml)
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    try:
        with transaction.atomic():
            definition = _store(parsed, key, actor=actor, name=name, xml=text)
            audit_record(
                action="workflow.definition_upload",
                actor=actor,
                object_type="process_definition",
                object_id=definition.pk,
                **({"chain": key["province_code"]} if key["province_code"] else {}),
                data={**key, "version": definition.version},
            )
    except IntegrityError:
        raise Conflict(_("Another version of this process was just uploaded; try again.")) from None
    return definition


@functools.cache
def _builtin() -> tuple[ParsedProcess, str]:
    xml = BUILTIN_DEFAULT.read_text(encoding="utf-8")
    return parse_process(xml), xml


def _specificity(d: ProcessDefinition) -> tuple[bool, bool, bool, int]:
    return (d.procedure_code != "", d.case_code != "", d.province_code != "", d.version)


def process_definition_for(
    *, province_code: str, procedure_code: str, case_code: str, reference: str = ""
) -> ProcessDefinition:
    """The newest version of the most specific process for a procedure case.

    A case naming a process (``reference``, the catalog's ``process`` field) gets the
    newest definition with that reference, the province's before the national one.
    Otherwise, most specific first: the case, then the whole procedure, then the default
    — each in the province before everywhere. Without any stored default, the built-in
    one (``processes/default.bpmn``) is stored as version 1 on first use.
    """
    fields = ("pk", "province_code", "procedure_code", "case_code", "reference", "version")
    if reference:
        named = list(
            ProcessDefinition.objects.filter(
                province_code__in={province_code, ""}, reference=reference
            ).only(*fields)
        )
        if named:
            best = max(named, key=lambda d: (d.province_code != "", d.version))
            return ProcessDefinition.objects.get(pk=best.pk)
    rows = list(
        ProcessDefinition.objects.filter(
            province_code__in={province_code, ""},
            procedure_code__in={procedure_code, ""},
            case_code__in={case_code, ""},
            reference="",
        ).only(*fields)
    )
    if rows:
        best = max(rows, key=_specificity)
        return ProcessDefinition.objects.get(pk=best.pk)
    # Normally stored right after ``migrate`` (``process_definition_seed_default``): a
    # first reception inserting it would make every other reception wait for its commit.
    return process_definition_seed_default()


def process_definition_seed_default(*, using: str = "default") -> ProcessDefinition:
    """Store the built-in default process as the default unless a default exists."""
    key = _key("", "", "")
    existing = ProcessDefinition.objects.using(using).filter(**key).order_by("-version").first()
    if existing is not None:
        return existing
    parsed, xml = _builtin()
    try:
        with transaction.atomic(using=using):
            return _store(parsed, key, actor=None, name=parsed.name, xml=xml, using=using)
    except IntegrityError:  # stored concurrently
        return ProcessDefinition.objects.using(using).filter(**key).order_by("-version")[0]


# --- running ----------------------------------------------------------------------------------
def _engine(instance: ProcessInstance) -> Engine:
    d = instance.definition
    return Engine.load((d.pk, d.sha256), d.spec, instance.state)


def _resolve_unit(instance: ProcessInstance, ref: str) -> Unit:
    if ref == UNIT_RECEIVING:
        return instance.receiving_unit
    if ref == UNIT_HANDLING:
        return instance.lead_unit
    today = local_now().date()
    unit = Unit.objects.filter(code=ref).first()
    seen = 0
    while unit is not None and not unit.is_valid_on(today) and seen < 10:
        unit = unit.successor  # reorganised: its successor took over its work
        seen += 1
    if unit is None or not unit.is_valid_on(today):
        raise StepRefused(
            _(
                "The process names the unit “%(unit)s”, which no longer exists; "
                "an administrator must update the process."
            )
            % {"unit": ref}
        )
    return unit


def _due(instance: ProcessInstance, unit: Unit, allotment: str, start: datetime) -> datetime:
    hours = office_hours(unit)
    amount = parse_allotment(allotment).amount(
        working_day=hours.working_day, budget=timedelta(seconds=instance.budget_seconds)
    )
    return add_working_time(
        start, amount, calendar=work_calendar(instance.province_code), office_hours=hours
    )


def _open(
    instance: ProcessInstance,
    ready: ReadyStep,
    *,
    unit: Unit,
    at: datetime,
    given_by: User | None,
    given_by_unit: Unit | None,
    due_at: datetime | None = None,
) -> WorkTask:
    last = instance.tasks.aggregate(m=Max("seq"))["m"] or 0
    return WorkTask.objects.create(
        instance=instance,
        subject_id=instance.subject_id,
        province_code=instance.province_code,
        seq=last + 1,
        engine_task=ready.task_id,
        step=ready.spec.id,
        title=ready.spec.name[:300],
        role=ready.spec.role,
        unit=unit,
        actions=list(ready.spec.actions),
        allotment=ready.spec.allotment[:40],
        given_by=given_by,
        given_by_unit=given_by_unit,
        given_at=at,
        due_at=due_at if due_at is not None else _due(instance, unit, ready.spec.allotment, at),
    )


def _finish(task: WorkTask, *, at: datetime, by: User | None, action: str, note: str = "") -> None:
    task.finished_at = at
    task.finished_by = by
    task.action = action
    if task.receiver_id is None and action not in CANCEL_ACTIONS:
        task.receiver = by
        task.received_at = task.given_at  # handed over electronically: received at once
    task.outcome = "" if action in CANCEL_ACTIONS else step_timing(at, task.due_at)
    task.note = (note or "").strip()[:2000]
    task.save()


def _holds(task: WorkTask, roles: frozenset[tuple[int, str]]) -> bool:
    return (task.unit_id, task.role) in roles


def _leads(task: WorkTask, roles: frozenset[tuple[int, str]]) -> bool:
    return task.role == StaffRole.SPECIALIST and (task.unit_id, StaffRole.LEADER) in roles


def _only(steps: list[ReadyStep]) -> ReadyStep:
    if len(steps) != 1:
        raise StepRefused(_("The process has no single next step; an administrator must fix it."))
    return steps[0]


def _is_one_stop_side(task: WorkTask, instance: ProcessInstance, engine: Engine) -> bool:
    for ready in engine.ready():
        if ready.task_id == task.engine_task:
            return ready.spec.unit == UNIT_RECEIVING
    return task.unit_id == instance.receiving_unit_id


def _holding_unit(instance: ProcessInstance, ready: ReadyStep, unit: Unit) -> Unit | None:
    return None if ready.spec.unit == UNIT_RECEIVING else unit


def process_start(
    *,
    subject_id: int,
    province_code: str,
    procedure_code: str,
    case_code: str,
    receiving_unit: Unit,
    lead_unit: Unit,
    reference: str = "",
    received_at: datetime,
    due_at: datetime | None,
    actor: User | None,
    unit_roles: UnitRoles = (),
) -> ProcessInstance:
    """Start the subject's process at reception; its first step opens at ``received_at``."""
    definition = process_definition_for(
        province_code=province_code,
        procedure_code=procedure_code,
        case_code=case_code,
        reference=reference,
    )
    budget = (
        working_time_between(
            received_at,
            due_at,
            calendar=work_calendar(province_code),
            office_hours=office_hours(lead_unit),
        )
        if due_at is not None and due_at > received_at
        else timedelta(0)
    )
    engine = Engine.start((definition.pk, definition.sha256), definition.spec)
    with transaction.atomic():
        instance = ProcessInstance.objects.create(
            subject_id=subject_id,
            province_code=province_code,
            definition=definition,
            receiving_unit=receiving_unit,
            lead_unit=lead_unit,
            budget_seconds=int(budget.total_seconds()),
            started_at=received_at,
        )
        first = _only(engine.ready())
        unit = _resolve_unit(instance, first.spec.unit)
        task = _open(instance, first, unit=unit, at=received_at, given_by=None, given_by_unit=None)
        if actor is not None and _holds(task, frozenset(unit_roles)):
            task.receiver = actor  # the officer who received the dossier holds the first step
            task.received_at = received_at
            task.save(update_fields=["receiver", "received_at"])
        instance.state = engine.dump()
        instance.current_task = task
        instance.save(update_fields=["state", "current_task"])
    return instance


def _locked(subject_id: int) -> ProcessInstance | None:
    return (
        ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "receiving_unit", "lead_unit")
        .filter(subject_id=subject_id)
        .first()
    )


def _open_task(instance: ProcessInstance) -> WorkTask | None:
    return (
        WorkTask.objects.filter(instance=instance, finished_at__isnull=True)
        .select_related("unit")
        .order_by("seq")
        .first()
    )


def _refusal(task: WorkTask, *, takes: bool) -> StepRefused:
    values = {
        "step": task.title,
        "role": StaffRole(task.role).label,
        "unit": task.unit.name,
    }
    if not takes:
        return StepRefused(
            _(
                "The dossier is at the step “%(step)s” (%(role)s, %(unit)s), "
                "which does not take this action."
            )
            % values
        )
    return StepRefused(_("The step “%(step)s” belongs to the %(role)s of %(unit)s.") % values)


def process_act(
    *,
    subject_id: int,
    actor: User,
    unit_roles: UnitRoles,
    action: str,
    at: datetime,
    to_unit: Unit | None = None,
    note: str = "",
) -> Moved | None:
    """Complete (or transfer) the open step with a dossier action; None: no process governs.

    The rules are in the module docstring. Raises ``StepRefused`` (nothing changed) when
    the open step does not take the action from this actor.
    """
    roles = frozenset(unit_roles)
    with transaction.atomic():
        instance = _locked(subject_id)
        if instance is None or instance.status != InstanceStatus.RUNNING:
            return None
        task = _open_task(instance)
        if task is None:
            return None
        engine = _engine(instance)
        if to_unit is not None and to_unit.pk == task.unit_id:
            to_unit = None
        # Ad-hoc transfer of a handling-side step to the same role in another unit.
        if (
            action == "forward"
            and to_unit is not None
            and not _is_one_stop_side(task, instance, engine)
        ):
            if not (action in task.actions and (_holds(task, roles) or _leads(task, roles))):
                raise _refusal(task, takes=action in task.actions)
            ready = next(r for r in engine.ready() if r.task_id == task.engine_task)
            _finish(task, at=at, by=actor, action="transfer", note=note)
            new = _open(
                instance,
                ready,
                unit=to_unit,
                at=at,
                given_by=actor,
                given_by_unit=task.unit,
                due_at=task.due_at,
            )
            instance.current_task = new
            instance.save(update_fields=["current_task"])
            return Moved(task=new, unit=to_unit)
        # A leader takes over the specialist's steps of their unit up to their own.
        takeovers = 0
        while not (action in task.actions and (_holds(task, roles) or _leads(task, roles))):
            if not (_leads(task, roles) and "forward" in task.actions):
                raise _refusal(task, takes=action in task.actions)
            if takeovers >= MAX_TAKEOVERS:
                raise _refusal(task, takes=False)
            nxt = _only(engine.complete(task.engine_task, "forward"))
            _finish(task, at=at, by=actor, action="take_over")
            unit = _resolve_unit(instance, nxt.spec.unit)
            task = _open(instance, nxt, unit=unit, at=at, given_by=actor, given_by_unit=task.unit)
            takeovers += 1
        if action == "forward" and to_unit is not None:  # routed at reception
            instance.lead_unit = to_unit
            to_unit = None
        steps = engine.complete(task.engine_task, action)
        _finish(task, at=at, by=actor, action=action, note=note)
        if engine.completed or not steps:
            instance.status = InstanceStatus.COMPLETED
            instance.ended_at = at
            instance.current_task = None
            instance.state = engine.dump()
            instance.save()
            return Moved(task=None, unit=None, completed=True)
        nxt = _only(steps)
        if to_unit is not None and nxt.spec.unit == UNIT_RECEIVING:
            raise StepRefused(
                _("The next step belongs to the receiving unit; it cannot go to another unit.")
            )
        unit = to_unit or _resolve_unit(instance, nxt.spec.unit)
        new = _open(instance, nxt, unit=unit, at=at, given_by=actor, given_by_unit=task.unit)
        instance.state = engine.dump()
        instance.current_task = new
        instance.save()
        return Moved(task=new, unit=_holding_unit(instance, nxt, unit))


def process_pause(*, subject_id: int, at: datetime) -> None:
    """The subject's clock stops (supplement requested): open steps stop counting too."""
    ProcessInstance.objects.filter(
        subject_id=subject_id, status=InstanceStatus.RUNNING, paused_at__isnull=True
    ).update(paused_at=at)


def process_resume(*, subject_id: int, at: datetime) -> None:
    """The clock runs again: open steps' due times move by the office time paused."""
    with transaction.atomic():
        instance = _locked(subject_id)
        if instance is None or instance.paused_at is None:
            return
        calendar = work_calendar(instance.province_code)
        for task in WorkTask.objects.filter(
            instance=instance, finished_at__isnull=True
        ).select_related("unit"):
            if task.due_at is not None:
                task.due_at = extend_for_pause(
                    task.due_at, instance.paused_at, at, calendar, office_hours(task.unit)
                )
                task.save(update_fields=["due_at"])
        instance.paused_at = None
        instance.save(update_fields=["paused_at"])


def process_cancel(*, subject_id: int, actor: User | None, action: str, at: datetime) -> None:
    """The subject ended outside the process (withdrawn, stopped): close what is open."""
    with transaction.atomic():
        instance = _locked(subject_id)
        if instance is None or instance.status != InstanceStatus.RUNNING:
            return
        for task in WorkTask.objects.filter(instance=instance, finished_at__isnull=True):
            _finish(task, at=at, by=actor, action=action if action in CANCEL_ACTIONS else "cancel")
        engine = _engine(instance)
        engine.cancel()
        instance.state = engine.dump()
        instance.status = InstanceStatus.CANCELLED
        instance.ended_at = at
        instance.current_task = None
        instance.paused_at = None
        instance.save()


def task_claim(*, subject_id: int, actor: User, unit_roles: UnitRoles, at: datetime) -> WorkTask:
    """An officer takes the open step ("nhận xử lý"): the receiver and time on the control sheet."""
    roles = frozenset(unit_roles)
    with transaction.atomic():
        instance = _locked(subject_id)
        task = _open_task(instance) if instance is not None else None
        if task is None:
            raise StepRefused(_("This dossier has no open step."))
        if not (_holds(task, roles) or _leads(task, roles)):
            raise _refusal(task, takes=True)
        if task.receiver_id not in (None, actor.pk):
            raise StepRefused(_("Another officer has already received this step."))
        if task.receiver_id is None:
            task.receiver = actor
            task.received_at = at
            task.save(update_fields=["receiver", "received_at"])
            audit_record(
                action="workflow.task_claim",
                actor=actor,
                object_type="work_task",
                object_id=task.pk,
                chain=instance.province_code if instance else "",
                data={"subject": subject_id, "step": task.step},
            )
    return task


# --- follow-ups -----------------------------------------------------------------------------
def followup_open(
    *,
    subject_id: int,
    province_code: str,
    kind: str,
    unit: Unit,
    role: str,
    due_at: datetime,
    at: datetime,
) -> tuple[FollowUp, bool]:
    """Put a to-do on (unit, role)'s list; idempotent. True when it was not open before.

    A follow-up closed as done stays closed; one closed because the subject moved away
    opens again when the subject comes back.
    """
    row, created = FollowUp.objects.get_or_create(
        subject_id=subject_id,
        kind=kind,
        unit=unit,
        role=role,
        defaults={"province_code": province_code, "due_at": due_at, "created_at": at},
    )
    if created:
        return row, True
    reopened = row.closed_at is not None and row.closed_reason != FOLLOWUP_DONE
    if reopened:
        row.closed_at, row.closed_reason = None, ""
    if reopened or row.due_at != due_at:
        row.due_at = due_at
        row.save(update_fields=["closed_at", "closed_reason", "due_at"])
    return row, reopened


def followup_close(
    *,
    subject_id: int,
    kind: str,
    reason: str,
    at: datetime,
    keep: Iterable[tuple[int, str]] = (),
) -> int:
    """Close the subject's open follow-ups of ``kind`` except those of the ``keep`` pairs."""
    qs = FollowUp.objects.filter(subject_id=subject_id, kind=kind, closed_at__isnull=True)
    for unit_id, role in keep:
        qs = qs.exclude(Q(unit_id=unit_id, role=role))
    return qs.update(closed_at=at, closed_reason=reason[:40])
