"""Process tests run dossiers through the lifecycle services in the dossier tests' world."""

from __future__ import annotations

from tests.dossiers.conftest import World, world

__all__ = ["World", "process_xml", "world"]

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:motcua="urn:motcua:bpmn:1" id="defs" targetNamespace="urn:motcua:tests">\n'
)


def process_xml(body: str, *, process_id: str = "test_process", name: str = "Quy trình thử") -> str:
    """A BPMN file holding one executable process with ``body`` inside."""
    return (
        f'{HEAD}<bpmn:process id="{process_id}" name="{name}" isExecutable="true">\n'
        f"{body}\n</bpmn:process>\n</bpmn:definitions>\n"
    )


def linear(*tasks: str) -> str:
    """start → tasks in order → end, each task given as its attributes."""
    parts = ['<bpmn:startEvent id="start"/>']
    previous = "start"
    for i, attrs in enumerate(tasks):
        ident = f"t{i}"
        parts.append(f'<bpmn:userTask id="{ident}" name="Bước {i}" {attrs}/>')
        parts.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="{ident}"/>')
        previous = ident
    parts.append('<bpmn:endEvent id="end"/>')
    parts.append(f'<bpmn:sequenceFlow id="fend" sourceRef="{previous}" targetRef="end"/>')
    return "\n".join(parts)
