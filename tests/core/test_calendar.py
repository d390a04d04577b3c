"""Legal time (DOMAIN §6): hand-checked tables for every edge, then properties.

Every expected value below was worked out by hand from the rules in the
docstring of ``motcua.core.calendar``; the comment next to it shows the count.
Default office hours: 07:00–11:30 (4h30) and 13:30–17:00 (3h30), 8 h a day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.calendar import (
    ADDITIONAL_DAYS_OFF,
    ADDITIONAL_WORKING_DAYS,
    DEFAULT_CALENDAR,
    DEFAULT_OFFICE_HOURS,
    MAX_DURATION,
    VN_TZ,
    DurationUnit,
    OfficeHours,
    WorkCalendar,
    add_working_time,
    due_at,
    due_within,
    extend_for_pause,
    is_late,
    is_working_day,
    national_days_off,
    national_working_days,
    working_time_between,
)

WD = DurationUnit.WORKING_DAYS
CD = DurationUnit.CALENDAR_DAYS
WH = DurationUnit.WORKING_HOURS


def vn(text: str) -> datetime:
    """A Vietnam wall-clock instant from "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- the national calendar --------------------------------------------------------

NATIONAL_DAYS = [
    # New Year 2026: Thu 1/1 off; Fri 2/1 swapped with Sat 10/1 (VPCP 12729, our data).
    ("2026-01-01", False),
    ("2026-01-02", False),
    ("2026-01-03", False),
    ("2026-01-05", True),
    ("2026-01-10", True),
    # Tết Bính Ngọ 2026 (mùng 1 = Tue 17/2): Mon 16/2 (eve) to Fri 20/2 (mùng 4).
    ("2026-02-13", True),
    ("2026-02-16", False),
    ("2026-02-20", False),
    ("2026-02-23", True),
    # Hùng Kings 10/3 lunar = Sun 26/4/2026, compensated on Mon 27/4; 30/4 Thu, 1/5 Fri.
    ("2026-04-27", False),
    ("2026-04-28", True),
    ("2026-04-30", False),
    ("2026-05-01", False),
    ("2026-05-04", True),
    # 2026 swap known by the package: Sat 22/8 worked, Mon 31/8 off; 2/9 Wed + 1/9 Tue.
    ("2026-08-22", True),
    ("2026-08-23", False),
    ("2026-08-31", False),
    ("2026-09-01", False),
    ("2026-09-02", False),
    ("2026-09-03", True),
    # Vietnam Cultural Day 24/11, a day off from 2026 only.
    ("2025-11-24", True),
    ("2026-11-24", False),
    ("2027-11-24", False),
    # Tết Đinh Mùi 2027 (mùng 1 = Sat 6/2): 5 days Fri 5/2–Tue 9/2; Sat 6/2 is compensated
    # on the working day before (Thu 4/2), Sun 7/2 on the one after (Wed 10/2).
    ("2027-02-03", True),
    ("2027-02-04", False),
    ("2027-02-05", False),
    ("2027-02-08", False),
    ("2027-02-09", False),
    ("2027-02-10", False),
    ("2027-02-11", True),
    # Hùng Kings 2027 = Fri 16/4; 30/4 Fri; 1/5 Sat compensated on Mon 3/5.
    ("2027-04-16", False),
    ("2027-04-30", False),
    ("2027-05-03", False),
    ("2027-05-04", True),
    # National Day 2027: Thu 2/9 and the adjacent Fri 3/9.
    ("2027-09-01", True),
    ("2027-09-02", False),
    ("2027-09-03", False),
    ("2027-09-06", True),
    # A swap across New Year (package data): Mon 31/12/2018 off, Saturday 5/1/2019 worked.
    ("2018-12-31", False),
    ("2019-01-05", True),
    # An ordinary week.
    ("2026-03-06", True),
    ("2026-03-07", False),
    ("2026-03-08", False),
]


