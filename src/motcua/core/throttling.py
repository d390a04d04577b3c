"""A rate limit that costs one cache round trip per request.

DRF's ``SimpleRateThrottle`` keeps the list of a client's request times over the whole
period and reads and rewrites it on every request (two round trips and a pickled list
that grows with the rate). ``FixedWindowThrottle`` counts requests per client in fixed
windows of the period: on Redis one pipelined ``INCR`` + ``EXPIRE NX``. A client may
reach twice the rate across a window boundary — the usual price of fixed windows, well
within what these limits are for (stopping enumeration, not metering).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle


def window_count(key: str, seconds: int) -> int:
    """Add one to ``key``'s counter for the current window and return the count."""
    window = int(time.time() // seconds)
    full_key = cache.make_and_validate_key(f"{key}:{window}")
    backend: Any = cache
    client_of = getattr(getattr(backend, "_cache", None), "get_client", None)
    if client_of is not None:  # django.core.cache.backends.redis.RedisCache
        pipe = client_of(full_key, write=True).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, seconds + 1, nx=True)
        count, _ = pipe.execute()
        return int(count)
    if cache.add(f"{key}:{window}", 1, seconds + 1):
        return 1
    try:
        return int(cache.incr(f"{key}:{window}"))
    except ValueError:  # expired in between
        cache.add(f"{key}:{window}", 1, seconds + 1)
        return 1


class FixedWindowThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` (same scopes, rates and client identity), counted per window."""

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count = window_count(self.key, int(self.duration))
        self.wait_seconds = self.duration - (time.time() % self.duration)
        return count <= self.num_requests

    def wait(self) -> float | None:
        return float(max(1, round(self.wait_seconds)))
