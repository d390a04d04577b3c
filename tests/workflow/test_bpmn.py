"""Reading process files: what is refused and why, what is accepted, how conditions evaluate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from motcua.units.models import Unit, UnitLevel
from motcua.workflow.bpmn import (
    ProcessInvalid,
    check_condition,
    evaluate_condition,
    parse_allotment,
    parse_process,
)
from motcua.workflow.models import ProcessDefinition
from motcua.workflow.services import BUILTIN_DEFAULT, process_definition_upload
from tests.workflow.conftest import World, linear, process_xml

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The reasons are read in English whatever language an earlier test left active
    (alone or in another order the module saw Vietnamese, the default, and failed)."""
    with translation.override("en"):
        yield


SPECIALIST = 'motcua:role="specialist" motcua:allotment="PT8H"'
LEADER = 'motcua:role="leader" motcua:allotment="PT4H"'


def refusal(xml: str | bytes) -> str:
    with pytest.raises(ProcessInvalid) as exc:
        parse_process(xml)
    return exc.value.message


def test_the_built_in_default_is_stored_after_migrate() -> None:
    default = ProcessDefinition.objects.get(procedure_code="", reference="", province_code="")
    assert (default.version, default.process_id, default.uploaded_by) == (1, "motcua_default", None)
    assert default.bpmn_xml == BUILTIN_DEFAULT.read_text(encoding="utf-8")


def test_the_default_process_parses() -> None:
    parsed = parse_process(BUILTIN_DEFAULT.read_bytes())
    assert parsed.process_id == "motcua_default"
    assert [(s.id, s.role, s.unit, s.actions) for s in parsed.steps] == [
        ("reception", "one_stop_officer", "receiving", ("forward",)),
        ("processing", "specialist", "handling", ("forward",)),
        ("approval", "leader", "handling", ("approve", "send_back")),
        ("result", "specialist", "handling", ("mark_result_ready",)),
        ("return", "one_stop_officer", "receiving", ("return_result",)),
    ]
    assert all(s.allotment.endswith("%") for s in parsed.steps)


def test_defaults_for_unit_and_actions() -> None:
    parsed = parse_process(
        process_xml(linear('motcua:role="one_stop_officer" motcua:allotment="PT2H"', LEADER))
    )
    reception, leader = parsed.steps
    assert (reception.unit, reception.actions) == ("receiving", ("forward", "return_result"))
    assert (leader.unit, leader.actions) == ("handling", ("approve", "send_back"))


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<bpmn:definitions", "does not parse as XML"),
        ("not xml at all", "does not parse as XML"),
        ('<?xml version="1.0"?><root/>', "not BPMN 2.0"),
        (process_xml(linear(SPECIALIST).replace('<bpmn:startEvent id="start"/>', "")), "start"),
        (
            process_xml(linear('motcua:allotment="PT8H"')),
            "has no role",
        ),
        (
            process_xml(linear('motcua:role="janitor" motcua:allotment="PT8H"')),
            "“janitor”, which does not exist",
        ),
        (
            process_xml(linear('motcua:role="supervisor" motcua:allotment="PT8H"')),
            "“supervisor”, which does not exist",
        ),
        (
            process_xml(linear('motcua:role="specialist" motcua:unit="H99.999"')),
            "“H99.999”, which does not exist",
        ),
        (process_xml(linear('motcua:role="specialist"')), "no time allotment"),
        (
            process_xml(linear('motcua:role="specialist" motcua:allotment="tomorrow"')),
            "“tomorrow” cannot be read",
        ),
        (
            process_xml(linear('motcua:role="specialist" motcua:allotment="PT0H"')),
            "cannot be read",
        ),
        (
            process_xml(linear(f'{SPECIALIST} motcua:actions="forward delete"')),
            "unknown action “delete”",
        ),
        (
            process_xml(
                linear(SPECIALIST).replace(
                    '<bpmn:endEvent id="end"/>',
                    '<bpmn:scriptTask id="s"><bpmn:script>import os</bpmn:script>'
                    '</bpmn:scriptTask><bpmn:endEvent id="end"/>',
                )
            ),
            "bpmn:scriptTask",
        ),
        (process_xml('<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>'), "no user task"),
        (
            process_xml(
                '<bpmn:startEvent id="start"/><bpmn:userTask id="a" motcua:role="specialist" '
                'motcua:allotment="PT1H"/><bpmn:endEvent id="end"/>'
                '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a"/>'
                '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="nowhere"/>'
            ),
            "not a BPMN 2.0 process motcua can run",
        ),
    ],
    ids=[
        "truncated",
        "not-xml",
        "not-bpmn",
        "no-start",
        "no-role",
        "unknown-role",
        "non-acting-role",
        "unknown-unit",
        "no-allotment",
        "bad-allotment",
        "zero-allotment",
        "unknown-action",
        "script-task",
        "no-user-task",
        "dangling-flow",
    ],
)
def test_bad_files_are_refused_with_the_reason(xml: str | bytes, reason: str) -> None:
    assert reason in refusal(xml)


