"""Every change of a dossier, one function per action (``dossier_<verb>``).

Each action: access check, transition check (``lifecycle.TRANSITIONS``), then the
dossier, a timeline event, an audit entry and an outbox message in one database
transaction. The dossier row is locked first, so of two conflicting concurrent
actions exactly one wins; the other gets ``Conflict`` with the status it found.
Refusals raise ``DomainError`` subclasses with a message in the actor's language and
change nothing.

The internal process (``motcua.workflow``, BPMN) runs alongside: reception starts it,
and every hand-over — forward, send back, approve, result ready, result returned —
completes the open step (``process_act``) in the same transaction, so the control sheet
(form 6) is recorded automatically. The process decides who acts next: a hand-over the
open step does not take from this actor is refused with ``StepRefused`` (a
``DomainError``) after the lifecycle's own role and status checks. The dossier's
handling unit follows the step that holds it (an inter-agency step moves it to the
other unit; the previous one keeps seeing it as a supporting unit). Dossiers received
before processes existed have no instance and follow the lifecycle table alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, User
from motcua.accounts.validators import validate_personal_id, validate_tax_code
from motcua.audit.services import audit_record
from motcua.catalog.models import Channel, ProcedureCase, ProcedureVersion
from motcua.core.calendar import (
    DurationUnit,
    add_working_time,
    due_at,
    extend_for_pause,
    working_time_between,
)
from motcua.core.clock import local_now, now
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers.access import (
    ActorRoles,
    DossierNotFound,
    access_dossier,
    actor_roles,
    may_take,
)
from motcua.dossiers.codes import next_dossier_code
from motcua.dossiers.eform import form_errors
from motcua.dossiers.events import event_add, sync_enqueue
from motcua.dossiers.lifecycle import TRANSITIONS, Side
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierComponent,
    ReceivedAs,
    Status,
)
from motcua.units.models import StaffRole, Unit, UnitLevel
from motcua.units.selectors import office_hours, work_calendar
from motcua.workflow.models import FollowUpKind
from motcua.workflow.services import (
    FOLLOWUP_DONE,
    StepRefused,
    followup_close,
    process_act,
    process_cancel,
    process_pause,
    process_resume,
    process_start,
)

__all__ = ["DossierNotFound", "InvalidInput", "StepRefused"]


class InvalidInput(DomainError):
    """Input errors per field: {field: [messages]}; nothing was changed."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next(iter(errors.values()))[0]
        super().__init__(first, field=next(iter(errors)))
        self.errors = errors


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    representative_name: str = ""
    representative_id_number: str = ""


@dataclass(frozen=True)
class ComponentInput:
    code: str
    received_as: str = ReceivedAs.ELECTRONIC
    count: int = 1


@dataclass
class _Step:
    """What one action changes besides the status (filled by the action's function)."""

    status: str | None = None
    reason: str = ""
    to_unit: Unit | None = None
    data: dict[str, Any] = field(default_factory=dict)


# --- submission ---------------------------------------------------------------------------
def _check_applicant(applicant: Applicant) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if applicant.kind not in ApplicantKind.values:
        errors["applicant.kind"] = [_("Choose citizen or organisation.")]
        return errors
    if not applicant.name.strip():
        errors["applicant.name"] = [_("This field is required.")]
    try:
        if applicant.kind == ApplicantKind.CITIZEN:
            validate_personal_id(applicant.id_number)
        else:
            validate_tax_code(applicant.id_number)
    except ValidationError as exc:
        errors["applicant.id_number"] = list(exc.messages)
    if applicant.representative_id_number:
        try:
            validate_personal_id(applicant.representative_id_number)
        except ValidationError as exc:
            errors["applicant.representative_id_number"] = list(exc.messages)
    return errors


