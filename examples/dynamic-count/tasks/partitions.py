"""The table both tasks look at: one CSV file per date partition, in a stable order."""
from pathlib import Path

WORKFLOW_DIR = Path(__file__).resolve().parent.parent
TABLE_DIR = WORKFLOW_DIR / "data" / "events"
OUTPUT_DIR = WORKFLOW_DIR / ".ork" / "output" / "dynamic-count"


def list_partitions() -> list[Path]:
    return sorted(TABLE_DIR.glob("date=*.csv"))
