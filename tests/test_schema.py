import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas import Fact
from schemas.fact import schema_json

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "fact.schema.json"


def test_committed_schema_is_current():
    assert SCHEMA.read_text(encoding="utf-8") == schema_json(), "run `make schema` and commit schemas/fact.schema.json"


def _fact(**over):
    base = dict(id="x", doc_id="d", subject="台积电", subject_text="台積電", subject_type="company", metric="revenue",
                kind="level", value=1.0, unit="TWD", evidence={"text": "s", "start": 0, "end": 1}, confidence=0.9)
    base.update(over)
    return base


def test_schema_lists_every_spec_field():
    props = json.loads(SCHEMA.read_text(encoding="utf-8"))["properties"]
    for name in ("subject", "subject_text", "subject_type", "metric", "kind", "value", "unit", "value_high", "qualifier",
                 "estimate", "period_start", "period_end", "fiscal_period", "segment", "evidence", "doc_id", "id", "confidence"):
        assert name in props


@pytest.mark.parametrize("bad", [dict(metric="profit"), dict(kind="mom"), dict(confidence=1.5), dict(qualifier="range"),
                                 dict(value_high=2.0), dict(extra_field=1), dict(period_start="2025-02-01", period_end="2025-01-01")])
def test_invalid_facts_are_rejected(bad):
    with pytest.raises(ValidationError):
        Fact.model_validate(_fact(**bad))


def test_valid_fact_round_trips():
    fact = Fact.model_validate(_fact(period_start="2025-07-01", period_end="2025-09-30"))
    assert Fact.model_validate_json(fact.model_dump_json()) == fact
