"""The core every entry point shares: payload in, validated and possibly offloaded output out."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from .context import Context
from .errors import InputValidationError, OutputValidationError
from .loader import load_task
from .payload import Payload
from .payload_store import References
from .sink import Sink
from .task import TaskSpec

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _render(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def explain_validation(error: ValidationError, what: str) -> str:
    """One line per wrong field: where, what is wrong, and what was received."""
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem.get("loc", ())) or "(root)"
        received = "nothing" if problem.get("type") == "missing" else _render(problem.get("input"))
        lines.append(f"field '{where}': {problem.get('msg')} (received {received})")
    return f"{what}: " + "; ".join(lines)


def assemble_input(spec: TaskSpec, payload: Payload, references: References) -> Any:
    """``item``, one field per upstream task, and ``params``; fields the model does not declare are left out."""
    fields: dict[str, Any] = {name: references.resolve(value) for name, value in payload.inputs.items()}
    fields["params"] = payload.params
    if payload.has_item:
        fields["item"] = references.resolve(payload.item)
    model = spec.input_model
    if model is None:
        return fields
    if model.model_config.get("extra") != "allow":
        declared = set()
        for name, field in model.model_fields.items():
            declared.add(name)
            if field.alias:
                declared.add(field.alias)
            if isinstance(field.validation_alias, str):
                declared.add(field.validation_alias)
        fields = {k: v for k, v in fields.items() if k in declared}
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise InputValidationError(
            explain_validation(error, f"input of task '{payload.task}' ({payload.instance}) does not fit {model.__name__}")
        ) from error


def validate_output(spec: TaskSpec, payload: Payload, result: Any) -> Any:
    """The output as JSON data, checked against the Output model when the task declares one."""
    model = spec.output_model
    try:
        if model is not None:
            if isinstance(result, model):
                return result.model_dump(mode="json")
            if isinstance(result, BaseModel):
                result = result.model_dump()
            if not isinstance(result, dict):
                raise OutputValidationError(
                    f"task '{payload.task}' ({payload.instance}) must return {model.__name__} or a dict, got {type(result).__name__}"
                )
            return model.model_validate(result).model_dump(mode="json")
        if isinstance(result, BaseModel):
            return result.model_dump(mode="json")
        json.dumps(result)
        return result
    except ValidationError as error:
        raise OutputValidationError(
            explain_validation(error, f"output of task '{payload.task}' ({payload.instance}) does not fit {model.__name__ if model else 'its model'}")
        ) from error
    except (TypeError, ValueError) as error:
        raise OutputValidationError(f"output of task '{payload.task}' ({payload.instance}) is not JSON data: {error}") from error


def output_key(payload: Payload) -> str:
    execution = _UNSAFE.sub("_", payload.execution_id.rsplit(":", 1)[-1] or "local")
    instance = _UNSAFE.sub("_", payload.instance)
    return f"{payload.workflow}/{execution}/{payload.task}/{instance}-attempt{payload.attempt + 1}.json"


def run_task(
    spec: TaskSpec,
    payload: Payload,
    *,
    references: References,
    log_sink: Sink,
    metric_sink: Sink,
) -> Any:
    context = Context(payload, log_sink, metric_sink)
    arguments = []
    task_input = assemble_input(spec, payload, references) if spec.wants_input else None
    for kind in spec.arguments:
        arguments.append(task_input if kind == "input" else context)
    result = spec.function(*arguments)
    output = validate_output(spec, payload, result)
    return references.offload(output, output_key(payload))


def invoke(
    raw_payload: Any,
    task_file: str,
    workflow_dir: str | None,
    *,
    references: References,
    log_sink: Sink,
    metric_sink: Sink,
) -> Any:
    """Parses the payload, loads the task (once per process) and runs it."""
    payload = Payload.parse(raw_payload)
    spec = load_task(task_file, workflow_dir)
    return run_task(spec, payload, references=references, log_sink=log_sink, metric_sink=metric_sink)
