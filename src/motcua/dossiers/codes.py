"""Dossier codes: ``{agency e-ID}-{YYMMDD}-{daily sequence ≥ 4 digits}`` (DOMAIN §4).

One counter row per (agency, day), taken with a row lock inside the receiving
transaction: concurrent receptions at one agency queue on that row only, and a rolled
back reception rolls its number back too, so numbers have no gaps and no repeats.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from motcua.dossiers.models import DossierCodeSequence


def next_dossier_code(agency_code: str, day: date) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a dossier code is taken inside the reception transaction")
    try:
        with transaction.atomic():
            DossierCodeSequence.objects.get_or_create(agency_code=agency_code, day=day)
    except IntegrityError:  # created concurrently by another reception: fine
        pass
    counter = DossierCodeSequence.objects.select_for_update().get(agency_code=agency_code, day=day)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{agency_code}-{day:%y%m%d}-{counter.last_value:04d}"
