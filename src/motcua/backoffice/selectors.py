"""Officer queues: which dossiers wait for whom, counted, filtered and paged by key.

Every queue is a condition on ``visible_dossiers(user)`` (the one access gate):

=============  ==========================================================================
``receive``    new dossiers (online or by post) at a unit where the officer receives;
               oldest first, each with its 8-working-hour reception clock
``mine``       dossiers with an open step of their internal process (BPMN) given to a
               (unit, role) the officer holds; for a dossier without a process, the
               statuses that wait for the officer's role: at the receiving unit
               (one-stop officer) received, awaiting payment or result ready; at the
               handling unit (specialist, leader) received or processing
``due_today``  the clock runs and the promised time falls later today
``overdue``    the clock runs and the promised time has passed
``waiting``    waiting for the applicant: supplement requested or payment due
=============  ==========================================================================

All counts come from one aggregate query; a page is one query ordered by
(``submitted_at``, id) for ``receive`` and (``due_at``, id) for the others, continued
with a keyset cursor (no OFFSET: page 1,000 costs what page 1 costs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from motcua.accounts.models import User
from motcua.core.calendar import OfficeHours, WorkCalendar, add_working_time, working_time_between
from motcua.core.clock import VIETNAM, local_now, now
from motcua.dossiers.access import ActorRoles, visible_dossiers
from motcua.dossiers.models import CLOCK_RUNNING, Dossier, DossierEvent, Status
from motcua.units.models import StaffRole, Unit
from motcua.units.selectors import office_hours, work_calendar
from motcua.workflow.models import FollowUpKind, ProcessInstance
from motcua.workflow.selectors import TaskInfo, followups_for, open_tasks_for

QUEUES = ("receive", "mine", "due_today", "overdue", "waiting")
PAGE_SIZE = 25
RECEPTION_ALLOWANCE = timedelta(hours=8)  # DOMAIN §3: accept within 8 working hours
WAITING_STATUSES = (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
# Every queue holds only dossiers still open to someone's action; reading only these is
# what keeps a queue fast when a unit has years of finished dossiers.
OPEN_STATUSES = tuple(
    s
    for s in Status.values
    if s not in {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RESULT_RETURNED}
)
LIST_FIELDS = (
    "pk",
    "reference",
    "code",
    "status",
    "channel",
    "province_code",
    "applicant_name",
    "submitted_at",
    "received_at",
    "due_at",
    "paused_at",
    "receiving_unit__code",
    "receiving_unit__name",
    "receiving_unit__office_hours",
    "handling_unit__code",
    "handling_unit__name",
    "handling_unit__office_hours",
    "procedure_version__name",
    "procedure_version__name_en",
    "procedure_version__procedure__code",
)


@dataclass(frozen=True)
class QueueFilter:
    procedure: str = ""
    unit: int | None = None
    status: str = ""


def _units(roles: ActorRoles, *wanted: str) -> list[int]:
    return sorted({unit for unit, role in roles.roles if role in wanted})


def _today_end() -> datetime:
    today = local_now().date()
    return datetime.combine(today + timedelta(days=1), time.min, tzinfo=VIETNAM)


def queue_conditions(roles: ActorRoles, *, at: datetime | None = None) -> dict[str, Q]:
    """The condition of each queue for this officer (applied on top of visibility)."""
    at = at or now()
    receiving = _units(roles, StaffRole.ONE_STOP_OFFICER)
    handling = _units(roles, StaffRole.SPECIALIST, StaffRole.LEADER)
    running = list(CLOCK_RUNNING)
    return {
        "receive": Q(status=Status.NEW, receiving_unit_id__in=receiving),
        "mine": _my_tasks(roles, receiving, handling),
        "due_today": Q(status__in=running, due_at__gte=at, due_at__lt=_today_end()),
        "overdue": Q(status__in=running, due_at__lt=at),
        "waiting": Q(status__in=list(WAITING_STATUSES)),
    }


def _my_tasks(roles: ActorRoles, receiving: list[int], handling: list[int]) -> Q:
    """Open BPMN steps given to one of the officer's (unit, role) pairs; for dossiers that
    run no internal process, the statuses that wait for the officer's role."""
    with_process = ProcessInstance.objects.filter(subject_id=OuterRef("pk"))
    by_status = Q(
        status__in=[Status.RECEIVED, Status.AWAITING_PAYMENT, Status.RESULT_READY],
        receiving_unit_id__in=receiving,
    ) | Q(status__in=[Status.RECEIVED, Status.PROCESSING], handling_unit_id__in=handling)
    open_steps = open_tasks_for(sorted(roles.roles)).order_by().values("subject_id")
    return Q(pk__in=open_steps) | (by_status & Q(~Exists(with_process)))


