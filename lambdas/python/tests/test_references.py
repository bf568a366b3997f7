"""Large outputs travel as references: written to the payload store by the task that made them, read back
as input downstream. Both stores: a directory (local runs) and S3 (moto)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import make_payload
from ork import ForeignReferenceError, PayloadStoreError
from ork.contract import REF_KEY
from ork.errors import error_name
from ork.payload_store import (
    DEFAULT_THRESHOLD,
    DirectoryStore,
    References,
    S3Store,
    Scope,
    is_reference,
    large_output_threshold,
    store_from_environment,
)

BIG = """
from ork import task, Context
from pydantic import BaseModel

class Output(BaseModel):
    index: int
    blob: str

@task
def main(ctx: Context) -> Output:
    size = 10 if ctx.parallel_index % 2 else 5000
    return Output(index=ctx.parallel_index, blob="é" * size)
"""

CONSUMER = """
from ork import task
from pydantic import BaseModel

class Big(BaseModel):
    index: int
    blob: str

class Input(BaseModel):
    big: list[Big]
    item: Big | None = None

@task
def main(input: Input):
    return {
        "indexes": [b.index for b in input.big],
        "sizes": [len(b.blob) for b in input.big],
        "item": None if input.item is None else len(input.item.blob),
    }
"""


@pytest.fixture
def small_threshold(monkeypatch) -> int:
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "1000")
    return 1000


def fan_out(run_ok, path: Path, references: References, count: int = 4) -> list:
    return [run_ok(path, make_payload("big", parallel_index=i, parallel_count=count), references=references).output for i in range(count)]


def check_round_trip(workflow, run_ok, references: References, scheme: str) -> list:
    producer = workflow(BIG, "tasks/big.py")
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    outputs = fan_out(run_ok, producer, references)
    # Even instances made 5,000 two-byte characters: over the threshold, so references; odd ones stay inline.
    assert [is_reference(o) for o in outputs] == [True, False, True, False]
    for output in outputs[::2]:
        assert output[REF_KEY].startswith(f"{scheme}://")
        assert output["bytes"] > 10_000
    assert outputs[1] == {"index": 1, "blob": "é" * 10}
    assert outputs[0][REF_KEY] != outputs[2][REF_KEY]
    payload = make_payload("consumer", inputs={"big": outputs}, item=outputs[0], item_index=0)
    result = run_ok(consumer, payload, references=references).output
    assert result == {"indexes": [0, 1, 2, 3], "sizes": [5000, 10, 5000, 10], "item": 5000}
    return outputs


def test_directory_store_round_trip(workflow, run_ok, store_dir, small_threshold) -> None:
    outputs = check_round_trip(workflow, run_ok, References(DirectoryStore(store_dir)), "file")
    stored = sorted(p.relative_to(store_dir).as_posix() for p in store_dir.rglob("*.json"))
    assert stored == ["wf/run-1/big/big_0_-attempt1.json", "wf/run-1/big/big_2_-attempt1.json"]
    assert json.loads((store_dir / stored[0]).read_text()) == {"index": 0, "blob": "é" * 5000}
    assert not list(store_dir.rglob("*.tmp"))
    assert outputs[0]["bytes"] == len((store_dir / stored[0]).read_bytes())


def test_output_under_the_threshold_stays_inline(workflow, run_ok, store_dir, monkeypatch) -> None:
    monkeypatch.delenv("ORK_LARGE_OUTPUT_BYTES", raising=False)
    assert large_output_threshold() == DEFAULT_THRESHOLD == 64 * 1024
    outputs = fan_out(run_ok, workflow(BIG, "tasks/big.py"), References(DirectoryStore(store_dir)), count=2)
    assert not any(is_reference(o) for o in outputs)
    assert not list(store_dir.rglob("*.json"))


def test_threshold_is_read_at_each_invocation(store_dir, monkeypatch) -> None:
    references = References(DirectoryStore(store_dir))
    value = {"blob": "x" * 100}
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "1000")
    assert references.offload(value, "a.json") == value
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "50")
    assert is_reference(references.offload(value, "a.json"))
    assert References(DirectoryStore(store_dir), threshold=10_000).offload(value, "b.json") == value


def test_bad_threshold(monkeypatch) -> None:
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "64k")
    with pytest.raises(PayloadStoreError, match="ORK_LARGE_OUTPUT_BYTES must be a number of bytes, got '64k'"):
        large_output_threshold()


def test_references_nested_anywhere_resolve(store_dir) -> None:
    references = References(DirectoryStore(store_dir), threshold=0)
    ref_a = references.offload({"a": 1}, "x/a.json")
    ref_b = references.offload([1, 2, 3], "x/b.json")
    nested = {"list": [ref_a, {"deeper": ref_b}], "plain": {"$ork_ref": 5}}
    assert references.resolve(nested) == {"list": [{"a": 1}, {"deeper": [1, 2, 3]}], "plain": {"$ork_ref": 5}}


def test_unreadable_references_fail_with_the_url(store_dir) -> None:
    references = References(DirectoryStore(store_dir))
    missing = (store_dir / "gone.json").as_uri()
    with pytest.raises(PayloadStoreError) as raised:
        references.resolve({REF_KEY: missing})
    assert missing in str(raised.value) and error_name(raised.value) == "Ork.PayloadStoreError"
    assert raised.value.retryable is True
    # A scheme no store writes is not this store's: refused, not retried.
    with pytest.raises(ForeignReferenceError, match="payload reference ftp://x/y is outside"):
        references.resolve({REF_KEY: "ftp://x/y"})


def test_odd_execution_ids_make_safe_keys(workflow, run_ok, store_dir, small_threshold) -> None:
    producer = workflow(BIG, "tasks/big.py")
    payload = make_payload("big", execution_id="run id/with:odd*chars", item="x", item_index=3)
    output = run_ok(producer, payload, references=References(DirectoryStore(store_dir))).output
    [path] = store_dir.rglob("*.json")
    assert path.relative_to(store_dir).as_posix() == "wf/odd_chars/big/big_item_3_-attempt1.json"
    scope = Scope("wf", "run id/with:odd*chars")
    assert scope.prefix == "wf/odd_chars/"
    assert References(DirectoryStore(store_dir)).resolve(output, scope)["index"] == 0


# --- S3, through moto ---------------------------------------------------------------------------------


def test_s3_store_round_trip(workflow, run_ok, bucket, small_threshold) -> None:
    store = S3Store("ork-payloads", "/runs/", client=bucket)
    outputs = check_round_trip(workflow, run_ok, References(store), "s3")
    assert outputs[0][REF_KEY] == "s3://ork-payloads/runs/wf/run-1/big/big_0_-attempt1.json"
    keys = sorted(o["Key"] for o in bucket.list_objects_v2(Bucket="ork-payloads")["Contents"])
    assert keys == ["runs/wf/run-1/big/big_0_-attempt1.json", "runs/wf/run-1/big/big_2_-attempt1.json"]
    body = bucket.get_object(Bucket="ork-payloads", Key=keys[0])
    assert body["ContentType"] == "application/json"
    assert json.loads(body["Body"].read()) == {"index": 0, "blob": "é" * 5000}


def test_s3_store_from_the_environment(workflow, run_ok, bucket, small_threshold, monkeypatch) -> None:
    monkeypatch.setenv("ORK_PAYLOAD_BUCKET", "ork-payloads")
    monkeypatch.setenv("ORK_PAYLOAD_PREFIX", "env-prefix")
    store = store_from_environment()
    assert isinstance(store, S3Store) and store.prefix == "env-prefix/"
    outputs = check_round_trip(workflow, run_ok, References(store), "s3")
    assert outputs[0][REF_KEY].startswith("s3://ork-payloads/env-prefix/")


def test_s3_references_resolve_only_from_their_store(bucket, store_dir) -> None:
    # A runner reads what its own store wrote; one configured with another store (a directory) refuses it.
    written = References(S3Store("ork-payloads", client=bucket), threshold=0).offload({"k": "v"}, "k.json")
    assert written[REF_KEY] == "s3://ork-payloads/k.json"
    assert References(S3Store("ork-payloads", client=bucket)).resolve([written]) == [{"k": "v"}]
    with pytest.raises(ForeignReferenceError, match="s3://ork-payloads/k.json"):
        References(DirectoryStore(store_dir)).resolve([written])


def test_s3_missing_object(bucket) -> None:
    with pytest.raises(PayloadStoreError, match="s3://ork-payloads/nothing.json"):
        References(S3Store("ork-payloads", client=bucket)).resolve({REF_KEY: "s3://ork-payloads/nothing.json"})


def test_s3_put_failure_is_a_payload_store_error(bucket) -> None:
    references = References(S3Store("no-such-bucket", client=bucket), threshold=0)
    with pytest.raises(PayloadStoreError, match="could not store a 9-byte output at k.json"):
        references.offload({"k": "v"}, "k.json")


def test_directory_store_from_the_environment(monkeypatch, store_dir) -> None:
    monkeypatch.delenv("ORK_PAYLOAD_BUCKET", raising=False)
    monkeypatch.setenv("ORK_PAYLOAD_DIR", str(store_dir))
    store = store_from_environment()
    assert isinstance(store, DirectoryStore) and store.root == store_dir.resolve()


# --- Which references are honoured: the cases both SDKs share -----------------------------------------

CASES = json.loads((Path(__file__).resolve().parents[2] / "contract" / "cases" / "references.json").read_text())
SCOPE = Scope(CASES["workflow"], CASES["execution_id"])


def _fill(value: Any, places: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in places.items():
            value = value.replace(name, replacement)
        return value
    if isinstance(value, list):
        return [_fill(v, places) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, places) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_reference_scope(case, tmp_path, request) -> None:
    places = {"{root}": str(tmp_path / "payloads"), "{outside}": str(tmp_path / "outside"), "{earlier}": str(tmp_path / "earlier")}
    for folder in places.values():
        Path(folder).mkdir()
    contents = {where: CASES["secret"] if content == "{secret}" else _fill(content, places) for where, content in case.get("files", {}).items()}
    if case["store"] == "directory":
        for where, content in contents.items():
            path = Path(_fill(where, places))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(content))
        for link, target in case.get("links", {}).items():
            Path(_fill(link, places)).parent.mkdir(parents=True, exist_ok=True)
            Path(_fill(link, places)).symlink_to(_fill(target, places))
        references = References(DirectoryStore(places["{root}"], read_roots=[places["{earlier}"]]))
    else:
        client = request.getfixturevalue("bucket")
        for where, content in contents.items():
            bucket, key = where.split("/", 1)
            client.put_object(Bucket=bucket, Key=key, Body=json.dumps(content).encode())
        references = References(S3Store("ork-payloads", "runs/", client=client))
    value = _fill(case["value"], places)
    if case["expect"] == "Ork.ForeignReference":
        with pytest.raises(ForeignReferenceError) as raised:
            references.resolve(value, SCOPE)
        assert error_name(raised.value) == "Ork.ForeignReference" and raised.value.retryable is False
        assert _fill(case["names"], places) in str(raised.value)
        assert "TOP-SECRET" not in str(raised.value)
    else:
        assert references.resolve(value, SCOPE) == case["expect"]


def test_the_scope_prefix_is_how_output_keys_begin() -> None:
    # The keys the runtime writes and the prefix it honours are made by the same function.
    from ork.payload import Payload
    from ork.runtime import output_key

    for execution_id in ("arn:aws:states:us-east-1:1:execution:wf:run-1", "", "run id/with:odd*chars"):
        payload = Payload.parse(make_payload("t", execution_id=execution_id))
        assert output_key(payload).startswith(Scope("wf", execution_id).prefix)


def test_read_roots_come_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("ORK_PAYLOAD_BUCKET", raising=False)
    monkeypatch.setenv("ORK_PAYLOAD_DIR", str(tmp_path / "run-2"))
    monkeypatch.setenv("ORK_PAYLOAD_READ_DIRS", os.pathsep.join([str(tmp_path / "run-1"), str(tmp_path / "run-0")]))
    store = store_from_environment()
    assert isinstance(store, DirectoryStore)
    assert store.read_roots == ((tmp_path / "run-2").resolve(), (tmp_path / "run-1").resolve(), (tmp_path / "run-0").resolve())
    monkeypatch.setenv("ORK_PAYLOAD_READ_DIRS", "")
    store = store_from_environment()
    assert isinstance(store, DirectoryStore)
    assert store.read_roots == ((tmp_path / "run-2").resolve(),)


# --- Forged references reaching a task --------------------------------------------------------------------

ECHO_ITEM = """
from ork import task

