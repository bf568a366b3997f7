"""The core every entry point shares: payload in, validated and possibly offloaded output out."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from pydantic import AliasChoices, AliasPath, BaseModel, ValidationError

from .batch import run_batch
from .context import Context
from .contract import RESULTS_KEY
from .errors import InputValidationError, InvalidPayloadError, OutputValidationError
from .failures import ToleratedFailure, split_failures
from .fan_out import spill_fan_out_fields
from .lazy_input import LazyInput
from .loader import load_task
from .payload import Payload
from .payload_store import References, Scope, execution_prefix
from .read_cache import cache_for, contains_reference
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


@functools.cache
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


def _declared(spec: TaskSpec) -> frozenset[str] | None:
    if not spec.wants_input:
        return frozenset()
    model = spec.input_model
    return None if model is None or model.model_config.get("extra") == "allow" else _declared_names(model)


def scope_of(payload: Payload) -> Scope:
    """The execution whose references this instance may read: the one its payload names."""
    return Scope(payload.workflow, payload.execution_id)


def resolve_inputs(spec: TaskSpec, payload: Payload, references: References) -> tuple[dict[str, Any], dict[str, list[ToleratedFailure]]]:
    """The upstream fields the task reads, resolved and without tolerated failures, and the failures of
    every upstream task by name (also of those it does not read: the context reports them all)."""
    declared = _declared(spec)
    scope = scope_of(payload)
    # Without an Input model the task gets every field, and those held in the store are read when it first
    # reads them (lazy_input.py): each instance of a foreach is handed its upstream's output, whose stored
    # list it rarely needs.
    lazy = spec.wants_input and spec.input_model is None
    fields: dict[str, Any] = {}
    pending: dict[str, Any] = {}
    failures: dict[str, list[ToleratedFailure]] = {}
    for name, value in payload.inputs.items():
        # Left out before references are resolved: an upstream output the model ignores is never fetched,
        # and never walked (a fan-out hands every instance its upstream's whole output).
        if lazy and contains_reference(value):
            pending[name] = value
            failed = _field_failures(references, payload, value)
        elif declared is None or name in declared:
            fields[name], failed = _resolve_field(references, payload, value)
        else:
            failed = references.failures_in(value, scope)
        if failed:
            failures[name] = failed
    if lazy:
        return LazyInput(fields, pending, lambda _name, value: _resolve_field(references, payload, value)[0]), failures
    return fields, failures


def _resolve_field(references: References, payload: Payload, value: Any) -> tuple[Any, list[ToleratedFailure]]:
    """An upstream field resolved, without its tolerated failures, and those. What the store holds is read
    once per process and execution (read_cache.py), not once per instance: a stored list that every instance
    of a fan-out is handed would otherwise be read as many times as it has items."""
    scope = scope_of(payload)
    if not contains_reference(value):
        return references.resolve_outputs(value, scope)
    return split_failures(cache_for(references).get(_field_key(payload, value), lambda: references.resolve(value, scope)))


def _field_key(payload: Payload, value: Any) -> tuple[str, str, str]:
    # The field as the payload holds it (its references) and the execution: the same key, the same data.
    return (payload.workflow, payload.execution_id, json.dumps(value, sort_keys=True, separators=(",", ":")))


def _field_failures(references: References, payload: Payload, value: Any) -> list[ToleratedFailure]:
    """The tolerated failures of a field left for the task to read later (LazyInput). A Distributed Map's
    results may hold failures inside the outputs of children that ran several instances, found only by
    reading them all: that is done once per process and execution, like the read itself."""
    if not _holds_results(value):
        return references.failures_in(value, scope_of(payload))
    key = _field_key(payload, value)
    failures: list[ToleratedFailure] = cache_for(references).fact(key, "failures", lambda: _resolve_field(references, payload, value)[1])
    return failures


def _holds_results(value: Any) -> bool:
    if isinstance(value, dict):
        return RESULTS_KEY in value or any(_holds_results(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_results(v) for v in value)
    return False


def assemble_input(spec: TaskSpec, payload: Payload, references: References, resolved: dict[str, Any] | None = None) -> Any:
    """``item``, one field per upstream task, ``params`` (and the on_failure handler's ``failure``); fields
    the model does not declare are left out.
    ``resolved``: the upstream fields as resolve_inputs returned them, when the caller has them already."""
    model = spec.input_model
    declared = None if model is None or model.model_config.get("extra") == "allow" else _declared_names(model)
    upstream = resolve_inputs(spec, payload, references)[0] if resolved is None else resolved
    # A LazyInput is the input itself (copying it would read every stored field).
    fields: dict[str, Any] = upstream if isinstance(upstream, LazyInput) else dict(upstream)
    if declared is None or "params" in declared:
        fields["params"] = payload.params
    if payload.has_item and (declared is None or "item" in declared):
        fields["item"] = references.resolve(payload.item, scope_of(payload))
    # The on_failure handler's: a copy, so that a handler changing its input leaves the context's alone.
    if payload.failure is not None and (declared is None or "failure" in declared):
        fields["failure"] = dict(payload.failure)
    if model is None:
        return fields
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise InputValidationError(explain_validation(error, f"input of task '{payload.task}' ({payload.instance}) does not fit {model.__name__}")) from error


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
    instance = _UNSAFE.sub("_", payload.instance)
    return f"{execution_prefix(payload.workflow, payload.execution_id)}{payload.task}/{instance}-attempt{payload.attempt + 1}.json"


def run_task(
    spec: TaskSpec,
    payload: Payload,
    *,
    references: References,
    log_sink: Sink,
    metric_sink: Sink,
) -> Any:
    if payload.batch is not None:
        raise InvalidPayloadError("run_task runs one instance; a batch payload goes through invoke")
    resolved, failures = resolve_inputs(spec, payload, references)
    context = Context(payload, log_sink, metric_sink, failures)
    arguments = []
    task_input = assemble_input(spec, payload, references, resolved) if spec.wants_input else None
    for kind in spec.arguments:
        arguments.append(task_input if kind == "input" else context)
    result = spec.function(*arguments)
    output = validate_output(spec, payload, result)
    key = output_key(payload)
    output = spill_fan_out_fields(output, payload.fan_out_fields, references, key, payload.output_spill_bytes, scope_of(payload))
    # A fan-out list at a path through a list index cannot be kept at its path beside a reference.
    items_paths = tuple(tuple(str(step) for step in f.path) for f in payload.fan_out_fields if all(isinstance(step, str) for step in f.path))
    return references.offload(output, key, payload.output_spill_bytes, payload.condition_fields, items_paths)


def invoke(
    raw_payload: Any,
    task_file: str,
    workflow_dir: str | None,
    *,
    references: References,
    log_sink: Sink,
    metric_sink: Sink,
) -> Any:
    """Parses the payload, loads the task (once per process) and runs it: once, or once per batch element."""
    payload = Payload.parse(raw_payload)
    spec = load_task(task_file, workflow_dir)

    def run_one(instance: Payload) -> Any:
        return run_task(spec, instance, references=references, log_sink=log_sink, metric_sink=metric_sink)

    if payload.batch is not None:
        return run_batch(payload, raw_payload, run_one)
    return run_one(payload)
