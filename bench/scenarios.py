"""Load scenarios against the production server, each beside the baseline it is judged by.

``make bench`` (or ``.venv/bin/python bench/scenarios.py``) needs PostgreSQL on localhost.

1. The database ``motcua_bench1m`` holds ``BENCH_DOSSIERS`` dossiers (default 1,000,000)
   made by ``motcua bench seed`` with its normal officers; it is seeded once and reused
   while it holds that many (``BENCH_RESEED=1`` starts again).
2. The server is the documented production command (gunicorn, ``deploy/gunicorn.conf.py``,
   production settings); load comes over HTTP on localhost from closed-loop keep-alive
   clients at several concurrency levels (``BENCH_LEVELS``, default ``1,4,16``),
   ``BENCH_SECONDS`` each (default 8).
3. Scenarios and their baselines, measured in the same run:

   ===================  =======================================================  ==========
   scenario             what                                                     baseline
   ===================  =======================================================  ==========
   submission           ``POST /api/v1/intake/dossiers/`` (national portal       pgbench: the
                        hand-over, ``Idempotency-Key``), across 4 provinces      transaction
   officer queue        the five queues' first pages as a normal officer         bare view
   dossier detail       ``/can-bo/ho-so/<code>/`` of the officer's dossiers      bare view
   public look-up       ``/api/v1/public/dossiers/<code>/?id_number=``           pgbench: the
                                                                                 look-up SQL
   catalog search       ``/api/v1/procedures/?q=``                               bare view
   ===================  =======================================================  ==========

   *pgbench: the transaction* runs exactly the SQL transaction one submission commits
   (captured from the real request, ``bench/sqlcapture.py``) at the same concurrency;
   *bare view* is ``/healthz`` on the same server (one ``SELECT 1``: the framework floor).
4. After the run: resident memory of each worker. A profile of the submission path is
   written by ``bench/profile_submission.py``.

Numbers go to ``bench/RESULTS.md`` (``--no-record`` to skip) and ``var/bench/*.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import sqlcapture

DB = os.environ.get("BENCH_SCENARIO_DB", "motcua_bench1m")
URL = common.db_url(DB)
CLONE = f"{DB}_pgbench"
WRK = common.have_wrk() and os.environ.get("BENCH_CLIENT") != "python"
PORT = int(os.environ.get("BENCH_PORT", "8797"))
DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
LEVELS = [int(x) for x in os.environ.get("BENCH_LEVELS", "1,4,16").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
OUT = common.ROOT / "var" / "bench"
INTAKE = "/api/v1/intake/dossiers/"
PROVINCES = ("01", "79", "48", "31")  # Hà Nội, TP. Hồ Chí Minh, Đà Nẵng, Hải Phòng
QUEUE_PATHS = [
    "/can-bo/",
    "/can-bo/hang-doi/cho-tiep-nhan/",
    "/can-bo/hang-doi/viec-cua-toi/",
    "/can-bo/hang-doi/den-han-hom-nay/",
    "/can-bo/hang-doi/qua-han/",
    "/can-bo/hang-doi/cho-cong-dan/",
]
SEARCH_TERMS = ["ho chieu", "khai sinh", "DANG KY", "giấy phép xây dựng", "dat dai", "gia han"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
CHILDREN = ["Gia Hân", "Minh Khôi", "Bảo Ngọc", "Đăng Khoa", "Khánh Linh"]
GIVEN = ["Thị Lan", "Văn Hùng", "Minh Anh", "Thu Hà", "Quốc Bảo", "Ngọc Ánh", "Đức Thắng"]


# --- preparation -------------------------------------------------------------------------------
def dossier_count() -> int:
    if not common.database_exists(DB):
        return 0
    try:
        return int(common.psql(DB, "SELECT count(*) FROM dossiers_dossier"))
    except subprocess.CalledProcessError:
        return 0


def prepare() -> None:
    have = dossier_count()
    if have >= DOSSIERS and os.environ.get("BENCH_RESEED") != "1":
        print(f"reusing {DB}: {have:,} dossiers", flush=True)
    else:
        print(f"seeding {DB} with {DOSSIERS:,} dossiers (motcua bench seed)", flush=True)
        common.recreate_database(DB)
        common.motcua(URL, "migrate", "-v0")
        common.motcua(URL, "bench", "seed", "--dossiers", str(DOSSIERS), "--officers", quiet=False)
    common.motcua(URL, "collectstatic", "--no-input", "-v0")
    common.analyze(DB)


def officer() -> tuple[str, list[int]]:
    """The normal officer (not a superuser) whose units hold the most dossiers."""
    rows = common.psql(
        DB,
        "SELECT u.username, string_agg(r.unit_id::text, ',') FROM accounts_user u "
        "JOIN units_roleassignment r ON r.user_id = u.id "
        "WHERE u.is_active AND NOT u.is_superuser AND u.kind = 'officer' "
        "AND r.valid_from <= current_date AND (r.valid_to IS NULL OR r.valid_to > current_date) "
        "GROUP BY u.username",
    ).splitlines()
    best: tuple[int, str, list[int]] = (-1, "", [])
    for row in rows:
        username, units = row.split("|")
        ids = sorted({int(x) for x in units.split(",")})
        held = ",".join(map(str, ids))
        count = int(
            common.psql(
                DB,
                "SELECT count(*) FROM dossiers_dossier WHERE "
                f"receiving_unit_id IN ({held}) OR handling_unit_id IN ({held})",
            )
        )
        if count > best[0]:
            best = (count, username, ids)
    if not best[1]:
        raise SystemExit(
            "no normal officer in the bench database: run motcua bench seed --officers"
        )
    print(f"officer {best[1]}: units {best[2]}, {best[0]:,} dossiers in their units", flush=True)
    return best[1], best[2]


SESSION_CODE = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice
from motcua.accounts.models import User
user = User.objects.get(username=%r)
device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
if device is None:
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s["otp_device_id"] = device.persistent_id
s.create()
print(s.session_key)
"""


