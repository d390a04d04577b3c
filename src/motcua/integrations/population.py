"""The national population database (DOMAIN §9): interface, HTTP client, look-up log.

A look-up goes by personal ID number + full name + date of birth and answers the
resident's identity, residence (province/commune codes + detail), household and
relations, or "not found". Every look-up — found, not found, refused or failed — is
written to ``PopulationLookup`` (who, unit, purpose, request id, result, time; never
the person looked up) with an audit entry, so auditors see every use
(``docs/population.md``).

* ``PopulationDirectory`` is the interface; ``HttpPopulationDirectory`` speaks the
  protocol of ``simulators/population`` (JSON over HTTP, ``X-API-Key``,
  ``X-Request-ID``) with timeouts and clear errors.
* Configuration: ``POPULATION_URL``, ``POPULATION_API_KEY``, ``POPULATION_TIMEOUT``.
  Without a URL the embedded default (``SIMULATORS_IN_PROCESS``) talks to the
  in-process simulator through ``httpx.WSGITransport`` — same protocol, no socket.
* ``population_lookup`` is the one door: it checks who may look up whom and logs.
  ``prefill_for`` gives e-forms the account holder's own data, keyed like
  ``motcua.catalog.exchange.PREFILL_SOURCES``.

Call these outside a database transaction: the HTTP call should not hold one open, and
the log row must not be rolled back with a failed caller.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import httpx
import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, User
from motcua.audit.services import NATIONAL_CHAIN, audit_record
from motcua.core.clock import local_now, now
from motcua.core.errors import DomainError, PermissionDenied
from motcua.integrations.models import (
    LookupActorKind,
    LookupOutcome,
    LookupPurpose,
    PopulationLookup,
)
from motcua.units.models import StaffRole, Unit, UnitLevel
from motcua.units.selectors import roles_of

log = structlog.get_logger(__name__)

LOOKUP_PATH = "v1/citizens/lookup"
IN_PROCESS_APP = "simulators.population.app.in_process_application"
# The values the catalog's e-forms use for sex (see the seed's "requester_sex").
SEX_VALUES = {"male": "nam", "female": "nu"}


# --- errors ---------------------------------------------------------------------------------


class PopulationError(DomainError):
    """A look-up that gave no answer; ``message`` is for the user, ``code`` for the log."""

    code = "population_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class PopulationUnavailable(PopulationError):
    code = "unavailable"


class PopulationRefused(PopulationError):
    code = "refused_by_database"


class PopulationNotFound(PopulationError):
    code = "not_found"


class IdentityIncomplete(PopulationError):
    code = "identity_incomplete"


# --- what the database answers -----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    province_code: str
    province_name: str
    commune_code: str
    commune_name: str
    detail: str = ""

    @property
    def text(self) -> str:
        """As written on a form: detail, commune, province."""
        return ", ".join(p for p in (self.detail, self.commune_name, self.province_name) if p)


@dataclass(frozen=True)
class PersonRef:
    full_name: str
    id_number: str | None = None


@dataclass(frozen=True)
class Citizen:
    id_number: str
    former_id_number: str | None
    full_name: str
    family_name: str
    middle_name: str
    given_name: str
    date_of_birth: date
    sex: str  # "male" | "female"
    ethnicity: str
    ethnicity_code: str
    religion: str
    marital_status: str
    nationality: str
    nationality_code: str
    birth_registration_place: Place
    home_town: Place
    permanent_residence: Place
    current_residence: Place
    household_code: str
    household_head: PersonRef
    relation_to_head: str
    household_size: int
    father: PersonRef | None
    mother: PersonRef | None
    spouse: PersonRef | None
    representative: PersonRef | None

    def related_to(self, id_number: str) -> bool:
        """``id_number`` is this resident, a parent, spouse, representative or head."""
        people = (
            self.father,
            self.mother,
            self.spouse,
            self.representative,
            self.household_head,
        )
        return id_number == self.id_number or any(
            p is not None and p.id_number == id_number for p in people
        )


class PopulationProtocolError(PopulationUnavailable):
    code = "bad_answer"


def _unexpected(what: str) -> PopulationProtocolError:
    return PopulationProtocolError(
        _(
            "The national population database answered in an unexpected format. "
            "Please tell the administrators."
        ),
        code=f"bad_answer:{what}"[:100],
    )


def _text(data: Mapping[str, Any], key: str, *, optional: bool = False) -> str:
    value = data.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise _unexpected(key)
    return value


def _place(data: Any, key: str) -> Place:
    if not isinstance(data, Mapping):
        raise _unexpected(key)
    return Place(
        province_code=_text(data, "province_code"),
        province_name=_text(data, "province_name"),
        commune_code=_text(data, "commune_code"),
        commune_name=_text(data, "commune_name"),
        detail=_text(data, "detail", optional=True),
    )


def _person(data: Any, key: str) -> PersonRef | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise _unexpected(key)
    id_number = data.get("id_number")
    if id_number is not None and not isinstance(id_number, str):
        raise _unexpected(key)
    return PersonRef(full_name=_text(data, "full_name"), id_number=id_number)


def citizen_from_json(data: Any) -> Citizen:
    """Parse the database's record; anything missing or mistyped is an error, not a guess."""
    if not isinstance(data, Mapping):
        raise _unexpected("citizen")
    try:
        born = date.fromisoformat(_text(data, "date_of_birth"))
    except ValueError:
        raise _unexpected("date_of_birth") from None
    sex = _text(data, "sex")
    if sex not in SEX_VALUES:
        raise _unexpected("sex")
    household = data.get("household")
    if not isinstance(household, Mapping) or not isinstance(household.get("size"), int):
        raise _unexpected("household")
    head = _person(household.get("head"), "household.head")
    if head is None:
        raise _unexpected("household.head")
    coded = {}
    for key in ("ethnicity", "religion", "nationality"):
        item = data.get(key)
        if not isinstance(item, Mapping):
            raise _unexpected(key)
        coded[key] = (_text(item, "code"), _text(item, "name"))
    former = data.get("former_id_number")
    if former is not None and not isinstance(former, str):
        raise _unexpected("former_id_number")
    return Citizen(
        id_number=_text(data, "id_number"),
        former_id_number=former,
        full_name=_text(data, "full_name"),
        family_name=_text(data, "family_name", optional=True),
        middle_name=_text(data, "middle_name", optional=True),
        given_name=_text(data, "given_name", optional=True),
        date_of_birth=born,
        sex=sex,
        ethnicity=coded["ethnicity"][1],
        ethnicity_code=coded["ethnicity"][0],
        religion=coded["religion"][1],
        marital_status=_text(data, "marital_status", optional=True),
        nationality=coded["nationality"][1],
        nationality_code=coded["nationality"][0],
        birth_registration_place=_place(data.get("birth_registration_place"), "birth_place"),
        home_town=_place(data.get("home_town"), "home_town"),
        permanent_residence=_place(data.get("permanent_residence"), "permanent_residence"),
        current_residence=_place(data.get("current_residence"), "current_residence"),
        household_code=_text(household, "code"),
        household_head=head,
        relation_to_head=_text(household, "relation_to_head"),
        household_size=household["size"],
        father=_person(data.get("father"), "father"),
        mother=_person(data.get("mother"), "mother"),
        spouse=_person(data.get("spouse"), "spouse"),
        representative=_person(data.get("representative"), "representative"),
    )


