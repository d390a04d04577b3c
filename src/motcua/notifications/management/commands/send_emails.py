"""``motcua send-emails``: deliver e-mails still waiting (run it from cron or a worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.notifications.services import emails_send_pending


class Command(BaseCommand):
    help = "Send the e-mails that are still waiting (failed deliveries are retried)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        sent = emails_send_pending(limit=options["limit"])
        self.stdout.write(f"sent: {sent}")
