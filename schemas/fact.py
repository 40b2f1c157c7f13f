"""The fact model of ../shared/FACT_SPEC.md (v1), field for field.

Every line the pipeline writes is an instance of :class:`Fact`; the JSON
Schema in ``fact.schema.json`` is generated from it (``make schema``) and a
test fails when the committed copy is stale.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

METRICS = (
    "revenue", "net_profit", "operating_profit", "gross_margin", "operating_margin", "net_margin",
    "eps", "rd_expense", "capex", "market_cap", "stock_price", "valuation", "funding", "shipments",
    "orders", "market_share", "revenue_share", "market_size", "accumulated_deficit", "gross_profit",
    "pretax_profit", "ebitda", "operating_expense", "expense_ratio", "free_cash_flow",
    "operating_cash_flow", "cash", "total_assets", "total_liabilities", "debt_ratio", "inventory",
    "dividend", "dividend_yield", "buyback", "roe", "roa", "net_interest_income",
    "net_interest_margin", "npl", "npl_ratio", "credit_loss", "capital_ratio", "asp", "other",
)
Metric = Literal[METRICS]  # type: ignore[valid-type]
Kind = Literal["level", "yoy", "qoq", "cagr", "change"]
Qualifier = Literal["exact", "approx", "over", "under", "range"]
SubjectType = Literal["company", "market", "region", "product", "other"]


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The sentence in the original article, original script.")
    start: int = Field(ge=0, description="Offset of the value mention in the original text (code points).")
    end: int = Field(ge=0, description="End offset; original[start:end] is the number as written.")

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end < self.start:
            raise ValueError("evidence end is before start")
        return self


class Fact(BaseModel):
    """One quantitative statement of an article."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable id: the same input gives the same id on every run.")
    doc_id: str = Field(description="The article's id (file stem unless the input names one).")
    subject: str | None = Field(description="Canonical subject name, Simplified where one exists; null when unresolved.")
    subject_id: str | None = Field(default=None, description="Knowledge-base id of the subject, when known.")
    subject_text: str | None = Field(description="The subject as written in the article, original script.")
    subject_type: SubjectType | None
    metric: Metric
    kind: Kind
    value: float
    unit: str | None = Field(description="ISO 4217 code, %, pp, a counting word, or a Latin unit.")
    value_high: float | None = None
    qualifier: Qualifier = "exact"
    estimate: bool = False
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    fiscal_period: str | None = None
    segment: str | None = None
    evidence: Evidence
    confidence: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _consistent(self) -> Fact:
        if (self.value_high is not None) != (self.qualifier == "range"):
            raise ValueError("value_high is set exactly when qualifier is 'range'")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


def schema_json() -> str:
    """The JSON Schema of :class:`Fact`, as committed in ``fact.schema.json``."""
    import json

    schema = Fact.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "fact.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
