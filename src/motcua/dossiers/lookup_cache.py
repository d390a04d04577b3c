"""The public look-up's answers, kept in the cache until the dossier changes.

A citizen follows a dossier by scanning the slip's QR code again and again while it
changes a handful of times in its life. A found answer is kept in the cache
(``CACHE_URL``, Redis in production) under a digest of the code and the ID number, per
language, for ``MOTCUA_LOOKUP_CACHE_SECONDS`` (default 60; 0 turns it off), and dropped
as soon as a change of the dossier commits (``event_add`` schedules ``lookup_forget``).
The time limit bounds staleness should a drop be missed (a process killed between the
commit and the drop). Wrong pairs are never kept: guessing gains nothing from the cache.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache

LANGUAGES = ("vi", "en")


def lookup_seconds() -> int:
    return int(getattr(settings, "MOTCUA_LOOKUP_CACHE_SECONDS", 60))


def lookup_cache_key(code: str, id_number: str, language: str) -> str:
    digest = hashlib.sha256(f"{code}\n{id_number}".encode()).hexdigest()
    return f"lookup:v1:{language}:{digest}"


def lookup_cached(code: str, id_number: str, language: str) -> Any:
    if lookup_seconds() <= 0:
        return None
    return cache.get(lookup_cache_key(code, id_number, language))


def lookup_keep(code: str, id_number: str, language: str, answer: Any) -> None:
    if lookup_seconds() > 0:
        cache.set(lookup_cache_key(code, id_number, language), answer, lookup_seconds())


def lookup_forget(code: str | None, id_number: str) -> None:
    """Drop the dossier's kept answers (every language); called after its change commits."""
    if code and lookup_seconds() > 0:
        cache.delete_many([lookup_cache_key(code, id_number, lang) for lang in LANGUAGES])
