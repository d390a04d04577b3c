"""NEGATIVE CONTROL for bench/drill.py — a deliberately lossy server. Never use it for real.

It serves motcua's real application, but wraps every intake submission in an outer
database transaction that it commits only ``LOSSY_COMMIT_DELAY`` seconds (default 0.5)
*after* the 201 answer has been sent: the client holds an acknowledgement for a dossier
that is not yet durable. A ``kill -9`` of the server in that window rolls the dossier
back (PostgreSQL aborts the open transaction of a dead connection), so acknowledged
dossiers are lost — the bug "answer first, commit later" that the drill must be able to
see. It lives in bench/ only; nothing in src/ imports it.

Served by the same gunicorn command as the real drill::

    gunicorn -c deploy/gunicorn.conf.py --pythonpath bench lossy_wsgi:application
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction

DELAY = float(os.environ.get("LOSSY_COMMIT_DELAY", "0.5"))
LOSSY_PATH = "/api/v1/intake/dossiers/"

django_app = get_wsgi_application()
# Django closes "old" connections when a request starts and ends; inside the outer
# transaction that would close it under us. This wrapper manages the transaction itself.
signals.request_started.disconnect(close_old_connections)
signals.request_finished.disconnect(close_old_connections)


class _CommitLater:
    """The answer's body; ``close()`` (called by the server after sending it) commits."""

    def __init__(self, chunks: list[bytes], atomic: Any) -> None:
        self.chunks = chunks
        self.atomic = atomic

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        try:
            time.sleep(DELAY)  # the acknowledgement is on the wire; the data is not durable
        finally:
            self.atomic.__exit__(None, None, None)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != LOSSY_PATH:
        close_old_connections()
        try:
            return list(django_app(environ, start_response))
        finally:
            close_old_connections()
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        result = django_app(environ, start_response)
        try:
            chunks = list(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
    except BaseException as exc:
        atomic.__exit__(type(exc), exc, exc.__traceback__)
        raise
    return _CommitLater(chunks, atomic)
