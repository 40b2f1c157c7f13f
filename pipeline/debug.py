"""``python -m pipeline debug TEXT``: what each stage saw, and why each fact came out."""

from __future__ import annotations

import argparse

from .cli import article_from_text
from .extract import extract_article
from .segment import build_nlp, make_doc


def run_debug(args: argparse.Namespace) -> int:
    article = article_from_text(args.text, args.date)
    result = extract_article(article)
    norm = result.normalized
    print(f"published: {result.published} ({result.date_source})")
    print(f"normalised: {norm.text}")
    # the Doc the extraction used; rebuilt only if it was not kept (articles read in pieces)
    doc = result.doc if result.doc is not None else make_doc(build_nlp(), norm.text, result.published, "cn", {})
    print("tokens: " + " | ".join(t.text for t in doc))
    for label, items in (("values", doc._.values), ("periods", doc._.periods), ("entities", doc._.entities),
                         ("metrics", doc._.metrics), ("cues", doc._.cues)):
        print(f"{label}:")
        for item in items:
            print(f"  [{item.start}:{item.end}] {item.text!r}  {_describe(item)}")
    print("facts:")
    for fact, link in zip(result.facts, result.links):
        print(f"  {fact.subject} {fact.metric}/{fact.kind} {fact.value} {fact.unit} {fact.qualifier} "
              f"{fact.period_start}..{fact.period_end} {fact.fiscal_period or ''} est={fact.estimate} seg={fact.segment}")
        for rule in link.rules:
            print(f"      - {rule}")
    return 0


def _describe(item) -> str:
    fields = {k: v for k, v in vars(item).items() if k not in ("start", "end", "text")}
    return ", ".join(f"{k}={v}" for k, v in fields.items() if v not in (None, False, "", "none"))
