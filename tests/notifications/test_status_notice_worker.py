"""With a broker, the status e-mail is a worker's job, not the request's.

Production runs Celery: after a dossier changes, the request only publishes a task and
answers; a worker renders, queues and sends the e-mail. Tested against the Redis on
localhost (a real broker). If the broker is down the request does the work itself, so
no message is lost.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.test import override_settings

from motcua.config.celery import app
from motcua.feedback.tasks import dossier_status_notice_task
from motcua.notifications.models import OutgoingEmail
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World
from tests.notifications.smtp import SmtpServer

world = dossier_fixtures.world

pytestmark = pytest.mark.django_db
BROKER = "redis://127.0.0.1:6379/14"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _reset_pool() -> None:
    """Drop pooled broker connections so the next publish connects to the new URL."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None


@pytest.fixture
def broker(request: pytest.FixtureRequest) -> Iterator[str]:
    url = getattr(request, "param", BROKER)
    if url == BROKER and not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    conf = app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    _reset_pool()
    if url == BROKER:
        redis.Redis.from_url(url).flushdb()
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=url):
            yield url
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _reset_pool()


def test_the_request_publishes_and_a_worker_sends(
    world: World, smtp: SmtpServer, broker: str, committed: Callable[..., Any]
) -> None:
    dossier = committed(world.submit)
    # Nothing rendered, queued or sent by the request itself.
    assert not OutgoingEmail.objects.exists() and smtp.messages == []
    raw = redis.Redis.from_url(broker).lpop("celery")
    assert raw is not None, "the task was not published"
    message = json.loads(raw)
    assert message["headers"]["task"] == "motcua.feedback.dossier_status_notice"
    args = json.loads(base64.b64decode(message["body"]))[0]
    assert args == [dossier.pk, "submit"]
    # What the worker does with it.
    dossier_status_notice_task.run(*args)
    assert OutgoingEmail.objects.get().status == "sent"
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:1/0"], indirect=True)
def test_a_broker_outage_costs_latency_not_the_message(
    world: World, smtp: SmtpServer, broker: str, committed: Callable[..., Any]
) -> None:
    committed(world.submit)
    assert OutgoingEmail.objects.get().status == "sent"
    assert len(smtp.messages) == 1