@pytest.mark.parametrize(("day", "working"), NATIONAL_DAYS)
def test_national_working_days(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


def test_package_knows_the_2026_swap_and_cultural_day_so_we_do_not_repeat_them() -> None:
    vn = holidays.country_holidays("VN", years=2026)
    assert d("2026-08-31") in vn
    assert d("2026-08-22") in vn.weekend_workdays
    assert d("2026-11-24") in vn
    assert d("2026-08-31") not in ADDITIONAL_DAYS_OFF
    assert d("2026-08-22") not in ADDITIONAL_WORKING_DAYS


def test_additional_swaps_pair_a_weekday_off_with_a_weekend_day_worked() -> None:
    assert all(day.weekday() < 5 for day in ADDITIONAL_DAYS_OFF)
    assert all(day.weekday() >= 5 for day in ADDITIONAL_WORKING_DAYS)
    assert len(ADDITIONAL_DAYS_OFF) == len(ADDITIONAL_WORKING_DAYS)


def test_national_lists_are_named_in_vietnamese() -> None:
    days_off = national_days_off(2026)
    assert days_off[d("2026-11-24")] == "Ngày Văn hóa Việt Nam"
    assert "10/01/2026" in days_off[d("2026-01-02")]
    assert national_working_days(2026) == {d("2026-01-10"), d("2026-08-22")}


def test_admin_adjustments_override_the_national_calendar() -> None:
    calendar = WorkCalendar(
        extra_days_off=frozenset({d("2026-12-31")}),
        # An extra working Saturday, and a national holiday an admin made a working day.
        extra_working_days=frozenset({d("2026-03-07"), d("2026-04-30")}),
    )
    assert not calendar.is_working_day(d("2026-12-31"))
    assert calendar.is_working_day(d("2026-03-07"))
    assert calendar.is_working_day(d("2026-04-30"))
    assert not calendar.is_working_day(d("2026-03-08"))
    assert is_working_day(d("2026-03-07"), calendar=calendar)
    assert not is_working_day(d("2026-03-07"))


def test_a_day_cannot_be_both_an_extra_day_off_and_an_extra_working_day() -> None:
    with pytest.raises(ValueError, match="2026-03-07"):
        WorkCalendar(
            extra_days_off=frozenset({d("2026-03-07")}),
            extra_working_days=frozenset({d("2026-03-07")}),
        )


def test_calendar_rejects_datetimes_where_dates_are_expected() -> None:
    with pytest.raises(TypeError):
        WorkCalendar(extra_days_off=frozenset({vn("2026-03-07 00:00")}))
    with pytest.raises(TypeError):
        DEFAULT_CALENDAR.is_working_day(vn("2026-03-07 00:00"))
    with pytest.raises(TypeError):
        WorkCalendar(extra_days_off={d("2026-03-07")})  # type: ignore[arg-type]


# --- due dates --------------------------------------------------------------------

WORKING_DAYS_CASES = [
    # Tue 16:10 + 1 day: 0h50 Tue; Wed 4h30 morning + 2h40 from 13:30 → 16:10.
    ("2026-03-03 16:10", 1, "2026-03-04 16:10"),
    # Wed 3/2/2027 16:10 + 3 days: 0h50; Tết Thu 4–Wed 10 off; Thu 11 8h, Fri 12 8h;
    # Mon 15: 4h30 + 2h40 → 16:10.
    ("2027-02-03 16:10", 3, "2027-02-15 16:10"),
    # Fri 13/2/2026 16:10 + 2 days: 0h50; Tết Mon 16–Fri 20 off; Mon 23 8h; Tue 24 7h10.
    ("2026-02-13 16:10", 2, "2026-02-24 16:10"),
    # Received at opening: the 8 hours end exactly at closing, 17:00 (not Wed 07:00).
    ("2026-03-03 07:00", 1, "2026-03-03 17:00"),
    # Received at closing: nothing left today, a full day Wed.
    ("2026-03-03 17:00", 1, "2026-03-04 17:00"),
    # Evening and early morning receptions start counting at the next opening.
    ("2026-03-03 20:00", 1, "2026-03-04 17:00"),
    ("2026-03-03 06:00", 1, "2026-03-03 17:00"),
    # Lunch break: counting starts 13:30; 3h30 Tue, 4h30 Wed → 11:30 (end of morning).
    ("2026-03-03 12:15", 1, "2026-03-04 11:30"),
    ("2026-03-03 11:30", 1, "2026-03-04 11:30"),
    # Saturday / Sunday reception: counting starts Monday 07:00.
    ("2026-03-07 09:00", 1, "2026-03-09 17:00"),
    ("2026-03-08 09:00", 2, "2026-03-10 17:00"),
    # Reception on the 30/4 holiday: 1/5 off, weekend, counting starts Mon 4/5.
    ("2026-04-30 09:00", 1, "2026-05-04 17:00"),
    # Fri 24/4/2026 16:10 + 2: 0h50; weekend; Mon 27/4 (Hùng Kings, compensated) off;
    # Tue 28 8h; Wed 29 7h10 → 16:10. One day more jumps 30/4, 1/5, weekend → Mon 4/5.
    ("2026-04-24 16:10", 2, "2026-04-29 16:10"),
    ("2026-04-24 16:10", 3, "2026-05-04 16:10"),
    # Fri 21/8/2026 16:10 + 1: Saturday 22/8 is a working day → Sat 16:10.
    ("2026-08-21 16:10", 1, "2026-08-22 16:10"),
    # Fri 28/8/2026 16:10 + 1: Sat, Sun, Mon 31/8 (swap), Tue 1/9, Wed 2/9 off → Thu 3/9.
    ("2026-08-28 16:10", 1, "2026-09-03 16:10"),
    # Mon 23/11/2026 16:10 + 1: Tue 24/11 off → Wed 25/11 16:10.
    ("2026-11-23 16:10", 1, "2026-11-25 16:10"),
    # Wed 1/9/2027 16:10 + 1: Thu 2/9, Fri 3/9 off, weekend → Mon 6/9.
    ("2027-09-01 16:10", 1, "2027-09-06 16:10"),
    # Thu 29/4/2027 16:10 + 1: Fri 30/4, weekend, Mon 3/5 (1/5 compensated) → Tue 4/5.
    ("2027-04-29 16:10", 1, "2027-05-04 16:10"),
    # Wed 31/12/2025 16:10 + 1: Thu 1/1, Fri 2/1 (swap), weekend → Mon 5/1/2026.
    ("2025-12-31 16:10", 1, "2026-01-05 16:10"),
    # Fri 9/1/2026 16:10 + 1: Saturday 10/1/2026 is worked → Sat 16:10.
    ("2026-01-09 16:10", 1, "2026-01-10 16:10"),
    # Mon 2/3/2026 09:00 + 5 = 40h: Mon 6h (2h30 + 3h30), Tue–Fri 32h, Mon 9/3 2h → 09:00.
    ("2026-03-02 09:00", 5, "2026-03-09 09:00"),
]


@pytest.mark.parametrize(("received", "duration", "expected"), WORKING_DAYS_CASES)
def test_due_in_working_days(received: str, duration: int, expected: str) -> None:
    due = due_at(vn(received), duration, WD)
    assert due == vn(expected)
    assert due.utcoffset() == timedelta(hours=7)


CALENDAR_DAYS_CASES = [
    # Mon 2/3 + 3 days = Thu 5/3, a working day → its closing time.
    ("2026-03-02 10:00", 3, "2026-03-05 17:00"),
    # Mon 2/3 + 5 days = Sat 7/3 → closing of the next working day, Mon 9/3.
    ("2026-03-02 10:00", 5, "2026-03-09 17:00"),
    # The reception day is not counted, whatever the hour: 23:59 Mon + 1 = Tue.
    ("2026-03-02 23:59", 1, "2026-03-03 17:00"),
    # Received on a Sunday: Sun 1/3 + 1 = Mon 2/3.
    ("2026-03-01 22:00", 1, "2026-03-02 17:00"),
    # Mon 20/4/2026 + 10 = Thu 30/4 (holiday); 1/5 off, weekend → Mon 4/5.
    ("2026-04-20 08:00", 10, "2026-05-04 17:00"),
    # Wed 27/1/2027 + 10 = Sat 6/2, Tết until Wed 10/2 → Thu 11/2.
    ("2027-01-27 10:00", 10, "2027-02-11 17:00"),
    # Fri 14/8/2026 + 8 = Sat 22/8, a working Saturday → stays.
    ("2026-08-14 10:00", 8, "2026-08-22 17:00"),
]


@pytest.mark.parametrize(("received", "duration", "expected"), CALENDAR_DAYS_CASES)
def test_due_in_calendar_days(received: str, duration: int, expected: str) -> None:
    assert due_at(vn(received), duration, CD) == vn(expected)


WORKING_HOURS_CASES = [
    # Crossing lunch: 10:00–11:30 1h30, then 2h30 from 13:30 → 16:00.
    ("2026-03-03 10:00", 4, "2026-03-03 16:00"),
    # Crossing the night: 1h to 17:00, 2h from Wed 07:00 → 09:00.
    ("2026-03-03 16:00", 3, "2026-03-04 09:00"),
    # Ending exactly at the end of the morning: 11:30, not 13:30.
    ("2026-03-03 08:30", 3, "2026-03-03 11:30"),
    # Ending exactly at closing: 17:00, not Wed 07:00.
    ("2026-03-03 16:00", 1, "2026-03-03 17:00"),
    # Received at lunch: counting starts 13:30 → 15:30.
    ("2026-03-03 12:00", 2, "2026-03-03 15:30"),
    # Crossing the weekend: 0h30 Fri, 1h30 Mon → 08:30.
    ("2026-03-06 16:30", 2, "2026-03-09 08:30"),
    # Crossing Tết 2026: 2h Fri 13/2, then Mon 23/2 07:00 + 2h → 09:00.
    ("2026-02-13 15:00", 4, "2026-02-23 09:00"),
]


@pytest.mark.parametrize(("received", "duration", "expected"), WORKING_HOURS_CASES)
def test_due_in_working_hours(received: str, duration: int, expected: str) -> None:
    assert due_at(vn(received), duration, WH) == vn(expected)


SAME_DAY_CASES = [
    # Before 15:00 on a working day → 17:00 the same day (also before opening, at lunch).
    ("2026-03-03 14:59", 1, "2026-03-03 17:00"),
    ("2026-03-03 06:30", 1, "2026-03-03 17:00"),
    ("2026-03-03 12:00", 1, "2026-03-03 17:00"),
    ("2026-03-03 10:00", 0, "2026-03-03 17:00"),
    # At or after 15:00 → 17:00 of the next working day.
    ("2026-03-03 15:00", 1, "2026-03-04 17:00"),
    ("2026-03-03 18:00", 0, "2026-03-04 17:00"),
    # Saturday reception → Monday; holiday reception (30/4) → Mon 4/5.
    ("2026-03-07 10:00", 1, "2026-03-09 17:00"),
    ("2026-04-30 10:00", 1, "2026-05-04 17:00"),
    # Wed 29/4/2026 15:30 → next working day after 30/4, 1/5 and the weekend.
    ("2026-04-29 15:30", 1, "2026-05-04 17:00"),
    # The worked Saturday 22/8/2026 behaves as a working day, both ways.
    ("2026-08-22 10:00", 1, "2026-08-22 17:00"),
    ("2026-08-21 16:00", 1, "2026-08-22 17:00"),
    # Wed 3/2/2027 15:00, Tết Thu 4/2–Wed 10/2 → Thu 11/2.
    ("2027-02-03 15:00", 1, "2027-02-11 17:00"),
]


@pytest.mark.parametrize(("received", "duration", "expected"), SAME_DAY_CASES)
def test_same_day_rule(received: str, duration: int, expected: str) -> None:
    assert due_at(vn(received), duration, WD, same_day=True) == vn(expected)


def test_admin_adjustments_move_due_dates() -> None:
    calendar = WorkCalendar(
        extra_days_off=frozenset({d("2026-12-31")}),
        extra_working_days=frozenset({d("2026-03-07")}),
    )
    # Wed 30/12/2026 16:10 + 1: 31/12 (admin) and 1/1 off, weekend → Mon 4/1/2027 16:10.
    assert due_at(vn("2026-12-30 16:10"), 1, WD, calendar=calendar) == vn("2027-01-04 16:10")
    # Fri 6/3/2026 16:10 + 1: the extra working Saturday 7/3 → Sat 16:10.
    assert due_at(vn("2026-03-06 16:10"), 1, WD, calendar=calendar) == vn("2026-03-07 16:10")


def test_other_office_hours() -> None:
    # 08:00–12:00 and 13:00–16:00: a working day is 7 hours.
    hours = OfficeHours(
        periods=((time(8), time(12)), (time(13), time(16))), same_day_cutoff=time(14)
    )
    assert hours.working_day == timedelta(hours=7)
    # Tue 15:00 + 1 day: 1h Tue; Wed 4h morning + 2h from 13:00 → 15:00.
    assert due_at(vn("2026-03-03 15:00"), 1, WD, office_hours=hours) == vn("2026-03-04 15:00")
    # Calendar days and same-day use this closing time (16:00) and cutoff (14:00).
    assert due_at(vn("2026-03-02 10:00"), 3, CD, office_hours=hours) == vn("2026-03-05 16:00")
    assert due_at(vn("2026-03-03 14:00"), 1, WD, same_day=True, office_hours=hours) == vn(
        "2026-03-04 16:00"
    )


def test_received_in_another_time_zone_is_converted_to_vietnam_time() -> None:
    # 09:10 UTC is 16:10 in Hanoi.
    received = datetime(2026, 3, 3, 9, 10, tzinfo=UTC)
    due = due_at(received, 1, WD)
    assert due == vn("2026-03-04 16:10")
    assert due.tzinfo is VN_TZ
    assert due.isoformat() == "2026-03-04T16:10:00+07:00"


def test_unit_may_be_given_as_its_string_value() -> None:
    assert due_at(vn("2026-03-03 16:10"), 1, "working-days") == vn("2026-03-04 16:10")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration", "unit", "same_day", "message"),
    [
        (0, WD, False, "at least 1"),
        (-1, WH, False, "at least 1"),
        (2, WD, True, "same-day"),
        (1, CD, True, "same-day"),
        (MAX_DURATION[WD] + 1, WD, False, "exceeds"),
        (MAX_DURATION[WH] + 1, WH, False, "exceeds"),
    ],
)
def test_bad_durations_are_rejected(
    duration: int, unit: DurationUnit, same_day: bool, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        due_at(vn("2026-03-03 10:00"), duration, unit, same_day=same_day)


def test_unknown_unit_is_rejected() -> None:
    with pytest.raises(ValueError, match="weeks"):
        due_at(vn("2026-03-03 10:00"), 1, "weeks")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("periods", "cutoff"),
    [
        ((), time(15)),
        (((time(11), time(7)),), time(9)),
        (((time(7), time(12)), (time(11), time(17))), time(15)),
        (((time(7), time(12)), (time(12), time(17))), time(15)),
        (((time(7), time(11, 30)), (time(13, 30), time(17))), time(18)),
        (((time(7, tzinfo=UTC), time(11)),), time(9)),
    ],
)
def test_bad_office_hours_are_rejected(
    periods: tuple[tuple[time, time], ...], cutoff: time
) -> None:
    with pytest.raises(ValueError):
        OfficeHours(periods=periods, same_day_cutoff=cutoff)


