"""Catalog search benchmark (issue: procedure catalog).

Runs the production server command (gunicorn, production settings) on PostgreSQL with
the 4,400-procedure synthetic catalog, then drives it over HTTP on localhost with 8
concurrent keep-alive clients:

- baseline: ``/healthz`` (a bare view with one SELECT 1, same server, same settings);
- portal search: ``/thu-tuc/?q=<term>`` (server-rendered page);
- API search: ``/api/v1/procedures/?q=<term>``.

Each prints requests/s and p50/p95 latency and the ratio of its throughput to the
baseline measured in the same run, and appends a section to bench/RESULTS.md.
Usage: ``make bench-catalog`` (needs PostgreSQL on localhost; BENCH_DATABASE_URL overrides).

``BENCH_CPU=1`` (Linux) also measures the CPU time the server side spends per request:
gunicorn's processes and the benchmark database's PostgreSQL backends, read from
/proc. Unlike latency it hardly moves when other work shares the machine. Workers are
then not recycled (``--max-requests 0``), so no process's time is lost mid-run.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PORT = int(os.environ.get("BENCH_PORT", "8799"))
DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@localhost:5432/motcua_bench")
CLIENTS = 8
DURATION = float(os.environ.get("BENCH_SECONDS", "10"))
MEASURE_CPU = os.environ.get("BENCH_CPU") == "1" and Path("/proc/self/stat").exists()
TERMS = [
    "ho chieu",
    "giấy phép xây dựng",
    "DANG KY",
    "cap lai giay phep lai xe",
    "dat dai",
    "an toàn thực phẩm",
    "gia han",
    "9.000123",
]


def env() -> dict[str, str]:
    return common.server_env(DB, PORT)


def prepare() -> None:
    name = DB.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "localhost", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "localhost", "-U", "postgres", name], check=True)
    for args in (
        ["migrate", "-v0"],
        ["catalog", "generate", "--count", "4400"],
        ["catalog", "import", str(ROOT / "src/motcua/catalog/seed/procedures.json")],
    ):
        subprocess.run(
            [str(BIN / "motcua"), *args], env=env(), check=True, stdout=subprocess.DEVNULL
        )
    # Production runs autovacuum, which analyses a freshly loaded table within a minute;
    # a bench server may not (autovacuum off), and without statistics the planner guesses
    # one row per filter and ignores the search index. Measure the steady state.
    subprocess.run(
        ["vacuumdb", "-h", "localhost", "-U", "postgres", "--analyze", "--quiet", name],
        check=True,
    )


def measure(name: str, server: subprocess.Popen[bytes], paths: list[str]) -> dict[str, float]:
    """``CLIENTS`` keep-alive clients cycling ``paths`` for ``DURATION`` seconds."""
    cpu = (lambda: common.server_cpu(server.pid, common.db_name(DB))) if MEASURE_CPU else None
    r = common.run_load(
        name,
        PORT,
        lambda n, i: common.Request("GET", paths[(n + i) % len(paths)]),
        clients=CLIENTS,
        seconds=DURATION,
        cpu_of=cpu,
    )
    result = {"rps": r.rps, "p50": r.pct(50), "p95": r.pct(95), "errors": r.errors}
    if r.cpu_ms is not None:
        result["cpu"] = r.cpu_ms
    return result


def main() -> None:
    prepare()
    common.motcua(DB, "collectstatic", "--no-input", "-v0", port=PORT)
    server = common.start_server(
        DB, PORT, extra_args=("--max-requests", "0") if MEASURE_CPU else ()
    )
    try:
        measure("warm-up", server, ["/healthz"])
        base = measure("baseline /healthz", server, ["/healthz"])
        portal = measure("portal /thu-tuc/?q=", server, [f"/thu-tuc/?q={quote(t)}" for t in TERMS])
        api = measure(
            "api /api/v1/procedures/?q=",
            server,
            [f"/api/v1/procedures/?q={quote(t)}" for t in TERMS],
        )
    finally:
        common.stop_server(server)
    lines = [
        f"\n## Catalog search — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; "
        f"PostgreSQL on localhost; 4,400 synthetic + seed procedures; {CLIENTS} clients, "
        f"{DURATION:.0f} s each; command: `make bench-catalog`.",
        "",
        "| scenario | req/s | p50 ms | p95 ms | throughput ÷ baseline |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in (
        ("baseline `/healthz`", base),
        ("portal search page", portal),
        ("API search", api),
    ):
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['rps'] / base['rps']:.2f} |"
        )
    if MEASURE_CPU:
        lines += [
            "",
            "Server CPU per request (`BENCH_CPU=1`: gunicorn and the database's PostgreSQL "
            f"backends): baseline {base['cpu']:.2f} ms, portal search {portal['cpu']:.2f} ms, "
            f"API search {api['cpu']:.2f} ms.",
        ]
    with (ROOT / "bench/RESULTS.md").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.exit(1 if portal["errors"] or api["errors"] else 0)


if __name__ == "__main__":
    main()
