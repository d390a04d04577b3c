"""The values the state already holds about the signed-in citizen, for their e-forms.

The population database answers through ``motcua.integrations.population.prefill_for``
(every look-up logged, with its purpose); the account adds its e-mail and phone. When
the database cannot answer, the form still works: nothing is prefilled from it (and so
nothing is read-only), and the page says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.accounts.models import User
from motcua.core.errors import DomainError

PURPOSE_PREFILL = "eform_prefill"
PURPOSE_CHECK = "eform_check"


@dataclass(frozen=True)
class Prefill:
    values: dict[str, str]
    problem: str = ""


def _account_values(user: User) -> dict[str, str]:
    return {"account.email": user.email or "", "account.phone": user.phone or ""}


def account_prefill(user: User, *, purpose: str = PURPOSE_PREFILL) -> Prefill:
    """Population and account values keyed like ``catalog.exchange.PREFILL_SOURCES``."""
    try:
        from motcua.integrations.population import prefill_for
    except ImportError:  # the population adapter is not installed in this build
        return Prefill(_account_values(user))
    try:
        values = prefill_for(user, purpose=purpose, actor=user)
    except DomainError as exc:
        return Prefill(_account_values(user), problem=exc.message)
    return Prefill({**_account_values(user), **{k: str(v) for k, v in values.items()}})
