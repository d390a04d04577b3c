"""``motcua simulator national-id --port 9001``: the national e-ID simulator as a process.

An OpenID Connect provider over the synthetic population (``simulators/national_id``).
Point motcua's login at it with the lines it prints (``OIDC_ISSUER``, client id and
secret); ``docs/oidc.md`` explains the options. Synthetic data, development only.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from simulators.national_id.provider import NationalIdProvider, RegisteredClient, signing_key
from simulators.population.generator import DEFAULT_SEED, DEFAULT_SIZE, Population
from simulators.wsgi import make_simulator_server, mounted_at


class Command(BaseCommand):
    help = "Run the national e-ID (OpenID Connect) simulator on its own port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9001)
        parser.add_argument(
            "--issuer",
            help="Issuer URL (default http://HOST:PORT); a path in it is served too, "
            "e.g. http://127.0.0.1:9001/realms/vneid.",
        )
        parser.add_argument("--client-id", default="motcua")
        parser.add_argument("--client-secret", help="Default: generated and printed.")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            help="Allowed redirect URI (repeat). Default: motcua on 127.0.0.1:8000 and "
            "localhost:8000.",
        )
        parser.add_argument("--personal-id-claim", default="personal_id")
        parser.add_argument("--personal-id-scope", default="national_id")
        parser.add_argument(
            "--claims-in",
            choices=["id_token", "userinfo"],
            default="id_token",
            help="Where the identity claims go: in the ID token, or only at /userinfo.",
        )
        parser.add_argument("--key-file", type=Path, help="PEM signing key (made if missing).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--size", type=int, default=DEFAULT_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        issuer = (options["issuer"] or f"http://{host}:{port}").rstrip("/")
        parts = urlsplit(issuer)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise CommandError("--issuer must be an http(s) URL.")
        secret = options["client_secret"] or secrets.token_urlsafe(32)
        redirects = tuple(
            options["redirect_uri"]
            or [
                "http://127.0.0.1:8000/accounts/oidc/callback/",
                "http://localhost:8000/accounts/oidc/callback/",
            ]
        )
        provider = NationalIdProvider(
            clients=[RegisteredClient(options["client_id"], secret, redirect_uris=redirects)],
            key=signing_key(options["key_file"]),
            issuer=issuer,
            people=Population(seed=options["seed"], size=options["size"]),
            personal_id_claim=options["personal_id_claim"],
            personal_id_scope=options["personal_id_scope"],
            claims_in_id_token=options["claims_in"] == "id_token",
        )
        server = make_simulator_server(mounted_at(provider, parts.path), host=host, port=port)
        self.stdout.write(
            f"National e-ID simulator (synthetic data) at {issuer}\n"
            f"  OIDC_ISSUER={issuer}\n"
            f"  OIDC_CLIENT_ID={options['client_id']}\n"
            f"  OIDC_CLIENT_SECRET={secret}\n"
            f"  OIDC_SCOPES=openid profile {options['personal_id_scope']}\n"
            f"  OIDC_CLAIM_PERSONAL_ID={options['personal_id_claim']}\n"
            f"  redirect URIs: {' '.join(redirects)}"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
