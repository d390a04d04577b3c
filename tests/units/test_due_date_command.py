"""``motcua due-date``: the legal due instant from the command line."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.__main__ import main


def cli(received: str, duration: str, unit: str, *extra: str) -> list[str]:
    return ["--received", received, "--duration", duration, "--unit", unit, *extra]


def due_date(*args: str) -> str:
    out = StringIO()
    call_command("due_date", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Wed 3/2/2027 16:10 + 3 working days, across Tết (Thu 4/2–Wed 10/2) → Mon 15/2.
        (
            cli("2027-02-03 16:10", "3", "working-days"),
            "2027-02-15T16:10:00+07:00",
        ),
        # The same instant given in UTC with an offset.
        (
            cli("2027-02-03T09:10:00Z", "3", "working-days"),
            "2027-02-15T16:10:00+07:00",
        ),
        (
            cli("2027-02-03T16:10+07:00", "3", "working-days"),
            "2027-02-15T16:10:00+07:00",
        ),
        # Mon 2/3/2026 + 5 calendar days = Sat 7/3 → closing of Mon 9/3.
        (
            cli("2026-03-02 10:00", "5", "calendar-days"),
            "2026-03-09T17:00:00+07:00",
        ),
        # 10:00 + 4 working hours across lunch → 16:00.
        (
            cli("2026-03-03 10:00", "4", "working-hours"),
            "2026-03-03T16:00:00+07:00",
        ),
        # Same-day procedure before / at 15:00.
        (
            cli("2026-03-03 14:59", "1", "working-days", "--same-day"),
            "2026-03-03T17:00:00+07:00",
        ),
        (
            cli("2026-03-03 15:00", "0", "working-days", "--same-day"),
            "2026-03-04T17:00:00+07:00",
        ),
        # Admin adjustments: Thu 31/12/2026 off → Mon 4/1/2027; Sat 7/3/2026 worked.
        (
            cli("2026-12-30 16:10", "1", "working-days", "--days-off", "2026-12-31"),
            "2027-01-04T16:10:00+07:00",
        ),
        (
            cli(
                "2026-03-06 16:10", "1", "working-days", "--working-days", "2026-03-07, 2026-03-14"
            ),
            "2026-03-07T16:10:00+07:00",
        ),
    ],
)
def test_prints_the_due_instant_on_one_line(args: list[str], expected: str) -> None:
    assert due_date(*args) == expected + "\n"


def test_keyword_options_work_too() -> None:
    out = StringIO()
    call_command(
        "due_date", received="2026-03-03 16:10", duration="1", unit="working-days", stdout=out
    )
    assert out.getvalue() == "2026-03-04T16:10:00+07:00\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (cli("tomorrow", "1", "working-days"), "--received"),
        (cli("2026-02-30 10:00", "1", "working-days"), "--received"),
        (cli("2026-03-03", "1", "working-days"), "--received: .* no time of day"),
        (cli("2026-03-03 10:00", "x", "working-days"), "--duration: .* whole number"),
        (cli("2026-03-03 10:00", "0", "working-days"), "--duration: must be at least 1"),
        (cli("2026-03-03 10:00", "-2", "working-hours"), "--duration: must be at least 1"),
        (cli("2026-03-03 10:00", "99999", "calendar-days"), "--duration: .* exceeds"),
        (cli("2026-03-03 10:00", "1", "weeks"), '--unit: unknown unit "weeks"'),
        (cli("2026-03-03 10:00", "2", "working-days", "--same-day"), "--same-day"),
        (cli("2026-03-03 10:00", "1", "calendar-days", "--same-day"), "--same-day"),
        (
            cli("2026-03-03 10:00", "1", "working-days", "--days-off", "2026-13-01"),
            '--days-off: "2026-13-01"',
        ),
        (
            cli("2026-03-03 10:00", "1", "working-days", "--working-days", "soon"),
            '--working-days: "soon"',
        ),
        (
            cli(
                "2026-03-03 10:00",
                "1",
                "working-days",
                "--days-off",
                "2026-03-07",
                "--working-days",
                "2026-03-07",
            ),
            "both off and working",
        ),
        (["--duration", "1", "--unit", "working-days"], "--received"),
    ],
)
def test_bad_input_names_the_option(args: list[str], message: str) -> None:
    out = StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("due_date", *args, stdout=out)
    assert out.getvalue() == ""


def test_the_motcua_console_command_maps_due_date(capsys: pytest.CaptureFixture[str]) -> None:
    main(["motcua", "due-date", *cli("2026-08-21 16:10", "1", "working-days")])
    # Saturday 22/8/2026 is a working day (swapped with Monday 31/8).
    assert capsys.readouterr().out == "2026-08-22T16:10:00+07:00\n"


# --- --province: the days administrators keep (units.CalendarAdjustment) ------------------
@pytest.fixture
def adjustments(db: None) -> None:
    from motcua.units.models import AdjustmentKind, CalendarAdjustment, Unit, UnitLevel

    for code in ("01", "79"):
        Unit.objects.create(
            code=f"H{code}", name=f"Tỉnh {code}", level=UnitLevel.PROVINCE, province_code=code
        )
    CalendarAdjustment.objects.create(
        day=date(2026, 12, 31), kind=AdjustmentKind.DAY_OFF, province_code="01", reason="Nghỉ"
    )
    CalendarAdjustment.objects.create(
        day=date(2026, 3, 7), kind=AdjustmentKind.WORKING_DAY, reason="Làm bù toàn quốc"
    )
    CalendarAdjustment.objects.create(
        day=date(2026, 3, 7), kind=AdjustmentKind.DAY_OFF, province_code="79", reason="Nghỉ"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Thursday 31/12/2026 off in Hà Nội only.
        (
            cli("2026-12-30 16:10", "1", "working-days", "--province", "01"),
            "2027-01-04T16:10:00+07:00",
        ),
        (cli("2026-12-30 16:10", "1", "working-days", "--province", "H01"), "2027-01-04"),
        (
            cli("2026-12-30 16:10", "1", "working-days", "--province", "79"),
            "2026-12-31T16:10:00+07:00",
        ),
        # Saturday 7/3/2026 worked nationwide, but the province 79 overrides it with a day off.
        (
            cli("2026-03-06 16:10", "1", "working-days", "--province", "01"),
            "2026-03-07T16:10:00+07:00",
        ),
        (
            cli("2026-03-06 16:10", "1", "working-days", "--province", "79"),
            "2026-03-09T16:10:00+07:00",
        ),
        # The options are merged in and win over the stored days.
        (
            cli(
                "2026-12-30 16:10",
                "1",
                "working-days",
                "--province",
                "01",
                "--working-days",
                "2026-12-31",
            ),
            "2026-12-31T16:10:00+07:00",
        ),
        (
            cli(
                "2026-03-06 16:10",
                "1",
                "working-days",
                "--province",
                "01",
                "--days-off",
                "2026-03-07,2026-03-09",
            ),
            "2026-03-10T16:10:00+07:00",
        ),
    ],
)
def test_province_applies_the_stored_adjustments(
    adjustments: None, args: list[str], expected: str
) -> None:
    assert due_date(*args).startswith(expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (cli("2026-03-03 10:00", "1", "working-days", "--province", "99"), '"99"'),
        (cli("2026-03-03 10:00", "1", "working-days", "--province", "Hà Nội"), "2-digit"),
        (
            cli(
                "2026-03-03 10:00",
                "1",
                "working-days",
                "--province",
                "01",
                "--days-off",
                "2026-03-07",
                "--working-days",
                "2026-03-07",
            ),
            "both off and working",
        ),
    ],
)
def test_bad_province_input_names_the_option(
    adjustments: None, args: list[str], message: str
) -> None:
    out = StringIO()
    with pytest.raises(CommandError, match=f"--.*{message}"):
        call_command("due_date", *args, stdout=out)
    assert out.getvalue() == ""


def test_the_console_command_takes_the_province(
    adjustments: None, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["motcua", "due-date", *cli("2026-12-30 16:10", "1", "working-days"), "--province=01"])
    assert capsys.readouterr().out == "2027-01-04T16:10:00+07:00\n"