def officer_session(username: str) -> str:
    """A signed-in, second-factor-verified session, as the login page would leave it."""
    out = common.motcua(URL, "shell", "-c", SESSION_CODE % username)
    return out.strip().splitlines()[-1]


def intake_clients() -> list[tuple[str, str]]:
    """One national-portal client per province (token, its one-stop unit)."""
    clients = []
    for province in PROVINCES:
        unit = common.psql(
            DB,
            "SELECT code FROM units_unit WHERE level = 'one_stop' "
            f"AND province_code = '{province}' AND parent_id IN "
            "(SELECT id FROM units_unit WHERE level = 'commune') ORDER BY code LIMIT 1",
        )
        name = f"bench-intake-{province}-{uuid.uuid4().hex[:6]}"
        out = common.motcua(
            URL, "create-integration-client", name, "--unit", unit, "--scope", "intake"
        )
        clients.append((out.strip().splitlines()[-1], unit))
    return clients


def personal_id(rng: random.Random) -> str:
    year = rng.randint(1950, 2005)
    century_sex = (0 if year < 2000 else 2) + rng.randint(0, 1)
    return f"001{century_sex}{year % 100:02d}{rng.randint(0, 999999):06d}"


def submission_body(rng: random.Random) -> dict[str, object]:
    id_number = personal_id(rng)
    name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
    return {
        "procedure": "1.001193",
        "case": "1",
        "channel": "online",
        "external_code": f"G22.BENCH-{datetime.now(UTC):%y%m%d}-{uuid.uuid4().hex[:12]}",
        "verified_with_national_id": True,
        "applicant": {
            "kind": "citizen",
            "name": name,
            "id_number": id_number,
            "address": "12 Hàng Bài",
            "phone": "0912345678",
            "email": "bench@example.invalid",
        },
        "form_data": {
            "requester_full_name": name,
            "requester_id_number": id_number,
            "relation_to_child": "Mẹ",
            "child_full_name": f"{name.split()[0]} {rng.choice(CHILDREN)}",
            "child_date_of_birth": (datetime.now(UTC) - timedelta(days=18)).date().isoformat(),
            "child_sex": "nu",
            "child_birth_place": "Bệnh viện Phụ sản Hà Nội",
            "mother_full_name": name,
        },
        "components": [{"code": "TP1", "received_as": "electronic"}, {"code": "TP2"}],
    }


