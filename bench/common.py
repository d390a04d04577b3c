"""What every benchmark and drill shares: the production server, load, percentiles, results.

The server is the documented production command (docs/deployment.md):
``gunicorn -c deploy/gunicorn.conf.py motcua.config.wsgi:application`` with production
settings on PostgreSQL. Load comes from keep-alive HTTP clients on localhost, each
sending its next request when the previous answer arrived (a closed loop): throughput and
latency are read together, so a queue inside the server shows as latency, not hidden.

Nothing here asserts a time: scripts print and record numbers; ratios against a baseline
measured in the same run make them comparable across noisy machines.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "RESULTS.md"
PG = ["-h", "localhost", "-U", "postgres"]
BROKER = "redis://127.0.0.1:6379/6"


def db_url(name: str) -> str:
    return f"postgres://postgres@localhost:5432/{name}"


def db_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def server_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    """Production settings (MOTCUA_ENVIRONMENT=production) for a server on localhost."""
    e = dict(os.environ)
    e.update(
        {
            "MOTCUA_ENVIRONMENT": "production",
            "SECRET_KEY": "bench-only-" + "x" * 60,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MOTCUA_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "CACHE_URL": "redis://127.0.0.1:6379/5",
            # Production runs Celery: after-commit work (status e-mails) is published to
            # the broker for workers. No worker runs here; ``flush_broker`` empties it.
            "CELERY_BROKER_URL": BROKER,
            "EMAIL_HOST": "localhost",
            "OIDC_ISSUER": "https://vneid.example.invalid",
            "OIDC_CLIENT_ID": "bench",
            "OIDC_CLIENT_SECRET": "bench-only",
            "MOTCUA_SIGNING_TRUST_ROOTS": "/dev/null",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            # Connections kept for the whole run: a reconnect mid-measurement would cost
            # what production pays once a minute, and a backend that exits takes its CPU
            # time out of the server-CPU reading.
            "DATABASE_CONN_MAX_AGE": "600",
            # One load generator on one address: lift the per-address throttles. Per
            # second, not per minute: a throttle keeps one timestamp per request over its
            # period and reads and writes that list on every request.
            "API_THROTTLE_ANON": "1000000/s",
            "API_THROTTLE_PUBLIC": "1000000/s",
        }
    )
    e.update(extra)
    return e


def motcua(database_url: str, *args: str, port: int = 8799, quiet: bool = True) -> str:
    """Run a ``motcua`` management command with the server's settings; its stdout."""
    done = subprocess.run(
        [str(BIN / "motcua"), *args],
        env=server_env(database_url, port),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    if not quiet:
        print(done.stdout, end="")
    return done.stdout


def recreate_database(name: str) -> None:
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *PG, name], check=True)


