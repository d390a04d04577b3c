"""Applications being filled in, saved on the server for their account.

A draft (``dossiers.DossierDraft``) holds, in ``data``:

* ``form``: the e-form values typed so far (read-only values included, re-derived);
* ``prefill``: the values the server obtained from the population database and the
  account when the draft was started — never sent back by the browser;
* ``documents``: per component code, the warehouse documents chosen or uploaded
  (``{"ref": <document reference>, "digitization": 1|2|3}``);
* ``receiving_unit``: the code of the one-stop section chosen.

Every save pushes ``expires_at`` to ``MOTCUA_DRAFT_DAYS`` (30 by default) after it; an
expired draft is gone for its owner (and deleted when the owner's list is read).
Drafts are per account, so the same draft resumes on any device. Drafts are not
official records: they are not audited (the submitted dossier is).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureCase
from motcua.core.clock import now
from motcua.dossiers.models import DossierDraft

DEFAULT_DRAFT_DAYS = 30
MAX_DRAFTS = 50


class DraftNotFound(Exception):
    """No live draft with this reference for this account."""


class TooManyDrafts(Exception):
    """The account keeps the maximum number of drafts already."""


def draft_days() -> int:
    return int(getattr(settings, "MOTCUA_DRAFT_DAYS", DEFAULT_DRAFT_DAYS))


def _expiry() -> Any:
    return now() + timedelta(days=draft_days())


def drafts_of(owner: User) -> QuerySet[DossierDraft]:
    """The account's live drafts, most recently saved first (expired ones removed)."""
    DossierDraft.objects.filter(owner=owner, expires_at__lte=now()).delete()
    return (
        DossierDraft.objects.filter(owner=owner, expires_at__gt=now())
        .select_related("case__version__procedure")
        .order_by("-updated_at")
    )


def draft_of(owner: User, reference: str, *, for_update: bool = False) -> DossierDraft:
    try:
        key = uuid.UUID(str(reference))
    except ValueError:
        raise DraftNotFound(reference) from None
    qs = DossierDraft.objects.filter(owner=owner, reference=key, expires_at__gt=now())
    if for_update:
        qs = qs.select_for_update(of=("self",))  # not the catalog rows joined below
    draft = qs.select_related("case__version__procedure").first()
    if draft is None:
        raise DraftNotFound(reference)
    return draft


def draft_start(
    *, owner: User, case: ProcedureCase, form: dict[str, Any], prefill: dict[str, str]
) -> DossierDraft:
    """A new draft for ``case`` with the prefilled values."""
    with transaction.atomic():
        if DossierDraft.objects.filter(owner=owner, expires_at__gt=now()).count() >= MAX_DRAFTS:
            raise TooManyDrafts()
        draft = DossierDraft.objects.create(
            owner=owner,
            case=case,
            data={"form": form, "prefill": prefill, "documents": {}, "receiving_unit": ""},
            step=0,
            expires_at=_expiry(),
        )
    return draft


def draft_save(
    *,
    draft: DossierDraft,
    form: dict[str, Any] | None = None,
    documents: dict[str, list[dict[str, Any]]] | None = None,
    receiving_unit: str | None = None,
    step: int | None = None,
) -> DossierDraft:
    """Save what changed; the expiry moves to ``MOTCUA_DRAFT_DAYS`` from now."""
    data = dict(draft.data)
    if form is not None:
        data["form"] = form
    if documents is not None:
        data["documents"] = documents
    if receiving_unit is not None:
        data["receiving_unit"] = receiving_unit
    draft.data = data
    if step is not None:
        draft.step = max(0, step)
    draft.expires_at = _expiry()
    draft.save(update_fields=["data", "step", "expires_at", "updated_at"])
    return draft


def draft_discard(*, draft: DossierDraft) -> None:
    draft.delete()
