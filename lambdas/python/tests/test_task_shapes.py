"""The shapes of task function @task accepts, and how a task file's task is found."""

from __future__ import annotations

import pytest

from conftest import make_payload
from ork import TaskDefinitionError
from ork.errors import error_name

MODELS = """
from ork import task, Context
from pydantic import BaseModel

class Up(BaseModel):
    n: int

class Input(BaseModel):
    up: Up

class Output(BaseModel):
    doubled: int
"""

UP = {"up": {"n": 21}}


@pytest.mark.parametrize(
    "body, expected",
    [
        ("@task\ndef main() -> Output:\n    return Output(doubled=0)", {"doubled": 0}),
        ("@task\ndef main() -> Output:\n    return {'doubled': 1}", {"doubled": 1}),
        ("@task\ndef main():\n    return Output(doubled=2)", {"doubled": 2}),
        ("@task\ndef main():\n    return {'any': ['json', 1]}", {"any": ["json", 1]}),
        ("@task\ndef main() -> dict:\n    return {'d': True}", {"d": True}),
        ("@task\ndef main(input: Input) -> Output:\n    return Output(doubled=input.up.n * 2)", {"doubled": 42}),
        ("@task\ndef main(input: dict) -> Output:\n    return Output(doubled=input['up']['n'] * 2)", {"doubled": 42}),
        ("@task\ndef main(input):\n    return {'keys': sorted(input)}", {"keys": ["params", "up"]}),
        (
            "@task\ndef main(input: Input, ctx: Context) -> Output:\n    return Output(doubled=input.up.n + ctx.attempt)",
            {"doubled": 22},
        ),
        (
            "@task\ndef main(ctx: Context, input: Input) -> Output:\n    return Output(doubled=input.up.n + ctx.attempt)",
            {"doubled": 22},
        ),
        ("@task\ndef main(input, ctx):\n    return {'task': ctx.task, 'n': input['up']['n']}", {"task": "t", "n": 21}),
        ("@task\ndef main(ctx: Context) -> Output:\n    return Output(doubled=ctx.parallel_count)", {"doubled": 1}),
        ("@task\ndef main(ctx):\n    return {'workflow': ctx.workflow}", {"workflow": "wf"}),
        ("@task\ndef main(context):\n    return {'instance': context.instance}", {"instance": "t"}),
    ],
    ids=[
        "main()->model",
        "main()->dict-as-model",
        "main()-returns-model-unannotated",
        "main()-returns-dict",
        "main()->dict",
        "main(input)",
        "main(input: dict)",
        "main(input)-unannotated",
        "main(input, ctx)",
        "main(ctx, input)",
        "main(input, ctx)-unannotated",
        "main(ctx)",
        "main(ctx)-unannotated",
        "main(context)-unannotated",
    ],
)
def test_accepted_shapes(workflow, run_ok, body: str, expected: dict) -> None:
    path = workflow(MODELS + "\n" + body + "\n")
    assert run_ok(path, make_payload(inputs=UP)).output == expected


