"""Demo data for the embedded default: officers with roles, citizens, dossiers.

Passwords are generated per installation and kept in ``var/demo-logins.txt``
(never in the repository). Officers need a TOTP code: ``motcua totp-code USER``
prints the current one in the development environment.

The demo dossiers (``motcua.demo.scenarios``) are created through the dossier services
and then given realistic past times by the demo-only ``motcua.demo.retime``. The
command is idempotent: a second run creates nothing and prints the same summary.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from motcua.demo.loader import (
    DEMO_UNIT_CODES,
    demo_citizens_load,
    demo_dossiers_load,
    demo_officers_load,
    demo_summary,
)
from motcua.dossiers.models import Status
from motcua.units.models import Unit

DEMO_UNIT_CODE = "H01.00070"  # Ủy ban nhân dân Phường Hoàn Kiếm, Hà Nội


class Command(BaseCommand):
    help = "Load demo officers, citizens and dossiers (development only); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LOCAL:
            raise CommandError("load-demo is for the development environment only.")
        if Unit.objects.filter(code__in=DEMO_UNIT_CODES).count() < len(DEMO_UNIT_CODES):
            call_command("load_units", stdout=self.stdout)
        logins_file = settings.VAR_DIR / "demo-logins.txt"
        lines = demo_officers_load()
        if lines:
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            with logins_file.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")
            logins_file.chmod(0o600)
        demo_citizens_load()
        try:
            report = demo_dossiers_load()
        except LookupError as exc:
            raise CommandError(f"{exc}: motcua catalog import {_SEED}") from None
        s = demo_summary()
        statuses = ", ".join(
            f"{Status(status).label} {s['statuses'][status]}"
            for status in Status.values
            if s["statuses"][status]
        )
        self.stdout.write(
            f"Demo data ready: {s['dossiers']} dossiers ({report.created} created now) at "
            f"{s['units']} units in {s['provinces']} provinces — {statuses}; "
            f"{s['officers']} officers, {s['citizens']} citizens; logins in {logins_file}."
        )


_SEED = "src/motcua/catalog/seed/procedures.json"
