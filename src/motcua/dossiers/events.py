"""Small typed writers of the dossier timeline and of the national-portal sync message."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from motcua.accounts.models import User
from motcua.core.clock import VIETNAM, now
from motcua.dossiers.lookup_cache import lookup_forget
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations.outbox import outbox_enqueue
from motcua.units.models import Unit

SYNC_TOPIC = "national_portal.dossier"

# Hooks run after the transaction that changed a dossier commits: (dossier id, action).
# Upper or side apps (notifications, workflow mirrors) register in AppConfig.ready().
AfterChange = Callable[[int, str], None]
_after_change: list[AfterChange] = []


def register_after_change(hook: AfterChange) -> None:
    if hook not in _after_change:
        _after_change.append(hook)


def _schedule_hooks(dossier_id: int, action: str) -> None:
    for hook in list(_after_change):
        transaction.on_commit(functools.partial(hook, dossier_id, action), robust=True)


def event_add(
    dossier: Dossier,
    *,
    action: str,
    from_status: str,
    actor: User | None,
    actor_unit: Unit | None = None,
    to_unit: Unit | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """Append one event; the caller holds the dossier's row lock (seq has no races)."""
    last = dossier.events.aggregate(m=Max("seq"))["m"] or 0
    _schedule_hooks(dossier.pk, action)
    if dossier.code:  # the public look-up shows the new state from the commit on
        transaction.on_commit(
            functools.partial(lookup_forget, dossier.code, dossier.applicant_id_number),
            robust=True,
        )
    return DossierEvent.objects.create(
        dossier=dossier,
        seq=last + 1,
        occurred_at=now(),
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=actor,
        actor_unit=actor_unit,
        to_unit=to_unit,
        reason=reason,
        data=data or {},
        due_at=dossier.due_at,
    )


def _stamp(value: datetime | None) -> str | None:
    return value.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S") if value else None


def sync_record(dossier: Dossier) -> dict[str, Any]:
    """The dossier as the national portal receives it (Circular 04/2025 data set, subset)."""
    version = dossier.procedure_version
    return {
        "MaHoSo": dossier.code,
        "MaHoSoQuocGia": dossier.external_code,
        "MaTTHC": version.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.sector.code,
        "KenhThucHien": {"in_person": 1, "online": 2, "post": 3}[dossier.channel],
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": 1 if dossier.applicant_kind == "citizen" else 2,
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "TrangThaiHoSo": dossier.national_status,
        "NgayNopHoSo": _stamp(dossier.submitted_at),
        "NgayTiepNhan": _stamp(dossier.received_at),
        "NgayHenTra": _stamp(dossier.due_at),
        "NgayTra": _stamp(dossier.returned_at),
        "NgayKetThucXuLy": _stamp(dossier.ended_at),
        "DonViXuLy": dossier.handling_unit.code,
        "DonViTiepNhan": dossier.receiving_unit.code,
        "TaiKhoanDuocXacThucVoiVNeID": 1 if dossier.verified_with_national_id else 0,
    }


def sync_enqueue(dossier: Dossier) -> None:
    outbox_enqueue(
        topic=SYNC_TOPIC,
        key=str(dossier.reference),
        payload=sync_record(dossier),
        province_code=dossier.province_code,
    )