# --- pauses, working time, lateness -----------------------------------------------

PAUSE_CASES = [
    # Paused Mon 16:00 → Tue 09:00 = 1h + 2h = 3h; Wed 11/3 16:10 + 3h: 0h50, Thu 2h10 → 09:10.
    ("2026-03-11 16:10", "2026-03-02 16:00", "2026-03-03 09:00", "2026-03-12 09:10"),
    # Paused over a weekend, from closing to opening: no office time → unchanged.
    ("2026-03-11 16:10", "2026-03-06 17:00", "2026-03-09 07:00", "2026-03-11 16:10"),
    # Paused Wed 29/4/2026 12:00 → Tue 5/5 12:00: 3h30 + (30/4, 1/5, weekend) + 8h + 4h30
    # = 16h. Wed 6/5 10:00 + 16h: 1h30 + 3h30 Wed, 8h Thu, 3h Fri → Fri 8/5 10:00.
    ("2026-05-06 10:00", "2026-04-29 12:00", "2026-05-05 12:00", "2026-05-08 10:00"),
    # Paused 3h30 (Mon 13:30 → 17:00); due Tue 13:30 + 3h30 ends at Tue 17:00, not Wed 07:00.
    ("2026-03-03 13:30", "2026-03-02 13:30", "2026-03-02 17:00", "2026-03-03 17:00"),
]


