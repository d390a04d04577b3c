"""Citizen login with the national e-ID: motcua as an OpenID Connect relying party.

Works with any provider that follows OpenID Connect Core and Discovery, by
configuration only (``docs/oidc.md``): the issuer URL (the rest comes from its
discovery document), the client id and secret, the scopes and the names of the claims
carrying the personal ID number, the name, the date of birth and the assurance level.

The flow is the authorization code flow with PKCE (S256), ``state`` and ``nonce``
kept in the session. The ID token is checked before anything is believed: RS256 (or
the configured asymmetric algorithms) signature against the provider's JWKS (fetched
again once when a key id is unknown: key rotation), ``iss``, ``aud``/``azp``,
``exp``/``iat``, ``nonce`` and ``at_hash``. Claims the ID token lacks are read from
the userinfo endpoint (same ``sub``). Accounts link by personal ID number: the first
login creates the citizen account; later logins refresh name, date of birth and
assurance level. The session then says "verified with the national e-ID"
(``verified_with_national_id(request)``), which dossier submission records.

Authlib provides the PKCE and token helpers and joserfc the JOSE checks; HTTP goes
through ``httpx`` with timeouts (Authlib's Django client would need ``requests``,
a second HTTP stack the project does not otherwise use).

Settings (all through ``getattr`` with the embedded default in brackets):
``OIDC_ISSUER`` [this server's ``/sim/national-id`` when simulators run in-process],
``OIDC_CLIENT_ID`` [``motcua-local``], ``OIDC_CLIENT_SECRET`` [derived from the secret
key, local environments only], ``OIDC_SCOPES`` [``openid profile national_id``],
``OIDC_TOKEN_AUTH_METHOD`` [``auto``], ``OIDC_CLAIM_PERSONAL_ID`` [``personal_id``],
``OIDC_CLAIM_FULL_NAME`` [``name``], ``OIDC_CLAIM_DATE_OF_BIRTH`` [``birthdate``],
``OIDC_CLAIM_ASSURANCE_LEVEL`` [``acr``], ``OIDC_ACR_VALUES`` [none],
``OIDC_ACCEPTED_ACR`` [any], ``OIDC_ID_TOKEN_ALGORITHMS`` [``RS256``],
``OIDC_HTTP_TIMEOUT`` [10 s], ``OIDC_METADATA_TTL`` [3600 s], ``OIDC_LOGIN_REDIRECT_URL``
[``/``], ``OIDC_LOGOUT_REDIRECT_URL`` [``/``], ``OIDC_PROVIDER_LOGOUT`` [true].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import structlog
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from motcua.accounts.models import AccountKind, User
from motcua.accounts.validators import validate_personal_id
from motcua.audit.services import audit_record
from motcua.core.clock import now

log = structlog.get_logger(__name__)

IN_PROCESS_ISSUER_PATH = "/sim/national-id"
LOCAL_CLIENT_ID = "motcua-local"
SESSION_PENDING = "oidc_pending"
SESSION_VERIFIED = "national_id_verified"
SESSION_ASSURANCE = "national_id_assurance_level"
SESSION_ID_TOKEN = "oidc_id_token"  # noqa: S105 — a session key, not a secret
SESSION_ISSUER = "oidc_issuer"
PENDING_LIFETIME = 600  # seconds a started login may take
PENDING_MAX = 5  # logins started in parallel (tabs) per session
LEEWAY = 60  # seconds of clock skew tolerated
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    token_auth_method: str
    claim_personal_id: str
    claim_full_name: str
    claim_date_of_birth: str
    claim_assurance_level: str
    acr_values: str
    accepted_acr: tuple[str, ...]
    algorithms: tuple[str, ...]
    timeout: float
    metadata_ttl: int


def _setting(name: str, default: Any = "") -> Any:
    value = getattr(settings, name, default)
    return default if value is None or value == "" else value


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    return tuple(str(v) for v in value)


def _local() -> bool:
    return bool(getattr(settings, "LOCAL", False))


def client_credentials() -> tuple[str, str]:
    """The client id and secret motcua presents to the provider.

    Local environments (development, tests) get defaults that the in-process simulator
    registers too; production must configure both.
    """
    client_id = str(_setting("OIDC_CLIENT_ID", ""))
    secret = str(_setting("OIDC_CLIENT_SECRET", ""))
    if not client_id or not secret:
        if not _local():
            raise ImproperlyConfigured("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required.")
        client_id = client_id or LOCAL_CLIENT_ID
        secret = (
            secret
            or hmac.new(
                settings.SECRET_KEY.encode(), b"motcua.national-id-simulator", hashlib.sha256
            ).hexdigest()
        )
    return client_id, secret


def oidc_settings(request: HttpRequest) -> OidcSettings:
    issuer = str(_setting("OIDC_ISSUER", ""))
    if not issuer:
        if not getattr(settings, "SIMULATORS_IN_PROCESS", False):
            raise ImproperlyConfigured("OIDC_ISSUER is required (docs/oidc.md).")
        issuer = request.build_absolute_uri(IN_PROCESS_ISSUER_PATH)
    client_id, secret = client_credentials()
    method = str(_setting("OIDC_TOKEN_AUTH_METHOD", "auto"))
    if method not in (*AUTH_METHODS, "auto"):
        raise ImproperlyConfigured(
            "OIDC_TOKEN_AUTH_METHOD must be client_secret_basic, client_secret_post or auto."
        )
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        scopes=" ".join(_words(_setting("OIDC_SCOPES", "openid profile national_id"))),
        token_auth_method=method,
        claim_personal_id=str(_setting("OIDC_CLAIM_PERSONAL_ID", "personal_id")),
        claim_full_name=str(_setting("OIDC_CLAIM_FULL_NAME", "name")),
        claim_date_of_birth=str(_setting("OIDC_CLAIM_DATE_OF_BIRTH", "birthdate")),
        claim_assurance_level=str(_setting("OIDC_CLAIM_ASSURANCE_LEVEL", "acr")),
        acr_values=" ".join(_words(_setting("OIDC_ACR_VALUES", ""))),
        accepted_acr=_words(_setting("OIDC_ACCEPTED_ACR", "")),
        algorithms=_words(_setting("OIDC_ID_TOKEN_ALGORITHMS", "RS256")),
        timeout=float(_setting("OIDC_HTTP_TIMEOUT", 10.0)),
        metadata_ttl=int(_setting("OIDC_METADATA_TTL", 3600)),
    )


# --- errors ------------------------------------------------------------------------------------


class OidcLoginError(Exception):
    """A login that cannot complete; ``message`` is for the person, ``reason`` for the log."""

    def __init__(self, message: str, *, reason: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status


def _provider_unreachable(reason: str) -> OidcLoginError:
    return OidcLoginError(
        _(
            "The national electronic identity service cannot be reached at the moment. "
            "Please try again in a few minutes."
        ),
        reason=reason,
        status=503,
    )


def _provider_misbehaved(reason: str) -> OidcLoginError:
    return OidcLoginError(
        _(
            "The answer of the national electronic identity service could not be verified, "
            "so you were not signed in. Please try again; if it happens again, tell the "
            "administrators."
        ),
        reason=reason,
        status=502,
    )


# --- talking to the provider ---------------------------------------------------------------


def _http(config: OidcSettings) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(config.timeout), follow_redirects=False)


def _secure(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (_local() and parts.scheme == "http")


def _get_json(config: OidcSettings, url: str, reason: str) -> Any:
    if not _secure(url):
        raise _provider_misbehaved(f"{reason}:not_https")
    try:
        with _http(config) as client:
            response = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise _provider_unreachable(f"{reason}:{type(exc).__name__}") from None
    if response.status_code != 200:
        raise _provider_unreachable(f"{reason}:http_{response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise _provider_misbehaved(f"{reason}:json") from None


def _cache_key(kind: str, issuer: str) -> str:
    return f"oidc:{kind}:{hashlib.sha256(issuer.encode()).hexdigest()}"


def provider_metadata(config: OidcSettings) -> dict[str, Any]:
    """The provider's discovery document, checked and cached."""
    key = _cache_key("metadata", config.issuer)
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    metadata = _get_json(config, url, "discovery")
    if not isinstance(metadata, dict) or metadata.get("issuer") != config.issuer:
        # OpenID Connect Discovery §4.3: the issuer must be exactly the configured one.
        raise _provider_misbehaved("discovery:issuer_mismatch")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = metadata.get(endpoint)
        if not isinstance(value, str) or not _secure(value):
            raise _provider_misbehaved(f"discovery:{endpoint}")
    methods = metadata.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise _provider_misbehaved("discovery:no_pkce_s256")
    cache.set(key, metadata, config.metadata_ttl)
    return metadata


