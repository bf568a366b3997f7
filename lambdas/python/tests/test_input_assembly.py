"""Input assembly (docs/payload.md): one field per upstream task, ``item``, ``params``; and the errors when
the data does not fit the task's models."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from conftest import make_payload
from ork import InputValidationError, OutputValidationError
from ork.errors import describe_failure, error_name
from ork.payload import Payload
from ork.payload_store import DirectoryStore, References
from ork.runtime import assemble_input
from ork.task import inspect_task

ECHO = """
from ork import task, Context
from pydantic import BaseModel, ConfigDict, Field

{models}

@task
def main(input: Input):
    return input.model_dump(mode="json", by_alias={by_alias})
"""


def echo(workflow, models: str, by_alias: bool = False):
    return workflow(ECHO.format(models=models, by_alias=by_alias))


def test_plain_upstream_is_its_output_object(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Discover(BaseModel):
    count: int
    files: list[str]

class Input(BaseModel):
    discover: Discover
""",
    )
    payload = make_payload(inputs={"discover": {"count": 2, "files": ["a", "b"]}})
    assert run_ok(path, payload).output == {"discover": {"count": 2, "files": ["a", "b"]}}


def test_parallel_upstream_is_the_list_of_its_instances_outputs(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Part(BaseModel):
    processed: int

class Input(BaseModel):
    process: list[Part]
""",
    )
    outputs = [{"processed": n} for n in (3, 3, 2, 2)]
    assert run_ok(path, make_payload(inputs={"process": outputs})).output == {"process": outputs}


def test_foreach_upstream_and_item(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Discover(BaseModel):
    files: list[str]

class Input(BaseModel):
    item: str
    discover: Discover
""",
    )
    payload = make_payload(inputs={"discover": {"files": ["a.csv", "b.csv"]}}, item="b.csv", item_index=1)
    assert run_ok(path, payload).output == {"item": "b.csv", "discover": {"files": ["a.csv", "b.csv"]}}


def test_foreach_times_parallel_upstream_is_flattened_item_then_index(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Shard(BaseModel):
    region: str
    worker: int

class Input(BaseModel):
    process_region: list[Shard]
""",
    )
    # As the compiled machine hands it: every instance of item 0 by parallel index, then item 1 ...
    flattened = [{"region": r, "worker": w} for r in ("eu", "us") for w in range(3)]
    output = run_ok(path, make_payload(inputs={"process_region": flattened})).output
    assert output["process_region"] == flattened
    assert [(s["region"], s["worker"]) for s in output["process_region"]] == [("eu", 0), ("eu", 1), ("eu", 2), ("us", 0), ("us", 1), ("us", 2)]


def test_item_of_any_json_type_and_a_null_item(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Input(BaseModel):
    item: dict | None
""",
    )
    assert run_ok(path, make_payload(item={"id": 7}, item_index=0)).output == {"item": {"id": 7}}
    assert run_ok(path, make_payload(item=None, item_index=1)).output == {"item": None}


def test_params(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Params(BaseModel):
    date: str
    prefix: str = "raw/"

class Input(BaseModel):
    params: Params
""",
    )
    assert run_ok(path, make_payload(params={"date": "2024-01-15"})).output == {"params": {"date": "2024-01-15", "prefix": "raw/"}}


def test_undeclared_fields_are_ignored_even_when_the_model_forbids_extras(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")
    wanted: int
""",
    )
    payload = make_payload(inputs={"wanted": 1, "other": {"x": 1}}, params={"p": 1}, item="i", item_index=0)
    assert run_ok(path, payload).output == {"wanted": 1}