@pytest.mark.parametrize(("due", "paused_from", "paused_to", "expected"), PAUSE_CASES)
def test_extend_for_pause(due: str, paused_from: str, paused_to: str, expected: str) -> None:
    assert extend_for_pause(vn(due), vn(paused_from), vn(paused_to)) == vn(expected)


def test_extend_for_pause_uses_the_given_calendar() -> None:
    calendar = WorkCalendar(extra_working_days=frozenset({d("2026-03-07")}))
    # Paused Fri 6/3 17:00 → Mon 9/3 07:00 spans the extra working Saturday: 8h.
    # Due Tue 10/3 16:10 + 8h → Wed 11/3 16:10.
    new_due = extend_for_pause(
        vn("2026-03-10 16:10"), vn("2026-03-06 17:00"), vn("2026-03-09 07:00"), calendar
    )
    assert new_due == vn("2026-03-11 16:10")


WORKING_TIME_CASES = [
    # Same morning.
    ("2026-03-03 08:00", "2026-03-03 10:15", timedelta(hours=2, minutes=15)),
    # Across lunch: 11:00–11:30 and 13:30–14:00.
    ("2026-03-03 11:00", "2026-03-03 14:00", timedelta(hours=1)),
    # Inside the lunch break, and inside a weekend.
    ("2026-03-03 11:45", "2026-03-03 13:15", timedelta(0)),
    ("2026-03-07 08:00", "2026-03-08 16:00", timedelta(0)),
    # Fri 16:00 → Mon 08:00: 1h + 1h.
    ("2026-03-06 16:00", "2026-03-09 08:00", timedelta(hours=2)),
    # A full week Mon 00:00 → Sun 23:59: 5 × 8h.
    ("2026-03-02 00:00", "2026-03-08 23:59", timedelta(hours=40)),
    # Tết 2027 week Mon 1/2 → Sun 14/2: only Mon 1, Tue 2, Wed 3, Thu 11, Fri 12 work.
    ("2027-02-01 00:00", "2027-02-14 23:00", timedelta(hours=40)),
    # Empty interval.
    ("2026-03-03 10:00", "2026-03-03 10:00", timedelta(0)),
]


