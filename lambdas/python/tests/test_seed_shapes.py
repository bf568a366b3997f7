"""Every task file of the user's guide (shared/seed/parallelization.md), run as written.

The task bodies are the seed's, character for character (a test checks that against the guide when it is
present). Only what the guide leaves out is supplied: its helper functions (``get_all_items``,
``process_items``, ``count_items_to_process``, ``transform``) come from a stand-in module that each file
imports in one added first line, and its cloud libraries (``google.cloud.storage``, ``pandas``) are fakes in
``sys.modules``. The runs are chained the way the compiled state machine chains them.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO_ROOT, make_payload

SEED_DOC = REPO_ROOT.parent / "shared" / "seed" / "parallelization.md"

STATIC_PROCESS = """from ork import task, Context
from pydantic import BaseModel

class Input(BaseModel):
    pass

class Output(BaseModel):
    processed: int

@task
def main(input: Input, ctx: Context) -> Output:
    # Divide work by index
    all_items = get_all_items()
    my_items = [
        item for i, item in enumerate(all_items)
        if i % ctx.parallel_count == ctx.parallel_index
    ]

    results = process_items(my_items)

    ctx.log.info(
        f"Instance {ctx.parallel_index}/{ctx.parallel_count} "
        f"processed {len(results)} items"
    )

    return Output(processed=len(results))
"""

COUNT_DISCOVER = """# tasks/discover.py
from ork import task
from pydantic import BaseModel

class Output(BaseModel):
    count: int

@task
def main() -> Output:
    count = count_items_to_process()
    return Output(count=count)
"""

FILES_DISCOVER = """# tasks/discover.py
from ork import task
from pydantic import BaseModel
from google.cloud import storage

class Output(BaseModel):
    files: list[str]

@task
def main() -> Output:
    client = storage.Client()
    blobs = client.list_blobs("my-bucket", prefix="raw/2024-01-15/")
    files = [f"gs://my-bucket/{b.name}" for b in blobs]
    return Output(files=files)
"""

FOREACH_PROCESS = """# tasks/process.py
from ork import task, Context
from pydantic import BaseModel
import pandas as pd

class Input(BaseModel):
    item: str  # Automatically populated with one file path

class Output(BaseModel):
    input_file: str
    output_file: str
    rows: int

@task
def main(input: Input, ctx: Context) -> Output:
    df = pd.read_parquet(input.item)
    df = transform(df)

    output_path = input.item.replace("/raw/", "/processed/")
    df.to_parquet(output_path)

    ctx.metrics.record("rows_processed", len(df))

    return Output(
        input_file=input.item,
        output_file=output_path,
        rows=len(df)
    )
"""

AGGREGATE = """# tasks/aggregate.py
from ork import task
from pydantic import BaseModel

class ProcessOutput(BaseModel):
    input_file: str
    output_file: str
    rows: int

class Input(BaseModel):
    process: list[ProcessOutput]  # All process outputs

class Output(BaseModel):
    total_rows: int
    files_processed: int

@task
def main(input: Input) -> Output:
    return Output(
        total_rows=sum(p.rows for p in input.process),
        files_processed=len(input.process)
    )
"""

SEED_BLOCKS = [STATIC_PROCESS, COUNT_DISCOVER, FILES_DISCOVER, FOREACH_PROCESS, AGGREGATE]

# "Combining Patterns" shows only YAML; these task files are written in the guide's style for it.
DISCOVER_REGIONS = """from ork import task
from pydantic import BaseModel

class Output(BaseModel):
    regions: list[str]

@task
def main() -> Output:
    return Output(regions=["eu-west-1", "us-east-1", "ap-south-1"])
"""

PROCESS_REGION = """from ork import task, Context
from pydantic import BaseModel

class Input(BaseModel):
    item: str

class Output(BaseModel):
    region: str
    worker: int
    rows: int

@task
def main(input: Input, ctx: Context) -> Output:
    rows = [i for i in range(20) if i % ctx.parallel_count == ctx.parallel_index]
    return Output(region=input.item, worker=ctx.parallel_index, rows=len(rows))
