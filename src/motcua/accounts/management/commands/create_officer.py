from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.services import officer_create


class Command(BaseCommand):
    help = "Create an officer account with a TOTP second factor; prints the enrolment URI once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--superuser", action="store_true")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            password = self.stdin.readline().rstrip("\n") if hasattr(self, "stdin") else input()
        else:
            password = getpass.getpass("Password: ")
        try:
            user, device = officer_create(
                username=options["username"],
                full_name=options["full_name"],
                email=options["email"],
                password=password,
                is_superuser=options["superuser"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        self.stdout.write(f"Created officer {user.username} (id {user.pk}).")
        self.stdout.write("Add this to the officer's authenticator app (shown once):")
        self.stdout.write(device.config_url)