@pytest.mark.parametrize(("start", "end", "expected"), WORKING_TIME_CASES)
def test_working_time_between(start: str, end: str, expected: timedelta) -> None:
    assert working_time_between(vn(start), vn(end)) == expected


def test_working_time_between_refuses_a_reversed_interval() -> None:
    with pytest.raises(ValueError, match="before start"):
        working_time_between(vn("2026-03-03 10:00"), vn("2026-03-03 09:00"))


def test_add_working_time_zero_rolls_to_the_next_office_instant() -> None:
    assert add_working_time(vn("2026-03-03 12:00"), timedelta(0)) == vn("2026-03-03 13:30")
    assert add_working_time(vn("2026-03-07 12:00"), timedelta(0)) == vn("2026-03-09 07:00")
    # Period ends are office instants: 17:00 stays 17:00.
    assert add_working_time(vn("2026-03-03 17:00"), timedelta(0)) == vn("2026-03-03 17:00")
    with pytest.raises(ValueError, match="negative"):
        add_working_time(vn("2026-03-03 12:00"), timedelta(minutes=-1))


DUE_WITHIN_CASES = [
    # Due Tue 10:00, now Mon 10:30: 1h + 3h30 + 3h = 7h30 ≤ 8h → soon.
    ("2026-03-03 10:00", "2026-03-02 10:30", 8, False, True),
    # Now Mon 09:30: 2h + 3h30 + 3h = 8h30 > 8h.
    ("2026-03-03 10:00", "2026-03-02 09:30", 8, False, False),
    # Exactly 8h left (Mon 10:00 → Tue 10:00) is within one working day.
    ("2026-03-03 10:00", "2026-03-02 10:00", 8, False, True),
    # Over a weekend: Fri 16:00 → Mon 15:00 = 1h + 4h30 + 1h30 = 7h.
    ("2026-03-02 15:00", "2026-02-27 16:00", 8, False, True),
    # Thu 16:00 → Mon 15:00 = 1h + 8h + 6h = 15h: not within 8h, within 16h.
    ("2026-03-02 15:00", "2026-02-26 16:00", 8, False, False),
    ("2026-03-02 15:00", "2026-02-26 16:00", 16, False, True),
    # Handled at the due instant: on time, but due now.
    ("2026-03-02 15:00", "2026-03-02 15:00", 8, False, True),
    # One minute later: late (and so also "due within").
    ("2026-03-02 15:00", "2026-03-02 15:01", 8, True, True),
]


