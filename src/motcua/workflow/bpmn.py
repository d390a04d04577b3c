"""Reading an internal process from a BPMN 2.0 file: parse, check, describe.

``parse_process(xml)`` returns a ``ParsedProcess`` (the engine's serialized spec and a
summary of the steps) or raises ``ProcessInvalid`` whose message says why the file is
refused, in the admin's language: it does not parse, it is not BPMN 2.0, it has no
start event, it uses an element motcua does not run, a step has no role or names a role
or a unit that does not exist, an allotment or a condition cannot be read.

What a motcua process may contain (docs/processes.md):

* one executable ``bpmn:process`` with one none ``startEvent``;
* ``userTask`` steps with the attributes, in the namespace ``urn:motcua:bpmn:1``
  (prefix ``motcua``):

  - ``motcua:role`` — ``one_stop_officer``, ``specialist`` or ``leader`` (required);
  - ``motcua:unit`` — ``receiving`` (the dossier's receiving unit), ``handling`` (the
    lead unit that handles it) or an electronic agency ID such as ``H01.00073`` for an
    inter-agency step in that unit; default: ``receiving`` for one-stop officers,
    ``handling`` for the others;
  - ``motcua:allotment`` — the step's time in working time (required): an ISO 8601
    duration of office time (``PT4H``, ``PT30M``, ``P2D`` = two working days, ``P0.5D``)
    or a share of the dossier's legal processing time (``40%``);
  - ``motcua:actions`` — the dossier actions that complete the step, space-separated
    (``forward``, ``send_back``, ``approve``, ``mark_result_ready``,
    ``return_result``); default by role: one-stop officer ``forward return_result``,
    specialist ``forward``, leader ``approve send_back``;

* ``exclusiveGateway`` with conditions on ``outcome`` — the action that completed the
  step before it — written as small expressions: ``outcome == "send_back"``,
  ``outcome in ("approve", "forward")``, combined with ``and`` / ``or`` / ``not``;
* none ``endEvent``; lanes, documentation, annotations and diagram data are ignored.

Nothing in a process file is executed as code: conditions are checked here and
evaluated by ``conditions.evaluate`` (no ``eval``), and script or service tasks are
refused.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from motcua.core.errors import DomainError
from motcua.units.models import StaffRole, Unit

MOTCUA_NS = "urn:motcua:bpmn:1"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

#: Roles that can hold a step.
STEP_ROLES = (StaffRole.ONE_STOP_OFFICER, StaffRole.SPECIALIST, StaffRole.LEADER)
#: Dossier actions that complete a step (hand-overs).
STEP_ACTIONS = ("forward", "send_back", "approve", "mark_result_ready", "return_result")
DEFAULT_ACTIONS: dict[str, tuple[str, ...]] = {
    StaffRole.ONE_STOP_OFFICER: ("forward", "return_result"),
    StaffRole.SPECIALIST: ("forward",),
    StaffRole.LEADER: ("approve", "send_back"),
}
UNIT_RECEIVING = "receiving"
UNIT_HANDLING = "handling"
#: Names a condition may use.
CONDITION_NAMES = frozenset({"outcome"})

# Flow elements motcua runs; anything else inside a process is refused.
_SUPPORTED = {"startEvent", "endEvent", "userTask", "exclusiveGateway", "sequenceFlow"}
# Elements that carry no behaviour.
_IGNORED = {
    "laneSet",
    "lane",
    "flowNodeRef",
    "documentation",
    "extensionElements",
    "textAnnotation",
    "text",
    "association",
    "incoming",
    "outgoing",
    "conditionExpression",
    "childLaneSet",
}
_MAX_BYTES = 2_000_000


class ProcessInvalid(DomainError):
    """The BPMN file is refused; the message says why."""

    code = "invalid_process"


@dataclass(frozen=True)
class Allotment:
    """A step's time: office time, or a share of the dossier's legal processing time."""

    text: str
    hours: Decimal = Decimal(0)  # office hours
    days: Decimal = Decimal(0)  # working days (× the unit's working day)
    percent: Decimal = Decimal(0)  # of the legal processing time

    def amount(self, *, working_day: timedelta, budget: timedelta) -> timedelta:
        """The office time this allotment gives, for a unit's working day and a budget."""
        seconds = (
            self.hours * 3600
            + self.days * Decimal(working_day.total_seconds())
            + self.percent / 100 * Decimal(budget.total_seconds())
        )
        return timedelta(seconds=int(seconds))


