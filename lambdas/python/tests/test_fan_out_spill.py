"""The upstream side of large fan-outs (docs/scale.md): ``fan_out_fields`` spill a ``foreach:`` source list
to the payload store as ``{"ork_items": …}``, and ``output_spill_bytes`` lowers an instance's offload
threshold. Both stores: a directory (local runs) and S3 (moto)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import make_payload
from ork.contract import REF_KEY
from ork.errors import error_name
from ork.fan_out import items_key
from ork.payload_store import DirectoryStore, References, S3Store, is_reference

DISCOVER = """
from ork import task

@task
def main(input):
    n = input["params"].get("n", 0)
    return {
        "files": [f"f{i}.csv" for i in range(n)],
        "few": ["a", "b"],
        "empty": [],
        "name": "not a list",
        "nested": {"parts": list(range(n))},
    }
"""

CONSUMER = """
from ork import task

@task
def main(input):
    return {"files": input["discover"]["files"], "parts": input["discover"]["nested"]["parts"], "item": input.get("item")}
"""

KEY = "wf/run-1/discover/discover-attempt1.json"


def spill(*fields: tuple[list, int], **params: int) -> dict:
    return make_payload("discover", params=params, fan_out_fields=[{"path": path, "above": above} for path, above in fields])


def test_items_key_is_derived_from_the_output_key() -> None:
    assert items_key(KEY, ("files",)) == "wf/run-1/discover/discover-attempt1-items-files.json"
    assert items_key("wf/r/p/p_item_3_-attempt2.json", ("a", "b c")) == "wf/r/p/p_item_3_-attempt2-items-a.b_c.json"


def test_a_list_above_the_threshold_is_spilled_to_the_directory_store(workflow, run_ok, store_dir) -> None:
    path = workflow(DISCOVER, "tasks/discover.py")
    payload = spill((["files"], 3), (["few"], 3), (["nested", "parts"], 40), n=5)
    output = run_ok(path, payload, references=References(DirectoryStore(store_dir))).output
    # Locally the "bucket" is the store's directory and the key is relative to it.
    assert output["files"] == {"ork_items": {"bucket": str(store_dir.resolve()), "key": "wf/run-1/discover/discover-attempt1-items-files.json", "count": 5}}
    stored = store_dir / output["files"]["ork_items"]["key"]
    assert json.loads(stored.read_text()) == ["f0.csv", "f1.csv", "f2.csv", "f3.csv", "f4.csv"]
    # Not above their thresholds: the lists themselves.
    assert output["few"] == ["a", "b"]
    assert output["nested"] == {"parts": [0, 1, 2, 3, 4]}
    assert sorted(p.name for p in store_dir.rglob("*.json")) == ["discover-attempt1-items-files.json"]


def test_above_minus_one_spills_every_list_even_an_empty_one(workflow, run_ok, store_dir) -> None:
    path = workflow(DISCOVER, "tasks/discover.py")
    payload = spill((["empty"], -1), (["nested", "parts"], -1), (["name"], -1), (["missing"], -1), (["name", "deeper"], -1), n=2)
    output = run_ok(path, payload, references=References(DirectoryStore(store_dir))).output
    assert output["empty"]["ork_items"]["count"] == 0
    assert json.loads((store_dir / output["empty"]["ork_items"]["key"]).read_text()) == []
    assert output["nested"]["parts"]["ork_items"]["count"] == 2
    assert output["nested"]["parts"]["ork_items"]["key"].endswith("-attempt1-items-nested.parts.json")
    # Not lists, or absent: left alone, for the machine's guards to report.
    assert output["name"] == "not a list"
    assert "missing" not in output
    assert output["files"] == ["f0.csv", "f1.csv"]


def test_the_task_s_own_objects_are_not_changed(workflow, run_ok, store_dir) -> None:
    path = workflow(
        """
        from ork import task

        KEPT = {"files": [1, 2, 3]}

        @task
        def main():
            return KEPT
        """,
        "tasks/discover.py",
    )
    output = run_ok(path, spill((["files"], 0)), references=References(DirectoryStore(store_dir))).output
    assert "ork_items" in output["files"]
    module = next(m for name, m in sys.modules.items() if getattr(m, "__file__", None) == str(path))
    assert module.KEPT == {"files": [1, 2, 3]}


def test_spilled_items_resolve_downstream_and_the_whole_output_is_still_offloaded(workflow, run_ok, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "300")
    references = References(DirectoryStore(store_dir))
    discover = workflow(DISCOVER, "tasks/discover.py")
    # The nested list is not spilled and makes the output large: spilling comes first, then the offload.
    output = run_ok(discover, spill((["files"], 10), n=100), references=references).output
    assert is_reference(output)
    stored = json.loads(Path(output[REF_KEY].removeprefix("file://")).read_text())
    assert stored["files"]["ork_items"]["count"] == 100
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    result = references.resolve(run_ok(consumer, make_payload("consumer", inputs={"discover": output}), references=references).output)
    assert result["files"] == [f"f{i}.csv" for i in range(100)] and result["parts"] == list(range(100))


def test_a_short_list_is_stored_when_the_output_would_otherwise_travel_whole(workflow, run_ok, store_dir, monkeypatch) -> None:
    # 5 files, fewer than `above`, but the output is over the threshold: stored whole, the machine could
    # not see the list; stored on its own, the list's reference stays in the state beside the small rest.
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "200")
    references = References(DirectoryStore(store_dir))
    discover = workflow(BIG_FILES, "tasks/discover.py")
    output = run_ok(discover, spill((["files"], 40)), references=references).output
    assert not is_reference(output)
    assert output["files"]["ork_items"]["count"] == 5
    assert output["name"] == "small"
    # Below the threshold the same short list stays in the state.
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", str(64 * 1024))
    assert len(run_ok(discover, spill((["files"], 40)), references=references).output["files"]) == 5


BIG_FILES = """
from ork import task