# --- the interface and its HTTP client -----------------------------------------------------


class PopulationDirectory(Protocol):
    def lookup(
        self,
        *,
        id_number: str,
        full_name: str,
        date_of_birth: date,
        purpose: str,
        requester: str,
        request_id: str,
    ) -> Citizen | None:
        """The resident matching all three, or None; raises ``PopulationError``."""
        ...


def _unavailable(code: str) -> PopulationUnavailable:
    return PopulationUnavailable(
        _("The national population database did not answer. Please try again in a few minutes."),
        code=code,
    )


class HttpPopulationDirectory:
    """The population database's JSON API over HTTP (``simulators/population`` speaks it)."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ImproperlyConfigured("POPULATION_API_KEY is required with POPULATION_URL.")
        self.base_url = base_url.rstrip("/") + "/"
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
            headers={"X-API-Key": api_key, "Accept": "application/json"},
        )

    def lookup(
        self,
        *,
        id_number: str,
        full_name: str,
        date_of_birth: date,
        purpose: str,
        requester: str,
        request_id: str,
    ) -> Citizen | None:
        body = {
            "id_number": id_number,
            "full_name": full_name,
            "date_of_birth": date_of_birth.isoformat(),
            "purpose": purpose,
            "requester": requester,
        }
        try:
            response = self._client.post(
                LOOKUP_PATH, json=body, headers={"X-Request-ID": request_id}
            )
        except httpx.TimeoutException:
            raise _unavailable("timeout") from None
        except httpx.HTTPError as exc:
            raise _unavailable(f"connection:{type(exc).__name__}") from None
        status = response.status_code
        if status in {401, 403}:
            raise PopulationRefused(
                _(
                    "The national population database refused motcua's credentials. "
                    "Please tell the administrators."
                ),
                code=f"http_{status}",
            )
        if status == 400:
            raise PopulationRefused(
                _(
                    "The national population database refused the request as malformed. "
                    "Please tell the administrators."
                ),
                code="http_400",
            )
        if status >= 500 or status == 429:
            raise _unavailable(f"http_{status}")
        if status != 200:
            raise _unexpected(f"http_{status}")
        try:
            answer = response.json()
        except ValueError:
            raise _unexpected("json") from None
        if not isinstance(answer, Mapping) or answer.get("request_id") != request_id:
            raise _unexpected("request_id")
        found = answer.get("found")
        if found is False:
            return None
        if found is not True:
            raise _unexpected("found")
        return citizen_from_json(answer.get("citizen"))


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationSettings:
    url: str
    api_key: str
    timeout: float

    @property
    def in_process(self) -> bool:
        return not self.url


def local_api_key() -> str:
    """The API key of the in-process simulator, derived from the secret key (never shipped)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), b"motcua.population-simulator", hashlib.sha256
    ).hexdigest()


