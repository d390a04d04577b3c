"""Integration clients: create one (the token is returned once), find one by its token.

A token is 43 URL-safe random characters (256 bits). Only its SHA-256 is stored, so a
database leak does not leak usable tokens; a plain hash (not a slow password hash) is
enough for a random secret of this length and keeps every API call cheap.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.audit.services import audit_record
from motcua.core.errors import DomainError
from motcua.integrations.models import IntegrationClient
from motcua.units.models import Unit

# What a client may be allowed. Each scope names the endpoints it opens.
SCOPES: dict[str, str] = {
    "intake": "POST /api/v1/intake/dossiers/ — hand over dossiers submitted elsewhere",
}
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def integration_client_create(
    *, name: str, unit: Unit, scopes: Iterable[str]
) -> tuple[IntegrationClient, str]:
    """A new active client and its token (shown once; only the hash is kept)."""
    wanted = sorted(set(scopes))
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise DomainError(
            _("Unknown scope: %(scopes)s. Known scopes: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(SCOPES)},
            field="scopes",
        )
    if not name.strip():
        raise DomainError(_("This field is required."), field="name")
    if IntegrationClient.objects.filter(name=name.strip()).exists():
        raise DomainError(_("An integration client with this name exists."), field="name")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        client = IntegrationClient.objects.create(
            name=name.strip(),
            unit=unit,
            scopes=wanted,
            token_hash=token_hash(token),
            token_prefix=token[:8],
        )
        audit_record(
            action="integration_client.create",
            actor=None,
            actor_type="system",
            object_type="integration_client",
            object_id=client.pk,
            chain=unit.province_code,
            data={"unit": unit.code, "scopes": wanted},
        )
    return client, token


def integration_client_for_token(token: str) -> IntegrationClient | None:
    """The active client holding ``token``, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    return (
        IntegrationClient.objects.select_related("unit")
        .filter(token_hash=token_hash(token), is_active=True)
        .first()
    )