"""

AGGREGATE_REGIONS = """from ork import task
from pydantic import BaseModel

class RegionOutput(BaseModel):
    region: str
    worker: int
    rows: int

class Input(BaseModel):
    process_region: list[RegionOutput]

class Output(BaseModel):
    total_rows: int
    instances: int
    regions: list[str]

@task
def main(input: Input) -> Output:
    return Output(
        total_rows=sum(p.rows for p in input.process_region),
        instances=len(input.process_region),
        regions=sorted({p.region for p in input.process_region}),
    )
"""


# --- stand-ins for what the guide leaves out -------------------------------------------------------------


class FakeFrame:
    """Just enough of a pandas DataFrame for the guide's process task."""

    def __init__(self, rows: int, source: str, written: dict[str, int]) -> None:
        self.rows = rows
        self.source = source
        self._written = written

    def __len__(self) -> int:
        return self.rows

    def to_parquet(self, path: str) -> None:
        self._written[path] = self.rows


@pytest.fixture
def seed_libraries(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Fakes of google.cloud.storage and pandas, and the guide's helper functions, for one test."""
    state: dict[str, Any] = {"written": {}, "processed": []}
    rows_by_file = {"part-0.parquet": 120, "part-1.parquet": 45, "part-2.parquet": 7}

    class Blob:
        def __init__(self, name: str) -> None:
            self.name = name

    class Client:
        def list_blobs(self, bucket: str, prefix: str = "") -> list[Blob]:
            assert bucket == "my-bucket"
            return [Blob(prefix + name) for name in rows_by_file]

    storage = types.ModuleType("google.cloud.storage")
    storage.Client = Client  # type: ignore[attr-defined]
    cloud = types.ModuleType("google.cloud")
    cloud.storage = storage  # type: ignore[attr-defined]
    google = types.ModuleType("google")
    google.cloud = cloud  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.cloud", cloud)
    monkeypatch.setitem(sys.modules, "google.cloud.storage", storage)

    pandas = types.ModuleType("pandas")

    def read_parquet(path: str) -> FakeFrame:
        return FakeFrame(rows_by_file[path.rsplit("/", 1)[-1]], path, state["written"])

    pandas.read_parquet = read_parquet  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pandas", pandas)

    helpers = types.ModuleType("seed_helpers")

    def process_items(items: list[Any]) -> list[Any]:
        state["processed"].extend(items)
        return list(items)

    helpers.get_all_items = lambda: list(range(10))  # type: ignore[attr-defined]
    helpers.process_items = process_items  # type: ignore[attr-defined]
    helpers.count_items_to_process = lambda: 3  # type: ignore[attr-defined]
    helpers.transform = lambda df: df  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "seed_helpers", helpers)
    return state


def seed_file(workflow: Any, name: str, body: str, helpers: str = "") -> Path:
    """The guide's file, with one first line importing the helpers it calls but does not define."""
    prefix = f"from seed_helpers import {helpers}\n" if helpers else ""
    return workflow(prefix + body, name)


# --- the guide's code is what these tests run ----------------------------------------------------------


def test_copies_match_the_guide() -> None:
    if not SEED_DOC.is_file():
        pytest.skip(f"the user's guide is not at {SEED_DOC} (shared/ sits beside the repository)")
    blocks = re.findall(r"```py\n(.*?)```", SEED_DOC.read_text(), flags=re.S)
    assert blocks == SEED_BLOCKS


# --- static parallelization ----------------------------------------------------------------------------


def test_static_parallel_instances_split_the_items(workflow, run_ok, seed_libraries) -> None:
    path = seed_file(workflow, "tasks/process.py", STATIC_PROCESS, "get_all_items, process_items")
    outputs = []
    for index in range(4):
        result = run_ok(path, make_payload("process", parallel_index=index, parallel_count=4))
        outputs.append(result.output)
        [line] = result.logs.records
        assert line["message"] == f"Instance {index}/4 processed {result.output['processed']} items"
        assert line["level"] == "info" and line["task"] == "process" and line["instance"] == f"process[{index}]"
    assert outputs == [{"processed": 3}, {"processed": 3}, {"processed": 2}, {"processed": 2}]
    assert sorted(seed_libraries["processed"]) == list(range(10))


