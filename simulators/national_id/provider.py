"""The national e-ID simulator: an OpenID Connect provider over the synthetic population.

It implements what a relying party needs from a standards-compliant provider:

* discovery (``/.well-known/openid-configuration``, OpenID Connect Discovery 1.0) and
  the signing keys (``/jwks.json``, RFC 7517);
* the authorization code flow (``/authorize``) with PKCE S256 required (RFC 7636) and
  the ``iss`` authorization-response parameter (RFC 9207);
* the token endpoint (``/token``) with ``client_secret_basic`` or ``client_secret_post``;
  single-use codes bound to client, redirect URI and code challenge;
* RS256-signed ID tokens (``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``auth_time``,
  ``nonce``, ``acr``, ``azp``, ``at_hash``) carrying — by scope — the name, the date of
  birth (``birthdate``) and the personal ID number (claim ``personal_id`` under scope
  ``national_id``; both names configurable), and the assurance level (``acr`` and
  ``assurance_level``);
* ``/userinfo`` (Bearer) and ``/logout`` (RP-initiated logout).

The login page lists synthetic residents holding an e-ID account (aged 14 and over);
choosing one signs in without a password. Everything is kept in memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from simulators.population.generator import Population, Resident, population
from simulators.wsgi import (
    Request,
    Response,
    Router,
    escape,
    html_response,
    json_response,
    redirect,
    with_query,
)

ACR_BY_LEVEL = {1: "vneid-level-1", 2: "vneid-level-2"}
PAGE_SIZE = 12
AUTH_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "acr_values",
    "ui_locales",
)


@dataclass(frozen=True)
class RegisteredClient:
    """A relying party the provider knows: its secret and where it may be sent back."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...] = ()
    # For the in-process provider: decide by the request (same host as motcua).
    redirect_check: Callable[[str, Request], bool] | None = None

    def allows_redirect(self, uri: str, request: Request) -> bool:
        if uri in self.redirect_uris:
            return True
        return bool(self.redirect_check and self.redirect_check(uri, request))

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(secret.encode(), self.client_secret.encode())


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    resident_index: int
    scope: tuple[str, ...]
    auth_time: int
    expires_at: float


@dataclass
class AccessGrant:
    resident_index: int
    scope: tuple[str, ...]
    client_id: str
    expires_at: float


def signing_key(path: Path | None = None) -> RSAKey:
    """An RSA-2048 signing key: read from ``path``, or generated (and written there)."""
    if path is not None and path.exists():
        return RSAKey.import_key(path.read_bytes())
    key = RSAKey.generate_key(2048, private=True)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(key.as_pem(private=True))
        temporary.chmod(0o600)
        if path.exists():  # another process won the race: use its key
            temporary.unlink()
            return RSAKey.import_key(path.read_bytes())
        os.replace(temporary, path)
    return key


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