def provider_keys(config: OidcSettings, metadata: dict[str, Any], *, refresh: bool) -> KeySet:
    key = _cache_key("jwks", config.issuer)
    jwks = None if refresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(config, metadata["jwks_uri"], "jwks")
        cache.set(key, jwks, config.metadata_ttl)
    try:
        return KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError, KeyError):
        raise _provider_misbehaved("jwks:invalid") from None


def _auth_method(config: OidcSettings, metadata: dict[str, Any]) -> str:
    if config.token_auth_method != "auto":  # noqa: S105 — a method name
        return config.token_auth_method
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return next((m for m in AUTH_METHODS if m in supported), "client_secret_basic")


def exchange_code(
    config: OidcSettings, metadata: dict[str, Any], *, code: str, redirect_uri: str, verifier: str
) -> dict[str, Any]:
    """The token endpoint's answer to the authorization code (RFC 6749 §4.1.3)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    auth: httpx.Auth | None = None
    if _auth_method(config, metadata) == "client_secret_basic":
        # RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
        auth = httpx.BasicAuth(
            quote(config.client_id, safe=""), quote(config.client_secret, safe="")
        )
    else:
        data |= {"client_id": config.client_id, "client_secret": config.client_secret}
    try:
        with _http(config) as client:
            response = client.post(
                metadata["token_endpoint"],
                data=data,
                auth=auth or httpx.USE_CLIENT_DEFAULT,
                headers={"Accept": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise _provider_unreachable(f"token:{type(exc).__name__}") from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code != 200:
        error = answer.get("error") if isinstance(answer, dict) else None
        if response.status_code >= 500 or error is None:
            raise _provider_unreachable(f"token:http_{response.status_code}")
        raise OidcLoginError(
            _(
                "The national electronic identity service refused to complete the login. "
                "Please sign in again."
            ),
            reason=f"token:{str(error)[:40]}",
        )
    if not isinstance(answer, dict) or not isinstance(answer.get("id_token"), str):
        raise _provider_misbehaved("token:no_id_token")
    if str(answer.get("token_type", "")).lower() != "bearer":
        raise _provider_misbehaved("token:token_type")
    return answer


def _at_hash(access_token: str, algorithm: str) -> str:
    digest = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[algorithm[-3:]]
    half = digest(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(half[: len(half) // 2]).rstrip(b"=").decode("ascii")


def validate_id_token(
    config: OidcSettings,
    metadata: dict[str, Any],
    id_token: str,
    *,
    nonce: str,
    access_token: str | None = None,
) -> dict[str, Any]:
    """The ID token's claims, after every check OpenID Connect Core §3.1.3.7 asks for."""
    token, failure = None, ""
    for refresh in (False, True):  # an unknown key id: the provider may have rotated keys
        keys = provider_keys(config, metadata, refresh=refresh)
        try:
            token = jwt.decode(id_token, keys, algorithms=list(config.algorithms))
            break
        except (JoseError, ValueError, TypeError) as exc:
            failure = type(exc).__name__
    if token is None:
        raise _provider_misbehaved(f"id_token:signature:{failure}")
    claims = dict(token.claims)
    if claims.get("iss") != config.issuer:
        raise _provider_misbehaved("id_token:iss")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or config.client_id not in audiences:
        raise _provider_misbehaved("id_token:aud")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != config.client_id:
        raise _provider_misbehaved("id_token:azp")
    moment = int(time.time())
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or moment >= exp + LEEWAY:
        raise _provider_misbehaved("id_token:exp")
    if not isinstance(iat, int | float) or iat > moment + LEEWAY:
        raise _provider_misbehaved("id_token:iat")
    given = claims.get("nonce")
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), nonce.encode()):
        raise _provider_misbehaved("id_token:nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _provider_misbehaved("id_token:sub")
    at_hash = claims.get("at_hash")
    if (
        at_hash is not None
        and access_token
        and at_hash != _at_hash(access_token, token.header.get("alg", "RS256"))
    ):
        raise _provider_misbehaved("id_token:at_hash")
    return claims


def fetch_userinfo(
    config: OidcSettings, metadata: dict[str, Any], *, access_token: str, subject: str
) -> dict[str, Any]:
    endpoint = metadata.get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not _secure(endpoint):
        raise _provider_misbehaved("userinfo:no_endpoint")
    try:
        with _http(config) as client:
            response = client.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise _provider_unreachable(f"userinfo:{type(exc).__name__}") from None
    if response.status_code != 200:
        raise _provider_misbehaved(f"userinfo:http_{response.status_code}")
    try:
        info = response.json()
    except ValueError:
        raise _provider_misbehaved("userinfo:json") from None
    if not isinstance(info, dict) or info.get("sub") != subject:
        # Core §5.3.2: the userinfo sub must equal the ID token's, else it is not the same person.
        raise _provider_misbehaved("userinfo:sub")
    return info


# --- identity and the account -------------------------------------------------------------


@dataclass(frozen=True)
class NationalIdentity:
    issuer: str
    subject: str
    personal_id: str
    full_name: str
    date_of_birth: date | None
    assurance_level: str


def identity_from_claims(config: OidcSettings, claims: dict[str, Any]) -> NationalIdentity:
    personal_id = claims.get(config.claim_personal_id)
    if isinstance(personal_id, int):
        personal_id = f"{personal_id:012d}"
    try:
        if not isinstance(personal_id, str):
            raise ValidationError("missing")
        validate_personal_id(personal_id)
    except ValidationError:
        raise OidcLoginError(
            _(
                "The national electronic identity service did not give a valid personal ID "
                "number, so motcua cannot open your account."
            ),
            reason="claims:personal_id",
            status=502,
        ) from None
    name = claims.get(config.claim_full_name)
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get(k) for k in ("family_name", "middle_name", "given_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    if not name:
        raise OidcLoginError(
            _("The national electronic identity service did not give your name."),
            reason="claims:name",
            status=502,
        )
    born = None
    raw_birth = claims.get(config.claim_date_of_birth)
    if isinstance(raw_birth, str):
        try:
            born = date.fromisoformat(raw_birth)
        except ValueError:
            born = None  # "0000-05-20" or "1990": no full date; e-forms then ask for it
    level = claims.get(config.claim_assurance_level)
    return NationalIdentity(
        issuer=config.issuer,
        subject=str(claims["sub"]),
        personal_id=personal_id,
        full_name=" ".join(name.split())[:200],
        date_of_birth=born,
        assurance_level="" if level is None else str(level)[:200],
    )


def _sign_in_once(identity: NationalIdentity) -> tuple[User, bool]:
    with transaction.atomic():
        user = User.objects.select_for_update().filter(personal_id=identity.personal_id).first()
        created = user is None
        if user is None:
            user = User(
                username=f"vneid-{uuid.uuid4().hex[:16]}",
                kind=AccountKind.CITIZEN,
                personal_id=identity.personal_id,
            )
            user.set_unusable_password()
        elif user.kind != AccountKind.CITIZEN:
            raise OidcLoginError(
                _(
                    "This personal ID number belongs to an officer account. Officers sign in "
                    "with their password and authentication code."
                ),
                reason="officer_account",
                status=403,
            )
        elif not user.is_active:
            raise OidcLoginError(
                _("This account is disabled. Please contact the one-stop section."),
                reason="disabled",
                status=403,
            )
        user.full_name = identity.full_name
        if identity.date_of_birth is not None:
            user.date_of_birth = identity.date_of_birth
        user.assurance_level = identity.assurance_level
        user.national_id_verified_at = now()
        user.save()
        audit_record(
            action="account.login_national_id",
            actor=user,
            object_type="account",
            object_id=user.pk,
            data={"created": created},
        )
    return user, created


def citizen_sign_in_national_id(*, identity: NationalIdentity) -> User:
    """The citizen account of ``identity`` (created at the first login), refreshed."""
    try:
        user, created = _sign_in_once(identity)
    except IntegrityError:  # two first logins at once: the other created it
        user, created = _sign_in_once(identity)
    log.info("national_id_login", account_id=user.pk, created=created)
    return user


# --- what other parts of motcua read -------------------------------------------------------------


def verified_with_national_id(request: HttpRequest) -> bool:
    """Whether this session's citizen signed in with the national e-ID (for ``dossier_submit``)."""
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "kind", None) == AccountKind.CITIZEN
        and request.session.get(SESSION_VERIFIED) is True
    )