# --- dynamic by count ----------------------------------------------------------------------------------


def test_dynamic_count_discover_then_instances(workflow, run_ok, seed_libraries) -> None:
    discover = seed_file(workflow, "tasks/discover.py", COUNT_DISCOVER, "count_items_to_process")
    process = seed_file(workflow, "tasks/process.py", STATIC_PROCESS, "get_all_items, process_items")
    found = run_ok(discover, make_payload("discover")).output
    assert found == {"count": 3}
    results = [
        run_ok(process, make_payload("process", inputs={"discover": found}, parallel_index=i, parallel_count=found["count"])).output
        for i in range(found["count"])
    ]
    assert [r["processed"] for r in results] == [4, 3, 3]


# --- foreach, then aggregate -----------------------------------------------------------------------------


def test_foreach_discover_process_aggregate(workflow, run_ok, seed_libraries) -> None:
    discover = seed_file(workflow, "tasks/discover.py", FILES_DISCOVER)
    process = seed_file(workflow, "tasks/process.py", FOREACH_PROCESS, "transform")
    aggregate = seed_file(workflow, "tasks/aggregate.py", AGGREGATE)

    found = run_ok(discover, make_payload("discover")).output
    assert found == {"files": [f"gs://my-bucket/raw/2024-01-15/part-{i}.parquet" for i in range(3)]}

    outputs = []
    for index, item in enumerate(found["files"]):
        result = run_ok(process, make_payload("process", inputs={"discover": found}, item=item, item_index=index))
        outputs.append(result.output)
        [metric] = result.metrics.records
        assert metric["rows_processed"] == result.output["rows"]
        assert metric["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "rows_processed", "Unit": "Count"}]
    assert outputs[0] == {
        "input_file": "gs://my-bucket/raw/2024-01-15/part-0.parquet",
        "output_file": "gs://my-bucket/processed/2024-01-15/part-0.parquet",
        "rows": 120,
    }
    assert seed_libraries["written"] == {o["output_file"]: o["rows"] for o in outputs}

    total = run_ok(aggregate, make_payload("aggregate", inputs={"process": outputs})).output
    assert total == {"total_rows": 172, "files_processed": 3}


def test_foreach_over_an_empty_list_aggregates_nothing(workflow, run_ok) -> None:
    aggregate = workflow(AGGREGATE, "tasks/aggregate.py")
    assert run_ok(aggregate, make_payload("aggregate", inputs={"process": []})).output == {
        "total_rows": 0,
        "files_processed": 0,
    }


# --- combining patterns: foreach x parallel -------------------------------------------------------------


def test_foreach_times_parallel_then_aggregate(workflow, run_ok) -> None:
    discover = workflow(DISCOVER_REGIONS, "tasks/discover_regions.py")
    process = workflow(PROCESS_REGION, "tasks/process_region.py")
    aggregate = workflow(AGGREGATE_REGIONS, "tasks/aggregate.py")
    regions = run_ok(discover, make_payload("discover_regions")).output
    flattened = []  # item order, then parallel index: what the machine hands downstream
    for item_index, region in enumerate(regions["regions"]):
        for worker in range(4):
            payload = make_payload(
                "process_region",
                inputs={"discover_regions": regions},
                item=region,
                item_index=item_index,
                parallel_index=worker,
                parallel_count=4,
            )
            flattened.append(run_ok(process, payload).output)
    assert [(o["region"], o["worker"]) for o in flattened[:5]] == [("eu-west-1", 0), ("eu-west-1", 1), ("eu-west-1", 2), ("eu-west-1", 3), ("us-east-1", 0)]
    total = run_ok(aggregate, make_payload("aggregate", inputs={"process_region": flattened})).output
    assert total == {"total_rows": 60, "instances": 12, "regions": ["ap-south-1", "eu-west-1", "us-east-1"]}
