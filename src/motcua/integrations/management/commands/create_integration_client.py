"""``motcua create-integration-client NAME --unit CODE --scope intake``.

Creates an API client for another system and prints its token **once**: only the
token's SHA-256 is kept, so store it in the other system's secrets now. The client
calls the API with ``Authorization: Token <token>``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.clock import local_now
from motcua.core.errors import DomainError
from motcua.integrations.clients import SCOPES, integration_client_create
from motcua.units.models import Unit


class Command(BaseCommand):
    help = "Create an integration client (API token) and print its token once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the client, e.g. national-portal.")
        parser.add_argument(
            "--unit",
            required=True,
            help="Electronic agency ID of the unit it hands dossiers to by default.",
        )
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            help=f"What it may do; repeat for several. Known: {', '.join(SCOPES)}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"--unit: no unit with the code {options['unit']!r}.")
        if not unit.is_valid_on(local_now().date()):
            raise CommandError(f"--unit: the unit {unit.code} no longer exists.")
        try:
            client, token = integration_client_create(
                name=options["name"], unit=unit, scopes=options["scopes"]
            )
        except DomainError as exc:
            raise CommandError(f"{exc.field or 'error'}: {exc.message}") from None
        self.stderr.write(
            f"Created integration client {client.name} (id {client.pk}) for {unit.code} "
            f"with scopes {', '.join(client.scopes)}. The token is shown only now:"
        )
        self.stdout.write(token)
