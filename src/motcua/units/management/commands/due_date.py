"""``motcua due-date``: print the legal due instant of a dossier (``motcua.core.calendar``).

Example::

    motcua due-date --received "2027-02-03 16:10" --duration 3 --unit working-days
    2027-02-15T16:10:00+07:00

``--province 01`` adds the days off and extra working days that administrators keep
for the country and for that province (``units.CalendarAdjustment``, read through
``units.selectors.work_calendar``). Days given with ``--days-off`` / ``--working-days``
are merged in and win over the stored ones for the same day. The command lives in
``units`` because ``core`` may not read units (import-linter layers).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.calendar import VN_TZ, DurationUnit, WorkCalendar, due_at
from motcua.units.models import AdministrativeArea, CalendarAdjustment, Unit
from motcua.units.selectors import work_calendar

_UNITS = ", ".join(unit.value for unit in DurationUnit)


def _parse_received(value: str) -> datetime:
    text = value.strip()
    try:
        received = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f'--received: cannot read "{value}"; expected "YYYY-MM-DD HH:MM" (Vietnam time) '
            'or an ISO 8601 date-time with offset, e.g. "2027-02-03T16:10:00+07:00"'
        ) from None
    if len(text) <= len("YYYY-MM-DD"):
        raise CommandError(f'--received: "{value}" has no time of day; give "YYYY-MM-DD HH:MM"')
    if received.tzinfo is None:
        received = received.replace(tzinfo=VN_TZ)
    return received


def _parse_duration(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CommandError(f'--duration: "{value}" is not a whole number') from None


def _parse_unit(value: str) -> DurationUnit:
    try:
        return DurationUnit(value)
    except ValueError:
        raise CommandError(f'--unit: unknown unit "{value}"; use one of {_UNITS}') from None


def _parse_days(value: str | None, option: str) -> frozenset[date]:
    if not value:
        return frozenset()
    days: set[date] = set()
    for item in value.split(","):
        text = item.strip()
        try:
            days.add(date.fromisoformat(text))
        except ValueError:
            raise CommandError(f'{option}: "{text}" is not a date YYYY-MM-DD') from None
    return frozenset(days)


def _parse_province(value: str) -> str:
    """The province (tenant) code, e.g. ``01``; the agency form ``H01`` is accepted too."""
    text = value.strip()
    code = text[1:] if text[:1] in {"H", "h"} else text
    known = (
        AdministrativeArea.objects.filter(code=code, parent__isnull=True).exists()
        or Unit.objects.filter(province_code=code).exists()
        or CalendarAdjustment.objects.filter(province_code=code).exists()
    )
    if not (code.isdigit() and len(code) == 2) or not known:
        raise CommandError(
            f'--province: unknown province "{value}"; give its 2-digit code, e.g. 01 for '
            "Hà Nội (the provinces come from: motcua load-units)"
        )
    return code


def _calendar(
    province: str | None, days_off: frozenset[date], working_days: frozenset[date]
) -> WorkCalendar:
    """The options' adjustments, merged over the stored ones of the province if given."""
    if province is None:
        return WorkCalendar(extra_days_off=days_off, extra_working_days=working_days)
    both = days_off & working_days
    if both:  # the same message as WorkCalendar's, before the stored days mask it
        listed = ", ".join(sorted(day.isoformat() for day in both))
        raise ValueError(f"days both off and working: {listed}")
    stored = work_calendar(province)
    return WorkCalendar(
        extra_days_off=(stored.extra_days_off - working_days) | days_off,
        extra_working_days=(stored.extra_working_days - days_off) | working_days,
    )


class Command(BaseCommand):
    help = (
        "Print the due date-time (ISO 8601, +07:00) of a dossier received at --received "
        "with a processing duration of --duration --unit, by the legal-time rules."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--received",
            required=True,
            help='Reception instant: "YYYY-MM-DD HH:MM" in Vietnam time, or ISO 8601 with offset.',
        )
        parser.add_argument(
            "--duration",
            required=True,
            help="Processing duration, a whole number (0 or 1 with --same-day).",
        )
        parser.add_argument("--unit", required=True, help=f"Duration unit: {_UNITS}.")
        parser.add_argument(
            "--same-day",
            action="store_true",
            help="Same-day procedure: due at closing time, or the next working day "
            "if received at or after 15:00.",
        )
        parser.add_argument(
            "--days-off",
            default="",
            help="Extra days off decided by admins, comma-separated YYYY-MM-DD.",
        )
        parser.add_argument(
            "--working-days",
            default="",
            help="Extra working days (e.g. make-up Saturdays), comma-separated YYYY-MM-DD.",
        )
        parser.add_argument(
            "--province",
            default=None,
            help="Province code (e.g. 01): also apply the days off and extra working days "
            "that administrators keep for the country and this province.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        received = _parse_received(str(options["received"]))
        duration = _parse_duration(str(options["duration"]))
        unit = _parse_unit(str(options["unit"]))
        same_day = bool(options["same_day"])
        if same_day:
            if unit is not DurationUnit.WORKING_DAYS or duration not in (0, 1):
                raise CommandError(
                    "--same-day: a same-day procedure takes --duration 0 or 1 "
                    "with --unit working-days"
                )
        elif duration < 1:
            raise CommandError(f"--duration: must be at least 1 (got {duration})")
        days_off = _parse_days(options["days_off"], "--days-off")
        working_days = _parse_days(options["working_days"], "--working-days")
        province = options.get("province")
        province = _parse_province(str(province)) if province is not None else None
        try:
            calendar = _calendar(province, days_off, working_days)
        except ValueError as error:
            raise CommandError(f"--days-off/--working-days: {error}") from None
        try:
            due = due_at(received, duration, unit, same_day=same_day, calendar=calendar)
        except ValueError as error:
            raise CommandError(f"--duration: {error}") from None
        except OverflowError:
            raise CommandError("--received: the due date falls beyond the year 9999") from None
        self.stdout.write(due.isoformat())
