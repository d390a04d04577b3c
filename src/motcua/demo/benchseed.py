"""Benchmark data: ``motcua bench seed --dossiers N`` (PostgreSQL only).

Writes N realistic dossiers of a system that has run ``months`` months: spread over the
34 provinces by population, received at real units (commune one-stop sections, the
provincial Public Administration Service Centres) as each procedure's levels allow, for
the seed catalog's procedures weighted by how common they are, by every channel, with
applicants bearing Vietnamese names and valid ID numbers or tax codes. Each dossier
gets its components and a timeline (``DossierEvent`` rows exactly as the lifecycle
services write them); dossiers still in flight get their internal process
(``ProcessInstance`` with a real SpiffWorkflow state, ``WorkTask`` rows up to the open
step) so the officers' "my tasks" queues find them.

How it stays fast: dossiers are generated day by day in order of submission, one
batch at a time (bounded memory), as COPY text; a writer thread streams each batch into
PostgreSQL (``cursor.copy``) on its own connection while the next batch is generated.
Primary keys come from the tables' sequences; daily code counters
(``DossierCodeSequence``) are raised to the last number used in the same transaction as
the dossiers that used them, so live receptions never collide. Times are computed in
"office seconds" (``OfficeClock``): the working days of the province's calendar
(``motcua.core.calendar``) and the unit's office hours laid end to end; promised times
come from ``motcua.core.calendar.due_at`` itself, cached.

Not written: audit entries per dossier (one ``bench.seeded`` entry per run keeps every
chain valid), outbox messages (seeded dossiers count as already synced), follow-ups,
supporting units, process instances of ended dossiers (they behave like dossiers
received before processes existed), event actors (officer accounts exist only with
``--officers``; events carry the acting unit).
"""

from __future__ import annotations

import bisect
import json
import queue
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from django.db import connection, transaction
from stdnum.vn import mst

import motcua.catalog
from motcua.accounts.models import AccountKind, User
from motcua.accounts.services import officer_create
from motcua.audit.services import audit_record
from motcua.catalog.models import Procedure, ProcedureVersion, VersionStatus
from motcua.catalog.services import CatalogImportError, catalog_import
from motcua.core.calendar import (
    DEFAULT_OFFICE_HOURS,
    DurationUnit,
    OfficeHours,
    WorkCalendar,
    due_at,
)
from motcua.core.clock import VIETNAM, local_now
from motcua.core.clock import now as clock_now
from motcua.units.models import (
    REFORM_DATE,
    AdministrativeArea,
    RoleAssignment,
    StaffRole,
    Unit,
    UnitLevel,
)
from motcua.units.selectors import office_hours, work_calendar
from motcua.units.services import role_assign, units_load_official
from motcua.workflow.bpmn import UNIT_RECEIVING, parse_allotment
from motcua.workflow.engine import Engine
from motcua.workflow.models import ProcessDefinition
from motcua.workflow.services import process_definition_for, process_definition_seed_default

SEED_CATALOG = Path(motcua.catalog.__file__).parent / "seed" / "procedures.json"
DEFAULT_SEED = 20250701
TZ_SECONDS = 7 * 3600  # Asia/Ho_Chi_Minh has no daylight saving time
DAY = 86400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
NULL = "\\N"
IN_FLIGHT = frozenset(
    {"received", "processing", "supplement_requested", "awaiting_payment", "result_ready"}
)


class SeedRefused(Exception):
    """The generator cannot run here (the message says why)."""


@dataclass(frozen=True)
class SeedOptions:
    dossiers: int
    seed: int = DEFAULT_SEED
    months: int = 12
    officers: bool = False
    batch: int = 20_000
    check_foreign_keys: bool = False


@dataclass
class SeedReport:
    dossiers: int = 0
    events: int = 0
    components: int = 0
    instances: int = 0
    tasks: int = 0
    code_days: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    provinces: int = 0
    prepared: list[str] = field(default_factory=list)
    officers: list[dict[str, str]] = field(default_factory=list)
    foreign_key_triggers: str = "checked"

    @property
    def rows(self) -> int:
        return self.dossiers + self.events + self.components + self.instances + self.tasks


# --- the world's proportions -----------------------------------------------------------------
# Population in millions of the 34 provinces after the 2025 mergers (approximate).
PROVINCE_POPULATION: dict[str, float] = {
    "01": 8.7, "04": 0.57, "08": 1.87, "11": 0.64, "12": 0.49, "14": 1.33, "15": 1.78,
    "19": 1.8, "20": 0.8, "22": 1.4, "24": 3.6, "25": 4.0, "31": 4.7, "33": 3.6, "37": 4.4,
    "38": 3.8, "40": 3.4, "42": 1.3, "44": 1.9, "46": 1.2, "48": 3.1, "51": 2.2, "52": 3.6,
    "56": 2.2, "66": 3.3, "68": 3.9, "75": 4.5, "79": 14.0, "80": 3.3, "82": 4.4, "86": 4.3,
    "91": 4.9, "92": 4.2, "96": 2.6,
}  # fmt: skip
# How common each seed procedure is (others weigh 1): civil status, residence,
# certification, land and construction dominate a one-stop shop's counter.
PROCEDURE_WEIGHTS: dict[str, float] = {
    "1.001193": 30,  # birth registration
    "2.000815": 40,  # certified copies
    "2.000884": 12,  # signature certification
    "1.004222": 18,  # permanent residence
    "1.004194": 14,  # temporary residence
    "2.001159": 10,  # stay notice
    "1.003677": 3,
    "1.002755": 4,
    "1.003197": 4,
    "1.010028": 3,
    "1.010038": 3,
    "1.000656": 8,  # death registration
    "1.000894": 10,  # marriage registration
    "1.004873": 12,  # marital status certificate
    "2.000635": 9,  # civil status extracts
    "X.DD.0001": 14,  # land changes
    "1.013978": 10,  # land registration, first certificate
    "1.012783": 6,
    "1.012786": 3,
    "1.011441": 8,  # mortgage registration
    "1.013833": 4,
    "1.013225": 9,  # construction permit
    "1.013227": 2,
    "1.013228": 2,
    "1.001456": 8,  # passports
    "3.000333": 7,  # judicial record
    "2.000200": 6,  # identity card
    "2.001195": 5,
    "X.C08.0001": 6,  # motorbike plates
    "X.C08.0002": 4,
    "3.000347": 5,  # driving licence
    "1.001612": 5,  # household business
    "2.000720": 2,
    "X.DKDN.0001": 3,
    "X.BHXH.0001": 3,
    "3.000722": 6,
    "1.001776": 3,
    "1.014748": 3,
}
CHANNEL_WEIGHTS = {"online": 0.60, "in_person": 0.33, "post": 0.07}
REFUSE_ONLINE, REFUSE_COUNTER = 0.03, 0.004
WITHDRAW_NEW = 0.004
WITHDRAW_LATER, STOP_LATER = 0.008, 0.004
SUPPLEMENT, SUPPLEMENT_ABANDONED = 0.07, 0.1
SEND_BACK = 0.04
LATE = 0.045
PAYMENT = 0.35  # of the dossiers whose case has a fee to pay

