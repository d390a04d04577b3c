"""The one authorization gate for dossiers.

``access_dossier(user, public_id)`` returns the dossier or raises ``DossierNotFound``
(the same answer whether it does not exist or is not yours: no enumeration).
``visible_dossiers(user)`` is the same rule as a SQL filter, for lists, searches and
exports. ``actor_roles`` / ``may_take`` decide which actions a user may take now.

The rule: a citizen sees dossiers of their own account; an officer sees dossiers whose
receiving, handling or supporting unit is one where they hold a role today; a
supervisor of a province-level unit sees that province; a superuser sees all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.accounts.models import AccountKind, User
from motcua.core.clock import local_now
from motcua.dossiers.lifecycle import TRANSITIONS, Side
from motcua.dossiers.models import Dossier
from motcua.units.models import RoleAssignment, StaffRole, UnitLevel


class DossierNotFound(Exception):
    """No dossier with this code that this user may see."""


@dataclass(frozen=True)
class ActorRoles:
    """What one user is allowed, computed once per request."""

    user: User
    roles: frozenset[tuple[int, str]]  # (unit id, role)
    supervised_provinces: frozenset[str]

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(unit for unit, _role in self.roles)

    def holds(self, unit_id: int, role: str) -> bool:
        return (unit_id, role) in self.roles


def actor_roles(user: User) -> ActorRoles:
    today = local_now().date()
    rows = list(
        RoleAssignment.objects.active_on(today)
        .filter(user_id=user.pk)
        .values_list("unit_id", "role", "unit__level", "unit__province_code")
    )
    return ActorRoles(
        user=user,
        roles=frozenset((unit, role) for unit, role, _level, _p in rows),
        supervised_provinces=frozenset(
            province
            for _u, role, level, province in rows
            if role == StaffRole.SUPERVISOR and level == UnitLevel.PROVINCE
        ),
    )


def visible_dossiers(
    user: User, roles: ActorRoles | None = None, *, statuses: Iterable[str] | None = None
) -> QuerySet[Dossier]:
    """Every dossier ``user`` may see (optionally only those in ``statuses``), for lists.

    For an officer the rule is a union of index scans — dossiers received at, handled
    by or supported by one of their units (and, for a supervisor, in their province) —
    rather than one ``OR`` over the table: an ``OR`` that includes the supporting units'
    ``EXISTS`` cannot use the unit indexes, so at a million dossiers it read them all.
    Each arm is restricted to ``statuses`` too, so a queue reads only open dossiers.
    """
    everything = Dossier.objects.all()
    wanted = None if statuses is None else sorted(set(statuses))
    qs = everything if wanted is None else everything.filter(status__in=wanted)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.kind == AccountKind.CITIZEN:
        return qs.filter(applicant_account_id=user.pk)
    roles = roles or actor_roles(user)
    units = sorted(roles.unit_ids)
    supporting = Dossier.supporting_units.through.objects.all()
    if wanted is not None:
        supporting = supporting.filter(dossier__status__in=wanted)
    arms: list[QuerySet[Any]] = []
    if units:
        arms += [
            qs.filter(receiving_unit_id__in=units).values("pk"),
            qs.filter(handling_unit_id__in=units).values("pk"),
            supporting.filter(unit_id__in=units).values("dossier_id"),
        ]
    if roles.supervised_provinces:
        arms.append(qs.filter(province_code__in=sorted(roles.supervised_provinces)).values("pk"))
    if not arms:
        return qs.none()
    # The statuses are applied inside the arms only: repeated on the outer query the
    # planner counts them twice, expects one row where there are hundreds and re-runs
    # the union for each of them (a 280 ms "due today" page at a million dossiers).
    return everything.filter(pk__in=arms[0].union(*arms[1:], all=True))


def _visible_rule(user: User, roles: ActorRoles | None = None) -> Q | None:
    """``visible_dossiers``'s rule as a condition on one row (None: nothing visible).

    Used where one dossier is addressed by its code: checking the rule on that row is
    cheaper than listing the officer's dossiers.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    if user.kind == AccountKind.CITIZEN:
        return Q(applicant_account_id=user.pk)
    roles = roles or actor_roles(user)
    units = sorted(roles.unit_ids)
    supporting = Dossier.supporting_units.through.objects.filter(
        dossier_id=OuterRef("pk"), unit_id__in=units
    )
    rule: Q = Q(receiving_unit_id__in=units) | Q(handling_unit_id__in=units) | Q(Exists(supporting))
    if roles.supervised_provinces:
        rule |= Q(province_code__in=sorted(roles.supervised_provinces))
    return rule


def _lookup(public_id: str) -> Q:
    try:
        return Q(reference=uuid.UUID(public_id))
    except ValueError:
        return Q(code=public_id)


def access_dossier(
    user: User, public_id: str, *, for_update: bool = False, roles: ActorRoles | None = None
) -> Dossier:
    """The dossier addressed by its code (or, before reception, its reference).

    ``roles``: the user's roles when the caller has already read them (one query fewer).
    """
    rule = _visible_rule(user, roles)
    if rule is None:
        raise DossierNotFound(public_id)
    qs = Dossier.objects.filter(rule)
    if for_update:
        # Lock the row itself (not the joined tables) so concurrent actions queue here.
        pk = qs.filter(_lookup(public_id)).values_list("pk", flat=True).first()
        if pk is None:
            raise DossierNotFound(public_id)
        return Dossier.objects.select_for_update(of=("self",)).get(pk=pk)
    dossier = qs.filter(_lookup(public_id)).first()
    if dossier is None:
        raise DossierNotFound(public_id)
    return dossier


def may_take(user: User, dossier: Dossier, action: str, roles: ActorRoles | None = None) -> bool:
    """Whether ``user`` may take ``action`` on ``dossier`` (status not considered)."""
    transition = TRANSITIONS[action]
    if not user.is_active:
        return False
    if user.kind == AccountKind.CITIZEN:
        return transition.applicant and dossier.applicant_account_id == user.pk
    roles = roles or actor_roles(user)
    for side, role in transition.roles:
        unit_id = dossier.receiving_unit_id if side == Side.RECEIVING else dossier.handling_unit_id
        if roles.holds(unit_id, role):
            return True
    return False


def available_actions(user: User, dossier: Dossier) -> list[str]:
    """Actions this user may take on this dossier right now (for screens and the API)."""
    roles = None if user.kind == AccountKind.CITIZEN else actor_roles(user)
    return [
        action
        for action, t in TRANSITIONS.items()
        if dossier.status in t.sources and may_take(user, dossier, action, roles)
    ]
