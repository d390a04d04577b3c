"""``motcua purge-idempotency``: delete idempotency records older than ``--hours`` (48).

Records answer repeated commands (``Idempotency-Key``); clients are promised at least
24 hours, so a shorter retention is refused. Run it daily (cron, Celery beat)::

    motcua purge-idempotency --hours 48
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.idempotency import MIN_RETENTION_HOURS, idempotency_purge


class Command(BaseCommand):
    help = "Delete idempotency records older than --hours (default 48, at least 24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=48,
            help=f"Keep records younger than this many hours (at least {MIN_RETENTION_HOURS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours: int = options["hours"]
        if hours < MIN_RETENTION_HOURS:
            raise CommandError(
                f"--hours must be at least {MIN_RETENTION_HOURS}: clients may repeat a command "
                "for 24 hours and must get the first answer."
            )
        deleted = idempotency_purge(older_than=timedelta(hours=hours))
        self.stdout.write(f"Deleted {deleted} idempotency records older than {hours} hours.")
