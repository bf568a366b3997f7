"""``condition_fields``: a stored output keeps, beside its reference, the fields a downstream ``when:``
reads (docs/payload.md, References), and a reference holding them still reads as what it points to. The
shared cases (lambdas/contract/cases/kept-fields.json) are run by the Node SDK too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import make_payload
from ork.contract import ITEMS_KEY, REF_KEY
from ork.fan_out import spill_fan_out_fields
from ork.payload import FanOutField
from ork.payload_store import DirectoryStore, References, is_reference
from ork.read_cache import contains_reference

CASES = json.loads((Path(__file__).resolve().parents[2] / "contract" / "cases" / "kept-fields.json").read_text(encoding="utf-8"))
KEY = "wf/run-1/up/up-attempt1.json"


def _handed_on(case: dict[str, Any], references: References) -> Any:
    """What the runtime's last steps make of the case's output (runtime.run_task)."""
    fields = tuple(FanOutField(tuple(f["path"]), f["above"]) for f in case.get("fan_out_fields", []))
    paths = tuple(tuple(path) for path in case["condition_fields"])
    items_paths = tuple(tuple(f["path"]) for f in case.get("fan_out_fields", []) if all(isinstance(step, str) for step in f["path"]))
    output = spill_fan_out_fields(case["output"], fields, references, KEY, CASES["threshold"])
    return references.offload(output, KEY, CASES["threshold"], paths, items_paths)


def _placeholders(expected: Any, actual: Any, size: int | None) -> Any:
    """``expected`` with '{size}' and '{items}' replaced by what they stand for in ``actual``."""
    if expected == "{size}":
        return size
    if expected == "{items}":
        assert isinstance(actual, dict) and set(actual) == {ITEMS_KEY}
        return actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _placeholders(v, actual.get(k), size) for k, v in expected.items()}
    return expected


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda case: case["name"])
def test_kept_fields_case(case: dict[str, Any], store_dir: Path) -> None:
    references = References(DirectoryStore(store_dir))
    handed_on = _handed_on(case, references)
    if case["stored"]:
        assert is_reference(handed_on)
        size = len((store_dir / KEY).read_bytes())
        assert {k: v for k, v in handed_on.items() if k != REF_KEY} == _placeholders(case["expect"], handed_on, size)
    elif case["expect"] == "unchanged":
        assert handed_on == case["output"]
    else:
        assert not is_reference(handed_on) and handed_on == _placeholders(case["expect"], handed_on, None)
    # The kept fields are ignored when the reference is read: it stands for the whole output.
    assert references.resolve(handed_on) == case["output"]


PRODUCER = """
from ork import task

@task
def main(input):
    return {"count": len(input["params"]["rows"]), "meta": {"mode": input["params"]["mode"]}, "rows": input["params"]["rows"]}
"""

TYPED_CONSUMER = """
from ork import task
from pydantic import BaseModel

class Up(BaseModel):
    count: int
    rows: list[str]

class Input(BaseModel):
    up: Up

@task
def main(input: Input):
    return {"count": input.up.count, "rows": len(input.up.rows)}
"""

UNTYPED_CONSUMER = """
from ork import task

@task
def main(input):
    return {"count": input["up"]["count"], "rows": len(input["up"]["rows"])}
"""


def test_a_task_whose_payload_names_condition_fields_keeps_them_when_its_output_is_stored(workflow, run_ok, monkeypatch) -> None:
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "200")
    path = workflow(PRODUCER, "tasks/up.py")
    rows = [f"row-{i:04d}" for i in range(50)]
    payload = make_payload("up", params={"rows": rows, "mode": "full"}, condition_fields=[["count"], ["meta", "mode"], ["rows"]])
    output = run_ok(path, payload).output
    assert is_reference(output)
    assert {k: v for k, v in output.items() if k not in (REF_KEY, "bytes")} == {"count": 50, "meta": {"mode": "full"}}
    # Without condition_fields the reference is the same as ever.
    plain = run_ok(path, make_payload("up", params={"rows": rows, "mode": "full"})).output
    assert set(plain) == {REF_KEY, "bytes"}


@pytest.mark.parametrize("consumer", [TYPED_CONSUMER, UNTYPED_CONSUMER], ids=["typed", "untyped"])
def test_a_reference_with_kept_fields_reaches_the_task_downstream_as_the_whole_output(consumer, workflow, run_ok, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "200")
    rows = [f"row-{i:04d}" for i in range(50)]
    up = run_ok(workflow(PRODUCER, "tasks/up.py"), make_payload("up", params={"rows": rows, "mode": "full"}, condition_fields=[["count"]])).output
    assert len(up) == 3 and contains_reference({"up": up})
    result = run_ok(workflow(consumer, "tasks/consumer.py"), make_payload("consumer", inputs={"up": up})).output
    assert result == {"count": 50, "rows": 50}


DISCOVER = """
from ork import task

@task
def main(input):
    n = input["params"]["n"]
    return {"files": [f"f{i:04d}.csv" for i in range(n)], "count": n, "notes": "x" * 500}
"""


def test_a_fan_out_source_whose_rest_is_still_large_keeps_its_stored_list_and_condition_fields(workflow, run_ok, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "300")
    references = References(DirectoryStore(store_dir))
    payload = make_payload("discover", params={"n": 100}, fan_out_fields=[{"path": ["files"], "above": 1000}], condition_fields=[["count"]])
    output = run_ok(workflow(DISCOVER, "tasks/discover.py"), payload, references=references).output
    # The machine's Map reads the list from files.ork_items, the condition reads count: both beside the reference.
    assert is_reference(output) and output["count"] == 100
    assert set(output["files"]) == {ITEMS_KEY} and output["files"][ITEMS_KEY]["count"] == 100
    whole = references.resolve(output)
    assert (len(whole["files"]), whole["files"][99], whole["count"]) == (100, "f0099.csv", 100)