FAMILY = [
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 1.5),
    ("Phan", 4.5), ("Vũ", 3), ("Võ", 1.5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.8), ("Trịnh", 0.6), ("Đào", 0.6),
    ("Mai", 0.5), ("Cao", 0.4), ("Lương", 0.4), ("Tạ", 0.3), ("Hà", 0.4), ("Tô", 0.3),
]  # fmt: skip
MIDDLE = {
    False: ["Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Xuân", "Ngọc", "Anh"],
    True: ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Phương", "Minh", "Hồng", "Kim", "Bảo"],
}
GIVEN = {
    False: [
        "Anh", "Bình", "Cường", "Dũng", "Dương", "Đạt", "Đức", "Hải", "Hiếu", "Hòa", "Hùng",
        "Huy", "Khoa", "Khánh", "Kiên", "Long", "Lâm", "Minh", "Nam", "Nghĩa", "Phong", "Phúc",
        "Quang", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn",
        "Tùng", "Việt", "Vinh", "Vũ",
    ],
    True: [
        "An", "Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
        "Huệ", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc",
        "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thu", "Thủy", "Trang", "Tuyết", "Vân",
        "Vy", "Yến",
    ],
}  # fmt: skip
STREETS = [
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
    "Nguyễn Trãi", "Lê Duẩn", "Hùng Vương", "Phan Chu Trinh", "Điện Biên Phủ", "Trần Phú",
    "Nguyễn Văn Cừ", "Lê Thánh Tông", "Phan Bội Châu", "Nguyễn Du", "Bà Triệu", "Ngô Quyền",
    "Lý Thái Tổ", "Võ Thị Sáu", "Nguyễn Thị Minh Khai", "Cách Mạng Tháng Tám", "Trường Chinh",
    "Lạc Long Quân", "Âu Cơ", "Tôn Đức Thắng", "Phạm Văn Đồng", "Nguyễn Chí Thanh",
]  # fmt: skip
COMPANY_KINDS = [("Công ty TNHH", 5), ("Công ty Cổ phần", 3), ("Công ty TNHH MTV", 2)]
COMPANY_WORDS = [
    "Thương mại", "Dịch vụ", "Xây dựng", "Đầu tư", "Sản xuất", "Vận tải", "Công nghệ",
    "Nông sản", "Thực phẩm", "Du lịch", "Bất động sản", "Cơ khí", "May mặc", "Giáo dục",
]  # fmt: skip
COMPANY_NAMES = [
    "Hoàng Long", "Minh Phát", "Thành Công", "Phú Thịnh", "Đại Việt", "Sao Mai", "An Khang",
    "Tân Tiến", "Hưng Thịnh", "Việt Tín", "Bình Minh", "Trường Sơn", "Hải Đăng", "Kim Ngân",
]  # fmt: skip
PHONE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "089",
                  "032", "033", "034", "035", "036", "037", "038", "039", "070", "076",
                  "077", "078", "079", "081", "082", "083", "084", "085", "056", "058"]  # fmt: skip
REFUSE_REASONS = [
    "Thành phần hồ sơ không đúng quy định, không đủ điều kiện tiếp nhận.",
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận.",
    "Thông tin trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư.",
]
SUPPLEMENT_REASON = "Hồ sơ còn thiếu giấy tờ theo quy định; đề nghị bổ sung đầy đủ các mục sau."
SEND_BACK_REASONS = [
    "Đề nghị rà soát lại kết quả thẩm định trước khi trình ký.",
    "Cần xác minh thêm thông tin với cơ quan liên quan.",
]
STOP_REASONS = [
    "Phát hiện hồ sơ có tranh chấp, dừng xử lý theo quy định.",
    "Cơ quan có thẩm quyền đề nghị tạm dừng giải quyết hồ sơ.",
]
ABANDONED_REASON = "Quá thời hạn bổ sung hồ sơ mà tổ chức, cá nhân không bổ sung."
WITHDRAW_REASON = "Công dân đề nghị rút hồ sơ."
# Officers created by --officers: (username suffix, full name, role, unit kind).
BENCH_OFFICERS = [
    ("motcua.xa", "Nguyễn Thị Thanh Tâm", StaffRole.ONE_STOP_OFFICER, "section"),
    ("chuyenvien.xa", "Trần Đức Thắng", StaffRole.SPECIALIST, "commune"),
    ("lanhdao.xa", "Lê Văn Hòa", StaffRole.LEADER, "commune"),
    ("motcua.tinh", "Phạm Thu Hằng", StaffRole.ONE_STOP_OFFICER, "centre"),
    ("chuyenvien.tinh", "Vũ Quốc Khánh", StaffRole.SPECIALIST, "province"),
    ("lanhdao.tinh", "Đỗ Minh Tuấn", StaffRole.LEADER, "province"),
]


# --- office time ---------------------------------------------------------------------------
_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]


