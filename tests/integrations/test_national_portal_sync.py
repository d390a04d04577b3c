"""National portal sync: the outbox's HTTP sender against the simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from simulators.national_portal.app import NationalPortalSimulator
from simulators.wsgi import serve_in_thread

from motcua.core.clock import now
from motcua.dossiers import services as S
from motcua.dossiers.events import SYNC_TOPIC
from motcua.integrations import national_portal, outbox
from motcua.integrations.models import OutboxMessage
from motcua.integrations.national_portal import (
    TOPIC,
    NationalPortalClient,
    local_token,
    national_portal_deliver,
)
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World
from tests.simulators.processes import free_port, simulator_process

world = dossier_fixtures.world  # the shared fixture, used by name

TOKEN = "national-portal-test-token-abcdefghijklmnop"
SENDER = "motcua.integrations.national_portal.send"
pytestmark = pytest.mark.django_db


def received(url: str, token: str = TOKEN) -> dict:
    answer = httpx.get(f"{url}/v1/received", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture
def portal() -> Iterator[tuple[NationalPortalSimulator, str]]:
    simulator = NationalPortalSimulator(tokens=[TOKEN])
    server = serve_in_thread(simulator)
    try:
        yield simulator, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def configured(url: str, token: str = TOKEN) -> override_settings:
    return override_settings(
        MOTCUA_NATIONAL_PORTAL_SENDER=SENDER,
        MOTCUA_NATIONAL_PORTAL_URL=url,
        MOTCUA_NATIONAL_PORTAL_TOKEN=token,
        MOTCUA_NATIONAL_PORTAL_TIMEOUT=2,
    )


def messages_for(world: World, dossiers: int = 3) -> list[OutboxMessage]:
    """``dossiers`` submissions; the first also received: two messages for one key."""
    made = [world.submit() for _ in range(dossiers)]
    S.dossier_receive(actor=world.reception, public_id=str(made[0].reference))
    return list(OutboxMessage.objects.filter(topic=TOPIC).order_by("id"))


def test_the_topic_is_the_dossiers_sync_topic() -> None:
    assert TOPIC == SYNC_TOPIC


def test_messages_arrive_in_order_per_dossier_exactly_once(
    world: World, portal: tuple[NationalPortalSimulator, str]
) -> None:
    simulator, url = portal
    messages = messages_for(world)
    assert len(messages) == 4
    with configured(url):
        assert national_portal_deliver() == 4
        assert national_portal_deliver() == 0  # nothing pending: nothing sent again
    seen = received(url)
    assert seen["count"] == seen["deliveries"] == 4 and seen["duplicates"] == 0
    assert seen["message_ids"] == [str(m.pk) for m in messages]
    first_key = messages[0].key
    assert seen["keys"][first_key] == [str(m.pk) for m in messages if m.key == first_key]
    assert len(seen["keys"][first_key]) == 2
    body = simulator.received[str(messages[0].pk)]
    assert body["topic"] == TOPIC and body["key"] == first_key
    assert body["payload"]["TrangThaiHoSo"] == messages[0].payload["TrangThaiHoSo"]
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_receiver_down_then_back_delivers_each_message_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = messages_for(world)
    port = free_port()  # nothing listens there yet: the portal is down
    url = f"http://127.0.0.1:{port}"
    with configured(url):
        assert national_portal_deliver() == 0
        assert national_portal_deliver() == 0  # still backing off: not even tried
    rows = {m.pk: m for m in OutboxMessage.objects.all()}
    assert all(m.delivered_at is None for m in rows.values())
    first, second = messages[0], messages[3]  # the received dossier's two messages
    assert first.key == second.key
    # One attempt per dossier's head message; the second of a key waits behind its first.
    assert rows[first.pk].attempts == 1 and rows[second.pk].attempts == 0
    assert rows[first.pk].next_attempt_at > now()
    assert "connection" in rows[first.pk].last_error
    assert sum(m.attempts for m in rows.values()) == 3

    # Still down after the backoff: a second attempt, a longer backoff.
    later = now() + timedelta(seconds=3)
    monkeypatch.setattr(outbox, "now", lambda: later)
    with configured(url):
        assert national_portal_deliver() == 0
    retried = OutboxMessage.objects.get(pk=first.pk)
    assert retried.attempts == 2 and retried.next_attempt_at >= later + timedelta(seconds=4)

    # The portal comes back on the same address.
    simulator = NationalPortalSimulator(tokens=[TOKEN])
    server = serve_in_thread(simulator, port=port)
    try:
        much_later = later + timedelta(minutes=5)
        monkeypatch.setattr(outbox, "now", lambda: much_later)
        with configured(url):
            assert national_portal_deliver() == 4
            assert national_portal_deliver() == 0
        seen = received(url)
    finally:
        server.shutdown()
        server.server_close()
    assert seen["count"] == seen["deliveries"] == 4
    assert seen["keys"][first.key] == [str(first.pk), str(second.pk)]
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()


def test_a_wrong_token_delivers_nothing(
    world: World, portal: tuple[NationalPortalSimulator, str]
) -> None:
    simulator, url = portal
    messages_for(world)
    with configured(url, token="not-the-token"):
        assert national_portal_deliver() == 0
    assert not OutboxMessage.objects.filter(delivered_at__isnull=False).exists()
    assert all(
        m.last_error.startswith("NationalPortalError: HTTP 401")
        for m in OutboxMessage.objects.filter(attempts__gt=0)
    )
    assert received(url)["deliveries"] == 0 and not simulator.received


def test_a_message_delivered_again_is_acknowledged_and_counted_once(
    world: World, portal: tuple[NationalPortalSimulator, str]
) -> None:
    _simulator, url = portal
    message = messages_for(world, dossiers=1)[0]
    client = NationalPortalClient(base_url=url, token=TOKEN)
    client.deliver(message)
    client.deliver(message)  # the first answer was lost: the sender tries again
    seen = received(url)
    assert seen["count"] == 1 and seen["deliveries"] == 2 and seen["duplicates"] == 1
    answer = httpx.post(
        f"{url}/v1/dossier-sync",
        json={"message_id": str(message.pk), "topic": TOPIC, "key": message.key, "payload": {}},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.json() == {"message_id": str(message.pk), "accepted": True, "duplicate": True}
    bad = httpx.post(
        f"{url}/v1/dossier-sync", json={"key": ""}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"message_id", "topic", "key", "payload"}


def test_the_command_delivers_with_the_configured_sender(
    world: World, portal: tuple[NationalPortalSimulator, str]
) -> None:
    _simulator, url = portal
    messages_for(world)
    out = StringIO()
    with configured(url):
        call_command("outbox_deliver", "--once", stdout=out)
    assert "delivered 4 (total 4); pending 0" in out.getvalue()
    no_sender = override_settings(MOTCUA_NATIONAL_PORTAL_SENDER="")
    with no_sender, pytest.raises(CommandError, match="MOTCUA_NATIONAL_PORTAL_SENDER"):
        call_command("outbox_deliver", "--once")


def test_without_a_url_local_environments_use_the_in_process_simulator(world: World) -> None:
    messages_for(world, dossiers=1)  # submitted and received: two messages
    with override_settings(MOTCUA_NATIONAL_PORTAL_SENDER=SENDER, MOTCUA_NATIONAL_PORTAL_URL=""):
        assert national_portal_deliver() == 2
    # The same simulator answers under /sim/national-portal/ of motcua's own URLs.
    listing = Client().get(
        "/sim/national-portal/v1/received?summary=1",
        headers={"Authorization": f"Bearer {local_token()}"},
    )
    assert listing.status_code == 200 and listing.json()["count"] >= 1
    assert Client().get("/sim/national-portal/v1/received").status_code == 401


def test_production_requires_the_url_and_token() -> None:
    from django.core.exceptions import ImproperlyConfigured

    no_url = override_settings(SIMULATORS_IN_PROCESS=False, MOTCUA_NATIONAL_PORTAL_URL="")
    with no_url, pytest.raises(ImproperlyConfigured, match="MOTCUA_NATIONAL_PORTAL_URL"):
        national_portal.portal_settings()
    no_token = override_settings(
        MOTCUA_NATIONAL_PORTAL_URL="https://portal.example", MOTCUA_NATIONAL_PORTAL_TOKEN=""
    )
    with no_token, pytest.raises(ImproperlyConfigured, match="MOTCUA_NATIONAL_PORTAL_TOKEN"):
        national_portal.portal_settings()


def test_the_simulator_runs_as_its_own_process() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with simulator_process(
        ["national-portal", "--port", str(port), "--token", TOKEN], ready_url=f"{url}/v1/health"
    ):
        answer = httpx.post(
            f"{url}/v1/dossier-sync",
            json={"message_id": "m-1", "topic": TOPIC, "key": "k", "payload": {"a": 1}},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert answer.status_code == 200 and answer.json()["duplicate"] is False
        assert received(url)["message_ids"] == ["m-1"]
        assert httpx.get(f"{url}/v1/received").status_code == 401


@pytest.mark.django_db
def test_messages_waiting_out_a_backoff_do_not_hold_back_the_others() -> None:
    """After an outage, a backlog of messages in backoff must not hide the due ones."""
    from datetime import timedelta

    from django.db import transaction

    from motcua.core.clock import now
    from motcua.integrations.models import OutboxMessage
    from motcua.integrations.outbox import outbox_deliver, outbox_enqueue

    with transaction.atomic():
        for n in range(5):
            outbox_enqueue(topic="t", key=f"waiting-{n}", payload={"n": n})
        outbox_enqueue(topic="t", key="waiting-0", payload={"n": "second of waiting-0"})
        for n in range(3):
            outbox_enqueue(topic="t", key=f"due-{n}", payload={"n": n})
    later = now() + timedelta(minutes=30)
    OutboxMessage.objects.filter(key__startswith="waiting-", payload__n__in=list(range(5))).update(
        next_attempt_at=later, attempts=3
    )
    sent: list[str] = []
    # A batch of 3: the five waiting messages come first by id but take no place.
    assert outbox_deliver(topic="t", send=lambda m: sent.append(m.key), limit=3) == 3
    assert sent == ["due-0", "due-1", "due-2"]
    # waiting-0's second message stays behind its first, still in backoff.
    assert outbox_deliver(topic="t", send=lambda m: sent.append(m.key), limit=10) == 0
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 6


@pytest.mark.django_db
def test_a_receiver_that_keeps_failing_stops_the_batch() -> None:
    """Three failures in a row: the receiver is down. The rest keep their place untried."""
    from django.db import transaction

    from motcua.integrations.models import OutboxMessage
    from motcua.integrations.outbox import MAX_FAILURES_IN_A_ROW, outbox_deliver, outbox_enqueue

    with transaction.atomic():
        for n in range(10):
            outbox_enqueue(topic="t", key=f"k{n}", payload={"n": n})
    tried: list[str] = []

    def down(message: OutboxMessage) -> None:
        tried.append(message.key)
        raise ConnectionRefusedError("receiver down")

    assert outbox_deliver(topic="t", send=down, limit=10) == 0
    assert tried == ["k0", "k1", "k2"] and MAX_FAILURES_IN_A_ROW == 3
    untried = OutboxMessage.objects.filter(attempts=0, next_attempt_at__isnull=True)
    assert untried.count() == 7
    # Back up: the untried ones go at once, the failed ones after their backoff.
    sent: list[str] = []
    assert outbox_deliver(topic="t", send=lambda m: sent.append(m.key), limit=10) == 7
    assert sent == [f"k{n}" for n in range(3, 10)]