def _check_components(
    case: ProcedureCase, components: Sequence[ComponentInput]
) -> tuple[list[DossierComponent], dict[str, list[str]]]:
    by_code = {c.code: c for c in case.components.all()}
    errors: dict[str, list[str]] = {}
    rows: list[DossierComponent] = []
    given = set()
    for i, item in enumerate(components):
        known = by_code.get(item.code)
        if known is None:
            errors[f"components[{i}].code"] = [_("This procedure has no such component.")]
            continue
        if item.received_as not in ReceivedAs.values:
            errors[f"components[{i}].received_as"] = [_("Choose one of the listed values.")]
            continue
        given.add(item.code)
        rows.append(
            DossierComponent(
                component=known,
                code=known.code,
                name=known.name,
                received_as=item.received_as,
                count=max(1, item.count),
            )
        )
    for code, known in by_code.items():
        if code in given:
            continue
        if known.registry:
            rows.append(
                DossierComponent(
                    component=known,
                    code=code,
                    name=known.name,
                    received_as=ReceivedAs.FROM_DATA,
                    count=1,
                )
            )
        elif known.required:
            errors.setdefault("components", []).append(
                _("Missing required component: %(name)s.") % {"name": known.name}
            )
    return rows, errors


def _handling_unit_for(receiving: Unit) -> Unit:
    """The competent unit: a one-stop section hands dossiers to its committee."""
    if receiving.level == UnitLevel.ONE_STOP and receiving.parent_id is not None:
        return receiving.parent  # type: ignore[return-value]
    return receiving


def dossier_submit(
    *,
    actor: User | None,
    case: ProcedureCase,
    applicant: Applicant,
    channel: str,
    receiving_unit: Unit,
    form_data: dict[str, Any],
    components: Sequence[ComponentInput] = (),
    external_code: str | None = None,
    verified_with_national_id: bool = False,
) -> Dossier:
    """A new dossier (status new). ``actor`` None: handed over by an integration."""
    errors: dict[str, list[str]] = {}
    version: ProcedureVersion = case.version
    today = local_now().date()
    if not ProcedureVersion.objects.in_force(today).filter(pk=version.pk).exists():
        errors["case"] = [_("This procedure is not in force today.")]
    if channel not in Channel.values or not case.ways.filter(channel=channel).exists():
        errors["channel"] = [_("This procedure cannot be submitted this way.")]
    if not receiving_unit.is_valid_on(today):
        errors["receiving_unit"] = [_("This unit no longer receives dossiers.")]
    errors |= _check_applicant(applicant)
    errors |= {
        f"form_data.{k}" if k != "form_data" else k: v
        for k, v in form_errors(case.form_schema, form_data).items()
    }
    component_rows, component_errors = _check_components(case, components)
    errors |= component_errors
    if actor is not None and actor.kind == AccountKind.OFFICER:
        roles = actor_roles(actor)
        if not roles.holds(receiving_unit.pk, StaffRole.ONE_STOP_OFFICER):
            raise PermissionDenied(_("You do not receive dossiers for this unit."))
    elif actor is not None and actor.personal_id not in {
        applicant.id_number,
        applicant.representative_id_number,
    }:
        errors["applicant.id_number"] = [
            _("You may submit for yourself or as the authorised representative only.")
        ]
    if errors:
        raise InvalidInput(errors)
    # Inside a caller's transaction no savepoint of its own: a failure here fails the
    # caller's whole transaction (a caller that recovers wraps the call in its own).
    with transaction.atomic(savepoint=False):
        dossier = Dossier.objects.create(
            province_code=receiving_unit.province_code,
            procedure_version=version,
            case=case,
            channel=channel,
            status=Status.NEW,
            applicant_kind=applicant.kind,
            applicant_name=applicant.name.strip(),
            applicant_id_number=applicant.id_number,
            applicant_address=applicant.address,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_account=actor if actor and actor.kind == AccountKind.CITIZEN else None,
            representative_name=applicant.representative_name,
            representative_id_number=applicant.representative_id_number,
            receiving_unit=receiving_unit,
            handling_unit=_handling_unit_for(receiving_unit),
            form_data=form_data,
            request_summary=case.name[:500],
            submitted_at=now(),
            external_code=external_code,
            verified_with_national_id=verified_with_national_id,
        )
        for row in component_rows:
            row.dossier = dossier
        DossierComponent.objects.bulk_create(component_rows)
        event_add(dossier, action="submit", from_status="", actor=actor)
        audit_record(
            action="dossier.submit",
            actor=actor,
            actor_type=None if actor else "integration",
            object_type="dossier",
            object_id=dossier.pk,
            chain=dossier.province_code,
            data={"procedure": version.procedure.code, "channel": channel},
        )
        sync_enqueue(dossier)
    return dossier