@task
def main(input):
    return {"got": input["item"]}
"""

PASS_ON = """
from ork import task

@task
def main(input):
    return {"files": input["params"]["files"]}
"""


def test_a_forged_item_fails_the_instance_with_foreign_reference(workflow, run_task_file, tmp_path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": "TOP-SECRET"}')
    payload = make_payload("each", params={"x": 1}, item={REF_KEY: secret.as_uri(), "bytes": 10}, item_index=0)
    run = run_task_file(workflow(ECHO_ITEM, "tasks/each.py"), payload)
    assert run.output is None and error_name(run.error) == "Ork.ForeignReference"
    assert run.error.retryable is False and secret.as_uri() in str(run.error) and "TOP-SECRET" not in str(run.error)


def test_a_foreach_source_holding_a_foreign_ork_items_is_refused(workflow, run_task_file, store_dir, tmp_path) -> None:
    # The machine would take the Distributed Map and its ItemReader would read the file as the list.
    (tmp_path / "secret.json").write_text('["TOP-SECRET"]')
    task = workflow(PASS_ON, "tasks/list.py")
    fields = [{"path": ["files"], "above": 40}]
    forged = {"ork_items": {"bucket": str(tmp_path), "key": "secret.json", "count": 1}}
    run = run_task_file(task, make_payload("list", params={"files": forged}, fan_out_fields=fields))
    assert error_name(run.error) == "Ork.ForeignReference" and f"{tmp_path}/secret.json" in str(run.error)
    # An ork_items of this run's store is passed on as it is.
    own = References(DirectoryStore(store_dir)).store_items(["a"], "wf/run-1/up/up-attempt1-items-files.json")
    assert run_task_file(task, make_payload("list", params={"files": own}, fan_out_fields=fields)).output == {"files": own}


def test_the_container_reads_its_payload_url_without_resolving_what_it_holds(store_dir, tmp_path, monkeypatch) -> None:
    from ork.container import read_payload

    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": "TOP-SECRET"}')
    forged = {REF_KEY: secret.as_uri(), "bytes": 10}
    references = References(DirectoryStore(store_dir), threshold=0)
    url = references.offload(make_payload("c", params={"forged": forged}), "wf/run-1/c/payload.json")[REF_KEY]
    monkeypatch.setenv("ORK_PAYLOAD_URL", url)
    assert read_payload(references)["params"] == {"forged": forged}
