import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
SEEDS = ROOT.parent / "shared" / "seeds"


def load_rows(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                row = json.loads(line)
                row["_where"] = f"{path.name}:{number}"
                rows.append(row)
    return rows


def corpus_params(rows: list[dict]) -> list:
    """Rows as pytest params; a row with an ``xfail`` reason runs as strict xfail."""
    params = []
    for row in rows:
        marks = [pytest.mark.xfail(reason=row["xfail"], strict=True)] if row.get("xfail") else []
        params.append(pytest.param(row, id=row["id"], marks=marks))
    return params