@pytest.mark.parametrize(("due", "now", "hours", "late", "soon"), DUE_WITHIN_CASES)
def test_is_late_and_due_within(due: str, now: str, hours: int, late: bool, soon: bool) -> None:
    assert is_late(vn(due), vn(now)) is late
    assert due_within(vn(due), vn(now), hours) is soon


def test_naive_datetimes_are_rejected_everywhere() -> None:
    naive = datetime(2026, 3, 3, 10, 0)
    aware = vn("2026-03-03 10:00")
    calls: list[Callable[[], object]] = [
        lambda: due_at(naive, 1, WD),
        lambda: due_at(naive, 1, CD),
        lambda: due_at(naive, 1, WD, same_day=True),
        lambda: working_time_between(naive, aware),
        lambda: working_time_between(aware, naive),
        lambda: add_working_time(naive, timedelta(hours=1)),
        lambda: extend_for_pause(naive, aware, aware),
        lambda: extend_for_pause(aware, naive, aware),
        lambda: extend_for_pause(aware, aware, naive),
        lambda: is_late(naive, aware),
        lambda: due_within(aware, naive),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="naive"):
            call()


# --- properties -------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

LOW, HIGH = datetime(2025, 1, 1), datetime(2028, 12, 31)
instants = st.datetimes(min_value=LOW, max_value=HIGH, timezones=st.sampled_from([VN_TZ, UTC]))