_ISO = re.compile(
    r"P(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?)?"
)
_PERCENT = re.compile(r"(?P<percent>\d+(?:[.,]\d+)?)\s*%")


def parse_allotment(text: str) -> Allotment:
    """``PT8H``, ``PT30M``, ``P2D``, ``P1DT4H``, ``P0.5D`` or ``40%``; ValueError otherwise."""
    value = (text or "").strip().upper()
    try:
        if match := _PERCENT.fullmatch(value):
            percent = Decimal(match["percent"].replace(",", "."))
            if not 0 < percent <= 100:
                raise ValueError(text)
            return Allotment(text=value, percent=percent)
        match = _ISO.fullmatch(value)
        if not match or value in {"P", "PT"} or value.endswith("T"):
            raise ValueError(text)
        days = Decimal((match["days"] or "0").replace(",", "."))
        hours = Decimal((match["hours"] or "0").replace(",", "."))
        hours += Decimal((match["minutes"] or "0").replace(",", ".")) / 60
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if days <= 0 and hours <= 0:
        raise ValueError(text)
    return Allotment(text=value, days=days, hours=hours)


@dataclass(frozen=True)
class StepSpec:
    """What motcua reads from one user task."""

    id: str
    name: str
    role: str
    unit: str  # "receiving", "handling" or an electronic agency ID
    allotment: str
    actions: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "unit": self.unit,
            "allotment": self.allotment,
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class ParsedProcess:
    process_id: str
    name: str
    spec: dict[str, Any]  # the engine's serialized process spec
    steps: tuple[StepSpec, ...]
    sha256: str


# --- conditions -----------------------------------------------------------------------------
def check_condition(expression: str) -> None:
    """Raise ValueError unless ``expression`` is a condition motcua evaluates (see module doc)."""
    tree = ast.parse((expression or "").strip(), mode="eval")

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            visit(node.body)
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And | ast.Or):
            for value in node.values:
                visit(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            visit(node.operand)
        elif isinstance(node, ast.Compare):
            if not all(isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops):
                raise ValueError("only ==, !=, in and not in compare")
            for part in (node.left, *node.comparators):
                visit(part)
        elif isinstance(node, ast.Name):
            if node.id not in CONDITION_NAMES:
                raise ValueError(f"unknown name {node.id!r} (use outcome)")
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, str | bool | int) or node.value is None:
                raise ValueError("only text, number and true/false constants")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            for element in node.elts:
                if not isinstance(element, ast.Constant):
                    raise ValueError("lists may hold constants only")
                visit(element)
        else:
            raise ValueError(f"{type(node).__name__} is not allowed")

    visit(tree)


