"""``motcua outbox-deliver``: send the national portal its pending dossier messages.

The embedded default (no Celery broker) runs it from cron, like ``motcua overdue-scan``::

    * * * * *  motcua outbox-deliver --once

or as a long-running service (``motcua outbox-deliver --interval 5``). Messages go out
in order per dossier with the sender of ``MOTCUA_NATIONAL_PORTAL_SENDER``; a message the
portal does not acknowledge stays pending and is retried with growing backoff
(``attempts``, ``next_attempt_at``, ``last_error`` on the row). Stop the loop with
Ctrl-C or SIGTERM: a delivery round in progress commits or rolls back whole.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from motcua.core.clock import now
from motcua.integrations.models import OutboxMessage
from motcua.integrations.national_portal import TOPIC, configured_sender, national_portal_deliver


class Command(BaseCommand):
    help = "Deliver pending national-portal messages from the outbox (once, or in a loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One round, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between rounds (default 5)."
        )
        parser.add_argument(
            "--limit", type=int, default=200, help="Messages per round (default 200)."
        )
        parser.add_argument(
            "--until-empty",
            action="store_true",
            help="Exit when no message of the topic is pending any more.",
        )
        parser.add_argument(
            "--max-seconds", type=float, default=0, help="Exit after this long (0: never)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        send = configured_sender()
        if send is None:
            raise CommandError(
                "No sender: set MOTCUA_NATIONAL_PORTAL_SENDER="
                "motcua.integrations.national_portal.send (docs/national-portal.md)."
            )
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
        started = time.monotonic()
        total = 0
        while True:
            try:
                delivered = national_portal_deliver(limit=options["limit"], send=send)
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from None
            total += delivered
            pending = OutboxMessage.objects.filter(topic=TOPIC, delivered_at__isnull=True)
            waiting = pending.count()
            failing = pending.filter(next_attempt_at__gt=now()).count()
            if delivered or options["verbosity"] > 1 or options["once"]:
                self.stdout.write(
                    f"delivered {delivered} (total {total}); pending {waiting}, "
                    f"of which {failing} waiting for a retry"
                )
                self.stdout.flush()
            if options["once"] or stopping:
                break
            if options["until_empty"] and waiting == 0:
                break
            if options["max_seconds"] and time.monotonic() - started >= options["max_seconds"]:
                break
            close_old_connections()
            if delivered < options["limit"]:
                time.sleep(options["interval"])
            if stopping:
                break
