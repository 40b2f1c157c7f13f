"""Product and brand recognizer: names that news writes in place of their
maker (昇腾芯片出货量, iPhone营收, SU7交付量).

Names, makers and the head words that may follow a name (昇腾芯片) come from
``data/products.yaml``; the maker is the knowledge base's company entity.
A name inside a known company's or a place's name is no product mention.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .companies import Entity, EntityMention, knowledge_base
from .gazetteer import Gazetteer
from .normalize import normalize


@dataclass(frozen=True)
class ProductMention:
    start: int
    end: int  # after the head word, when one follows (昇腾芯片)
    text: str  # as in the normalised text
    name: str  # canonical name (products.yaml)
    owner: Entity  # the maker
    segment: str  # what the product's figures are restricted to: the canonical name and the head word (昇腾芯片)


def _norm(text: str) -> str:
    return normalize(text).text.strip()


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer[tuple[str, Entity]]:
    kb = knowledge_base()
    owners = {c.id: kb.get(_norm(c.name)) for c in lexicon.companies().companies}
    gaz: Gazetteer[tuple[str, Entity]] = Gazetteer()
    for product in lexicon.products().products:
        owner = owners.get(product.owner)
        if owner is None:
            continue  # a company whose name the knowledge base blocks: no maker to give
        for form in (product.name, *product.aliases):
            gaz.add(_norm(form), (product.name, owner))
    return gaz


@lru_cache(maxsize=1)
def _head_words() -> tuple[str, ...]:
    return tuple(sorted({_norm(w) for w in lexicon.products().head_words}, key=len, reverse=True))


def find_products(text: str, entities: list[EntityMention] = ()) -> list[ProductMention]:
    """Product mentions in ``text`` (normalised), in order; none inside a
    known company's or a place's name among ``entities`` (抖音 in a known
    抖音集团). A name only the suffix rules read as a company (淘天集团) is
    the product: the knowledge of products is the surer one."""
    out = []
    for start, end, (name, owner) in _gazetteer().find_all(text):
        if any(e.entity.known and e.start < end and start < e.end for e in entities):
            continue
        head = next((h for h in _head_words() if text.startswith(h, end)), "")
        out.append(ProductMention(start, end + len(head), text[start:end + len(head)], name, owner, name + head))
    return out
