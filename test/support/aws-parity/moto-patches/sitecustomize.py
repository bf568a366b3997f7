"""Patches the AWS parity harness applies to the moto_server it starts (test/support/aws-parity).

The harness puts this folder on moto_server's PYTHONPATH, so Python imports this module at start-up
(``sitecustomize``), and sets ``ORK_PARITY_MOTO_PATCHES=1``; any other Python process is left alone.

Five patches, each for one moto gap:

``stepfunctions-deepcopy-executions``
    moto 5.2's Step Functions interpreter (``execute_state_machine``) deep-copies the state machine on every
    StartExecution. The state machine refers to its backend, and the backend to every state machine and
    its executions, whose workers hold thread locks, which cannot be copied: after the first execution in
    an account and region, every StartExecution answers HTTP 500 ``TypeError: cannot pickle
    '_thread.RLock' object`` (getmoto/moto#10077; fixed upstream by getmoto/moto#10093, which leaves the
    executions out of the copy). The patch makes a copy share the running executions instead of copying
    them, which is what the copy needs: it only snapshots the definition for the new execution.

``stepfunctions-definite-index-path``
    moto 5.2's JSONPath evaluation (``moto/stepfunctions/parser/asl/utils/json_path.py``, ``extract_json``)
    answers a list whenever the match's parent step is an array index, a rule added for filter queries
    (``$.a[?(@.x)].y``, getmoto/moto#7825). A definite path through an index, such as ``$[1].results``,
    then yields ``[value]`` instead of ``value``: the ResultSelector of every Parallel state Ork emits
    (``States.JsonMerge($[0].results, $[1].results, false)``) fails with ``States.Runtime``
    ``TypeError(Expected a JSON object the argument 2, but got: '[{…}]')``, so no workflow with parallel
    branches could run. On AWS a definite path (names and integer indexes only) selects one value; the patch
    answers that value for such a path with exactly one match and leaves every other path to moto.

``stepfunctions-result-writer-files``
    moto 5.2's Distributed Map ResultWriter (``.../state_map/result_writer/resource_eval/resource_eval_s3.py``,
    ``_handle_put_object``) writes only a manifest whose ``ResultFiles`` are all empty ("TODO: generate result
    files") and drops the children's outputs (``env.stack.pop()  # TODO: results``), so nothing downstream of a
    Distributed Map could read its results (Ork's ``{"ork_results": …}`` references, docs/scale.md). It also
    takes the map run to report from ``map_run_record_pool_manager.get_all().pop()``, the map run added last
    to the execution: when two Distributed Maps run at once (parallel branches), both manifests name the same
    map run and land under its id. The patch writes what AWS writes, and is no kinder than AWS where AWS
    promises nothing: beside the manifest, ``SUCCEEDED_<n>.json`` (and ``FAILED_<n>.json`` when a child
    failed), JSON arrays of one record per child execution — ``ExecutionArn``, ``Input`` (the child's input
    after the ItemSelector, as a JSON string), ``InputDetails``, ``Name``, ``Output`` (a JSON string) and
    ``OutputDetails`` for a success, ``Error``/``Cause`` for a failure, ``RedriveCount``, ``RedriveStatus``
    (``RedriveStatusReason`` for a success), ``StartDate``, ``StateMachineArn``, ``Status``, ``StopDate`` —
    listed in the manifest's ``ResultFiles`` with ``Key`` and ``Size``; and it reports the Map's own map run.
    AWS documents no order of the records and starts another file when one reaches 5 GB, so the records of
    each status are shuffled and split into 2 or 3 files of random sizes (one file for a single record),
    seeded with the map run ARN so that a failure reproduces. A child is named as on AWS, a UUID that tells
    nothing of its item (a version 3 UUID of the map run ARN and the index), and its ARN is
    ``arn:aws:states:<region>:<account>:execution:<state machine>/<map label or generated id>:<name>``;
    whoever reads the results back must order them by what the Input carries (Ork: ``item_index``,
    ``parallel_index``, ``start``). The popped results are moto's outputs of the map run, one per child in
    item order (``JobPool.get_closed_jobs`` sorts by index; ``None`` for a failed child). The child inputs
    and statuses are recorded by wrapping ``DistributedItemProcessorWorker._eval_input`` / ``_eval_job``;
    the Map's map run by wrapping ``DistributedIterationComponent._eval_body``. The answer (``{"MapRunArn",
    "ResultWriterDetails": {"Bucket", "Key"}}``) and the manifest's key (``<Prefix>/<map run id>/manifest.json``)
    stay moto's. Not changed: moto does not enforce ToleratedFailureCount/Percentage (a map run whose
    children failed still succeeds).

``stepfunctions-integer-tolerated-percentage``
    moto 5.2's ASL grammar takes ``ToleratedFailurePercentage`` only as a NUMBER token, which its lexer gives
    to decimals alone: an integer, valid on AWS and what Ork emits (``tolerate_failures: 1%`` →
    ``"ToleratedFailurePercentage": 1``), fails CreateStateMachine with HTTP 400 ``ASLParserException …
    no viable alternative at input '"ToleratedFailurePercentage":1'`` (the JS SDK cannot even read that
    answer: its ``__type`` is null). The patch hands moto's parser (``AmazonStateLanguageParser.parse``) the
    definition with such integers written as decimals (``1.0``); the definition moto stores and describes is
    the one created. moto ignores the value anyway (it logs "ToleratedFailurePercentage declarations
    currently have no effect on the program evaluation").

``stepfunctions-jsonpath-parse-cache``
    moto 5.2 parses a JSONPath anew at every evaluation (``json_path.extract_json``, ``ResultPath``), and each
    ``jsonpath_ng`` parse builds a PLY parser, whose table lookup imports a module under Python's import
    lock: about 12 ms alone, and with a Distributed Map's child executions running at once, they queue on
    that lock — a map run of 200 children took about 55 s, with hardly two Lambda invocations at a time.
    The patch caches parsed expressions by path text (``functools.lru_cache`` on the modules' ``parse``),
    which only saves the work: a parsed expression is never changed by ``find`` or ``update``.
"""

