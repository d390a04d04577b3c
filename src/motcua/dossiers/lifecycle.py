"""The dossier lifecycle as one readable table (DOMAIN §3).

Each row: the action (service ``dossier_<action>``), the statuses it may start from,
the status it leads to (``None``: unchanged, or computed by the service), who may
take it — roles in the dossier's receiving or handling unit, and/or the applicant —
and whether the law requires a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from motcua.dossiers.models import Status
from motcua.units.models import StaffRole


class Side(StrEnum):
    RECEIVING = "receiving"
    HANDLING = "handling"


ONE_STOP = (Side.RECEIVING, StaffRole.ONE_STOP_OFFICER)
SPECIALIST = (Side.HANDLING, StaffRole.SPECIALIST)
LEADER = (Side.HANDLING, StaffRole.LEADER)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    target: Status | None
    roles: tuple[tuple[Side, StaffRole], ...]
    applicant: bool = False
    reason_required: bool = False


def _t(
    action: str,
    sources: set[Status],
    target: Status | None,
    roles: tuple[tuple[Side, StaffRole], ...],
    *,
    applicant: bool = False,
    reason: bool = False,
) -> Transition:
    return Transition(action, frozenset(sources), target, roles, applicant, reason)


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        #   action               from                                    to
        _t("receive", {S.NEW}, S.RECEIVED, (ONE_STOP,)),
        _t("refuse", {S.NEW}, S.REFUSED, (ONE_STOP,), reason=True),
        _t(
            "request_supplement",
            {S.RECEIVED, S.PROCESSING},
            S.SUPPLEMENT_REQUESTED,
            (ONE_STOP, SPECIALIST),
            reason=True,
        ),
        _t(
            "supplement",
            {S.SUPPLEMENT_REQUESTED},
            None,  # back where it was
            (ONE_STOP,),
            applicant=True,
        ),
        _t("forward", {S.RECEIVED, S.PROCESSING}, S.PROCESSING, (ONE_STOP, SPECIALIST, LEADER)),
        _t("send_back", {S.PROCESSING}, S.PROCESSING, (SPECIALIST, LEADER), reason=True),
        _t("approve", {S.PROCESSING}, S.PROCESSING, (LEADER,)),
        _t("mark_result_ready", {S.PROCESSING}, S.RESULT_READY, (SPECIALIST, LEADER)),
        _t(
            "request_payment",
            {S.RECEIVED, S.PROCESSING},
            S.AWAITING_PAYMENT,
            (ONE_STOP, SPECIALIST),
        ),
        _t(
            "confirm_payment",
            {S.AWAITING_PAYMENT},
            None,  # back where it was
            (ONE_STOP,),
        ),
        _t("return_result", {S.RESULT_READY}, S.RESULT_RETURNED, (ONE_STOP,)),
        _t(
            "withdraw",
            {S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT},
            S.WITHDRAWN,
            (ONE_STOP,),
            applicant=True,
        ),
        _t(
            "stop",
            {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT},
            S.STOPPED,
            (LEADER,),
            reason=True,
        ),
        _t(
            "apologise_extend",
            {S.RECEIVED, S.PROCESSING},
            None,  # unchanged
            (ONE_STOP, SPECIALIST, LEADER),
            reason=True,
        ),
    ]
}

ACTIONS = tuple(TRANSITIONS)