# --- transitions --------------------------------------------------------------------------
def _acting_unit(dossier: Dossier, action: str, roles: ActorRoles) -> Unit:
    """The side's unit whose role let the officer act (a specialist forwarding acts for
    the handling unit, a one-stop officer for the receiving one); for an actor holding
    none of them (a superuser), the first side the lifecycle table names."""
    sides = TRANSITIONS[action].roles
    for side, role in sides:
        unit_id = dossier.receiving_unit_id if side == Side.RECEIVING else dossier.handling_unit_id
        if roles.holds(unit_id, role):
            return dossier.receiving_unit if side == Side.RECEIVING else dossier.handling_unit
    first = sides[0][0] if sides else Side.HANDLING
    return dossier.receiving_unit if first == Side.RECEIVING else dossier.handling_unit


def _perform(
    *,
    actor: User,
    public_id: str,
    action: str,
    reason: str = "",
    apply: Callable[[Dossier], _Step] | None = None,
) -> Dossier:
    transition = TRANSITIONS[action]
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise InvalidInput({"reason": [_("The law requires a reason for this action.")]})
    with transaction.atomic():
        roles = None if actor.kind == AccountKind.CITIZEN else actor_roles(actor)
        dossier = access_dossier(actor, public_id, for_update=True, roles=roles)
        if not may_take(actor, dossier, action, roles):
            raise PermissionDenied(_("Your role does not allow this action on this dossier."))
        if dossier.status not in transition.sources:
            raise Conflict(
                _("The dossier is now “%(status)s”: this action is no longer possible.")
                % {"status": Status(dossier.status).label}
            )
        before = dossier.status
        # The unit the officer acted for, before the step may hand the dossier on.
        acting_unit = None if roles is None else _acting_unit(dossier, action, roles)
        step = apply(dossier) if apply else _Step()
        dossier.status = step.status or transition.target or dossier.status
        dossier.save()
        event_add(
            dossier,
            action=action,
            from_status=before,
            actor=actor,
            actor_unit=acting_unit,
            to_unit=step.to_unit,
            reason=reason or step.reason,
            data=step.data,
        )
        audit_record(
            action=f"dossier.{action}",
            actor=actor,
            object_type="dossier",
            object_id=dossier.pk,
            chain=dossier.province_code,
            data={"from": before, "to": dossier.status},
        )
        sync_enqueue(dossier)
    return dossier


def _calendar_due(dossier: Dossier, start: datetime) -> datetime:
    way = dossier.case.ways.filter(channel=dossier.channel).first() or dossier.case.ways.first()
    assert way is not None, "a published case always has a way of performing"
    return due_at(
        start,
        way.duration,
        DurationUnit(way.duration_unit),
        same_day=dossier.case.same_day_rule
        and way.duration_unit == DurationUnit.WORKING_DAYS
        and way.duration <= 1,
        calendar=work_calendar(dossier.province_code),
        office_hours=office_hours(dossier.handling_unit),
    )


def dossier_receive(*, actor: User, public_id: str) -> Dossier:
    def apply(d: Dossier) -> _Step:
        received = now()
        d.code = next_dossier_code(
            d.receiving_unit.code, received.astimezone(local_now().tzinfo).date()
        )
        d.received_at = received
        d.due_at = d.original_due_at = _calendar_due(d, received)
        process_start(
            subject_id=d.pk,
            province_code=d.province_code,
            procedure_code=d.procedure_version.procedure.code,
            case_code=d.case.code,
            reference=d.case.process or "",
            receiving_unit=d.receiving_unit,
            lead_unit=d.handling_unit,
            received_at=received,
            due_at=d.due_at,
            actor=actor,
            unit_roles=actor_roles(actor).roles,
        )
        return _Step(data={"code": d.code})

    return _perform(actor=actor, public_id=public_id, action="receive", apply=apply)


def dossier_refuse(*, actor: User, public_id: str, reason: str) -> Dossier:
    def apply(d: Dossier) -> _Step:
        d.ended_at = now()
        return _Step()

    return _perform(actor=actor, public_id=public_id, action="refuse", reason=reason, apply=apply)


def dossier_request_supplement(
    *, actor: User, public_id: str, items: Sequence[str], reason: str
) -> Dossier:
    """Ask once for everything missing (every item listed); the clock pauses."""
    clean = [i.strip() for i in items if i and i.strip()]
    if not clean:
        raise InvalidInput({"items": [_("List every missing item.")]})

    def apply(d: Dossier) -> _Step:
        if d.supplement_count >= 1:
            raise DomainError(
                _("A supplement may be requested only once, listing everything missing.")
            )
        d.supplement_count += 1
        d.paused_at = now()
        d.status_before_pause = d.status
        process_pause(subject_id=d.pk, at=d.paused_at)
        return _Step(data={"items": clean})

    return _perform(
        actor=actor, public_id=public_id, action="request_supplement", reason=reason, apply=apply
    )


