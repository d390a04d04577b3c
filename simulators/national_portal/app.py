"""The national portal's dossier-sync endpoint: JSON over HTTP with a bearer token.

``POST {base}/v1/dossier-sync`` with ``Authorization: Bearer <token>`` and the body
``{"message_id", "topic", "key", "payload"}`` (``payload``: the dossier's record as the
national portal receives it, ``MaHoSo``, ``TrangThaiHoSo``, …) answers
``200 {"message_id", "accepted": true, "duplicate": false}``. The same ``message_id``
delivered again — the sender did not see the first answer — is acknowledged again with
``"duplicate": true`` and not counted twice: delivery is at least once, receipt exactly
once. A missing or wrong token answers 401, a malformed message 400 naming the fields.
``GET {base}/v1/health`` answers 200.

What it received is kept in memory and listed (token required) at
``GET {base}/v1/received``: ``{"count", "deliveries", "duplicates", "message_ids",
"keys"}`` — ``message_ids`` in order of first receipt, ``keys`` maps each key to its
message ids in that order — so checks can count every message exactly once and see the
order per dossier. ``?summary=1`` leaves the lists out.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterable
from typing import Any

from simulators.wsgi import Request, Response, Router, json_response

MAX_ID = 100


class NationalPortalSimulator:
    def __init__(self, *, tokens: Iterable[str]) -> None:
        self.tokens = tuple(t for t in tokens if t)
        if not self.tokens:
            raise ValueError("the national portal simulator needs at least one token")
        self._lock = threading.Lock()
        self.received: dict[str, dict[str, Any]] = {}  # message id → message, first receipt
        self.keys: dict[str, list[str]] = {}
        self.deliveries = 0
        self.router = Router()
        self.router.add("/v1/dossier-sync", self.sync, ["POST"])
        self.router.add("/v1/received", self.listing, ["GET"])
        self.router.add("/v1/health", self.health, ["GET"])

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.router(environ, start_response)

    def _authorised(self, request: Request) -> bool:
        given = (request.bearer_token() or "").encode()
        return any(hmac.compare_digest(given, token.encode()) for token in self.tokens)

    def _unauthorised(self) -> Response:
        return json_response(
            {"error": "unauthorized", "message": "Send Authorization: Bearer <token>."},
            401,
            [("WWW-Authenticate", "Bearer")],
        )

    def health(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    def sync(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._unauthorised()
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return json_response(
                {"error": "invalid_request", "fields": {"body": "a JSON object"}}, 400
            )
        fields: dict[str, str] = {}
        message_id = body.get("message_id")
        if not (isinstance(message_id, str) and 0 < len(message_id) <= MAX_ID):
            fields["message_id"] = "required, 1 to 100 characters"
        for name in ("topic", "key"):
            value = body.get(name)
            if not (isinstance(value, str) and 0 < len(value) <= MAX_ID):
                fields[name] = "required, 1 to 100 characters"
        if not isinstance(body.get("payload"), dict):
            fields["payload"] = "a JSON object"
        if fields:
            return json_response({"error": "invalid_request", "fields": fields}, 400)
        with self._lock:
            self.deliveries += 1
            duplicate = message_id in self.received
            if not duplicate:
                self.received[message_id] = body
                self.keys.setdefault(body["key"], []).append(message_id)
        return json_response({"message_id": message_id, "accepted": True, "duplicate": duplicate})

    def listing(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._unauthorised()
        with self._lock:
            data: dict[str, Any] = {
                "count": len(self.received),
                "deliveries": self.deliveries,
                "duplicates": self.deliveries - len(self.received),
            }
            if request.query.get("summary") not in {"1", "true"}:
                data["message_ids"] = list(self.received)
                data["keys"] = {key: list(ids) for key, ids in self.keys.items()}
        return json_response(data)


_in_process: list[NationalPortalSimulator] = []
_in_process_lock = threading.Lock()


def in_process_application() -> NationalPortalSimulator:
    """The simulator mounted at ``/sim/national-portal/`` (development and tests).

    It accepts the token motcua's sender uses when no ``MOTCUA_NATIONAL_PORTAL_URL`` is
    configured (derived from the secret key), so the embedded default needs no setup.
    """
    if not _in_process:
        with _in_process_lock:
            if not _in_process:
                from motcua.integrations.national_portal import local_token

                _in_process.append(NationalPortalSimulator(tokens=[local_token()]))
    return _in_process[0]
