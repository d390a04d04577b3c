"""Idempotent commands: a command repeated with the same key returns the first answer.

A client sends ``Idempotency-Key: <key>`` with a command. ``idempotent_command`` runs
the command, its effects and the record of its answer in **one database transaction**,
so an acknowledged answer exists exactly when its effects do:

* same scope + key + same request (method, path, canonical JSON body) → the stored
  answer again (status and body), the command does not run twice;
* same scope + key, another request → ``IdempotencyKeyReused`` (the API answers 422);
* same scope + key while the first is still running → ``IdempotencyInFlight`` (409).

The scope is the authenticated principal (``user:<id>``, ``client:<id>``), so two
principals never see each other's answers.

Only successful answers (status < 400) are stored. A refused command raises inside the
transaction, which rolls back — its effects and its record alike — so the client may
correct the request and retry with the same key.

Concurrency:

* PostgreSQL: the transaction first takes ``pg_try_advisory_xact_lock`` on a 64-bit
  hash of scope and key (``hashtextextended``; 64 bits make two different keys sharing a
  lock practically impossible). No lock → another request with this key is running →
  ``IdempotencyInFlight``. The lock is released at commit or rollback, after which the
  stored record (if any) is visible to the next request.
* SQLite: transactions are ``BEGIN IMMEDIATE`` (settings), so writers run one at a
  time; a second request with the key waits for the first to finish and then finds
  its record. "In flight" is never observed there.
* Any database: the unique constraint on (scope, key) is the last guard; a violation
  rolls the whole command back and is reported as ``IdempotencyInFlight``.

Records are kept at least 24 hours; ``motcua purge-idempotency --hours 48`` removes
older ones (run it daily).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction

from motcua.core.clock import now
from motcua.core.models import IdempotencyRecord

MAX_KEY_LENGTH = 200
MIN_RETENTION_HOURS = 24


class IdempotencyKeyReused(Exception):
    """The key was used before with a different request."""


class IdempotencyInFlight(Exception):
    """A request with this key is still being processed."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def valid_key(key: str) -> bool:
    """1–200 visible ASCII characters (what a client can put in a header unchanged)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(33 <= ord(ch) <= 126 for ch in key)


def canonical_json(body: Any) -> str:
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 over the method, the path and the canonical JSON body."""
    text = f"{method.upper()}\n{path}\n{canonical_json(body)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _jsonable(body: Any) -> Any:
    """The body as it will be stored and replayed (plain JSON types only)."""
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def _try_lock(scope: str, key: str) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: BEGIN IMMEDIATE already serialises writers
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [f"{scope}\n{key}"]
        )
        (locked,) = cursor.fetchone()
    return bool(locked)


def idempotent_command(
    *,
    scope: str,
    key: str | None,
    fingerprint: str,
    run: Callable[[], tuple[int, Any]],
) -> Answer:
    """Run ``run`` (returning status and JSON body) once per (scope, key), atomically.

    Without a key the command simply runs in one transaction. ``run`` raises to refuse;
    nothing is stored then.
    """
    if key is None:
        with transaction.atomic():
            status, body = run()
        return Answer(status, body)
    try:
        with transaction.atomic():
            if not _try_lock(scope, key):
                raise IdempotencyInFlight(key)
            record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if record is not None:
                if record.request_hash != fingerprint:
                    raise IdempotencyKeyReused(key)
                return Answer(record.response_status, record.response_body, replayed=True)
            status, body = run()
            body = _jsonable(body)
            if status < 400:
                IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    request_hash=fingerprint,
                    response_status=status,
                    response_body=body,
                )
    except IntegrityError as exc:
        # Only the record's own unique constraint can be hit here after ``run``: the
        # command's effects were rolled back with it.
        if IdempotencyRecord.objects.filter(scope=scope, key=key).exists():
            raise IdempotencyInFlight(key) from exc
        raise
    return Answer(status, body)


def idempotency_purge(*, older_than: timedelta) -> int:
    """Delete records older than ``older_than`` (never younger than 24 hours)."""
    if older_than < timedelta(hours=MIN_RETENTION_HOURS):
        raise ValueError(f"idempotency records are kept at least {MIN_RETENTION_HOURS} hours")
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now() - older_than).delete()
    return deleted
