"""The table both tasks look at: one CSV file per date partition, in a stable order."""

import tempfile
from pathlib import Path

WORKFLOW_DIR = Path(__file__).resolve().parent.parent
TABLE_DIR = WORKFLOW_DIR / "data" / "events"
# Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "dynamic-count"


def list_partitions() -> list[Path]:
    return sorted(TABLE_DIR.glob("date=*.csv"))
