"""One article in, validated facts out: normalise, segment and recognise,
assemble, validate. The only place that turns links into public models."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from schemas import Evidence, Fact

from . import lexicon
from .assemble import Link, assemble
from .io import Article
from .normalize import NormalizedText, normalize
from .segment import build_nlp, make_doc

DATELINE = re.compile(r"((?:19|20)\d{2})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日")
YEAR = re.compile(r"((?:19|20)\d{2})\s?年")


@dataclass
class Extraction:
    article: Article
    facts: list[Fact]
    links: list[Link]
    normalized: NormalizedText
    published: dt.date | None
    date_source: str
    doc: Doc | None = None  # the recognisers' spans (Doc._), in normalised offsets


def default_market(norm: NormalizedText) -> str:
    """The home market a bare 元 falls back to when the subject's is unknown:
    the market whose wording (data/regions.yaml market_markers) the article
    uses most; cn when none."""
    counts = {market: sum(norm.text.count(w) for w in words) for market, words in lexicon.regions().market_markers.items()}
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0] == "cn"))
    return best[0] if best[1] > 0 else "cn"


def publication_date(article: Article, norm: NormalizedText, fallback: dt.date | None) -> tuple[dt.date | None, str]:
    """Metadata, then the command-line date, then the dateline, then the latest year."""
    if article.date is not None:
        return article.date, article.date_source
    if fallback is not None:
        return fallback, "option"
    head = norm.text[:300]
    m = DATELINE.search(head)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "dateline"
        except ValueError:
            pass
    years = [int(y) for y in YEAR.findall(norm.text)]
    if years:
        return dt.date(max(years), 12, 31), "latest-year"
    return None, "none"


def fact_id(doc_id: str, link: Link) -> str:
    key = f"{doc_id}|{link.value.start}|{link.value.end}|{link.metric}|{link.kind}|{link.value.value!r}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def extract_article(article: Article, date: dt.date | None = None) -> Extraction:
    norm = normalize(article.text)
    published, source = publication_date(article, norm, date)
    market = default_market(norm)
    doc = make_doc(build_nlp(), norm.text, published, market, {})
    links = assemble(doc, market)
    facts = [_to_fact(article, norm, link, source) for link in links]
    return Extraction(article, facts, links, norm, published, source, doc)


def _to_fact(article: Article, norm: NormalizedText, link: Link, date_source: str) -> Fact:
    start, end = norm.original_span(link.value.start, link.value.end)
    s_start, s_end = norm.original_span(*link.sentence)
    subject = link.subject
    subject_text = None
    if link.subject_mention is not None:
        subject_text = norm.original_slice(link.subject_mention.start, link.subject_mention.end)
    confidence = link.confidence
    if date_source in ("latest-year", "none") and link.period_start is not None:
        confidence *= 0.8
    return Fact(
        id=fact_id(article.id, link),
        doc_id=article.id,
        subject=subject.name if subject else None,
        subject_id=subject.id if subject else None,
        subject_text=subject_text,
        subject_type=subject.type if subject else None,
        metric=link.metric,
        kind=link.kind,
        value=link.value.value,
        unit=link.value.unit,
        value_high=link.value.value_high,
        qualifier=link.value.qualifier,
        estimate=link.estimate,
        period_start=link.period_start,
        period_end=link.period_end,
        fiscal_period=link.fiscal,
        segment=link.segment,
        evidence=Evidence(text=norm.original[s_start:s_end].strip(), start=start, end=end),
        confidence=round(confidence, 3),
    )
