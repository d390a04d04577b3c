"""``motcua overdue-scan``: put apology letters due soon on the officers' lists.

Idempotent; run it every half hour (cron) when there is no Celery beat.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.dateparse import parse_datetime

from motcua.core.clock import VIETNAM
from motcua.dossiers.overdue import notice_hours, overdue_scan


class Command(BaseCommand):
    help = "Open the apology-and-extension follow-ups of dossiers about to be late."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at",
            help="Scan as of this local time (YYYY-MM-DD HH:MM), for replays; default: now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options.get("at"):
            parsed = parse_datetime(options["at"])
            if parsed is None:
                self.stderr.write("--at: write YYYY-MM-DD HH:MM")
                raise SystemExit(2)
            at = parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM)
        result = overdue_scan(at=at)
        self.stdout.write(
            f"overdue-scan: {result.listed} dossier(s) listed "
            f"(notice {notice_hours()} working hours), {len(result.opened)} new, "
            f"{result.closed} follow-up(s) closed"
        )
