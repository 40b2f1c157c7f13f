"""Metric-word recognizer, and the cue words that decide kind and estimate.

Words come from ``data/metrics.yaml`` and ``data/cues.yaml``; matching is
longest first, so 每股收益 is eps and not revenue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .gazetteer import Gazetteer
from .values import ValueMention


@dataclass(frozen=True)
class MetricMention:
    start: int
    end: int
    text: str
    code: str
    type: str
    loss: bool = False
    segment: str | None = None
    unit: str | None = None
    daily: bool = False
    balance: bool = False
    undated: bool = False
    counts: tuple[str, ...] = ()  # counting units its figures may be in (回购8000万股)
    market: str | None = None  # a place's figure of it is the size of this product's market there (博彩毛收入)


@dataclass(frozen=True)
class CueMention:
    start: int
    end: int
    text: str
    cue: str  # kind:yoy kind:qoq kind:mom kind:cagr kind:change estimate provisional coref enumeration conversion level_after none


@lru_cache(maxsize=1)
def _metric_gazetteer() -> Gazetteer[tuple[str, str, bool, str | None, str | None, bool, bool, bool, tuple[str, ...], bool, str | None]]:
    gaz: Gazetteer = Gazetteer()
    for name, entry in lexicon.metrics().metrics.items():
        code = entry.code or name
        for word in entry.words:
            payload = (code, entry.type, word in entry.loss_words, entry.segment, entry.unit, entry.daily, entry.balance,
                       entry.undated, tuple(entry.counts), entry.before_money, entry.market)
            for form in _written_forms(word):
                gaz.add(form, payload)
    return gaz


def _written_forms(word: str) -> set[str]:
    """账上现金 and 帐上现金: OpenCC turns Traditional 帳 into 帐, the
    Simplified word writes 账; both are the same word."""
    return {word, word.replace("账", "帐")}


@lru_cache(maxsize=1)
def _cue_gazetteer() -> Gazetteer[str]:
    c = lexicon.cues()
    gaz: Gazetteer[str] = Gazetteer()
    for kind, words in c.kind_words.items():
        for w in words:
            gaz.add(w, f"kind:{kind}")
    for w in c.estimate_words:
        gaz.add(w, "estimate")
    for w in c.provisional_words:
        gaz.add(w, "provisional")
    for w in c.enumeration_words:
        gaz.add(w, "enumeration")
    for w in c.conversion_words:
        gaz.add(w, "conversion")
    for w in c.not_cue_words:
        gaz.add(w, "none")  # 每千升: the 升 of a unit is no rise
    return gaz


def metric_words() -> list[str]:
    return [w for entry in lexicon.metrics().metrics.values() for w in entry.words]


TIME_AFTER = ("后", "前")
# Between a before-money word and its sum: 出口|达|618亿美元, 进口|约|3902亿美元
MONEY_GAP = re.compile(r"[达为约共计了额总值金]{0,3}")


def find_metrics(text: str, values: Sequence[ValueMention] | None = None) -> list[MetricMention]:
    """The metric words of ``text``; with its ``values``, a word that names a
    metric only before a sum of money is dropped elsewhere."""
    out = []
    money_starts = {v.start for v in values or () if v.unit_type == "money"}
    for start, end, (code, mtype, loss, segment, unit, daily, balance, undated, counts, before_money, market) in _metric_gazetteer().find_all(text):
        if before_money and values is not None and MONEY_GAP.match(text, end).end() not in money_starts:
            continue
        if daily and text.startswith(TIME_AFTER, end):
            continue  # 收市后公布, 开盘前: the close names a time there, no price
        word = text[start:end]
        out.append(MetricMention(start, end, word, code, mtype, loss, segment.replace("{word}", word) if segment else None, unit, daily,
                                 balance, undated, counts, market))
    return out


def find_cues(text: str) -> list[CueMention]:
    return [CueMention(s, e, text[s:e], cue) for s, e, cue in _cue_gazetteer().find_all(text)]
