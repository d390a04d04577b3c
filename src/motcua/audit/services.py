"""Writing and verifying the audit log."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from django.db import transaction

from motcua.audit.models import GENESIS_HASH, ActorType, AuditChain, AuditEntry
from motcua.core.clock import now

log = structlog.get_logger(__name__)

NATIONAL_CHAIN = "national"
# Keys that would carry personal data; the audit log names people by id only.
FORBIDDEN_KEYS = frozenset(
    {
        "name",
        "full_name",
        "first_name",
        "last_name",
        "username",
        "email",
        "phone",
        "address",
        "id_number",
        "personal_id",
        "tax_code",
        "date_of_birth",
        "password",
    }
)
_ID_LIKE = re.compile(r"(?<![\d.-])\d{9,12}(?![\d.-])")


class PersonalDataInAudit(ValueError):
    """A caller tried to put personal data into the audit log (a programming error)."""


def _check_no_personal_data(value: Any, path: str = "data") -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in FORBIDDEN_KEYS:
                raise PersonalDataInAudit(f"{path}.{key} would store personal data")
            _check_no_personal_data(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_no_personal_data(item, f"{path}[{index}]")
    elif isinstance(value, str) and _ID_LIKE.search(value):
        raise PersonalDataInAudit(f"{path} looks like an identity number")


def canonical_json(
    *,
    chain: str,
    seq: int,
    occurred_at: datetime,
    actor_type: str,
    actor_id: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    request_id: str,
    prev_hash: str,
) -> bytes:
    document = {
        "chain": chain,
        "seq": seq,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_type": actor_type,
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
        "request_id": request_id,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def entry_hash(entry: AuditEntry) -> str:
    payload = canonical_json(
        chain=entry.chain,
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor_type=entry.actor_type,
        actor_id=entry.actor_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        data=entry.data,
        request_id=entry.request_id,
        prev_hash=entry.prev_hash,
    )
    return hashlib.sha256(payload).hexdigest()


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_type: str | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: Mapping[str, Any] | None = None,
    chain: str = NATIONAL_CHAIN,
    request_id: str = "",
) -> AuditEntry:
    """Append one entry to ``chain``; joins the caller's transaction if there is one.

    ``actor`` is a user (stored by primary key) or None for the system. ``data``
    holds ids, codes and reasons — never personal data (refused loudly).
    """
    payload = dict(data or {})
    _check_no_personal_data(payload)
    # Round-trip through JSON so the hash covers exactly what the database returns.
    payload = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    if actor_type is None:
        actor_type = ActorType.USER if actor is not None else ActorType.SYSTEM
    actor_id = str(getattr(actor, "pk", "") or "") if actor is not None else ""
    if not request_id:
        request_id = str(structlog.contextvars.get_contextvars().get("request_id", ""))
    # No savepoint of its own: the entry belongs to the caller's transaction, and if it
    # fails that whole transaction fails with it (two round trips saved per entry).
    with transaction.atomic(savepoint=False):
        head = AuditChain.objects.select_for_update().filter(key=chain).first()
        if head is None:  # the chain's first entry (once per chain)
            AuditChain.objects.get_or_create(key=chain)
            head = AuditChain.objects.select_for_update().get(key=chain)
        entry = AuditEntry(
            chain=chain,
            seq=head.last_seq + 1,
            occurred_at=now(),
            actor_type=actor_type,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=payload,
            request_id=request_id,
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.last_seq = entry.seq
        head.last_hash = entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    entry_id: int | None
    seq: int
    reason: str


def _iter_chain(key: str) -> Iterator[AuditEntry]:
    return AuditEntry.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000)


def audit_verify(*, chain: str | None = None) -> list[ChainBreak]:
    """Walk every chain (or one) and return the first break of each broken chain."""
    keys = set(AuditChain.objects.values_list("key", flat=True))
    keys |= set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    if chain is not None:
        keys = {chain}
    breaks: list[ChainBreak] = []
    for key in sorted(keys):
        problem = _verify_one(key)
        if problem is not None:
            breaks.append(problem)
    return breaks


def _verify_one(key: str) -> ChainBreak | None:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in _iter_chain(key):
        if entry.seq != expected_seq:
            return ChainBreak(key, entry.pk, entry.seq, f"sequence gap: expected {expected_seq}")
        if entry.prev_hash != expected_prev:
            return ChainBreak(key, entry.pk, entry.seq, "previous hash does not match")
        if entry_hash(entry) != entry.hash:
            return ChainBreak(key, entry.pk, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
    head = AuditChain.objects.filter(key=key).first()
    last_seq = expected_seq - 1
    if head is None or head.last_seq != last_seq or head.last_hash != expected_prev:
        return ChainBreak(key, None, last_seq, "chain head does not match the last entry")
    return None