def dossier_supplement(*, actor: User, public_id: str, note: str = "") -> Dossier:
    """The applicant supplied the items: the clock restarts, the due moves by the pause."""

    def apply(d: Dossier) -> _Step:
        resumed = now()
        paused = d.paused_at or resumed
        if d.due_at:
            d.due_at = extend_for_pause(
                d.due_at,
                paused,
                resumed,
                work_calendar(d.province_code),
                office_hours(d.handling_unit),
            )
        paused_for = working_time_between(paused, resumed, calendar=work_calendar(d.province_code))
        process_resume(subject_id=d.pk, at=resumed)
        d.paused_at = None
        status = d.status_before_pause or Status.RECEIVED
        d.status_before_pause = ""
        return _Step(
            status=status, data={"paused_working_seconds": int(paused_for.total_seconds())}
        )

    return _perform(actor=actor, public_id=public_id, action="supplement", reason=note, apply=apply)


def _check_unit(to_unit: Unit | None) -> None:
    if to_unit is not None and not to_unit.is_valid_on(local_now().date()):
        raise InvalidInput({"to_unit": [_("This unit no longer exists.")]})


def _move_to(d: Dossier, to_unit: Unit | None) -> None:
    """Hand the dossier to ``to_unit`` (if another); the previous unit keeps seeing it."""
    if to_unit is not None and to_unit.pk != d.handling_unit_id:
        _check_unit(to_unit)
        d.supporting_units.add(d.handling_unit)
        d.handling_unit = to_unit
    d.approved = False


def _hand_over(
    d: Dossier, *, actor: User, action: str, to_unit: Unit | None = None, note: str = ""
) -> Unit | None:
    """Move the dossier's process on with ``action``; the unit it went to, if another.

    Without a process instance (received before processes existed, or the process has
    ended) the lifecycle table alone decides and ``to_unit`` is where it goes.
    """
    _check_unit(to_unit)
    moved = process_act(
        subject_id=d.pk,
        actor=actor,
        unit_roles=actor_roles(actor).roles,
        action=action,
        at=now(),
        to_unit=to_unit,
        note=note,
    )
    if moved is None:
        if action in {"forward", "send_back"}:
            _move_to(d, to_unit)
        return to_unit
    before = d.handling_unit_id
    if action in {"forward", "send_back"}:
        _move_to(d, moved.unit)
    elif moved.unit is not None and moved.unit.pk != d.handling_unit_id:
        d.supporting_units.add(d.handling_unit)
        d.handling_unit = moved.unit
    if to_unit is not None:
        return to_unit
    return d.handling_unit if d.handling_unit_id != before else None


def dossier_forward(
    *, actor: User, public_id: str, to_unit: Unit | None = None, note: str = ""
) -> Dossier:
    """Hand over to the next step of the process, or to another unit (inter-agency)."""

    def apply(d: Dossier) -> _Step:
        moved_to = _hand_over(d, actor=actor, action="forward", to_unit=to_unit, note=note)
        return _Step(to_unit=moved_to)

    return _perform(actor=actor, public_id=public_id, action="forward", reason=note, apply=apply)


def dossier_send_back(
    *, actor: User, public_id: str, reason: str, to_unit: Unit | None = None
) -> Dossier:
    """Send back for rework: the process's gateway decides to which step."""

    def apply(d: Dossier) -> _Step:
        moved_to = _hand_over(d, actor=actor, action="send_back", to_unit=to_unit, note=reason)
        return _Step(to_unit=moved_to)

    return _perform(
        actor=actor, public_id=public_id, action="send_back", reason=reason, apply=apply
    )


def dossier_approve(*, actor: User, public_id: str, note: str = "") -> Dossier:
    def apply(d: Dossier) -> _Step:
        moved_to = _hand_over(d, actor=actor, action="approve", note=note)
        d.approved = True
        return _Step(to_unit=moved_to)

    return _perform(actor=actor, public_id=public_id, action="approve", reason=note, apply=apply)