def session_assurance_level(request: HttpRequest) -> str:
    return (
        str(request.session.get(SESSION_ASSURANCE, ""))
        if verified_with_national_id(request)
        else ""
    )


# --- views -------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    default = str(_setting("OIDC_LOGIN_REDIRECT_URL", "/"))
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _refuse(request: HttpRequest, error: OidcLoginError, *, next_url: str = "") -> HttpResponse:
    audit_record(
        action="account.login_national_id_failed",
        actor=None,
        actor_type="anonymous",
        object_type="account",
        data={"reason": error.reason},
    )
    log.warning("national_id_login_refused", reason=error.reason)
    retry = reverse("oidc:login")
    if next_url:
        retry = f"{retry}?{urlencode({'next': next_url})}"
    return render(
        request,
        "accounts/oidc_error.html",
        {"message": error.message, "retry_url": retry},
        status=error.status,
    )


@never_cache
@require_GET
def signin(request: HttpRequest) -> HttpResponse:
    """The sign-in page: one button to the national e-ID, a link for officers."""
    next_url = _safe_next(request, request.GET.get("next"))
    return render(
        request,
        "accounts/oidc_login.html",
        {
            "login_url": f"{reverse('oidc:login')}?{urlencode({'next': next_url})}",
            "next": next_url,
        },
    )


