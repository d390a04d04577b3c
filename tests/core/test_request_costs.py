"""What keeps a request cheap: the one-round-trip rate limit, fixed look-up SQL, no JIT."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core import throttling
from motcua.dossiers import api_lookup
from motcua.dossiers.models import Dossier, DossierEvent

REDIS = "redis://127.0.0.1:6379/13"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["redis", "locmem"])
def cache_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        redis.Redis.from_url(REDIS).flushdb()
        config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}
    else:
        config = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(CACHES={"default": config}):
        caches["default"].clear()
        yield request.param
        caches["default"].clear()


def test_each_request_adds_one_in_its_window(
    cache_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(throttling.time, "time", lambda: clock[0])
    assert [throttling.window_count("throttle_public_1.2.3.4", 60) for _ in range(3)] == [1, 2, 3]
    assert throttling.window_count("throttle_public_5.6.7.8", 60) == 1  # another client
    clock[0] += 60  # the next window starts from zero
    assert throttling.window_count("throttle_public_1.2.3.4", 60) == 1
    if cache_backend == "redis":
        client = redis.Redis.from_url(REDIS)
        ttls = [client.ttl(k) for k in client.keys("*throttle_public_1.2.3.4*")]
        assert ttls and all(0 < t <= 61 for t in ttls)  # counters expire by themselves


def test_the_lookup_sql_names_the_models_tables() -> None:
    for model in (Dossier, ProcedureVersion, Procedure):
        assert f" {model._meta.db_table} " in api_lookup._DOSSIER_SQL
    assert f" {DossierEvent._meta.db_table} " in api_lookup._STEPS_SQL


@pytest.mark.django_db
def test_request_queries_run_without_jit_compilation(on_postgres: None) -> None:
    """A queue page's plan, costed high, spent more time in JIT than in its work."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_lookup_answer_built_by_hand_is_what_its_documented_serializer_gives() -> None:
    """``public_body`` skips DRF for speed; the OpenAPI schema still comes from
    ``PublicDossierSerializer``, so the two must not drift apart."""
    from datetime import UTC, datetime

    when = datetime(2026, 12, 7, 2, 30, 15, 123456, tzinfo=UTC)
    found = api_lookup.PublicDossier(
        code="H01.00070-261207-0001",
        procedure_code="1.001193",
        procedure_name="Thủ tục đăng ký khai sinh",
        status="received",
        status_label="được tiếp nhận",
        national_status=2,
        received_at=when,
        due_at=None,
        timeline=[api_lookup.PublicStep(action="receive", label="Received", occurred_at=when)],
    )
    assert api_lookup.public_body(found) == api_lookup.PublicDossierSerializer(found).data
