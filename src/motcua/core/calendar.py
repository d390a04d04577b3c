"""Legal time: working days, office hours and dossier due dates (DOMAIN §6).

Pure Python, no Django, no database: every deadline in motcua is computed here.
All instants are *aware* datetimes; a naive datetime raises ``ValueError``.
Results are always expressed in Asia/Ho_Chi_Minh (``VN_TZ``, UTC+07:00).

The legal rules
===============

Working days
    A day is a working day unless it is a Saturday or a Sunday, a public
    holiday (Labour Code 2019 Art. 112: 1/1; Tết, 5 days; Hùng Kings 10/3 lunar;
    30/4; 1/5; 2/9 plus an adjacent day; and, from 2026, 24/11 Vietnam Cultural
    Day), a compensatory day for a holiday falling on a weekly rest day
    (Art. 111(3)), or a day off swapped by the government for the public sector.
    A weekend day that the government swapped into a working day (e.g. Saturday
    22/8/2026) is a working day. Admins add their own adjustments per
    ``WorkCalendar``: ``extra_days_off`` and ``extra_working_days`` (extra
    working Saturdays). Precedence, highest first: ``extra_days_off``,
    ``extra_working_days``, national days off, national working weekend days,
    the Monday–Friday rule. A day may not be in both admin sets.

    National data comes from the ``holidays`` package (country VN: lunar dates,
    compensatory days, the 2026 swap 22/8 ↔ 31/8 and 24/11 from 2026) plus the
    swaps in ``ADDITIONAL_DAYS_OFF`` / ``ADDITIONAL_WORKING_DAYS`` that the
    package does not know yet. Dates the package only *estimates* (e.g. how the
    Tết 2027 compensatory days fall before the Ministry announces the plan) are
    corrected by admins with the two admin sets.

Office hours
    By default 07:00–11:30 and 13:30–17:00 (8 hours), configurable per unit with
    ``OfficeHours``. Office time is the union of the closed intervals
    ``[start, end]`` of every period on every working day. One working day is
    one day of office time: ``OfficeHours.working_day`` (8 hours for the
    default, so "8 working hours = 1 working day").

The clock starts at reception (the ``received`` instant). Durations:

``working-days``
    N working days = N × ``working_day`` of office time counted from the
    reception instant; time before the next opening (evening, lunch break,
    weekend, holiday) does not count. Received 16:10 on a working day with
    1 working day → due 16:10 on the next working day.

``working-hours``
    N hours of office time counted the same way.

``calendar-days``
    Civil Code 2015 Art. 147–148: the day of reception is not counted; the
    deadline ends with the N-th day after it. Because a promise is kept in
    office hours, "the end of the day" is the closing time of that day's office
    hours. If that day is not a working day, the deadline ends at the closing
    time of the next working day. The time of day of reception is irrelevant.

Boundaries (how the end instant is expressed)
    The due instant of a counted duration is the *earliest* instant at which
    the whole duration has elapsed. When the count runs out exactly at the end
    of a period, the due instant is that period end: "17:00 of day X", never
    "07:00 of day X+1"; "11:30", never "13:30". Consequently a due instant is
    always inside office hours (period ends included) of a working day, and
    ``working_time_between(received, due)`` equals the duration exactly.
    A zero amount of working time added to an instant rolls it forward to the
    first office instant at or after it (``add_working_time``).

Same-day procedures (``same_day=True``, duration 0 or 1 working day)
    Received on a working day strictly before ``OfficeHours.same_day_cutoff``
    (15:00 by default) — including before opening or during the lunch break —
    the dossier is due at that day's closing time (17:00). Received at or after
    the cutoff, or on a day that is not a working day, it is due at the closing
    time of the next working day after the day of reception.

Supplement pause
    While the dossier waits for the applicant's supplement the clock stops:
    ``extend_for_pause`` adds to the old due instant the office time that
    elapsed between ``paused_from`` and ``paused_to`` (evenings, weekends and
    holidays inside the pause do not count), so the new due instant is again an
    office instant and never earlier than the old one.

Overdue handling
    ``is_late(due, now)`` is ``now > due``; a dossier due at 17:00 and handled
    at 17:00 is on time. ``due_within(due, now, working_hours=8)`` tells that
    the deadline is passed or comes within the next ``working_hours`` hours of
    office time ("late within one working day").

Performance: holiday sets are built once per year and cached; computations
loop over days at most, never over minutes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "ADDITIONAL_DAYS_OFF",
    "ADDITIONAL_WORKING_DAYS",
    "DEFAULT_CALENDAR",
    "DEFAULT_OFFICE_HOURS",
    "MAX_DURATION",
    "VN_TZ",
    "DurationUnit",
    "OfficeHours",
    "WorkCalendar",
    "add_working_time",
    "due_at",
    "due_within",
    "extend_for_pause",
    "is_late",
    "is_working_day",
    "national_days_off",
    "national_working_days",
    "working_time_between",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)


class DurationUnit(StrEnum):
    """How a procedure's processing duration is expressed."""

    WORKING_DAYS = "working-days"
    CALENDAR_DAYS = "calendar-days"
    WORKING_HOURS = "working-hours"