import os
import sys
from collections.abc import Callable


def _patch(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Applies the decorated patch at once if the harness enabled the patches, and reports on stderr whether it took.

    moto_server reads the report (``aws.motoPatches``); a patch that fails never stops the server.
    """

    def apply(patch: Callable[[], None]) -> Callable[[], None]:
        if os.environ.get("ORK_PARITY_MOTO_PATCHES") == "1":
            try:
                patch()
                print(f"ork parity: moto patch {name} applied", file=sys.stderr, flush=True)
            except Exception as error:  # noqa: BLE001 - report, never stop the server
                print(f"ork parity: moto patch {name} NOT applied: {error!r}", file=sys.stderr, flush=True)
        return patch

    return apply


@_patch("stepfunctions-deepcopy-executions")
def _stepfunctions_deepcopy_executions() -> None:
    from moto.stepfunctions.parser.backend.execution import Execution

    def _share_execution(self, memo):  # noqa: ANN001 - copy protocol
        return self

    Execution.__deepcopy__ = _share_execution


@_patch("stepfunctions-definite-index-path")
def _stepfunctions_definite_index_path() -> None:
    import re

    from moto.stepfunctions.parser.asl.utils import json_path as _json_path

    _original_extract_json = _json_path.extract_json
    # `$`, then only `.name`, `['name']` or `[0]` steps: no wildcard, slice, filter or recursive descent.
    _DEFINITE_PATH = re.compile(r"^\$(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\['[^'\]]*'\])*$")

    def _extract_json(path, data):  # noqa: ANN001, ANN202 - same signature as moto's
        if isinstance(path, str) and _DEFINITE_PATH.match(path):
            matches = _json_path.parse(path).find(data)
            if len(matches) == 1:
                return matches[0].value
        return _original_extract_json(path, data)

    _json_path.extract_json = _extract_json
    # Modules that imported the function already (the first patch imports much of moto) get it too.
    for _name, _module in list(sys.modules.items()):
        if _name.startswith("moto.stepfunctions") and getattr(_module, "extract_json", None) is _original_extract_json:
            _module.extract_json = _extract_json


@_patch("stepfunctions-result-writer-files")
def _stepfunctions_result_writer_files() -> None:
    import copy
    import datetime
    import json
    import random
    import uuid

    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
        DistributedIterationComponent,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor.distributed_item_processor_worker import (
        DistributedItemProcessorWorker,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval.resource_eval_s3 import (
        ResourceEvalS3,
    )
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramError

    _original_eval_input = DistributedItemProcessorWorker._eval_input
    _original_eval_job = DistributedItemProcessorWorker._eval_job

    def _children(map_run_record):  # noqa: ANN001, ANN202
        # Per map run: item index -> what its child execution started with and how it ended. Children of one
        # map run write different indexes, and dict item assignment is atomic in CPython.
        children = getattr(map_run_record, "_ork_children", None)
        if children is None:
            children = map_run_record.__dict__.setdefault("_ork_children", {})
        return children

    def _eval_input(self, env_frame):  # noqa: ANN001, ANN202 - same signature as moto's
        _original_eval_input(self, env_frame)
        # After the ItemSelector (or Parameters): the child execution's input, what AWS records as its Input.
        try:
            index = env_frame.states.context_object.context_object_data["Map"]["Item"]["Index"]
            _children(self._map_run_record)[index] = {"input": copy.deepcopy(env_frame.states.get_input())}
        except Exception:  # noqa: BLE001 - a record without Input is still a record
            pass

    def _now() -> str:
        return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _eval_job(self, env, job):  # noqa: ANN001, ANN202 - same signature as moto's
        started = _now()
        _original_eval_job(self, env, job)
        child = _children(self._map_run_record).setdefault(job.job_index, {})
        child["start"], child["stop"] = started, _now()
        state = env.program_state()
        if isinstance(state, ProgramEnded):
            child["status"] = "SUCCEEDED"
        else:
            child["status"] = "FAILED"
            error = state.error if isinstance(state, ProgramError) else None
            if error:
                child["error"] = error.get("error")
                child["cause"] = error.get("cause")

    DistributedItemProcessorWorker._eval_input = _eval_input
    DistributedItemProcessorWorker._eval_job = _eval_job

    _original_map_run_body = DistributedIterationComponent._eval_body

    def _map_run_body(self, env):  # noqa: ANN001, ANN202 - same signature as moto's
        # The Map state's own map run, for its ResultWriter, which runs next in the same environment.
        env._ork_map_run_record = getattr(env.stack[-1], "map_run_record", None) if env.stack else None
        _original_map_run_body(self, env)

    DistributedIterationComponent._eval_body = _map_run_body

    def _compact(value):  # noqa: ANN001, ANN202
        return json.dumps(value, separators=(",", ":"))

    def _child_name(map_run_arn, index):  # noqa: ANN001, ANN202
        # AWS names a Distributed Map's child execution with a UUID (version 3 in every published example,
        # e.g. "da4e9fc7-abab-3b27-9a77-a277e463b709"), nothing to do with the item's index; here a version 3
        # UUID of the map run and the index, so that a run is reproducible but the name tells no order.
        return str(uuid.uuid3(uuid.NAMESPACE_URL, f"{map_run_arn}#{index}"))

    # At most this many result files per status. AWS starts another file when one reaches 5 GB; the
    # stand-in splits every status with two records or more into 2..3 files of random sizes.
    _MAX_RESULT_FILES = 3

    def _split(records, rng):  # noqa: ANN001, ANN202
        if len(records) < 2:
            return [records] if records else []
        count = min(len(records), rng.randint(2, _MAX_RESULT_FILES))
        cuts = sorted(rng.sample(range(1, len(records)), count - 1))
        return [records[start:end] for start, end in zip([0, *cuts], [*cuts, len(records)], strict=True)]

    def _handle_put_object(env, resource_runtime_part, state_credentials):  # noqa: ANN001, ANN202 - moto's signature
        parameters = env.stack.pop()
        # The map run's outputs, one per child in item order (None for a child that did not succeed).
        results = env.stack.pop()

        s3_client = ResourceEvalS3._get_s3_client(resource_runtime_part=resource_runtime_part, state_credentials=state_credentials)
        # moto takes the map run added last to the execution's pool, which is another Map's when two
        # Distributed Maps run at once (parallel branches); this Map's own record was kept above.
        map_run_record = getattr(env, "_ork_map_run_record", None) or env.map_run_record_pool_manager.get_all().pop()
        map_run_arn = map_run_record.map_run_arn
        map_run_uuid = map_run_arn.split(":")[-1]
        if parameters["Prefix"] != "" and not parameters["Prefix"].endswith("/"):
            parameters["Prefix"] += "/"
        bucket = parameters["Bucket"]
        directory = parameters["Prefix"] + map_run_uuid + "/"
        children = getattr(map_run_record, "_ork_children", {})
        # The map run's state machine is "<state machine ARN>/<label>" (moto: a generated id for a Map
        # without Label, as AWS generates one); its children are "...:execution:<name>/<label>:<child name>".
        child_arn_prefix = map_run_record.map_state_machine_arn.replace(":stateMachine:", ":execution:")

        records = {"SUCCEEDED": [], "FAILED": []}
        for index, output in enumerate(results if isinstance(results, list) else []):
            child = children.get(index, {})
            status = child.get("status", "SUCCEEDED" if output is not None else "FAILED")
            name = _child_name(map_run_arn, index)
            record = {"ExecutionArn": f"{child_arn_prefix}:{name}", "Name": name}
            if "input" in child:
                record["Input"] = _compact(child["input"])
                record["InputDetails"] = {"Included": True}
            record["RedriveCount"] = 0
            if "start" in child:
                record["StartDate"] = child["start"]
            record["StateMachineArn"] = map_run_record.map_state_machine_arn
            record["Status"] = status
            if "stop" in child:
                record["StopDate"] = child["stop"]
            if status == "SUCCEEDED":
                record["Output"] = _compact(output)
                record["OutputDetails"] = {"Included": True}
                record["RedriveStatus"] = "NOT_REDRIVABLE"
                record["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
            else:
                # As AWS writes a failed child: no Output (yet OutputDetails), redrivable with its map run.
                record["OutputDetails"] = {"Included": True}
                record["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
                if child.get("error") is not None:
                    record["Error"] = child["error"]
                if child.get("cause") is not None:
                    record["Cause"] = child["cause"]
            records[status].append(record)

        # AWS promises no order of the records, nor how they are spread over the files: shuffle them and
        # split them, reproducibly for a map run (random.Random seeded with a str is stable across runs).
        rng = random.Random(map_run_arn)
        result_files = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
        for status, entries in records.items():
            rng.shuffle(entries)
            for number, chunk in enumerate(_split(entries, rng)):
                body = json.dumps(chunk, sort_keys=True).encode("utf8")
                key = f"{directory}{status}_{number}.json"
                s3_client.put_object(Bucket=bucket, Key=key, Body=body)
                result_files[status].append({"Key": key, "Size": len(body)})

        manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": result_files}
        key = directory + "manifest.json"
        s3_client.put_object(Bucket=bucket, Key=key, Body=json.dumps(manifest, indent=2).encode("utf8"))
        env.stack.append({"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": key}})

    ResourceEvalS3._handle_put_object = staticmethod(_handle_put_object)


@_patch("stepfunctions-integer-tolerated-percentage")
def _stepfunctions_integer_tolerated_percentage() -> None:
    import json

    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    _original_parse = AmazonStateLanguageParser.parse

    def _float_percentages(node):  # noqa: ANN001, ANN202
        if isinstance(node, dict):
            return {
                key: float(value)
                if key == "ToleratedFailurePercentage" and isinstance(value, int) and not isinstance(value, bool)
                else _float_percentages(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [_float_percentages(value) for value in node]
        return node

    def _parse(definition):  # noqa: ANN001, ANN202 - same signature as moto's
        if isinstance(definition, str) and "ToleratedFailurePercentage" in definition:
            try:
                parsed = json.loads(definition)
            except ValueError:
                parsed = None  # not JSON: moto reports it as it would
            if parsed is not None:
                rewritten = _float_percentages(parsed)
                if json.dumps(rewritten) != json.dumps(parsed):  # 1 == 1.0: compare the text
                    definition = json.dumps(rewritten)
        return _original_parse(definition)

    AmazonStateLanguageParser.parse = staticmethod(_parse)


@_patch("stepfunctions-jsonpath-parse-cache")
def _stepfunctions_jsonpath_parse_cache() -> None:
    import functools

    from moto.stepfunctions.parser.asl.component.common.path import result_path as _result_path
    from moto.stepfunctions.parser.asl.utils import json_path as _json_path_module

    # Parsed expressions are only read (find, update), never changed: one per path text is enough.
    for _module in (_json_path_module, _result_path):
        if not hasattr(_module.parse, "cache_info"):
            _module.parse = functools.lru_cache(maxsize=4096)(_module.parse)


def _run_shadowed_sitecustomize() -> None:
    """This module hides any other ``sitecustomize`` (Debian's Python has one): run that one too."""
    import importlib.machinery
    import runpy

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.origin and os.path.abspath(spec.origin) != os.path.abspath(__file__):
        try:
            runpy.run_path(spec.origin, run_name="sitecustomize")
        except Exception as error:  # noqa: BLE001 - as site.py does, report and go on
            print(f"ork parity: error in {spec.origin}: {error!r}", file=sys.stderr, flush=True)


_run_shadowed_sitecustomize()
