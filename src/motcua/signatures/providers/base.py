"""The provider interface and its registry (with a per-process cache of loaded signers)."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.signers import Signer

from motcua.signatures.errors import SigningRefused


def resolve_secret(reference: str, *, what: str) -> str:
    """The secret behind ``env:NAME`` or ``file:/path`` (never written inline in settings)."""
    kind, _sep, rest = (reference or "").partition(":")
    if kind == "env" and rest:
        value = os.environ.get(rest)
        if value is None:
            raise SigningRefused(
                "key_unavailable",
                _(
                    "The %(what)s of this key is expected in the environment variable %(name)s, "
                    "which is not set."
                )
                % {"what": what, "name": rest},
            )
        return value
    if kind == "file" and rest:
        try:
            return Path(rest).read_text(encoding="utf-8").strip()
        except OSError:
            raise SigningRefused(
                "key_unavailable",
                _("The %(what)s file of this key cannot be read: %(path)s.")
                % {"what": what, "path": rest},
            ) from None
    raise SigningRefused(
        "key_config",
        _("Give the %(what)s as env:VARIABLE or file:/path, never the secret itself.")
        % {"what": what},
    )


class SigningProvider(ABC):
    """Where keys of one kind live; ``load`` returns a ready pyHanko signer."""

    name: ClassVar[str]
    # A loaded signer may be used by one thread at a time (PKCS#11 sessions are not
    # thread-safe); a pure in-memory signer may say True.
    thread_safe: ClassVar[bool] = False

    def config_errors(self, config: Mapping[str, Any]) -> dict[str, list[str]]:
        """Problems of ``config`` by field (empty: usable); checked before saving a key."""
        return {}

    @abstractmethod
    def load(self, config: Mapping[str, Any]) -> Signer:
        """Open the key; raise ``SigningRefused`` with a clear message when it cannot be used."""

    def close(self, signer: Signer) -> None:
        """Release what ``load`` opened (a token session…)."""
        return None

    def cache_token(self, config: Mapping[str, Any]) -> str:
        """Changes when the key material behind ``config`` changes (e.g. a file replaced)."""
        return ""


@dataclass
class _Loaded:
    provider: SigningProvider
    signer: Signer
    loaded_at: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)


def cache_seconds() -> float:
    """How long a loaded signer is reused (a renewed certificate is picked up after it)."""
    return float(getattr(settings, "MOTCUA_SIGNER_CACHE_SECONDS", 300))


class ProviderRegistry:
    """Providers by name, and the signers they loaded (one per distinct key config)."""

    def __init__(self) -> None:
        self._providers: dict[str, SigningProvider] = {}
        self._loaded: dict[tuple[str, str], _Loaded] = {}
        self._lock = threading.Lock()

    def register(self, provider: SigningProvider) -> None:
        self._providers[provider.name] = provider

    def names(self) -> list[str]:
        return sorted(self._providers)

    def get(self, name: str) -> SigningProvider:
        try:
            return self._providers[name]
        except KeyError:
            raise SigningRefused(
                "key_config",
                _("Unknown key provider “%(name)s”; known: %(known)s.")
                % {"name": name, "known": ", ".join(self.names())},
            ) from None

    @contextmanager
    def signer(self, provider_name: str, config: Mapping[str, Any]) -> Iterator[Signer]:
        """The loaded signer for this key, held exclusively while the block runs.

        A failure inside the block drops the cached signer (a token may have been
        removed or its session closed): the next use loads it again.
        """
        provider = self.get(provider_name)
        cache_key = (
            provider_name,
            json.dumps(dict(config), sort_keys=True, default=str) + provider.cache_token(config),
        )
        with self._lock:
            entry = self._loaded.get(cache_key)
        if entry is not None and time.monotonic() - entry.loaded_at > cache_seconds():
            self._drop(cache_key)
            entry = None
        if entry is None:
            entry = _Loaded(provider=provider, signer=provider.load(config))
            with self._lock:
                entry = self._loaded.setdefault(cache_key, entry)
        try:
            if provider.thread_safe:
                yield entry.signer
            else:
                with entry.lock:
                    yield entry.signer
        except BaseException:
            self._drop(cache_key)
            raise

    def _drop(self, cache_key: tuple[str, str]) -> None:
        with self._lock:
            entry = self._loaded.pop(cache_key, None)
        if entry is not None:
            # Best effort: the session may already be gone.
            with contextlib.suppress(Exception):
                entry.provider.close(entry.signer)

    def clear(self) -> None:
        """Forget every loaded signer (after keys change; in tests)."""
        with self._lock:
            keys = list(self._loaded)
        for cache_key in keys:
            self._drop(cache_key)


registry = ProviderRegistry()


def _register_defaults() -> None:
    from motcua.signatures.providers.pkcs11 import Pkcs11Provider
    from motcua.signatures.providers.pkcs12 import Pkcs12Provider

    registry.register(Pkcs12Provider())
    registry.register(Pkcs11Provider())


_register_defaults()