def population_settings() -> PopulationSettings:
    url = str(getattr(settings, "POPULATION_URL", "") or "").strip()
    key = str(getattr(settings, "POPULATION_API_KEY", "") or "").strip()
    timeout = float(getattr(settings, "POPULATION_TIMEOUT", 10.0))
    if not url:
        if not getattr(settings, "SIMULATORS_IN_PROCESS", False):
            raise ImproperlyConfigured(
                "POPULATION_URL is required (the in-process simulator runs only in "
                "development and tests)."
            )
        key = key or local_api_key()
    return PopulationSettings(url=url, api_key=key, timeout=timeout)


_directories: dict[PopulationSettings, PopulationDirectory] = {}
_directories_lock = threading.Lock()


def population_directory() -> PopulationDirectory:
    """The configured directory (one HTTP client per configuration, reused)."""
    config = population_settings()
    with _directories_lock:
        directory = _directories.get(config)
        if directory is None:
            if config.in_process:
                app = import_string(getattr(settings, "POPULATION_IN_PROCESS_APP", IN_PROCESS_APP))
                directory = HttpPopulationDirectory(
                    base_url="http://population.simulator/",
                    api_key=config.api_key,
                    timeout=config.timeout,
                    transport=httpx.WSGITransport(app=app()),
                )
            else:
                directory = HttpPopulationDirectory(
                    base_url=config.url, api_key=config.api_key, timeout=config.timeout
                )
            _directories[config] = directory
    return directory


# --- the one door: look up, check, log ------------------------------------------------------


def _actor_kind(actor: User | None) -> str:
    if actor is None:
        return LookupActorKind.SYSTEM
    return LookupActorKind.OFFICER if actor.kind == AccountKind.OFFICER else LookupActorKind.CITIZEN


def _log_lookup(
    *,
    actor: User | None,
    unit: Unit | None,
    purpose: str,
    reference: str,
    request_id: str,
    outcome: str,
    error: str = "",
) -> PopulationLookup:
    correlation = str(structlog.contextvars.get_contextvars().get("request_id", ""))[:64]
    with transaction.atomic():
        entry = PopulationLookup.objects.create(
            occurred_at=now(),
            actor=actor,
            actor_kind=_actor_kind(actor),
            unit=unit,
            province_code=unit.province_code if unit else "",
            purpose=purpose,
            reference=reference[:100],
            request_id=request_id,
            correlation_id=correlation,
            outcome=outcome,
            error=error[:100],
        )
        audit_record(
            action="population.lookup",
            actor=actor,
            object_type="population_lookup",
            object_id=entry.pk,
            chain=unit.province_code if unit else NATIONAL_CHAIN,
            data={"purpose": purpose, "outcome": outcome, "unit": unit.code if unit else ""},
        )
    log.info("population_lookup", lookup_id=entry.pk, purpose=purpose, outcome=outcome)
    return entry


