"""DEMO ONLY: give a freshly created demo dossier a realistic past.

Demo dossiers are created through ``motcua.dossiers.services`` like any other (the
services keep the lifecycle, permissions, event, audit entry and outbox message), so
every step happens *now*, a few milliseconds apart. ``demo_dossier_retime`` then moves
the timestamps of that one dossier onto a believable timeline (submitted last Tuesday
at 08:05, received at 08:40, …) and replays the legal-time rules on it, so the dossier
reads as if the services had run at those instants:

* each event's ``occurred_at`` and ``due_at``;
* the dossier's submitted/received/due/first-promised/paused/result/returned/ended
  times: the due instant is computed from the new reception instant with the case's
  duration and the province's calendar (``core.calendar``, ``units.selectors``), moved by
  the working time of a supplement pause, and by the same working time as the original
  apology-and-extension;
* the dossier code, which names the day of reception: the number the service took
  today is given back (the counter row is still locked by this transaction) and a
  number of the new day is taken, so codes stay without gaps or repeats;
* the national-portal messages waiting in the outbox for this dossier (dates, code).

Never used by the product: it lives in ``motcua.demo`` and must run inside the
transaction that created the dossier. The audit log is **not** touched: its entries
keep the instant they were really written (the hash chain stays valid and honest).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction

from motcua.core.calendar import (
    VN_TZ,
    DurationUnit,
    add_working_time,
    due_at,
    extend_for_pause,
    working_time_between,
)
from motcua.dossiers.codes import next_dossier_code
from motcua.dossiers.events import SYNC_TOPIC
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent
from motcua.integrations.models import OutboxMessage
from motcua.units.models import Unit, UnitLevel
from motcua.units.selectors import office_hours, work_calendar

_CODE = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<number>\d{4,})$")


class RetimeError(RuntimeError):
    """The demo timeline does not fit the dossier (a bug in the demo data)."""


def _stamp(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S") if value else None


def _due_from_reception(dossier: Dossier, received: datetime, handling: Unit) -> datetime:
    """The same rule as the reception service: the case's way for the channel."""
    case = dossier.case
    way = case.ways.filter(channel=dossier.channel).first() or case.ways.first()
    if way is None:
        raise RetimeError(f"{dossier}: the case has no way of performing")
    unit = DurationUnit(way.duration_unit)
    return due_at(
        received,
        way.duration,
        unit,
        same_day=case.same_day_rule and unit is DurationUnit.WORKING_DAYS and way.duration <= 1,
        calendar=work_calendar(dossier.province_code),
        office_hours=office_hours(handling),
    )


def _day(yymmdd: str) -> date:
    return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))


def _code_for_day(dossier: Dossier, received: datetime) -> str:
    """Give back today's number (still locked by this transaction), take the new day's."""
    match = _CODE.match(dossier.code or "")
    if match is None:
        raise RetimeError(f"{dossier}: no dossier code to move")
    taken = int(match["number"])
    counter = DossierCodeSequence.objects.select_for_update().get(
        agency_code=match["agency"], day=_day(match["day"])
    )
    if counter.last_value != taken:
        raise RetimeError(f"{dossier.code}: the number is not the last one taken today")
    counter.last_value -= 1
    if counter.last_value:
        counter.save(update_fields=["last_value"])
    else:
        counter.delete()
    return next_dossier_code(match["agency"], received.astimezone(VN_TZ).date())


def demo_dossier_retime(dossier: Dossier, instants: Sequence[datetime]) -> Dossier:
    """DEMO ONLY. Move ``dossier``'s timeline to ``instants`` (one per event, in order).

    Must run in the transaction that created the dossier, right after its last service
    call. Returns the dossier as stored afterwards.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RetimeError("demo_dossier_retime runs inside the demo dossier's transaction")
    events = list(dossier.events.order_by("seq"))
    messages = list(
        OutboxMessage.objects.filter(topic=SYNC_TOPIC, key=str(dossier.reference)).order_by("id")
    )
    if len(instants) != len(events) or len(messages) != len(events):
        raise RetimeError(
            f"{dossier}: {len(events)} events, {len(messages)} messages, {len(instants)} times"
        )
    if any(later < earlier for earlier, later in itertools.pairwise(instants)):
        raise RetimeError(f"{dossier}: the demo timeline goes back in time")

    receiving = dossier.receiving_unit
    handling: Unit = (
        receiving.parent  # type: ignore[assignment]
        if receiving.level == UnitLevel.ONE_STOP and receiving.parent_id is not None
        else receiving
    )
    calendar = work_calendar(dossier.province_code)
    state: dict[str, Any] = dict.fromkeys(
        [
            "submitted_at",
            "received_at",
            "due_at",
            "original_due_at",
            "paused_at",
            "result_ready_at",
            "returned_at",
            "ended_at",
        ]
    )
    code: str | None = None
    for event, message, at in zip(events, messages, instants, strict=True):
        action = event.action
        if action == "submit":
            state["submitted_at"] = at
        elif action == "receive":
            code = _code_for_day(dossier, at)
            state["received_at"] = at
            state["due_at"] = state["original_due_at"] = _due_from_reception(dossier, at, handling)
            event.data = {**event.data, "code": code}
        elif action == "request_supplement":
            state["paused_at"] = at
        elif action == "supplement":
            state["due_at"] = extend_for_pause(
                state["due_at"], state["paused_at"], at, calendar, office_hours(handling)
            )
            paused = working_time_between(state["paused_at"], at, calendar=calendar)
            state["paused_at"] = None
            event.data = {**event.data, "paused_working_seconds": int(paused.total_seconds())}
        elif action in {"forward", "send_back"} and event.to_unit_id is not None:
            handling = event.to_unit  # type: ignore[assignment]
        elif action == "mark_result_ready":
            state["result_ready_at"] = state["ended_at"] = at
        elif action == "return_result":
            state["returned_at"] = at
        elif action in {"refuse", "withdraw", "stop"}:
            state["ended_at"] = at
            state["paused_at"] = None
        elif action == "apologise_extend":
            old = datetime.fromisoformat(event.data["old_due"])
            new = datetime.fromisoformat(event.data["new_due"])
            longer = working_time_between(old, new, calendar=calendar)
            previous = state["due_at"]
            state["due_at"] = add_working_time(previous, longer, calendar=calendar)
            event.data = {
                **event.data,
                "old_due": previous.isoformat(),
                "new_due": state["due_at"].isoformat(),
            }
        event.occurred_at = at
        event.due_at = state["due_at"]
        message.payload = {
            **message.payload,
            "MaHoSo": code,
            "NgayNopHoSo": _stamp(state["submitted_at"]),
            "NgayTiepNhan": _stamp(state["received_at"]),
            "NgayHenTra": _stamp(state["due_at"]),
            "NgayTra": _stamp(state["returned_at"]),
            "NgayKetThucXuLy": _stamp(state["ended_at"]),
        }
    DossierEvent.objects.bulk_update(events, ["occurred_at", "due_at", "data"])
    for message, at in zip(messages, instants, strict=True):
        OutboxMessage.objects.filter(pk=message.pk).update(payload=message.payload, created_at=at)
    # QuerySet.update: no auto_now, so updated_at takes the last instant of the timeline.
    Dossier.objects.filter(pk=dossier.pk).update(code=code, updated_at=instants[-1], **state)
    dossier.refresh_from_db()
    return dossier
