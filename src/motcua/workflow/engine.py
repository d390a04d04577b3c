"""A small interface around SpiffWorkflow 3.x: start, read the ready step, complete it.

The rest of motcua never touches Spiff objects. The engine state kept per instance is
Spiff's own serialization *without* the process spec (which is stored once per
definition version and shared by every instance, ~6 kB of state per dossier instead of
tens); ``Engine.load`` puts the spec back. Conditions go through ``SafeScriptEngine``,
which evaluates the checked expression language of ``bpmn.evaluate_condition`` and
runs no script.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from motcua.workflow.bpmn import StepSpec, evaluate_condition, serializer, step_spec


class SafeScriptEngine(PythonScriptEngine):
    """Evaluates gateway conditions without ``eval``; refuses to run scripts."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return evaluate_condition(expression, dict(task.data))
        except (SyntaxError, ValueError) as exc:
            raise WorkflowException(f"condition {expression!r}: {exc}", task_spec=None) from exc

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        raise WorkflowException("motcua processes run no scripts")


_SPECS: dict[tuple[int, str], Any] = {}
_SPECS_LOCK = threading.Lock()
_SPECS_MAX = 256


def _spec(key: tuple[int, str], spec_dict: dict[str, Any]) -> Any:
    """The restored process spec of a definition version, cached (specs are not mutated)."""
    spec = _SPECS.get(key)
    if spec is None:
        spec = serializer().from_dict(copy.deepcopy(spec_dict))
        with _SPECS_LOCK:
            if len(_SPECS) >= _SPECS_MAX:
                _SPECS.clear()
            _SPECS[key] = spec
    return spec


@dataclass(frozen=True)
class ReadyStep:
    """A user task waiting for a person."""

    task_id: UUID
    spec: StepSpec


class Engine:
    """One running process in memory."""

    def __init__(self, workflow: BpmnWorkflow) -> None:
        self.workflow = workflow
        self.workflow.script_engine = SafeScriptEngine()

    @classmethod
    def start(cls, key: tuple[int, str], spec_dict: dict[str, Any]) -> Engine:
        engine = cls(BpmnWorkflow(_spec(key, spec_dict)))
        engine.workflow.do_engine_steps()
        return engine

    @classmethod
    def load(cls, key: tuple[int, str], spec_dict: dict[str, Any], state: dict[str, Any]) -> Engine:
        dct = copy.deepcopy(state)
        dct["spec"] = _spec(key, spec_dict)
        dct["subprocess_specs"] = {}
        return cls(serializer().from_dict(dct))

    def dump(self) -> dict[str, Any]:
        dct: dict[str, Any] = serializer().to_dict(self.workflow)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        return dct

    @property
    def completed(self) -> bool:
        return bool(self.workflow.completed)

    def ready(self) -> list[ReadyStep]:
        """The user tasks waiting for a person, in the order the engine lists them."""
        steps = []
        for task in self.workflow.get_tasks(state=TaskState.READY):
            spec = task.task_spec
            if not spec.manual:
                continue
            steps.append(
                ReadyStep(
                    task_id=task.id,
                    spec=step_spec(
                        spec.bpmn_id, spec.bpmn_name or "", getattr(spec, "extensions", {}) or {}
                    ),
                )
            )
        return steps

    def complete(self, task_id: UUID, outcome: str) -> list[ReadyStep]:
        """Complete a ready user task with ``outcome``; run gateways; the steps now ready."""
        task = self.workflow.get_task_from_id(task_id)
        if task is None or task.state != TaskState.READY:
            raise WorkflowException(f"task {task_id} is not ready")
        task.data["outcome"] = outcome
        task.run()
        self.workflow.do_engine_steps()
        return self.ready()

    def cancel(self) -> None:
        self.workflow.cancel()
