"""Rating the service: one rating per dossier, by its applicant, after the result."""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.audit.services import audit_record
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers.access import access_dossier
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import InvalidInput
from motcua.feedback.models import Rating, Satisfaction

MAX_COMMENT = 2000
# The result exists (ready or returned), or the dossier ended without one.
RATABLE = frozenset({Status.RESULT_READY, Status.RESULT_RETURNED, Status.REFUSED, Status.STOPPED})


def may_rate(user: User, dossier: Dossier) -> bool:
    """Whether ``user`` may rate ``dossier`` now (for screens)."""
    return (
        user.is_authenticated
        and dossier.applicant_account_id == user.pk
        and dossier.status in RATABLE
        and not Rating.objects.filter(dossier=dossier).exists()
    )


def _clean_comment(comment: str) -> str:
    text = unicodedata.normalize("NFC", comment or "").strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise InvalidInput({"comment": [_("The comment contains characters that are not text.")]})
    if len(text) > MAX_COMMENT:
        raise InvalidInput({"comment": [_("Use at most %(n)s characters.") % {"n": MAX_COMMENT}]})
    return text


def rating_submit(*, actor: User, public_id: str, satisfaction: str, comment: str = "") -> Rating:
    """The applicant rates their dossier's handling; once, after the result."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput({"satisfaction": [_("Choose one of the listed values.")]})
    text = _clean_comment(comment)
    with transaction.atomic():
        dossier = access_dossier(actor, public_id, for_update=True)
        if dossier.applicant_account_id != actor.pk:
            raise PermissionDenied(_("Only the applicant may rate this dossier."))
        if dossier.status not in RATABLE:
            raise DomainError(_("You can rate the service once the result is ready."))
        if Rating.objects.filter(dossier=dossier).exists():
            raise Conflict(_("You have already rated this dossier."))
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    dossier=dossier,
                    author=actor,
                    satisfaction=satisfaction,
                    comment=text,
                    province_code=dossier.province_code,
                )
        except IntegrityError:
            raise Conflict(_("You have already rated this dossier.")) from None
        audit_record(
            action="feedback.rate",
            actor=actor,
            object_type="dossier",
            object_id=dossier.pk,
            chain=dossier.province_code,
            data={"satisfaction": satisfaction, "with_comment": bool(text)},
        )
    return rating
