"""Patches the AWS parity harness applies to the moto_server it starts (test/support/aws-parity).

The harness puts this folder on moto_server's PYTHONPATH, so Python imports this module at start-up
(``sitecustomize``), and sets ``ORK_PARITY_MOTO_PATCHES=1``; any other Python process is left alone.

One patch, for one moto bug:

``stepfunctions-deepcopy-executions``
    moto 5.2's Step Functions interpreter (``execute_state_machine``) deep-copies the state machine on every
    StartExecution. The state machine refers to its backend, and the backend to every state machine and
    its executions, whose workers hold thread locks, which cannot be copied: after the first execution in
    an account and region, every StartExecution answers HTTP 500 ``TypeError: cannot pickle
    '_thread.RLock' object`` (getmoto/moto#10077; fixed upstream by getmoto/moto#10093, which leaves the
    executions out of the copy). The patch makes a copy share the running executions instead of copying
    them, which is what the copy needs: it only snapshots the definition for the new execution.
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
