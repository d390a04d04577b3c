"""Where the time of one submission goes: the real intake request, profiled in-process.

    .venv/bin/python bench/profile_submission.py [--count 300] [--database motcua_bench1m]

Sends ``--count`` hand-overs (``POST /api/v1/intake/dossiers/`` with an
``Idempotency-Key``) through Django's test client with production settings on the
PostgreSQL benchmark database, and prints:

* wall time per submission, split into time waiting for PostgreSQL (every statement
  timed) and time in Python;
* statements per submission by kind;
* the functions with the most cumulative time (cProfile), the project's own first.

No server and no network: this is the application's own cost, the part a faster
server cannot hide.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import common  # noqa: E402
import scenarios  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database", default=scenarios.DB)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    url = common.db_url(args.database)
    scenarios.DB, scenarios.URL = args.database, url
    clients = scenarios.intake_clients()
    os.environ.update(common.server_env(url, 8000))
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.config.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    rng = random.Random(7)
    client = Client(SERVER_NAME="127.0.0.1")
    db_seconds = 0.0
    kinds: dict[str, int] = {}

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal db_seconds
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_seconds += time.perf_counter() - t0
            verb = sql.lstrip().split(None, 1)[0].upper()
            kinds[verb] = kinds.get(verb, 0) + 1

    def submit(n: int) -> None:
        token, _unit = clients[n % len(clients)]
        response = client.post(
            scenarios.INTAKE,
            data=json.dumps(scenarios.submission_body(rng)),
            content_type="application/json",
            headers={"Authorization": f"Token {token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.content[:500]

    for n in range(20):  # warm-up: imports, caches, connections
        submit(n)
    profiler = cProfile.Profile()
    with connection.execute_wrapper(timed):
        db_seconds = 0.0
        kinds.clear()
        t0 = time.perf_counter()
        profiler.enable()
        for n in range(args.count):
            submit(n)
        profiler.disable()
        wall = time.perf_counter() - t0
    per = wall / args.count * 1000
    db = db_seconds / args.count * 1000
    print(
        f"{args.count} submissions: {per:.2f} ms each — "
        f"PostgreSQL {db:.2f} ms, Python {per - db:.2f} ms"
    )
    print(
        "statements per submission: "
        + ", ".join(
            f"{k} {v / args.count:.1f}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])
        )
    )
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats("motcua", args.top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