office_hours_choices = st.sampled_from(
    [
        DEFAULT_OFFICE_HOURS,
        OfficeHours(periods=((time(8), time(12)), (time(13), time(16))), same_day_cutoff=time(14)),
        OfficeHours(
            periods=(
                (time(7, 30), time(11, 30)),
                (time(13), time(15)),
                (time(15, 30), time(17, 30)),
            )
        ),
    ]
)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    adjustments = draw(
        st.dictionaries(
            st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
            st.booleans(),
            max_size=30,
        )
    )
    return WorkCalendar(
        extra_days_off=frozenset(day for day, working in adjustments.items() if not working),
        extra_working_days=frozenset(day for day, working in adjustments.items() if working),
    )


@st.composite
def durations(draw: st.DrawFn) -> tuple[int, DurationUnit, bool]:
    unit = draw(st.sampled_from(list(DurationUnit)))
    if unit is WD and draw(st.booleans()):
        return draw(st.integers(0, 1)), unit, True
    upper = {WD: 60, CD: 120, WH: 200}[unit]
    return draw(st.integers(1, upper)), unit, False


def in_office_hours(instant: datetime, calendar: WorkCalendar, hours: OfficeHours) -> bool:
    local = instant.astimezone(VN_TZ)
    moment = local.time()
    return calendar.is_working_day(local.date()) and any(
        start <= moment <= end for start, end in hours.periods
    )


