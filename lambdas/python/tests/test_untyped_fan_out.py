"""Issue 13, "Untyped tasks are quadratic": each instance of a foreach is handed its upstream's output, whose
list is a reference to the payload store (``ork_items``). A task without an Input model (``def main(input)``)
used to resolve every field, so every instance read the whole stored list: n reads of n items. Now a stored
field is read when the task reads it (lazy_input.py), and what is read is kept per process and execution
(read_cache.py): the reads do not grow with n, whatever the signature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import make_payload
from ork.lazy_input import LazyInput
from ork.payload_store import DirectoryStore, References

ITEMS_KEY = "wf/run-1/discover/discover-attempt1-items-files.json"

# Reads only its item: the stored list must not be read at all.
ITEM_ONLY = """
from ork import task

@task
def main(input):
    return {"item": input["item"], "fields": sorted(input)}
"""

# Reads the upstream output too: the list is read once per process, not once per instance.
READS_UPSTREAM = """
from ork import task, Context

@task
def main(input: dict, ctx: Context):
    files = input["discover"]["files"]
    return {"item": input["item"], "count": len(files), "mine": files[ctx.item_index], "note": input["discover"]["note"]}
"""

TYPED_UPSTREAM = """
from ork import task
from pydantic import BaseModel

class Input(BaseModel):
    item: str
    discover: dict

@task
def main(input: Input):
    return {"item": input.item, "count": len(input.discover["files"])}
"""


def stored_list(store_dir: Path, n: int) -> dict[str, Any]:
    """The upstream output as an instance's payload holds it: the list spilled to the store."""
    path = store_dir / ITEMS_KEY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([f"f{i}.csv" for i in range(n)]))
    return {"files": {"ork_items": {"bucket": str(store_dir), "key": ITEMS_KEY, "count": n}}, "note": "small"}


def counting(references: References) -> list[str]:
    """Counts the store reads of ``references`` (machine-written locations and ``$ork_ref`` URLs)."""
    reads: list[str] = []
    for name in ("_read_json", "_load"):
        original = getattr(references, name)

        def spy(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            reads.append(_name)
            return _original(*args, **kwargs)

        setattr(references, name, spy)
    return reads


def run_instances(run_ok, task_file: Path, upstream: dict[str, Any], n: int, references: References, execution: str = "run-1") -> list[Any]:
    """Every instance of the foreach on one worker (one References, as ``python -m ork.worker`` has)."""
    outputs = []
    for index in range(n):
        payload = make_payload(
            "process",
            inputs={"discover": upstream},
            item=f"f{index}.csv",
            item_index=index,
            execution_id=f"arn:aws:states:us-east-1:123456789012:execution:wf:{execution}",
        )
        outputs.append(run_ok(task_file, payload, references=references).output)
    return outputs


@pytest.mark.parametrize("n", [10, 1000])
def test_an_untyped_task_that_reads_its_item_never_reads_the_stored_list(workflow, run_ok, store_dir, n) -> None:
    task_file = workflow(ITEM_ONLY)
    references = References(DirectoryStore(store_dir))
    reads = counting(references)
    outputs = run_instances(run_ok, task_file, stored_list(store_dir, n), n, references)
    assert reads == []
    # Every field is there all the same (iterating over the names reads nothing).
    assert outputs[n - 1] == {"item": f"f{n - 1}.csv", "fields": ["discover", "item", "params"]}


@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize("source", [READS_UPSTREAM, TYPED_UPSTREAM], ids=["dict", "typed"])
def test_the_stored_list_is_read_once_per_process_whatever_n(workflow, run_ok, store_dir, n, source) -> None:
    task_file = workflow(source)
    references = References(DirectoryStore(store_dir))
    reads = counting(references)
    outputs = run_instances(run_ok, task_file, stored_list(store_dir, n), n, references)
    assert reads == ["_read_json"]
    assert [o["count"] for o in outputs] == [n] * n
    if source is READS_UPSTREAM:
        assert [o["mine"] for o in outputs] == [f"f{i}.csv" for i in range(n)]
        assert outputs[0]["note"] == "small"


def test_each_execution_reads_for_itself(workflow, run_ok, store_dir) -> None:
    # The cache answers a reference only with what was read (and checked) for the same execution.
    task_file = workflow(READS_UPSTREAM)
    references = References(DirectoryStore(store_dir))
    reads = counting(references)
    upstream = stored_list(store_dir, 5)
    run_instances(run_ok, task_file, upstream, 5, references, execution="run-1")
    run_instances(run_ok, task_file, upstream, 5, references, execution="run-2")
    assert reads == ["_read_json", "_read_json"]


def test_an_instance_that_changes_its_input_does_not_change_the_next_ones(workflow, run_ok, store_dir) -> None:
    task_file = workflow(
        """
        from ork import task

        @task
        def main(input):
            files = input["discover"]["files"]
            seen = list(files)
            files.clear()
            input["discover"]["note"] = "changed"
            return {"seen": len(seen), "note_was": "ok"}
        """
    )
    references = References(DirectoryStore(store_dir))
    outputs = run_instances(run_ok, task_file, stored_list(store_dir, 20), 3, references)
    assert [o["seen"] for o in outputs] == [20, 20, 20]


def test_the_dict_is_whole_when_the_task_looks_at_all_of_it(workflow, run_ok, store_dir) -> None:
    task_file = workflow(
        """
        import copy, json
        from ork import task

        @task
        def main(input):
            return {
                "json": json.loads(json.dumps(input)),
                "copy": dict(input),
                "deep": copy.deepcopy(input),
                "is_dict": isinstance(input, dict),
                "has": "discover" in input,
                "n": len(input),
            }
        """
    )
    references = References(DirectoryStore(store_dir))
    [output] = run_instances(run_ok, task_file, stored_list(store_dir, 3), 1, references)
    whole = {"discover": {"files": ["f0.csv", "f1.csv", "f2.csv"], "note": "small"}, "item": "f0.csv", "params": {}}
    assert output == {"json": whole, "copy": whole, "deep": whole, "is_dict": True, "has": True, "n": 3}


def test_lazy_input_reads_a_field_on_first_use_only() -> None:
    calls: list[str] = []

    def resolve(name: str, value: Any) -> Any:
        calls.append(name)
        return {"resolved": value}

    lazy = LazyInput({"item": 1}, {"up": "ref"}, resolve)
    assert lazy["item"] == 1 and "up" in lazy and len(lazy) == 2 and lazy.get("item") == 1
    assert calls == []
    assert lazy["up"] == {"resolved": "ref"} and lazy.get("up") == {"resolved": "ref"}
    assert calls == ["up"]
    replaced = LazyInput({}, {"up": "ref"}, resolve)
    replaced["up"] = 2
    assert dict(replaced) == {"up": 2} and calls == ["up"]
