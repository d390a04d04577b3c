"""Failure drills: prove that nothing acknowledged is lost (docs/benchmarks.md#failure-drills).

    .venv/bin/python bench/drill.py                 # full size (make drill); appends to RESULTS.md
    .venv/bin/python bench/drill.py --size small --no-record --summary var/drill-summary.json

Four drills against the production server (``gunicorn -c deploy/gunicorn.conf.py``,
production settings, PostgreSQL on localhost) and a dedicated database (``motcua_drill``,
cloned for each drill from a template holding the migrated schema, the official units
and the seed catalog):

1. **kill -9**: client threads hand dossiers over through the intake API, each with its
   own ``Idempotency-Key``, and retry with the same key and body on connection errors,
   5xx and 409 (in flight) until an answer 201/200 arrives, which is recorded. A killer
   thread sends SIGKILL to the whole gunicorn process group (master and workers) at
   random intervals and restarts it. Afterwards PostgreSQL must hold every acknowledged
   dossier exactly once, no dossier nobody acknowledged, and for each its submit event,
   its audit entry, its idempotency record and its one outbox message; ``motcua audit
   verify`` must pass.
2. **negative control**: the same clients, killer and check against
   ``bench/lossy_wsgi.py``, which commits each submission half a second *after* sending
   its 201. The check must report lost dossiers; if it does not, the drill cannot see
   loss and fails.
3. **idempotency storm**: K keys × 10 identical submissions released together by a
   barrier: exactly K dossiers, one first answer per key and every other answer the same
   body replayed (``Idempotent-Replayed: true``), 409 in flight retried; then each key
   with another body answers 422.
4. **outbox with the receiver down**: the messages of drill 1 pile up while
   ``motcua outbox-deliver`` runs against a national portal simulator that is not running
   (attempts recorded, nothing delivered, nothing lost); then the simulator starts as its
   own process, the sender is killed -9 twice while delivering, and every message must
   arrive exactly once (counted by message id at the simulator), in order per dossier,
   with every outbox row marked delivered.

The script prints a summary per drill, writes all numbers as JSON (``--summary``) and
exits non-zero when a zero-loss check fails or the negative control sees no loss.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BIN,
    PG,
    ROOT,
    append_results,
    database_exists,
    db_url,
    dump_json,
    flush_broker,
    machine_line,
    psql,
    server_env,
    wait_ready,
)

INTAKE = "/api/v1/intake/dossiers/"
TOPIC = "national_portal.dossier"
UNIT = "H01.00004.MC"  # Bộ phận Một cửa, Phường Ba Đình, Hà Nội (official units)
PORTAL_TOKEN = "drill-portal-token-" + "p" * 24
LOG = ROOT / "var" / "drill-server.log"


@dataclass(frozen=True)
class Size:
    submissions: int
    clients: int
    control_submissions: int
    control_kills: int
    storm_keys: int
    storm_width: int
    storm_groups: int
    outbox_down_seconds: float


SIZES = {
    "full": Size(5000, 8, 1000, 20, 1000, 10, 4, 20),
    "small": Size(300, 8, 150, 5, 100, 10, 4, 6),
}


def free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# --- databases -------------------------------------------------------------------------------
def schema_fingerprint() -> str:
    """What the template holds: migrations, the seed catalog and the units data."""
    digest = hashlib.sha256()
    paths = sorted((ROOT / "src" / "motcua").glob("*/migrations/*.py"))
    paths.append(ROOT / "src" / "motcua" / "catalog" / "seed" / "procedures.json")
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_template(name: str) -> float:
    """Migrate, load units and the seed catalog once; reused while nothing changed."""
    t0 = time.monotonic()
    template = f"{name}_template"
    fingerprint = schema_fingerprint()
    if database_exists(template):
        comment = psql(
            "postgres",
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            f"WHERE datname = '{template}'",
        )
        if comment == fingerprint:
            return 0.0
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", template], check=True)
    subprocess.run(["createdb", *PG, template], check=True)
    url = db_url(template)
    manage(url, "migrate", "--no-input", "-v0")
    manage(url, "load-units")
    manage(url, "catalog", "import", str(ROOT / "src/motcua/catalog/seed/procedures.json"))
    psql("postgres", f"COMMENT ON DATABASE {template} IS '{fingerprint}'")
    return time.monotonic() - t0


def clone(name: str) -> str:
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *PG, "-T", f"{name}_template", name], check=True)
    return db_url(name)


def manage(
    url: str, *args: str, check: bool = True, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "motcua"), *args],
        env=server_env(url, 8799, **extra),
        check=check,
        capture_output=True,
        text=True,
    )


def intake_token(url: str) -> str:
    name = f"drill-{os.getpid()}-{time.time_ns()}"
    out = manage(url, "create-integration-client", name, "--unit", UNIT, "--scope", "intake")
    return out.stdout.strip()


# --- the server ------------------------------------------------------------------------------
class Server:
    """The production command in its own process group; ``kill()`` is SIGKILL to the group."""

    def __init__(self, url: str, port: int, app: str, extra_args: tuple[str, ...] = ()) -> None:
        self.url, self.port, self.app, self.extra_args = url, port, app, extra_args
        self.process: subprocess.Popen[bytes] | None = None
        LOG.parent.mkdir(parents=True, exist_ok=True)
        self.log = LOG.open("ab")

    def start(self) -> float:
        t0 = time.monotonic()
        for attempt in range(5):
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    str(ROOT / "deploy/gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    *self.extra_args,
                    self.app,
                ],
                env=server_env(self.url, self.port),
                cwd=ROOT,
                stdout=self.log,
                stderr=self.log,
                start_new_session=True,
            )
            try:
                wait_ready(self.port, seconds=30)
                return time.monotonic() - t0
            except RuntimeError:
                self.kill()
                if attempt == 4:
                    raise
                time.sleep(0.5)
        raise AssertionError("unreachable")

    def kill(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


# --- submissions -----------------------------------------------------------------------------
def body_for(run: str, i: int, *, variant: str = "") -> dict[str, Any]:
    return {
        "external_code": f"G22.01-{run}-{i:06d}",
        "procedure": "1.001193",
        "case": "1",
        "channel": "online",
        "verified_with_national_id": True,
        "applicant": {"kind": "citizen", "name": "Nguyễn Thị Lan", "id_number": "001090012345"},
        "form_data": {
            "requester_full_name": "Nguyễn Thị Lan",
            "requester_id_number": "001090012345",
            "relation_to_child": "Mẹ",
            "child_full_name": f"Trần Minh An {variant}".strip(),
            "child_date_of_birth": "2026-11-20",
            "child_sex": "nam",
            "child_birth_place": "Bệnh viện Phụ sản Hà Nội",
            "mother_full_name": "Nguyễn Thị Lan",
        },
        "components": [{"code": "TP1"}, {"code": "TP2"}],
    }


@dataclass
class Ack:
    key: str
    external_code: str
    reference: str
    status: int
    replayed: bool
    attempts: int
    body: dict[str, Any] = field(repr=False, default_factory=dict)


class Submitter:
    """One keep-alive connection; ``submit`` retries the same request until answered."""

    RETRY = {409, 500, 502, 503, 504}

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None
        self.errors = 0  # connection errors (the server was killed or not yet back)
        self.retried_status: dict[int, int] = {}

    def _post(self, body: bytes, key: str) -> tuple[int, bool, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": "127.0.0.1",
            "Content-Type": "application/json",
            "Authorization": f"Token {self.token}",
            "Idempotency-Key": key,
        }
        self.conn.request("POST", INTAKE, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, response.getheader("Idempotent-Replayed") == "true", data

    def submit(self, key: str, body: dict[str, Any], *, deadline: float) -> Ack:
        raw = json.dumps(body, ensure_ascii=False).encode()
        attempts = 0
        while True:
            attempts += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer for {key} before the deadline")
            try:
                status, replayed, data = self._post(raw, key)
            except (OSError, http.client.HTTPException):
                self.errors += 1
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                time.sleep(random.uniform(0.05, 0.2))
                continue
            if status in self.RETRY:
                self.retried_status[status] = self.retried_status.get(status, 0) + 1
                time.sleep(random.uniform(0.01, 0.05))
                continue
            if status not in (200, 201):
                raise RuntimeError(f"{key}: HTTP {status}: {data[:300]!r}")
            answer = json.loads(data)
            return Ack(
                key, body["external_code"], answer["reference"], status, replayed, attempts, answer
            )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


# --- drill 1 and 2: kill -9 while submitting -------------------------------------------------
def kill_run(
    url: str,
    *,
    app: str,
    extra_args: tuple[str, ...],
    n: int,
    clients: int,
    label: str,
    max_kills: int = 0,
) -> dict[str, Any]:
    """``n`` submissions (fewer if ``max_kills`` is reached first: no new ones start then)."""
    port = free_port()
    token = intake_token(url)
    run = f"{label}{int(time.time())}"
    server = Server(url, port, app, extra_args)
    server.start()
    acks: dict[str, Ack] = {}
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(n))
    done = threading.Event()
    enough = threading.Event()
    started = 0
    kills: list[float] = []
    restart_seconds: list[float] = []
    submitters = [Submitter(port, token) for _ in range(clients)]
    deadline = time.monotonic() + 1800

    def client(me: Submitter) -> None:
        nonlocal started
        try:
            while True:
                with lock:
                    i = None if enough.is_set() else next(counter, None)
                    started += i is not None
                if i is None:
                    return
                key = f"{run}-{i:06d}"
                ack = me.submit(key, body_for(run, i), deadline=deadline)
                with lock:
                    acks[key] = ack
        except Exception as exc:  # reported, fails the drill
            with lock:
                failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            me.close()

    def killer() -> None:
        while not done.wait(random.uniform(0.5, 2.0)):
            server.kill()
            kills.append(time.monotonic())
            if max_kills and len(kills) >= max_kills:
                enough.set()
            if done.is_set():
                return
            restart_seconds.append(server.start())
            if enough.is_set():
                return  # the control has seen enough kills: let the clients finish

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(s,)) for s in submitters]
    for t in threads:
        t.start()
    killing = threading.Thread(target=killer)
    killing.start()
    for t in threads:
        t.join()
    done.set()
    killing.join()
    elapsed = time.monotonic() - t0
    server.stop()
    retried: dict[int, int] = {}
    for s in submitters:
        for k, v in s.retried_status.items():
            retried[k] = retried.get(k, 0) + v
    return {
        "run": run,
        "submissions": started,
        "clients": clients,
        "acknowledged": len(acks),
        "acknowledged_as_replay": sum(1 for a in acks.values() if a.replayed),
        "retries_after_connection_error": sum(s.errors for s in submitters),
        "retries_after_status": {str(k): v for k, v in sorted(retried.items())},
        "kills": len(kills),
        "mean_restart_seconds": round(sum(restart_seconds) / len(restart_seconds), 2)
        if restart_seconds
        else None,
        "client_failures": failures[:10],
        "elapsed_seconds": round(elapsed, 1),
        "acks": acks,
    }


def check_dossiers(name: str, acks: dict[str, Ack]) -> dict[str, Any]:
    """What PostgreSQL holds for the acknowledged submissions (by reference and code)."""
    rows = psql(
        name,
        """
        SELECT d.reference, d.external_code,
          (SELECT count(*) FROM dossiers_dossierevent e
            WHERE e.dossier_id = d.id AND e.action = 'submit'),
          (SELECT count(*) FROM audit_auditentry a WHERE a.object_type = 'dossier'
            AND a.object_id = d.id::text AND a.action = 'dossier.submit'),
          (SELECT count(*) FROM integrations_outboxmessage o
            WHERE o.topic = 'national_portal.dossier' AND o.key = d.reference::text)
        FROM dossiers_dossier d
        """,
    )
    by_reference: dict[str, tuple[str, int, int, int]] = {}
    per_code: dict[str, int] = {}
    for line in rows.splitlines():
        reference, code, events, audits, messages = line.split("|")
        by_reference[reference] = (code, int(events), int(audits), int(messages))
        per_code[code] = per_code.get(code, 0) + 1
    acked_codes = {a.external_code for a in acks.values()}
    lost = [
        a.key
        for a in acks.values()
        if a.reference not in by_reference or by_reference[a.reference][0] != a.external_code
    ]
    present = [by_reference[a.reference] for a in acks.values() if a.reference in by_reference]
    orphans = int(
        psql(
            name,
            "SELECT count(*) FROM integrations_outboxmessage o WHERE NOT EXISTS "
            "(SELECT 1 FROM dossiers_dossier d WHERE d.reference::text = o.key)",
        )
    )
    records = int(psql(name, "SELECT count(*) FROM core_idempotencyrecord"))
    audit = subprocess.run(
        [str(BIN / "motcua"), "audit", "verify"],
        env=server_env(db_url(name), 8799),
        capture_output=True,
        text=True,
    )
    return {
        "dossiers_in_database": len(by_reference),
        "acknowledged_found": len(acks) - len(lost),
        "lost": len(lost),
        "lost_keys_sample": sorted(lost)[:5],
        "duplicates": sum(c - 1 for c in per_code.values() if c > 1),
        "unacknowledged_dossiers": sum(1 for c in per_code if c not in acked_codes),
        "missing_submit_event": sum(1 for p in present if p[1] != 1),
        "missing_audit_entry": sum(1 for p in present if p[2] != 1),
        "outbox_not_exactly_one": sum(1 for p in present if p[3] != 1),
        "orphan_outbox_messages": orphans,
        "idempotency_records": records,
        "audit_verify": "OK"
        if audit.returncode == 0
        else (audit.stdout + audit.stderr).strip()[-300:],
    }


def zero_loss(run: dict[str, Any], found: dict[str, Any]) -> list[str]:
    problems = []
    if run["client_failures"]:
        problems.append(f"client failures: {run['client_failures']}")
    if run["acknowledged"] != run["submissions"]:
        problems.append(f"{run['submissions'] - run['acknowledged']} submissions never answered")
    for name in (
        "lost",
        "duplicates",
        "unacknowledged_dossiers",
        "missing_submit_event",
        "missing_audit_entry",
        "outbox_not_exactly_one",
        "orphan_outbox_messages",
    ):
        if found[name]:
            problems.append(f"{name} = {found[name]}")
    if found["dossiers_in_database"] != run["acknowledged"]:
        problems.append("dossiers in the database ≠ acknowledged")
    if found["idempotency_records"] != run["acknowledged"]:
        problems.append("idempotency records ≠ acknowledged")
    if found["audit_verify"] != "OK":
        problems.append(f"audit verify: {found['audit_verify']}")
    return problems


# --- drill 3: idempotency storm --------------------------------------------------------------
def storm(url: str, name: str, *, keys: int, width: int, groups: int) -> dict[str, Any]:
    port = free_port()
    token = intake_token(url)
    run = f"storm{int(time.time())}"
    server = Server(url, port, "motcua.config.wsgi:application")
    server.start()
    answers: dict[str, list[Ack]] = {}
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(keys))
    deadline = time.monotonic() + 1800
    conflicts = 0

    def group() -> None:
        nonlocal conflicts
        barrier = threading.Barrier(width)
        current: list[int | None] = [None]
        members = [Submitter(port, token) for _ in range(width)]
        results: list[Ack | None] = [None] * width

        def member(j: int) -> None:
            while True:
                if j == 0:
                    with lock:
                        current[0] = next(counter, None)
                barrier.wait()  # everyone sees the same key …
                i = current[0]
                if i is None:
                    return
                key = f"{run}-{i:06d}"
                barrier.wait()  # … and all ten are released together
                try:
                    results[j] = members[j].submit(key, body_for(run, i), deadline=deadline)
                except Exception as exc:
                    with lock:
                        failures.append(f"{type(exc).__name__}: {exc}")
                barrier.wait()
                if j == 0:
                    with lock:
                        answers[key] = [r for r in results if r is not None]
                    for k in range(width):
                        results[k] = None
                barrier.wait()

        threads = [threading.Thread(target=member, args=(j,)) for j in range(width)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with lock:
            conflicts += sum(m.retried_status.get(409, 0) for m in members)
        for m in members:
            m.close()

    t0 = time.monotonic()
    runners = [threading.Thread(target=group) for _ in range(groups)]
    for t in runners:
        t.start()
    for t in runners:
        t.join()
    elapsed = time.monotonic() - t0

    # The same key with another body: 422, nothing written.
    reused = Submitter(port, token)
    refused: dict[int, int] = {}
    sample = sorted(answers)[: min(keys, 100)]
    before = int(psql(name, "SELECT count(*) FROM dossiers_dossier"))
    for key in sample:
        i = int(key.rsplit("-", 1)[1])
        other = json.dumps(body_for(run, i, variant="(khác)")).encode()
        try:
            status, _replayed, _data = reused._post(other, key)
        except (OSError, http.client.HTTPException):
            status = 0
        refused[status] = refused.get(status, 0) + 1
    reused.close()
    after = int(psql(name, "SELECT count(*) FROM dossiers_dossier"))
    server.stop()

    firsts = replays = not_identical = not_flagged = 0
    for acks in answers.values():
        fresh = [a for a in acks if not a.replayed]
        firsts += len(fresh)
        replays += len(acks) - len(fresh)
        not_flagged += sum(1 for a in acks if a.status != 201)  # 200 = found by external code
        if len({json.dumps(a.body, sort_keys=True) for a in acks}) != 1:
            not_identical += 1
    per_code = psql(
        name, "SELECT count(*) FROM dossiers_dossier GROUP BY external_code HAVING count(*) > 1"
    )
    dossiers = int(psql(name, "SELECT count(*) FROM dossiers_dossier"))
    result = {
        "keys": keys,
        "concurrent_per_key": width,
        "requests": sum(len(a) for a in answers.values()),
        "dossiers_in_database": dossiers,
        "duplicates": len(per_code.splitlines()) if per_code else 0,
        "keys_with_one_first_answer": sum(
            1 for acks in answers.values() if sum(1 for a in acks if not a.replayed) == 1
        ),
        "first_answers": firsts,
        "replayed_answers": replays,
        "in_flight_409_retried": conflicts,
        "keys_with_differing_answers": not_identical,
        "answers_not_201": not_flagged,
        "other_body_same_key": {str(k): v for k, v in sorted(refused.items())},
        "other_body_dossiers_written": after - before,
        "client_failures": failures[:10],
        "elapsed_seconds": round(elapsed, 1),
    }
    problems = []
    if failures:
        problems.append(f"client failures: {failures[:3]}")
    if dossiers != keys or result["duplicates"]:
        problems.append(f"{dossiers} dossiers for {keys} keys")
    if result["keys_with_one_first_answer"] != keys or firsts != keys:
        problems.append("a key without exactly one first answer")
    if not_identical or not_flagged:
        problems.append("answers for one key differ")
    if refused != {422: len(sample)} or after != before:
        problems.append(f"same key, other body: {refused}, {after - before} written")
    result["problems"] = problems
    return result


# --- drill 4: the outbox with the receiver down ----------------------------------------------
def portal_received(port: int) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/v1/received", headers={"Authorization": f"Bearer {PORTAL_TOKEN}"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"the simulator answered {response.status}")
    return dict(json.loads(data))


def outbox_drill(url: str, name: str, *, down_seconds: float) -> dict[str, Any]:
    port = free_port()
    portal = f"http://127.0.0.1:{port}"
    env = server_env(
        url,
        8799,
        MOTCUA_NATIONAL_PORTAL_SENDER="motcua.integrations.national_portal.send",
        MOTCUA_NATIONAL_PORTAL_URL=portal,
        MOTCUA_NATIONAL_PORTAL_TOKEN=PORTAL_TOKEN,
        MOTCUA_NATIONAL_PORTAL_TIMEOUT="2",
        LOG_LEVEL="ERROR",
    )
    log = LOG.open("ab")

    def sender() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(BIN / "motcua"), "outbox-deliver", "--interval", "0.5", "--limit", "200"],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def pending() -> int:
        return int(
            psql(
                name,
                f"SELECT count(*) FROM integrations_outboxmessage "
                f"WHERE topic = '{TOPIC}' AND delivered_at IS NULL",
            )
        )

    total = int(
        psql(name, f"SELECT count(*) FROM integrations_outboxmessage WHERE topic='{TOPIC}'")
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        t0 = time.monotonic()
        processes.append(sender())
        time.sleep(down_seconds)
        attempts, tried = psql(
            name,
            f"SELECT coalesce(sum(attempts), 0), count(*) FILTER (WHERE attempts > 0) "
            f"FROM integrations_outboxmessage WHERE topic = '{TOPIC}'",
        ).split("|")
        while_down = {
            "seconds": round(time.monotonic() - t0, 1),
            "pending": pending(),
            "delivered": total - pending(),
            "attempts": int(attempts),
            "messages_tried": int(tried),
            "max_attempts_of_one_message": int(
                psql(name, "SELECT coalesce(max(attempts), 0) FROM integrations_outboxmessage")
            ),
        }
        back = time.monotonic()
        simulator = subprocess.Popen(
            [
                str(BIN / "motcua"),
                "simulator",
                "national-portal",
                "--port",
                str(port),
                "--token",
                PORTAL_TOKEN,
            ],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        processes.append(simulator)
        wait_ready(port, path="/v1/health", seconds=30)
        first_delivery = None
        sender_kills = 0
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            left = pending()
            if left < total and first_delivery is None:
                first_delivery = time.monotonic() - back
            # kill -9 the sender twice while it delivers: messages sent but not yet marked
            # delivered go out again, and the portal must count them once.
            if sender_kills < 2 and 0 < left < total * (0.7 if sender_kills == 0 else 0.35):
                os.killpg(processes[0].pid, signal.SIGKILL)
                processes[0].wait()
                sender_kills += 1
                processes[0] = sender()
            if left == 0:
                break
            time.sleep(0.1)
        all_delivered = time.monotonic() - back
        received = portal_received(port)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        log.close()

    rows = psql(
        name,
        f"SELECT id, key, delivered_at IS NOT NULL FROM integrations_outboxmessage "
        f"WHERE topic = '{TOPIC}' ORDER BY id",
    ).splitlines()
    ids = [r.split("|")[0] for r in rows]
    per_key: dict[str, list[str]] = {}
    for r in rows:
        i, key, _ = r.split("|")
        per_key.setdefault(key, []).append(i)
    undelivered = sum(1 for r in rows if r.endswith("|f"))
    out_of_order = sum(1 for k, v in per_key.items() if received["keys"].get(k) != v)
    result = {
        "messages": total,
        "while_down": while_down,
        "receiver_down_seconds": while_down["seconds"],
        "first_delivery_after_return_seconds": round(first_delivery or 0, 1),
        "all_delivered_after_return_seconds": round(all_delivered, 1),
        "sender_killed": sender_kills,
        "received_distinct": received["count"],
        "deliveries": received["deliveries"],
        "redelivered_and_deduplicated": received["duplicates"],
        "rows_not_delivered": undelivered,
        "missing_at_portal": len(set(ids) - set(received["message_ids"])),
        "unknown_at_portal": len(set(received["message_ids"]) - set(ids)),
        "keys_out_of_order": out_of_order,
    }
    problems = []
    if while_down["delivered"] or while_down["pending"] != total:
        problems.append("messages marked delivered while the receiver was down")
    if not while_down["attempts"]:
        problems.append("no attempt recorded while the receiver was down")
    if undelivered or result["missing_at_portal"] or result["unknown_at_portal"]:
        problems.append("a message missing")
    if received["count"] != total or out_of_order:
        problems.append("not exactly once, in order")
    result["problems"] = problems
    return result


# --- main ------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--database", default="motcua_drill")
    parser.add_argument("--summary", type=Path, default=ROOT / "var" / "drill-summary.json")
    parser.add_argument("--no-record", action="store_true", help="Do not append to RESULTS.md.")
    args = parser.parse_args()
    size = SIZES[args.size]
    name = args.database
    started = time.monotonic()
    print(machine_line(), flush=True)
    summary: dict[str, Any] = {"size": args.size, "database": name, "ok": False}
    failed: list[str] = []

    flush_broker()  # after-commit tasks published by earlier runs (no worker consumes them)
    prepared = prepare_template(name)
    print(f"template {name}_template ready ({prepared:.1f} s to build; 0: reused)", flush=True)

    # 1. kill -9 while clients submit
    url = clone(name)
    print(
        f"\n[1] kill -9 drill: {size.submissions} submissions, {size.clients} clients", flush=True
    )
    run = kill_run(
        url,
        app="motcua.config.wsgi:application",
        extra_args=(),
        n=size.submissions,
        clients=size.clients,
        label="kill",
    )
    found = check_dossiers(name, run.pop("acks"))
    problems = zero_loss(run, found)
    summary["kill"] = {**run, **found, "problems": problems}
    print_block("kill -9", summary["kill"])
    failed += [f"kill drill: {p}" for p in problems]

    # 4. the outbox, on the messages the kill drill produced
    print(f"\n[4] outbox drill: the receiver down for {size.outbox_down_seconds:.0f} s", flush=True)
    summary["outbox"] = outbox_drill(url, name, down_seconds=size.outbox_down_seconds)
    print_block("outbox", summary["outbox"])
    failed += [f"outbox drill: {p}" for p in summary["outbox"]["problems"]]

    # 2. negative control: the same check against a server that answers before committing
    url = clone(name)
    print(
        f"\n[2] negative control: bench/lossy_wsgi.py, until {size.control_kills} kills",
        flush=True,
    )
    control = kill_run(
        url,
        app="lossy_wsgi:application",
        extra_args=("--pythonpath", str(ROOT / "bench")),
        n=size.control_submissions,
        clients=size.clients,
        label="lossy",
        max_kills=size.control_kills,
    )
    control_found = check_dossiers(name, control.pop("acks"))
    control_problems = zero_loss(control, control_found)
    summary["control"] = {
        **control,
        **control_found,
        "problems_reported": control_problems,
        "loss_detected": control_found["lost"] > 0 and bool(control_problems),
    }
    print_block("negative control", summary["control"])
    if not summary["control"]["loss_detected"]:
        failed.append("negative control: the check did not see the loss of the lossy server")

    # 3. idempotency storm
    url = clone(name)
    print(f"\n[3] idempotency storm: {size.storm_keys} keys × {size.storm_width}", flush=True)
    summary["storm"] = storm(
        url, name, keys=size.storm_keys, width=size.storm_width, groups=size.storm_groups
    )
    print_block("storm", summary["storm"])
    failed += [f"storm: {p}" for p in summary["storm"]["problems"]]

    summary["elapsed_seconds"] = round(time.monotonic() - started, 1)
    summary["failed"] = failed
    summary["ok"] = not failed
    dump_json(args.summary, summary)
    print(f"\nsummary written to {args.summary}", flush=True)
    if not args.no_record:
        append_results("Failure drills", results_lines(summary, size))
    if failed:
        print("\nDRILL FAILED:\n  " + "\n  ".join(failed), flush=True)
        return 1
    print(f"\nall drills passed in {summary['elapsed_seconds']:.0f} s", flush=True)
    return 0


def print_block(title: str, data: dict[str, Any]) -> None:
    print(f"--- {title}", flush=True)
    for key, value in data.items():
        print(f"  {key}: {value}", flush=True)


def results_lines(s: dict[str, Any], size: Size) -> list[str]:
    k, c, st, o = s["kill"], s["control"], s["storm"], s["outbox"]
    verdict = "all checks passed" if s["ok"] else "FAILED"
    return [
        machine_line(),
        f"Command: `make drill` (= `.venv/bin/python bench/drill.py --size {s['size']}`), "
        f"database `{s['database']}` cloned per drill; production server "
        "(`gunicorn -c deploy/gunicorn.conf.py`); total "
        f"{s['elapsed_seconds']:.0f} s. Result: **{verdict}**.",
        "",
        "| drill | what was done | result |",
        "| --- | --- | --- |",
        f"| kill -9 | {k['submissions']:,} intake submissions, {k['clients']} clients retrying "
        f"with the same Idempotency-Key; gunicorn (master + workers) SIGKILLed "
        f"**{k['kills']} times** and restarted (mean restart {k['mean_restart_seconds']} s); "
        f"{k['retries_after_connection_error']:,} retries after connection errors, "
        f"{k['acknowledged_as_replay']} acknowledgements were replays; {k['elapsed_seconds']} s "
        f"| acknowledged {k['acknowledged']:,}, found {k['acknowledged_found']:,}, "
        f"**lost {k['lost']}, duplicates {k['duplicates']}**, unacknowledged dossiers "
        f"{k['unacknowledged_dossiers']}, missing outbox {k['outbox_not_exactly_one']}, "
        f"missing event {k['missing_submit_event']}, missing audit "
        f"{k['missing_audit_entry']}; audit verify {k['audit_verify']} |",
        f"| negative control | {c['submissions']} submissions to `bench/lossy_wsgi.py` (commits "
        f"0.5 s after sending 201), {c['kills']} kills | acknowledged {c['acknowledged']}, "
        f"**lost {c['lost']}** — the check sees the loss "
        f"({'yes' if c['loss_detected'] else 'NO'}) |",
        f"| idempotency storm | {st['keys']:,} keys × {st['concurrent_per_key']} identical "
        f"submissions released by a barrier ({st['requests']:,} requests, "
        f"{st['in_flight_409_retried']:,} answered 409 in flight and retried); "
        f"{st['elapsed_seconds']} s | **{st['dossiers_in_database']:,} dossiers**, duplicates "
        f"{st['duplicates']}; one first answer per key, {st['replayed_answers']:,} identical "
        f"replays; same key + other body: {st['other_body_same_key']} |",
        f"| outbox, receiver down | {o['messages']:,} sync messages (from the kill drill); "
        f"sender running {o['receiver_down_seconds']} s with the national portal simulator "
        f"down: {o['while_down']['attempts']} attempts on {o['while_down']['messages_tried']} "
        f"messages, {o['while_down']['delivered']} delivered; then the simulator started and "
        f"the sender was killed -9 {o['sender_killed']} times while delivering "
        f"| first delivery {o['first_delivery_after_return_seconds']} s after it returned, "
        f"all {o['received_distinct']:,} after {o['all_delivered_after_return_seconds']} s; "
        f"**missing {o['missing_at_portal']}, counted twice 0** "
        f"({o['redelivered_and_deduplicated']} re-deliveries recognised by message id), "
        f"out of order {o['keys_out_of_order']} |",
        "",
        f"CI runs the same script at `--size small` ({SIZES['small'].submissions} submissions, "
        f"{SIZES['small'].storm_keys} keys × 10) in `tests/drills/test_drills.py`.",
    ]


if __name__ == "__main__":
    sys.exit(main())