class Stamps:
    """Epoch seconds → PostgreSQL text (local time with +07), without datetime objects."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, epoch: int | None) -> str:
        if epoch is None:
            return NULL
        local = epoch + TZ_SECONDS
        day = local // DAY
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = date.fromordinal(day + EPOCH_ORDINAL).isoformat() + " "
        return prefix + _HMS[local % DAY] + "+07"


def local_day(epoch: int) -> int:
    """The day ordinal of an instant on the Vietnamese wall clock."""
    return (epoch + TZ_SECONDS) // DAY + EPOCH_ORDINAL


def to_epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class OfficeClock:
    """Office time laid end to end: working days of a calendar × a unit's office hours.

    An instant inside office hours is an integer number of office seconds since the
    window's first working day opened; ``add`` then is plain addition. ``instant`` maps
    a whole day's end to its closing time (not the next day's opening), as
    ``WorkCalendar.add_working_time`` lands on a period end.
    """

    def __init__(self, calendar: WorkCalendar, hours: OfficeHours, first: date, last: date):
        self.periods = [
            (s.hour * 3600 + s.minute * 60 + s.second, e.hour * 3600 + e.minute * 60 + e.second)
            for s, e in hours.periods
        ]
        self.length = sum(e - s for s, e in self.periods)
        self.ordinals: list[int] = []
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                self.ordinals.append(day.toordinal())
            day += timedelta(days=1)
        self.midnights = [(o - EPOCH_ORDINAL) * DAY - TZ_SECONDS for o in self.ordinals]

    def office(self, epoch: int) -> int:
        """The office position of the first office instant at or after ``epoch``."""
        local = epoch + TZ_SECONDS
        ordinal = local // DAY + EPOCH_ORDINAL
        second = local % DAY
        i = bisect.bisect_left(self.ordinals, ordinal)
        if i >= len(self.ordinals):
            raise ValueError("instant beyond the office clock's window")
        if self.ordinals[i] != ordinal:
            return i * self.length
        done = 0
        for start, end in self.periods:
            if second < start:
                return i * self.length + done
            if second <= end:
                return i * self.length + done + second - start
            done += end - start
        return (i + 1) * self.length

    def instant(self, position: int) -> int:
        """The epoch of an office position."""
        i, rest = divmod(position, self.length)
        if rest == 0 and i > 0:
            i, rest = i - 1, self.length
        for start, end in self.periods:
            if rest <= end - start:
                return self.midnights[i] + start + rest
            rest -= end - start
        raise AssertionError("unreachable")  # pragma: no cover

    def is_working(self, ordinal: int) -> bool:
        i = bisect.bisect_left(self.ordinals, ordinal)
        return i < len(self.ordinals) and self.ordinals[i] == ordinal


# --- the world: units, catalog, processes ----------------------------------------------------
@dataclass(frozen=True)
class UnitRef:
    pk: int
    code: str
    name: str
    parent: int | None
    hours: tuple[tuple[str, str], ...]


@dataclass
class Province:
    code: str
    name: str
    calendar: WorkCalendar
    centre: UnitRef
    committee: UnitRef
    sections: list[tuple[UnitRef, str, bool]]  # (section, commune name, rural)
    section_weights: list[float]


@dataclass(frozen=True)
class ComponentRef:
    pk: int
    code: str
    name: str
    required: bool
    registry: bool
    copies: bool


@dataclass
class CaseRef:
    pk: int
    code: str
    name: str
    version: int
    procedure: str
    reference: str
    levels: frozenset[str]
    citizen: bool
    organisation: bool
    same_day: bool
    ways: dict[str, tuple[int, str]]  # channel → (duration, unit)
    components: list[ComponentRef]
    fee: int
    form: str  # form_data as COPY text with placeholders


@dataclass
class Node:
    """The process after a path of hand-over actions: its state and the step now open."""

    state: str  # JSON as COPY text
    task_id: str
    step: str
    title: str
    role: str
    unit: str
    allotment: str
    actions: tuple[str, ...]
    actions_json: str
    done: bool


class ProcessModel:
    """One definition version: states after each path of actions, made by the real engine."""

    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.key = (definition.pk, definition.sha256)
        self.nodes: dict[tuple[str, ...], Node] = {}
        self._states: dict[tuple[str, ...], dict[str, Any]] = {}

    def node(self, path: tuple[str, ...]) -> Node:
        found = self.nodes.get(path)
        if found is not None:
            return found
        if not path:
            engine = Engine.start(self.key, self.definition.spec)
        else:
            parent = self.node(path[:-1])
            engine = Engine.load(self.key, self.definition.spec, self._states[path[:-1]])
            engine.complete(uuid.UUID(parent.task_id), path[-1])
        state = engine.dump()
        self._states[path] = state
        ready = engine.ready()
        text = _copy_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")))
        if engine.completed or len(ready) != 1:
            node = Node(text, "", "", "", "", "", "", (), "[]", True)
        else:
            spec = ready[0].spec
            node = Node(
                state=text,
                task_id=str(ready[0].task_id),
                step=spec.id,
                title=spec.name[:300],
                role=spec.role,
                unit=spec.unit,
                allotment=spec.allotment[:40],
                actions=tuple(spec.actions),
                actions_json=_copy_text(json.dumps(list(spec.actions))),
                done=False,
            )
        self.nodes[path] = node
        return node


def _copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    return value


def _form_template(schema: dict[str, Any]) -> str:
    """Form data filling the schema's required fields; @@…@@ placeholders per applicant."""
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    data: dict[str, Any] = {}
    for key in schema.get("required", []) if isinstance(schema, dict) else []:
        prop = props.get(key, {})
        kind = prop.get("type", "string")
        if prop.get("enum"):
            data[key] = prop["enum"][0]
        elif kind == "boolean":
            data[key] = True
        elif kind in {"integer", "number"}:
            data[key] = max(1, int(prop.get("minimum", 1) or 1))
        elif kind == "array":
            data[key] = []
        elif kind == "object":
            data[key] = {}
        elif prop.get("format") == "date":
            data[key] = "@@DOB@@"
        elif "id_number" in key or prop.get("pattern") == "^[0-9]{12}$":
            data[key] = "@@ID@@"
        elif "phone" in key:
            data[key] = "@@PHONE@@"
        elif "email" in key:
            data[key] = "@@EMAIL@@"
        elif "name" in key:
            data[key] = "@@NAME@@"
        elif any(w in key for w in ("address", "residence", "place", "location")):
            data[key] = "@@ADDRESS@@"
        else:
            data[key] = str(prop.get("title", key))[:100]
    return _copy_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


# --- preconditions ----------------------------------------------------------------------------
def preconditions_ensure() -> list[str]:
    """Official units, the seed catalog and the default process, if missing (idempotent)."""
    done: list[str] = []
    if (
        AdministrativeArea.objects.filter(parent__isnull=True).count() < 34
        or not Unit.objects.filter(level=UnitLevel.ONE_STOP).exists()
    ):
        units_load_official()
        done.append("official units loaded")
    document = json.loads(SEED_CATALOG.read_text(encoding="utf-8"))
    codes = {p["code"] for p in document["procedures"]}
    published = set(
        Procedure.objects.filter(
            code__in=codes, versions__status=VersionStatus.PUBLISHED
        ).values_list("code", flat=True)
    )
    if codes - published:
        try:
            catalog_import(document)
        except CatalogImportError as exc:
            raise SeedRefused(
                "the seed catalog could not be imported: "
                + "; ".join(f"{p.where} {p.field}: {p.message}" for p in exc.problems[:5])
            ) from None
        done.append("seed catalog imported")
    process_definition_seed_default()
    return done


# --- the generator ------------------------------------------------------------------------------
def _cum(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


@dataclass
class Plan:
    """One event to write (times in epoch seconds)."""

    at: int
    action: str
    unit: int | None  # actor_unit
    reason: str = ""
    data: str = "{}"
    # effects on the dossier
    extra: dict[str, Any] = field(default_factory=dict)


DOSSIER_COLUMNS = (
    "id, reference, code, province_code, procedure_version_id, case_id, channel, status, "
    "applicant_kind, applicant_name, applicant_id_number, applicant_address, applicant_phone, "
    "applicant_email, representative_name, representative_id_number, receiving_unit_id, "
    "handling_unit_id, form_data, request_summary, submitted_at, received_at, due_at, "
    "original_due_at, paused_at, result_ready_at, returned_at, ended_at, status_before_pause, "
    "supplement_count, extension_count, approved, verified_with_national_id, updated_at"
)
EVENT_COLUMNS = (
    "dossier_id, seq, occurred_at, action, from_status, to_status, actor_unit_id, to_unit_id, "
    "reason, data, due_at"
)
COMPONENT_COLUMNS = (
    "dossier_id, component_id, code, name, received_as, count, digitization, "
    "from_national_warehouse"
)
INSTANCE_COLUMNS = (
    "id, subject_id, province_code, definition_id, status, receiving_unit_id, lead_unit_id, "
    "budget_seconds, state, current_task_id, paused_at, started_at"
)
TASK_COLUMNS = (
    "id, instance_id, subject_id, province_code, seq, engine_task, step, title, role, unit_id, "
    "actions, allotment, given_by_unit_id, given_at, received_at, due_at, finished_at, action, "
    "outcome, note"
)


@dataclass
class Batch:
    dossiers: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    counters: dict[tuple[str, int], int] = field(default_factory=dict)


class IdBlock:
    """Primary keys taken from a table's sequence, a block at a time."""

    def __init__(self, table: str, block: int) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            self.sequence = cur.fetchone()[0]
        self.block = block
        self.ids: list[int] = []
        self.pos = 0

    def next(self) -> int:
        if self.pos >= len(self.ids):
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequence, self.block]
                )
                self.ids = [r[0] for r in cur.fetchall()]
            self.pos = 0
        self.pos += 1
        return self.ids[self.pos - 1]