@task
def main():
    return {"files": ["x" * 100 + str(i) for i in range(5)], "name": "small"}
"""


def test_an_items_reference_as_the_item_itself_resolves_too(workflow, run_ok, store_dir) -> None:
    references = References(DirectoryStore(store_dir))
    reference = references.store_items([{"a": 1}], "x/items.json")
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    payload = make_payload("consumer", inputs={"discover": {"files": reference, "nested": {"parts": []}}}, item=reference, item_index=0)
    assert run_ok(consumer, payload, references=references).output == {"files": [{"a": 1}], "parts": [], "item": [{"a": 1}]}


@pytest.mark.parametrize(
    "fields",
    [{"path": ["files"]}, {"path": "files", "above": 1}, {"path": [], "above": 1}, "files", {"path": ["f"], "above": True}],
)
def test_malformed_fan_out_fields_are_an_invalid_payload(workflow, run_task_file, fields) -> None:
    path = workflow(DISCOVER, "tasks/discover.py")
    error = run_task_file(path, make_payload("discover", fan_out_fields=[fields])).error
    assert error_name(error) == "Ork.InvalidPayload" and "fan_out_fields" in str(error)


def test_unknown_payload_fields_are_still_tolerated(workflow, run_ok) -> None:
    path = workflow(DISCOVER, "tasks/discover.py")
    assert run_ok(path, make_payload("discover", some_future_field={"x": 1}, fan_out_fields=None)).output["name"] == "not a list"


# --- output_spill_bytes --------------------------------------------------------------------------------


def test_output_spill_bytes_lowers_the_threshold_never_raises_it(workflow, run_ok, store_dir, monkeypatch) -> None:
    monkeypatch.delenv("ORK_LARGE_OUTPUT_BYTES", raising=False)
    references = References(DirectoryStore(store_dir))
    path = workflow(DISCOVER, "tasks/discover.py")  # about 250 bytes with n=10
    assert not is_reference(run_ok(path, make_payload("discover", params={"n": 10}), references=references).output)
    spilled = run_ok(path, make_payload("discover", params={"n": 10}, output_spill_bytes=100), references=references).output
    assert is_reference(spilled) and spilled["bytes"] > 100
    kept = run_ok(path, make_payload("discover", params={"n": 10}, output_spill_bytes=100_000), references=references).output
    assert not is_reference(kept)
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "100")
    again = run_ok(path, make_payload("discover", params={"n": 10}, output_spill_bytes=100_000), references=references).output
    assert is_reference(again)


def test_a_bad_output_spill_bytes_is_an_invalid_payload(workflow, run_task_file) -> None:
    error = run_task_file(workflow(DISCOVER, "tasks/discover.py"), make_payload("discover", output_spill_bytes="lots")).error
    assert error_name(error) == "Ork.InvalidPayload"


# --- S3, through moto ------------------------------------------------------------------------------------


def test_spill_to_s3_names_the_bucket_and_the_full_key(workflow, run_ok, run_task_file, bucket) -> None:
    references = References(S3Store("ork-payloads", "runs", client=bucket))
    discover = workflow(DISCOVER, "tasks/discover.py")
    output = run_ok(discover, spill((["files"], 40), n=41), references=references).output
    assert output["files"] == {"ork_items": {"bucket": "ork-payloads", "key": "runs/wf/run-1/discover/discover-attempt1-items-files.json", "count": 41}}
    body = bucket.get_object(Bucket="ork-payloads", Key=output["files"]["ork_items"]["key"])["Body"].read()
    assert json.loads(body) == [f"f{i}.csv" for i in range(41)]
    # Read back by a runner of the same store; one whose store is a directory refuses it (not its store).
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    result = run_ok(consumer, make_payload("consumer", inputs={"discover": output}), references=references).output
    assert result["files"] == [f"f{i}.csv" for i in range(41)]
    refused = run_task_file(consumer, make_payload("consumer", inputs={"discover": output}), references=References(DirectoryStore("/unused"))).error
    assert error_name(refused) == "Ork.ForeignReference" and "ork-payloads/runs/wf/run-1/discover/" in str(refused)


def test_spill_failure_is_a_payload_store_error(workflow, run_task_file, bucket) -> None:
    references = References(S3Store("no-such-bucket", client=bucket))
    error = run_task_file(workflow(DISCOVER, "tasks/discover.py"), spill((["files"], 0), n=3), references=references).error
    assert error_name(error) == "Ork.PayloadStoreError" and "list of 3 items" in str(error)
    assert error.__cause__ is not None
