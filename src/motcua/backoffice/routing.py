"""Routing by competence: which unit handles a dossier received at a counter.

A one-stop centre receives dossiers regardless of administrative boundary within the
province (DOMAIN §2) and routes each to the competent unit; the receiving unit stays
the receiving unit (it issues the slips and returns the result).

The rule, by the level the procedure is implemented at (``ProcedureVersion.levels``):

* **commune level** — the People's Committee of the applicant's commune, chosen at the
  counter (a commune-level unit of the same province, valid today). Without a choice,
  the committee the receiving section belongs to.
* **province level** — the province's People's Committee unit (level ``province``) of
  the receiving unit's province.
* **ministry level**, or no unit found — the unit ``dossier_submit`` assigns by default
  (a one-stop section's parent; otherwise the receiving unit itself).

A procedure implemented at several levels is routed to the lowest one that has a
candidate: commune (when a commune was chosen), then province.
"""

from __future__ import annotations

from datetime import date

from motcua.catalog.models import Level, ProcedureCase
from motcua.units.models import Unit, UnitLevel


def default_handling_unit(receiving_unit: Unit) -> Unit:
    """What ``dossier_submit`` assigns: a one-stop section hands dossiers to its parent."""
    if receiving_unit.level == UnitLevel.ONE_STOP and receiving_unit.parent is not None:
        return receiving_unit.parent
    return receiving_unit


def competent_unit(
    *,
    case: ProcedureCase,
    receiving_unit: Unit,
    applicant_commune: Unit | None = None,
    on: date,
) -> Unit:
    """The unit competent for ``case`` when received at ``receiving_unit`` (see the module doc).

    ``applicant_commune`` must be a commune-level unit of the receiving unit's province;
    anything else raises ``ValueError`` (the counter form offers only those).
    """
    levels = set(case.version.levels or [])
    if applicant_commune is not None:
        if (
            applicant_commune.level != UnitLevel.COMMUNE
            or applicant_commune.province_code != receiving_unit.province_code
            or not applicant_commune.is_valid_on(on)
        ):
            raise ValueError("the applicant's commune must be a commune unit of this province")
        if Level.COMMUNE in levels:
            return applicant_commune
    if Level.COMMUNE in levels:
        return default_handling_unit(receiving_unit)
    if Level.PROVINCE in levels:
        province = (
            Unit.objects.valid_on(on)
            .filter(level=UnitLevel.PROVINCE, province_code=receiving_unit.province_code)
            .order_by("code")
            .first()
        )
        if province is not None:
            return province
    return default_handling_unit(receiving_unit)


def commune_choices(receiving_unit: Unit, *, on: date) -> list[Unit]:
    """Commune committees of the receiving unit's province, for the counter's commune field."""
    return list(
        Unit.objects.valid_on(on)
        .filter(level=UnitLevel.COMMUNE, province_code=receiving_unit.province_code)
        .only("pk", "code", "name", "name_en")
        .order_by("name")
    )
