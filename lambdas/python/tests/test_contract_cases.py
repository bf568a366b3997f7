"""The runtime contract's shared cases (lambdas/contract/cases), which the Node SDK runs too
(test/contract/contract-cases.test.ts): payloads and what the parser makes of them, instance labels and
tolerated failures. A case that passes here and fails there, or the other way round, is a drift between the
SDKs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ork.errors import error_name
from ork.failures import split_failures
from ork.instance_label import instance_label, payload_instance_label
from ork.payload import Payload

CASES = Path(__file__).resolve().parents[2] / "contract" / "cases"


def _load(name: str) -> dict[str, Any]:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


PAYLOADS = _load("payloads.json")
LABELS = _load("instance-labels.json")
FAILURES = _load("failures.json")


def _as_json(payload: Payload) -> dict[str, Any]:
    """The parsed payload in the payload's own field names, as the cases write it."""
    return {
        "workflow": payload.workflow,
        "task": payload.task,
        "execution_id": payload.execution_id,
        "attempt": payload.attempt,
        "params": payload.params,
        "inputs": payload.inputs,
        "parallel_index": payload.parallel_index,
        "parallel_count": payload.parallel_count,
        "has_item": payload.has_item,
        "item": payload.item,
        "item_index": payload.item_index,
        "fan_out_fields": [{"path": list(f.path), "above": f.above} for f in payload.fan_out_fields],
        "output_spill_bytes": payload.output_spill_bytes,
        "batch": None if payload.batch is None else list(payload.batch),
        "condition_fields": [list(path) for path in payload.condition_fields],
        "failure": payload.failure,
        "instance": payload.instance,
    }


def _exact_types(value: Any) -> Any:
    """``value`` with each number tagged by its type: 2 and 2.0 are equal in Python, and a parser that hands
    a task 2.0 where the other hands it 2 must not pass."""
    if isinstance(value, dict):
        return {k: _exact_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact_types(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (type(value).__name__, value)
    return value


@pytest.mark.parametrize("case", PAYLOADS["valid"], ids=lambda case: case["name"])
def test_a_valid_payload_parses_as_the_case_says(case: dict[str, Any]) -> None:
    payload = Payload.parse(case["payload"])
    if "element" in case:
        payload = payload.element(case["payload"], case["element"])
    assert _exact_types(_as_json(payload)) == _exact_types({**PAYLOADS["defaults"], **case["expect"]})


@pytest.mark.parametrize("case", PAYLOADS["invalid"], ids=lambda case: case["name"])
def test_an_invalid_payload_is_refused_with_the_named_error(case: dict[str, Any]) -> None:
    with pytest.raises(Exception) as raised:
        Payload.parse(case["payload"])
    assert error_name(raised.value) == case["error"]
    assert case["names"] in str(raised.value)


@pytest.mark.parametrize("case", LABELS["labels"], ids=lambda case: case["label"])
def test_instance_label(case: dict[str, Any]) -> None:
    assert instance_label(case["task"], case.get("item_index"), case.get("parallel_index")) == case["label"]


@pytest.mark.parametrize("case", LABELS["payload_labels"], ids=lambda case: case["label"])
def test_payload_instance_label(case: dict[str, Any]) -> None:
    label = payload_instance_label(case["task"], case["item_index"], case["parallel_index"], case["parallel_count"])
    assert label == case["label"]


@pytest.mark.parametrize("case", FAILURES["cases"], ids=lambda case: case["name"])
def test_tolerated_failures_are_taken_out_of_a_list(case: dict[str, Any]) -> None:
    kept, failures = split_failures(case["value"])
    found = [{k: v for k, v in failure.to_json().items() if v is not None} for failure in failures]
    assert _exact_types({"kept": kept, "failures": found}) == _exact_types({"kept": case["kept"], "failures": case["failures"]})
