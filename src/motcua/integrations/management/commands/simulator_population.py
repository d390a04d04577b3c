"""``motcua simulator population --port 9002``: the population database simulator.

The look-up of DOMAIN §9 over the synthetic population (``simulators/population``),
JSON over HTTP with an API key. Point motcua at it with the lines it prints
(``POPULATION_URL``, ``POPULATION_API_KEY``). Synthetic data, development only.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from simulators.population.app import PopulationSimulator
from simulators.population.generator import DEFAULT_SEED, DEFAULT_SIZE, Population
from simulators.wsgi import make_simulator_server


class Command(BaseCommand):
    help = "Run the population database simulator on its own port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9002)
        parser.add_argument(
            "--api-key", action="append", help="Accepted API key (repeat). Default: generated."
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--size", type=int, default=DEFAULT_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        keys = options["api_key"] or [secrets.token_urlsafe(32)]
        simulator = PopulationSimulator(
            api_keys=keys, people=Population(seed=options["seed"], size=options["size"])
        )
        server = make_simulator_server(simulator, host=options["host"], port=options["port"])
        url = f"http://{options['host']}:{server.server_port}"
        self.stdout.write(
            f"Population database simulator (synthetic data) at {url}\n"
            f"  POPULATION_URL={url}\n"
            f"  POPULATION_API_KEY={keys[0]}"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
