"""Knowledge as data: load and validate the files in ``pipeline/data`` once.

Each file has a pydantic model with ``extra="forbid"``, so a typo in a data
file fails loudly at load time, naming the file and the field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DATA_DIR = Path(__file__).parent / "data"

Market = Literal["cn", "tw", "hk", "us", "kr", "jp", "eu", "other"]
Qualifier = Literal["exact", "approx", "over", "under", "range"]


# Names and tickers as strings, whatever YAML read them as (2330, 1398 are numbers to YAML)
Names = Annotated[list[str], BeforeValidator(lambda value: [str(v) for v in (value or [])])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Units(Strict):
    currency_words: dict[str, str]
    local_currency_words: list[str]
    market_currency: dict[Market, str]
    currency_prefixes: dict[str, str]
    currency_prefix_words: dict[str, str]
    percent_words: list[str]
    point_words: list[str]
    basis_point_words: list[str]
    quarter_point_words: list[str]
    count_words: dict[str, str]
    goods_count_units: list[str]
    digit_only_count_words: list[str] = []
    multiple_words_before: list[str] = []
    multiple_words_after: list[str] = []
    physical_units: dict[str, str]
    qualifiers_before: dict[str, Qualifier]
    qualifiers_after: dict[str, Qualifier]
    qualifier_exceptions: list[str]
    negative_words_before: list[str]


class MetricEntry(Strict):
    type: Literal["amount", "ratio", "count", "price", "size"]
    words: list[str] = Field(min_length=1)
    loss_words: list[str] = []
    code: str | None = None
    segment: str | None = None
    unit: str | None = None  # the counting unit of a bare count (用户数2.42亿 -> 人)
    daily: bool = False  # quoted per trading day: takes the day the paragraph reports on
    balance: bool = False  # a balance on a day (贷款总额): takes the end day of the period reported on
    undated: bool = False  # a term of an offer (超额认购1,110倍): no period at all
    counts: list[str] = []  # counting units a figure of this amount may also be in (回购8000万股: 股)
    before_money: bool = False  # a metric only right before a sum of money (进口413.6亿美元; not 出口管制)
    market: str | None = None  # a place's figure is its market's size: 澳门's 博彩毛收入 -> 澳门博彩市场

    @model_validator(mode="after")
    def _loss_words_are_words(self) -> MetricEntry:
        missing = set(self.loss_words) - set(self.words)
        if missing:
            raise ValueError(f"loss_words not in words: {sorted(missing)}")
        return self


class Metrics(Strict):
    metrics: dict[str, MetricEntry]

    @model_validator(mode="after")
    def _words_unique(self) -> Metrics:
        seen: dict[str, str] = {}
        for code, entry in self.metrics.items():
            for word in entry.words:
                if word in seen:
                    raise ValueError(f"metric word {word!r} is listed under both {seen[word]} and {code}")
                seen[word] = code
        return self


class Cues(Strict):
    kind_words: dict[Literal["yoy", "qoq", "mom", "cagr", "change"], list[str]]
    paired_metrics: dict[str, list[str]] = {}
    segment_heads: list[str] = []
    price_move_words: list[str]
    level_after_change: list[str]
    estimate_words: list[str]
    coreference_words: list[str]
    region_breakdown_words: list[str]
    store_metric_words: list[str]
    loss_narrowing_words: list[str]
    loss_widening_words: list[str]
    swing_sign_words: dict[str, Literal["loss", "profit"]] = {}
    destination_words: dict[str, str] = {}
    revenue_mix_words: list[str] = []
    conversion_words: list[str]
    provisional_words: list[str] = []
    report_words: list[str] = []
    opened_words: list[str] = Field(min_length=1)
    not_cue_words: list[str] = []
    parent_words: list[str] = Field(min_length=1)
    enumeration_words: list[str]
    count_metric_types: list[str]


class VendorGroups(Strict):
    prefixes: list[str]
    products: list[str]
    tails: list[str]
    synonyms: dict[str, str]


class StockMarket(Strict):
    market: Market
    words: list[str] = Field(min_length=1)


class Regions(Strict):
    regions: dict[str, list[str]]
    not_companies: list[str]
    market_suffixes: list[str]
    market_products: dict[str, str] = {}
    commodities: dict[str, str] = {}
    market_markers: dict[Market, list[str]]
    home_regions: dict[Market, str] = {}
    indices: dict[str, list[str]]
    price_indices: dict[str, list[str]] = {}
    investor_groups: dict[str, list[str]]
    vendor_groups: VendorGroups
    stock_markets: dict[str, StockMarket] = {}
    stock_market_words: list[str] = []

    @model_validator(mode="after")
    def _home_regions_are_regions(self) -> Regions:
        unknown = sorted(set(self.home_regions.values()) - set(self.regions))
        if unknown:
            raise ValueError(f"home_regions not in regions: {unknown}")
        return self


class Company(Strict):
    id: str
    name: str
    aliases: Names = []
    tickers: Names = []
    market: Market
    currency: str
    sector: str = "other"

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]+", value):
            raise ValueError(f"company id {value!r} must match [a-z0-9_]+")
        return value



class Companies(Strict):
    companies: list[Company]

    @model_validator(mode="after")
    def _unique(self) -> Companies:
        ids: set[str] = set()
        for company in self.companies:
            if company.id in ids:
                raise ValueError(f"duplicate company id {company.id!r}")
            ids.add(company.id)
        return self


class Product(Strict):
    name: str
    aliases: Names = []
    owner: str  # a company id of companies.yaml


class Products(Strict):
    head_words: list[str]
    products: list[Product]


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where PyYAML has it: the same data, faster


class DataFileError(RuntimeError):
    pass


def _load(name: str, model: type[BaseModel], wrap: str | None = None) -> BaseModel:
    path = DATA_DIR / name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        return model.model_validate({wrap: raw} if wrap else raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise DataFileError(f"{path}: {exc}") from exc


@lru_cache(maxsize=1)
def units() -> Units:
    return _load("units.yaml", Units)


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    return _load("metrics.yaml", Metrics)


@lru_cache(maxsize=1)
def cues() -> Cues:
    return _load("cues.yaml", Cues)


@lru_cache(maxsize=1)
def regions() -> Regions:
    return _load("regions.yaml", Regions)


@lru_cache(maxsize=1)
def companies() -> Companies:
    return _load("companies.yaml", Companies, wrap="companies")


@lru_cache(maxsize=1)
def products() -> Products:
    """products.yaml, each owner checked against the companies' ids."""
    data = _load("products.yaml", Products)
    ids = {c.id for c in companies().companies}
    unknown = sorted({p.owner for p in data.products} - ids)
    if unknown:
        raise DataFileError(f"{DATA_DIR / 'products.yaml'}: owner not a company id of companies.yaml: {unknown}")
    return data


def alternation(words: list[str] | dict) -> str:
    """A regex alternation of literal words, longest first (so 亿美元 beats 亿)."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
