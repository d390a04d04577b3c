"""Catalog use cases: import and export, drafts, publication, retirement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.audit.services import audit_record
from motcua.catalog.exchange import FORMAT, Problem, validate_document, validate_form
from motcua.catalog.models import (
    Component,
    Fee,
    LegalBasis,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    Sector,
    VersionStatus,
    WayOfPerforming,
)
from motcua.catalog.text import fold
from motcua.core.clock import now


class CatalogImportError(Exception):
    """A refused import: nothing was written; ``problems`` names every row/path and field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the catalog file")
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


# --- export -------------------------------------------------------------------------------
def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def version_to_record(version: ProcedureVersion) -> dict[str, Any]:
    """One version in the exchange structure (key order fixed: exports are byte-stable)."""
    return {
        "code": version.procedure.code,
        "version": version.number,
        "status": version.status,
        "effective_from": _iso(version.effective_from),
        "effective_to": _iso(version.effective_to),
        "name": version.name,
        "name_en": version.name_en,
        "sector": {
            "code": version.sector.code,
            "name": version.sector.name,
            "name_en": version.sector.name_en,
        },
        "levels": list(version.levels),
        "subjects": list(version.subjects),
        "implementing_agency": version.implementing_agency,
        "receiving_agency": version.receiving_agency,
        "online_level": version.online_level,
        "essential": version.essential,
        "steps": version.steps,
        "requirements": version.requirements,
        "result": {
            "code": version.result_code,
            "name": version.result_name,
            "name_en": version.result_name_en,
        },
        "legal_basis": [
            {"number": b.number, "title": b.title, "date": _iso(b.issued_on), "issuer": b.issuer}
            for b in version.legal_bases.all()
        ],
        "publication": {
            "decision": version.publication_decision,
            "date": _iso(version.publication_date),
            "issuer": version.publication_issuer,
        },
        "note": version.note,
        "cases": [
            {
                "code": c.code,
                "name": c.name,
                "name_en": c.name_en,
                "same_day_rule": c.same_day_rule,
                "ways": [
                    {
                        "channel": w.channel,
                        "duration": w.duration,
                        "duration_unit": w.duration_unit,
                        "description": w.description,
                    }
                    for w in sorted(
                        c.ways.all(), key=lambda w: ["in_person", "online", "post"].index(w.channel)
                    )
                ],
                "fees": [
                    {
                        "code": f.code,
                        "name": f.name,
                        "name_en": f.name_en,
                        "amount": f.amount,
                        "kind": f.kind,
                        "mode": f.mode,
                        "channel": f.channel or None,
                    }
                    for f in c.fees.all()
                ],
                "components": [
                    {
                        "code": m.code,
                        "name": m.name,
                        "name_en": m.name_en,
                        "originals": m.originals,
                        "copies": m.copies,
                        "required": m.required,
                        "registry": m.registry or None,
                    }
                    for m in c.components.all()
                ],
                "form": {"schema": c.form_schema, "ui": c.form_ui},
                "process": c.process or None,
            }
            for c in version.cases.all()
        ],
    }


def catalog_export() -> dict[str, Any]:
    versions = (
        ProcedureVersion.objects.select_related("procedure", "sector")
        .prefetch_related("legal_bases", "cases__ways", "cases__fees", "cases__components")
        .order_by("procedure__code", "number")
    )
    return {"format": FORMAT, "procedures": [version_to_record(v) for v in versions]}