#: Upper bound of ``duration`` per unit: a safety net against a mistyped
#: duration turning the submission hot path into a decade-long loop.
MAX_DURATION: Mapping[DurationUnit, int] = MappingProxyType(
    {
        DurationUnit.WORKING_DAYS: 3650,
        DurationUnit.CALENDAR_DAYS: 3650,
        DurationUnit.WORKING_HOURS: 3650 * 8,
    }
)

#: Public-sector days off decided by the government that ``holidays`` (0.109)
#: does not know. Each is the pair of one swap, see ``ADDITIONAL_WORKING_DAYS``.
ADDITIONAL_DAYS_OFF: Mapping[date, str] = MappingProxyType(
    {
        # Văn bản 12729/VPCP-KGVX (25/12/2025): Tết Dương lịch 2026 is Thursday 1/1
        # to Sunday 4/1; Friday 2/1/2026 is swapped with Saturday 10/1/2026.
        date(2026, 1, 2): "Ngày nghỉ (hoán đổi với thứ Bảy 10/01/2026)",
    }
)

#: Weekend days that the government made working days for the public sector
#: and that ``holidays`` (0.109) does not know.
ADDITIONAL_WORKING_DAYS: Mapping[date, str] = MappingProxyType(
    {
        # Văn bản 12729/VPCP-KGVX: Saturday 10/1/2026 is worked instead of 2/1/2026.
        date(2026, 1, 10): "Làm bù cho thứ Sáu 02/01/2026",
    }
)