def samples(units: list[int]) -> tuple[list[str], list[tuple[str, str]]]:
    held = ",".join(map(str, units))
    detail = common.psql(
        DB,
        "SELECT code FROM dossiers_dossier WHERE code IS NOT NULL AND "
        f"(receiving_unit_id IN ({held}) OR handling_unit_id IN ({held})) "
        "ORDER BY md5(id::text) LIMIT 300",
    ).split()
    common.psql(
        DB,
        "DROP TABLE IF EXISTS bench_lookup_pairs; "
        "CREATE TABLE bench_lookup_pairs AS SELECT row_number() OVER () AS i, code, "
        "applicant_id_number AS id_number FROM (SELECT code, applicant_id_number "
        "FROM dossiers_dossier TABLESAMPLE SYSTEM (2) REPEATABLE (7) "
        "WHERE code IS NOT NULL LIMIT 2000) s; "
        "ALTER TABLE bench_lookup_pairs ADD PRIMARY KEY (i); ANALYZE bench_lookup_pairs",
    )
    pairs = [
        tuple(r.split("|"))
        for r in common.psql(
            DB, "SELECT code, id_number FROM bench_lookup_pairs ORDER BY i"
        ).split()
    ]
    return detail, pairs  # type: ignore[return-value]


# --- pgbench baselines ----------------------------------------------------------------------------
def run_capture(spec: dict[str, object]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        spec_file, out_file = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            [
                str(common.BIN / "python"),
                str(common.ROOT / "bench/sqlcapture.py"),
                spec_file,
                out_file,
            ],
            # The SQL the request runs, not a kept answer (an earlier run's look-up may
            # still be in the cache).
            env=common.server_env(URL, PORT, MOTCUA_LOOKUP_CACHE_SECONDS="0"),
            check=True,
        )
        return json.loads(out_file.read_text(encoding="utf-8"))


