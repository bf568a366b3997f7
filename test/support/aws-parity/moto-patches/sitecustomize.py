"""Patches the AWS parity harness applies to the moto_server it starts (test/support/aws-parity).

The harness puts this folder on moto_server's PYTHONPATH, so Python imports this module at start-up
(``sitecustomize``), and sets ``ORK_PARITY_MOTO_PATCHES=1``; any other Python process is left alone.

Two patches, each for one moto bug:

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
"""

import os
import sys

if os.environ.get("ORK_PARITY_MOTO_PATCHES") == "1":
    try:
        from moto.stepfunctions.parser.backend.execution import Execution

        def _share_execution(self, memo):  # noqa: ANN001 - copy protocol
            return self

        Execution.__deepcopy__ = _share_execution
        print("ork parity: moto patch stepfunctions-deepcopy-executions applied", file=sys.stderr, flush=True)
    except Exception as error:  # noqa: BLE001 - report, never stop the server
        print(f"ork parity: moto patch stepfunctions-deepcopy-executions NOT applied: {error!r}", file=sys.stderr, flush=True)


if os.environ.get("ORK_PARITY_MOTO_PATCHES") == "1":
    try:
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
        print("ork parity: moto patch stepfunctions-definite-index-path applied", file=sys.stderr, flush=True)
    except Exception as error:  # noqa: BLE001 - report, never stop the server
        print(f"ork parity: moto patch stepfunctions-definite-index-path NOT applied: {error!r}", file=sys.stderr, flush=True)


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