def _check_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` in Vietnam time; reject naive datetimes."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be an aware datetime (got naive {value.isoformat()})")
    return value.astimezone(VN_TZ)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=VN_TZ)


# --- national calendar ------------------------------------------------------------


@functools.cache
def _national_year(year: int) -> tuple[Mapping[date, str], frozenset[date]]:
    """Days off (with their names) and working weekend days of ``year``.

    Neighbouring years are loaded too: a swap decided for one year may move a
    day of the next one (e.g. 31/12/2018 off, Saturday 5/1/2019 worked).
    """
    vn = holidays.country_holidays("VN", years=range(year - 1, year + 2), language="vi")
    days_off = {day: str(name) for day, name in vn.items() if day.year == year}
    days_off.update({day: name for day, name in ADDITIONAL_DAYS_OFF.items() if day.year == year})
    working = {day for day in vn.weekend_workdays if day.year == year}
    working.update(day for day in ADDITIONAL_WORKING_DAYS if day.year == year)
    return MappingProxyType(dict(sorted(days_off.items()))), frozenset(working)


def national_days_off(year: int) -> Mapping[date, str]:
    """Public holidays, compensatory and swapped days off of ``year``, named in Vietnamese."""
    return _national_year(year)[0]


def national_working_days(year: int) -> frozenset[date]:
    """Weekend days of ``year`` that the government made working days."""
    return _national_year(year)[1]


# --- office hours -----------------------------------------------------------------


@dataclass(frozen=True)
class OfficeHours:
    """Daily office periods of a unit, in local Vietnam time.

    ``periods`` are ``(start, end)`` pairs of naive ``time`` values, sorted,
    each non-empty and separated from the next by a break. ``same_day_cutoff``
    is the reception time from which a same-day procedure is due the next
    working day (15:00 by DOMAIN §6).
    """

    periods: tuple[tuple[time, time], ...] = (
        (time(7, 0), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )
    same_day_cutoff: time = time(15, 0)

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("office hours need at least one period")
        previous_end: time | None = None
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office hours are local wall-clock times without tzinfo")
            if not start < end:
                raise ValueError(f"office period {start}–{end} must start before it ends")
            if previous_end is not None and not previous_end < start:
                raise ValueError(
                    f"office periods must be sorted and separated by a break ({start})"
                )
            previous_end = end
        if self.same_day_cutoff.tzinfo is not None:
            raise ValueError("same_day_cutoff is a local wall-clock time without tzinfo")
        if not self.opening < self.same_day_cutoff <= self.closing:
            raise ValueError("same_day_cutoff must fall after opening and by closing time")

    @property
    def opening(self) -> time:
        """Start of the first period of the day."""
        return self.periods[0][0]

    @property
    def closing(self) -> time:
        """End of the last period of the day: "end of office hours"."""
        return self.periods[-1][1]

    @property
    def working_day(self) -> timedelta:
        """Office time of one working day (8 hours for the default hours)."""
        any_day = date(2000, 1, 1)
        return sum((_at(any_day, end) - _at(any_day, start) for start, end in self.periods), _ZERO)

    def periods_on(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The day's periods as aware instants (whether or not it is a working day)."""
        for start, end in self.periods:
            yield _at(day, start), _at(day, end)


DEFAULT_OFFICE_HOURS = OfficeHours()


# --- working calendar -------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """National working-day calendar plus the adjustments maintained by admins."""

    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("extra_days_off", "extra_working_days"):
            days = getattr(self, name)
            if not isinstance(days, frozenset):
                raise TypeError(f"{name} must be a frozenset of dates")
            if any(isinstance(day, datetime) or not isinstance(day, date) for day in days):
                raise TypeError(f"{name} must contain dates, not datetimes")
        both = self.extra_days_off & self.extra_working_days
        if both:
            listed = ", ".join(sorted(day.isoformat() for day in both))
            raise ValueError(f"days both off and working: {listed}")

    def is_working_day(self, day: date) -> bool:
        """Whether offices are open on ``day`` (see the module docstring for precedence)."""
        if isinstance(day, datetime):
            raise TypeError("is_working_day takes a date; use .date() of a local datetime")
        if day in self.extra_days_off:
            return False
        if day in self.extra_working_days:
            return True
        days_off, working_weekend_days = _national_year(day.year)
        if day in days_off:
            return False
        return day.weekday() < 5 or day in working_weekend_days

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_time(
        self,
        start: datetime,
        amount: timedelta,
        *,
        office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
    ) -> datetime:
        """The earliest office instant when ``amount`` of office time has elapsed since ``start``.

        Lands on a period end rather than the next period's start (17:00, not
        07:00 next day). With ``amount == 0`` it is the first office instant at
        or after ``start``.
        """
        current = _check_aware(start, "start")
        if amount < _ZERO:
            raise ValueError("amount of working time must not be negative")
        remaining = amount
        full_day = office_hours.working_day
        day = current.date()
        first = True
        while True:
            if self.is_working_day(day):
                if not first and remaining > full_day:
                    remaining -= full_day
                else:
                    for period_start, period_end in office_hours.periods_on(day):
                        if period_end < current:
                            continue
                        begin = max(period_start, current)
                        available = period_end - begin
                        if remaining <= available:
                            return begin + remaining
                        remaining -= available
            first = False
            day += _ONE_DAY

    def working_time_between(
        self,
        start: datetime,
        end: datetime,
        *,
        office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
    ) -> timedelta:
        """Office time inside ``[start, end]``; ``end`` must not be before ``start``."""
        begin = _check_aware(start, "start")
        finish = _check_aware(end, "end")
        if finish < begin:
            raise ValueError(f"end {finish.isoformat()} is before start {begin.isoformat()}")
        total = _ZERO
        full_day = office_hours.working_day
        first_day, last_day = begin.date(), finish.date()
        day = first_day
        while day <= last_day:
            if self.is_working_day(day):
                if first_day < day < last_day:
                    total += full_day
                else:
                    for period_start, period_end in office_hours.periods_on(day):
                        overlap = min(period_end, finish) - max(period_start, begin)
                        if overlap > _ZERO:
                            total += overlap
            day += _ONE_DAY
        return total


DEFAULT_CALENDAR = WorkCalendar()


# --- module-level API -------------------------------------------------------------


def is_working_day(day: date, *, calendar: WorkCalendar | None = None) -> bool:
    """Whether ``day`` is a working day in ``calendar`` (national calendar by default)."""
    return (calendar or DEFAULT_CALENDAR).is_working_day(day)


def add_working_time(
    start: datetime,
    amount: timedelta,
    *,
    calendar: WorkCalendar | None = None,
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> datetime:
    """See ``WorkCalendar.add_working_time``."""
    return (calendar or DEFAULT_CALENDAR).add_working_time(start, amount, office_hours=office_hours)


def working_time_between(
    start: datetime,
    end: datetime,
    *,
    calendar: WorkCalendar | None = None,
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> timedelta:
    """Office time elapsed between two instants (see ``WorkCalendar.working_time_between``)."""
    return (calendar or DEFAULT_CALENDAR).working_time_between(
        start, end, office_hours=office_hours
    )


def _closing_of(day: date, office_hours: OfficeHours) -> datetime:
    return _at(day, office_hours.closing)


def due_at(
    received: datetime,
    duration: int,
    unit: DurationUnit,
    *,
    same_day: bool = False,
    calendar: WorkCalendar | None = None,
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> datetime:
    """The promised due instant of a dossier received at ``received``.

    ``duration`` is a whole number of ``unit`` (at least 1; 0 or 1 with
    ``same_day=True``, which only applies to working days). The rules per unit,
    the boundary convention and the same-day rule are in the module docstring.
    The result is an office instant of a working day, in Vietnam time.
    """
    local = _check_aware(received, "received")
    unit = DurationUnit(unit)
    if isinstance(duration, bool) or not isinstance(duration, int):
        raise TypeError("duration must be an int")
    cal = calendar or DEFAULT_CALENDAR
    if same_day:
        if unit is not DurationUnit.WORKING_DAYS or duration not in (0, 1):
            raise ValueError("a same-day procedure has a duration of 0 or 1 working-days")
        day = local.date()
        if cal.is_working_day(day) and local.time() < office_hours.same_day_cutoff:
            return _closing_of(day, office_hours)
        return _closing_of(cal.next_working_day(day), office_hours)
    if duration < 1:
        raise ValueError("duration must be at least 1 (use same_day for same-day procedures)")
    if duration > MAX_DURATION[unit]:
        raise ValueError(f"duration {duration} {unit} exceeds {MAX_DURATION[unit]}")
    if unit is DurationUnit.CALENDAR_DAYS:
        last_day = local.date() + timedelta(days=duration)
        if not cal.is_working_day(last_day):
            last_day = cal.next_working_day(last_day)
        return _closing_of(last_day, office_hours)
    if unit is DurationUnit.WORKING_DAYS:
        amount = duration * office_hours.working_day
    else:
        amount = timedelta(hours=duration)
    return cal.add_working_time(local, amount, office_hours=office_hours)


def extend_for_pause(
    due: datetime,
    paused_from: datetime,
    paused_to: datetime,
    calendar: WorkCalendar | None = None,
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> datetime:
    """New due instant after a supplement pause: old due + office time paused.

    Only office time between ``paused_from`` and ``paused_to`` counts, and the
    result is rolled to an office instant; it is never earlier than ``due``.
    """
    cal = calendar or DEFAULT_CALENDAR
    paused = cal.working_time_between(paused_from, paused_to, office_hours=office_hours)
    return cal.add_working_time(due, paused, office_hours=office_hours)


def is_late(due: datetime, now: datetime) -> bool:
    """Whether the deadline has passed: strictly after ``due``."""
    return _check_aware(now, "now") > _check_aware(due, "due")


def due_within(
    due: datetime,
    now: datetime,
    working_hours: int = 8,
    *,
    calendar: WorkCalendar | None = None,
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> bool:
    """Whether the dossier is late or will be within ``working_hours`` of office time.

    True when ``now`` is past ``due``, or when at most ``working_hours`` hours
    of office time remain between ``now`` and ``due`` (8 = one working day).
    """
    if working_hours < 0:
        raise ValueError("working_hours must not be negative")
    if is_late(due, now):
        return True
    remaining = working_time_between(now, due, calendar=calendar, office_hours=office_hours)
    return remaining <= timedelta(hours=working_hours)