@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Start the authorization code flow: remember state, nonce and verifier; go to the provider."""
    next_url = _safe_next(request, request.GET.get("next"))
    try:
        config = oidc_settings(request)
        metadata = provider_metadata(config)
    except OidcLoginError as error:
        return _refuse(request, error, next_url=next_url)
    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
    moment = time.time()
    pending = {
        key: value
        for key, value in (request.session.get(SESSION_PENDING) or {}).items()
        if moment - value.get("created", 0) < PENDING_LIFETIME
    }
    while len(pending) >= PENDING_MAX:
        pending.pop(min(pending, key=lambda k: pending[k]["created"]))
    pending[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "issuer": config.issuer,
        "created": moment,
    }
    request.session[SESSION_PENDING] = pending
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": request.build_absolute_uri(reverse("oidc:callback")),
        "scope": config.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        "ui_locales": get_language() or "vi",
    }
    if config.acr_values:
        params["acr_values"] = config.acr_values
    endpoint = metadata["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return HttpResponseRedirect(f"{endpoint}{separator}{urlencode(params)}")


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code (or an error)."""
    pending_all = dict(request.session.get(SESSION_PENDING) or {})
    pending = pending_all.pop(request.GET.get("state", ""), None)
    request.session[SESSION_PENDING] = pending_all  # a state is used once, whatever follows
    try:
        if pending is None or time.time() - pending["created"] >= PENDING_LIFETIME:
            raise OidcLoginError(
                _("This login has expired or was already used. Please sign in again."),
                reason="state",
            )
        return _complete(request, pending)
    except OidcLoginError as error:
        return _refuse(request, error, next_url=pending["next"] if pending else "")