class NationalIdProvider:
    """One provider instance. ``issuer`` None: derived from each request (in-process)."""

    def __init__(
        self,
        *,
        clients: Iterable[RegisteredClient] | Callable[[], Iterable[RegisteredClient]],
        key: RSAKey | None = None,
        issuer: str | None = None,
        people: Population | None = None,
        personal_id_claim: str = "personal_id",
        personal_id_scope: str = "national_id",
        claims_in_id_token: bool = True,
        token_lifetime: int = 300,
        code_lifetime: int = 120,
    ) -> None:
        self._clients = clients
        self.key = key or signing_key()
        self.kid = self.key.thumbprint()
        self.fixed_issuer = issuer.rstrip("/") if issuer else None
        self.people = people or population()
        self.personal_id_claim = personal_id_claim
        self.personal_id_scope = personal_id_scope
        self.claims_in_id_token = claims_in_id_token
        self.token_lifetime = token_lifetime
        self.code_lifetime = code_lifetime
        self._codes: dict[str, Grant] = {}
        self._tokens: dict[str, AccessGrant] = {}
        self._lock = threading.Lock()
        self.router = Router()
        self.router.add("/.well-known/openid-configuration", self.discovery)
        self.router.add("/jwks.json", self.jwks)
        self.router.add("/authorize", self.authorize, ["GET", "POST"])
        self.router.add("/token", self.token, ["POST"])
        self.router.add("/userinfo", self.userinfo, ["GET", "POST"])
        self.router.add("/logout", self.logout, ["GET"])

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.router(environ, start_response)

    # --- helpers ---------------------------------------------------------------------
    def issuer(self, request: Request) -> str:
        return self.fixed_issuer or request.base_url

    def clients(self) -> dict[str, RegisteredClient]:
        listed = self._clients() if callable(self._clients) else self._clients
        return {c.client_id: c for c in listed}

    def subject(self, issuer: str, resident: Resident) -> str:
        """A stable, opaque subject per issuer: the ID number is a claim, not the subject."""
        return hashlib.sha256(f"{issuer}|{resident.id_number}".encode()).hexdigest()[:32]

    def claims_for(self, resident: Resident, scope: Iterable[str]) -> dict[str, Any]:
        scopes = set(scope)
        claims: dict[str, Any] = {
            "acr": ACR_BY_LEVEL[resident.e_id_level],
            "assurance_level": resident.e_id_level,
        }
        if "profile" in scopes:
            claims |= {
                "name": resident.full_name,
                "family_name": resident.family_name,
                "middle_name": resident.middle_name,
                "given_name": resident.given_name,
                "birthdate": resident.date_of_birth.isoformat(),
                "gender": resident.sex,
            }
        if self.personal_id_scope in scopes:
            claims[self.personal_id_claim] = resident.id_number
        return claims

    def id_token_claims(self, request: Request, grant: Grant, access_token: str) -> dict[str, Any]:
        issuer = self.issuer(request)
        resident = self.people.resident(grant.resident_index)
        issued = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "sub": self.subject(issuer, resident),
            "aud": grant.client_id,
            "azp": grant.client_id,
            "iat": issued,
            "exp": issued + self.token_lifetime,
            "auth_time": grant.auth_time,
            "at_hash": b64url(hashlib.sha256(access_token.encode()).digest()[:16]),
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        identity = self.claims_for(resident, grant.scope)
        if not self.claims_in_id_token:
            identity = {k: identity[k] for k in ("acr",)}
        return claims | identity

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode({"alg": "RS256", "kid": self.kid, "typ": "JWT"}, claims, self.key)

    # --- discovery and keys -----------------------------------------------------------
    def discovery(self, request: Request) -> Response:
        issuer = self.issuer(request)
        return json_response(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "userinfo_endpoint": f"{issuer}/userinfo",
                "jwks_uri": f"{issuer}/jwks.json",
                "end_session_endpoint": f"{issuer}/logout",
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", self.personal_id_scope],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "acr",
                    "auth_time",
                    "name",
                    "family_name",
                    "middle_name",
                    "given_name",
                    "birthdate",
                    "gender",
                    "assurance_level",
                    self.personal_id_claim,
                ],
                "acr_values_supported": list(ACR_BY_LEVEL.values()),
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "authorization_response_iss_parameter_supported": True,
                "claims_parameter_supported": False,
                "ui_locales_supported": ["vi", "en"],
            },
            headers=[("Cache-Control", "public, max-age=300")],
        )

    def jwks(self, request: Request) -> Response:
        public = self.key.as_dict(private=False)
        return json_response(
            {"keys": [public | {"kid": self.kid, "use": "sig", "alg": "RS256"}]},
            headers=[("Cache-Control", "public, max-age=300")],
        )

    # --- authorization endpoint ------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        params = request.form if request.method == "POST" else request.query
        client = self.clients().get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        # Without a known client and redirect URI there is nobody to send an error back to.
        if client is None:
            return self.error_page("Ứng dụng không được đăng ký (unknown client_id).", 400)
        if not client.allows_redirect(redirect_uri, request):
            return self.error_page(
                "Địa chỉ quay về không hợp lệ (redirect_uri not registered).", 400
            )
        state = params.get("state", "")

        def back(error: str, description: str) -> Response:
            answer = {"error": error, "error_description": description, "iss": self.issuer(request)}
            if state:
                answer["state"] = state
            return redirect(with_query(redirect_uri, answer))

        if params.get("response_type") != "code":
            return back("unsupported_response_type", "only response_type=code is supported")
        scope = tuple(params.get("scope", "").split())
        if "openid" not in scope:
            return back("invalid_scope", "the openid scope is required")
        challenge = params.get("code_challenge", "")
        if params.get("code_challenge_method") != "S256" or not (43 <= len(challenge) <= 128):
            return back("invalid_request", "PKCE with code_challenge_method=S256 is required")
        if request.method == "GET":
            return self.login_page(request, params)
        if "cancel" in params:
            return back("access_denied", "the resident cancelled the login")
        chosen = (params.get("resident") or params.get("id_number") or "").strip()
        resident = self.people.find(chosen)
        if resident is None or not resident.e_id_level:
            return self.login_page(
                request,
                params,
                error="Không có tài khoản định danh điện tử với số này. "
                "No e-ID account has this number.",
            )
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._drop_expired()
            self._codes[code] = Grant(
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                code_challenge=challenge,
                nonce=params.get("nonce", ""),
                resident_index=resident.index,
                scope=scope,
                auth_time=int(time.time()),
                expires_at=time.monotonic() + self.code_lifetime,
            )
        answer = {"code": code, "iss": self.issuer(request)}
        if state:
            answer["state"] = state
        return redirect(with_query(redirect_uri, answer))

    def _drop_expired(self) -> None:
        moment = time.monotonic()
        for store in (self._codes, self._tokens):
            for key in [k for k, v in store.items() if v.expires_at < moment]:
                del store[key]

    # --- token endpoint ----------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        form = request.form
        basic = request.basic_auth()
        if basic is not None:
            client_id, secret = basic
            method = "client_secret_basic"
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            method = "client_secret_post"
        client = self.clients().get(client_id)
        if client is None or not secret or not client.secret_matches(secret):
            headers = (
                [("WWW-Authenticate", 'Basic realm="token"')]
                if method == "client_secret_basic"
                else []
            )
            return json_response(
                {"error": "invalid_client", "error_description": "client authentication failed"},
                401,
                headers,
            )
        if form.get("grant_type") != "authorization_code":
            return json_response({"error": "unsupported_grant_type"}, 400)
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # single use, whatever follows
        if grant is None or grant.expires_at < time.monotonic():
            return self.grant_error("the code is unknown, used or expired")
        if grant.client_id != client.client_id:
            return self.grant_error("the code was issued to another client")
        if grant.redirect_uri != form.get("redirect_uri", ""):
            return self.grant_error("redirect_uri differs from the authorization request")
        verifier = form.get("code_verifier", "")
        if not (43 <= len(verifier) <= 128) or not hmac.compare_digest(
            s256(verifier), grant.code_challenge
        ):
            return self.grant_error("PKCE verification failed (code_verifier)")
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = AccessGrant(
                resident_index=grant.resident_index,
                scope=grant.scope,
                client_id=client.client_id,
                expires_at=time.monotonic() + self.token_lifetime,
            )
        id_token = self.sign(self.id_token_claims(request, grant, access_token))
        return json_response(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "scope": " ".join(grant.scope),
                "id_token": id_token,
            },
            headers=[("Pragma", "no-cache")],
        )

    def grant_error(self, description: str) -> Response:
        return json_response({"error": "invalid_grant", "error_description": description}, 400)

    # --- userinfo and logout -------------------------------------------------------------------
    def userinfo(self, request: Request) -> Response:
        token = request.bearer_token()
        with self._lock:
            grant = self._tokens.get(token or "")
        if grant is None or grant.expires_at < time.monotonic():
            return json_response(
                {"error": "invalid_token"},
                401,
                [("WWW-Authenticate", 'Bearer error="invalid_token"')],
            )
        issuer = self.issuer(request)
        resident = self.people.resident(grant.resident_index)
        return json_response(
            {"sub": self.subject(issuer, resident)} | self.claims_for(resident, grant.scope)
        )

    def logout(self, request: Request) -> Response:
        target = request.query.get("post_logout_redirect_uri", "")
        client = self.clients().get(request.query.get("client_id", ""))
        if target and client is not None and self._logout_allowed(client, target, request):
            state = request.query.get("state")
            return redirect(with_query(target, {"state": state}) if state else target)
        return html_response(
            _page("Đã đăng xuất · Signed out", "<h1>Đã đăng xuất</h1><p lang='en'>Signed out.</p>")
        )

    def _logout_allowed(self, client: RegisteredClient, target: str, request: Request) -> bool:
        """Back to the relying party only: a host it may be redirected to after login."""
        hosts = {urlsplit(u).netloc for u in client.redirect_uris}
        if client.redirect_check is not None:
            hosts.add(request.header("Host"))
        return urlsplit(target).netloc in hosts and urlsplit(target).scheme in {"http", "https"}

    # --- pages ---------------------------------------------------------------------------------
    def error_page(self, message: str, status: int) -> Response:
        return html_response(
            _page("Lỗi · Error", f"<h1>Lỗi</h1><p role='alert'>{escape(message)}</p>"), status
        )

    def login_page(self, request: Request, params: dict[str, str], *, error: str = "") -> Response:
        try:
            start = max(0, int(request.query.get("from", "0")))
        except ValueError:
            start = 0
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{escape(params[name])}">'
            for name in AUTH_PARAMS
            if params.get(name)
        )
        residents = self.people.with_e_id(offset=start, limit=PAGE_SIZE)
        rows = "".join(
            "<li><button type='submit' name='resident' value='{id}'>"
            "<span class='n'>{name}</span> <span class='d'>{born} · {id} · mức {level}</span>"
            "</button></li>".format(
                id=escape(r.id_number),
                name=escape(r.full_name),
                born=r.date_of_birth.strftime("%d/%m/%Y"),
                level=r.e_id_level,
            )
            for r in residents
        )
        more = with_query(
            f"{request.base_url}/authorize",
            {k: params[k] for k in AUTH_PARAMS if params.get(k)}
            | {"from": str(residents[-1].index + 1 if residents else 0)},
        )
        alert = f"<p class='err' role='alert' id='err'>{escape(error)}</p>" if error else ""
        body = f"""
<h1>Đăng nhập bằng tài khoản định danh điện tử</h1>
<p lang="en">Simulated national e-ID (VNeID). Choose a resident to sign in as:
synthetic data, no password.</p>
{alert}
<form method="post" action="{escape(request.base_url)}/authorize">{hidden}
  <h2>Cư dân mẫu <span lang="en">(sample residents)</span></h2>
  <ul class="people">{rows}</ul>
  <p><a href="{escape(more)}">Xem thêm cư dân <span lang="en">(more residents)</span></a></p>
  <h2><label for="id_number">Số định danh cá nhân
    <span lang="en">(personal ID number)</span></label></h2>
  <p><input id="id_number" name="id_number" inputmode="numeric" autocomplete="off" maxlength="12"
     pattern="[0-9]{{12}}"{' aria-describedby="err" aria-invalid="true"' if error else ""}>
  <button type="submit">Đăng nhập <span lang="en">(sign in)</span></button></p>
  <p><button type="submit" name="cancel" value="1" class="secondary" formnovalidate>Hủy
    <span lang="en">(cancel)</span></button></p>
</form>"""
        return html_response(_page("VNeID (mô phỏng)", body))


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
body{{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:44rem;padding:1rem;color:#1a1a1a}}
h1{{font-size:1.4rem;color:#8a1010}} h2{{font-size:1.1rem}}
ul.people{{list-style:none;padding:0}} ul.people li{{margin:.4rem 0}}
button{{font:inherit;padding:.6rem .9rem;border:2px solid #8a1010;border-radius:.3rem;
  background:#8a1010;color:#fff;cursor:pointer}}
ul.people button{{width:100%;text-align:left;background:#fff;color:#1a1a1a}}
button:focus,a:focus,input:focus{{outline:3px solid #0b57d0;outline-offset:2px}}
.d{{display:block;color:#444;font-size:.9rem}} .secondary{{background:#fff;color:#8a1010}}
input{{font:inherit;padding:.5rem;border:2px solid #555;border-radius:.3rem;max-width:100%}}
.err{{color:#8a1010;font-weight:bold}} a{{color:#0b57d0}}
</style></head><body><main>{body}</main></body></html>"""


@dataclass
class InProcess:
    """The provider ``make run`` mounts at ``/sim/national-id/`` (built on first use)."""

    provider: NationalIdProvider | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_in_process = InProcess()


def in_process_application() -> NationalIdProvider:
    """The in-process provider: issuer from the request, motcua's own client registered.

    The client is whatever motcua's login is configured with (``OIDC_CLIENT_ID`` and
    secret, or their development defaults), allowed back to ``/accounts/oidc/callback/``
    on the host the browser used. The signing key is kept in ``var/simulators/``.
    """
    if _in_process.provider is None:
        with _in_process.lock:
            if _in_process.provider is None:
                from django.conf import settings
                from django.urls import reverse

                from motcua.accounts.oidc import client_credentials

                def allowed(uri: str, request: Request) -> bool:
                    parts = urlsplit(uri)
                    return (
                        parts.scheme in {"http", "https"}
                        and parts.netloc == request.header("Host")
                        and parts.path == reverse("oidc:callback")
                        and not parts.query
                    )

                def clients() -> list[RegisteredClient]:
                    client_id, secret = client_credentials()
                    return [RegisteredClient(client_id, secret, redirect_check=allowed)]

                _in_process.provider = NationalIdProvider(
                    clients=clients,
                    key=signing_key(Path(settings.VAR_DIR) / "simulators" / "national-id-key.pem"),
                )
    return _in_process.provider