# --- import -------------------------------------------------------------------------------
def _normalised(record: dict[str, Any]) -> dict[str, Any]:
    """Fill optional keys with their defaults so a record compares equal to its export."""
    publication = {"decision": "", "date": None, "issuer": "", **(record.get("publication") or {})}
    status = record.get("status", "published")
    effective_from = record.get("effective_from")
    if effective_from is None and status != "draft":
        effective_from = publication["date"]
    return {
        "code": record["code"],
        "version": record.get("version", 1),
        "status": status,
        "effective_from": effective_from,
        "effective_to": record.get("effective_to"),
        "name": record["name"],
        "name_en": record["name_en"],
        "sector": {
            "code": record["sector"]["code"],
            "name": record["sector"]["name"],
            "name_en": record["sector"].get("name_en", ""),
        },
        "levels": record["levels"],
        "subjects": record["subjects"],
        "implementing_agency": record["implementing_agency"],
        "receiving_agency": record["receiving_agency"],
        "online_level": record["online_level"],
        "essential": record.get("essential", False),
        "steps": record["steps"],
        "requirements": record.get("requirements", ""),
        "result": {
            "code": record["result"].get("code", ""),
            "name": record["result"]["name"],
            "name_en": record["result"].get("name_en", ""),
        },
        "legal_basis": [
            {
                "number": b["number"],
                "title": b["title"],
                "date": b.get("date"),
                "issuer": b["issuer"],
            }
            for b in record["legal_basis"]
        ],
        "publication": publication,
        "note": record.get("note", ""),
        "cases": [
            {
                "code": c["code"],
                "name": c["name"],
                "name_en": c.get("name_en", ""),
                "same_day_rule": c.get("same_day_rule", False),
                "ways": [
                    {
                        "channel": w["channel"],
                        "duration": w["duration"],
                        "duration_unit": w["duration_unit"],
                        "description": w.get("description", ""),
                    }
                    for w in sorted(
                        c["ways"], key=lambda w: ["in_person", "online", "post"].index(w["channel"])
                    )
                ],
                "fees": [
                    {
                        "code": f["code"],
                        "name": f["name"],
                        "name_en": f.get("name_en", ""),
                        "amount": f["amount"],
                        "kind": f["kind"],
                        "mode": f["mode"],
                        "channel": f.get("channel"),
                    }
                    for f in c["fees"]
                ],
                "components": [
                    {
                        "code": m["code"],
                        "name": m["name"],
                        "name_en": m.get("name_en", ""),
                        "originals": m["originals"],
                        "copies": m["copies"],
                        "required": m["required"],
                        "registry": m.get("registry"),
                    }
                    for m in c["components"]
                ],
                "form": {"schema": c["form"]["schema"], "ui": c["form"].get("ui", {})},
                "process": c.get("process"),
            }
            for c in record["cases"]
        ],
    }


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _fill_version(version: ProcedureVersion, record: dict[str, Any], sector: Sector) -> None:
    version.status = record["status"]
    version.effective_from = _parse_date(record["effective_from"])
    version.effective_to = _parse_date(record["effective_to"])
    version.name = record["name"]
    version.name_en = record["name_en"]
    version.sector = sector
    version.levels = record["levels"]
    version.subjects = record["subjects"]
    version.implementing_agency = record["implementing_agency"]
    version.receiving_agency = record["receiving_agency"]
    version.online_level = record["online_level"]
    version.essential = record["essential"]
    version.steps = record["steps"]
    version.requirements = record["requirements"]
    version.result_code = record["result"]["code"]
    version.result_name = record["result"]["name"]
    version.result_name_en = record["result"]["name_en"]
    version.publication_decision = record["publication"]["decision"]
    version.publication_date = _parse_date(record["publication"]["date"])
    version.publication_issuer = record["publication"]["issuer"]
    version.note = record["note"]
    refresh_search_text(version, sector)
    if version.status != VersionStatus.DRAFT and version.published_at is None:
        version.published_at = now()


def refresh_search_text(version: ProcedureVersion, sector: Sector) -> None:
    version.search_name = fold(version.name)
    version.search_text = fold(
        " ".join(
            [
                version.name,
                version.name_en,
                version.procedure.code,
                sector.name,
                version.result_name,
            ]
        )
    )


