"""The core every entry point shares: payload in, validated and possibly offloaded output out."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from pydantic import AliasChoices, AliasPath, BaseModel, ValidationError

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


def _alias_names(alias: Any) -> list[str]:
    # AliasPath("discover", "files") reads from the top-level field "discover".
    if isinstance(alias, str):
        return [alias]
    if isinstance(alias, AliasPath):
        return [alias.path[0]] if alias.path and isinstance(alias.path[0], str) else []
    if isinstance(alias, AliasChoices):
        return [name for choice in alias.choices for name in _alias_names(choice)]
    return []


@functools.lru_cache(maxsize=None)
def _declared_names(model: type[BaseModel]) -> frozenset[str]:
    """Every top-level key the model reads: field names, aliases and validation aliases."""
    declared: set[str] = set()
    for name, field in model.model_fields.items():
        declared.add(name)
        declared.update(_alias_names(field.alias))
        declared.update(_alias_names(field.validation_alias))
    return frozenset(declared)


def input_fields(spec: TaskSpec) -> list[str] | None:
    """The payload fields the task's input is built from; None when it takes every field (no model, or
    ``extra="allow"``). The local engine stops sending a task the upstream outputs it does not read."""
    if not spec.wants_input:
        return []
    model = spec.input_model
    if model is None or model.model_config.get("extra") == "allow":
        return None
    return sorted(_declared_names(model))


def assemble_input(spec: TaskSpec, payload: Payload, references: References) -> Any:
    """``item``, one field per upstream task, and ``params``; fields the model does not declare are left out."""
    model = spec.input_model
    declared = None if model is None or model.model_config.get("extra") == "allow" else _declared_names(model)
    # Left out before references are resolved: an upstream output the model ignores is never fetched,
    # and never walked (a fan-out hands every instance its upstream's whole output).
    fields: dict[str, Any] = {
        name: references.resolve(value) for name, value in payload.inputs.items() if declared is None or name in declared
    }
    if declared is None or "params" in declared:
        fields["params"] = payload.params
    if payload.has_item and (declared is None or "item" in declared):
        fields["item"] = references.resolve(payload.item)
    if model is None:
        return fields
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
                output = result.model_dump(mode="json")
            else:
                if isinstance(result, BaseModel):
                    result = result.model_dump()
                if not isinstance(result, dict):
                    raise OutputValidationError(
                        f"task '{payload.task}' ({payload.instance}) must return {model.__name__} or a dict, got {type(result).__name__}"
                    )
                output = model.model_validate(result).model_dump(mode="json")
        elif isinstance(result, BaseModel):
            output = result.model_dump(mode="json")
        else:
            output = result
        # NaN and infinity (pandas' missing values) have no JSON form: Python would write them anyway, and
        # Step Functions and the local engine could not read the result. A model's dump keeps them too.
        json.dumps(output, allow_nan=False)
        return output
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