def evaluate_condition(expression: str, data: dict[str, Any]) -> bool:
    """Evaluate a checked condition over the step data (no ``eval``)."""
    tree = ast.parse((expression or "").strip(), mode="eval")

    def value(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.BoolOp):
            parts = (bool(value(v)) for v in node.values)
            return all(parts) if isinstance(node.op, ast.And) else any(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not value(node.operand)
        if isinstance(node, ast.Compare):
            left = value(node.left)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = value(right_node)
                ok = {
                    ast.Eq: lambda a, b: a == b,
                    ast.NotEq: lambda a, b: a != b,
                    ast.In: lambda a, b: a in b,
                    ast.NotIn: lambda a, b: a not in b,
                }[type(op)](left, right)
                if not ok:
                    return False
                left = right
            return True
        if isinstance(node, ast.Name):
            if node.id not in CONDITION_NAMES:
                raise ValueError(node.id)
            return data.get(node.id)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return tuple(value(e) for e in node.elts)
        raise ValueError(type(node).__name__)

    return bool(value(tree))


def motcua_attributes(node: Any) -> dict[str, str]:
    """The ``motcua:*`` attributes of an element, without the namespace."""
    prefix = f"{{{MOTCUA_NS}}}"
    return {key[len(prefix) :]: val for key, val in node.attrib.items() if key.startswith(prefix)}


# --- the parser -----------------------------------------------------------------------------
class _StepParser(TaskParser):
    """A user task whose ``motcua:*`` attributes become the spec's extensions."""

    def parse_extensions(self, node: Any = None) -> dict[str, str]:
        node = node if node is not None else self.node
        prefix = f"{{{MOTCUA_NS}}}"
        return {
            key[len(prefix) :]: value
            for key, value in node.attrib.items()
            if key.startswith(prefix)
        }


class _Parser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {full_tag("userTask"): (_StepParser, UserTask)}


_VALIDATOR: BpmnValidator | None = None


def _validator() -> BpmnValidator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = BpmnValidator()
    return _VALIDATOR


def serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer()


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _label(node: Any) -> str:
    name = node.get("name") or ""
    ident = node.get("id") or "?"
    return f"“{name}” ({ident})" if name else ident


def step_spec(step_id: str, name: str, attrs: dict[str, str]) -> StepSpec:
    """A step from a user task's ``motcua:*`` attributes, defaults applied (no checks)."""
    role = (attrs.get("role") or "").strip()
    unit = (attrs.get("unit") or "").strip()
    if not unit:
        unit = UNIT_RECEIVING if role == StaffRole.ONE_STOP_OFFICER else UNIT_HANDLING
    raw_actions = (attrs.get("actions") or "").split()
    return StepSpec(
        id=step_id,
        name=(name or step_id).strip(),
        role=role,
        unit=unit,
        allotment=(attrs.get("allotment") or "").strip(),
        actions=tuple(raw_actions) if raw_actions else DEFAULT_ACTIONS.get(role, ()),
    )


def _read_step(node: Any, known_units: set[str]) -> StepSpec:
    label = _label(node)
    if not node.get("id"):
        raise ProcessInvalid(_("Every step needs an id."), field="bpmn")
    step = step_spec(node.get("id"), node.get("name") or "", motcua_attributes(node))
    if not step.role:
        raise ProcessInvalid(
            _("Step %(step)s has no role (motcua:role).") % {"step": label}, field="bpmn"
        )
    if step.role not in STEP_ROLES:
        raise ProcessInvalid(
            _(
                "Step %(step)s names the role “%(role)s”, which does not exist; "
                "use one of: %(roles)s."
            )
            % {"step": label, "role": step.role, "roles": ", ".join(STEP_ROLES)},
            field="bpmn",
        )
    if step.unit not in {UNIT_RECEIVING, UNIT_HANDLING} and step.unit not in known_units:
        raise ProcessInvalid(
            _("Step %(step)s names the unit “%(unit)s”, which does not exist.")
            % {"step": label, "unit": step.unit},
            field="bpmn",
        )
    if not step.allotment:
        raise ProcessInvalid(
            _("Step %(step)s has no time allotment (motcua:allotment).") % {"step": label},
            field="bpmn",
        )
    try:
        parse_allotment(step.allotment)
    except ValueError:
        raise ProcessInvalid(
            _(
                "Step %(step)s: the allotment “%(value)s” cannot be read; write working "
                "time such as PT4H, P2D or 40%%."
            )
            % {"step": label, "value": step.allotment},
            field="bpmn",
        ) from None
    unknown = [a for a in step.actions if a not in STEP_ACTIONS]
    if unknown:
        raise ProcessInvalid(
            _("Step %(step)s: unknown action “%(action)s”; use one of: %(actions)s.")
            % {"step": label, "action": unknown[0], "actions": ", ".join(STEP_ACTIONS)},
            field="bpmn",
        )
    return step


def _refuse_engine(exc: Exception) -> ProcessInvalid:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    node = getattr(exc, "id", "") or ""
    if node:
        detail = f"{detail} ({node})"
    line = getattr(exc, "line_number", "") or ""
    if line:
        detail = f"{detail}, line {line}"
    return ProcessInvalid(
        _("The file is not a BPMN 2.0 process motcua can run: %(reason)s") % {"reason": detail},
        field="bpmn",
    )


def parse_process(xml: str | bytes) -> ParsedProcess:
    """Parse and check a process file; ``ProcessInvalid`` says why it is refused."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    if len(data) > _MAX_BYTES:
        raise ProcessInvalid(_("The file is too large for a process (2 MB at most)."), field="bpmn")
    try:
        parser_xml = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser=parser_xml)
    except etree.XMLSyntaxError as exc:
        raise ProcessInvalid(
            _("The file does not parse as XML: %(reason)s") % {"reason": exc.msg or str(exc)},
            field="bpmn",
        ) from None
    if etree.QName(root).namespace != BPMN_NS or _local(root.tag) != "definitions":
        raise ProcessInvalid(
            _("The file is not BPMN 2.0: its root element must be bpmn:definitions."),
            field="bpmn",
        )
    try:
        _validator().validate(root)
    except (ValidationException, etree.LxmlError) as exc:
        raise _refuse_engine(exc) from None
    processes = root.findall(f"{{{BPMN_NS}}}process")
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"]
    if not executable:
        raise ProcessInvalid(_("The file holds no executable process."), field="bpmn")
    if len(executable) > 1:
        raise ProcessInvalid(
            _("The file holds several executable processes; upload one at a time."),
            field="bpmn",
        )
    process = executable[0]
    for node in process.iter():
        name = _local(node.tag)
        if not name or etree.QName(node).namespace != BPMN_NS or node is process:
            continue
        if name in _IGNORED or name in _SUPPORTED:
            continue
        raise ProcessInvalid(
            _(
                "The element bpmn:%(element)s %(node)s is not supported: a process is made "
                "of user tasks, exclusive gateways, one start event and end events."
            )
            % {"element": name, "node": _label(node)},
            field="bpmn",
        )
    starts = process.findall(f"{{{BPMN_NS}}}startEvent")
    if not starts:
        raise ProcessInvalid(_("The process has no start event."), field="bpmn")
    if len(starts) > 1:
        raise ProcessInvalid(_("The process must have exactly one start event."), field="bpmn")
    if not process.findall(f"{{{BPMN_NS}}}endEvent"):
        raise ProcessInvalid(_("The process has no end event."), field="bpmn")
    for event in [*starts, *process.findall(f"{{{BPMN_NS}}}endEvent")]:
        if len(event):
            defined = [c for c in event if _local(c.tag).endswith("EventDefinition")]
            if defined:
                raise ProcessInvalid(
                    _("Event %(node)s has an event definition; only plain events are run.")
                    % {"node": _label(event)},
                    field="bpmn",
                )
    tasks = process.findall(f"{{{BPMN_NS}}}userTask")
    if not tasks:
        raise ProcessInvalid(_("The process has no user task (step)."), field="bpmn")
    named_units = {(t.get(f"{{{MOTCUA_NS}}}unit") or "").strip() for t in tasks}
    named_units -= {"", UNIT_RECEIVING, UNIT_HANDLING}
    known = set(Unit.objects.filter(code__in=named_units).values_list("code", flat=True))
    steps = tuple(_read_step(t, known) for t in tasks)
    for flow in process.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is None:
            continue
        try:
            check_condition(condition.text or "")
        except (SyntaxError, ValueError) as exc:
            raise ProcessInvalid(
                _(
                    "The condition “%(condition)s” on flow %(flow)s is not allowed (%(reason)s); "
                    'write e.g. outcome == "send_back".'
                )
                % {
                    "condition": (condition.text or "").strip(),
                    "flow": _label(flow),
                    "reason": getattr(exc, "msg", None) or str(exc),
                },
                field="bpmn",
            ) from None
    try:
        parser = _Parser()
        parser.add_bpmn_xml(root)
        spec = parser.get_spec(process.get("id"))
    except (SpiffWorkflowException, etree.LxmlError, KeyError, AttributeError) as exc:
        raise _refuse_engine(exc) from None
    return ParsedProcess(
        process_id=process.get("id"),
        name=(process.get("name") or root.get("name") or process.get("id")).strip()[:300],
        spec=serializer().to_dict(spec),
        steps=steps,
        sha256=hashlib.sha256(data).hexdigest(),
    )