def test_a_model_that_allows_extras_gets_every_field(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
class Input(BaseModel):
    model_config = ConfigDict(extra="allow")
""",
    )
    output = run_ok(path, make_payload(inputs={"a": 1, "b": [2]}, params={"p": 1})).output
    assert output == {"a": 1, "b": [2], "params": {"p": 1}}


def test_aliases(workflow, run_ok) -> None:
    path = echo(
        workflow,
        """
from pydantic import AliasChoices, AliasPath

class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")
    files: list[str] = Field(alias="discover")
    settings: dict = Field(validation_alias="params")
    first: int = Field(validation_alias=AliasChoices("nope", "count_items"))
    region: str = Field(validation_alias=AliasPath("locate", "region"))
""",
    )
    payload = make_payload(inputs={"discover": ["a"], "count_items": 3, "locate": {"region": "eu"}, "ignored": 0}, params={"k": "v"})
    assert run_ok(path, payload).output == {"files": ["a"], "settings": {"k": "v"}, "first": 3, "region": "eu"}


def test_dict_input_gets_every_field(workflow, run_ok) -> None:
    path = workflow("from ork import task\n\n@task\ndef main(input: dict):\n    return input\n")
    payload = make_payload(inputs={"up": {"n": 1}}, params={"p": 2}, item="x", item_index=0)
    assert run_ok(path, payload).output == {"up": {"n": 1}, "params": {"p": 2}, "item": "x"}


def test_no_item_field_without_foreach(workflow, run_ok) -> None:
    path = workflow("from ork import task\n\n@task\ndef main(input):\n    return sorted(input)\n")
    assert run_ok(path, make_payload(inputs={"up": 1})).output == ["params", "up"]


class DirectInput(BaseModel):
    up: list[int]
    item: int


def direct_task(input: DirectInput) -> None: ...


def test_assemble_input_directly(tmp_path) -> None:
    spec = inspect_task(direct_task)
    payload = Payload.parse(make_payload(inputs={"up": [1, 2], "other": 0}, item=5, item_index=0))
    value = assemble_input(spec, payload, References(DirectoryStore(tmp_path)))
    assert value == DirectInput(up=[1, 2], item=5)


# --- validation errors -----------------------------------------------------------------------------------

TYPED = """
from ork import task
from pydantic import BaseModel

class Part(BaseModel):
    rows: int

class Input(BaseModel):
    process: list[Part]
    item: str

class Output(BaseModel):
    total: int

@task
def main(input: Input) -> Output:
    return {result}
"""


def test_input_validation_error_names_field_and_received_value(workflow, run_task_file) -> None:
    path = workflow(TYPED.format(result="Output(total=1)"))
    payload = make_payload("aggregate", inputs={"process": [{"rows": 1}, {"rows": "many"}]}, item="a", item_index=2)
    error = run_task_file(path, payload).error
    assert isinstance(error, InputValidationError)
    assert type(error).__name__ == "Ork.InputValidationError" == error_name(error)
    assert error.retryable is False
    message = str(error)
    assert "input of task 'aggregate' (aggregate[item 2])" in message
    assert "field 'process.1.rows'" in message
    assert 'received "many"' in message
    failure = describe_failure(error)
    assert failure["type"] == "Ork.InputValidationError" and failure["retryable"] is False


def test_input_validation_error_for_a_missing_field(workflow, run_task_file) -> None:
    path = workflow(TYPED.format(result="Output(total=1)"))
    error = run_task_file(path, make_payload(inputs={"process": []})).error
    assert isinstance(error, InputValidationError)
    assert "field 'item'" in str(error) and "received nothing" in str(error)


def test_long_received_values_are_shortened(workflow, run_task_file) -> None:
    path = workflow(TYPED.format(result="Output(total=1)"))
    error = run_task_file(path, make_payload(inputs={"process": "x" * 500}, item="a", item_index=0)).error
    assert isinstance(error, InputValidationError)
    assert "field 'process'" in str(error) and "..." in str(error) and len(str(error)) < 400


@pytest.mark.parametrize(
    "result, words",
    [
        ("{'total': 'lots'}", ["field 'total'", 'received "lots"']),
        ("{}", ["field 'total'", "received nothing"]),
        ("[1, 2]", ["must return Output or a dict, got list"]),
        ("None", ["must return Output or a dict, got NoneType"]),
    ],
)
def test_output_validation_errors(workflow, run_task_file, result: str, words: list[str]) -> None:
    path = workflow(TYPED.format(result=result))
    error = run_task_file(path, make_payload("aggregate", inputs={"process": []}, item="a", item_index=0)).error
    assert isinstance(error, OutputValidationError), error
    assert error_name(error) == "Ork.OutputValidationError" and error.retryable is False
    for word in words:
        assert word in str(error)
    assert "output of task 'aggregate'" in str(error) or "task 'aggregate'" in str(error)


def test_output_that_is_not_json_data(workflow, run_task_file) -> None:
    path = workflow("from ork import task\n\n@task\ndef main():\n    return {'s': {1, 2}}\n")
    error = run_task_file(path).error
    assert isinstance(error, OutputValidationError)
    assert "is not JSON data" in str(error)


@pytest.mark.parametrize(
    "source",
    [
        "from ork import task\n\n@task\ndef main():\n    return {'mean': float('nan')}\n",
        "from ork import task\n\n@task\ndef main():\n    return [1.0, float('-inf')]\n",
        "from ork import task\nfrom pydantic import BaseModel\n\nclass Output(BaseModel):\n    mean: float\n\n"
        "@task\ndef main() -> Output:\n    return Output(mean=float('inf'))\n",
    ],
    ids=["dict", "list", "model"],
)
def test_non_finite_numbers_are_not_json_data(workflow, run_task_file, source: str) -> None:
    # pandas' missing values are NaN: Python would write them, and nothing downstream could read them.
    error = run_task_file(workflow(source)).error
    assert isinstance(error, OutputValidationError), error
    assert "is not JSON data" in str(error) and "Out of range float values" in str(error)


def test_another_model_returned_is_checked_against_output(workflow, run_ok) -> None:
    path = workflow(
        """
        from ork import task
        from pydantic import BaseModel

        class Other(BaseModel):
            total: int
            extra: str = "dropped"

        class Output(BaseModel):
            total: int

        @task
        def main() -> Output:
            return Other(total=4)
        """
    )
    assert run_ok(path).output == {"total": 4}


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"ork": 2, "workflow": "w", "task": "t"}, "payload version 2 is not supported"),
        ({"workflow": "w", "task": "t"}, "payload version None"),
        ({"ork": 1, "task": "t"}, "payload has no 'workflow'"),
        ({"ork": 1, "workflow": "w", "task": "t", "inputs": []}, "inputs must be an object"),
        ({"ork": 1, "workflow": "w", "task": "t", "attempt": "x"}, "wrong type"),
        (["not", "an", "object"], "must be a JSON object"),
    ],
)
def test_invalid_payloads(workflow, run_task_file, payload, words: str) -> None:
    path = workflow("from ork import task\n\n@task\ndef main():\n    return {}\n")
    error = run_task_file(path, payload).error
    assert error_name(error) == "Ork.InvalidPayload" and words in str(error)
