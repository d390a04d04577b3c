"""The values the state already holds about the signed-in citizen, for their e-forms.

The population database answers through ``motcua.integrations.population.prefill_for``
(every look-up logged, with its purpose); the account adds its e-mail and phone. When
the database cannot answer, the form still works: nothing is prefilled from it (and so
nothing is read-only), and the page says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.accounts.models import User
from motcua.integrations.models import LookupPurpose
from motcua.integrations.population import PopulationError, prefill_for

PURPOSE_PREFILL = LookupPurpose.EFORM_PREFILL
PURPOSE_CHECK = LookupPurpose.EFORM_CHECK


@dataclass(frozen=True)
class Prefill:
    values: dict[str, str]
    problem: str = ""


def _account_values(user: User) -> dict[str, str]:
    return {"account.email": user.email or "", "account.phone": user.phone or ""}


def account_prefill(user: User, *, purpose: str = PURPOSE_PREFILL) -> Prefill:
    """Population and account values keyed like ``catalog.exchange.PREFILL_SOURCES``."""
    try:
        values = prefill_for(user, purpose=purpose, actor=user)
    except PopulationError as exc:  # no verified identity, not found, unavailable, refused
        return Prefill(_account_values(user), problem=exc.message)
    return Prefill({**_account_values(user), **{k: str(v) for k, v in values.items()}})