def _complete(request: HttpRequest, pending: dict[str, Any]) -> HttpResponse:
    config = oidc_settings(request)
    if pending["issuer"] != config.issuer:
        raise OidcLoginError(
            _("The login settings changed during your login. Please sign in again."),
            reason="issuer_changed",
        )
    metadata = provider_metadata(config)
    iss = request.GET.get("iss")
    if iss is not None and iss != config.issuer:  # RFC 9207: a mix-up of providers
        raise _provider_misbehaved("callback:iss")
    if iss is None and metadata.get("authorization_response_iss_parameter_supported") is True:
        raise _provider_misbehaved("callback:iss_missing")
    error = request.GET.get("error")
    if error:
        if error == "access_denied":
            raise OidcLoginError(
                _("The login was cancelled. You are not signed in."), reason="cancelled"
            )
        raise OidcLoginError(
            _("The national electronic identity service could not sign you in. Please try again."),
            reason=f"authorize:{error[:40]}",
        )
    code = request.GET.get("code", "")
    if not code:
        raise _provider_misbehaved("callback:no_code")
    tokens = exchange_code(
        config,
        metadata,
        code=code,
        redirect_uri=request.build_absolute_uri(reverse("oidc:callback")),
        verifier=pending["verifier"],
    )
    access_token = (
        tokens.get("access_token") if isinstance(tokens.get("access_token"), str) else None
    )
    claims = validate_id_token(
        config, metadata, tokens["id_token"], nonce=pending["nonce"], access_token=access_token
    )
    wanted = (config.claim_personal_id, config.claim_full_name, config.claim_date_of_birth)
    if access_token and any(name not in claims for name in wanted):
        info = fetch_userinfo(config, metadata, access_token=access_token, subject=claims["sub"])
        claims = info | claims  # the signed ID token wins where both speak
    identity = identity_from_claims(config, claims)
    if config.accepted_acr and identity.assurance_level not in config.accepted_acr:
        raise OidcLoginError(
            _(
                "Your electronic identity account's assurance level is not enough for this "
                "service. Please upgrade it to level 2 in the VNeID application."
            ),
            reason="assurance_level",
            status=403,
        )
    user = citizen_sign_in_national_id(identity=identity)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_VERIFIED] = True
    request.session[SESSION_ASSURANCE] = identity.assurance_level
    request.session[SESSION_ID_TOKEN] = tokens["id_token"]
    request.session[SESSION_ISSUER] = config.issuer
    return HttpResponseRedirect(pending["next"])


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """GET: a page with the sign-out button; POST: sign out here and at the provider."""
    if request.method == "GET":
        return render(request, "accounts/oidc_logout.html")
    id_token = request.session.get(SESSION_ID_TOKEN)
    issuer = request.session.get(SESSION_ISSUER)
    account_id = request.user.pk if request.user.is_authenticated else None
    auth_logout(request)
    if account_id is not None:
        audit_record(
            action="account.logout", actor=None, object_type="account", object_id=account_id
        )
    after = request.build_absolute_uri(str(_setting("OIDC_LOGOUT_REDIRECT_URL", "/")))
    if not (id_token and issuer and bool(_setting("OIDC_PROVIDER_LOGOUT", True))):
        return HttpResponseRedirect(after)
    try:
        config = oidc_settings(request)
        endpoint = (
            provider_metadata(config).get("end_session_endpoint")
            if config.issuer == issuer
            else None
        )
    except OidcLoginError:
        endpoint = None
    if not isinstance(endpoint, str) or not _secure(endpoint):
        return HttpResponseRedirect(after)
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": after,
        "client_id": config.client_id,
    }
    separator = "&" if "?" in endpoint else "?"
    return HttpResponseRedirect(f"{endpoint}{separator}{urlencode(params)}")