def _filtered(qs: QuerySet[Dossier], filters: QueueFilter) -> QuerySet[Dossier]:
    if filters.procedure:
        qs = qs.filter(procedure_version__procedure__code=filters.procedure)
    if filters.unit is not None:
        qs = qs.filter(Q(receiving_unit_id=filters.unit) | Q(handling_unit_id=filters.unit))
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


def queue_counts(
    user: User, roles: ActorRoles, filters: QueueFilter, *, at: datetime | None = None
) -> dict[str, int]:
    """How many dossiers each queue holds (with the filters), in one query."""
    conditions = queue_conditions(roles, at=at)
    qs = _filtered(visible_dossiers(user, roles, statuses=OPEN_STATUSES), filters)
    return qs.aggregate(**{name: Count("pk", filter=q) for name, q in conditions.items()})


# --- keyset pagination ----------------------------------------------------------------------
def _key_field(queue: str) -> str:
    return "submitted_at" if queue == "receive" else "due_at"


def encode_cursor(moment: datetime, pk: int) -> str:
    micros = int(moment.timestamp() * 1_000_000)
    return f"{micros}.{pk}"


def decode_cursor(raw: str) -> tuple[datetime, int] | None:
    """``<epoch microseconds>.<id>``; anything else is no cursor (the first page)."""
    try:
        micros, pk = raw.split(".", 1)
        moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=VIETNAM)
        return moment, int(pk)
    except (ValueError, OverflowError, OSError):
        return None


@dataclass(frozen=True)
class QueueRow:
    pk: int
    public_id: str
    code: str | None
    status: str
    status_label: str
    channel: str
    applicant_name: str
    procedure_code: str
    procedure_name: str
    procedure_name_en: str
    receiving_unit: str
    handling_unit: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    clock_due: datetime | None  # reception clock (receive) or the promised time
    remaining: timedelta | None  # office time left; None when late or not running
    late: bool


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


def queue_page(
    user: User,
    roles: ActorRoles,
    queue: str,
    filters: QueueFilter,
    *,
    cursor: str = "",
    size: int = PAGE_SIZE,
    at: datetime | None = None,
) -> QueuePage:
    if queue not in QUEUES:
        raise ValueError(queue)
    at = at or now()
    key = _key_field(queue)
    qs = _filtered(visible_dossiers(user, roles, statuses=OPEN_STATUSES), filters).filter(
        queue_conditions(roles, at=at)[queue]
    )
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        moment, pk = after
        qs = qs.filter(Q(**{f"{key}__gt": moment}) | Q(**{key: moment, "pk__gt": pk}))
    values = list(qs.order_by(key, "pk").values(*LIST_FIELDS)[: size + 1])
    more = len(values) > size
    values = values[:size]
    calendars: dict[str, WorkCalendar] = {}
    rows = [_row(v, queue, at, calendars) for v in values]
    next_cursor = None
    if more and values:
        last = values[-1]
        next_cursor = encode_cursor(last[key], last["pk"])
    return QueuePage(rows=rows, next_cursor=next_cursor)


def _calendar(calendars: dict[str, WorkCalendar], province: str) -> WorkCalendar:
    if province not in calendars:
        calendars[province] = work_calendar(province)
    return calendars[province]


def _hours(raw: Any) -> OfficeHours:
    """The office hours of a unit from its stored column (no query: the row is in hand)."""
    return office_hours(Unit(office_hours=raw or []))


def _row(
    v: dict[str, Any], queue: str, at: datetime, calendars: dict[str, WorkCalendar]
) -> QueueRow:
    calendar = _calendar(calendars, v["province_code"])
    clock_due: datetime | None
    remaining: timedelta | None = None
    if queue == "receive":
        hours = _hours(v["receiving_unit__office_hours"])
        clock_due = add_working_time(
            v["submitted_at"], RECEPTION_ALLOWANCE, calendar=calendar, office_hours=hours
        )
    else:
        hours = _hours(v["handling_unit__office_hours"])
        clock_due = v["due_at"]
    late = clock_due is not None and at > clock_due
    running = queue == "receive" or v["status"] in CLOCK_RUNNING
    if clock_due is not None and not late and running:
        remaining = working_time_between(at, clock_due, calendar=calendar, office_hours=hours)
    return QueueRow(
        pk=v["pk"],
        public_id=v["code"] or str(v["reference"]),
        code=v["code"],
        status=v["status"],
        status_label=str(Status(v["status"]).label),
        channel=v["channel"],
        applicant_name=v["applicant_name"],
        procedure_code=v["procedure_version__procedure__code"],
        procedure_name=v["procedure_version__name"],
        procedure_name_en=v["procedure_version__name_en"],
        receiving_unit=v["receiving_unit__name"],
        handling_unit=v["handling_unit__name"],
        submitted_at=v["submitted_at"],
        received_at=v["received_at"],
        due_at=v["due_at"],
        clock_due=clock_due,
        remaining=remaining,
        late=late and running,
    )