@PROPERTY_SETTINGS
@given(instants, durations(), calendars(), office_hours_choices)
def test_due_is_always_in_office_hours_of_a_working_day(
    received: datetime,
    duration: tuple[int, DurationUnit, bool],
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> None:
    amount, unit, same_day = duration
    due = due_at(received, amount, unit, same_day=same_day, calendar=calendar, office_hours=hours)
    assert in_office_hours(due, calendar, hours)
    assert due >= received
    assert due.tzinfo is VN_TZ


@PROPERTY_SETTINGS
@given(instants, instants, durations(), calendars(), office_hours_choices)
def test_due_is_monotonic_in_received_time(
    first: datetime,
    second: datetime,
    duration: tuple[int, DurationUnit, bool],
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> None:
    earlier, later = sorted((first, second))
    amount, unit, same_day = duration
    options = {"same_day": same_day, "calendar": calendar, "office_hours": hours}
    assert due_at(earlier, amount, unit, **options) <= due_at(later, amount, unit, **options)  # type: ignore[arg-type]


@PROPERTY_SETTINGS
@given(
    instants,
    st.sampled_from(list(DurationUnit)),
    st.integers(1, 60),
    st.integers(1, 60),
    calendars(),
    office_hours_choices,
)
def test_due_is_monotonic_in_duration(
    received: datetime,
    unit: DurationUnit,
    first: int,
    second: int,
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> None:
    shorter, longer = sorted((first, second))
    early = due_at(received, shorter, unit, calendar=calendar, office_hours=hours)
    late = due_at(received, longer, unit, calendar=calendar, office_hours=hours)
    assert early <= late
    if unit is not CD and shorter < longer:
        assert early < late


@PROPERTY_SETTINGS
@given(instants, st.sampled_from([WD, WH]), st.integers(1, 60), calendars(), office_hours_choices)
def test_working_time_from_reception_to_due_is_the_duration(
    received: datetime,
    unit: DurationUnit,
    duration: int,
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> None:
    due = due_at(received, duration, unit, calendar=calendar, office_hours=hours)
    expected = duration * (hours.working_day if unit is WD else timedelta(hours=1))
    assert calendar.working_time_between(received, due, office_hours=hours) == expected
    # And due is the earliest such instant: one microsecond earlier is not enough.
    short = calendar.working_time_between(
        received, due - timedelta(microseconds=1), office_hours=hours
    )
    assert short < expected


@PROPERTY_SETTINGS
@given(instants, st.integers(1, 60), calendars())
def test_calendar_days_end_on_the_first_working_day_from_the_nth_day(
    received: datetime, duration: int, calendar: WorkCalendar
) -> None:
    due = due_at(received, duration, CD, calendar=calendar)
    nth_day = received.astimezone(VN_TZ).date() + timedelta(days=duration)
    assert due.time() == DEFAULT_OFFICE_HOURS.closing
    assert due.date() >= nth_day
    day = nth_day
    while day < due.date():
        assert not calendar.is_working_day(day)
        day += timedelta(days=1)


@PROPERTY_SETTINGS
@given(instants, instants, instants, calendars(), office_hours_choices)
def test_extend_for_pause_never_moves_the_due_earlier(
    due: datetime, first: datetime, second: datetime, calendar: WorkCalendar, hours: OfficeHours
) -> None:
    paused_from, paused_to = sorted((first, second))
    office_due = calendar.add_working_time(due, timedelta(0), office_hours=hours)
    new_due = extend_for_pause(office_due, paused_from, paused_to, calendar, hours)
    assert new_due >= office_due
    assert in_office_hours(new_due, calendar, hours)
    paused = calendar.working_time_between(paused_from, paused_to, office_hours=hours)
    assert calendar.working_time_between(office_due, new_due, office_hours=hours) == paused


@PROPERTY_SETTINGS
@given(instants, instants, instants, calendars(), office_hours_choices)
def test_working_time_is_additive(
    first: datetime, second: datetime, third: datetime, calendar: WorkCalendar, hours: OfficeHours
) -> None:
    a, b, c = sorted((first, second, third))

    def between(x: datetime, y: datetime) -> timedelta:
        return calendar.working_time_between(x, y, office_hours=hours)

    assert between(a, c) == between(a, b) + between(b, c)


def minute_by_minute(start: datetime, end: datetime, hours: OfficeHours) -> timedelta:
    """Slow reference: count the whole minutes of office time in [start, end)."""
    minutes = 0
    current = start
    while current < end:
        if DEFAULT_CALENDAR.is_working_day(current.date()) and any(
            period_start <= current.time() < period_end
            for period_start, period_end in hours.periods
        ):
            minutes += 1
        current += timedelta(minutes=1)
    return timedelta(minutes=minutes)


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(min_value=LOW, max_value=HIGH).map(
        lambda value: value.replace(second=0, microsecond=0, tzinfo=VN_TZ)
    ),
    st.integers(0, 3 * 24 * 60),
    office_hours_choices,
)
def test_working_time_between_matches_a_minute_by_minute_count(
    start: datetime, minutes: int, hours: OfficeHours
) -> None:
    end = start + timedelta(minutes=minutes)
    assert working_time_between(start, end, office_hours=hours) == minute_by_minute(
        start, end, hours
    )


@PROPERTY_SETTINGS
@given(st.datetimes(min_value=LOW, max_value=HIGH), durations())
def test_naive_datetimes_are_never_accepted(
    received: datetime, duration: tuple[int, DurationUnit, bool]
) -> None:
    amount, unit, same_day = duration
    with pytest.raises(ValueError, match="naive"):
        due_at(received, amount, unit, same_day=same_day)
    with pytest.raises(ValueError, match="naive"):
        working_time_between(received, received)
