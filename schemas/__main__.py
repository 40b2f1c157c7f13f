"""``python -m schemas``: regenerate fact.schema.json from the pydantic model."""

from pathlib import Path

from .fact import schema_json

target = Path(__file__).parent / "fact.schema.json"
target.write_text(schema_json(), encoding="utf-8")
print(f"wrote {target}")
