"""Catalog exchange format ``motcua-catalog/1`` (JSON), in the field structure of the
national administrative-procedure database: one record per procedure version with its
code, name, level, sector, ways of performing (channel, duration, fees), components per
case, result, publication decision and status.

``validate_document`` checks a parsed document against ``FILE_SCHEMA`` and the rules a
schema cannot say (unique codes, valid e-form schemas, fields named in the UI hints);
every problem comes back with its path (``procedures[3].cases[0].fees[1].amount``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

FORMAT = "motcua-catalog/1"
CHANNELS = ["in_person", "online", "post"]
PREFILL_SOURCES = [
    "population.id_number",
    "population.full_name",
    "population.date_of_birth",
    "population.sex",
    "population.ethnicity",
    "population.nationality",
    "population.permanent_residence",
    "population.current_residence",
    "account.email",
    "account.phone",
]

_text = {"type": "string", "maxLength": 500}
_name = {"type": "string", "minLength": 1, "maxLength": 500}
_code = {"type": "string", "pattern": r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$"}
_date = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_date_or_null = {"oneOf": [_date, {"type": "null"}]}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
        "additionalProperties": False,
    }


WAY = _obj(
    {
        "channel": {"enum": CHANNELS},
        "duration": {"type": "integer", "minimum": 1, "maximum": 3650},
        "duration_unit": {"enum": ["working-days", "calendar-days", "working-hours"]},
        "description": _text,
    },
    ["channel", "duration", "duration_unit"],
)
FEE = _obj(
    {
        "code": _code,
        "name": _name,
        "name_en": _text,
        "amount": {"type": "integer", "minimum": 0, "maximum": 10**12},
        "kind": {"enum": ["fee", "charge"]},
        "mode": {"enum": ["before", "after", "exempt"]},
        "channel": {"enum": [*CHANNELS, None]},
    },
    ["code", "name", "amount", "kind", "mode"],
)
COMPONENT = _obj(
    {
        "code": _code,
        "name": _name,
        "name_en": _text,
        "originals": {"type": "integer", "minimum": 0, "maximum": 100},
        "copies": {"type": "integer", "minimum": 0, "maximum": 100},
        "required": {"type": "boolean"},
        "registry": {
            "enum": [
                "population",
                "civil_status",
                "business",
                "land",
                "insurance",
                "vehicle",
                "judicial_record",
                None,
            ]
        },
    },
    ["code", "name", "originals", "copies", "required"],
)
CASE = _obj(
    {
        "code": _code,
        "name": _name,
        "name_en": _text,
        "same_day_rule": {"type": "boolean"},
        "ways": {"type": "array", "items": WAY, "minItems": 1},
        "fees": {"type": "array", "items": FEE},
        "components": {"type": "array", "items": COMPONENT},
        "form": _obj({"schema": {"type": "object"}, "ui": {"type": "object"}}, ["schema"]),
        "process": {"type": ["string", "null"], "maxLength": 100},
    },
    ["code", "name", "ways", "fees", "components", "form"],
)
PROCEDURE = _obj(
    {
        "code": _code,
        "version": {"type": "integer", "minimum": 1},
        "status": {"enum": ["draft", "published", "retired"]},
        "effective_from": _date_or_null,
        "effective_to": _date_or_null,
        "name": _name,
        "name_en": _name,
        "sector": _obj({"code": _code, "name": _name, "name_en": _text}, ["code", "name"]),
        "levels": {
            "type": "array",
            "items": {"enum": ["ministry", "province", "commune"]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "subjects": {
            "type": "array",
            "items": {"enum": ["citizen", "organisation"]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "implementing_agency": _name,
        "receiving_agency": _name,
        "online_level": {"enum": ["full", "partial", "none"]},
        "essential": {"type": "boolean"},
        "steps": {"type": "string", "minLength": 1, "maxLength": 20000},
        "requirements": {"type": "string", "maxLength": 20000},
        "result": _obj(
            {"code": {"type": "string", "maxLength": 60}, "name": _name, "name_en": _text}, ["name"]
        ),
        "legal_basis": {
            "type": "array",
            "items": _obj(
                {
                    "number": {"type": "string", "minLength": 1, "maxLength": 100},
                    "title": _name,
                    "date": _date_or_null,
                    "issuer": _name,
                },
                ["number", "title", "issuer"],
            ),
        },
        "publication": _obj(
            {
                "decision": {"type": "string", "maxLength": 100},
                "date": _date_or_null,
                "issuer": {"type": "string", "maxLength": 200},
            },
            [],
        ),
        "note": {"type": "string", "maxLength": 5000},
        "cases": {"type": "array", "items": CASE, "minItems": 1},
    },
    [
        "code",
        "name",
        "name_en",
        "sector",
        "levels",
        "subjects",
        "implementing_agency",
        "receiving_agency",
        "online_level",
        "steps",
        "result",
        "legal_basis",
        "cases",
    ],
)
FILE_SCHEMA = _obj(
    {"format": {"const": FORMAT}, "procedures": {"type": "array", "items": PROCEDURE}}
)
_FILE_VALIDATOR = Draft202012Validator(
    FILE_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)


@dataclass(frozen=True)
class Problem:
    """One problem in an import: where (path or sheet/row), which field, what is wrong."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


