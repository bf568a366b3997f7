"""``@task``: marks the function a task file runs, and works out how to call it from its signature.

Accepted shapes: ``main()``, ``main(input)``, ``main(input, ctx)``, ``main(ctx)`` (and ``main(ctx, input)``).
A parameter is the Context when annotated ``Context`` (or, unannotated, named ``ctx`` or ``context``);
the other parameter is the input: a pydantic model (validated), or ``dict``/unannotated (the raw fields).
The Output model is the return annotation; without one, a returned model or dict is passed on as it is.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .context import Context
from .errors import TaskDefinitionError

_CONTEXT_NAMES = frozenset({"ctx", "context"})


@dataclass(frozen=True, slots=True)
class TaskSpec:
    function: Callable[..., Any]
    name: str
    input_model: type[BaseModel] | None
    wants_input: bool
    output_model: type[BaseModel] | None
    # Argument order: "input" and "ctx" in the order the function declares them.
    arguments: tuple[str, ...]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def inspect_task(function: Callable[..., Any]) -> TaskSpec:
    try:
        hints = typing.get_type_hints(function)
    except Exception as error:  # an annotation that cannot be resolved: say which task
        raise TaskDefinitionError(f"cannot resolve the type annotations of {function.__qualname__}: {error}") from error
    parameters = [p for p in inspect.signature(function).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(parameters) > 2:
        raise TaskDefinitionError(f"{function.__qualname__} takes {len(parameters)} parameters; a task takes (input), (ctx), (input, ctx) or none")
    arguments: list[str] = []
    input_model: type[BaseModel] | None = None
    wants_input = False
    for parameter in parameters:
        annotation = hints.get(parameter.name, inspect.Parameter.empty)
        is_context = annotation is Context or (annotation is inspect.Parameter.empty and parameter.name in _CONTEXT_NAMES)
        if is_context:
            if "ctx" in arguments:
                raise TaskDefinitionError(f"{function.__qualname__} declares two Context parameters")
            arguments.append("ctx")
            continue
        if wants_input:
            raise TaskDefinitionError(f"{function.__qualname__} declares two input parameters; annotate the second with Context")
        wants_input = True
        if _is_model(annotation):
            input_model = annotation
        elif annotation not in (inspect.Parameter.empty, dict, typing.Any) and typing.get_origin(annotation) is not dict:
            raise TaskDefinitionError(f"{function.__qualname__}: parameter {parameter.name!r} must be a pydantic model, a dict or Context")
        arguments.append("input")
    returned = hints.get("return")
    output_model = returned if _is_model(returned) else None
    return TaskSpec(function, function.__name__, input_model, wants_input, output_model, tuple(arguments))


# The attribute @task sets on the function it marks: its TaskSpec, or None until the file has run (see task).
_SPEC_ATTRIBUTE = "__ork_task__"


def task(function: Callable[..., Any]) -> Callable[..., Any]:
    """Marks the task function of a file. The function stays callable as it was, for unit tests."""
    try:
        spec: TaskSpec | None = inspect_task(function)
    except TaskDefinitionError as error:
        # Under ``from __future__ import annotations`` the models may be defined below the function, so a
        # name is not resolvable yet: inspect again once the whole file has run (find_task).
        if not isinstance(error.__cause__, NameError):
            raise
        spec = None
    setattr(function, _SPEC_ATTRIBUTE, spec)
    return function


def _spec(function: Callable[..., Any]) -> TaskSpec:
    spec = getattr(function, _SPEC_ATTRIBUTE, None)
    if spec is None:
        spec = inspect_task(function)
        setattr(function, _SPEC_ATTRIBUTE, spec)
    return spec


def find_task(module: Any) -> TaskSpec:
    """The task of a module: its only ``@task`` function, or the one named ``main`` among several."""
    marked = [value for value in vars(module).values() if callable(value) and hasattr(value, _SPEC_ATTRIBUTE)]
    # A task imported from another module is that module's task, not this file's.
    own = [f for f in marked if getattr(f, "__module__", None) == module.__name__] or marked
    if len(own) == 1:
        return _spec(own[0])
    if not own:
        raise TaskDefinitionError(f"{module.__file__} has no @task function; decorate the task's entry point with @task")
    mains = [f for f in own if f.__name__ == "main"]
    if len(mains) == 1:
        return _spec(mains[0])
    names = ", ".join(sorted(f.__name__ for f in own))
    raise TaskDefinitionError(f"{module.__file__} has several @task functions ({names}); name the one to run 'main'")