def database_exists(name: str) -> bool:
    out = subprocess.run(
        ["psql", *PG, "-Atc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    )
    return name in out.stdout.split()


def psql(name: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", *PG, "-d", name, "-Atc", sql], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def analyze(name: str) -> None:
    # Production runs autovacuum, which analyses a freshly loaded table within a minute;
    # this PostgreSQL may run with autovacuum off. Measure the steady state.
    subprocess.run(["vacuumdb", *PG, "--analyze", "--quiet", name], check=True)


def flush_broker() -> None:
    """Drop the tasks earlier runs published (no worker consumes them here)."""
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def wait_ready(port: int, *, path: str = "/healthz", seconds: float = 30) -> None:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not answer {path} in {seconds} s")


def start_server(
    database_url: str,
    port: int,
    *,
    app: str = "motcua.config.wsgi:application",
    extra_env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> subprocess.Popen[bytes]:
    """The production command on ``port``; returns once it answers."""
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "deploy/gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            *extra_args,
            app,
        ],
        env=server_env(database_url, port, **(extra_env or {})),
        cwd=ROOT,
        start_new_session=True,  # its own process group: a drill can kill it whole
    )
    try:
        wait_ready(port)
    except RuntimeError:
        stop_server(server)
        raise
    return server


def stop_server(server: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGKILL if kill else signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@contextmanager
def running_server(database_url: str, port: int, **kw: object) -> Iterator[subprocess.Popen[bytes]]:
    server = start_server(database_url, port, **kw)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        stop_server(server)


# --- load ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)


@dataclass
class Result:
    name: str
    clients: int
    seconds: float
    latencies: list[float]
    errors: int
    statuses: dict[int, int]
    cpu_ms: float | None = None

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        """The p-th percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000

    def line(self) -> str:
        cpu = f"  server CPU {self.cpu_ms:.2f} ms/req" if self.cpu_ms is not None else ""
        return (
            f"{self.name:34} c={self.clients:<3} {self.rps:8.1f} req/s  "
            f"p50 {self.pct(50):7.1f}  p95 {self.pct(95):7.1f}  p99 {self.pct(99):7.1f} ms  "
            f"errors {self.errors}{cpu}"
        )


def run_load(
    name: str,
    port: int,
    next_request: Callable[[int, int], Request],
    *,
    clients: int,
    seconds: float,
    cpu_of: Callable[[], float] | None = None,
) -> Result:
    """``clients`` keep-alive connections for ``seconds``; ``next_request(client, i)``."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        bad = 0
        i = 0
        while time.monotonic() < stop:
            req = next_request(n, i)
            i += 1
            headers = {"Host": "127.0.0.1", **req.headers}
            t0 = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body, headers=headers)
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
            seen[resp.status] = seen.get(resp.status, 0) + 1
            if resp.status not in req.ok:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v

    cpu_before = cpu_of() if cpu_of else 0.0
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = Result(name, clients, time.monotonic() - t0, latencies, errors, statuses)
    if cpu_of and latencies:
        result.cpu_ms = (cpu_of() - cpu_before) / len(latencies) * 1000
    print(result.line(), flush=True)
    return result


def server_cpu(gunicorn_pid: int, database: str) -> float:
    """CPU seconds used so far by gunicorn (master, workers) and the database's backends."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended meanwhile
            continue
        ours = gunicorn_pid in (int(entry.name), int(fields[1]))
        if ours or (command.startswith("postgres:") and f" {database} " in command):
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def worker_rss_mb(gunicorn_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != gunicorn_pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return sorted(sizes)


# --- reporting -------------------------------------------------------------------------------
def machine_line() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    pg = psql("postgres", "SHOW server_version")
    fsync = psql("postgres", "SHOW fsync")
    sync = psql("postgres", "SHOW synchronous_commit")
    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PostgreSQL {pg} on localhost "
        f"(fsync {fsync}, synchronous_commit {sync}); load average at start {load:.1f}."
    )


def append_results(title: str, lines: list[str]) -> None:
    text = "\n".join([f"\n## {title} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", *lines]) + "\n"
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(text)
    print(text)


def dump_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


# --- wrk: a load generator in C, for the read scenarios -------------------------------------
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, "
      .. "\\"non2xx\\": %d, \\"p50\\": %d, \\"p95\\": %d, \\"p99\\": %d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class WrkResult(Result):
    """A wrk run: percentiles come from wrk's own histogram (microsecond resolution)."""

    p: dict[float, float] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    requests: int = 0

    def pct(self, p: float) -> float:
        return self.p[p]


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    name: str,
    port: int,
    paths: list[str],
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    cpu_of: Callable[[], float] | None = None,
) -> WrkResult:
    """GET ``paths`` (drawn at random) over ``clients`` keep-alive connections with wrk."""
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "s.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        args = ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds:.0f}s"]
        args += ["--timeout", "30s", "-s", str(script), "-H", "Host: 127.0.0.1"]
        for key, value in (headers or {}).items():
            args += ["-H", f"{key}: {value}"]
        cpu_before = cpu_of() if cpu_of else 0.0
        done = subprocess.run(
            [*args, f"http://127.0.0.1:{port}"],
            env={**os.environ, "WRK_PATHS": str(listing)},
            capture_output=True,
            text=True,
            check=True,
        )
        cpu_after = cpu_of() if cpu_of else 0.0
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    result = WrkResult(
        name=name,
        clients=clients,
        seconds=data["duration_us"] / 1e6,
        latencies=[],
        errors=data["errors"] + data["non2xx"],
        statuses={},
        requests=data["requests"],
        p={50: data["p50"] / 1000, 95: data["p95"] / 1000, 99: data["p99"] / 1000},
    )
    if cpu_of and data["requests"]:
        result.cpu_ms = (cpu_after - cpu_before) / data["requests"] * 1000
    print(result.line() + "  (wrk)", flush=True)
    return result
