from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Print the local URL and the demo logins (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://127.0.0.1:{options['port']}"
        logins = settings.VAR_DIR / "demo-logins.txt"
        rule = "=" * 72
        self.stdout.write(rule)
        self.stdout.write(f" motcua is starting on {url}/")
        self.stdout.write(f"   officers and administration: {url}/admin/")
        self.stdout.write(f"   health check:                {url}/healthz")
        self.stdout.write(f"   API (OpenAPI 3):             {url}/api/v1/docs/")
        if logins.exists():
            self.stdout.write(" demo logins (username, password, role @ unit) — development only:")
            for line in logins.read_text(encoding="utf-8").splitlines():
                self.stdout.write(f"   {line}")
            self.stdout.write(
                " officers also need a TOTP code: .venv/bin/motcua totp-code USERNAME"
            )
        self.stdout.write(rule)
