"""Writing to and draining the transactional outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from motcua.core.clock import now
from motcua.integrations.models import OutboxMessage

MAX_BACKOFF = timedelta(hours=1)
# After this many failures in a row the receiver itself is taken to be down: the batch
# stops, so a hung receiver holds the batch's row locks for a few timeouts, not for one
# per message, and messages not tried keep their place and their backoff.
MAX_FAILURES_IN_A_ROW = 3


def outbox_enqueue(
    *, topic: str, key: str, payload: dict[str, Any], province_code: str = ""
) -> OutboxMessage:
    """Add a message; must run inside the transaction of the change it reports."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue must run inside the transaction of its change")
    return OutboxMessage.objects.create(
        topic=topic, key=key, payload=payload, province_code=province_code
    )


def outbox_deliver(*, topic: str, send: Callable[[OutboxMessage], None], limit: int = 100) -> int:
    """Send pending messages of ``topic`` in order; failures are retried with backoff.

    ``send`` raises to signal failure. Messages are locked with SKIP LOCKED so several
    workers can drain the outbox together. Returns the number delivered.
    """
    delivered = 0
    at = now()
    # Only messages due now whose key has no earlier message waiting out a backoff: a
    # waiting message neither takes a place in the batch nor lets its key's later
    # messages pass it. (Taking the first ``limit`` pending rows instead let a backlog of
    # waiting messages hide every other one, so after an outage the whole queue waited
    # for the oldest message's backoff.)
    earlier_waiting = OutboxMessage.objects.filter(
        topic=topic,
        key=OuterRef("key"),
        delivered_at__isnull=True,
        id__lt=OuterRef("id"),
        next_attempt_at__gt=at,
    )
    with transaction.atomic():
        pending = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(topic=topic, delivered_at__isnull=True)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
            .exclude(Exists(earlier_waiting))
            .order_by("id")[:limit]
        )
        blocked_keys: set[str] = set()
        failures_in_a_row = 0
        for message in pending:
            if failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                break
            if message.key in blocked_keys:
                continue  # an earlier message of this key failed in this batch: keep order
            try:
                send(message)
            except Exception as exc:  # any failure of the receiver: retry later
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                message.next_attempt_at = now() + min(
                    timedelta(seconds=2**message.attempts), MAX_BACKOFF
                )
                message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                blocked_keys.add(message.key)
                failures_in_a_row += 1
                continue
            failures_in_a_row = 0
            message.delivered_at = now()
            message.attempts += 1
            message.save(update_fields=["delivered_at", "attempts"])
            delivered += 1
    return delivered