def test_the_decorated_function_stays_callable(workflow) -> None:
    import importlib.util

    path = workflow(MODELS + "\n@task\ndef main(input: Input) -> Output:\n    return Output(doubled=input.up.n * 2)\n")
    spec = importlib.util.spec_from_file_location("plain_import_of_a_task", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(module.Input(up={"n": 4})) == module.Output(doubled=8)


def test_future_annotations_in_a_task_file(workflow, run_ok) -> None:
    path = workflow(
        """
        from __future__ import annotations
        from ork import task, Context
        from pydantic import BaseModel

        class Part(BaseModel):
            rows: int

        class Input(BaseModel):
            parts: list[Part]
            item: str | None = None

        class Output(BaseModel):
            rows: int
            attempt: int

        @task
        def main(input: Input, ctx: Context) -> Output:
            return Output(rows=sum(p.rows for p in input.parts), attempt=ctx.attempt)
        """
    )
    result = run_ok(path, make_payload(inputs={"parts": [{"rows": 2}, {"rows": 3}]}, attempt=2))
    assert result.output == {"rows": 5, "attempt": 3}


def test_future_annotations_with_models_defined_after_the_task(workflow, run_ok) -> None:
    # With postponed annotations the models may come after the function; they exist once the file ran.
    path = workflow(
        """
        from __future__ import annotations
        from ork import task, Context
        from pydantic import BaseModel

        @task
        def main(input: Input, ctx: Context) -> Output:
            return Output(total=sum(input.numbers) + ctx.parallel_index)

        class Input(BaseModel):
            numbers: list[int]

        class Output(BaseModel):
            total: int
        """
    )
    assert run_ok(path, make_payload(inputs={"numbers": [1, 2, 3]}, parallel_index=1, parallel_count=2)).output == {"total": 7}


def test_future_annotations_output_checked_when_models_come_later(workflow, run_task_file) -> None:
    path = workflow(
        """
        from __future__ import annotations
        from ork import task
        from pydantic import BaseModel

        @task
        def main() -> Output:
            return {"total": "not a number"}

        class Output(BaseModel):
            total: int
        """
    )
    result = run_task_file(path)
    assert error_name(result.error) == "Ork.OutputValidationError"


def test_several_tasks_the_one_named_main_runs(workflow, run_ok) -> None:
    path = workflow(
        """
        from ork import task

        @task
        def helper():
            return {"ran": "helper"}

        @task
        def main():
            return {"ran": "main"}
        """
    )
    assert run_ok(path).output == {"ran": "main"}


def test_a_single_task_need_not_be_named_main(workflow, run_ok) -> None:
    path = workflow("from ork import task\n\n@task\ndef discover():\n    return {'ran': 'discover'}\n")
    assert run_ok(path).output == {"ran": "discover"}


def test_a_task_imported_from_another_module_is_not_this_files_task(workflow, run_ok) -> None:
    workflow("from ork import task\n\n@task\ndef shared_step():\n    return {'ran': 'shared'}\n", "tasks/shared_tasks_mod.py")
    path = workflow("from ork import task\nfrom shared_tasks_mod import shared_step\n\n@task\ndef run():\n    return {'ran': 'own'}\n")
    assert run_ok(path).output == {"ran": "own"}


def test_several_tasks_and_none_named_main_is_ambiguous(workflow, run_task_file) -> None:
    path = workflow(
        """
        from ork import task

        @task
        def first():
            return {}

        @task
        def second():
            return {}
        """
    )
    error = run_task_file(path).error
    assert isinstance(error, TaskDefinitionError)
    assert error_name(error) == "Ork.TaskDefinitionError"
    assert "first, second" in str(error) and "'main'" in str(error)
    assert error.retryable is False


def test_a_file_without_a_task(workflow, run_task_file) -> None:
    error = run_task_file(workflow("def main():\n    return {}\n")).error
    assert isinstance(error, TaskDefinitionError)
    assert "@task" in str(error)


def test_a_missing_task_file(tmp_path, run_task_file) -> None:
    error = run_task_file(tmp_path / "tasks" / "nope.py").error
    assert isinstance(error, TaskDefinitionError)
    assert "nope.py" in str(error)


@pytest.mark.parametrize(
    "signature, words",
    [
        ("def main(a, b, c):", "takes 3 parameters"),
        ("def main(a: dict, b: dict):", "two input parameters"),
        ("def main(a: Context, b: Context):", "two Context parameters"),
        ("def main(n: int):", "must be a pydantic model, a dict or Context"),
        ("def main(x: Missing):", "cannot resolve the type annotations of main: name 'Missing' is not defined"),
    ],
)
def test_unusable_signatures_are_definition_errors(workflow, run_task_file, signature: str, words: str) -> None:
    path = workflow(f"from __future__ import annotations\nfrom ork import task, Context\n\n@task\n{signature}\n    return {{}}\n")
    error = run_task_file(path).error
    assert isinstance(error, TaskDefinitionError), error
    assert words in str(error)


def test_the_task_file_folder_and_workflow_folder_are_importable(workflow, run_ok) -> None:
    workflow("FACTOR = 3\n", "tasks/local_helper_mod.py")
    workflow("OFFSET = 100\n", "shared_helper_mod.py")
    path = workflow(
        "from ork import task\nfrom local_helper_mod import FACTOR\nfrom shared_helper_mod import OFFSET\n\n"
        "@task\ndef main():\n    return {'v': FACTOR + OFFSET}\n"
    )
    assert run_ok(path).output == {"v": 103}