def _write_children(version: ProcedureVersion, record: dict[str, Any]) -> None:
    version.legal_bases.all().delete()
    version.cases.all().delete()
    LegalBasis.objects.bulk_create(
        LegalBasis(
            version=version,
            position=i,
            number=b["number"],
            title=b["title"],
            issued_on=_parse_date(b["date"]),
            issuer=b["issuer"],
        )
        for i, b in enumerate(record["legal_basis"])
    )
    ways, fees, components = [], [], []
    for i, c in enumerate(record["cases"]):
        case = ProcedureCase.objects.create(
            version=version,
            position=i,
            code=c["code"],
            name=c["name"],
            name_en=c["name_en"],
            same_day_rule=c["same_day_rule"],
            form_schema=c["form"]["schema"],
            form_ui=c["form"]["ui"],
            process=c["process"] or "",
        )
        ways += [
            WayOfPerforming(
                case=case,
                channel=w["channel"],
                duration=w["duration"],
                duration_unit=w["duration_unit"],
                description=w["description"],
            )
            for w in c["ways"]
        ]
        fees += [
            Fee(
                case=case,
                position=k,
                code=f["code"],
                name=f["name"],
                name_en=f["name_en"],
                amount=f["amount"],
                kind=f["kind"],
                mode=f["mode"],
                channel=f["channel"] or "",
            )
            for k, f in enumerate(c["fees"])
        ]
        components += [
            Component(
                case=case,
                position=k,
                code=m["code"],
                name=m["name"],
                name_en=m["name_en"],
                originals=m["originals"],
                copies=m["copies"],
                required=m["required"],
                registry=m["registry"] or "",
            )
            for k, m in enumerate(c["components"])
        ]
    WayOfPerforming.objects.bulk_create(ways)
    Fee.objects.bulk_create(fees)
    Component.objects.bulk_create(components)


def catalog_import(document: Any, *, actor: Any = None) -> ImportReport:
    """Import a ``motcua-catalog/1`` document atomically.

    Every problem is collected first; if there is any, nothing is written and
    ``CatalogImportError`` lists them all. A published or retired version that already
    exists may only be imported unchanged (it is immutable); drafts are replaced.
    """
    problems = validate_document(document)
    if problems:
        raise CatalogImportError(problems)
    records = [_normalised(r) for r in document["procedures"]]
    report = ImportReport()
    with transaction.atomic():
        sectors: dict[str, Sector] = {}
        for i, record in enumerate(records):
            s = record["sector"]
            if s["code"] not in sectors:
                sector, _created = Sector.objects.get_or_create(
                    code=s["code"], defaults={"name": s["name"], "name_en": s["name_en"]}
                )
                sectors[s["code"]] = sector
            procedure, _created = Procedure.objects.get_or_create(code=record["code"])
            existing = ProcedureVersion.objects.filter(
                procedure=procedure, number=record["version"]
            ).first()
            if existing is not None and existing.status != VersionStatus.DRAFT:
                if _normalised(version_to_record(existing)) == record:
                    report.unchanged += 1
                    continue
                problems.append(
                    Problem(
                        f"procedures[{i}]",
                        "version",
                        f"{record['code']} version {record['version']} is {existing.status} and "
                        "cannot change; import the change as a new version",
                    )
                )
                continue
            version = existing or ProcedureVersion(procedure=procedure, number=record["version"])
            _fill_version(version, record, sectors[record["sector"]["code"]])
            version.save()
            _write_children(version, record)
            if existing is None:
                report.created += 1
            else:
                report.updated += 1
            report.codes.append(record["code"])
        if problems:
            transaction.set_rollback(True)
            raise CatalogImportError(problems)
        if report.created or report.updated:
            audit_record(
                action="catalog.imported",
                actor=actor,
                object_type="catalog",
                data={"created": report.created, "updated": report.updated},
            )
    return report