def _path(parts: list[Any]) -> tuple[str, str]:
    where = ""
    for part in parts[:-1]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    last = parts[-1] if parts else ""
    if isinstance(last, int):
        return where + f"[{last}]", ""
    return where or "(file)", str(last)


def validate_form(schema: dict[str, Any], ui: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems of one e-form as (field, message): a valid JSON Schema and coherent UI hints."""
    problems: list[tuple[str, str]] = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [("schema", f"not a valid JSON Schema: {exc.message}")]
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return [("schema", "an e-form must be an object with properties")]
    fields = set(schema["properties"])
    for name in schema.get("required", []):
        if name not in fields:
            problems.append(("schema.required", f"{name!r} is required but not defined"))
    step_fields = [f for step in ui.get("steps", []) for f in step.get("fields", [])]
    for name in step_fields:
        if name not in fields:
            problems.append(("ui.steps", f"{name!r} is not a field of the form"))
    prefill = ui.get("prefill", {})
    for name, source in prefill.items():
        if name not in fields:
            problems.append(("ui.prefill", f"{name!r} is not a field of the form"))
        if source not in PREFILL_SOURCES:
            problems.append(("ui.prefill", f"unknown data source {source!r}"))
    for name in ui.get("readonly", []):
        if name not in prefill:
            problems.append(("ui.readonly", f"{name!r} is read-only but not prefilled"))
    return problems


def validate_document(document: Any) -> list[Problem]:
    problems = [
        Problem(
            *_path(list(error.absolute_path)) if error.absolute_path else ("(file)", ""),
            error.message,
        )
        for error in sorted(
            _FILE_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
    if problems:
        return problems
    seen: set[tuple[str, int]] = set()
    for i, proc in enumerate(document["procedures"]):
        here = f"procedures[{i}]"
        key = (proc["code"], proc.get("version", 1))
        if key in seen:
            problems.append(Problem(here, "code", f"{key[0]} version {key[1]} appears twice"))
        seen.add(key)
        if proc.get("status", "published") == "published" and not (
            proc.get("effective_from") or (proc.get("publication") or {}).get("date")
        ):
            problems.append(
                Problem(here, "effective_from", "a published version needs an effective date")
            )
        case_codes: set[str] = set()
        for j, case in enumerate(proc["cases"]):
            there = f"{here}.cases[{j}]"
            if case["code"] in case_codes:
                problems.append(Problem(there, "code", f"case code {case['code']} repeated"))
            case_codes.add(case["code"])
            channels = [w["channel"] for w in case["ways"]]
            if len(set(channels)) != len(channels):
                problems.append(Problem(there, "ways", "a channel is listed twice"))
            for kind in ("fees", "components"):
                codes = [item["code"] for item in case[kind]]
                for code in {c for c in codes if codes.count(c) > 1}:
                    problems.append(Problem(there, kind, f"code {code} repeated"))
            for field, message in validate_form(case["form"]["schema"], case["form"].get("ui", {})):
                problems.append(Problem(f"{there}.form", field, message))
    return problems
