from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.audit.services import audit_verify


class Command(BaseCommand):
    help = "Walk the audit hash chains; print OK or name the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain", help="verify one chain only (e.g. a province)")

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = audit_verify(chain=options.get("chain"))
        if not breaks:
            self.stdout.write("OK")
            return
        for item in breaks:
            where = f"entry id={item.entry_id}" if item.entry_id else "chain head"
            self.stderr.write(f"BROKEN chain={item.chain} seq={item.seq} {where}: {item.reason}")
        raise CommandError(f"audit chain broken in {len(breaks)} chain(s)")
