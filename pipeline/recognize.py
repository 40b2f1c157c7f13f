"""The value and period recognizers on their own, for short texts: what the
dimension corpora (corpora/values, corpora/periods) and ``make bench-values``
run. Mentions are returned in the original text's script and width."""

from __future__ import annotations

import datetime as dt

from .normalize import normalize
from .periods import find_periods
from .segment import build_nlp, token_starts
from .values import find_values


def values_in(original: str, market: str = "cn") -> list[dict]:
    norm = normalize(original)
    tokens = token_starts(build_nlp().make_doc(norm.text))
    out = []
    for v in find_values(norm.text, market, tokens):
        a, b = norm.original_span(v.start, v.end)
        out.append({"mention": original[a:b], "value": v.value, "unit": v.unit, "qualifier": v.qualifier,
                    "value_high": v.value_high})
    return out


def periods_in(original: str, published: dt.date) -> list[dict]:
    norm = normalize(original)
    out = []
    for p in find_periods(norm.text, published):
        a, b = norm.original_span(p.start, p.end)
        out.append({"mention": original[a:b], "start": _iso(p.period_start), "end": _iso(p.period_end),
                    "fiscal": p.fiscal})
    return out


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
