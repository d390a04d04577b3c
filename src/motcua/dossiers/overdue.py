"""Overdue handling: put the apology letter on the right list in time; count overdue work.

The law (DOMAIN §5, form 4; Decree 118/2025): a dossier that will not be resolved by its
promised time gets an apology-and-extension letter **at least one working day before**
the due time, and only one re-promise. ``dossier_apologise_extend`` refuses a letter
later than that. So the scan warns while the letter is still possible: it lists every
dossier whose clock runs, whose promise was not extended yet, and whose due time comes
within ``MOTCUA_APOLOGY_NOTICE_HOURS`` working hours (default 16: the last working day on
which the letter may still be sent starts within one working day — ``core.calendar.
due_within``), as long as at least one working day remains.

For each such dossier the scan opens one ``workflow.FollowUp`` (kind ``apology``) for the
officer role holding the dossier now — the open step's role in its unit, or the
handling unit's specialist when the dossier has no process — idempotently: running the
scan twice changes nothing. A follow-up closes when the letter is sent (``done``), the
dossier moves to another holder (``moved``; the new holder gets one), ends (``ended``)
or otherwise leaves the list, e.g. paused for a supplement (``cleared``), or the last
moment for a letter passed (``too_late``).

Run it every half hour: ``motcua overdue-scan`` (cron, the embedded default) or Celery
beat in production (``motcua.config.celery``).

``overdue_counts`` counts dossiers past their due time per handling unit and steps past
their step due per officer, for queues and supervisors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from motcua.core.calendar import OfficeHours, WorkCalendar, due_within, working_time_between
from motcua.core.clock import now
from motcua.dossiers.models import CLOCK_RUNNING, Dossier, Status
from motcua.units.models import StaffRole, Unit
from motcua.units.selectors import office_hours, work_calendar
from motcua.workflow.models import FollowUp, FollowUpKind, WorkTask
from motcua.workflow.services import followup_close, followup_open

ONE_WORKING_DAY = timedelta(hours=8)
#: Prefilter: no dossier due later than this many calendar days can be within the window
#: (covers Tết: nine days off in a row plus weekends).
HORIZON = timedelta(days=21)
APOLOGY_STATUSES = (Status.RECEIVED, Status.PROCESSING)


def notice_hours() -> int:
    return int(getattr(settings, "MOTCUA_APOLOGY_NOTICE_HOURS", 16))


@dataclass
class ScanResult:
    """What one scan did."""

    opened: list[int] = field(default_factory=list)  # dossier ids given a new follow-up
    listed: int = 0  # dossiers on someone's list after the scan
    closed: int = 0  # follow-ups closed by this scan


def overdue_scan(*, at: datetime | None = None) -> ScanResult:
    """Open the apology follow-ups due now and close the stale ones (idempotent)."""
    at = at or now()
    result = ScanResult()
    candidates = list(
        Dossier.objects.filter(
            status__in=APOLOGY_STATUSES,
            extension_count=0,
            due_at__gt=at,
            due_at__lte=at + HORIZON,
        )
        .select_related("handling_unit")
        .only("pk", "province_code", "due_at", "handling_unit")
    )
    holders = {
        t.subject_id: (t.unit_id, t.role)
        for t in WorkTask.objects.filter(
            subject_id__in=[d.pk for d in candidates], finished_at__isnull=True
        ).order_by("-seq")
    }
    calendars: dict[str, WorkCalendar] = {}
    hours: dict[int, OfficeHours] = {}
    listed: dict[int, tuple[int, str]] = {}
    too_late: set[int] = set()
    for d in candidates:
        assert d.due_at is not None
        calendar = calendars.get(d.province_code) or calendars.setdefault(
            d.province_code, work_calendar(d.province_code)
        )
        unit_hours = hours.get(d.handling_unit_id) or hours.setdefault(
            d.handling_unit_id, office_hours(d.handling_unit)
        )
        if not due_within(d.due_at, at, notice_hours(), calendar=calendar, office_hours=unit_hours):
            continue
        left = working_time_between(at, d.due_at, calendar=calendar, office_hours=unit_hours)
        if left < ONE_WORKING_DAY:
            too_late.add(d.pk)
            continue
        listed[d.pk] = holders.get(d.pk, (d.handling_unit_id, StaffRole.SPECIALIST))
    units = Unit.objects.in_bulk({unit_id for unit_id, _role in listed.values()})
    due_of = {d.pk: d for d in candidates}
    for pk, (unit_id, role) in listed.items():
        with transaction.atomic():
            _row, opened = followup_open(
                subject_id=pk,
                province_code=due_of[pk].province_code,
                kind=FollowUpKind.APOLOGY,
                unit=units[unit_id],
                role=role,
                due_at=due_of[pk].due_at,  # type: ignore[arg-type]
                at=at,
            )
            result.closed += followup_close(
                subject_id=pk,
                kind=FollowUpKind.APOLOGY,
                reason="moved",
                at=at,
                keep=[(unit_id, role)],
            )
        if opened:
            result.opened.append(pk)
    stale = FollowUp.objects.filter(kind=FollowUpKind.APOLOGY, closed_at__isnull=True).exclude(
        subject_id__in=list(listed)
    )
    result.closed += stale.filter(subject_id__in=list(too_late)).update(
        closed_at=at, closed_reason="too_late"
    )
    result.closed += stale.update(closed_at=at, closed_reason="cleared")
    result.listed = len(listed)
    return result


@dataclass(frozen=True)
class OverdueCounts:
    """Overdue work right now.

    ``by_unit``: dossiers whose clock runs and whose due time has passed, per handling
    unit. ``by_officer``: process steps past their step due — open ones counted for the
    officer who received them, finished ones (since ``since``) for the officer who
    finished them late.
    """

    by_unit: dict[int, int]
    by_officer: dict[int, int]


def overdue_counts(
    *, at: datetime | None = None, province_code: str = "", since: datetime | None = None
) -> OverdueCounts:
    at = at or now()
    dossiers = Dossier.objects.filter(status__in=list(CLOCK_RUNNING), due_at__lt=at)
    steps = WorkTask.objects.all()
    if province_code:
        dossiers = dossiers.filter(province_code=province_code)
        steps = steps.filter(province_code=province_code)
    by_unit = {
        row["handling_unit_id"]: row["n"]
        for row in dossiers.values("handling_unit_id").annotate(n=Count("pk"))
    }
    officers: Counter[int] = Counter()
    open_late = steps.filter(finished_at__isnull=True, due_at__lt=at, receiver__isnull=False)
    for receiver_id, n in open_late.values_list("receiver_id").annotate(n=Count("pk")):
        officers[receiver_id] += n
    finished_late = steps.filter(Q(outcome="late"), finished_by__isnull=False)
    if since is not None:
        finished_late = finished_late.filter(finished_at__gte=since)
    for finisher_id, n in finished_late.values_list("finished_by_id").annotate(n=Count("pk")):
        officers[finisher_id] += n
    return OverdueCounts(by_unit=by_unit, by_officer=dict(officers))