def population_lookup(
    *,
    id_number: str,
    full_name: str,
    date_of_birth: date,
    purpose: str,
    actor: User | None,
    unit: Unit | None = None,
    reference: str = "",
    directory: PopulationDirectory | None = None,
) -> Citizen | None:
    """Look a resident up; every call is logged, whatever the outcome.

    Who may look up whom: an officer only for a unit where they hold a role today; a
    citizen only themselves or a person whose record names them as parent, spouse,
    representative or head of household (anyone else reads as "not found" and is
    logged as refused); the system (``actor`` None) for integration work.
    """
    if purpose not in LookupPurpose.values:
        raise DomainError(_("Unknown purpose of a population look-up."), field="purpose")
    if actor is not None and not actor.is_active:
        raise PermissionDenied(_("This account is disabled."))
    if (
        actor is not None
        and actor.kind == AccountKind.OFFICER
        and (
            unit is None or not roles_of(actor.pk, on=local_now().date()).filter(unit=unit).exists()
        )
    ):
        raise PermissionDenied(
            _("You may look residents up only for a unit where you hold a role.")
        )
    request_id = uuid.uuid4().hex
    common: dict[str, Any] = {
        "actor": actor,
        "unit": unit,
        "purpose": purpose,
        "reference": reference,
        "request_id": request_id,
    }
    try:
        citizen = (directory or population_directory()).lookup(
            id_number=id_number,
            full_name=full_name,
            date_of_birth=date_of_birth,
            purpose=purpose,
            requester=unit.code if unit else "",
            request_id=request_id,
        )
    except PopulationError as exc:
        _log_lookup(**common, outcome=LookupOutcome.FAILED, error=exc.code)
        log.warning("population_lookup_failed", error=exc.code, request=request_id)
        raise
    if (
        citizen is not None
        and actor is not None
        and actor.kind == AccountKind.CITIZEN
        and not (actor.personal_id and citizen.related_to(actor.personal_id))
    ):
        _log_lookup(**common, outcome=LookupOutcome.REFUSED)
        return None
    _log_lookup(**common, outcome=LookupOutcome.FOUND if citizen else LookupOutcome.NOT_FOUND)
    return citizen


def prefill_values(citizen: Citizen, account: User | None = None) -> dict[str, str]:
    """E-form prefill values, keyed like ``catalog.exchange.PREFILL_SOURCES``."""
    values = {
        "population.id_number": citizen.id_number,
        "population.full_name": citizen.full_name,
        "population.date_of_birth": citizen.date_of_birth.isoformat(),
        "population.sex": SEX_VALUES[citizen.sex],
        "population.ethnicity": citizen.ethnicity,
        "population.nationality": citizen.nationality,
        "population.permanent_residence": citizen.permanent_residence.text,
        "population.current_residence": citizen.current_residence.text,
    }
    if account is not None:
        values["account.email"] = account.email or ""
        values["account.phone"] = account.phone or ""
    return values


def prefill_for(
    account: User,
    *,
    purpose: str,
    actor: User | None,
    unit: Unit | None = None,
    reference: str = "",
) -> dict[str, str]:
    """The e-form values the state already holds about ``account``'s holder.

    Looks the holder up by the identity their national e-ID login gave (personal ID
    number, full name, date of birth) — logged like every look-up — and returns the
    ``population.*`` and ``account.*`` values of ``PREFILL_SOURCES``. Call it again when
    the form comes back to re-derive read-only fields: never trust the browser's copy.

    Raises ``IdentityIncomplete`` when the account lacks a verified identity,
    ``PopulationNotFound`` when the database has no such resident, and
    ``PopulationUnavailable``/``PopulationRefused`` when it cannot answer; each
    carries a message for the user.
    """
    born = getattr(account, "date_of_birth", None)
    if not (account.personal_id and account.full_name and born):
        raise IdentityIncomplete(
            _(
                "Your account has no verified identity yet: sign in with the national "
                "electronic identity (VNeID) to fill e-forms from the population database."
            )
        )
    citizen = population_lookup(
        id_number=account.personal_id,
        full_name=account.full_name,
        date_of_birth=born,
        purpose=purpose,
        actor=actor,
        unit=unit,
        reference=reference,
    )
    if citizen is None:
        raise PopulationNotFound(
            _(
                "The national population database has no resident with this personal ID "
                "number, full name and date of birth."
            )
        )
    return prefill_values(citizen, account)


# --- who sees the log: the auditors' report ---------------------------------------------------


def can_audit_population_lookups(user: Any) -> bool:
    """A superuser, or an officer holding the population-database auditor role today."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_superuser:
        return True
    return (
        roles_of(user.pk, on=local_now().date()).filter(role=StaffRole.POPULATION_AUDITOR).exists()
    )


def visible_lookups(user: Any) -> QuerySet[PopulationLookup]:
    """The look-ups ``user`` may audit.

    A superuser, or an auditor in a ministry-level unit, sees every look-up; an auditor
    in a provincial unit sees the look-ups made for units of that province. Look-ups
    made without a unit (a citizen's prefill before choosing where to submit) are
    national: ministry-level auditors see them.
    """
    lookups = PopulationLookup.objects.select_related("actor", "unit")
    if not can_audit_population_lookups(user):
        return lookups.none()
    if user.is_superuser:
        return lookups
    units = [
        assignment.unit
        for assignment in roles_of(user.pk, on=local_now().date()).filter(
            role=StaffRole.POPULATION_AUDITOR
        )
    ]
    if any(unit.level == UnitLevel.MINISTRY for unit in units):
        return lookups
    return lookups.filter(province_code__in={unit.province_code for unit in units})