# --- follow-ups: apology letters due (written by the overdue scan) -----------------------------
def apology_followups(user: User, roles: ActorRoles, *, limit: int = 10) -> list[Any]:
    """Dossiers about to be late whose apology-and-extension falls to one of the officer's
    (unit, role) pairs, soonest due first — one query."""
    subjects = (
        followups_for(sorted(roles.roles))
        .filter(kind=FollowUpKind.APOLOGY)
        .order_by()
        .values("subject_id")
    )
    return list(
        visible_dossiers(user, roles, statuses=CLOCK_RUNNING)
        .filter(pk__in=subjects, extension_count=0)
        .order_by("due_at", "pk")
        .values("code", "reference", "applicant_name", "due_at")[:limit]
    )


# --- which of the lifecycle's actions the open process step takes now -------------------------
# The hand-overs the internal process governs; the others (supplement, payment, withdraw,
# stop, apology…) the lifecycle table alone decides.
STEP_ACTIONS = frozenset({"forward", "send_back", "approve", "mark_result_ready", "return_result"})


def actions_now(actions: Iterable[str], task: TaskInfo | None, roles: ActorRoles) -> list[str]:
    """``available_actions`` narrowed to what the open BPMN step takes from this officer.

    The rules of ``motcua.workflow.services``: the step takes an action it lists from an
    officer holding the step's role in the step's unit, or from a leader of that unit on a
    specialist's step; a leader may also approve while their specialist's step is open
    (take-over). Without an open step (no process, or it ended) nothing is narrowed.
    """
    if task is None:
        return list(actions)
    holds = roles.holds(task.unit_id, task.role)
    leads = task.role == StaffRole.SPECIALIST and roles.holds(task.unit_id, StaffRole.LEADER)

    def taken(action: str) -> bool:
        if action not in STEP_ACTIONS:
            return True
        if action in task.actions and (holds or leads):
            return True
        return leads and "forward" in task.actions and action == "approve"

    return [a for a in actions if taken(a)]


# --- units an officer may filter by or act towards --------------------------------------------
def officer_units(roles: ActorRoles) -> QuerySet[Unit]:
    """The units where the officer holds a role today (for filters and the register)."""
    return Unit.objects.filter(pk__in=list(roles.unit_ids)).order_by("name")


def register_units(roles: ActorRoles, *, on: date) -> QuerySet[Unit]:
    """Units whose register the officer may export: their own, or a supervised province's."""
    rule = Q(pk__in=list(roles.unit_ids))
    if roles.supervised_provinces:
        rule |= Q(province_code__in=list(roles.supervised_provinces))
    return Unit.objects.valid_on(on).filter(rule).order_by("name")


def forward_targets(dossier: Dossier, *, on: date) -> QuerySet[Unit]:
    """Units of the dossier's province a dossier may be handed to (inter-agency steps)."""
    return (
        Unit.objects.valid_on(on)
        .filter(province_code=dossier.province_code)
        .exclude(pk=dossier.handling_unit_id)
        .only("pk", "code", "name", "name_en")
        .order_by("name")
    )


# --- form 7: the register -----------------------------------------------------------------
def register_dossiers(
    user: User, roles: ActorRoles, *, unit: Unit, start: date, end: date
) -> Iterable[Any]:
    """Dossiers received at ``unit`` from ``start`` to ``end`` (inclusive, legal days)."""
    lower = datetime.combine(start, time.min, tzinfo=VIETNAM)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=VIETNAM)
    returned = DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action="return_result")
    return (
        visible_dossiers(user, roles)
        .filter(receiving_unit=unit, received_at__gte=lower, received_at__lt=upper)
        .annotate(return_data=Subquery(returned.order_by("-seq").values("data")[:1]))
        .order_by("received_at", "pk")
        .values(
            "code",
            "status",
            "applicant_name",
            "received_at",
            "due_at",
            "returned_at",
            "return_data",
            "procedure_version__name",
            "handling_unit__name",
        )
        .iterator(chunk_size=2000)
    )