class Generator:
    def __init__(self, options: SeedOptions, report: SeedReport) -> None:
        self.options = options
        self.report = report
        self.now = to_epoch(clock_now())
        today = local_now().date()
        self.today = today
        self.start = today - timedelta(days=round(options.months * 30.44))
        self.window = (self.start - timedelta(days=10), today + timedelta(days=400))
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM dossiers_dossier")
            salt = cur.fetchone()[0]
        # Deterministic for a seed on an empty database; a later run differs (new UUIDs).
        self.rng = random.Random(f"{options.seed}:{salt}")  # noqa: S311 — not for secrets
        self.stamp = Stamps()
        self.clocks: dict[tuple[WorkCalendar, OfficeHours], OfficeClock] = {}
        self.due_cache: dict[tuple[Any, ...], int] = {}
        self.processes: dict[int, ProcessModel] = {}
        self.definitions: dict[tuple[str, str, str, str], ProcessModel] = {}
        self.counters: dict[tuple[str, int], int] = {}
        self.loaded_days: set[int] = set()
        self.received_at_unit: Counter[int] = Counter()
        self.by_province: Counter[str] = Counter()
        self.hours_cache: dict[tuple[tuple[str, str], ...], OfficeHours] = {}
        self._load_world()
        self.dossier_ids = IdBlock("dossiers_dossier", min(options.batch, options.dossiers) + 1)
        self.instance_ids = IdBlock("workflow_processinstance", 1000)
        self.task_ids = IdBlock("workflow_worktask", 4000)

    # -- loading ---------------------------------------------------------------------------------
    def _load_world(self) -> None:
        rng = self.rng
        areas: dict[str, dict[str, Any]] = {
            a["code"]: dict(a)
            for a in AdministrativeArea.objects.values("code", "name", "kind", "parent_id")
        }
        units: list[dict[str, Any]] = cast(
            list[dict[str, Any]],
            list(Unit.objects.valid_on(self.today).values(
                "pk", "code", "name", "level", "parent_id", "province_code", "area_id",
                "office_hours",
            )),
        )  # fmt: skip
        by_pk = {u["pk"]: u for u in units}

        def ref(u: dict[str, Any]) -> UnitRef:
            hours = tuple(tuple(p) for p in (u["office_hours"] or []))
            return UnitRef(u["pk"], u["code"], u["name"], u["parent_id"], hours)

        self.provinces: list[Province] = []
        for code in sorted(PROVINCE_POPULATION):
            area = areas.get(code)
            committee = next(
                (u for u in units if u["level"] == UnitLevel.PROVINCE and u["area_id"] == code),
                None,
            )
            centre = next(
                (
                    u
                    for u in units
                    if u["level"] == UnitLevel.ONE_STOP
                    and u["area_id"] == code
                    and u["parent_id"] == (committee or {}).get("pk")
                ),
                None,
            )
            if area is None or committee is None or centre is None:
                raise SeedRefused(f"province {code} has no People's Committee or service centre")
            sections: list[tuple[UnitRef, str, bool]] = []
            weights: list[float] = []
            for u in units:
                parent = by_pk.get(u["parent_id"]) if u["parent_id"] else None
                if (
                    u["level"] != UnitLevel.ONE_STOP
                    or u["province_code"] != code
                    or parent is None
                    or parent["level"] != UnitLevel.COMMUNE
                ):
                    continue
                commune = areas.get(u["area_id"] or "", {})
                kind = commune.get("kind", "commune")
                sections.append((ref(u), commune.get("name", u["name"]), kind != "ward"))
                weights.append(
                    rng.lognormvariate(0, 0.7)
                    * (1.8 if kind == "ward" else 0.5 if kind == "special_zone" else 1.0)
                )
            self.provinces.append(
                Province(
                    code=code,
                    name=area["name"],
                    calendar=work_calendar(code),
                    centre=ref(centre),
                    committee=ref(committee),
                    sections=sections,
                    section_weights=_cum(weights),
                )
            )
        self.units = {u["pk"]: ref(u) for u in units}
        self.province_cum = _cum([PROVINCE_POPULATION[p.code] for p in self.provinces])
        self._load_catalog()

    def _load_catalog(self) -> None:
        document = json.loads(SEED_CATALOG.read_text(encoding="utf-8"))
        codes = [p["code"] for p in document["procedures"]]
        versions = (
            ProcedureVersion.objects.in_force(self.today)
            .filter(procedure__code__in=codes)
            .select_related("procedure")
            .prefetch_related("cases__ways", "cases__components", "cases__fees")
            .order_by("procedure__code", "number")
        )
        latest = {v.procedure.code: v for v in versions}
        if not latest:
            raise SeedRefused("no procedure of the seed catalog is in force today")
        self.cases: list[CaseRef] = []
        weights: list[float] = []
        for code, version in sorted(latest.items()):
            # Explicit orders everywhere the random draws depend on them (determinism).
            cases = sorted(version.cases.all(), key=lambda c: (c.position, c.pk))
            for i, case in enumerate(cases):
                ways = {
                    w.channel: (w.duration, w.duration_unit)
                    for w in sorted(case.ways.all(), key=lambda w: w.channel)
                }
                if not ways:
                    continue
                fee = sum(f.amount for f in case.fees.all() if f.mode != "exempt" and f.amount > 0)
                self.cases.append(
                    CaseRef(
                        pk=case.pk,
                        code=case.code,
                        name=case.name,
                        version=version.pk,
                        procedure=code,
                        reference=case.process,
                        levels=frozenset(version.levels or ["commune"]),
                        citizen="citizen" in (version.subjects or ["citizen"]),
                        organisation="organisation" in (version.subjects or []),
                        same_day=case.same_day_rule,
                        ways=ways,
                        components=[
                            ComponentRef(
                                c.pk, c.code, c.name, c.required, bool(c.registry), c.copies > 0
                            )
                            for c in sorted(case.components.all(), key=lambda c: (c.position, c.pk))
                        ],
                        fee=fee,
                        form=_form_template(case.form_schema),
                    )
                )
                share = 0.6 if i == 0 and len(cases) > 1 else 0.4 / max(1, len(cases) - 1)
                weights.append(PROCEDURE_WEIGHTS.get(code, 1.0) * (share if len(cases) > 1 else 1))
        self.case_cum = _cum(weights)

    # -- helpers ---------------------------------------------------------------------------------
    def hours(self, periods: tuple[tuple[str, str], ...]) -> OfficeHours:
        found = self.hours_cache.get(periods)
        if found is None:
            found = self.hours_cache[periods] = (
                office_hours(Unit(office_hours=[list(p) for p in periods]))
                if periods
                else DEFAULT_OFFICE_HOURS
            )
        return found

    def clock(self, calendar: WorkCalendar, periods: tuple[tuple[str, str], ...]) -> OfficeClock:
        key = (calendar, self.hours(periods))
        found = self.clocks.get(key)
        if found is None:
            found = self.clocks[key] = OfficeClock(calendar, key[1], *self.window)
        return found

    def process(self, province: str, case: CaseRef) -> ProcessModel:
        key = (province, case.procedure, case.code, case.reference)
        model = self.definitions.get(key)
        if model is None:
            definition = process_definition_for(
                province_code=province,
                procedure_code=case.procedure,
                case_code=case.code,
                reference=case.reference,
            )
            model = self.processes.get(definition.pk)
            if model is None:
                model = self.processes[definition.pk] = ProcessModel(definition)
            self.definitions[key] = model
        return model

    def due(
        self,
        calendar: WorkCalendar,
        hours: OfficeHours,
        received: int,
        way: tuple[int, str],
        same_day: bool,
    ) -> int:
        """``core.calendar.due_at`` for a reception instant, cached."""
        key = (calendar, hours, received, way, same_day)
        found = self.due_cache.get(key)
        if found is None:
            duration, unit = way
            moment = datetime.fromtimestamp(received, tz=VIETNAM)
            found = to_epoch(
                due_at(
                    moment,
                    duration,
                    DurationUnit(unit),
                    same_day=same_day and unit == DurationUnit.WORKING_DAYS and duration <= 1,
                    calendar=calendar,
                    office_hours=hours,
                )
            )
            if len(self.due_cache) > 200_000:
                self.due_cache.clear()
            self.due_cache[key] = found
        return found

    def next_code(self, agency: str, ordinal: int) -> tuple[str, int]:
        if ordinal not in self.loaded_days:
            self.loaded_days.add(ordinal)
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT agency_code, last_value FROM dossiers_dossiercodesequence "
                    "WHERE day = %s",
                    [date.fromordinal(ordinal)],
                )
                for code, last in cur.fetchall():
                    self.counters[(code, ordinal)] = last
        key = (agency, ordinal)
        value = self.counters.get(key, 0) + 1
        self.counters[key] = value
        return f"{agency}-{date.fromordinal(ordinal):%y%m%d}-{value:04d}", value

    def forget_days_before(self, ordinal: int) -> None:
        for key in [k for k in self.counters if k[1] < ordinal]:
            del self.counters[key]

    # -- people ----------------------------------------------------------------------------------
    def person(self, province: Province, female: bool | None = None) -> tuple[str, str, int]:
        rng = self.rng
        if female is None:
            female = rng.random() < 0.52
        family = rng.choices(FAMILY_NAMES, cum_weights=FAMILY_CUM)[0]
        middle = rng.choice(MIDDLE[female])
        given = rng.choice(GIVEN[female])
        name = f"{family} {middle} {given}"
        born = rng.randint(1950, min(2007, self.today.year - 18))
        birth_code = (
            f"0{province.code}" if rng.random() < 0.85 else rng.choice(BIRTH_CODES)
        )  # born where they live, mostly
        century = (born // 100 - 19) * 2 + (1 if female else 0)
        id_number = f"{birth_code}{century}{born % 100:02d}{rng.randrange(1_000_000):06d}"
        return name, id_number, born

    def address(self, province: Province, commune: str, rural: bool) -> str:
        rng = self.rng
        if rural:
            hamlet = "Ấp" if province.code >= "75" else "Thôn"
            place = f"{hamlet} {rng.randint(1, 12)}"
        else:
            place = f"Số {rng.randint(1, 250)} {rng.choice(STREETS)}"
        return f"{place}, {commune}, {province.name}"

    def phone(self) -> str:
        return f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"

    def tax_code(self) -> str:
        base = f"0{self.rng.randrange(100_000_000):08d}"
        while True:
            check = mst.calc_check_digit(base)
            if len(check) == 1:
                return base + check
            base = f"0{self.rng.randrange(100_000_000):08d}"

    # -- one day ---------------------------------------------------------------------------------
    def days(self) -> Iterator[tuple[int, int]]:
        """(day ordinal, number of dossiers submitted that day) from the first day to today."""
        national = WorkCalendar()
        first, last = self.start.toordinal(), self.today.toordinal()
        span = max(1, last - first)
        weights = []
        for o in range(first, last + 1):
            working = national.is_working_day(date.fromordinal(o))
            weights.append((1.0 if working else 0.12) * (0.85 + 0.3 * (o - first) / span))
        total = sum(weights)
        n = self.options.dossiers
        acc, given = 0.0, 0
        for i, w in enumerate(weights):
            acc += w
            target = n if i == len(weights) - 1 else int(n * acc / total)
            count = target - given
            given = target
            if count:
                yield first + i, count

    def pick(self, weekday: bool) -> tuple[Province, CaseRef, str]:
        rng = self.rng
        while True:
            province = self.provinces[
                bisect.bisect_left(self.province_cum, rng.random() * self.province_cum[-1])
            ]
            case = self.cases[bisect.bisect_left(self.case_cum, rng.random() * self.case_cum[-1])]
            channels = [c for c in case.ways if weekday or c == "online"]
            if not channels:
                continue
            channel = rng.choices(channels, [CHANNEL_WEIGHTS.get(c, 0.1) for c in channels])[0]
            return province, case, channel

    def submitted(self, ordinal: int, channel: str, working: bool) -> int:
        rng = self.rng
        midnight = (ordinal - EPOCH_ORDINAL) * DAY - TZ_SECONDS
        if channel == "online" and (not working or rng.random() < 0.22):
            second = rng.choice(
                (rng.randint(6 * 3600, 7 * 3600), rng.randint(17 * 3600, 23 * 3600))
            )
            if not working:
                second = rng.randint(7 * 3600, 22 * 3600)
        elif rng.random() < 0.55:
            second = rng.randint(7 * 3600, 11 * 3600 + 1700)
        else:
            second = rng.randint(13 * 3600 + 1800, 16 * 3600 + 3500)
        moment = midnight + second
        if moment > self.now:
            moment = midnight + int(rng.random() * max(1, self.now - midnight))
        return moment

    def generate(self) -> Iterator[Batch]:
        batch = Batch()
        national = WorkCalendar()
        for ordinal, count in self.days():
            working = national.is_working_day(date.fromordinal(ordinal))
            todo = []
            for _ in range(count):
                province, case, channel = self.pick(working)
                todo.append((self.submitted(ordinal, channel, working), province, case, channel))
            todo.sort(key=lambda t: t[0])
            for sub, province, case, channel in todo:
                self.dossier(batch, sub, province, case, channel)
                if len(batch.dossiers) >= self.options.batch:
                    yield batch
                    batch = Batch()
                    self.forget_days_before(ordinal - 60)
        if batch.dossiers:
            yield batch

    # -- one dossier -----------------------------------------------------------------------------
    def dossier(
        self, batch: Batch, sub: int, province: Province, case: CaseRef, channel: str
    ) -> None:
        rng = self.rng
        stamp = self.stamp
        # Where: a commune's one-stop section or the provincial centre.
        commune_level = "commune" in case.levels
        at_commune = commune_level and (
            ("province" not in case.levels and "ministry" not in case.levels) or rng.random() < 0.75
        )
        pick = bisect.bisect_left(
            province.section_weights, rng.random() * province.section_weights[-1]
        )
        section, commune_name, rural = province.sections[pick]
        receiving = section if at_commune else province.centre
        handling = self.units[receiving.parent] if receiving.parent else receiving
        clock = self.clock(province.calendar, handling.hours)
        hours = self.hours(handling.hours)
        pk = self.dossier_ids.next()
        # Who.
        organisation = case.organisation and (not case.citizen or rng.random() < 0.15)
        person, person_id, born = self.person(province)
        if organisation:
            kind = "organisation"
            company = (
                f"{rng.choices(COMPANY_KIND_NAMES, cum_weights=COMPANY_KIND_CUM)[0]} "
                f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_NAMES)}"
            )
            name, id_number = company, self.tax_code()
            representative, representative_id = person, person_id
        else:
            kind, name, id_number = "citizen", person, person_id
            representative, representative_id = "", ""
            if rng.random() < 0.05:
                representative, representative_id, _born = self.person(province)
        address = self.address(province, commune_name, rural)
        phone = self.phone()
        email = ""
        if rng.random() < 0.35:
            email = f"{FOLD.get(name.rsplit(' ', 1)[-1], 'cd')}{rng.randrange(10_000)}@gmail.com"
        form = (
            case.form.replace("@@NAME@@", name)
            .replace("@@ID@@", person_id)
            .replace("@@ADDRESS@@", address)
            .replace("@@PHONE@@", phone)
            .replace("@@EMAIL@@", email)
            .replace("@@DOB@@", f"{born}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        )
        # The story, then cut at now.
        events: list[str] = []
        status = ""
        code = NULL
        received = due = original_due = paused = ready_at = returned = ended = None
        before_pause = ""
        supplements = 0
        approved = False
        last = sub

        def event(
            at: int, action: str, to: str, unit: int | None, reason: str = "", data: str = "{}"
        ) -> None:
            nonlocal status, last
            events.append(
                f"{pk}\t{len(events) + 1}\t{stamp(at)}\t{action}\t{status}\t{to}\t"
                f"{NULL if unit is None else unit}\t{NULL}\t{reason}\t{data}\t{stamp(due)}"
            )
            status, last = to, at

        event(sub, "submit", "new", None)
        start = clock.office(sub)
        if channel == "in_person":
            r_pos = start + rng.randint(120, 900)
        else:
            r_pos = start + int(
                rng.uniform(600, 6 * 3600) if rng.random() < 0.9 else rng.uniform(6, 16) * 3600
            )
        r_at = clock.instant(r_pos)
        fate = rng.random()
        refuse = REFUSE_COUNTER if channel == "in_person" else REFUSE_ONLINE
        instance_row = None
        tasks: list[str] = []
        if r_at <= self.now and fate < refuse:
            ended = r_at
            event(r_at, "refuse", "refused", receiving.pk, rng.choice(REFUSE_REASONS))
        elif r_at <= self.now and fate < refuse + WITHDRAW_NEW:
            ended = r_at
            event(r_at, "withdraw", "withdrawn", None, WITHDRAW_REASON)
        elif r_at <= self.now:
            r_pos = clock.office(r_at)
            r_pos -= r_pos % 60
            r_at = clock.instant(r_pos)
            received = r_at
            ordinal = local_day(r_at)
            code, value = self.next_code(receiving.code, ordinal)
            batch.counters[(receiving.code, ordinal)] = value
            way = case.ways.get(channel) or next(iter(case.ways.values()))
            due = original_due = self.due(province.calendar, hours, r_at, way, case.same_day)
            due_pos = clock.office(due)
            budget = max(60, due_pos - r_pos)
            event(r_at, "receive", "received", receiving.pk, data=f'{{"code":"{code}"}}')
            # The internal process: its hand-overs and their office positions.
            model = self.process(province.code, case)
            late = rng.random() < LATE
            share = (
                (1.02 + rng.expovariate(1 / 0.4)) if late else 0.12 + 0.85 * rng.betavariate(2, 2)
            )
            ready_pos = r_pos + max(60, int(budget * min(share, 4.0)))
            send_back = rng.random() < SEND_BACK
            path: tuple[str, ...] = ()
            steps: list[tuple[Node, str, tuple[str, ...]]] = []
            while len(steps) < 12:
                node = model.node(path)
                if node.done:
                    break
                acts = node.actions
                if "approve" in acts:
                    action = "send_back" if send_back and "send_back" in acts else "approve"
                    send_back = False
                elif "mark_result_ready" in acts:
                    action = "mark_result_ready"
                elif "return_result" in acts:
                    action = "return_result"
                elif "forward" in acts:
                    action = "forward"
                else:
                    action = acts[0]
                steps.append((node, action, path))
                path = (*path, action)
            # Office positions at which each step ends.
            k = next(
                (i for i, s in enumerate(steps) if s[1] == "mark_result_ready"), len(steps) - 1
            )
            weights = [
                float(parse_allotment(s[0].allotment).percent or 10) * rng.uniform(0.6, 1.4)
                for s in steps[: k + 1]
            ]
            total = sum(weights)
            ends: list[int] = []
            acc = 0.0
            for w in weights:
                acc += w
                ends.append(r_pos + max(60, int((ready_pos - r_pos) * acc / total)))
            if channel == "online":
                back = rng.uniform(0.05, 6) * 3600
            else:
                back = rng.uniform(0.3, 5) * 8 * 3600
            if rng.random() < 0.03:
                back = rng.uniform(10, 40) * 8 * 3600
            for _ in steps[k + 1 :]:
                ends.append(ends[-1] + int(back / max(1, len(steps) - k - 1)))
            # Side stories: a supplement request (pauses the clock), a payment, an ending.
            pause = 0
            supplement_at = None
            abandoned = False
            if rng.random() < SUPPLEMENT and len(steps) > 1:
                i = 1
                lo = ends[0]
                supplement_at = lo + int((ends[i] - lo) * rng.uniform(0.1, 0.7))
                abandoned = rng.random() < SUPPLEMENT_ABANDONED
                pause = int(rng.uniform(0.3, 10) * 8 * 3600)
                ends = [e if e <= supplement_at else e + pause for e in ends]
            payment_at = None
            if case.fee and rng.random() < PAYMENT:
                j = next((i for i, s in enumerate(steps) if s[1] == "approve"), None)
                if j is not None and j + 1 < len(ends):
                    gap = ends[j + 1] - ends[j]
                    payment_at = (ends[j] + int(gap * 0.1), ends[j] + int(gap * 0.6))
            ending = None
            x = rng.random()
            if x < WITHDRAW_LATER + STOP_LATER:
                ending = (
                    "withdraw" if x < WITHDRAW_LATER else "stop",
                    r_pos + int((ends[k] - r_pos) * rng.uniform(0.05, 0.95)),
                )
            # Play it until now.
            timeline: list[tuple[int, int, str]] = []  # (position, order, kind)
            for i, end in enumerate(ends):
                timeline.append((end, 3, f"step{i}"))
            if supplement_at is not None:
                timeline.append((supplement_at, 1, "request_supplement"))
                if abandoned:
                    timeline.append((supplement_at + 30 * clock.length, 2, "abandon"))
                else:
                    timeline.append((supplement_at + pause, 2, "supplement"))
            if payment_at is not None:
                timeline.append((payment_at[0], 1, "request_payment"))
                timeline.append((payment_at[1], 2, "confirm_payment"))
            if ending is not None:
                timeline.append((ending[1], 0, ending[0]))
            timeline.sort()
            done_steps = 0
            # Finished steps: (given at, finished at, unit, pause added to its due).
            task_log: list[tuple[int, int, int, int]] = []
            open_given = r_pos
            open_extra = 0  # pause added to the open step's due
            for pos, _order, what in timeline:
                at = clock.instant(pos)
                if at > self.now:
                    break
                if what.startswith("step"):
                    if abandoned and supplement_at is not None and pos > supplement_at:
                        continue  # never supplied: the process waits until it is stopped
                    node, action, _p = steps[done_steps]
                    unit = handling.pk
                    if node.role == StaffRole.ONE_STOP_OFFICER or node.unit == UNIT_RECEIVING:
                        unit = receiving.pk
                    if action == "forward":
                        approved = False
                        event(at, "forward", "processing", unit)  # the step holder's unit
                    elif action == "send_back":
                        approved = False
                        event(
                            at,
                            "send_back",
                            "processing",
                            handling.pk,
                            rng.choice(SEND_BACK_REASONS),
                        )
                    elif action == "approve":
                        approved = True
                        event(at, "approve", "processing", handling.pk)
                    elif action == "mark_result_ready":
                        ready_at = ended = at
                        event(at, "mark_result_ready", "result_ready", handling.pk)
                    elif action == "return_result":
                        returned = at
                        method = {"online": "warehouse", "post": "post"}.get(channel, "counter")
                        event(
                            at,
                            "return_result",
                            "result_returned",
                            receiving.pk,
                            data=f'{{"method":"{method}"}}',
                        )
                    task_log.append((open_given, pos, unit, open_extra))
                    open_given, open_extra = pos, 0
                    done_steps += 1
                elif what == "request_supplement":
                    if status not in ("received", "processing"):
                        continue
                    supplements = 1
                    paused = at
                    before_pause = status
                    missing = [c.name for c in case.components if c.required and not c.registry]
                    items = json.dumps(missing[:2] or [case.name], ensure_ascii=False)
                    event(
                        at,
                        "request_supplement",
                        "supplement_requested",
                        receiving.pk,
                        SUPPLEMENT_REASON,
                        _copy_text(f'{{"items":{items}}}'),
                    )
                elif what == "supplement":
                    if status != "supplement_requested":
                        continue
                    due = clock.instant(clock.office(due) + pause)
                    paused = None
                    to, before_pause = before_pause or "received", ""
                    open_extra = pause
                    event(at, "supplement", to, None, data=f'{{"paused_working_seconds":{pause}}}')
                elif what == "abandon":
                    if status != "supplement_requested":
                        continue
                    paused, ended = None, at
                    event(at, "stop", "stopped", handling.pk, ABANDONED_REASON)
                    break
                elif what == "request_payment":
                    if status not in ("received", "processing"):
                        continue
                    before_pause = status
                    event(
                        at,
                        "request_payment",
                        "awaiting_payment",
                        receiving.pk,
                        data=f'{{"amount":{case.fee}}}',
                    )
                elif what == "confirm_payment":
                    if status != "awaiting_payment":
                        continue
                    to, before_pause = before_pause or "processing", ""
                    event(
                        at, "confirm_payment", to, receiving.pk, data=f'{{"receipt":"BL{pk:08d}"}}'
                    )
                elif what in ("withdraw", "stop"):
                    if status in ("result_ready", "result_returned"):
                        continue
                    paused, ended = None, at
                    if what == "withdraw":
                        event(at, "withdraw", "withdrawn", None, WITHDRAW_REASON)
                    else:
                        event(at, "stop", "stopped", handling.pk, rng.choice(STOP_REASONS))
                    break
            # A dossier in flight runs its process: the instance and its steps so far.
            if status in IN_FLIGHT and done_steps < len(steps):
                node_now = steps[done_steps][0]
                open_unit = handling.pk
                if node_now.role == StaffRole.ONE_STOP_OFFICER or node_now.unit == UNIT_RECEIVING:
                    open_unit = receiving.pk
                rows: list[tuple[int, Node, int, int | None, int, str]] = [
                    (given, steps[i][0], unit, end, extra, steps[i][1])
                    for i, (given, end, unit, extra) in enumerate(task_log)
                ]
                rows.append((open_given, node_now, open_unit, None, open_extra, ""))
                instance_id = self.instance_ids.next()
                current = 0
                given_by_unit = NULL
                budget_delta = timedelta(seconds=budget)
                for seq, (given, node, unit, finished_pos, extra, action) in enumerate(rows, 1):
                    task_id = self.task_ids.next()
                    amount = parse_allotment(node.allotment).amount(
                        working_day=hours.working_day, budget=budget_delta
                    )
                    given_at = clock.instant(given)
                    task_due = clock.instant(given + int(amount.total_seconds()) + extra)
                    if finished_pos is None:
                        finished = received_at = NULL
                        action = outcome = ""
                        current = task_id
                    else:
                        finished_at = clock.instant(finished_pos)
                        finished, received_at = stamp(finished_at), stamp(given_at)
                        if finished_at > task_due:
                            outcome = "late"
                        elif local_day(finished_at) < local_day(task_due):
                            outcome = "early"
                        else:
                            outcome = "on_time"
                    tasks.append(
                        f"{task_id}\t{instance_id}\t{pk}\t{province.code}\t{seq}\t{node.task_id}\t"
                        f"{node.step}\t{node.title}\t{node.role}\t{unit}\t{node.actions_json}\t"
                        f"{node.allotment}\t{given_by_unit}\t{stamp(given_at)}\t{received_at}\t"
                        f"{stamp(task_due)}\t{finished}\t{action}\t{outcome}\t"
                    )
                    given_by_unit = str(unit)
                state = model.nodes[steps[done_steps][2]].state
                instance_row = (
                    f"{instance_id}\t{pk}\t{province.code}\t{model.definition.pk}\trunning\t"
                    f"{receiving.pk}\t{handling.pk}\t{budget}\t{state}\t{current}\t"
                    f"{stamp(paused)}\t{stamp(received)}"
                )
        # The dossier row, its components.
        batch.dossiers.append(
            "\t".join(
                (
                    str(pk),
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    code,
                    province.code,
                    str(case.version),
                    str(case.pk),
                    channel,
                    status,
                    kind,
                    name,
                    id_number,
                    address,
                    phone,
                    email,
                    representative,
                    representative_id,
                    str(receiving.pk),
                    str(handling.pk),
                    form,
                    case.name[:500],
                    stamp(sub),
                    stamp(received),
                    stamp(due),
                    stamp(original_due),
                    stamp(paused),
                    stamp(ready_at),
                    stamp(returned),
                    stamp(ended),
                    before_pause,
                    str(supplements),
                    "0",
                    "t" if approved else "f",
                    "t" if channel == "online" and rng.random() < 0.9 else "f",
                    stamp(last),
                )
            )
        )
        received_as = {"online": "electronic", "post": "certified_copy"}.get(channel, "original")
        for c in case.components:
            if c.registry:
                batch.components.append(f"{pk}\t{c.pk}\t{c.code}\t{c.name}\tfrom_data\t1\t0\tf")
            elif c.required or rng.random() < 0.3:
                how = received_as
                if how == "original" and c.copies and rng.random() < 0.5:
                    how = "certified_copy"
                digitized = 1 if channel != "online" and rng.random() < 0.8 else 0
                if channel == "online" and rng.random() < 0.15:
                    digitized = 2
                batch.components.append(
                    f"{pk}\t{c.pk}\t{c.code}\t{c.name}\t{how}\t1\t{digitized}\t"
                    f"{'t' if digitized == 2 and rng.random() < 0.5 else 'f'}"
                )
        batch.events.extend(events)
        if instance_row is not None:
            batch.instances.append(instance_row)
            batch.tasks.extend(tasks)
        self.report.statuses[status] += 1
        # Busiest units: most dossiers in flight, then most received.
        if status in IN_FLIGHT:
            self.received_at_unit[receiving.pk] += 1_000_000
        if received is not None:
            self.received_at_unit[receiving.pk] += 1
        self.by_province[province.code] += 1


FAMILY_NAMES = [f for f, _w in FAMILY]
FAMILY_CUM = _cum([w for _f, w in FAMILY])
COMPANY_KIND_NAMES = [k for k, _w in COMPANY_KINDS]
COMPANY_KIND_CUM = _cum([w for _k, w in COMPANY_KINDS])
# Pre-2025 birth-registration codes used in personal ID numbers (a sample of valid ones).
BIRTH_CODES = ["001", "031", "079", "048", "038", "040", "036", "034", "037", "033", "027",
               "030", "026", "024", "019", "042", "044", "045", "046", "051", "052", "054",
               "056", "064", "066", "068", "074", "075", "077", "080", "082", "083", "086",
               "087", "089", "091", "092", "094", "096"]  # fmt: skip
_ASCII = str.maketrans(
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ",
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd",
)
FOLD = {g: g.lower().translate(_ASCII) for names in GIVEN.values() for g in names}


# --- writing -------------------------------------------------------------------------------------
def _copy(cur: Any, table: str, columns: str, rows: list[str]) -> None:
    if not rows:
        return
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        chunk: list[str] = []
        size = 0
        for row in rows:
            chunk.append(row)
            size += len(row)
            if size > 1 << 20:
                chunk.append("")
                copy.write("\n".join(chunk))
                chunk, size = [], 0
        if chunk:
            chunk.append("")
            copy.write("\n".join(chunk))


def _write(batch: Batch) -> None:
    """One batch in one transaction: rows, then the code counters they used."""
    with transaction.atomic(), connection.cursor() as django_cursor:
        cur = django_cursor.cursor  # the psycopg cursor under Django's wrapper
        _copy(cur, "dossiers_dossier", DOSSIER_COLUMNS, batch.dossiers)
        _copy(cur, "dossiers_dossiercomponent", COMPONENT_COLUMNS, batch.components)
        _copy(cur, "dossiers_dossierevent", EVENT_COLUMNS, batch.events)
        _copy(cur, "workflow_processinstance", INSTANCE_COLUMNS, batch.instances)
        _copy(cur, "workflow_worktask", TASK_COLUMNS, batch.tasks)
        if batch.counters:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bench_seed_counters "
                "(agency_code varchar(40), day date, last_value integer) ON COMMIT DELETE ROWS"
            )
            _copy(
                cur,
                "bench_seed_counters",
                "agency_code, day, last_value",
                [
                    f"{agency}\t{date.fromordinal(day).isoformat()}\t{value}"
                    for (agency, day), value in batch.counters.items()
                ],
            )
            cur.execute(
                "INSERT INTO dossiers_dossiercodesequence (agency_code, day, last_value) "
                "SELECT agency_code, day, last_value FROM bench_seed_counters "
                "ON CONFLICT (agency_code, day) DO UPDATE SET last_value = "
                "GREATEST(dossiers_dossiercodesequence.last_value, EXCLUDED.last_value)"
            )


class Writer(threading.Thread):
    """Writes batches on its own connection while the next one is generated.

    Unless ``check_foreign_keys``, a superuser's writer skips the per-row foreign-key
    triggers (``session_replication_role = replica``, as ``pg_restore
    --disable-triggers`` does): every key written was just read from the database or
    taken from a sequence in the same run. The tables written have no other triggers.
    """

    def __init__(self, *, check_foreign_keys: bool) -> None:
        super().__init__(name="bench-seed-writer", daemon=True)
        self.batches: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.check_foreign_keys = check_foreign_keys
        self.skipped_fk_triggers = False

    def run(self) -> None:
        try:
            if not self.check_foreign_keys:
                with connection.cursor() as cur:
                    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                    row = cur.fetchone()
                    if row and row[0]:
                        cur.execute("SET session_replication_role = replica")
                        self.skipped_fk_triggers = True
            while True:
                batch = self.batches.get()
                if batch is None:
                    return
                if self.error is None:
                    _write(batch)
        except BaseException as exc:  # reported to the generating thread
            self.error = exc
            while self.batches.get() is not None:  # drain so the producer never blocks
                pass
        finally:
            if self.skipped_fk_triggers:
                with connection.cursor() as cur:
                    cur.execute("RESET session_replication_role")
            connection.close()

    def put(self, batch: Batch) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(batch)


TOUCHED_TABLES = (
    "dossiers_dossier",
    "dossiers_dossierevent",
    "dossiers_dossiercomponent",
    "dossiers_dossiercodesequence",
    "workflow_processinstance",
    "workflow_worktask",
)


def bench_seed(
    options: SeedOptions, *, progress: Callable[[str], None] = lambda _line: None
) -> SeedReport:
    """Seed ``options.dossiers`` dossiers (see the module docstring)."""
    if connection.vendor != "postgresql":
        raise SeedRefused(
            f"bench seed writes with PostgreSQL's COPY and needs PostgreSQL; the database is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://… (see docs/benchmarks.md)."
        )
    if options.dossiers < 1:
        raise SeedRefused("--dossiers must be at least 1")
    if options.months < 1:
        raise SeedRefused("--months must be at least 1")
    report = SeedReport()
    began = time.monotonic()
    report.prepared = preconditions_ensure()
    generator = Generator(options, report)
    writer = Writer(check_foreign_keys=options.check_foreign_keys)
    writer.start()
    step = 100_000
    try:
        for batch in generator.generate():
            report.dossiers += len(batch.dossiers)
            report.events += len(batch.events)
            report.components += len(batch.components)
            report.instances += len(batch.instances)
            report.tasks += len(batch.tasks)
            report.code_days += len(batch.counters)
            writer.put(batch)
            if report.dossiers // step != (report.dossiers - len(batch.dossiers)) // step:
                elapsed = time.monotonic() - began
                progress(
                    f"{report.dossiers:,} dossiers generated, {report.rows:,} rows, "
                    f"{elapsed:.0f} s, {report.rows / elapsed:,.0f} rows/s"
                )
    finally:
        writer.batches.put(None)
        writer.join()
    if writer.error is not None:
        raise writer.error
    report.foreign_key_triggers = "skipped" if writer.skipped_fk_triggers else "checked"
    with connection.cursor() as cur:
        for table in TOUCHED_TABLES:
            cur.execute(f"ANALYZE {table}")
    with transaction.atomic():
        audit_record(
            action="bench.seeded",
            object_type="dossier",
            data={"dossiers": report.dossiers, "seed": options.seed, "months": options.months},
        )
    report.provinces = len(generator.by_province)
    if options.officers:
        report.officers = officers_ensure(generator)
    report.seconds = time.monotonic() - began
    return report


def officers_ensure(generator: Generator) -> list[dict[str, str]]:
    """Normal officers (no superuser) at the busiest commune section and provincial centre."""
    busiest = [pk for pk, _n in generator.received_at_unit.most_common()]
    units = generator.units
    centres = {p.centre.pk for p in generator.provinces}
    section = next(
        (units[pk] for pk in busiest if pk not in centres), generator.provinces[0].sections[0][0]
    )
    centre = next((units[pk] for pk in busiest if pk in centres), generator.provinces[0].centre)
    where = {
        "section": section,
        "commune": units[section.parent] if section.parent else section,
        "centre": centre,
        "province": units[centre.parent] if centre.parent else centre,
    }
    rows: list[dict[str, str]] = []
    with transaction.atomic():
        for suffix, full_name, role, kind in BENCH_OFFICERS:
            username = f"bench.{suffix}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user, _device = officer_create(
                    username=username,
                    full_name=full_name,
                    email=f"{username}@example.invalid",
                    password=uuid.uuid4().hex + uuid.uuid4().hex,  # nobody knows it
                )
            if user.kind != AccountKind.OFFICER or user.is_superuser:
                raise SeedRefused(f"{username} exists and is not a normal officer")
            assignment = (
                RoleAssignment.objects.active_on(generator.today)
                .filter(user=user, role=role)
                .select_related("unit")
                .first()
            )
            if assignment is None:
                unit = Unit.objects.get(pk=where[kind].pk)
                role_assign(user=user, unit=unit, role=role, valid_from=REFORM_DATE, actor=None)
            else:
                unit = assignment.unit
            rows.append(
                {"username": username, "role": str(role), "unit": unit.code, "unit_name": unit.name}
            )
    return rows