def test_conditions_are_an_expression_language_not_code() -> None:
    gateway = """
      <bpmn:startEvent id="start"/>
      <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="a"/>
      <bpmn:userTask id="a" motcua:role="leader" motcua:allotment="PT1H"/>
      <bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="g"/>
      <bpmn:exclusiveGateway id="g" default="f3"/>
      <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="a">
        <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="end"/>
      <bpmn:endEvent id="end"/>
    """
    ok = parse_process(process_xml(gateway.replace("CONDITION", 'outcome == "send_back"')))
    assert [s.id for s in ok.steps] == ["a"]
    for bad in ["__import__('os').system('id')", "open('/etc/passwd')", "dossier.delete()"]:
        message = refusal(process_xml(gateway.replace("CONDITION", bad)))
        assert "is not allowed" in message and "f2" in message
    assert evaluate_condition('outcome == "send_back"', {"outcome": "send_back"}) is True
    assert (
        evaluate_condition('outcome in ("approve", "forward")', {"outcome": "send_back"}) is False
    )
    assert evaluate_condition('not outcome != "x" or outcome == "y"', {"outcome": "x"}) is True
    with pytest.raises(ValueError, match="unknown name"):
        check_condition("status == 'x'")


def test_a_named_unit_must_exist(world: World) -> None:
    xml = process_xml(linear(f'{SPECIALIST} motcua:unit="H01.00073"'))
    assert parse_process(xml).steps[0].unit == "H01.00073"
    other = process_xml(linear(f'{SPECIALIST} motcua:unit="H01.00099"'))
    assert "“H01.00099”, which does not exist" in refusal(other)
    Unit.objects.create(
        code="H01.00099", name="Phường mới", level=UnitLevel.COMMUNE, province_code="01"
    )
    assert parse_process(other).steps[0].unit == "H01.00099"


def test_allotments() -> None:
    day = timedelta(hours=8)
    budget = timedelta(hours=40)
    assert parse_allotment("PT8H").amount(working_day=day, budget=budget) == timedelta(hours=8)
    assert parse_allotment("PT30M").amount(working_day=day, budget=budget) == timedelta(minutes=30)
    assert parse_allotment("P2D").amount(working_day=day, budget=budget) == timedelta(hours=16)
    assert parse_allotment("P0.5D").amount(working_day=day, budget=budget) == timedelta(hours=4)
    assert parse_allotment("P1DT2H").amount(
        working_day=timedelta(hours=7), budget=budget
    ) == timedelta(hours=9)
    assert parse_allotment("25%").percent == Decimal(25)
    assert parse_allotment("25%").amount(working_day=day, budget=budget) == timedelta(hours=10)
    for bad in ["", "P", "PT", "8H", "150%", "0%", "P1W", "-PT1H"]:
        with pytest.raises(ValueError):
            parse_allotment(bad)


def test_a_refused_upload_stores_nothing() -> None:
    with pytest.raises(ProcessInvalid):
        process_definition_upload(actor=None, xml="<nope/>", procedure_code="1.001193")
    assert not ProcessDefinition.objects.filter(procedure_code="1.001193").exists()