def dossier_mark_result_ready(*, actor: User, public_id: str) -> Dossier:
    def apply(d: Dossier) -> _Step:
        if not d.approved:
            raise DomainError(_("The leader has not approved this dossier yet."))
        _hand_over(d, actor=actor, action="mark_result_ready")
        d.result_ready_at = d.ended_at = now()
        return _Step()

    return _perform(actor=actor, public_id=public_id, action="mark_result_ready", apply=apply)


def dossier_request_payment(*, actor: User, public_id: str, amount: int, note: str = "") -> Dossier:
    if not isinstance(amount, int) or amount <= 0:
        raise InvalidInput({"amount": [_("Enter the amount due in VND, a positive whole number.")]})

    def apply(d: Dossier) -> _Step:
        d.status_before_pause = d.status
        return _Step(data={"amount": amount})

    return _perform(
        actor=actor, public_id=public_id, action="request_payment", reason=note, apply=apply
    )


def dossier_confirm_payment(*, actor: User, public_id: str, receipt: str = "") -> Dossier:
    def apply(d: Dossier) -> _Step:
        status = d.status_before_pause or Status.PROCESSING
        d.status_before_pause = ""
        return _Step(status=status, data={"receipt": receipt[:100]})

    return _perform(actor=actor, public_id=public_id, action="confirm_payment", apply=apply)


RETURN_METHODS = ("counter", "post", "warehouse", "email")


def dossier_return_result(*, actor: User, public_id: str, method: str = "counter") -> Dossier:
    if method not in RETURN_METHODS:
        raise InvalidInput({"method": [_("Choose one of the listed values.")]})

    def apply(d: Dossier) -> _Step:
        _hand_over(d, actor=actor, action="return_result")
        d.returned_at = now()
        return _Step(data={"method": method})

    return _perform(actor=actor, public_id=public_id, action="return_result", apply=apply)


def dossier_withdraw(*, actor: User, public_id: str, reason: str = "") -> Dossier:
    def apply(d: Dossier) -> _Step:
        d.ended_at = now()
        d.paused_at = None
        process_cancel(subject_id=d.pk, actor=actor, action="withdraw", at=d.ended_at)
        _close_followups(d, reason="ended")
        return _Step()

    return _perform(actor=actor, public_id=public_id, action="withdraw", reason=reason, apply=apply)


def dossier_stop(*, actor: User, public_id: str, reason: str) -> Dossier:
    def apply(d: Dossier) -> _Step:
        d.ended_at = now()
        d.paused_at = None
        process_cancel(subject_id=d.pk, actor=actor, action="stop", at=d.ended_at)
        _close_followups(d, reason="ended")
        return _Step()

    return _perform(actor=actor, public_id=public_id, action="stop", reason=reason, apply=apply)


ONE_WORKING_DAY = timedelta(hours=8)


def _close_followups(d: Dossier, *, reason: str) -> None:
    followup_close(subject_id=d.pk, kind=FollowUpKind.APOLOGY, reason=reason, at=now())


def dossier_apologise_extend(
    *, actor: User, public_id: str, new_due: datetime, reason: str
) -> Dossier:
    """Apology and extension (form 4): once only, at least one working day before the due."""

    def apply(d: Dossier) -> _Step:
        if d.extension_count >= 1:
            raise DomainError(_("The promised date may be extended only once."))
        assert d.due_at is not None
        calendar = work_calendar(d.province_code)
        current = now()
        if current >= d.due_at or (
            working_time_between(current, d.due_at, calendar=calendar) < ONE_WORKING_DAY
        ):
            raise DomainError(
                _("The apology must be sent at least one working day before the due time.")
            )
        if new_due <= d.due_at:
            raise InvalidInput({"new_due": [_("The new date must be after the promised one.")]})
        hours = office_hours(d.handling_unit)
        if (
            add_working_time(new_due, timedelta(0), calendar=calendar, office_hours=hours)
            != new_due
        ):
            raise InvalidInput(
                {"new_due": [_("Promise a time within office hours of a working day.")]}
            )
        old = d.due_at
        d.due_at = new_due
        d.extension_count += 1
        _close_followups(d, reason=FOLLOWUP_DONE)
        return _Step(data={"old_due": old.isoformat(), "new_due": new_due.isoformat()})

    return _perform(
        actor=actor, public_id=public_id, action="apologise_extend", reason=reason, apply=apply
    )