# --- versions -----------------------------------------------------------------------------
def procedure_draft_create(*, procedure: Procedure, actor: Any = None) -> ProcedureVersion:
    """A new draft copying the latest version; the published one stays as it is."""
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if locked.versions.filter(status=VersionStatus.DRAFT).exists():
            raise ValidationError({"procedure": _("This procedure already has a draft.")})
        latest = locked.versions.order_by("-number").first()
        if latest is None:
            raise ValidationError({"procedure": _("This procedure has no version to copy.")})
        record = _normalised(version_to_record(latest))
        record.update(status="draft", effective_from=None, effective_to=None)
        draft = ProcedureVersion(procedure=locked, number=latest.number + 1)
        _fill_version(draft, record, latest.sector)
        draft.published_at = None
        draft.save()
        _write_children(draft, record)
        audit_record(
            action="procedure.draft_created",
            actor=actor,
            object_type="procedure",
            object_id=locked.code,
            data={"version": draft.number},
        )
    return draft


def procedure_version_publish(
    *, version: ProcedureVersion, effective_from: date, actor: Any = None
) -> ProcedureVersion:
    """Publish a draft from ``effective_from``; the version in force before it ends then."""
    with transaction.atomic():
        locked = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise ValidationError({"status": _("Only a draft can be published.")})
        problems = publication_gaps(locked)
        if problems:
            raise ValidationError({"procedure": problems})
        previous = (
            ProcedureVersion.objects.select_for_update()
            .filter(
                procedure_id=locked.procedure_id,
                status=VersionStatus.PUBLISHED,
                effective_to__isnull=True,
            )
            .exclude(pk=locked.pk)
        )
        for old in previous:
            if old.effective_from and old.effective_from >= effective_from:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "The new version must take effect after the current one (%(date)s)."
                        )
                        % {"date": old.effective_from.strftime("%d/%m/%Y")}
                    }
                )
            ProcedureVersion.objects.filter(pk=old.pk).update(effective_to=effective_from)
        locked.status = VersionStatus.PUBLISHED
        locked.effective_from = effective_from
        locked.published_at = now()
        locked.save(update_fields=["status", "effective_from", "published_at"])
        audit_record(
            action="procedure.published",
            actor=actor,
            object_type="procedure",
            object_id=locked.procedure.code,
            data={"version": locked.number, "effective_from": effective_from.isoformat()},
        )
    return locked


def procedure_retire(*, procedure: Procedure, effective_to: date, actor: Any = None) -> None:
    """Stop offering a procedure from ``effective_to``; every version stays readable."""
    with transaction.atomic():
        versions = ProcedureVersion.objects.select_for_update().filter(
            procedure=procedure, status=VersionStatus.PUBLISHED, effective_to__isnull=True
        )
        if not versions:
            raise ValidationError({"procedure": _("This procedure has no version in force.")})
        for version in versions:
            ProcedureVersion.objects.filter(pk=version.pk).update(
                effective_to=effective_to, status=VersionStatus.RETIRED
            )
        audit_record(
            action="procedure.retired",
            actor=actor,
            object_type="procedure",
            object_id=procedure.code,
            data={"effective_to": effective_to.isoformat()},
        )


def publication_gaps(version: ProcedureVersion) -> list[str]:
    """What the law requires to be public and is missing ("published with all parts")."""
    gaps = []
    if not version.steps.strip():
        gaps.append(_("the steps"))
    if not version.result_name.strip():
        gaps.append(_("the result"))
    if not version.legal_bases.exists():
        gaps.append(_("the legal basis"))
    cases = list(version.cases.prefetch_related("ways", "components"))
    if not cases:
        gaps.append(_("at least one case"))
    for case in cases:
        if not case.ways.all():
            gaps.append(_("the ways of performing and durations of %(case)s") % {"case": case.name})
        if not case.components.all():
            gaps.append(_("the dossier components of %(case)s") % {"case": case.name})
        for field_name, message in validate_form(case.form_schema, case.form_ui):
            gaps.append(f"{case.name}: {field_name}: {message}")
    return gaps
