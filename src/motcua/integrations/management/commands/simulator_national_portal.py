"""``motcua simulator national-portal --port 9003``: the national portal's sync endpoint.

Receives the dossier messages motcua's outbox sends (``simulators/national_portal``),
JSON over HTTP with a bearer token, and keeps them in memory. Point motcua at it with
the lines it prints. Development and tests only.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from simulators.national_portal.app import NationalPortalSimulator
from simulators.wsgi import make_simulator_server


class Command(BaseCommand):
    help = "Run the national portal simulator (dossier sync receiver) on its own port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9003)
        parser.add_argument(
            "--token", action="append", help="Accepted bearer token (repeat). Default: generated."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = options["token"] or [secrets.token_urlsafe(32)]
        simulator = NationalPortalSimulator(tokens=tokens)
        server = make_simulator_server(simulator, host=options["host"], port=options["port"])
        url = f"http://{options['host']}:{server.server_port}"
        self.stdout.write(
            f"National portal simulator (dossier sync) at {url}\n"
            f"  MOTCUA_NATIONAL_PORTAL_SENDER=motcua.integrations.national_portal.send\n"
            f"  MOTCUA_NATIONAL_PORTAL_URL={url}\n"
            f"  MOTCUA_NATIONAL_PORTAL_TOKEN={tokens[0]}"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
