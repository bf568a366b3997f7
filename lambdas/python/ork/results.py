"""A Distributed Map's results, read back as the list of outputs an inline Map would have produced.

The Map's ResultWriter leaves a manifest (``{"ResultFiles": {"SUCCEEDED": [{"Key"}], "FAILED": […]}}``)
and result files, each a JSON array of child records whose ``Input`` and ``Output`` are JSON strings. The
records come in completion order, not item order, so they are sorted by the first of ``item_index``,
``parallel_index``, ``start`` in their Input (for a batch, its first item). A child that ran several
instances (a batch, a chunk of indexes, the workers of one item: ``per_child: "list"``) returned a list,
which is flattened. FAILED records become ``ork_failed`` markers in their place (failures.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .contract import RESULTS_KEY
from .errors import PayloadStoreError
from .failures import failure_marker

ORDER_FIELDS = ("item_index", "parallel_index", "start")

ReadJson = Callable[[str, str], Any]
CheckInput = Callable[[Any], None]


def is_results_reference(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1 or not isinstance(value.get(RESULTS_KEY), dict):
        return False
    body = value[RESULTS_KEY]
    return isinstance(body.get("bucket"), str) and isinstance(body.get("key"), str)


def _decode(text: Any, what: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError as error:
        raise PayloadStoreError(f"{what} is not JSON: {error}") from error


def _instances(child_input: Any) -> list[dict[str, Any]]:
    """The per-instance fields a child ran with: its batch's items, or its Input itself."""
    if isinstance(child_input, dict):
        items = child_input.get("Items")
        if isinstance(items, list) and items:
            return [i for i in items if isinstance(i, dict)] or [{}]
        return [child_input]
    return [{}]


def _order(instance: dict[str, Any]) -> tuple[int, int]:
    for name in ORDER_FIELDS:
        value = instance.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return (0, value)
    return (1, 0)  # no index: after the indexed ones, in the order read (the sort is stable)


def _records(manifest: Any, status: str, bucket: str, read_json: ReadJson, where: str) -> list[dict[str, Any]]:
    result_files = manifest.get("ResultFiles") if isinstance(manifest, dict) else None
    files = result_files.get(status) if isinstance(result_files, dict) else None
    records: list[dict[str, Any]] = []
    for entry in files if isinstance(files, list) else []:
        key = entry.get("Key") if isinstance(entry, dict) else None
        if not isinstance(key, str):
            raise PayloadStoreError(f"result manifest {where} lists a {status} file without a Key: {entry!r}")
        content = read_json(bucket, key)
        if not isinstance(content, list):
            raise PayloadStoreError(f"result file {key} of {where} is not a JSON array of child records")
        records.extend(r for r in content if isinstance(r, dict))
    return records


def read_results(reference: dict[str, Any], read_json: ReadJson, *, failures_only: bool = False, check_input: CheckInput | None = None) -> list[Any]:
    """The outputs in item order, flattened for ``per_child: "list"``, with failure markers in place.

    ``failures_only`` reads only the FAILED files: for an upstream field the task does not read, whose
    failures its context still reports. ``check_input`` is called with every record's Input before any of
    them is used (it raises for a record of another execution: payload_store.References)."""
    body = reference[RESULTS_KEY]
    bucket, key = body["bucket"], body["key"]
    flatten = body.get("per_child") == "list"
    where = f"{bucket}/{key}"
    manifest = read_json(bucket, key)
    entries: list[tuple[tuple[int, int], list[Any]]] = []
    if not failures_only:
        for record in _records(manifest, "SUCCEEDED", bucket, read_json, where):
            child_input = _decode(record.get("Input"), f"a child's Input in {where}")
            if check_input is not None:
                check_input(child_input)
            output = _decode(record.get("Output"), f"a child's Output in {where}")
            outputs = output if flatten and isinstance(output, list) else [output]
            entries.append((_order(_instances(child_input)[0]), outputs))
    for record in _records(manifest, "FAILED", bucket, read_json, where):
        child_input = _decode(record.get("Input"), f"a child's Input in {where}")
        if check_input is not None:
            check_input(child_input)
        instances = _instances(child_input)
        # A failed batch failed every instance in it; each is reported, as an inline Map would have.
        markers = [failure_marker(record.get("Error"), record.get("Cause"), i) for i in instances]
        entries.append((_order(instances[0]), markers))
    entries.sort(key=lambda entry: entry[0])
    return [value for _, values in entries for value in values]
