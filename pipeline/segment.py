"""Segmentation and the spaCy pipeline that carries the recognizers.

spaCy's ``zh`` tokenizer is told to use jieba (its default is characters).
jieba's user dictionary is global state: we load our own words into it once
(company names, metric words) so that 英伟达, 摩尔线程, 税后纯益 stay one token.

Each recognizer is a registered component writing one ``Doc._`` attribute;
later stages read those attributes, never module globals.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import jieba
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import companies, lexicon, metrics, periods, values

jieba.setLogLevel(logging.WARNING)

EXTENSIONS = {
    "published": None,  # dt.date the relative words resolve against
    "market": "cn",  # home market for a bare 元 until a subject decides it
    "values": None,
    "periods": None,
    "entities": None,
    "metrics": None,
    "cues": None,
    "unseen": None,  # dict of unseen companies known so far in the article
}
for _name, _default in EXTENSIONS.items():
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def _token_starts(doc: Doc) -> frozenset[int]:
    return frozenset(t.idx for t in doc)


@Language.component("finfacts_values", assigns=["doc._.values"])
def values_component(doc: Doc) -> Doc:
    doc._.values = values.find_values(doc.text, doc._.market, _token_starts(doc))
    return doc


@Language.component("finfacts_periods", assigns=["doc._.periods"])
def periods_component(doc: Doc) -> Doc:
    doc._.periods = periods.find_periods(doc.text, doc._.published)
    return doc


@Language.component("finfacts_companies", assigns=["doc._.entities"])
def companies_component(doc: Doc) -> Doc:
    tokens = [(t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]
    doc._.entities = companies.find_entities(doc.text, tokens, doc._.unseen)
    return doc


@Language.component("finfacts_metrics", assigns=["doc._.metrics", "doc._.cues"])
def metrics_component(doc: Doc) -> Doc:
    doc._.metrics = metrics.find_metrics(doc.text)
    doc._.cues = metrics.find_cues(doc.text)
    return doc


RECOGNIZERS = ("finfacts_values", "finfacts_periods", "finfacts_companies", "finfacts_metrics")


def user_words() -> list[str]:
    """Words the segmenter must keep whole: company names, metric and unit words."""
    u = lexicon.units()
    words = set(companies.company_words()) | set(metrics.metric_words())
    words |= {w for w in u.currency_words if len(w) > 1}
    return sorted(w for w in words if len(w) > 1 and not w.isascii())


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    for word in user_words():
        jieba.add_word(word, freq=20000)
    for name in RECOGNIZERS:
        nlp.add_pipe(name)
    return nlp


def make_doc(nlp: Language, text: str, published: dt.date | None, market: str, unseen: dict) -> Doc:
    doc = nlp.make_doc(text)
    doc._.published = published
    doc._.market = market
    doc._.unseen = unseen
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc
