"""The catalog as an Excel workbook for officials (openpyxl), lossless both ways.

One sheet per part of the national structure; rows are tied together by the
procedure code, version and case code. ``read_workbook`` returns the same document
``catalog_import`` takes, plus where each part came from, so an error names the sheet,
the row and the column.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from motcua.catalog.exchange import FORMAT, Problem

PROCEDURE_COLUMNS = [
    "code",
    "version",
    "status",
    "effective_from",
    "effective_to",
    "name",
    "name_en",
    "sector_code",
    "sector_name",
    "sector_name_en",
    "levels",
    "subjects",
    "implementing_agency",
    "receiving_agency",
    "online_level",
    "essential",
    "steps",
    "requirements",
    "result_code",
    "result_name",
    "result_name_en",
    "publication_decision",
    "publication_date",
    "publication_issuer",
    "note",
]
SHEETS: dict[str, list[str]] = {
    "Thủ tục": PROCEDURE_COLUMNS,
    "Căn cứ pháp lý": ["code", "version", "number", "title", "date", "issuer"],
    "Trường hợp": [
        "code",
        "version",
        "case",
        "name",
        "name_en",
        "same_day_rule",
        "process",
        "form_schema",
        "form_ui",
    ],
    "Cách thức thực hiện": [
        "code",
        "version",
        "case",
        "channel",
        "duration",
        "duration_unit",
        "description",
    ],
    "Phí, lệ phí": [
        "code",
        "version",
        "case",
        "fee",
        "name",
        "name_en",
        "amount",
        "kind",
        "mode",
        "channel",
    ],
    "Thành phần hồ sơ": [
        "code",
        "version",
        "case",
        "component",
        "name",
        "name_en",
        "originals",
        "copies",
        "required",
        "registry",
    ],
}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_workbook(document: dict[str, Any], path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    sheets = {name: book.create_sheet(name) for name in SHEETS}
    for name, columns in SHEETS.items():
        sheets[name].append(columns)
        for cell in sheets[name][1]:
            cell.font = Font(bold=True)
        sheets[name].freeze_panes = "A2"
    for p in document["procedures"]:
        key = [p["code"], p["version"]]
        pub = p["publication"]
        sheets["Thủ tục"].append(
            [
                p["code"],
                p["version"],
                p["status"],
                p["effective_from"],
                p["effective_to"],
                p["name"],
                p["name_en"],
                p["sector"]["code"],
                p["sector"]["name"],
                p["sector"]["name_en"],
                ",".join(p["levels"]),
                ",".join(p["subjects"]),
                p["implementing_agency"],
                p["receiving_agency"],
                p["online_level"],
                int(p["essential"]),
                p["steps"],
                p["requirements"],
                p["result"]["code"],
                p["result"]["name"],
                p["result"]["name_en"],
                pub["decision"],
                pub["date"],
                pub["issuer"],
                p["note"],
            ]
        )
        for b in p["legal_basis"]:
            sheets["Căn cứ pháp lý"].append([*key, b["number"], b["title"], b["date"], b["issuer"]])
        for c in p["cases"]:
            ck = [*key, c["code"]]
            sheets["Trường hợp"].append(
                [
                    *ck,
                    c["name"],
                    c["name_en"],
                    int(c["same_day_rule"]),
                    c["process"],
                    _json(c["form"]["schema"]),
                    _json(c["form"]["ui"]),
                ]
            )
            for w in c["ways"]:
                sheets["Cách thức thực hiện"].append(
                    [*ck, w["channel"], w["duration"], w["duration_unit"], w["description"]]
                )
            for f in c["fees"]:
                sheets["Phí, lệ phí"].append(
                    [
                        *ck,
                        f["code"],
                        f["name"],
                        f["name_en"],
                        f["amount"],
                        f["kind"],
                        f["mode"],
                        f["channel"],
                    ]
                )
            for m in c["components"]:
                sheets["Thành phần hồ sơ"].append(
                    [
                        *ck,
                        m["code"],
                        m["name"],
                        m["name_en"],
                        m["originals"],
                        m["copies"],
                        int(m["required"]),
                        m["registry"],
                    ]
                )
    book.save(path)


class WorkbookRead:
    """The parsed document, where each path came from, and structural problems."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"format": FORMAT, "procedures": []}
        self.origin: dict[str, str] = {}
        self.problems: list[Problem] = []

    def where(self, path: str) -> str:
        """The sheet and row of the longest known prefix of a document path."""
        candidates = [p for p in self.origin if path == p or path.startswith((p + ".", p + "["))]
        return self.origin[max(candidates, key=len)] if candidates else path


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return value


def _text(value: Any) -> Any:
    return "" if value is None else value


def _flag(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    return {1: True, 0: False, "1": True, "0": False}.get(value, value)


def _list(value: Any) -> Any:
    if value in (None, ""):
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def read_workbook(path: Path) -> WorkbookRead:
    result = WorkbookRead()
    book = load_workbook(path, read_only=True, data_only=True)
    missing = [name for name in SHEETS if name not in book.sheetnames]
    if missing:
        result.problems += [Problem("workbook", name, "sheet is missing") for name in missing]
        return result
    rows: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for name, columns in SHEETS.items():
        sheet_rows = list(book[name].iter_rows(values_only=True))
        header = [str(h) if h is not None else "" for h in (sheet_rows[0] if sheet_rows else [])]
        if header[: len(columns)] != columns:
            result.problems.append(
                Problem(f"{name} row 1", "header", f"expected columns {', '.join(columns)}")
            )
            continue
        rows[name] = [
            (number, {c: _cell(v) for c, v in zip(columns, values, strict=False)})
            for number, values in enumerate(sheet_rows[1:], start=2)
            if any(v not in (None, "") for v in values)
        ]
    if result.problems:
        return result
    procedures: dict[tuple[Any, Any], dict[str, Any]] = {}
    for number, r in rows["Thủ tục"]:
        index = len(result.document["procedures"])
        record = {
            "code": r["code"],
            "version": r["version"],
            "status": r["status"],
            "effective_from": r["effective_from"],
            "effective_to": r["effective_to"],
            "name": _text(r["name"]),
            "name_en": _text(r["name_en"]),
            "sector": {
                "code": r["sector_code"],
                "name": _text(r["sector_name"]),
                "name_en": _text(r["sector_name_en"]),
            },
            "levels": _list(r["levels"]),
            "subjects": _list(r["subjects"]),
            "implementing_agency": _text(r["implementing_agency"]),
            "receiving_agency": _text(r["receiving_agency"]),
            "online_level": r["online_level"],
            "essential": _flag(r["essential"]),
            "steps": _text(r["steps"]),
            "requirements": _text(r["requirements"]),
            "result": {
                "code": _text(r["result_code"]),
                "name": _text(r["result_name"]),
                "name_en": _text(r["result_name_en"]),
            },
            "legal_basis": [],
            "publication": {
                "decision": _text(r["publication_decision"]),
                "date": r["publication_date"],
                "issuer": _text(r["publication_issuer"]),
            },
            "note": _text(r["note"]),
            "cases": [],
        }
        result.document["procedures"].append(record)
        result.origin[f"procedures[{index}]"] = f"Thủ tục row {number}"
        procedures[(r["code"], r["version"])] = record
        record["_index"] = index
    cases: dict[tuple[Any, Any, Any], dict[str, Any]] = {}

    def owner(sheet: str, number: int, r: dict[str, Any]) -> dict[str, Any] | None:
        parent = procedures.get((r["code"], r["version"]))
        if parent is None:
            result.problems.append(
                Problem(
                    f"{sheet} row {number}",
                    "code",
                    f"no procedure {r['code']} version {r['version']}",
                )
            )
        return parent

    for number, r in rows["Căn cứ pháp lý"]:
        parent = owner("Căn cứ pháp lý", number, r)
        if parent is not None:
            path = f"procedures[{parent['_index']}].legal_basis[{len(parent['legal_basis'])}]"
            result.origin[path] = f"Căn cứ pháp lý row {number}"
            parent["legal_basis"].append(
                {
                    "number": _text(r["number"]),
                    "title": _text(r["title"]),
                    "date": r["date"],
                    "issuer": _text(r["issuer"]),
                }
            )
    for number, r in rows["Trường hợp"]:
        parent = owner("Trường hợp", number, r)
        if parent is None:
            continue
        where = f"Trường hợp row {number}"
        forms: dict[str, Any] = {}
        for column in ("form_schema", "form_ui"):
            try:
                forms[column] = json.loads(r[column]) if r[column] else {}
            except (TypeError, ValueError) as exc:
                result.problems.append(Problem(where, column, f"not valid JSON: {exc}"))
                forms[column] = {}
        path = f"procedures[{parent['_index']}].cases[{len(parent['cases'])}]"
        result.origin[path] = where
        case = {
            "code": r["case"],
            "name": _text(r["name"]),
            "name_en": _text(r["name_en"]),
            "same_day_rule": _flag(r["same_day_rule"]),
            "ways": [],
            "fees": [],
            "components": [],
            "form": {"schema": forms["form_schema"], "ui": forms["form_ui"]},
            "process": r["process"],
            "_path": path,
        }
        parent["cases"].append(case)
        cases[(r["code"], r["version"], r["case"])] = case
    for sheet, part, build in (
        (
            "Cách thức thực hiện",
            "ways",
            lambda r: {
                "channel": r["channel"],
                "duration": r["duration"],
                "duration_unit": r["duration_unit"],
                "description": _text(r["description"]),
            },
        ),
        (
            "Phí, lệ phí",
            "fees",
            lambda r: {
                "code": r["fee"],
                "name": _text(r["name"]),
                "name_en": _text(r["name_en"]),
                "amount": r["amount"],
                "kind": r["kind"],
                "mode": r["mode"],
                "channel": r["channel"],
            },
        ),
        (
            "Thành phần hồ sơ",
            "components",
            lambda r: {
                "code": r["component"],
                "name": _text(r["name"]),
                "name_en": _text(r["name_en"]),
                "originals": r["originals"],
                "copies": r["copies"],
                "required": _flag(r["required"]),
                "registry": r["registry"],
            },
        ),
    ):
        for number, r in rows[sheet]:
            case = cases.get((r["code"], r["version"], r["case"]))
            if case is None:
                result.problems.append(
                    Problem(
                        f"{sheet} row {number}",
                        "case",
                        f"no case {r['case']} in procedure {r['code']} version {r['version']}",
                    )
                )
                continue
            result.origin[f"{case['_path']}.{part}[{len(case[part])}]"] = f"{sheet} row {number}"
            case[part].append(build(r))
    for record in result.document["procedures"]:
        record.pop("_index", None)
        for case in record["cases"]:
            case.pop("_path", None)
    return result
