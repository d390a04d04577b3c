"""Counter reception of a walk-in applicant (channel 1): submit, receive, route, in one go.

``counter_receive`` composes the lifecycle services in **one transaction**:
``dossier_submit`` (channel ``in_person``, the officer as actor), then ``dossier_act``
``receive`` (code, due date and the receipt slip, form 1), then — when the competent
unit (``backoffice.routing.competent_unit``) is not the unit ``dossier_submit``
assigned — ``dossier_forward`` to it, which records the hand-over on the timeline.
Either the applicant leaves with a received dossier and its slip, or nothing was
stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.catalog.models import Channel, ProcedureCase
from motcua.dossiers.attachments import ActResult, dossier_act
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, ComponentInput, dossier_forward, dossier_submit
from motcua.units.models import Unit

# Written on the timeline and the control sheet, which are official records in Vietnamese.
ROUTING_NOTE = "Chuyển cơ quan có thẩm quyền giải quyết"


def counter_receive(
    *,
    actor: User,
    case: ProcedureCase,
    applicant: Applicant,
    receiving_unit: Unit,
    form_data: dict[str, Any],
    components: Sequence[ComponentInput],
    competent: Unit,
) -> ActResult:
    """A walk-in dossier received at ``receiving_unit`` and handed to ``competent``."""
    with transaction.atomic():
        submitted: Dossier = dossier_submit(
            actor=actor,
            case=case,
            applicant=applicant,
            channel=Channel.IN_PERSON,
            receiving_unit=receiving_unit,
            form_data=form_data,
            components=components,
        )
        result = dossier_act(actor=actor, action="receive", public_id=str(submitted.reference))
        dossier = result.dossier
        if competent.pk != dossier.handling_unit_id:
            # dossier_submit assigns the section's own committee; until it accepts the
            # handling unit as a parameter, the hand-over to the competent unit is a
            # forward right after reception (same transaction, on the timeline).
            dossier = dossier_forward(
                actor=actor,
                public_id=dossier.code or str(dossier.reference),
                to_unit=competent,
                note=ROUTING_NOTE,
            )
    return ActResult(dossier=dossier, slip=result.slip)
