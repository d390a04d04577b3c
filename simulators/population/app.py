"""The population database simulator: JSON over HTTP with an API key and a request id.

``POST {base}/v1/citizens/lookup`` with headers ``X-API-Key`` and ``X-Request-ID`` and
the body ``{"id_number", "full_name", "date_of_birth", "purpose", "requester"}``
answers ``200 {"request_id", "found": true, "citizen": {...}}`` when the three
identifying fields match one resident, ``200 {"request_id", "found": false}``
otherwise (a partial match says nothing more). A missing or wrong key answers 401,
a malformed request 400 naming the fields. ``GET {base}/v1/health`` answers 200.

Like the real database, the simulator keeps its own log of look-ups — request id,
purpose, requester, found — which tests read at ``GET {base}/v1/requests``.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections import deque
from collections.abc import Iterable
from datetime import date
from typing import Any

from simulators.population.generator import NATIONALITY, Population, Resident, population
from simulators.wsgi import Request, Response, Router, json_response

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
TEXT_LIMIT = 200


def _person(name: str, id_number: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    return {"full_name": name, "id_number": id_number}


def citizen_record(people: Population, resident: Resident) -> dict[str, Any]:
    """What the population database answers about one resident (DOMAIN §9)."""
    household = people.household(resident.household)
    head = household.head
    (father_name, father_id), (mother_name, mother_id) = people.parents_of(resident)
    spouse = people.spouse_of(resident)
    representative = None
    if resident.age < 18:
        guardian = (father_name, father_id) if father_id else (mother_name, mother_id)
        if not guardian[1]:
            guardian = (head.full_name, head.id_number)
        representative = _person(*guardian)
    return {
        "id_number": resident.id_number,
        "former_id_number": resident.former_id_number,
        "full_name": resident.full_name,
        "family_name": resident.family_name,
        "middle_name": resident.middle_name,
        "given_name": resident.given_name,
        "date_of_birth": resident.date_of_birth.isoformat(),
        "sex": resident.sex,
        "ethnicity": {"code": resident.ethnicity[0], "name": resident.ethnicity[1]},
        "religion": {"code": resident.religion[0], "name": resident.religion[1]},
        "marital_status": resident.marital_status,
        "nationality": {"code": NATIONALITY[0], "name": NATIONALITY[1]},
        "birth_registration_place": resident.birth_registration_place.as_dict(),
        "home_town": resident.home_town.as_dict(),
        "permanent_residence": resident.permanent_residence.as_dict(),
        "current_residence": resident.current_residence.as_dict(),
        "household": {
            "code": household.code,
            "head": _person(head.full_name, head.id_number),
            "relation_to_head": resident.relation_to_head,
            "size": len(household.members),
        },
        "father": _person(father_name, father_id),
        "mother": _person(mother_name, mother_id),
        "spouse": _person(spouse.full_name, spouse.id_number) if spouse else None,
        "representative": representative,
    }


class PopulationSimulator:
    def __init__(self, *, api_keys: Iterable[str], people: Population | None = None) -> None:
        self.api_keys = tuple(k for k in api_keys if k)
        if not self.api_keys:
            raise ValueError("the population simulator needs at least one API key")
        self.people = people or population()
        self.requests: deque[dict[str, Any]] = deque(maxlen=10_000)
        self._lock = threading.Lock()
        self.router = Router()
        self.router.add("/v1/citizens/lookup", self.lookup, ["POST"])
        self.router.add("/v1/health", self.health, ["GET"])
        self.router.add("/v1/requests", self.recent_requests, ["GET"])

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.router(environ, start_response)

    def _authorised(self, request: Request) -> bool:
        given = request.header("X-API-Key").encode()
        return any(hmac.compare_digest(given, key.encode()) for key in self.api_keys)

    def _unauthorised(self) -> Response:
        return json_response(
            {"error": "unauthorized", "message": "Send a valid X-API-Key header."},
            401,
            [("WWW-Authenticate", 'ApiKey header="X-API-Key"')],
        )

    def health(self, request: Request) -> Response:
        return json_response({"status": "ok", "residents": self.people.size})

    def recent_requests(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._unauthorised()
        with self._lock:
            return json_response({"requests": list(self.requests)})

    def lookup(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._unauthorised()
        request_id = request.header("X-Request-ID")
        if not REQUEST_ID.match(request_id):
            return json_response(
                {
                    "error": "invalid_request",
                    "fields": {"X-Request-ID": "8 to 64 letters, digits, '.', '_' or '-'"},
                },
                400,
            )
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return json_response(
                {
                    "request_id": request_id,
                    "error": "invalid_request",
                    "fields": {"body": "a JSON object"},
                },
                400,
            )
        fields: dict[str, str] = {}
        id_number = body.get("id_number")
        if not (isinstance(id_number, str) and len(id_number) == 12 and id_number.isdigit()):
            fields["id_number"] = "12 digits"
        full_name = body.get("full_name")
        if not (isinstance(full_name, str) and 0 < len(full_name.strip()) <= TEXT_LIMIT):
            fields["full_name"] = "required, at most 200 characters"
        born: date | None = None
        try:
            born = date.fromisoformat(body.get("date_of_birth") or "")
        except (TypeError, ValueError):
            fields["date_of_birth"] = "a date YYYY-MM-DD"
        purpose = body.get("purpose")
        if not (isinstance(purpose, str) and 0 < len(purpose.strip()) <= 100):
            fields["purpose"] = "required, at most 100 characters"
        requester = body.get("requester", "")
        if not isinstance(requester, str) or len(requester) > 100:
            fields["requester"] = "at most 100 characters"
        if fields:
            return json_response(
                {"request_id": request_id, "error": "invalid_request", "fields": fields}, 400
            )
        assert born is not None
        resident = self.people.lookup(id_number=id_number, full_name=full_name, date_of_birth=born)
        with self._lock:
            self.requests.append(
                {
                    "request_id": request_id,
                    "purpose": purpose,
                    "requester": requester,
                    "found": resident is not None,
                }
            )
        if resident is None:
            return json_response({"request_id": request_id, "found": False})
        return json_response(
            {
                "request_id": request_id,
                "found": True,
                "citizen": citizen_record(self.people, resident),
            }
        )


_in_process: list[PopulationSimulator] = []
_in_process_lock = threading.Lock()


def in_process_application() -> PopulationSimulator:
    """The simulator motcua talks to when no ``POPULATION_URL`` is configured.

    It accepts the API key the adapter sends by default (derived from the secret key),
    so the embedded default needs no configuration.
    """
    if not _in_process:
        with _in_process_lock:
            if not _in_process:
                from motcua.integrations.population import population_settings

                _in_process.append(PopulationSimulator(api_keys=[population_settings().api_key]))
    return _in_process[0]
