"""The facts the compiled state machine, the local engine and both SDKs share, read from ``contract.json``.

The JSON is their one written place: TypeScript's lambdas/contract/contract.ts is generated from it. It lies
in this package because the ``ork`` folder is all that a deployed function's or container's code holds of
Ork (lib/deploy/workflow-bundle.ts copies it whole; pyproject.toml declares it as package data for pip).
Read once, when the package is imported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

_CONTRACT: Mapping[str, Any] = json.loads(Path(__file__).with_name("contract.json").read_text(encoding="utf-8"))

PAYLOAD_VERSION: int = _CONTRACT["payload_version"]

# Keys of the references and markers that travel in the data (docs/payload.md, docs/scale.md).
REF_KEY: str = _CONTRACT["markers"]["reference"]
ITEMS_KEY: str = _CONTRACT["markers"]["items"]
RESULTS_KEY: str = _CONTRACT["markers"]["results"]
FAILED_KEY: str = _CONTRACT["markers"]["failed"]

# The environment variables the runtimes read, by their contract name: ENVIRONMENT["payload_dir"] is
# "ORK_PAYLOAD_DIR".
ENVIRONMENT: Mapping[str, str] = MappingProxyType(dict(_CONTRACT["environment"]))

# The local workers' protocol channel (docs/worker-protocol.md).
WORKER_CHANNEL_FD: int = _CONTRACT["worker_protocol"]["channel_fd"]

# A worker measures a reply's `waits` on a task's first WAITS_SAMPLED_FIRST invocations, then on one in
# WAITS_SAMPLE_EVERY (docs/worker-protocol.md).
WAITS_SAMPLED_FIRST: int = _CONTRACT["worker_protocol"]["waits_sampled_first"]
WAITS_SAMPLE_EVERY: int = _CONTRACT["worker_protocol"]["waits_sample_every"]