# --- the run ------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    want = lambda name: not only or name in only  # noqa: E731

    prepare()
    common.flush_broker()
    username, units = officer()
    session = officer_session(username)
    clients = intake_clients()
    detail_codes, pairs = samples(units)
    machine = common.machine_line()
    rng = random.Random(20261207)

    # Capture the SQL of one submission per province and of one look-up, for pgbench.
    captured = []
    for token, _unit in clients:
        body = submission_body(rng)
        spec = {
            "method": "post",
            "path": INTAKE,
            "body": body,
            "headers": {"Authorization": f"Token {token}", "Idempotency-Key": str(uuid.uuid4())},
        }
        cap = run_capture(spec)
        assert cap["status"] == 201, cap
        captured.append(cap)
    scripts = [sqlcapture.pgbench_transaction(c) for c in captured]
    counts = scripts[0][1]
    code, idn = pairs[0]
    look = run_capture(
        {"method": "get", "path": f"/api/v1/public/dossiers/{quote(code)}/?id_number={idn}"}
    )
    assert look["status"] == 200 and look["statements"], look
    lookup_script = sqlcapture.pgbench_reads(
        look, {"code": code, "id_number": idn}, "bench_lookup_pairs"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    for i, (text, _c) in enumerate(scripts):
        (OUT / f"submission-{PROVINCES[i]}.sql").write_text(text, encoding="utf-8")
    (OUT / "lookup.sql").write_text(lookup_script, encoding="utf-8")

    cookie = {"Cookie": f"sessionid={session}", "Accept-Language": "vi"}
    per_client_rng = [random.Random(n) for n in range(max(LEVELS) + 1)]

    def submit(n: int, i: int) -> common.Request:
        token, _unit = clients[(n + i) % len(clients)]
        body = json.dumps(submission_body(per_client_rng[n])).encode()
        return common.Request(
            "POST",
            INTAKE,
            body,
            {
                "Authorization": f"Token {token}",
                "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json",
            },
            ok=(201,),
        )

    # The read scenarios as path lists: wrk (a load generator in C, so the client takes
    # little of the two cores) draws from them; without wrk, Python clients cycle them.
    reads = {
        "baseline /healthz": (["/healthz"], {}),
        "officer queue": (QUEUE_PATHS, cookie),
        "dossier detail": ([f"/can-bo/ho-so/{c}/" for c in detail_codes], cookie),
        "public look-up": (
            [f"/api/v1/public/dossiers/{c}/?id_number={i}" for c, i in pairs],
            {},
        ),
        "catalog search": ([f"/api/v1/procedures/?q={quote(t)}" for t in SEARCH_TERMS], {}),
    }

    def cycling(paths: list[str], headers: dict[str, str]) -> Callable[[int, int], common.Request]:
        return lambda n, i: common.Request("GET", paths[(n * 37 + i) % len(paths)], headers=headers)

    scenarios = {"submission": submit, **{k: cycling(*v) for k, v in reads.items()}}
    scenarios = {"baseline /healthz": scenarios.pop("baseline /healthz"), **scenarios}
    results: dict[str, dict[int, common.Result]] = {}
    base_tx: dict[int, float] = {}
    base_lookup: dict[int, float] = {}
    rss_after: list[float] = []
    # pgbench writes rows the application would not (the audit chain's head is set back
    # to the captured values on every replay): it runs on a copy, dropped afterwards.
    subprocess.run(["dropdb", *common.PG, "--if-exists", "--force", CLONE], check=True)
    subprocess.run(["createdb", *common.PG, "-T", DB, CLONE], check=True)
    server = common.start_server(URL, PORT, extra_args=("--max-requests", "0"))
    try:
        cpu = lambda: common.server_cpu(server.pid, DB)  # noqa: E731

        def measure(name: str, scenario: str, level: int) -> common.Result:
            if WRK and scenario in reads:
                paths, headers = reads[scenario]
                return common.run_wrk(
                    name, PORT, paths, clients=level, seconds=SECONDS, headers=headers, cpu_of=cpu
                )
            return common.run_load(
                name, PORT, scenarios[scenario], clients=level, seconds=SECONDS, cpu_of=cpu
            )

        common.run_load("warm-up", PORT, scenarios["baseline /healthz"], clients=4, seconds=2)
        for name in ("officer queue", "dossier detail", "public look-up", "catalog search"):
            common.run_load("warm-up", PORT, scenarios[name], clients=2, seconds=1)
        rss_before = common.worker_rss_mb(server.pid)
        for level in LEVELS:
            print(f"--- {level} clients ---", flush=True)
            for name in scenarios:
                if name != "baseline /healthz" and not want(name):
                    continue
                results.setdefault(name, {})[level] = measure(name, name, level)
            if want("submission"):
                base_tx[level] = pgbench([t for t, _ in scripts], level, SECONDS)
                print(
                    f"{'pgbench submission transaction':34} c={level:<3} {base_tx[level]:8.1f} tps"
                )
            if want("public look-up"):
                base_lookup[level] = pgbench(
                    [lookup_script], level, SECONDS, "-D", f"npairs={len(pairs)}"
                )
                print(f"{'pgbench look-up SQL':34} c={level:<3} {base_lookup[level]:8.1f} tps")
        rss_after = common.worker_rss_mb(server.pid)
        common.stop_server(server)
        if want("public look-up"):
            # The same look-ups with the answer cache off: what a first look costs.
            server = common.start_server(
                URL,
                PORT,
                extra_env={"MOTCUA_LOOKUP_CACHE_SECONDS": "0"},
                extra_args=("--max-requests", "0"),
            )
            common.run_load("warm-up", PORT, scenarios["public look-up"], clients=2, seconds=2)
            for level in LEVELS:
                name = "public look-up, cache off"
                results.setdefault(name, {})[level] = measure(name, "public look-up", level)
    finally:
        common.stop_server(server)
        subprocess.run(["dropdb", *common.PG, "--if-exists", "--force", CLONE], check=True)

    report(results, base_tx, base_lookup, counts, rss_before, rss_after, machine, username, args)


def pgbench(scripts: list[str], clients: int, seconds: float, *options: str) -> float:
    """Transactions per second of ``scripts`` (each drawn at random) with ``clients``."""
    files = []
    try:
        for text in scripts:
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
                fh.write(text)
                files.append(fh.name)
        extra = [*options, *(arg for f in files for arg in ("-f", f))]
        return pgbench_files(extra, clients, seconds)
    finally:
        for f in files:
            os.unlink(f)


def pgbench_files(extra: list[str], clients: int, seconds: float) -> float:
    done = subprocess.run(
        [
            "pgbench",
            *common.PG,
            "-n",
            "-M",
            "simple",
            "-c",
            str(clients),
            "-j",
            str(min(clients, 2)),
            "-T",
            str(int(seconds)),
            *extra,
            CLONE,
        ],
        capture_output=True,
        env={**os.environ, "PGOPTIONS": "-c jit=off"},  # as the application connects
        text=True,
    )
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        raise SystemExit("pgbench failed")
    tps = re.search(r"tps = ([0-9.]+) \(without initial", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    if not tps or (failed and int(failed.group(1))):
        raise SystemExit(f"pgbench did not run cleanly:\n{done.stdout}")
    return float(tps.group(1))


def report(
    results: dict[str, dict[int, common.Result]],
    base_tx: dict[int, float],
    base_lookup: dict[int, float],
    counts: dict[str, int],
    rss_before: list[float],
    rss_after: list[float],
    machine: str,
    username: str,
    args: argparse.Namespace,
) -> None:
    base_view = results["baseline /healthz"]
    lines = [
        machine,
        f"Database `{DB}`: {dossier_count():,} dossiers (`motcua bench seed`); officer "
        f"`{username}` (normal officer, not a superuser); {SECONDS:.0f} s per measurement; "
        f"server: `gunicorn -c deploy/gunicorn.conf.py` (4 workers × 2 threads); load: "
        f"{'wrk for the reads, Python clients for submissions' if WRK else 'Python clients'}"
        f" (closed loop, keep-alive); command: `make bench`.",
        "",
        "| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/req "
        "| baseline | ÷ baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    data: dict[str, object] = {}
    for name, per_level in results.items():
        for level, r in per_level.items():
            if name == "submission":
                base, base_name = base_tx.get(level, 0.0), "pgbench: the transaction"
            elif name.startswith("public look-up"):
                base, base_name = base_lookup.get(level, 0.0), "pgbench: the look-up SQL"
            else:
                base, base_name = base_view[level].rps, "`/healthz`"
            ratio = r.rps / base if base else float("nan")
            lines.append(
                f"| {name} | {level} | {r.rps:.0f} | {r.pct(50):.1f} | {r.pct(95):.1f} | "
                f"{r.pct(99):.1f} | {r.cpu_ms or 0:.2f} | {base_name} {base:.0f}/s | {ratio:.2f} |"
            )
            data[f"{name}@{level}"] = {
                "rps": r.rps,
                "p50": r.pct(50),
                "p95": r.pct(95),
                "p99": r.pct(99),
                "errors": r.errors,
                "statuses": r.statuses,
                "cpu_ms": r.cpu_ms,
                "baseline": base,
                "ratio": ratio,
            }
    errors = {k: v for k, v in data.items() if v["errors"]}  # type: ignore[index]
    lines += [
        "",
        "The submission's transaction as pgbench ran it (captured from the real request, "
        "`bench/sqlcapture.py`): "
        + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        + " statements; scripts in `var/bench/submission-*.sql`, the look-up's in "
        "`var/bench/lookup.sql`.",
        f"Worker memory (RSS, MB): after start-up and warm-up {rss_before}, after the run "
        f"{rss_after}.",
    ]
    if errors:
        lines.append(f"Errors: {json.dumps({k: v['statuses'] for k, v in errors.items()})}")  # type: ignore[index]
    common.dump_json(OUT / "scenarios.json", {"results": data, "rss_after": rss_after})
    if args.no_record:
        print("\n".join(lines))
    else:
        common.append_results("Scenarios", lines)
    if errors:
        raise SystemExit("some requests failed: see the statuses above")


if __name__ == "__main__":
    main()
